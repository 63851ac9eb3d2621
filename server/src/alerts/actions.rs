//! What people do to alerts, from the dashboard's forms or the read API: acknowledge,
//! silence, edit rules, test-fire. Each checks its input and says what is wrong.

use super::{
    engine,
    rule::parse_duration,
    ruleset::{self, Origin},
    silence,
};
use crate::{audit, services::Services};
use app::api::CurrentUser;
use protocol::{Matcher, RuleView, Silence};
use store::clock::now_ms;

#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    /// The input is wrong; the message names the field.
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(&'static str),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<store::StorageError> for ActionError {
    fn from(e: store::StorageError) -> Self {
        ActionError::Internal(e.into())
    }
}

pub type Result<T> = std::result::Result<T, ActionError>;

pub async fn acknowledge(
    services: &Services,
    rule: &str,
    instance: &str,
    user: &CurrentUser,
) -> Result<()> {
    let by = user.username.as_str();
    if !services
        .storage
        .acknowledge_alert(rule, instance, by, now_ms())
        .await?
    {
        return Err(ActionError::NotFound(
            "no such firing alert, or it is already acknowledged",
        ));
    }
    tracing::info!(%rule, %instance, %by, "alert acknowledged");
    let target = if instance.is_empty() {
        rule.to_string()
    } else {
        format!("{rule} ({instance})")
    };
    audit::record(services, user, "alert.ack", Some(&target), None, None).await;
    Ok(())
}

/// A silence as people write it: matchers, when it starts (now when absent) and either
/// how long it lasts (`"2h"`) or when it ends.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct NewSilence {
    pub matchers: Vec<Matcher>,
    pub starts_ms: Option<i64>,
    pub ends_ms: Option<i64>,
    pub duration: Option<String>,
    #[serde(default)]
    pub comment: String,
}

/// The longest silence: a forgotten one must not mute alerts for ever.
const MAX_SILENCE_MS: i64 = 90 * 86_400_000;

pub async fn create_silence(services: &Services, s: NewSilence, user: &CurrentUser) -> Result<i64> {
    let by = user.username.as_str();
    let now = now_ms();
    silence::check_matchers(&s.matchers).map_err(ActionError::Invalid)?;
    let starts = s.starts_ms.unwrap_or(now);
    let ends = match (s.ends_ms, s.duration.as_deref().map(str::trim)) {
        (Some(e), _) => e,
        (None, Some(d)) if !d.is_empty() => {
            starts
                + parse_duration(d)
                    .map_err(|e| ActionError::Invalid(format!("duration: {e}")))?
                    .as_millis() as i64
        }
        _ => {
            return Err(ActionError::Invalid(
                "duration: say how long (\"2h\") or when it ends (ends_ms)".into(),
            ))
        }
    };
    if ends <= starts.max(now) {
        return Err(ActionError::Invalid(
            "ends: must be after the start and in the future".into(),
        ));
    }
    if ends - starts > MAX_SILENCE_MS {
        return Err(ActionError::Invalid("duration: at most 90 days".into()));
    }
    if s.comment.len() > 500 {
        return Err(ActionError::Invalid(
            "comment: at most 500 characters".into(),
        ));
    }
    let silence = Silence {
        id: 0,
        matchers: s.matchers,
        starts_ms: starts,
        ends_ms: ends,
        comment: s.comment.trim().to_string(),
        created_by: by.to_string(),
        created_at_ms: now,
    };
    let id = services.storage.create_silence(&silence).await?;
    tracing::info!(id, matchers = %silence.describe(), %by, "silence created");
    let saved = Silence { id, ..silence };
    audit::record(
        services,
        user,
        "silence.create",
        Some(&id.to_string()),
        None,
        Some(&saved),
    )
    .await;
    Ok(id)
}

pub async fn expire_silence(services: &Services, id: i64, user: &CurrentUser) -> Result<()> {
    let by = user.username.as_str();
    if !services.storage.expire_silence(id, now_ms()).await? {
        return Err(ActionError::NotFound("no such active silence"));
    }
    tracing::info!(id, %by, "silence expired");
    audit::record(
        services,
        user,
        "silence.expire",
        Some(&id.to_string()),
        None,
        None,
    )
    .await;
    Ok(())
}

/// Saves a rule from the dashboard: a new rule, an edit, or an override of a file rule.
pub async fn save_rule(services: &Services, v: &RuleView, user: &CurrentUser) -> Result<()> {
    let by = user.username.as_str();
    let rule = ruleset::from_view(v).map_err(ActionError::Invalid)?;
    let before = ruleset::effective(services)
        .await?
        .into_iter()
        .find(|e| e.rule.name == rule.name)
        .map(|e| ruleset::view(&e));
    ruleset::save(services, &rule, by, now_ms()).await?;
    tracing::info!(rule = %rule.name, %by, "alert rule saved");
    let after = ruleset::effective(services)
        .await?
        .into_iter()
        .find(|e| e.rule.name == rule.name)
        .map(|e| ruleset::view(&e));
    audit::record(
        services,
        user,
        "alert.rule.save",
        Some(&rule.name),
        before.as_ref().map(|b| b as &dyn audit::erased::Json),
        after.as_ref().map(|a| a as &dyn audit::erased::Json),
    )
    .await;
    Ok(())
}

/// Deletes a dashboard rule, or reverts an override to the file's rule. File rules
/// cannot be deleted (disable them instead).
pub async fn delete_rule(services: &Services, name: &str, user: &CurrentUser) -> Result<Origin> {
    let by = user.username.as_str();
    let rules = ruleset::effective(services).await?;
    let found = rules
        .iter()
        .find(|e| e.rule.name == name)
        .ok_or(ActionError::NotFound("no such rule"))?;
    let origin = found.origin;
    let before = ruleset::view(found);
    if origin == Origin::File {
        return Err(ActionError::Invalid(
            "name: rules from alerts.toml cannot be deleted here; disable them, or remove them from the file".into(),
        ));
    }
    services.storage.delete_rule(name).await?;
    tracing::info!(rule = %name, %by, origin = origin.as_str(), "alert rule deleted");
    audit::record(
        services,
        user,
        "alert.rule.delete",
        Some(name),
        Some(&before),
        None,
    )
    .await;
    Ok(origin)
}

/// Test-fires a rule through every channel; returns how many channels were queued.
pub async fn test_fire(services: &Services, name: &str, user: &CurrentUser) -> Result<usize> {
    let by = user.username.as_str();
    let rules = ruleset::effective(services).await?;
    let rule = rules
        .iter()
        .find(|e| e.rule.name == name)
        .ok_or(ActionError::NotFound("no such rule"))?;
    let n = engine::test_fire(services, &rule.rule, by).await?;
    tracing::info!(rule = %name, %by, channels = n, "alert rule test-fired");
    audit::record(services, user, "alert.rule.test", Some(name), None, None).await;
    Ok(n)
}
