//! The audit log: every admin action with who, when, from where and what changed. The
//! HTTP layer records it after the action succeeded; a failure to record is logged as an
//! error (the action already happened and cannot be taken back).

use store::{clock::now_ms, AuditEntry};

use crate::services::Services;
use app::api::CurrentUser;
use serde::Serialize;

/// Records `action` on `target` by `user`, with the state before and after as JSON.
pub async fn record(
    services: &Services,
    user: &CurrentUser,
    action: &str,
    target: Option<&str>,
    before: Option<&dyn erased::Json>,
    after: Option<&dyn erased::Json>,
) {
    record_as(
        services,
        &user.username,
        user.source.as_deref(),
        action,
        target,
        before,
        after,
    )
    .await;
}

pub async fn record_as(
    services: &Services,
    actor: &str,
    source: Option<&str>,
    action: &str,
    target: Option<&str>,
    before: Option<&dyn erased::Json>,
    after: Option<&dyn erased::Json>,
) {
    let entry = AuditEntry {
        id: 0,
        at_ms: now_ms(),
        actor: actor.to_string(),
        action: action.to_string(),
        target: target.map(str::to_string),
        source: source.map(str::to_string),
        before: before.map(|b| b.json()),
        after: after.map(|a| a.json()),
    };
    if let Err(e) = services.storage.append_audit(&entry).await {
        tracing::error!(%action, %actor, error = %e, "audit entry not stored");
    }
}

/// Anything serializable, behind a trait object (the call sites pass different types).
pub mod erased {
    pub trait Json: Sync {
        fn json(&self) -> String;
    }

    impl<T: super::Serialize + Sync> Json for T {
        fn json(&self) -> String {
            serde_json::to_string(self).unwrap_or_default()
        }
    }
}
