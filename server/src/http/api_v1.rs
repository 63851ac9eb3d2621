//! The read API under `/api/v1` (session or `Authorization: Bearer` token; the guard
//! layer has already authenticated every request that reaches these handlers).

use crate::{
    audit,
    auth::token,
    dashboard,
    http::{error::ApiError, issue_query},
    issues::filters,
    read_model::projects::project_info,
    state::AppState,
};

use app::api::CurrentUser;
use axum::{
    extract::{rejection::JsonRejection, Path, Query, RawQuery, State},
    http::StatusCode,
    response::IntoResponse,
    routing::{delete, get, post},
    Extension, Json, Router,
};
use protocol::{
    ApiTokenInfo, CustomMetricView, EndpointStats, FiltersView, InboundFilters, IssueDetail,
    IssueStatus, IssueSummary, NewToken, NewTokenRequest, PerformanceView, ProjectInfo, Range,
};
use serde::Deserialize;
use serde_json::json;
use store::clock::now_ms;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me", get(me))
        .route("/overview", get(overview))
        .route("/projects", get(projects))
        .route("/project/rotate-key", post(rotate_key))
        .route("/endpoints", get(endpoints))
        .route("/performance", get(performance))
        .route("/server", get(server))
        .route("/metrics/{name}", get(custom_metric))
        .route("/tokens", get(list_tokens).post(create_token))
        .route("/tokens/{id}", delete(revoke_token))
        .route("/issues", get(list_issues))
        .route("/issues/{id}", get(get_issue).put(update_issue))
        .route("/issues/{id}/detail", get(issue_detail))
        .route("/issues/{id}/events", get(issue_events))
        .route("/filters", get(get_filters).put(put_filters))
        .merge(super::alerts_api::router())
        .merge(super::probes_api::api_router())
        .merge(super::log_routes::api_router())
        .route("/business", get(business))
        .route("/audit", get(audit_log))
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
    let range = range_of(q.range.as_deref())?;
    let project = match q.project {
        None => state.projects.default_project()?,
        Some(slug) => state
            .storage
            .projects()
            .await?
            .into_iter()
            .find(|p| p.slug == slug)
            .map(std::sync::Arc::new)
            .ok_or(ApiError::NotFound("no project with that slug"))?,
    };
    Ok(Json(
        dashboard::overview::overview(&state, &project, range).await?,
    ))
}

/// The range of a `?range=` parameter (default the last hour).
fn range_of(range: Option<&str>) -> Result<Range, ApiError> {
    match range {
        None => Ok(Range::Hour),
        Some(r) => Range::parse(r)
            .ok_or_else(|| ApiError::BadRequest(format!("range: {r:?} is not one of 1h, 24h"))),
    }
}

/// `GET /api/v1/endpoints?range=1h`: API calls per endpoint (RUM SDK and Sentry spans).
async fn endpoints(
    State(state): State<AppState>,
    Query(q): Query<OverviewQuery>,
) -> Result<Json<Vec<EndpointStats>>, ApiError> {
    let range = range_of(q.range.as_deref())?;
    let project = state.projects.default_project()?;
    Ok(Json(
        dashboard::perf::endpoints(&state, &project, range).await?,
    ))
}

/// `GET /api/v1/audit?actor=&action=&range=&limit=`: the audit log, newest first.
async fn audit_log(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
) -> Result<Json<Vec<protocol::AuditEntry>>, ApiError> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(q.unwrap_or_default().as_bytes())
        .into_owned()
        .collect();
    let q = protocol::AuditQuery::from_pairs(
        pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        now_ms(),
    )
    .map_err(ApiError::BadRequest)?;
    Ok(Json(state.storage.audit_log(&q).await?))
}

#[derive(Deserialize)]
struct BusinessQuery {
    range: Option<String>,
    restaurant: Option<String>,
}

/// `GET /api/v1/business?range=1h|24h|7d|30d&restaurant=`: KPIs, the previous period,
/// per restaurant, inventory levels.
async fn business(
    State(state): State<AppState>,
    Query(q): Query<BusinessQuery>,
) -> Result<Json<protocol::BusinessView>, ApiError> {
    let range = q.range.unwrap_or_else(|| "24h".into());
    dashboard::business_view::span_of(&range).map_err(ApiError::BadRequest)?;
    let project = state.projects.default_project()?;
    let restaurant = q.restaurant.filter(|r| !r.is_empty());
    Ok(Json(
        dashboard::business_view::view(&state, &project, &range, restaurant.as_deref()).await?,
    ))
}

#[derive(Deserialize)]
struct PerformanceQuery {
    range: Option<String>,
    page: Option<String>,
    restaurant: Option<String>,
}

/// `GET /api/v1/performance?range=1h|24h&page=/menu&restaurant=r-17`.
async fn performance(
    State(state): State<AppState>,
    Query(q): Query<PerformanceQuery>,
) -> Result<Json<PerformanceView>, ApiError> {
    let range = range_of(q.range.as_deref())?;
    let project = state.projects.default_project()?;
    let some = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let filters = dashboard::perf::Filters {
        range,
        page: some(q.page),
        restaurant: some(q.restaurant),
    };
    Ok(Json(
        dashboard::perf::performance(&state, &project, filters).await?,
    ))
}

