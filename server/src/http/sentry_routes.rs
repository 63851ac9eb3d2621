//! Sentry ingest: `POST /api/<project_id>/envelope/` and `POST /api/<project_id>/store/`,
//! what the official SDKs send. The key comes from `X-Sentry-Auth`, `?sentry_key=`, or
//! the envelope header's DSN. Bodies may be gzip, deflate or br (capped when decoded).
//! `event` items are normalized, grouped and stored; other item types (transactions,
//! sessions, client reports, attachments) are accepted and skipped for now (issue 3).

use store::{clock::now_ms, IngestBatch, Outcome, Project};

use crate::{
    http::{accept::enqueue, error::ApiError, rum_routes::read_limited},
    ingest::{
        decompress::{self, DecodeError},
        sentry::{
            dsn_key, envelope,
            items::{self, Handled, Source},
        },
    },
    state::AppState,
};
use axum::{
    body::Body,
    extract::{Path, Request, State},
    http::{header, request::Parts},
    routing::post,
    Json, Router,
};
use serde_json::{json, Value};
use std::sync::Arc;
use tower_http::cors::CorsLayer;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/{project_id}/envelope/", post(envelope_endpoint))
        .route("/api/{project_id}/store/", post(store_endpoint))
        .layer(CorsLayer::permissive())
}

/// Whether a path is a Sentry ingest route (public: authenticated by the project key).
pub fn is_ingest_path(path: &str) -> bool {
    let Some(rest) = path.strip_prefix("/api/") else {
        return false;
    };
    let Some((id, tail)) = rest.split_once('/') else {
        return false;
    };
    !id.is_empty()
        && id.bytes().all(|b| b.is_ascii_digit())
        && matches!(tail, "envelope/" | "store/")
}

impl From<DecodeError> for ApiError {
    fn from(e: DecodeError) -> Self {
        match e {
            DecodeError::TooLarge(limit) => ApiError::PayloadTooLarge { limit },
            DecodeError::Unsupported(enc) => {
                ApiError::UnsupportedMediaType(format!("Content-Encoding: {enc}"))
            }
            DecodeError::Corrupt(what) => ApiError::BadRequest(format!("body is not valid {what}")),
        }
    }
}

impl From<envelope::EnvelopeError> for ApiError {
    fn from(e: envelope::EnvelopeError) -> Self {
        match e {
            envelope::EnvelopeError::Malformed(m) => {
                ApiError::BadRequest(format!("envelope is malformed: {m}"))
            }
            envelope::EnvelopeError::ItemTooLarge { limit, .. } => {
                ApiError::PayloadTooLarge { limit }
            }
            envelope::EnvelopeError::TooManyItems(_) => ApiError::PayloadTooLarge { limit: 0 },
        }
    }
}

fn header_key(parts: &Parts) -> Option<String> {
    [
        header::HeaderName::from_static("x-sentry-auth"),
        header::AUTHORIZATION,
    ]
    .iter()
    .filter_map(|h| parts.headers.get(h)?.to_str().ok())
    .find_map(dsn_key::key_from_auth_header)
    .or_else(|| parts.uri.query().and_then(dsn_key::key_from_query))
    .map(str::to_string)
}

/// Reads and decodes the body within the configured limits.
async fn body_of(state: &AppState, parts: &Parts, body: Body) -> Result<Vec<u8>, ApiError> {
    let cfg = &state.config.ingest;
    let raw = read_limited(body, &parts.headers, cfg.max_envelope_bytes).await?;
    let encoding = parts
        .headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok());
    Ok(decompress::decode(
        encoding,
        &raw,
        cfg.max_decompressed_bytes,
    )?)
}

