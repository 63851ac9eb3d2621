//! `GET /health` (full report, `200` only when healthy), `/health/live` (the process
//! answers) and `/health/ready` (the database answers: send traffic here).

use crate::{health_checks, state::AppState};
use axum::{extract::State, http::StatusCode, response::IntoResponse, routing::get, Json, Router};
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(full))
        .route(
            "/health/live",
            get(|| async { Json(json!({ "status": "ok" })) }),
        )
        .route("/health/ready", get(ready))
}

async fn full(State(state): State<AppState>) -> impl IntoResponse {
    let report = health_checks::report(&state).await;
    let code = if report.status == health_checks::Status::Healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, Json(report))
}

async fn ready(State(state): State<AppState>) -> impl IntoResponse {
    match tokio::time::timeout(health_checks::CHECK_TIMEOUT, state.storage.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, Json(json!({ "status": "ready" }))),
        Ok(Err(e)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "not_ready", "error": e.to_string() })),
        ),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "not_ready", "error": "database timeout" })),
        ),
    }
}
