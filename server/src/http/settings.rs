//! Form actions of the Settings page (the page itself is a Leptos route).

use crate::{error::ApiError, state::AppState};
use axum::{
    extract::{Path, State},
    response::Redirect,
    routing::post,
    Router,
};

pub fn router() -> Router<AppState> {
    Router::new().route("/settings/tokens/{id}/revoke", post(revoke))
}

async fn revoke(State(state): State<AppState>, Path(id): Path<i64>) -> Result<Redirect, ApiError> {
    state.storage.revoke_api_token(id).await?;
    Ok(Redirect::to("/settings"))
}
