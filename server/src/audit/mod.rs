//! The audit log: every admin action with who, when, from where and what changed. The
//! HTTP layer records it after the action succeeded; a failure to record is logged as an
//! error (the action already happened and cannot be taken back).
//!
//! Every field may come from outside (a sign-in form's username, a client's address), so
//! each is capped before it is stored; refused sign-ins from one source are one row per
//! minute with their count ([`refusals::Refusals`]), so a flood of them cannot fill the disk.

pub mod entry;
pub mod refusals;

use crate::services::Services;
use app::api::CurrentUser;
use entry::entry;
use serde::Serialize;
use store::{clock::now_ms, AuditEntry};

async fn append(services: &Services, e: &AuditEntry) {
    if let Err(err) = services.storage.append_audit(e).await {
        tracing::error!(action = %e.action, actor = %e.actor, error = %err, "audit entry not stored");
    }
}

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
    let e = entry(
        actor,
        source,
        action,
        target,
        before.map(|b| b.json()),
        after.map(|a| a.json()),
        1,
    );
    append(services, &e).await;
}

/// Counts a refused sign-in (`login.failed`, `login.throttled`) of `username` from
/// `source`; the row for its minute is written once the minute is over.
pub async fn refused(services: &Services, source: &str, action: &'static str, username: &str) {
    for e in services.refusals.add(source, action, username, now_ms()) {
        append(services, &e).await;
    }
}

/// Writes the refusal rows whose minute is over (all of them when `all`).
pub async fn flush_refusals(services: &Services, all: bool) {
    for e in services.refusals.due(now_ms(), all) {
        append(services, &e).await;
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
