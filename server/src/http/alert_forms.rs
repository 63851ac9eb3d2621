//! The Alerts page's form actions: acknowledge, silence, expire, save / delete /
//! test-fire a rule. Plain form posts (no wasm) that redirect back to the page; a
//! mistake comes back as `?error=` for the page to show, never as a blank error page.

use crate::{
    alerts::actions::{self, ActionError},
    http::{error::ApiError, guard::encode_component},
    state::AppState,
};
use app::api::CurrentUser;
use axum::{
    body::Bytes,
    extract::{Path, State},
    response::Redirect,
    routing::post,
    Extension, Router,
};
use protocol::{Matcher, RuleView};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/alerts/ack", post(ack))
        .route("/alerts/silences", post(silence))
        .route("/alerts/silences/{id}/expire", post(expire))
        .route("/alerts/rules", post(save_rule))
        .route("/alerts/rules/{name}/test", post(test_rule))
        .route("/alerts/rules/{name}/delete", post(delete_rule))
        .route("/alerts/hours", post(save_hours))
        .route("/alerts/hours/{restaurant}/delete", post(delete_hours))
}

fn pairs(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

fn field<'a>(p: &'a [(String, String)], name: &str) -> &'a str {
    p.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim())
        .unwrap_or("")
}

/// Back to the page: with a message on success, with the error when people got
/// something wrong; anything else is a real error.
fn back(result: Result<String, ActionError>, anchor: &str) -> Result<Redirect, ApiError> {
    match result {
        Ok(notice) => Ok(Redirect::to(&format!(
            "/alerts?notice={}#{anchor}",
            encode_component(&notice)
        ))),
        Err(ActionError::Invalid(m)) => Ok(Redirect::to(&format!(
            "/alerts?error={}#{anchor}",
            encode_component(&m)
        ))),
        Err(ActionError::NotFound(m)) => Ok(Redirect::to(&format!(
            "/alerts?error={}#{anchor}",
            encode_component(m)
        ))),
        Err(e @ ActionError::Internal(_)) => Err(e.into()),
    }
}

async fn ack(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    body: Bytes,
) -> Result<Redirect, ApiError> {
    let p = pairs(&body);
    let (rule, instance) = (field(&p, "rule"), field(&p, "instance"));
    let r = actions::acknowledge(&state, rule, instance, &user)
        .await
        .map(|()| format!("Acknowledged {rule}"));
    back(r, "active")
}

/// Matchers from the form's `rule`, `severity`, `restaurant` and `metric` fields (blank
/// ones are left out).
pub fn silence_from_form(p: &[(String, String)]) -> actions::NewSilence {
    let matchers = crate::alerts::silence::FIELDS
        .iter()
        .filter(|f| !field(p, f).is_empty())
        .map(|f| Matcher {
            field: f.to_string(),
            value: field(p, f).to_string(),
        })
        .collect();
    actions::NewSilence {
        matchers,
        starts_ms: None,
        ends_ms: None,
        duration: Some(field(p, "duration").to_string()),
        comment: field(p, "comment").to_string(),
    }
}

async fn silence(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    body: Bytes,
) -> Result<Redirect, ApiError> {
    let s = silence_from_form(&pairs(&body));
    let r = actions::create_silence(&state, s, &user)
        .await
        .map(|id| format!("Silence {id} created"));
    back(r, "silences")
}

async fn expire(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(id): Path<i64>,
) -> Result<Redirect, ApiError> {
    let r = actions::expire_silence(&state, id, &user)
        .await
        .map(|()| format!("Silence {id} expired"));
    back(r, "silences")
}

async fn save_hours(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    body: Bytes,
) -> Result<Redirect, ApiError> {
    let p = pairs(&body);
    let restaurant = field(&p, "restaurant").trim().to_string();
    let tz = Some(field(&p, "timezone")).filter(|t| !t.trim().is_empty());
    let r = crate::restaurants::save(&state, &user, &restaurant, field(&p, "hours"), tz)
        .await
        .map(|_| format!("Opening hours of {restaurant} saved"))
        .map_err(ActionError::Invalid);
    back(r, "hours")
}

