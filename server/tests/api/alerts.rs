//! Alert rules: the shipped set served by the read API, and a bad rules file refused at
//! start with its line and field.

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_standard_rules_are_listed_with_what_can_be_evaluated() {
    let app = spawn_app().await;
    app.login().await;
    let rules = app.get_json("/api/v1/alerts/rules").await;
    let rules = rules.as_array().unwrap();
    assert_eq!(rules.len(), 11);
    let rule = |n: &str| rules.iter().find(|r| r["name"] == n).unwrap().clone();
    let errors = rule("high_error_rate");
    assert_eq!(errors["window"], "5m");
    assert_eq!(errors["cooldown"], "10m");
    assert_eq!(errors["available"], true);
    assert_eq!(
        rule("order_processing_stopped")["available"],
        false,
        "no order data yet: not zero"
    );
    let metrics = app.get_json("/api/v1/alerts/metrics").await;
    assert!(metrics
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["name"] == "payment_failure_rate" && m["source"] == "unavailable"));
    app.stop().await;
}

#[test]
fn a_bad_rules_file_stops_the_start_naming_the_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("alerts.toml");
    std::fs::write(
        &file,
        "[[rule]]\nname = \"a\"\nseverity = \"critical\"\nmetric = \"error_rate\"\ncomparison = \">\"\n\
         threshold = 1\nwindow = \"5m\"\ncooldown = \"1m\"\ntreshold = 2\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_monitor"))
        .current_dir(dir.path())
        .env("MONITOR_SERVER__PORT", "0")
        .env(
            "MONITOR_DATABASE__URL",
            format!("sqlite://{}", dir.path().join("m.db").display()),
        )
        .env("MONITOR_ADMIN_PASSWORD", "alerts-test-password")
        .env("MONITOR_ALERTS__FILE", &file)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("{}:9:", file.display())) && stderr.contains("treshold"),
        "{stderr}"
    );
}

#[tokio::test]
async fn the_engine_fires_once_reminds_after_the_cooldown_resolves_and_keeps_history() {
    use monitor::alerts::{engine, rule};
    let app = spawn_app().await;
    app.login().await;
    let rules = rule::parse(
        "[[rule]]\nname = \"queue_backlog\"\nseverity = \"critical\"\nmetric = \"custom:queue_depth\"\n\
         comparison = \">\"\nthreshold = 100\nwindow = \"2m\"\ncooldown = \"10m\"\n\
         [[rule]]\nname = \"no_orders\"\nseverity = \"critical\"\nmetric = \"order_count\"\n\
         comparison = \"==\"\nthreshold = 0\nwindow = \"10m\"\ncooldown = \"1m\"\n",
        "test.toml",
    )
    .unwrap();
    let now = monitor::clock::now_ms();
    let post = |value: f64, at: i64| {
        let body = serde_json::json!({"metric": "queue_depth", "value": value, "timestamp": at});
        reqwest::Client::new()
            .post(app.url("/api/internal/metrics"))
            .header("x-monitor-key", &app.public_key)
            .body(body.to_string())
            .send()
    };
    let mut states = engine::States::new();
    let history = || async {
        app.get_json("/api/v1/alerts/history?rule=queue_backlog")
            .await
    };

    assert_eq!(post(500.0, now).await.unwrap().status(), 202);
    // Points go through the ingest queue: wait until the value is visible.
    for _ in 0..100 {
        engine::evaluate(&app.state, &rules, &mut states, now)
            .await
            .unwrap();
        if !history().await.as_array().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    engine::evaluate(&app.state, &rules, &mut states, now + 60_000)
        .await
        .unwrap();
    let h = history().await;
    assert_eq!(
        h.as_array().unwrap().len(),
        1,
        "fired once, not again a minute later: {h:#}"
    );
    assert_eq!(h[0]["change"], "fired");
    assert_eq!(h[0]["notify"], true);
    assert_eq!(h[0]["value"], 500.0);

    // Still over the threshold after the cooldown: one reminder.
    assert_eq!(post(400.0, now + 10 * 60_000).await.unwrap().status(), 202);
    let later = now + 10 * 60_000;
    for _ in 0..100 {
        engine::evaluate(&app.state, &rules, &mut states, later)
            .await
            .unwrap();
        if history().await.as_array().unwrap().len() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(history().await[0]["change"], "reminded");

    // Back under: resolved, once.
    assert_eq!(post(20.0, now + 12 * 60_000).await.unwrap().status(), 202);
    let recovered = now + 12 * 60_000;
    for _ in 0..100 {
        engine::evaluate(&app.state, &rules, &mut states, recovered)
            .await
            .unwrap();
        if history().await.as_array().unwrap().len() == 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    engine::evaluate(&app.state, &rules, &mut states, recovered + 60_000)
        .await
        .unwrap();
    let h = history().await;
    let changes: Vec<&str> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["change"].as_str().unwrap())
        .collect();
    assert_eq!(changes, ["resolved", "reminded", "fired"]);

    // The state is stored: a restarted engine picks it up.
    let reloaded = engine::load_states(&app.state).await.unwrap();
    assert_eq!(reloaded, states);
    // A rule on a metric with no source is never evaluated (no data is not zero).
    let none = app.get_json("/api/v1/alerts/history?rule=no_orders").await;
    assert!(none.as_array().unwrap().is_empty());
    app.stop().await;
}
