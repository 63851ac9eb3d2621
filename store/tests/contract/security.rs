//! The audit log, failed sign-ins and security counts.

use crate::support::*;
use store::{AuditEntry, AuditQuery, BusinessEvent, IngestBatch, Storage};

async fn five_entries(s: &dyn Storage) -> AuditEntry {
    let save = AuditEntry {
        target: Some("kds_lag".into()),
        before: Some("{\"threshold\":1}".into()),
        after: Some("{\"threshold\":2}".into()),
        ..audit(3_000, "audit-bo", "alert.rule.save")
    };
    for e in [
        audit(1_000, "audit-ana", "login"),
        audit(2_000, "audit-ana", "alert.ack"),
        save.clone(),
        audit(4_000, "audit-bo", "alertness"),
        audit(5_000, "audit-bo", "silence.create"),
    ] {
        s.append_audit(&e).await.unwrap();
    }
    save
}

async fn actions(s: &dyn Storage, q: AuditQuery) -> Vec<String> {
    s.audit_log(&q)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

fn action(a: &str) -> AuditQuery {
    AuditQuery {
        action: Some(a.into()),
        ..AuditQuery::default()
    }
}

async fn failures(s: &dyn Storage) {
    for (user, source, at) in [
        ("mallory", "10.0.0.9", 1_000),
        ("mallory", "10.0.0.9", 2_000),
        ("root", "10.0.0.9", 3_000),
        ("mallory", "10.0.0.7", 4_000),
    ] {
        s.record_login_failure(user, source, at).await.unwrap();
    }
}

contract! {
    async fn audit_entries_are_stored_as_given_and_listed_newest_first(s) {
        let save = five_entries(s).await;
        assert_eq!(
            actions(s, AuditQuery::default()).await,
            ["silence.create", "alertness", "alert.rule.save", "alert.ack", "login"],
            "newest first"
        );
        let saved = s.audit_log(&action("alert.rule.save")).await.unwrap().remove(0);
        assert_eq!(saved, AuditEntry { id: saved.id, ..save }, "stored as given");
        let recent = AuditQuery { from_ms: Some(3_000), limit: Some(2), ..AuditQuery::default() };
        assert_eq!(actions(s, recent).await, ["silence.create", "alertness"]);
    }

    async fn audit_filters_by_actor_exact_action_and_literal_prefix(s) {
        five_entries(s).await;
        let by_actor = AuditQuery { actor: Some("audit-ana".into()), ..AuditQuery::default() };
        assert_eq!(actions(s, by_actor).await, ["alert.ack", "login"]);
        assert_eq!(actions(s, action("alert.ack")).await, ["alert.ack"], "exact");
        assert!(actions(s, action("alert")).await.is_empty(), "exact without the dot");
        assert_eq!(actions(s, action("alert.")).await, ["alert.rule.save", "alert.ack"], "a prefix");
        assert!(actions(s, action("sil%.")).await.is_empty(), "% is literal in a prefix");
        assert!(actions(s, action("alert_rule.")).await.is_empty(), "_ is literal in a prefix");
    }

    async fn login_failures_count_per_account_and_source_and_per_source_since_a_time(s) {
        failures(s).await;
        let count = |user: &'static str, since| async move {
            let f = s.login_failures(user, "10.0.0.9", since).await.unwrap();
            (f.pair, f.pair_last_ms, f.source, f.source_last_ms)
        };
        assert_eq!(count("mallory", 0).await, (2, Some(2_000), 3, Some(3_000)));
        assert_eq!(count("mallory", 2_000).await, (1, Some(2_000), 2, Some(3_000)));
        assert_eq!(count("mallory", 5_000).await, (0, None, 0, None));
        s.clear_login_failures("mallory", "10.0.0.9").await.unwrap();
        assert_eq!(count("mallory", 0).await, (0, None, 1, Some(3_000)), "root's failure stays");
        let other = s.login_failures("mallory", "10.0.0.7", 0).await.unwrap();
        assert_eq!(other.pair, 1, "the same account from another source stays");
    }

    /// An attempt is counted before it is judged: parallel attempts each see at least
    /// the ones that counted before them, so together they cannot pass the allowance.
    async fn parallel_sign_in_attempts_see_each_other(s) {
        let attempts = (0..12).map(|i| s.login_attempt("eve", "10.1.1.1", 1_000 + i, 0));
        let seen = futures_util::future::join_all(attempts).await;
        let mut others: Vec<u64> = seen.iter().map(|r| r.as_ref().unwrap().1.pair).collect();
        others.sort_unstable();
        for (k, n) in others.iter().enumerate() {
            assert!(*n >= k as u64, "the {k}-th to count saw only {n} others: {others:?}");
            assert!(*n <= 11, "never itself");
        }
        let (id, f) = s.login_attempt("eve", "10.1.1.1", 2_000, 0).await.unwrap();
        assert_eq!((f.pair, f.source), (12, 12));
        s.forget_login_attempt(&id).await.unwrap();
        let f = s.login_failures("eve", "10.1.1.1", 0).await.unwrap();
        assert_eq!((f.pair, f.pair_last_ms), (12, Some(1_011)), "the forgotten one is gone");
    }

    /// The audit log refuses deletes, but for what is past its retention; and the
    /// retention cannot reach the last 30 days.
    async fn audit_retention_deletes_only_what_is_past_it(s) {
        let now = store::clock::now_ms();
        for at in [now - 500 * DAY, now - 401 * DAY, now - 399 * DAY, now - HOUR] {
            s.append_audit(&audit(at, "audit-old", "login")).await.unwrap();
        }
        assert_eq!(s.enforce_audit_retention(now - 400 * DAY).await.unwrap(), 2);
        let left = s.audit_log(&AuditQuery::default()).await.unwrap();
        assert_eq!(left.len(), 2, "the last 400 days stay");
        assert!(
            s.enforce_audit_retention(now - DAY).await.is_err(),
            "the database refuses a cut inside the last 30 days"
        );
        assert_eq!(s.audit_log(&AuditQuery::default()).await.unwrap().len(), 2);
    }

    async fn security_counts_join_sign_in_failures_and_platform_events(s) {
        failures(s).await;
        let p = s.ensure_project("security", "S", "key-security").await.unwrap();
        let platform = |kind, source: Option<&str>, at| BusinessEvent {
            source: source.map(Into::into),
            ..business(p.id, at, kind, None)
        };
        let events = vec![
            platform("auth.failed", Some("203.0.113.5"), 1_500),
            platform("auth.failed", Some("203.0.113.5"), 2_500),
            platform("permission.denied", None, 1_500),
            platform("auth.failed", Some("203.0.113.5"), 9_000),
            platform("order.created", Some("203.0.113.5"), 1_500),
        ];
        write(s, IngestBatch { business: events, ..IngestBatch::default() }).await;
        let counts = || async move {
            let mut c = s.security_counts(p.id, 0, 5_000).await.unwrap();
            c.sort();
            c
        };
        let row = |kind: &str, source: &str, n| (kind.to_string(), source.to_string(), n);
        assert_eq!(
            counts().await,
            [
                row("auth.failed", "10.0.0.7", 1),
                row("auth.failed", "10.0.0.9", 3),
                row("auth.failed", "203.0.113.5", 2),
                row("permission.denied", "", 1),
            ]
        );
        s.clear_login_failures("mallory", "10.0.0.9").await.unwrap();
        assert_eq!(
            counts().await,
            [
                row("auth.failed", "10.0.0.7", 1),
                row("auth.failed", "10.0.0.9", 1),
                row("auth.failed", "203.0.113.5", 2),
                row("permission.denied", "", 1),
            ]
        );
    }
}