#[derive(serde::Deserialize)]
struct ServerQuery {
    range: Option<String>,
    service: Option<String>,
    environment: Option<String>,
    restaurant: Option<String>,
}

/// `GET /api/v1/server?range=&service=&environment=&restaurant=`: the platform's server
/// requests per route and their database queries.
async fn server(
    State(state): State<AppState>,
    Query(q): Query<ServerQuery>,
) -> Result<Json<protocol::ServerView>, ApiError> {
    let range = range_of(q.range.as_deref())?;
    let project = state.projects.default_project()?;
    let some = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let filters = dashboard::server_view::Filters {
        range,
        service: some(q.service),
        environment: some(q.environment),
        restaurant: some(q.restaurant),
    };
    Ok(Json(
        dashboard::server_view::view(&state, &project, filters).await?,
    ))
}

/// `GET /api/v1/metrics/<name>?range=1h|24h`: a custom metric's points per bucket.
async fn custom_metric(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(q): Query<OverviewQuery>,
) -> Result<Json<CustomMetricView>, ApiError> {
    let range = range_of(q.range.as_deref())?;
    let project = state.projects.default_project()?;
    Ok(Json(
        dashboard::perf::custom_metric(&state, &project, &name, range).await?,
    ))
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

#[derive(Deserialize)]
struct RotateKey {
    /// How long the old key keeps working (default a week).
    #[serde(default = "default_grace_hours")]
    grace_hours: u64,
}

fn default_grace_hours() -> u64 {
    24 * 7
}

/// `POST /api/v1/project/rotate-key {"grace_hours": 168}`: a new public key for the
/// default project; the old one works for `grace_hours` more.
async fn rotate_key(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    body: Result<Json<RotateKey>, JsonRejection>,
) -> Result<Json<ProjectInfo>, ApiError> {
    let Json(req) = body.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    if req.grace_hours > crate::key_rotation::MAX_GRACE_HOURS {
        return Err(ApiError::BadRequest(format!(
            "grace_hours: at most {}",
            crate::key_rotation::MAX_GRACE_HOURS
        )));
    }
    let p = crate::key_rotation::rotate(&state, &user, req.grace_hours).await?;
    Ok(Json(project_info(&state.public_url, &p)))
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
            req.scope,
            &token::hash(&secret),
            &token::display_prefix(&secret),
        )
        .await?;
    tracing::info!(by = %user.username, token = %t.name, scope = t.scope.as_str(), "API token created");
    let scope = serde_json::json!({ "scope": t.scope });
    audit::record(
        &state,
        &user,
        "token.create",
        Some(&t.name),
        None,
        Some(&scope),
    )
    .await;
    Ok((
        StatusCode::CREATED,
        Json(NewToken {
            id: t.id,
            name: t.name,
            scope: t.scope,
            token: secret,
        }),
    ))
}

#[derive(Deserialize)]
struct Limit {
    limit: Option<u32>,
}

/// `GET /api/v1/issues?search=&status=&level=&environment=&release=&tag=key:value&sort=&limit=`
async fn list_issues(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let q = issue_query::parse(query.as_deref().unwrap_or("")).map_err(ApiError::BadRequest)?;
    let project = state.projects.default_project()?;
    Ok(Json(state.storage.issues(project.id, &q, now_ms()).await?))
}

async fn get_issue(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<IssueSummary>, ApiError> {
    state
        .storage
        .issue(id)
        .await?
        .map(Json)
        .ok_or(ApiError::NotFound("no such issue"))
}

/// The issue with its tag distributions and latest events: what the detail page shows.
async fn issue_detail(
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<IssueDetail>, ApiError> {
    dashboard::issue_view::issue_detail(&state, id)
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
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<i64>,
    body: Result<Json<IssueUpdate>, JsonRejection>,
) -> Result<Json<IssueSummary>, ApiError> {
    let Json(u) = body.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let status = IssueStatus::parse(&u.status).ok_or_else(|| {
        ApiError::BadRequest("status: one of unresolved, resolved, ignored".into())
    })?;
    if !crate::issues::people::set_status(&state, &user, id, status).await? {
        return Err(ApiError::NotFound("no such issue"));
    }
    get_issue(State(state), Path(id)).await
}

/// `GET /api/v1/filters`: the default project's inbound filters and what was dropped.
async fn get_filters(State(state): State<AppState>) -> Result<Json<FiltersView>, ApiError> {
    let project = state.projects.default_project()?;
    Ok(Json(
        dashboard::issue_view::filters_view(&state, &project).await?,
    ))
}

/// `PUT /api/v1/filters`: replaces them; ingest uses them from the next event on.
async fn put_filters(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    body: Result<Json<InboundFilters>, JsonRejection>,
) -> Result<Json<FiltersView>, ApiError> {
    let Json(f) = body.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let f = filters::tidy(f).map_err(ApiError::BadRequest)?;
    crate::issues::people::save_filters(&state, &user, &f).await?;
    get_filters(State(state)).await
}

async fn revoke_token(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<i64>,
) -> Result<impl IntoResponse, ApiError> {
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
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound("no live token with that id"))
    }
}
