//! Performance wire types: web vitals with web.dev's rating thresholds, and the
//! Performance view (`GET /api/v1/performance`).

use crate::{
    format::format_ms,
    range::Range,
    stats::{CountPoint, EndpointStats, Quantiles, SeriesPoint},
};
use serde::{Deserialize, Serialize};

/// The Core Web Vitals and their diagnostics, as web.dev defines them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Vital {
    Lcp,
    Inp,
    Cls,
    Fcp,
    Ttfb,
}

/// web.dev's buckets: at or under the first threshold is good, over the second poor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rating {
    Good,
    NeedsImprovement,
    Poor,
}

impl Rating {
    pub const ALL: [Rating; 3] = [Rating::Good, Rating::NeedsImprovement, Rating::Poor];

    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Good => "good",
            Rating::NeedsImprovement => "needs-improvement",
            Rating::Poor => "poor",
        }
    }
}

impl Vital {
    pub const ALL: [Vital; 5] = [Vital::Lcp, Vital::Inp, Vital::Cls, Vital::Fcp, Vital::Ttfb];

    pub fn as_str(self) -> &'static str {
        match self {
            Vital::Lcp => "lcp",
            Vital::Inp => "inp",
            Vital::Cls => "cls",
            Vital::Fcp => "fcp",
            Vital::Ttfb => "ttfb",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Vital::Lcp => "Largest Contentful Paint",
            Vital::Inp => "Interaction to Next Paint",
            Vital::Cls => "Cumulative Layout Shift",
            Vital::Fcp => "First Contentful Paint",
            Vital::Ttfb => "Time to First Byte",
        }
    }

    /// (good up to and including, poor above), in ms (CLS unitless).
    pub fn thresholds(self) -> (f64, f64) {
        match self {
            Vital::Lcp => (2500.0, 4000.0),
            Vital::Inp => (200.0, 500.0),
            Vital::Cls => (0.1, 0.25),
            Vital::Fcp => (1800.0, 3000.0),
            Vital::Ttfb => (800.0, 1800.0),
        }
    }

    pub fn rate(self, value: f64) -> Rating {
        let (good, poor) = self.thresholds();
        if value <= good {
            Rating::Good
        } else if value <= poor {
            Rating::NeedsImprovement
        } else {
            Rating::Poor
        }
    }

    /// The value as people read it: `1.85 s`, `120 ms`, `0.08`.
    pub fn format(self, v: Option<f64>) -> String {
        match (self, v) {
            (_, None) => "–".into(),
            (Vital::Cls, Some(v)) => format!("{v:.2}"),
            (_, v) => format_ms(v),
        }
    }
}

/// One vital over a range: p75 (what web.dev rates a page by) and how the page views
/// split across the ratings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VitalSummary {
    pub vital: Vital,
    pub quantiles: Quantiles,
    pub p75: Option<f64>,
    /// The rating of the p75.
    pub rating: Option<Rating>,
    pub good: u64,
    pub needs_improvement: u64,
    pub poor: u64,
    /// p75 per bucket.
    pub series: Vec<SeriesPoint>,
}

/// An API call over the slow threshold.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SlowCall {
    pub at_ms: i64,
    pub method: String,
    pub route: String,
    pub status: Option<u16>,
    pub duration_ms: f64,
    pub page: Option<String>,
    pub restaurant_id: Option<String>,
}

/// A name with a count (browsers, devices, pages).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NamedCount {
    pub name: String,
    pub count: u64,
}

/// The Performance page and `GET /api/v1/performance`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PerformanceView {
    pub range: Range,
    /// Filters applied (`None`: all pages / restaurants).
    pub page: Option<String>,
    pub restaurant: Option<String>,
    pub page_views: u64,
    pub vitals: Vec<VitalSummary>,
    pub endpoints: Vec<EndpointStats>,
    /// Slowest first.
    pub slow_calls: Vec<SlowCall>,
    pub slow_call_ms: f64,
    /// JS heap used, MB: quantiles per bucket.
    pub memory: Vec<SeriesPoint>,
    pub memory_warnings: u64,
    pub memory_warning_mb: f64,
    pub browsers: Vec<NamedCount>,
    pub devices: Vec<NamedCount>,
    /// Pages seen in the range (for the page filter).
    pub pages: Vec<NamedCount>,
    /// Charts drawn by the server (numbers and fixed labels only).
    pub vitals_chart_svg: String,
    pub memory_chart_svg: String,
    /// Custom metrics with points in the range (`POST /api/internal/metrics`).
    pub custom_metrics: Vec<CustomMetricChart>,
}

/// One custom metric on the Performance page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomMetricChart {
    pub name: String,
    pub points: u64,
    /// The largest value of the latest minute with data.
    pub last: Option<f64>,
    /// Median and maximum per bucket; numbers and fixed labels only (the name is
    /// rendered as text beside it, never inside the SVG).
    pub chart_svg: String,
}

/// A custom metric's points over a range (`GET /api/v1/metrics/<name>`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomMetricView {
    pub name: String,
    pub range: Range,
    pub series: Vec<SeriesPoint>,
    pub counts: Vec<CountPoint>,
    /// The largest value of the latest minute with data.
    pub last: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_follow_web_dev_thresholds_inclusively() {
        assert_eq!(Vital::Lcp.rate(2500.0), Rating::Good);
        assert_eq!(Vital::Lcp.rate(2500.1), Rating::NeedsImprovement);
        assert_eq!(Vital::Lcp.rate(4000.0), Rating::NeedsImprovement);
        assert_eq!(Vital::Lcp.rate(4000.1), Rating::Poor);
        assert_eq!(Vital::Inp.rate(200.0), Rating::Good);
        assert_eq!(Vital::Inp.rate(501.0), Rating::Poor);
        assert_eq!(Vital::Cls.rate(0.1), Rating::Good);
        assert_eq!(Vital::Cls.rate(0.26), Rating::Poor);
        assert_eq!(Vital::Fcp.rate(1900.0), Rating::NeedsImprovement);
        assert_eq!(Vital::Ttfb.rate(1801.0), Rating::Poor);
        assert_eq!(Vital::Cls.format(Some(0.123)), "0.12");
        assert_eq!(
            serde_json::to_string(&Rating::NeedsImprovement).unwrap(),
            "\"needs-improvement\""
        );
    }
}
