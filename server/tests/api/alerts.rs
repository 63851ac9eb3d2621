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
