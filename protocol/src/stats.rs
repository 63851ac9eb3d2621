//! Measures over a range: quantiles, chart buckets, endpoint and page figures.

use serde::{Deserialize, Serialize};

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
