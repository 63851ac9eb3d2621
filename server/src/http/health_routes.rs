//! `GET /health` (`200` only when healthy), `/health/live` (the process answers) and
//! `/health/ready` (the database answers: send traffic here). Anonymous callers (load
//! balancers) get the status and each check's name and result; the figures, error texts
//! and addresses need a session or a token.

use crate::{health_checks, http::guard, state::AppState};
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::IntoResponse,
    routing::get,
    Json, Router,
};
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

async fn full(State(state): State<AppState>, headers: HeaderMap) -> impl IntoResponse {
    let report = health_checks::report(&state).await;
    let code = if report.status == health_checks::Status::Healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let known = matches!(guard::authenticate(&state, &headers).await, Ok(Some(_)));
    let body = if known {
        serde_json::to_value(&report).unwrap_or_default()
    } else {
        json!({
            "status": report.status,
            "timestamp": report.timestamp,
            "checks": report.checks,
            "not_configured": report.not_configured,
        })
    };
    (code, Json(body))
}

async fn ready(State(state): State<AppState>) -> impl IntoResponse {
    match tokio::time::timeout(health_checks::CHECK_TIMEOUT, state.storage.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, Json(json!({ "status": "ready" }))),
        Ok(Err(e)) => {
            // The cause goes to the log: it may name hosts and addresses.
            tracing::warn!(error = %e, "not ready: the database does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "not_ready", "error": "database unavailable" })),
            )
        }
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "not_ready", "error": "database timeout" })),
        ),
    }
}
