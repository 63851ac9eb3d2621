//! Sign-in and sign-out. Plain HTML form posts: they work before any wasm loads.

use crate::{
    audit,
    auth::{cookie, password, token},
    http::{error::ApiError, guard},
    state::AppState,
};

use axum::{
    extract::{ConnectInfo, State},
    http::{header, HeaderMap},
    response::{IntoResponse, Redirect, Response},
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

async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, ApiError> {
    if !guard::same_origin(&headers) {
        return Ok(Redirect::to("/login?error=origin").into_response());
    }
    let source = peer.ip().to_string();
    let a = &state.config.auth;
    let now = now_ms();
    // Locked: too many failures for this account or from this address lately; not even
    // the right password opens it until the window passes.
    let (by_user, by_source) = state
        .storage
        .login_failures(&form.username, &source, now - a.lockout_secs as i64 * 1000)
        .await?;
    if by_user >= a.max_failed_logins || by_source >= a.max_failed_logins {
        tracing::warn!(username = %form.username, %source, "sign-in refused: locked");
        audit::record_as(
            &state,
            &form.username,
            Some(&source),
            "login.locked",
            None,
            None,
            None,
        )
        .await;
        return Ok(Redirect::to("/login?error=locked").into_response());
    }
    let user = state.storage.user_by_name(&form.username).await?;
    let stored = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| password::decoy_hash().to_string());
    let candidate = form.password;
    let ok = tokio::task::spawn_blocking(move || password::verify(&candidate, &stored))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let next = guard::safe_next(form.next.as_deref());
    let Some(user) = user.filter(|_| ok) else {
        tracing::warn!(username = %form.username, %source, "failed sign-in");
        state
            .storage
            .record_login_failure(&form.username, &source, now)
            .await?;
        audit::record_as(
            &state,
            &form.username,
            Some(&source),
            "login.failed",
            None,
            None,
            None,
        )
        .await;
        let back = format!(
            "/login?error=credentials&next={}",
            guard::encode_component(&next)
        );
        return Ok(Redirect::to(&back).into_response());
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
    state.storage.clear_login_failures(&user.username).await?;
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

async fn logout(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(t) = cookie::session_token(&headers) {
        let hash = token::hash(&t);
        if let Some(user) = state.storage.session_user(&hash, now_ms()).await? {
            let source = peer.ip().to_string();
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
