//! The authentication layer: private routes accept a session cookie or an
//! `Authorization: Bearer` API token; without one, pages redirect to `/login`
//! ([`require_page_user`]) and machine routes answer `401` ([`require_api_user`]).
//! Cookie-authenticated writes must come from our own origin. Which routes are private is
//! declared with the routes (`http::router`); this layer names none of them.

use crate::auth::{cookie, token};
use crate::{http::error::ApiError, state::AppState};
use app::api::CurrentUser;
use axum::{
    extract::{Request, State},
    http::{header, HeaderMap, Method},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use store::{clock::now_ms, User};

/// How a request proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    Session,
    ApiToken,
}

/// The user behind a request's bearer token or session cookie, if any.
pub async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<(User, Credential)>, ApiError> {
    let now = now_ms();
    if let Some(auth) = headers.get(header::AUTHORIZATION) {
        let bearer = auth
            .to_str()
            .ok()
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .ok_or(ApiError::Unauthorized(
                "Authorization must be `Bearer <token>`",
            ))?;
        return Ok(state
            .storage
            .api_token_user(&token::hash(bearer), now)
            .await?
            .map(|u| (u, Credential::ApiToken)));
    }
    match cookie::session_token(headers) {
        Some(t) => Ok(state
            .storage
            .session_user(&token::hash(&t), now)
            .await?
            .map(|u| (u, Credential::Session))),
        None => Ok(None),
    }
}

/// A state-changing request carried by a cookie must not come from another site.
pub fn same_origin(headers: &HeaderMap) -> bool {
    if headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site")
    {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    origin.split_once("://").map(|(_, h)| h) == host
}

/// The peer's address (the monitor does not trust `X-Forwarded-For`: anyone can send it).
pub fn client_address(req: &Request) -> Option<String> {
    req.extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
}

/// What a private route answers a request without credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unauthenticated {
    /// A page: go to the sign-in page, and come back after.
    SignIn,
    /// A machine route: `401`.
    Status,
}

/// The layer of private pages and forms.
pub async fn require_page_user(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    require(&state, Unauthenticated::SignIn, req, next).await
}

/// The layer of private machine routes (read API, `/ws`, `/metrics`).
pub async fn require_api_user(State(state): State<AppState>, req: Request, next: Next) -> Response {
    require(&state, Unauthenticated::Status, req, next).await
}

/// Lets the request through with its [`CurrentUser`], or answers as `missing` says.
pub async fn require(
    state: &AppState,
    missing: Unauthenticated,
    mut req: Request,
    next: Next,
) -> Response {
    match authenticate(state, req.headers()).await {
        Ok(Some((user, credential))) => {
            let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
            if credential == Credential::Session && !safe && !same_origin(req.headers()) {
                return ApiError::Forbidden("cross-site request refused").into_response();
            }
            let source = client_address(&req);
            req.extensions_mut().insert(CurrentUser {
                source,
                username: user.username,
            });
            next.run(req).await
        }
        Ok(None) if missing == Unauthenticated::Status => {
            ApiError::Unauthorized("sign in or send `Authorization: Bearer <token>`")
                .into_response()
        }
        Ok(None) => {
            let next_path = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            Redirect::to(&format!("/login?next={}", encode_component(next_path))).into_response()
        }
        Err(e) => e.into_response(),
    }
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Where to go after sign-in: only a local path, never another site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn next_never_leaves_the_site() {
        assert_eq!(safe_next(Some("/settings?x=1")), "/settings?x=1");
        for bad in ["//evil.example", "https://evil.example", "/\\evil", ""] {
            assert_eq!(safe_next(Some(bad)), "/");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn cross_site_writes_are_recognised() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:3000"));
        assert!(same_origin(&h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:3000"),
        );
        assert!(same_origin(&h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(!same_origin(&h));
        let mut h2 = HeaderMap::new();
        h2.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(!same_origin(&h2));
    }

    #[test]
    fn encodes_a_path_for_a_query_parameter() {
        assert_eq!(
            encode_component("/settings?a=b&c"),
            "%2Fsettings%3Fa%3Db%26c"
        );
    }
}
