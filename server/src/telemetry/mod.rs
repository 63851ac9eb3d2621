//! The monitor watching itself: logs ([`init_tracing`]), request counters and error
//! rate ([`requests`]), process memory / CPU ([`process`]), and what became of accepted
//! rows ([`ingest_stats`]).

pub mod ingest_stats;
pub mod process;
pub mod prom;
pub mod requests;
pub mod sampler;
pub mod self_report;

use axum::{
    extract::{MatchedPath, Request, State},
    middleware::Next,
    response::Response,
};
use std::sync::Arc;

#[derive(Default)]
pub struct Telemetry {
    pub requests: requests::RequestStats,
    pub process: process::ProcessSampler,
    pub prom: prom::Prom,
    pub ingest: Arc<ingest_stats::IngestStats>,
}

/// Logs to stderr; `RUST_LOG` filters (default `info`, quiet dependencies).
pub fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    use tracing_subscriber::prelude::*;
    let _ = tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_target(false))
        .with(filter)
        .with(self_report::breadcrumbs())
        .try_init();
}

/// Counts requests in flight and finished requests by outcome.
pub async fn track_requests(State(t): State<Arc<Telemetry>>, req: Request, next: Next) -> Response {
    let _guard = t.requests.start();
    // The route's template (`/api/{project_id}/envelope/`), not the path: one series
    // per route the router knows, whatever URLs are scanned; an Arc clone, no allocation.
    let matched = req.extensions().get::<MatchedPath>().cloned();
    let route = matched
        .as_ref()
        .map_or("unmatched", |m| prom::route_label(m.as_str()));
    let started = std::time::Instant::now();
    let resp = next.run(req).await;
    t.requests.finish(resp.status().is_server_error());
    t.prom.request(
        route,
        resp.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    resp
}
