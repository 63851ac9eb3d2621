//! `POST /api/internal/metrics`: custom metrics (bundle size, inventory levels, ...) from
//! the platform's own jobs. Authenticated by the project's public key (`X-Monitor-Key` or
//! `?key=`) or an API token (`Authorization: Bearer`), so a CI job can use either.

use crate::{
    auth::guard,
    error::ApiError,
    http::rum::{public_key, read_limited},
    ingest::{metrics, queue::EnqueueError},
    state::AppState,
    storage::IngestBatch,
};
use axum::{
    extract::{Request, State},
    http::StatusCode,
    response::IntoResponse,
    routing::post,
    Json, Router,
};
use serde_json::json;

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
    let project = match public_key(&parts.headers, parts.uri.query()) {
        Some(key) => state
            .projects
            .by_key(key)
            .ok_or(ApiError::Unauthorized("unknown public key"))?,
        None => {
            guard::authenticate(&state, &parts.headers)
                .await?
                .ok_or(ApiError::Unauthorized(
                    "send the public key (X-Monitor-Key or ?key=) or Authorization: Bearer <token>",
                ))?;
            let default = crate::dashboard::default_project(&state).await?;
            state
                .projects
                .by_key(&default.public_key)
                .ok_or(ApiError::Unauthorized("unknown project"))?
        }
    };
    let bytes = read_limited(body, &parts.headers, state.config.ingest.max_body_bytes).await?;
    let custom = metrics::parse(&bytes, project.id, crate::clock::now_ms(), MAX_POINTS)
        .map_err(ApiError::BadRequest)?;
    let n = custom.len();
    let batch = IngestBatch {
        custom,
        ..IngestBatch::default()
    };
    match state.queue.try_enqueue(batch) {
        Ok(()) => Ok((StatusCode::ACCEPTED, Json(json!({ "accepted": n })))),
        Err(EnqueueError::Full) => Err(ApiError::Overloaded {
            retry_after_secs: 1,
        }),
        Err(EnqueueError::Closed) => Err(ApiError::Unavailable("shutting down")),
    }
}
