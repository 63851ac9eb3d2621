//! Sign-in and sign-out. Plain HTML form posts: they work before any wasm loads.

use crate::{
    auth::{cookie, guard, password, token},
    clock::now_ms,
    error::ApiError,
    state::AppState,
};
use axum::{
    extract::State,
    http::{header, HeaderMap},
    response::{IntoResponse, Redirect, Response},
    routing::post,
    Form, Router,
};
use serde::Deserialize;

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
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, ApiError> {
    if !guard::same_origin(&headers) {
        return Ok(Redirect::to("/login?error=origin").into_response());
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
        tracing::warn!(username = %form.username, "failed sign-in");
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
    let https = cookie::is_https(&headers, &state.public_url);
    let set = cookie::set_session(&session, ttl_secs, state.config.auth.secure_cookie, https);
    Ok(([(header::SET_COOKIE, set)], Redirect::to(&next)).into_response())
}

async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(t) = cookie::session_token(&headers) {
        state.storage.delete_session(&token::hash(&t)).await?;
    }
    let https = cookie::is_https(&headers, &state.public_url);
    let clear = cookie::clear_session(state.config.auth.secure_cookie, https);
    Ok((
        [(header::SET_COOKIE, clear)],
        Redirect::to("/login?signed_out=1"),
    )
        .into_response())
}
