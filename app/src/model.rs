//! Wire types shared by the server, the read API (`/api/v1`) and the dashboard islands.
//! Everything here is plain data: serializable, comparable, no behaviour beyond small helpers.

use serde::{Deserialize, Serialize};

mod alerts;
mod business;
mod errors;
mod health;
mod logs;
mod perf;
mod security;
pub use alerts::*;
pub use business::*;
pub use errors::*;
pub use health::*;
pub use logs::*;
pub use perf::*;
pub use security::*;

/// Time range of a dashboard view.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Range {
    #[default]
    #[serde(rename = "1h")]
    Hour,
    #[serde(rename = "24h")]
    Day,
}

impl Range {
    pub const ALL: [Range; 2] = [Range::Hour, Range::Day];

    /// Length of the range in minutes.
    pub fn minutes(self) -> i64 {
        match self {
            Range::Hour => 60,
            Range::Day => 24 * 60,
        }
    }

    /// Width of one chart bucket in minutes (about 60–100 points per chart).
    pub fn bucket_minutes(self) -> i64 {
        match self {
            Range::Hour => 1,
            Range::Day => 15,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Range::Hour => "1h",
            Range::Day => "24h",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Range::Hour => "Last hour",
            Range::Day => "Last 24 h",
        }
    }

    pub fn parse(s: &str) -> Option<Range> {
        Range::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Quantiles of one metric; `None` when there is no data in the range.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Quantiles {
    pub count: u64,
    pub p50: Option<f64>,
    pub p95: Option<f64>,
    pub p99: Option<f64>,
}

/// One chart bucket of page-load time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeriesPoint {
    /// Start of the bucket, unix milliseconds.
    pub start_ms: i64,
    pub count: u64,
    pub p50: Option<f64>,
    pub p95: Option<f64>,
    pub p99: Option<f64>,
}

/// One API endpoint over a range (`GET /api/v1/endpoints`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EndpointStats {
    /// `METHOD /route/:id`.
    pub endpoint: String,
    pub duration: Quantiles,
    /// Calls that failed (5xx or no answer).
    pub errors: u64,
    /// `errors / calls`, 0 to 1.
    pub error_rate: f64,
    /// Calls per minute over the range.
    pub per_minute: f64,
}

/// One chart bucket of a count (error events).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CountPoint {
    /// Start of the bucket, unix milliseconds.
    pub start_ms: i64,
    pub count: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PageCount {
    pub page: String,
    pub views: u64,
}

/// The Overview page and `GET /api/v1/overview`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    pub project: String,
    pub range: Range,
    pub generated_at_ms: i64,
    pub page_views: u64,
    /// Page load (`loadEventEnd`), milliseconds.
    pub load: Quantiles,
    pub ttfb: Quantiles,
    pub fcp: Quantiles,
    /// Largest Contentful Paint (RUM SDK and Sentry `pageload` transactions).
    pub lcp: Quantiles,
    pub series: Vec<SeriesPoint>,
    pub top_pages: Vec<PageCount>,
    /// The page-load chart, drawn by the server with plotters. It holds only numbers and
    /// fixed labels, never text that came from outside.
    pub chart_svg: String,
    /// Error events in the range, and per bucket.
    pub errors: u64,
    pub error_series: Vec<CountPoint>,
    /// Errors per bucket as bars; numbers and fixed labels only, like `chart_svg`.
    pub error_chart_svg: String,
    /// Errors per 100 page views in the range; `None` without page views.
    pub errors_per_100_views: Option<f64>,
    /// Release health of the sessions started in the range (Sentry SDK sessions).
    pub sessions: SessionHealth,
    /// The unresolved issues seen most recently in the range.
    pub recent_issues: Vec<IssueSummary>,
    /// Alerts pending or firing now, critical first.
    pub active_alerts: Vec<ActiveAlert>,
    /// The monitor's checks and the platform probes at a glance.
    pub health: HealthSummary,
    /// Business KPIs over the range, and over the same span before it.
    pub business: Kpis,
    pub business_previous: Kpis,
    /// The alerts, system health and business cards as the Overview shows them (text
    /// made on the server, so the island ships no code for the types above).
    pub cards: Vec<SummaryCard>,
}

/// One summary card of the Overview.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SummaryCard {
    pub title: String,
    /// A CSS class: `ok`, `warning`, `firing`, `healthy`, `degraded`, `unhealthy`.
    pub status: String,
    pub lines: Vec<String>,
    pub href: String,
}

