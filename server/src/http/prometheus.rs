//! `GET /metrics`: the monitor's own metrics in the Prometheus text format. It needs a
//! session or an API token (`Authorization: Bearer`, which Prometheus' scrape config
//! sends) unless `health.metrics_public` opens it.

use crate::{state::AppState, telemetry::process};
use axum::{extract::State, http::header, response::IntoResponse, routing::get, Router};

pub const PATH: &str = "/metrics";

pub fn router() -> Router<AppState> {
    Router::new().route(PATH, get(metrics))
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let p = &state.telemetry.prom;
    // Gauges sampled at scrape time.
    p.memory.set(process::resident_mb());
    p.cpu.set(state.telemetry.process.cpu_usage());
    p.ingest(&state.telemetry.ingest.figures());
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        p.render(),
    )
}
