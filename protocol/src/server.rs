//! The Server view (`/server`, `GET /api/v1/server`): requests the platform's servers
//! answered (Sentry `http.server` transactions) per service and route, and their
//! database queries.

use crate::{
    range::Range,
    stats::{Quantiles, SeriesPoint},
};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServerView {
    pub range: Range,
    /// Filters applied (`None`: all).
    pub service: Option<String>,
    pub environment: Option<String>,
    pub restaurant: Option<String>,
    /// What the filters can choose from (seen in the range).
    pub services: Vec<String>,
    pub environments: Vec<String>,
    /// Requests in the range (weighted by the SDKs' sample rates).
    pub requests: u64,
    pub failed: u64,
    /// `failed / requests`; `None` without requests.
    pub error_rate: Option<f64>,
    pub latency: Quantiles,
    pub series: Vec<SeriesPoint>,
    /// Requests and p95 per bucket, drawn by the server (numbers and fixed labels only).
    pub chart_svg: String,
    /// Busiest first.
    pub routes: Vec<RouteStats>,
    /// Slowest p95 first.
    pub queries: Vec<QueryStats>,
    pub slow_query_ms: f64,
}

/// One route of one service.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RouteStats {
    pub service: String,
    pub environment: String,
    /// `GET /api/orders/:id`.
    pub endpoint: String,
    pub requests: u64,
    pub failed: u64,
    pub error_rate: f64,
    pub duration: Quantiles,
}

/// One normalized statement of one service.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QueryStats {
    pub service: String,
    pub statement: String,
    pub calls: u64,
    /// At least the slow-query threshold.
    pub slow: u64,
    pub p95: Option<f64>,
    pub max: Option<f64>,
    /// The slowest runs in the range, slowest first.
    pub slowest: Vec<QuerySample>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuerySample {
    pub at_ms: i64,
    pub duration_ms: f64,
    /// The request it ran in (`GET /api/orders/:id`).
    pub transaction: Option<String>,
    pub restaurant_id: Option<String>,
}
