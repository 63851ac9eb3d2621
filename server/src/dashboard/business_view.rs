//! The Business page and the Overview's business card: KPIs over a range and the same
//! span before it, per restaurant, the last day's orders and failed payments per hour,
//! and the latest inventory levels.

use crate::{
    business::kpi,
    render::chart::{lines_chart, Line, PALETTE},
    services::Services,
};

use protocol::{BusinessView, InventoryLevel, Kpis, Range};
use store::{clock::now_ms, Project};

const HOUR: i64 = 3_600_000;

/// The span of `range` (`1h`, `24h`, `7d`, `30d`); `Err` names the field.
pub fn span_of(range: &str) -> Result<i64, String> {
    protocol::range_span(range)
}

/// KPIs of `[to - span, to)` and of the span before it.
pub async fn kpis_with_previous(
    services: &Services,
    project: &Project,
    span: i64,
    to: i64,
    restaurant: Option<&str>,
) -> anyhow::Result<(Kpis, Kpis)> {
    let hours = span as f64 / HOUR as f64;
    let s = &services.storage;
    let now = s
        .business_counts(project.id, to - span, to, restaurant)
        .await?;
    let before = s
        .business_counts(project.id, to - 2 * span, to - span, restaurant)
        .await?;
    Ok((kpi::kpis(&now, hours), kpi::kpis(&before, hours)))
}

pub async fn view(
    services: &Services,
    project: &Project,
    range: &str,
    restaurant: Option<&str>,
) -> anyhow::Result<BusinessView> {
    let span = span_of(range).map_err(anyhow::Error::msg)?;
    let to = now_ms() + 1;
    let (current, previous) = kpis_with_previous(services, project, span, to, restaurant).await?;
    let counts = services
        .storage
        .business_counts(project.id, to - span, to, restaurant)
        .await?;
    let series = services
        .storage
        .business_series(project.id, to - 24 * HOUR, to, HOUR, restaurant)
        .await?;
    let hours: Vec<i64> = (0..24)
        .map(|h| (to - (24 - h) * HOUR).div_euclid(HOUR) * HOUR)
        .collect();
    let line = |name: &'static str, color, pick: &dyn Fn(&str, &str) -> bool| Line {
        name,
        color,
        points: hours
            .iter()
            .map(|h| {
                let n: u64 = series
                    .iter()
                    .filter(|(b, k, s, _)| b == h && pick(k, s))
                    .map(|r| r.3)
                    .sum();
                (h / 60_000, Some(n as f64))
            })
            .collect(),
    };
    let lines = [
        line("orders", PALETTE[0], &|k, _| k == "order.created"),
        line("failed payments", PALETTE[3], &|k, s| {
            k == "payment.processed" && s == "failed"
        }),
    ];
    let inventory = services
        .storage
        .inventory_levels(project.id, to - 7 * 24 * HOUR)
        .await?
        .into_iter()
        .filter(|(r, ..)| restaurant.is_none() || r.as_deref() == restaurant)
        .map(|(restaurant, item, quantity, at_ms)| InventoryLevel {
            restaurant,
            item,
            quantity,
            at_ms,
        })
        .collect();
    Ok(BusinessView {
        range: range.to_string(),
        restaurant: restaurant.map(str::to_string),
        from_ms: to - span,
        to_ms: to,
        restaurants: kpi::per_restaurant(&counts, span as f64 / HOUR as f64),
        current,
        previous,
        chart_svg: lines_chart(&lines, Range::Day, "", "business events"),
        inventory,
    })
}
