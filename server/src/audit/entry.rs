//! One audit row as it is stored: every field from outside capped first.

use store::{clock::now_ms, AuditEntry};

/// Longest stored actor (a username as typed), target, source, action; longest JSON.
pub const MAX_ACTOR: usize = 128;
pub const MAX_TARGET: usize = 256;
pub const MAX_SOURCE: usize = 64;
pub const MAX_ACTION: usize = 64;
pub const MAX_JSON: usize = 16 * 1024;

pub fn cap(s: &str, chars: usize) -> String {
    s.chars().take(chars).collect()
}

/// JSON longer than [`MAX_JSON`] is replaced by a note of its size (cut JSON is not JSON).
fn cap_json(json: String) -> String {
    if json.len() <= MAX_JSON {
        json
    } else {
        serde_json::json!({ "truncated": true, "bytes": json.len() }).to_string()
    }
}

pub fn entry(
    actor: &str,
    source: Option<&str>,
    action: &str,
    target: Option<&str>,
    before: Option<String>,
    after: Option<String>,
    repeats: u64,
) -> AuditEntry {
    AuditEntry {
        id: 0,
        at_ms: now_ms(),
        actor: cap(actor, MAX_ACTOR),
        action: cap(action, MAX_ACTION),
        target: target.map(|t| cap(t, MAX_TARGET)),
        source: source.map(|s| cap(s, MAX_SOURCE)),
        before: before.map(cap_json),
        after: after.map(cap_json),
        repeats,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_from_outside_are_capped() {
        let long = "u".repeat(1_000_000);
        let e = entry(
            &long,
            Some(&long),
            "login.failed",
            Some(&long),
            None,
            Some(long.clone()),
            1,
        );
        assert_eq!(e.actor.len(), MAX_ACTOR);
        assert_eq!(e.source.unwrap().len(), MAX_SOURCE);
        assert_eq!(e.target.unwrap().len(), MAX_TARGET);
        assert!(e.after.unwrap().contains("\"truncated\":true"));
    }
}
