//! The read API under `/api/v1` (session or `Authorization: Bearer` token; the guard
//! layer has already authenticated every request that reaches these handlers).

use crate::{
    auth::token,
    dashboard::{self, project_info},
    error::ApiError,
    state::AppState,
};
use app::{
    api::CurrentUser,
    model::{ApiTokenInfo, NewToken, NewTokenRequest, ProjectInfo, Range},
};
use axum::{
    extract::{rejection::JsonRejection, Path, Query, State},
    http::StatusCode,
    response::IntoResponse,
    routing::{delete, get},
    Extension, Json, Router,
};
use serde::Deserialize;
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me", get(me))
        .route("/overview", get(overview))
        .route("/projects", get(projects))
        .route("/tokens", get(list_tokens).post(create_token))
        .route("/tokens/{id}", delete(revoke_token))
        .route("/issues", get(list_issues))
        .route("/issues/{id}", get(get_issue).put(update_issue))
        .route("/issues/{id}/events", get(issue_events))
        .fallback(|| async { ApiError::NotFound("no such API route") })
}

async fn me(Extension(user): Extension<CurrentUser>) -> impl IntoResponse {
    Json(json!({ "username": user.username }))
}

#[derive(Deserialize)]
struct OverviewQuery {
    range: Option<String>,
    project: Option<String>,
}

async fn overview(
    State(state): State<AppState>,
    Query(q): Query<OverviewQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let range = match q.range.as_deref() {
        None => Range::Hour,
        Some(r) => Range::parse(r)
            .ok_or_else(|| ApiError::BadRequest(format!("range: {r:?} is not one of 1h, 24h")))?,
    };
    let project = match q.project {
        None => dashboard::default_project(&state).await?,
        Some(slug) => state
            .storage
            .projects()
            .await?
            .into_iter()
            .find(|p| p.slug == slug)
            .ok_or(ApiError::NotFound("no project with that slug"))?,
    };
    Ok(Json(dashboard::overview(&state, &project, range).await?))
}

async fn projects(State(state): State<AppState>) -> Result<Json<Vec<ProjectInfo>>, ApiError> {
    let projects = state.storage.projects().await?;
    Ok(Json(
        projects
            .iter()
            .map(|p| project_info(&state.public_url, p))
            .collect(),
    ))
}

async fn list_tokens(State(state): State<AppState>) -> Result<Json<Vec<ApiTokenInfo>>, ApiError> {
    Ok(Json(state.storage.api_tokens().await?))
}

async fn create_token(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    body: Result<Json<NewTokenRequest>, JsonRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let Json(req) = body.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let name = req.name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(ApiError::BadRequest("name: 1 to 64 characters".into()));
    }
    let owner = state
        .storage
        .user_by_name(&user.username)
        .await?
        .ok_or(ApiError::Unauthorized("user no longer exists"))?;
    let secret = token::new_api_token();
    let t = state
        .storage
        .create_api_token(
            owner.id,
            name,
            &token::hash(&secret),
            &token::display_prefix(&secret),
        )
        .await?;
    tracing::info!(by = %user.username, token = %t.name, "API token created");
    Ok((
        StatusCode::CREATED,
        Json(NewToken {
            id: t.id,
            name: t.name,
            token: secret,
        }),
    ))
}

#[derive(Deserialize)]
struct Limit {
    limit: Option<u32>,
}

async fn list_issues(
    State(state): State<AppState>,
    Query(q): Query<Limit>,
) -> Result<impl IntoResponse, ApiError> {
    let project = dashboard::default_project(&state).await?;
    let limit = q.limit.unwrap_or(100).clamp(1, 1000);
    Ok(Json(state.storage.issues(project.id, limit).await?))
}

async fn get_issue(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<impl IntoResponse, ApiError> {
    state
        .storage
        .issue(id)
        .await?
        .map(Json)
        .ok_or(ApiError::NotFound("no such issue"))
}

async fn issue_events(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<Limit>,
) -> Result<impl IntoResponse, ApiError> {
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    Ok(Json(state.storage.issue_events(id, limit).await?))
}

#[derive(Deserialize)]
struct IssueUpdate {
    status: String,
}

async fn update_issue(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    body: Result<Json<IssueUpdate>, JsonRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let Json(u) = body.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    if !matches!(u.status.as_str(), "unresolved" | "resolved" | "ignored") {
        return Err(ApiError::BadRequest(
            "status: one of unresolved, resolved, ignored".into(),
        ));
    }
    if !state.storage.set_issue_status(id, &u.status).await? {
        return Err(ApiError::NotFound("no such issue"));
    }
    get_issue(State(state), Path(id)).await
}

async fn revoke_token(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<impl IntoResponse, ApiError> {
    if state.storage.revoke_api_token(id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound("no live token with that id"))
    }
}
