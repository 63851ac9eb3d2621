//! Alerting under `/api/v1/alerts`: what is firing, the history, deliveries, rules
//! (list, save, delete, test-fire), acknowledgements, silences, channels and the metric
//! catalogue. Writes name the signed-in user (or the token's owner) as who did it.

use crate::{
    alerts::{actions, catalogue, ruleset, view},
    http::error::ApiError,
    state::AppState,
};

use app::api::CurrentUser;
use axum::{
    extract::{rejection::JsonRejection, Path, Query, RawQuery, State},
    http::StatusCode,
    response::IntoResponse,
    routing::{delete, get, post, put},
    Extension, Json, Router,
};
use protocol::{AlertHistoryQuery, RuleView};
use serde::Deserialize;
use serde_json::json;
use store::clock::now_ms;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/alerts", get(active))
        .route("/alerts/ack", post(ack))
        .route("/alerts/history", get(history))
        .route("/alerts/deliveries", get(deliveries))
        .route("/alerts/channels", get(channels))
        .route("/alerts/metrics", get(metrics))
        .route("/alerts/rules", get(rules))
        .route("/alerts/rules/{name}", put(save_rule).delete(delete_rule))
        .route("/alerts/rules/{name}/test", post(test_rule))
        .route("/alerts/silences", get(silences).post(create_silence))
        .route("/alerts/silences/{id}", delete(expire_silence))
        .route("/alerts/noise", get(noise))
        .route("/restaurants/hours", get(hours))
        .route(
            "/restaurants/{restaurant}/hours",
            put(save_hours).delete(delete_hours),
        )
}

/// `GET /api/v1/alerts/noise`: per rule over 7 and 30 days, firings, flaps, messages,
/// time firing and the median time to acknowledge.
async fn noise(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let rules = ruleset::effective(&state).await?;
    Ok(Json(
        view::noise(&state, &rules, store::clock::now_ms()).await?,
    ))
}

/// `GET /api/v1/restaurants/hours`: every restaurant's opening hours.
async fn hours(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    Ok(Json(
        view::opening_hours(&state, store::clock::now_ms()).await?,
    ))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct HoursBody {
    hours: String,
    #[serde(default)]
    timezone: Option<String>,
}

/// `PUT /api/v1/restaurants/<id>/hours {"hours": "mon-fri 11:00-22:00", "timezone": ...}`.
async fn save_hours(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(restaurant): Path<String>,
    b: Result<Json<HoursBody>, JsonRejection>,
) -> Result<StatusCode, ApiError> {
    let b = body(b)?;
    crate::restaurants::save(&state, &user, &restaurant, &b.hours, b.timezone.as_deref())
        .await
        .map_err(ApiError::BadRequest)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn delete_hours(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(restaurant): Path<String>,
) -> Result<StatusCode, ApiError> {
    match crate::restaurants::delete(&state, &user, &restaurant).await? {
        true => Ok(StatusCode::NO_CONTENT),
        false => Err(ApiError::NotFound(
            "no opening hours saved for that restaurant",
        )),
    }
}

fn body<T>(b: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    b.map(|Json(v)| v)
        .map_err(|e| ApiError::BadRequest(e.body_text()))
}

/// `GET /api/v1/alerts`: alerts pending or firing now.
async fn active(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let rules = ruleset::effective(&state).await?;
    Ok(Json(view::active(&state, &rules, now_ms()).await?))
}

#[derive(Deserialize)]
struct AckRequest {
    rule: String,
    #[serde(default)]
    instance: String,
}

/// `POST /api/v1/alerts/ack` `{"rule", "instance"}`.
async fn ack(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    req: Result<Json<AckRequest>, JsonRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let r = body(req)?;
    actions::acknowledge(&state, &r.rule, &r.instance, &user).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/alerts/history?severity=&rule=&change=&range=&limit=`, newest first.
async fn history(
    State(state): State<AppState>,
    RawQuery(q): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(q.unwrap_or_default().as_bytes())
        .into_owned()
        .collect();
    let q = AlertHistoryQuery::from_pairs(
        pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        now_ms(),
    )
    .map_err(ApiError::BadRequest)?;
    Ok(Json(state.storage.alert_history(&q).await?))
}

#[derive(Deserialize)]
struct DeliveriesQuery {
    history_id: Option<i64>,
    limit: Option<u32>,
}

/// `GET /api/v1/alerts/deliveries?history_id=`: notifications and their delivery.
async fn deliveries(
    State(state): State<AppState>,
    Query(q): Query<DeliveriesQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let limit = q.limit.unwrap_or(200).clamp(1, 1000);
    Ok(Json(state.storage.deliveries(q.history_id, limit).await?))
}

/// `GET /api/v1/alerts/channels`: configured channels and their last delivery.
async fn channels(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    Ok(Json(view::channels(&state).await?))
}

/// `GET /api/v1/alerts/metrics`: the metric catalogue and what is available.
async fn metrics() -> impl IntoResponse {
    Json(catalogue::CATALOGUE)
}

/// `GET /api/v1/alerts/rules`: the rules in force, each with its origin (`file`,
/// `overridden`, `dashboard`) and whether its metric has a data source yet.
async fn rules(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let rules = ruleset::effective(&state).await?;
    Ok(Json(rules.iter().map(ruleset::view).collect::<Vec<_>>()))
}

/// `PUT /api/v1/alerts/rules/{name}` with a rule as `GET` lists it.
async fn save_rule(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(name): Path<String>,
    req: Result<Json<RuleView>, JsonRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let mut v = body(req)?;
    if !v.name.is_empty() && v.name != name {
        return Err(ApiError::BadRequest(
            "name: differs from the name in the URL (rules are not renamed)".into(),
        ));
    }
    v.name = name;
    actions::save_rule(&state, &v, &user).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /api/v1/alerts/rules/{name}`: deletes a dashboard rule, or reverts an
/// override to the file's rule.
async fn delete_rule(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(name): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let origin = actions::delete_rule(&state, &name, &user).await?;
    Ok(Json(json!({ "deleted": name, "origin": origin.as_str() })))
}

/// `POST /api/v1/alerts/rules/{name}/test`: a test notification on every channel.
async fn test_rule(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(name): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let channels = actions::test_fire(&state, &name, &user).await?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "channels": channels }))))
}

/// `GET /api/v1/alerts/silences`: active, upcoming and recently ended silences.
async fn silences(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    Ok(Json(
        state.storage.silences(now_ms() - 7 * 86_400_000).await?,
    ))
}

/// `POST /api/v1/alerts/silences` `{"matchers": [{"field", "value"}], "duration": "2h",
/// "comment"}` (or `starts_ms` / `ends_ms`).
async fn create_silence(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    req: Result<Json<actions::NewSilence>, JsonRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let id = actions::create_silence(&state, body(req)?, &user).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
}

/// `DELETE /api/v1/alerts/silences/{id}`: ends it now.
async fn expire_silence(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<i64>,
) -> Result<impl IntoResponse, ApiError> {
    actions::expire_silence(&state, id, &user).await?;
    Ok(StatusCode::NO_CONTENT)
}
