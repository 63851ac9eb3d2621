//! The KPI definitions. For a period `[from, to)` and its business events:
//!
//! - orders: `order.created` events; revenue: the sum of their totals (exact, in cents);
//!   orders per hour: orders ÷ the period's hours; average order value: revenue ÷ orders,
//!   rounded half away from zero to the cent.
//! - completion rate: `order.completed` ÷ `order.created` events in the period.
//! - payment success rate: `payment.processed` with status success ÷ all of them.
//! - voice: success rate = `voice.session` with outcome success ÷ sessions; average
//!   duration = mean `duration_ms` of the sessions that report one; voice-to-order
//!   conversion = sessions carrying an `order_id` ÷ sessions.
//! - order volume by type: `order.created` per `order_type` (`unknown` when absent).
//!
//! A rate with nothing to divide by is `None`, never 0.

use protocol::{Kpis, RestaurantKpis};
use std::collections::BTreeMap;
use store::BusinessCount;

fn rate(n: u64, d: u64) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}

/// Integer division rounding half away from zero.
fn div_round(n: i64, d: i64) -> i64 {
    let q = n / d;
    let r = n % d;
    if 2 * r.abs() >= d.abs() {
        q + n.signum() * d.signum()
    } else {
        q
    }
}

pub fn kpis(rows: &[BusinessCount], hours: f64) -> Kpis {
    let sum = |kind: &str, f: &dyn Fn(&BusinessCount) -> bool| -> u64 {
        rows.iter()
            .filter(|r| r.kind == kind && f(r))
            .map(|r| r.count)
            .sum()
    };
    let all = |_: &BusinessCount| true;
    let orders = sum("order.created", &all);
    let revenue_minor: i64 = rows
        .iter()
        .filter(|r| r.kind == "order.created")
        .map(|r| r.amount_minor)
        .sum();
    let completed = sum("order.completed", &all);
    let payments = sum("payment.processed", &all);
    let payments_ok = sum("payment.processed", &|r| r.status == "success");
    let voice = sum("voice.session", &all);
    let voice_ok = sum("voice.session", &|r| r.status == "success");
    let voice_rows = rows.iter().filter(|r| r.kind == "voice.session");
    let (duration, with_duration, with_order) = voice_rows.fold((0i64, 0u64, 0u64), |a, r| {
        (
            a.0 + r.duration_ms,
            a.1 + r.with_duration,
            a.2 + r.with_order,
        )
    });
    let mut by_type: BTreeMap<String, u64> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.kind == "order.created") {
        let t = if r.order_type.is_empty() {
            "unknown".to_string()
        } else {
            r.order_type.clone()
        };
        *by_type.entry(t).or_default() += r.count;
    }
    let mut by_order_type: Vec<(String, u64)> = by_type.into_iter().collect();
    by_order_type.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Kpis {
        orders,
        revenue_minor,
        orders_per_hour: if hours > 0.0 {
            orders as f64 / hours
        } else {
            0.0
        },
        avg_order_value_minor: (orders > 0).then(|| div_round(revenue_minor, orders as i64)),
        completed,
        cancelled: sum("order.cancelled", &all),
        completion_rate: rate(completed, orders),
        payments,
        payments_failed: payments - payments_ok,
        payment_success_rate: rate(payments_ok, payments),
        voice_sessions: voice,
        voice_success_rate: rate(voice_ok, voice),
        avg_voice_duration_ms: (with_duration > 0).then(|| duration as f64 / with_duration as f64),
        voice_conversion_rate: rate(with_order, voice),
        by_order_type,
    }
}

/// KPIs per restaurant (events without one are left out), most orders first.
pub fn per_restaurant(rows: &[BusinessCount], hours: f64) -> Vec<RestaurantKpis> {
    let mut by: BTreeMap<&str, Vec<BusinessCount>> = BTreeMap::new();
    for r in rows {
        if let Some(id) = &r.restaurant_id {
            by.entry(id).or_default().push(r.clone());
        }
    }
    let mut out: Vec<RestaurantKpis> = by
        .into_iter()
        .map(|(id, rows)| RestaurantKpis {
            restaurant: id.to_string(),
            kpis: kpis(&rows, hours),
        })
        .collect();
    out.sort_by(|a, b| {
        b.kpis
            .orders
            .cmp(&a.kpis.orders)
            .then(a.restaurant.cmp(&b.restaurant))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(kind: &str, status: &str, count: u64, amount: i64) -> BusinessCount {
        BusinessCount {
            restaurant_id: Some("r-1".into()),
            kind: kind.into(),
            status: status.into(),
            count,
            amount_minor: amount,
            ..BusinessCount::default()
        }
    }

    #[test]
    fn rates_divide_what_the_definitions_say_and_money_stays_in_cents() {
        let mut voice = row("voice.session", "success", 3, 0);
        voice.duration_ms = 90_000;
        voice.with_duration = 3;
        voice.with_order = 2;
        let rows = vec![
            row("order.created", "", 3, 1000),
            row("order.completed", "", 2, 0),
            row("payment.processed", "success", 3, 999),
            row("payment.processed", "failed", 1, 0),
            voice,
            row("voice.session", "abandoned", 1, 0),
        ];
        let k = kpis(&rows, 2.0);
        assert_eq!((k.orders, k.revenue_minor), (3, 1000));
        assert_eq!(k.avg_order_value_minor, Some(333), "1000 / 3 rounds to 333");
        assert_eq!(k.orders_per_hour, 1.5);
        assert_eq!(k.completion_rate, Some(2.0 / 3.0));
        assert_eq!(k.payment_success_rate, Some(0.75));
        assert_eq!(k.payments_failed, 1);
        assert_eq!(k.voice_success_rate, Some(0.75));
        assert_eq!(k.avg_voice_duration_ms, Some(30_000.0));
        assert_eq!(k.voice_conversion_rate, Some(0.5));
        assert_eq!(k.by_order_type, [("unknown".to_string(), 3)]);
        let none = kpis(&[], 1.0);
        assert_eq!(
            (none.completion_rate, none.avg_order_value_minor),
            (None, None)
        );
        assert_eq!(div_round(1001, 2), 501);
        assert_eq!(div_round(-1001, 2), -501);
    }
}
