//! Business KPIs as the Business page, the Overview card and the read API show them.

use serde::{Deserialize, Serialize};

/// The KPIs of one period (all restaurants, or one). Money in minor units (cents).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Kpis {
    pub orders: u64,
    pub revenue_minor: i64,
    pub orders_per_hour: f64,
    pub avg_order_value_minor: Option<i64>,
    pub completed: u64,
    pub cancelled: u64,
    pub completion_rate: Option<f64>,
    pub payments: u64,
    pub payments_failed: u64,
    pub payment_success_rate: Option<f64>,
    pub voice_sessions: u64,
    pub voice_success_rate: Option<f64>,
    pub avg_voice_duration_ms: Option<f64>,
    pub voice_conversion_rate: Option<f64>,
    /// Orders created per order type (`unknown` when not given), most first.
    pub by_order_type: Vec<(String, u64)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RestaurantKpis {
    pub restaurant: String,
    pub kpis: Kpis,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InventoryLevel {
    pub restaurant: Option<String>,
    pub item: String,
    pub quantity: f64,
    pub at_ms: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BusinessView {
    /// `1h`, `24h`, `7d` or `30d`.
    pub range: String,
    pub restaurant: Option<String>,
    pub from_ms: i64,
    pub to_ms: i64,
    pub current: Kpis,
    /// The same span just before: what the changes compare with.
    pub previous: Kpis,
    pub restaurants: Vec<RestaurantKpis>,
    /// Orders and failed payments per hour over the last 24 hours (numbers only).
    pub chart_svg: String,
    /// Lowest first.
    pub inventory: Vec<InventoryLevel>,
}

/// `1234.5` → `"1234.50"`, `-250` minor → `"-2.50"`.
pub fn format_money(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let m = minor.unsigned_abs();
    format!("{sign}{}.{:02}", m / 100, m % 100)
}

#[cfg(test)]
mod tests {
    #[test]
    fn money_prints_with_two_decimals() {
        assert_eq!(super::format_money(123_450), "1234.50");
        assert_eq!(super::format_money(5), "0.05");
        assert_eq!(super::format_money(-250), "-2.50");
    }
}