async fn delete_hours(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(restaurant): Path<String>,
) -> Result<Redirect, ApiError> {
    let r = match crate::restaurants::delete(&state, &user, &restaurant).await? {
        true => Ok(format!("Opening hours of {restaurant} removed")),
        false => Err(ActionError::NotFound(
            "no opening hours saved for that restaurant",
        )),
    };
    back(r, "hours")
}

/// The rule form: every [`RuleView`] field by name; checkboxes are `on` when ticked.
pub fn rule_from_form(p: &[(String, String)]) -> Result<RuleView, String> {
    let opt = |k: &str| Some(field(p, k).to_string()).filter(|v| !v.is_empty());
    let threshold = field(p, "threshold");
    Ok(RuleView {
        name: field(p, "name").to_string(),
        severity: field(p, "severity").to_string(),
        metric: field(p, "metric").to_string(),
        comparison: field(p, "comparison").to_string(),
        threshold: threshold
            .parse()
            .map_err(|_| format!("threshold: {threshold:?} is not a number"))?,
        window: field(p, "window").to_string(),
        cooldown: field(p, "cooldown").to_string(),
        hold_for: opt("for"),
        resolve_after: opt("resolve_after"),
        restaurant: opt("restaurant"),
        environment: opt("environment"),
        project: opt("project"),
        split_by_restaurant: field(p, "split_by_restaurant") == "on",
        enabled: field(p, "enabled") == "on",
        description: opt("description"),
        repeat_interval: opt("repeat_interval"),
        min_volume: match opt("min_volume") {
            Some(v) => Some(
                v.parse()
                    .map_err(|_| format!("min_volume: {v:?} is not a number"))?,
            ),
            None => None,
        },
        aggregate: opt("aggregate"),
        active_hours: opt("active_hours"),
        timezone: opt("timezone"),
        only_when_open: field(p, "only_when_open") == "on",
        level: opt("level"),
        release: opt("release"),
        tags: opt("tags"),
        ..RuleView::default()
    })
}

async fn save_rule(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    body: Bytes,
) -> Result<Redirect, ApiError> {
    let r = match rule_from_form(&pairs(&body)) {
        Ok(v) => actions::save_rule(&state, &v, &user)
            .await
            .map(|()| format!("Rule {} saved", v.name)),
        Err(m) => Err(ActionError::Invalid(m)),
    };
    back(r, "rules")
}

async fn test_rule(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(name): Path<String>,
) -> Result<Redirect, ApiError> {
    let r = actions::test_fire(&state, &name, &user)
        .await
        .map(|n| format!("Test notification of {name} queued on {n} channel(s)"));
    back(r, "rules")
}

async fn delete_rule(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(name): Path<String>,
) -> Result<Redirect, ApiError> {
    let r = actions::delete_rule(&state, &name, &user)
        .await
        .map(|o| match o {
            crate::alerts::ruleset::Origin::Overridden => {
                format!("Rule {name} reverted to alerts.toml")
            }
            _ => format!("Rule {name} deleted"),
        });
    back(r, "rules")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Vec<(String, String)> {
        pairs(s.as_bytes())
    }

    #[test]
    fn the_rule_form_reads_into_a_rule_view() {
        let v = rule_from_form(&p(
            "name=kitchen&severity=warning&metric=error_rate&comparison=%3E&threshold=0.1\
             &window=5m&cooldown=10m&for=&restaurant=r-1&enabled=on",
        ))
        .unwrap();
        assert_eq!((v.name.as_str(), v.comparison.as_str()), ("kitchen", ">"));
        assert_eq!(v.hold_for, None);
        assert_eq!(v.restaurant.as_deref(), Some("r-1"));
        assert!(v.enabled && !v.split_by_restaurant);
        assert!(rule_from_form(&p("threshold=lots"))
            .unwrap_err()
            .starts_with("threshold:"));
    }

    #[test]
    fn the_silence_form_keeps_filled_matchers_only() {
        let s = silence_from_form(&p("rule=high_*&severity=&restaurant=r-2&duration=2h"));
        assert_eq!(s.matchers.len(), 2);
        assert_eq!(s.matchers[1].field, "restaurant");
        assert_eq!(s.duration.as_deref(), Some("2h"));
    }
}
