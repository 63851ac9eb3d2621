//! The HTTP boundary's one error type. Every handler returns [`ApiError`]; this file is
//! the only place that decides status codes and the JSON error shape
//! `{"error": "<code>", "message": "<what was wrong>"}`.

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the body or a parameter is malformed; the message names the field.
    #[error("{0}")]
    BadRequest(String),
    /// 401: no credentials, or credentials that match nothing.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// 403: authenticated, but the request is refused (cross-site form, ...).
    #[error("{0}")]
    Forbidden(&'static str),
    /// 404
    #[error("{0}")]
    NotFound(&'static str),
    /// 413: the body is larger than the configured limit.
    #[error("request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// 415: a content type this endpoint does not read.
    #[error("unsupported content type {0:?}; send application/json or text/plain")]
    UnsupportedMediaType(String),
    /// 429 with `Retry-After`: the ingest queue is full.
    #[error("ingest queue is full; retry after {retry_after_secs} s")]
    Overloaded { retry_after_secs: u64 },
    /// 429 with `Retry-After` and `X-Sentry-Rate-Limits`: a project's Sentry rate limit.
    #[error("rate limit reached for this project; retry after {retry_after_secs} s")]
    SentryRateLimited { retry_after_secs: u64 },
    /// 503 with `Retry-After`: shutting down or a dependency is unavailable.
    #[error("{0}")]
    Unavailable(&'static str),
    /// 500: logged with its cause; the client only sees a generic message.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Overloaded { .. } | ApiError::SentryRateLimited { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::PayloadTooLarge { .. } => "payload_too_large",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::Overloaded { .. } | ApiError::SentryRateLimited { .. } => "rate_limited",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Internal(_) => "internal",
        }
    }
}

impl From<crate::alerts::actions::ActionError> for ApiError {
    fn from(e: crate::alerts::actions::ActionError) -> Self {
        use crate::alerts::actions::ActionError as A;
        match e {
            A::Invalid(m) => ApiError::BadRequest(m),
            A::NotFound(m) => ApiError::NotFound(m),
            A::Internal(e) => ApiError::Internal(e),
        }
    }
}

impl From<store::StorageError> for ApiError {
    fn from(e: store::StorageError) -> Self {
        ApiError::Internal(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match &self {
            ApiError::Internal(cause) => {
                tracing::error!(error = %format!("{cause:#}"), "internal error");
                "internal error; see the server log".to_string()
            }
            other => {
                tracing::debug!(status = status.as_u16(), error = %other, "request refused");
                other.to_string()
            }
        };
        let mut resp = (
            status,
            Json(json!({ "error": self.code(), "message": message })),
        )
            .into_response();
        if let ApiError::Internal(cause) = &self {
            resp.extensions_mut()
                .insert(crate::telemetry::self_report::ErrorCause(format!(
                    "{cause:#}"
                )));
        }
        let retry_after = match self {
            ApiError::Overloaded { retry_after_secs } => Some(retry_after_secs),
            ApiError::SentryRateLimited { retry_after_secs } => {
                // `<seconds>::key`: every category, for this key (the SDKs' own format).
                if let Ok(v) = HeaderValue::from_str(&format!("{retry_after_secs}::key")) {
                    resp.headers_mut().insert("x-sentry-rate-limits", v);
                }
                Some(retry_after_secs)
            }
            ApiError::Unavailable(_) => Some(5),
            _ => None,
        };
        if let Some(secs) = retry_after {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}