#[cfg(feature = "ssr")]
impl Overview {
    /// The alerts, system health and business cards from the data above.
    pub fn summary_cards(&self) -> Vec<SummaryCard> {
        let alerts = SummaryCard {
            title: "Alerts".into(),
            status: if self.active_alerts.iter().any(|a| a.state == "firing") {
                "firing".into()
            } else {
                "ok".into()
            },
            lines: if self.active_alerts.is_empty() {
                vec!["Nothing firing.".into()]
            } else {
                self.active_alerts
                    .iter()
                    .map(|a| {
                        let mut line = a.rule.clone();
                        if !a.instance.is_empty() {
                            line.push_str(&format!(" ({})", a.instance));
                        }
                        line.push_str(&format!(" · {} · {}", a.severity, a.state));
                        if let Some(b) = &a.acked_by {
                            line.push_str(&format!(" · acknowledged by {b}"));
                        }
                        if a.silenced_by.is_some() {
                            line.push_str(" · silenced");
                        }
                        line
                    })
                    .collect()
            },
            href: "/alerts".into(),
        };
        let h = &self.health;
        let mut health = vec![format!("{} probe(s) up", h.probes_up)];
        if !h.probes_down.is_empty() {
            health.push(format!("down: {}", h.probes_down.join(", ")));
        }
        if !h.failing_checks.is_empty() {
            health.push(format!("failing: {}", h.failing_checks.join(", ")));
        }
        let (k, p) = (&self.business, &self.business_previous);
        let pct = |v: Option<f64>| {
            v.map(|v| format!("{:.1} %", v * 100.0))
                .unwrap_or_else(|| "–".into())
        };
        vec![
            alerts,
            SummaryCard {
                title: format!("System health: {}", h.status),
                status: h.status.clone(),
                lines: vec![health.join(" · ")],
                href: "/status".into(),
            },
            SummaryCard {
                title: "Business".into(),
                status: "ok".into(),
                lines: vec![
                    format!(
                        "{} orders ({} the range before) · revenue {}",
                        k.orders,
                        p.orders,
                        format_money(k.revenue_minor)
                    ),
                    format!(
                        "payments OK {} · voice → order {}",
                        pct(k.payment_success_rate),
                        pct(k.voice_conversion_rate)
                    ),
                ],
                href: "/business".into(),
            },
        ]
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectInfo {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub public_key: String,
    pub dsn: String,
    pub script_tag: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiTokenInfo {
    pub id: i64,
    pub name: String,
    /// First characters of the token, enough to recognise it.
    pub prefix: String,
    pub created_at_ms: i64,
    pub last_used_ms: Option<i64>,
}

/// The Settings page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SettingsView {
    pub username: String,
    pub projects: Vec<ProjectInfo>,
    pub tokens: Vec<ApiTokenInfo>,
    pub demo_url: Option<String>,
    /// Inbound filters of the default project, with what they dropped.
    pub filters: FiltersView,
}

/// Answer of `POST /api/v1/tokens`: the only time the token itself is shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewToken {
    pub id: i64,
    pub name: String,
    pub token: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewTokenRequest {
    pub name: String,
}

/// Formats milliseconds for display: `850 ms`, `1.25 s`, or an en dash for no data.
pub fn format_ms(v: Option<f64>) -> String {
    match v {
        None => "–".to_string(),
        Some(ms) if ms < 1000.0 => format!("{} ms", ms.round() as i64),
        Some(ms) => format!("{:.2} s", ms / 1000.0),
    }
}

/// Formats unix milliseconds as `YYYY-MM-DD HH:MM UTC` (no time-zone database needed).
pub fn format_utc(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil-from-days (Howard Hinnant's algorithm), valid for the whole i64 day range we use.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_round_trips_through_its_name() {
        for r in Range::ALL {
            assert_eq!(Range::parse(r.as_str()), Some(r));
            let json = serde_json::to_string(&r).unwrap();
            assert_eq!(json, format!("\"{}\"", r.as_str()));
        }
        assert_eq!(Range::parse("7d"), None);
    }

    #[test]
    fn milliseconds_are_shown_in_the_unit_a_person_reads() {
        assert_eq!(format_ms(None), "–");
        assert_eq!(format_ms(Some(849.6)), "850 ms");
        assert_eq!(format_ms(Some(1250.0)), "1.25 s");
    }

    #[test]
    fn utc_timestamps_match_the_calendar() {
        assert_eq!(format_utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_utc(951_782_400_000), "2000-02-29 00:00 UTC");
        assert_eq!(format_utc(1_795_765_860_000), "2026-11-27 07:51 UTC");
    }
}
