//! The Overview page and `GET /api/v1/overview`.

use crate::{
    alerts::ActiveAlert,
    business::Kpis,
    errors::{IssueSummary, SessionHealth},
    health::HealthSummary,
    range::Range,
    stats::{CountPoint, PageCount, Quantiles, SeriesPoint},
};
use serde::{Deserialize, Serialize};

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
