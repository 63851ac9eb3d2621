//! The monitor reporting its own failures to a Sentry-compatible DSN (`SENTRY_DSN`,
//! which may be its own project's): panics, `5xx` answers with their request and cause,
//! and `tracing` events as breadcrumbs leading up to them. Without `SENTRY_DSN` nothing
//! here does anything.

use axum::{extract::Request, middleware::Next, response::Response};
use sentry::protocol::{Event, Exception, Level, Map};

/// What caused a `500`, attached to the response by [`crate::http::error::ApiError`] so the
/// report can say more than the client is told.
#[derive(Clone, Debug)]
pub struct ErrorCause(pub String);

/// Starts the client when `SENTRY_DSN` is set; keep the guard alive until exit (it
/// flushes what is queued when dropped).
pub fn init() -> Option<sentry::ClientInitGuard> {
    let dsn = std::env::var("SENTRY_DSN")
        .ok()
        .filter(|d| !d.trim().is_empty())?;
    let environment = std::env::var("SENTRY_ENVIRONMENT").unwrap_or_else(|_| "production".into());
    let mut options = sentry::ClientOptions::default();
    options.release = Some(format!("monitor@{}", env!("CARGO_PKG_VERSION")).into());
    options.environment = Some(environment.into());
    options.attach_stacktrace = true;
    let guard = sentry::init((dsn, options));
    if guard.is_enabled() {
        sentry::configure_scope(|s| s.set_tag("service", "monitor"));
    } else {
        eprintln!("SENTRY_DSN is set but is not a valid DSN; self-reporting is off");
    }
    Some(guard)
}

/// `tracing` events at info and above become breadcrumbs, never events of their own:
/// an error log line is context for the `5xx` or panic it led to.
pub fn breadcrumbs<S>() -> impl tracing_subscriber::Layer<S>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    use tracing_subscriber::{filter::LevelFilter, Layer};
    sentry::integrations::tracing::BreadcrumbLayer::new().with_filter(LevelFilter::INFO)
}

/// Headers that identify someone and must not leave the process.
const SECRET_HEADERS: [&str; 4] = ["cookie", "authorization", "x-sentry-auth", "x-monitor-key"];

/// Reports every `5xx` answer with its request (minus credentials) and cause.
pub async fn report_server_errors(req: Request, next: Next) -> Response {
    if sentry::Hub::current().client().is_none() {
        return next.run(req).await;
    }
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let host = req
        .headers()
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("monitor");
    let url = format!("http://{host}{}", req.uri());
    let headers: Map<String, String> = req
        .headers()
        .iter()
        .filter(|(name, _)| !SECRET_HEADERS.contains(&name.as_str()))
        .filter_map(|(name, v)| Some((name.to_string(), v.to_str().ok()?.to_string())))
        .collect();
    let resp = next.run(req).await;
    let status = resp.status();
    if status.is_server_error() {
        let cause = resp.extensions().get::<ErrorCause>().map(|c| c.0.clone());
        let mut event = Event {
            level: Level::Error,
            message: Some(format!("HTTP {} on {method} {path}", status.as_u16())),
            request: Some(sentry::protocol::Request {
                url: url.parse().ok(),
                method: Some(method),
                headers,
                ..Default::default()
            }),
            ..Default::default()
        };
        event
            .tags
            .insert("http.status_code".into(), status.as_u16().to_string());
        if let Some(cause) = cause {
            event.exception = vec![Exception {
                ty: "ServerError".into(),
                value: Some(cause),
                ..Default::default()
            }]
            .into();
        }
        sentry::capture_event(event);
    }
    resp
}
