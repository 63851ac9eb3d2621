//! `POST /api/events`: business events in batches (up to 1,000), authenticated by the
//! project's public key (`X-Monitor-Key` or `?key=`) or an API token. A bad event is a
//! `400` naming it and its field, and nothing of that request is stored (send it again
//! fixed); a full queue is `429`.

use crate::{
    http::{
        accept::enqueue,
        error::ApiError,
        guard,
        rum_routes::{public_key, read_limited},
    },
    ingest::business_events,
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

pub const PATH: &str = "/api/events";
const MAX_EVENTS: usize = 1000;

pub fn router() -> Router<AppState> {
    Router::new().route(PATH, post(ingest))
}

/// The project a machine request is for: its public key, or a token (the default project).
pub async fn project_of(
    state: &AppState,
    parts: &axum::http::request::Parts,
) -> Result<std::sync::Arc<store::Project>, ApiError> {
    match public_key(&parts.headers, parts.uri.query()) {
        Some(key) => state
            .projects
            .by_key(key)
            .ok_or(ApiError::Unauthorized("unknown public key")),
        None => {
            guard::authenticate(state, &parts.headers)
                .await?
                .ok_or(ApiError::Unauthorized(
                    "send the public key (X-Monitor-Key or ?key=) or Authorization: Bearer <token>",
                ))?;
            let default = state.projects.default_project()?;
            state
                .projects
                .by_key(&default.public_key)
                .ok_or(ApiError::Unauthorized("unknown project"))
        }
    }
}

async fn ingest(
    State(state): State<AppState>,
    req: Request,
) -> Result<impl IntoResponse, ApiError> {
    let (parts, body) = req.into_parts();
    let project = project_of(&state, &parts).await?;
    let bytes = read_limited(body, &parts.headers, state.config.ingest.max_body_bytes).await?;
    let events = business_events::parse(&bytes, project.id, store::clock::now_ms(), MAX_EVENTS)
        .map_err(ApiError::BadRequest)?;
    let n = events.len();
    enqueue(
        &state,
        IngestBatch {
            business: events,
            ..IngestBatch::default()
        },
    )?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "accepted": n }))))
}
