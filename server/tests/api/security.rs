//! Security: failed sign-ins lock the account for the configured time and raise the
//! burst warning; the audit log records admin actions with before and after, and refuses
//! to be rewritten.

use crate::helpers::{spawn_app_with, ADMIN, PASSWORD};
use monitor::alerts::{engine, rule};
use serde_json::Value;
use std::time::Duration;

#[tokio::test]
async fn five_failed_sign_ins_lock_the_account_for_the_configured_time_and_warn() {
    let app = spawn_app_with(|c| {
        c.auth.lockout_secs = 2;
        c.alerts.interval_secs = 3600;
    })
    .await;
    let location = |r: &reqwest::Response| r.headers()["location"].to_str().unwrap().to_string();
    for _ in 0..5 {
        let r = app.login_as(ADMIN, "wrong-password").await;
        assert!(location(&r).contains("error=credentials"));
    }
    let r = app.login_as(ADMIN, PASSWORD).await;
    assert!(
        location(&r).contains("error=locked"),
        "the right password is refused while locked"
    );

    // The burst of failures from one address raises the warning.
    let rules = rule::parse(rule::DEFAULT_RULES, "alerts.toml").unwrap();
    let mut states = engine::States::new();
    engine::evaluate(&app.state, &rules, &mut states, store::clock::now_ms())
        .await
        .unwrap();
    let h = app
        .state
        .storage
        .alert_history(&protocol::AlertHistoryQuery {
            rule: Some("auth_failure_burst".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!((h[0].change.as_str(), h[0].value), ("fired", 5.0));

    tokio::time::sleep(Duration::from_millis(2100)).await;
    let r = app.login_as(ADMIN, PASSWORD).await;
    assert_eq!(location(&r), "/", "unlocked after lockout_secs");
    let audit = app.get_json("/api/v1/audit?actor=admin").await;
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions[0], "login");
    assert_eq!(actions[1], "login.locked");
    assert_eq!(actions.iter().filter(|a| **a == "login.failed").count(), 5);
    assert_eq!(audit[0]["source"], "127.0.0.1");
    app.stop().await;
}

#[tokio::test]
async fn the_audit_log_records_a_settings_change_with_before_and_after() {
    let app = spawn_app_with(|_| {}).await;
    app.login().await;
    let r = app
        .post_form(
            "/settings/filters",
            &[("messages", "Script error."), ("environments", "staging")],
        )
        .await;
    assert_eq!(r.status(), 303);
    let r = app
        .post_form("/alerts/silences", &[("rule", "low_*"), ("duration", "1h")])
        .await;
    assert_eq!(r.status(), 303);

    let entries = app.get_json("/api/v1/audit?action=settings.filters").await;
    let e = &entries[0];
    assert_eq!(
        (e["actor"].as_str(), e["source"].as_str()),
        (Some("admin"), Some("127.0.0.1"))
    );
    let before: Value = serde_json::from_str(e["before"].as_str().unwrap()).unwrap();
    let after: Value = serde_json::from_str(e["after"].as_str().unwrap()).unwrap();
    assert!(before["messages"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m.as_str().unwrap().contains("ResizeObserver")));
    assert_eq!(after["messages"], serde_json::json!(["Script error."]));
    assert_eq!(after["environments"], serde_json::json!(["staging"]));
    let silences = app.get_json("/api/v1/audit?action=silence.").await;
    assert_eq!(silences[0]["action"], "silence.create");
    let page = app.get("/audit").await.text().await.unwrap();
    assert!(page.contains("settings.filters") && page.contains("staging"));

    // Append-only, even for code that would try: the database refuses.
    let url = app.state.config.database.url.clone();
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
        .await
        .unwrap();
    let err = sqlx::query("UPDATE audit_log SET actor = 'someone-else'")
        .execute(&mut conn)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    assert!(sqlx::query("DELETE FROM audit_log")
        .execute(&mut conn)
        .await
        .is_err());
    app.stop().await;
}
