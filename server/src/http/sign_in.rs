//! Sign-in and sign-out. Plain HTML form posts: they work before any wasm loads.

use crate::{
    audit,
    auth::{cookie, password, throttle, token},
    http::{error::ApiError, guard},
    state::AppState,
};

use axum::{
    extract::{ConnectInfo, State},
    http::{header, HeaderMap, StatusCode},
    response::{Html, IntoResponse, Redirect, Response},
    routing::post,
    Form, Router,
};
use serde::Deserialize;
use std::net::SocketAddr;
use store::clock::now_ms;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

/// Longest username read from the form: anything longer is no account of ours, and the
/// name reaches the failure table and the audit log.
const MAX_USERNAME: usize = 128;

async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, ApiError> {
    if !guard::same_origin(&headers) {
        return Ok(Redirect::to("/login?error=origin").into_response());
    }
    let source = guard::client_source(&state.config.server.trusted_proxies, peer.ip(), &headers);
    let username: String = form.username.chars().take(MAX_USERNAME).collect();
    let next = guard::safe_next(form.next.as_deref());
    let back = |error: &str| {
        let to = format!(
            "/login?error={error}&next={}",
            guard::encode_component(&next)
        );
        Ok(Redirect::to(&to).into_response())
    };
    // A turn to hash first: a sign-in refused for load is not a failed guess.
    let Some(_turn) = state.sign_in.hash_permit().await else {
        tracing::warn!(%source, "sign-in refused: too many password checks at once");
        return Ok(busy(&next));
    };
    let a = &state.config.auth;
    let max_ms = a.lockout_secs as i64 * 1000;
    let now = now_ms();
    // Every attempt is recorded as failed before it is judged, and forgotten when the
    // password proves right: parallel guesses see each other, on any instance (and, on
    // this one, in order, so exactly the allowance gets through).
    let (attempt, failures) = {
        let _in_turn = state.sign_in.check.lock().await;
        state
            .storage
            .login_attempt(&username, &source, now, now - max_ms)
            .await?
    };
    let wait = throttle::retry_in_ms(
        &failures,
        now,
        a.max_failed_logins,
        a.max_failed_logins_per_source,
        max_ms,
    );
    if wait > 0 {
        // A refused attempt checked no password: it does not push the wait further.
        state.storage.forget_login_attempt(&attempt).await?;
        tracing::warn!(%username, %source, wait_ms = wait, "sign-in throttled");
        audit::refused(&state, &source, "login.throttled", &username).await;
        return back("throttled");
    }
    let user = state.storage.user_by_name(&username).await?;
    let stored = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| password::decoy_hash().to_string());
    let candidate = form.password;
    let ok = tokio::task::spawn_blocking(move || password::verify(&candidate, &stored))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let Some(user) = user.filter(|_| ok) else {
        tracing::warn!(%username, %source, "failed sign-in");
        audit::refused(&state, &source, "login.failed", &username).await;
        return back("credentials");
    };
    let session = token::random_hex(32);
    let ttl_secs = state.config.auth.session_hours * 3600;
    state
        .storage
        .create_session(
            &token::hash(&session),
            user.id,
            now_ms() + (ttl_secs as i64) * 1000,
        )
        .await?;
    tracing::info!(username = %user.username, "signed in");
    state
        .storage
        .clear_login_failures(&user.username, &source)
        .await?;
    audit::record_as(
        &state,
        &user.username,
        Some(&source),
        "login",
        None,
        None,
        None,
    )
    .await;
    let https = cookie::is_https(&headers, &state.public_url);
    let set = cookie::set_session(&session, ttl_secs, state.config.auth.secure_cookie, https);
    Ok(([(header::SET_COOKIE, set)], Redirect::to(&next)).into_response())
}

/// `429` for a sign-in that found no free password check within the wait: a page with
/// the way back (a redirect cannot carry the status).
fn busy(next: &str) -> Response {
    let back = format!("/login?error=busy&next={}", guard::encode_component(next));
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Busy</title></head>\
         <body><p>Too many sign-ins at once. Try again in a few seconds.</p>\
         <p><a href=\"{}\">Back to sign-in</a></p></body></html>",
        back.replace('&', "&amp;").replace('"', "&quot;")
    );
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::RETRY_AFTER, "5")],
        Html(body),
    )
        .into_response()
}

async fn logout(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(t) = cookie::session_token(&headers) {
        let hash = token::hash(&t);
        if let Some(user) = state.storage.session_user(&hash, now_ms()).await? {
            let source =
                guard::client_source(&state.config.server.trusted_proxies, peer.ip(), &headers);
            audit::record_as(
                &state,
                &user.username,
                Some(&source),
                "logout",
                None,
                None,
                None,
            )
            .await;
        }
        state.storage.delete_session(&hash).await?;
    }
    let https = cookie::is_https(&headers, &state.public_url);
    let clear = cookie::clear_session(state.config.auth.secure_cookie, https);
    Ok((
        [(header::SET_COOKIE, clear)],
        Redirect::to("/login?signed_out=1"),
    )
        .into_response())
}
