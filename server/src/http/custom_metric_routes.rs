//! `POST /api/internal/metrics`: custom metrics (bundle size, inventory levels, ...) from
//! the platform's own jobs. Authenticated by an ingest token (`Authorization: Bearer`):
//! a forged point could page on-call, so the public key is not enough.

use crate::{
    http::{accept::enqueue, error::ApiError, guard, rum_routes::read_limited},
    ingest::custom_metrics,
    state::AppState,
};

use axum::{
    extract::{Request, State},
    http::StatusCode,
    response::IntoResponse,
    routing::post,
    Json, Router,
};
use serde_json::json;
use store::IngestBatch;

pub const PATH: &str = "/api/internal/metrics";
const MAX_POINTS: usize = 1000;

pub fn router() -> Router<AppState> {
    Router::new().route(PATH, post(ingest))
}

async fn ingest(
    State(state): State<AppState>,
    req: Request,
) -> Result<impl IntoResponse, ApiError> {
    let (parts, body) = req.into_parts();
    let project = guard::ingest_project(&state, &parts.headers).await?;
    let bytes = read_limited(body, &parts.headers, state.config.ingest.max_body_bytes).await?;
    let custom = custom_metrics::parse(&bytes, project.id, store::clock::now_ms(), MAX_POINTS)
        .map_err(ApiError::BadRequest)?;
    let n = custom.len();
    enqueue(
        &state,
        IngestBatch {
            custom,
            ..IngestBatch::default()
        },
    )?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "accepted": n }))))
}
