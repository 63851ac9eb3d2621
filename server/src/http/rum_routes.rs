//! `POST /api/rum`: RUM beacons from the SDK. Cheap checks first (content type, key,
//! size), then parse and validate, then hand off to the queue and answer `202`.
//! The public key comes from `?key=` (what `sendBeacon` can send) or `X-Monitor-Key`.

use crate::{http::accept::enqueue, http::error::ApiError, ingest::rum, state::AppState};

use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, HeaderMap, StatusCode},
    response::IntoResponse,
    routing::post,
    Router,
};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use store::IngestBatch;
use tower_http::cors::CorsLayer;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/rum", post(ingest).layer(CorsLayer::permissive()))
}

/// `application/json` or `text/plain` (what `navigator.sendBeacon` sends for a string).
fn check_content_type(headers: &HeaderMap) -> Result<(), ApiError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "application/json" | "text/plain" => Ok(()),
        _ => Err(ApiError::UnsupportedMediaType(ct.to_string())),
    }
}

pub fn public_key<'a>(headers: &'a HeaderMap, query: Option<&'a str>) -> Option<&'a str> {
    query
        .into_iter()
        .flat_map(|q| q.split('&'))
        .find_map(|kv| kv.strip_prefix("key="))
        .or_else(|| headers.get("x-monitor-key").and_then(|v| v.to_str().ok()))
        .filter(|k| !k.is_empty())
}

/// Reads the body, refusing it as soon as it passes `limit` bytes.
pub async fn read_limited(
    body: Body,
    headers: &HeaderMap,
    limit: usize,
) -> Result<bytes::Bytes, ApiError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    match Limited::new(body, limit).collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
            Err(ApiError::PayloadTooLarge { limit })
        }
        Err(e) => Err(ApiError::BadRequest(format!(
            "could not read the body: {e}"
        ))),
    }
}

async fn ingest(
    State(state): State<AppState>,
    req: Request,
) -> Result<impl IntoResponse, ApiError> {
    let (parts, body) = req.into_parts();
    check_content_type(&parts.headers)?;
    let key = public_key(&parts.headers, parts.uri.query()).ok_or(ApiError::Unauthorized(
        "missing public key: send ?key=<public key>",
    ))?;
    let project = state
        .projects
        .by_key(key)
        .ok_or(ApiError::Unauthorized("unknown public key"))?;
    let cfg = &state.config.ingest;
    let bytes = read_limited(body, &parts.headers, cfg.max_body_bytes).await?;
    let parsed =
        rum::parse(&bytes, cfg.max_beacons_per_request).map_err(|e| ApiError::BadRequest(e.0))?;
    let src = rum::convert::Source {
        project,
        received_at_ms: store::clock::now_ms(),
        user_agent: parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
    };
    let n = parsed.beacons.len();
    let mut batch = IngestBatch::default();
    rum::convert::into_batch(parsed, &src, &mut batch);
    enqueue(&state, batch)?;
    Ok((
        StatusCode::ACCEPTED,
        [(header::CONTENT_TYPE, "application/json")],
        format!("{{\"accepted\":{n}}}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn accepts_json_and_what_send_beacon_sends() {
        let mut h = HeaderMap::new();
        for ct in [
            "application/json",
            "text/plain;charset=UTF-8",
            "Application/JSON; charset=utf-8",
        ] {
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
            assert!(check_content_type(&h).is_ok(), "{ct}");
        }
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        assert!(matches!(
            check_content_type(&h),
            Err(ApiError::UnsupportedMediaType(_))
        ));
        assert!(check_content_type(&HeaderMap::new()).is_err());
    }

    #[test]
    fn the_key_comes_from_the_query_or_a_header() {
        let mut h = HeaderMap::new();
        assert_eq!(public_key(&h, Some("a=1&key=abc")), Some("abc"));
        assert_eq!(public_key(&h, Some("key=")), None);
        h.insert("x-monitor-key", HeaderValue::from_static("hdr"));
        assert_eq!(public_key(&h, None), Some("hdr"));
    }
}
