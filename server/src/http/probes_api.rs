//! Probes and the Health page's data: `GET /api/v1/health` (the Health page as JSON),
//! `GET /api/v1/probes`, `PUT` / `DELETE /api/v1/probes/<name>` (dashboard probes), and
//! the Health page's form actions (`POST /status/probes`, `.../<name>/delete`).

use crate::{
    audit,
    config::{ProbeConfig, ProbeKind},
    dashboard::status,
    http::{error::ApiError, guard::encode_component},
    probes,
    state::AppState,
};

use app::api::CurrentUser;
use axum::{
    body::Bytes,
    extract::{rejection::JsonRejection, Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect},
    routing::{get, post, put},
    Extension, Json, Router,
};
use store::clock::now_ms;

pub fn api_router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health_view))
        .route("/probes", get(list))
        .route("/probes/{name}", put(save).delete(remove))
}

pub fn forms_router() -> Router<AppState> {
    Router::new()
        .route("/status/probes", post(save_form))
        .route("/status/probes/{name}/delete", post(remove_form))
}

async fn health_view(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    Ok(Json(status::view(&state).await?))
}

async fn list(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    Ok(Json(status::probe_views(&state, now_ms()).await?))
}

async fn save(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(name): Path<String>,
    body: Result<Json<ProbeConfig>, JsonRejection>,
) -> Result<impl IntoResponse, ApiError> {
    let Json(mut p) = body.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    p.name = name;
    probes::save(&state, &p, &user.username)
        .await
        .map_err(ApiError::BadRequest)?;
    audit_probe(&state, &user, "probe.save", &p).await;
    Ok(StatusCode::NO_CONTENT)
}

async fn remove(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(name): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    if !state.storage.delete_probe(&name).await? {
        return Err(ApiError::NotFound(
            "no such dashboard probe (probes from monitor.toml are changed there)",
        ));
    }
    tracing::info!(probe = %name, by = %user.username, "probe deleted");
    audit::record(&state, &user, "probe.delete", Some(&name), None, None).await;
    Ok(StatusCode::NO_CONTENT)
}

/// The probe form: `name`, `kind`, `target`, `interval_secs`, `timeout_ms`, `retries`,
/// and the optional checks; blanks take the defaults.
pub fn probe_from_form(body: &[u8]) -> Result<ProbeConfig, String> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let num = |k: &str, default: u64| -> Result<u64, String> {
        get(k).map_or(Ok(default), |v| {
            v.parse().map_err(|_| format!("{k}: {v:?} is not a number"))
        })
    };
    let kind = match get("kind").as_deref() {
        Some("postgres") => ProbeKind::Postgres,
        Some("redis") => ProbeKind::Redis,
        Some("http") => ProbeKind::Http,
        Some("websocket") => ProbeKind::Websocket,
        Some("tcp") => ProbeKind::Tcp,
        other => {
            return Err(format!(
                "kind: {other:?} is not postgres, redis, http, websocket or tcp"
            ))
        }
    };
    Ok(ProbeConfig {
        name: get("name").unwrap_or_default(),
        kind,
        target: get("target").unwrap_or_default(),
        interval_secs: num("interval_secs", 30)?,
        timeout_ms: num("timeout_ms", 5000)?,
        retries: num("retries", 2)? as u32,
        expect_status: get("expect_status")
            .map(|v| {
                v.parse()
                    .map_err(|_| format!("expect_status: {v:?} is not a status"))
            })
            .transpose()?,
        keyword: get("keyword"),
        json_field: get("json_field"),
        json_value: get("json_value"),
        send: get("send"),
    })
}

/// The probe as saved, its target without a password.
async fn audit_probe(state: &AppState, user: &CurrentUser, action: &str, p: &ProbeConfig) {
    let mut shown = p.clone();
    shown.target = probes::redact(&p.target);
    audit::record(state, user, action, Some(&p.name), None, Some(&shown)).await;
}

fn back(r: Result<String, String>) -> Redirect {
    match r {
        Ok(n) => Redirect::to(&format!("/status?notice={}#probes", encode_component(&n))),
        Err(e) => Redirect::to(&format!("/status?error={}#probes", encode_component(&e))),
    }
}

async fn save_form(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    body: Bytes,
) -> Redirect {
    let r = match probe_from_form(&body) {
        Ok(p) => match probes::save(&state, &p, &user.username).await {
            Ok(()) => {
                audit_probe(&state, &user, "probe.save", &p).await;
                Ok(format!("Probe {} saved", p.name))
            }
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    back(r)
}

async fn remove_form(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(name): Path<String>,
) -> Result<Redirect, ApiError> {
    let deleted = state.storage.delete_probe(&name).await?;
    tracing::info!(probe = %name, by = %user.username, deleted, "probe deleted");
    if deleted {
        audit::record(&state, &user, "probe.delete", Some(&name), None, None).await;
    }
    Ok(back(if deleted {
        Ok(format!("Probe {name} deleted"))
    } else {
        Err("no such dashboard probe".into())
    }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_probe_form_takes_defaults_and_names_mistakes() {
        let p = super::probe_from_form(b"name=db&kind=tcp&target=127.0.0.1%3A5432&interval_secs=")
            .unwrap();
        assert_eq!(
            (p.interval_secs, p.retries, p.target.as_str()),
            (30, 2, "127.0.0.1:5432")
        );
        assert!(super::probe_from_form(b"name=x&kind=ftp")
            .unwrap_err()
            .starts_with("kind:"));
        assert!(super::probe_from_form(b"kind=http&retries=many")
            .unwrap_err()
            .starts_with("retries:"));
    }
}
