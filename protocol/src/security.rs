//! The audit log as the Audit page and the read API show it.

use serde::{Deserialize, Serialize};

/// One admin action: who, when, from where, what, and what changed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at_ms: i64,
    pub actor: String,
    /// `login`, `login.failed`, `login.throttled`, `logout`, `settings.filters`, `token.create`,
    /// `token.revoke`, `issue.status`, `alert.ack`, `alert.rule.save`, `alert.rule.delete`,
    /// `alert.rule.test`, `silence.create`, `silence.expire`, `probe.save`, `probe.delete`.
    pub action: String,
    pub target: Option<String>,
    /// The client's address.
    pub source: Option<String>,
    /// JSON of the thing before and after the change, where there is one.
    pub before: Option<String>,
    pub after: Option<String>,
    /// How many times it happened in its minute: refused sign-ins from one source are one
    /// row per minute with their count.
    #[serde(default = "one")]
    pub repeats: u64,
}

fn one() -> u64 {
    1
}

/// Recent failed sign-ins of one account from one source, and from that source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginFailures {
    pub pair: u64,
    pub pair_last_ms: Option<i64>,
    pub source: u64,
    pub source_last_ms: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditQuery {
    pub actor: Option<String>,
    /// An action, or a prefix ending in `.` (`alert.`).
    pub action: Option<String>,
    pub from_ms: Option<i64>,
    pub limit: Option<u32>,
}

impl AuditQuery {
    /// Reads `actor`, `action` and `range` (`1h`, `24h`, `7d`, `30d` before `now_ms`).
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
        now_ms: i64,
    ) -> Result<AuditQuery, String> {
        let mut q = AuditQuery::default();
        let text = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty());
        for (k, v) in pairs {
            match k {
                "actor" => q.actor = text(v),
                "action" => q.action = text(v),
                "range" if v.is_empty() => {}
                "range" => q.from_ms = Some(now_ms - crate::range::range_span(v)?),
                "limit" => q.limit = Some(v.parse().map_err(|_| format!("limit: {v:?}"))?),
                _ => {}
            }
        }
        Ok(q)
    }
}
