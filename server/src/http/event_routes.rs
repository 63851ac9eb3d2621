//! `POST /api/events`: business events in batches (up to 1,000), authenticated by an
//! ingest token (never the public key: see [`guard::ingest_project`]). A bad event is a
//! `400` naming it and its field, and nothing of that request is stored (send it again
//! fixed); a full queue is `429`.

use crate::{
    http::{accept::enqueue, error::ApiError, guard, rum_routes::read_limited},
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

async fn ingest(
    State(state): State<AppState>,
    req: Request,
) -> Result<impl IntoResponse, ApiError> {
    let (parts, body) = req.into_parts();
    let project = guard::ingest_project(&state, &parts.headers).await?;
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
