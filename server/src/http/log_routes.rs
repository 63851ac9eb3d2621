//! `POST /api/logs` (winston JSON lines: NDJSON or an array; an ingest token) and
//! `GET /api/v1/logs` (search). A line that cannot be read is reported by its number and
//! the rest are kept; accepted lines also go to the live channel (`log` events) for a tail.

use crate::{
    http::{accept::enqueue, error::ApiError, guard, rum_routes::read_limited},
    ingest::logs,
    state::AppState,
};

use axum::{
    extract::{RawQuery, Request, State},
    http::StatusCode,
    response::IntoResponse,
    routing::{get, post},
    Json, Router,
};
use protocol::LogQuery;
use serde_json::json;
use store::IngestBatch;

pub const PATH: &str = "/api/logs";
const MAX_LINES: usize = 5000;
/// Lines per request pushed to the live tail (a flood is summarized, not relayed).
const TAIL_PER_REQUEST: usize = 50;

pub fn router() -> Router<AppState> {
    Router::new().route(PATH, post(ingest))
}

pub fn api_router() -> Router<AppState> {
    Router::new().route("/logs", get(search))
}

async fn ingest(
    State(state): State<AppState>,
    req: Request,
) -> Result<impl IntoResponse, ApiError> {
    let (parts, body) = req.into_parts();
    let project = guard::ingest_project(&state, &parts.headers).await?;
    let bytes = read_limited(body, &parts.headers, state.config.ingest.max_body_bytes).await?;
    let p = logs::parse(
        &bytes,
        project.id,
        store::clock::now_ms(),
        MAX_LINES,
        state.config.logs.errors_to_issues,
    )
    .map_err(ApiError::BadRequest)?;
    let problems: Vec<_> = p
        .rejected
        .iter()
        .map(|(line, error)| json!({"line": line, "error": error}))
        .collect();
    if p.lines.is_empty() {
        return Ok((
            StatusCode::BAD_REQUEST,
            Json(
                json!({"error": "bad_request", "message": "no readable line", "problems": problems}),
            ),
        ));
    }
    let n = p.lines.len();
    for l in p.lines.iter().take(TAIL_PER_REQUEST) {
        state.live.publish(json!({
            "type": "log", "at_ms": l.at_ms, "level": l.level, "service": l.service,
            "restaurant_id": l.restaurant_id, "message": l.message,
        }));
    }
    enqueue(
        &state,
        IngestBatch {
            logs: p.lines,
            business: p.business,
            errors: p.errors,
            ..IngestBatch::default()
        },
    )?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "accepted": n, "problems": problems })),
    ))
}

/// `GET /api/v1/logs?q=&level=&service=&restaurant=&field=key:value&range=&before=&limit=`:
/// `{lines, next}`, newest first; `next` is the `before` of the following page.
async fn search(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(q.unwrap_or_default().as_bytes())
        .into_owned()
        .collect();
    let q = LogQuery::from_pairs(
        pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        store::clock::now_ms(),
    )
    .map_err(ApiError::BadRequest)?;
    let project = state.projects.default_project()?;
    let lines = state.storage.search_logs(project.id, &q).await?;
    let limit = q.limit.unwrap_or(100).clamp(1, 500) as usize;
    let next = (lines.len() == limit)
        .then(|| lines.last().map(|l| format!("{}:{}", l.at_ms, l.id)))
        .flatten();
    Ok(Json(json!({ "lines": lines, "next": next })))
}
