//! Form actions of the dashboard pages (the pages themselves are Leptos routes): plain
//! HTML form posts that work without wasm and redirect back. The guard has already
//! checked the session and that the form came from our own origin.

use crate::{audit, http::error::ApiError, issues::filters, state::AppState};
use app::api::CurrentUser;
use axum::{
    body::Bytes,
    extract::{Path, State},
    response::Redirect,
    routing::post,
    Extension, Router,
};
use protocol::{InboundFilters, IssueStatus};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/tokens/{id}/revoke", post(revoke))
        .route("/settings/filters", post(save_filters))
        .route("/settings/rotate-key", post(rotate_key))
        .route("/issues/{id}/status", post(set_status))
}

async fn revoke(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<i64>,
) -> Result<Redirect, ApiError> {
    if state.storage.revoke_api_token(id).await? {
        audit::record(
            &state,
            &user,
            "token.revoke",
            Some(&id.to_string()),
            None,
            None,
        )
        .await;
    }
    Ok(Redirect::to("/settings"))
}

/// The key rotation form: `grace_hours`, how long the old key keeps working.
async fn rotate_key(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    body: Bytes,
) -> Result<Redirect, ApiError> {
    let hours = form_urlencoded::parse(&body)
        .find(|(k, _)| k == "grace_hours")
        .and_then(|(_, v)| v.parse::<u64>().ok())
        .filter(|h| *h <= crate::key_rotation::MAX_GRACE_HOURS)
        .ok_or_else(|| {
            ApiError::BadRequest(format!(
                "grace_hours: a number of hours up to {}",
                crate::key_rotation::MAX_GRACE_HOURS
            ))
        })?;
    crate::key_rotation::rotate(&state, &user, hours).await?;
    Ok(Redirect::to("/settings#keys"))
}

/// The filters form: `messages` and `environments` repeat (one field per entry),
/// `browser_extensions=on` when checked.
pub fn filters_from_form(body: &[u8]) -> InboundFilters {
    let mut f = InboundFilters {
        messages: vec![],
        browser_extensions: false,
        environments: vec![],
    };
    for (k, v) in form_urlencoded::parse(body) {
        match k.as_ref() {
            "messages" => f.messages.push(v.into_owned()),
            "environments" => f.environments.push(v.into_owned()),
            "browser_extensions" => f.browser_extensions = true,
            _ => {}
        }
    }
    f
}

async fn save_filters(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    body: Bytes,
) -> Result<Redirect, ApiError> {
    let f = filters::tidy(filters_from_form(&body)).map_err(ApiError::BadRequest)?;
    crate::issues::people::save_filters(&state, &user, &f).await?;
    Ok(Redirect::to("/settings#filters"))
}

async fn set_status(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Redirect, ApiError> {
    let status = form_urlencoded::parse(&body)
        .find(|(k, _)| k == "status")
        .and_then(|(_, v)| IssueStatus::parse(&v))
        .ok_or_else(|| {
            ApiError::BadRequest("status: one of unresolved, resolved, ignored".into())
        })?;
    if !crate::issues::people::set_status(&state, &user, id, status).await? {
        return Err(ApiError::NotFound("no such issue"));
    }
    Ok(Redirect::to(&format!("/issues/{id}")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_filters_form_reads_repeated_fields_and_the_checkbox() {
        let f = super::filters_from_form(
            b"messages=Script+error.&messages=&environments=dev&browser_extensions=on",
        );
        assert_eq!(f.messages, vec!["Script error.", ""]);
        assert_eq!(f.environments, vec!["dev"]);
        assert!(f.browser_extensions);
        assert!(!super::filters_from_form(b"messages=x").browser_extensions);
    }
}