/// The project the key names, which must be the one in the URL and within its rate limit.
fn project_for(
    state: &AppState,
    key: Option<&str>,
    project_id: i64,
) -> Result<Arc<Project>, ApiError> {
    let key = key.ok_or(ApiError::Unauthorized(
        "missing sentry_key (X-Sentry-Auth, ?sentry_key= or DSN)",
    ))?;
    let project = state
        .projects
        .by_key(key)
        .ok_or(ApiError::Unauthorized("unknown sentry_key"))?;
    if project.id != project_id {
        return Err(ApiError::Forbidden("the key belongs to another project"));
    }
    let now = now_ms();
    if let Err(retry_after_secs) = state.sentry_limits.check(project.id, now) {
        // Counted, so the dashboard shows what the limit held back. Best effort: a full
        // queue already answers 429 on its own.
        let _ = state.queue.try_enqueue(IngestBatch {
            outcomes: vec![Outcome {
                project_id: project.id,
                at_ms: now,
                source: "rate_limited",
                reason: "key_quota".into(),
                category: "envelope".into(),
                quantity: 1,
            }],
            ..IngestBatch::default()
        });
        return Err(ApiError::SentryRateLimited { retry_after_secs });
    }
    Ok(project)
}

fn user_agent(parts: &Parts) -> Option<&str> {
    parts.headers.get(header::USER_AGENT)?.to_str().ok()
}

async fn envelope_endpoint(
    State(state): State<AppState>,
    Path(project_id): Path<i64>,
    req: Request,
) -> Result<Json<Value>, ApiError> {
    let (parts, body) = req.into_parts();
    // With the key in a header, refuse a wrong key (or a limited project) before reading
    // the body; otherwise the key is the envelope header's DSN.
    let early = header_key(&parts)
        .map(|key| project_for(&state, Some(&key), project_id))
        .transpose()?;
    let bytes = body_of(&state, &parts, body).await?;
    let limits = envelope::Limits {
        max_items: 100,
        max_item_bytes: state.config.ingest.max_event_bytes,
    };
    let env = envelope::parse(&bytes, limits)?;
    let project = match early {
        Some(project) => project,
        None => {
            let key = env
                .header
                .dsn
                .as_deref()
                .and_then(dsn_key::parse_dsn)
                .map(|(k, _)| k);
            project_for(&state, key, project_id)?
        }
    };
    let src = Source {
        project: &project,
        received_at_ms: now_ms(),
        user_agent: user_agent(&parts),
        sample_rate: env.sample_rate(),
    };
    let mut batch = IngestBatch::default();
    let mut id = env.header.event_id.clone();
    for (index, item) in env.items.iter().enumerate() {
        let kind = item.header.kind.as_str();
        match items::add(&mut batch, &src, kind, item.payload) {
            Ok(Handled::Kept(event_id)) => id = id.or(event_id),
            Ok(Handled::Filtered(reason)) => tracing::debug!(index, reason, "event filtered"),
            Ok(Handled::Ignored) => tracing::debug!(index, kind, "envelope item type not stored"),
            // One bad item does not cost the others: count it, say why in the log.
            Err(reason) => {
                tracing::info!(index, kind, %reason, "envelope item skipped");
                items::invalid(&mut batch, &src, kind);
            }
        }
    }
    enqueue(&state, batch)?;
    Ok(Json(json!({ "id": id })))
}

async fn store_endpoint(
    State(state): State<AppState>,
    Path(project_id): Path<i64>,
    req: Request,
) -> Result<Json<Value>, ApiError> {
    let (parts, body) = req.into_parts();
    let project = project_for(&state, header_key(&parts).as_deref(), project_id)?;
    let bytes = body_of(&state, &parts, body).await?;
    if bytes.len() > state.config.ingest.max_event_bytes {
        return Err(ApiError::PayloadTooLarge {
            limit: state.config.ingest.max_event_bytes,
        });
    }
    let src = Source {
        project: &project,
        received_at_ms: now_ms(),
        user_agent: user_agent(&parts),
        sample_rate: None,
    };
    let mut batch = IngestBatch::default();
    let id = match items::add(&mut batch, &src, "event", &bytes).map_err(ApiError::BadRequest)? {
        Handled::Kept(id) => id,
        Handled::Filtered(_) | Handled::Ignored => None,
    };
    enqueue(&state, batch)?;
    Ok(Json(json!({ "id": id })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_only_sentry_ingest_paths() {
        assert!(is_ingest_path("/api/1/envelope/"));
        assert!(is_ingest_path("/api/42/store/"));
        for p in [
            "/api/v1/issues",
            "/api/x/envelope/",
            "/api//store/",
            "/api/1/envelope",
            "/api/rum",
        ] {
            assert!(!is_ingest_path(p), "{p}");
        }
    }
}
