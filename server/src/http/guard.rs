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
use std::net::IpAddr;
use store::{clock::now_ms, TokenScope, User};

/// How a request proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    Session,
    ApiToken(TokenScope),
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
            .map(|(u, scope)| (u, Credential::ApiToken(scope))));
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

/// The client's address: the peer's, or, when the peer is one of `trusted_proxies`, the
/// nearest address in `X-Forwarded-For` that is not a trusted proxy itself. From anyone
/// else the header is ignored: anyone can send it.
pub fn client_source(trusted_proxies: &[String], peer: IpAddr, headers: &HeaderMap) -> String {
    let trusted = |ip: IpAddr| {
        trusted_proxies
            .iter()
            .any(|t| match t.parse::<ipnet::IpNet>() {
                Ok(net) => net.contains(&ip),
                Err(_) => t.parse::<IpAddr>() == Ok(ip),
            })
    };
    if !trusted(peer) {
        return peer.to_string();
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    forwarded
        .iter()
        .rev()
        .filter_map(|a| a.parse::<IpAddr>().ok())
        .find(|ip| !trusted(*ip))
        .unwrap_or(peer)
        .to_string()
}

/// The client's address of a request (see [`client_source`]).
pub fn client_address(state: &AppState, req: &Request) -> Option<String> {
    req.extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| {
            client_source(
                &state.config.server.trusted_proxies,
                c.0.ip(),
                req.headers(),
            )
        })
}

/// The project a server-side ingest request (business events, logs, custom metrics)
/// sends to. It needs a server credential, an `ingest` (or `admin`) token: the public key
/// is handed to every browser, so it may only send what a browser sends (RUM beacons,
/// Sentry envelopes), never data that could page someone or move the business figures.
pub async fn ingest_project(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<std::sync::Arc<store::Project>, ApiError> {
    const HOW: &str = "server-side ingest needs an ingest token: Authorization: Bearer <token> (Settings → API tokens, scope ingest); the public key only sends browser data";
    match authenticate(state, headers).await? {
        Some((_, Credential::ApiToken(TokenScope::Ingest | TokenScope::Admin))) => {
            Ok(state.projects.default_project()?)
        }
        Some(_) => Err(ApiError::Forbidden(HOW)),
        None => Err(ApiError::Unauthorized(HOW)),
    }
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
            match credential {
                Credential::Session if !safe && !same_origin(req.headers()) => {
                    return ApiError::Forbidden("cross-site request refused").into_response();
                }
                Credential::ApiToken(TokenScope::Read) if !safe => {
                    return ApiError::Forbidden("a read token cannot change anything")
                        .into_response();
                }
                Credential::ApiToken(TokenScope::Ingest) => {
                    return ApiError::Forbidden(
                        "an ingest token only sends data: POST /api/events, /api/logs, /api/internal/metrics",
                    )
                    .into_response();
                }
                Credential::ApiToken(TokenScope::Releases) => {
                    return ApiError::Forbidden(
                        "a releases token only uploads releases and source maps",
                    )
                    .into_response();
                }
                _ => {}
            }
            let source = client_address(state, &req);
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

/// Where to go after sign-in: only a path on this site. `next` is read as a URL relative
/// to the site; anything that could name another one (a scheme, `//`, a backslash, which
/// browsers read as `/`, a control character or space, which they drop) sends to `/`.
pub fn safe_next(next: Option<&str>) -> String {
    let Some(n) = next else {
        return "/".into();
    };
    let plain = n.starts_with('/')
        && !n.starts_with("//")
        && n.len() <= 2_048
        && !n
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\');
    let base = url::Url::parse("http://monitor.invalid/").expect("a valid base");
    match base.join(n) {
        Ok(u) if plain && u.origin() == base.origin() => n.to_string(),
        _ => "/".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn next_never_leaves_the_site() {
        assert_eq!(safe_next(Some("/settings?x=1")), "/settings?x=1");
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil",
            "",
            "/\t/evil.example",
            "/\n/evil.example",
            "/ /evil.example",
            "javascript:alert(1)",
            "\\\\evil.example",
        ] {
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
