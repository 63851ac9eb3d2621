//! Alert rules: the shipped set served by the read API, and a bad rules file refused at
//! start with its line and field.

use crate::helpers::{spawn_app, TestApp};
use monitor::alerts::{engine, rule::Rule};
use serde_json::json;
use std::{future::Future, time::Duration};

/// Posts one custom metric point with the project's public key.
pub async fn post_point(app: &TestApp, metric: &str, value: f64, at: i64) {
    let body = serde_json::json!({"metric": metric, "value": value, "timestamp": at});
    let r = reqwest::Client::new()
        .post(app.url("/api/internal/metrics"))
        .bearer_auth(&app.ingest_token)
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
}

/// Evaluates `rules` at `at` until `done` holds: points reach storage through the ingest
/// queue, so the first evaluations may not see them yet.
pub async fn evaluate_until<F, Fut>(
    app: &TestApp,
    rules: &[Rule],
    states: &mut engine::States,
    at: i64,
    done: F,
) where
    F: Fn() -> Fut,
    Fut: Future<Output = bool>,
{
    for _ in 0..100 {
        engine::evaluate(&app.state, rules, states, at)
            .await
            .unwrap();
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the engine never got there at {at}");
}

#[tokio::test]
async fn the_standard_rules_are_listed_with_what_can_be_evaluated() {
    let app = spawn_app().await;
    app.login().await;
    let rules = app.get_json("/api/v1/alerts/rules").await;
    let rules = rules.as_array().unwrap();
    assert_eq!(rules.len(), 14);
    let rule = |n: &str| rules.iter().find(|r| r["name"] == n).unwrap().clone();
    let errors = rule("high_error_rate");
    assert_eq!(errors["window"], "5m");
    assert_eq!(errors["cooldown"], "10m");
    assert_eq!(
        errors["min_volume"], 50.0,
        "a ratio judged on enough requests"
    );
    assert_eq!(errors["repeat_interval"], "4h");
    assert_eq!(rule("high_cpu_usage")["aggregate"], "mean");
    let stopped = rule("order_processing_stopped");
    assert_eq!(
        (&stopped["split_by_restaurant"], &stopped["only_when_open"]),
        (&json!(true), &json!(true))
    );
    let metrics = app.get_json("/api/v1/alerts/metrics").await;
    let source = |name: &str| {
        metrics
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == name)
            .unwrap()["source"]
            .clone()
    };
    assert_eq!(source("slow_queries"), "slow_queries");
    assert_eq!(source("error_rate"), "request_error_rate");
    assert_eq!(
        source("cpu_usage"),
        json!({"host": "cpu_usage"}),
        "the platform's servers"
    );
    assert_eq!(source("monitor_cpu_usage"), "monitor_cpu");
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
async fn the_engine_fires_once_reminds_after_the_repeat_interval_resolves_and_keeps_history() {
    use monitor::alerts::{engine, rule};
    let app = spawn_app().await;
    app.login().await;
    let rules = rule::parse(
        "[[rule]]\nname = \"queue_backlog\"\nseverity = \"critical\"\nmetric = \"custom:queue_depth\"\n\
         comparison = \">\"\nthreshold = 100\nwindow = \"2m\"\ncooldown = \"5m\"\nrepeat_interval = \"10m\"\n\
         [[rule]]\nname = \"no_orders\"\nseverity = \"critical\"\nmetric = \"order_count\"\n\
         comparison = \"==\"\nthreshold = 0\nwindow = \"10m\"\ncooldown = \"1m\"\n",
        "test.toml",
    )
    .unwrap();
    let now = store::clock::now_ms();
    let mut states = engine::States::new();
    let history = || async {
        app.get_json("/api/v1/alerts/history?rule=queue_backlog")
            .await
    };

    post_point(&app, "queue_depth", 500.0, now).await;
    // Points go through the ingest queue: wait until the value is visible.
    evaluate_until(&app, &rules, &mut states, now, || async {
        !history().await.as_array().unwrap().is_empty()
    })
    .await;
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

    // Still over the threshold after the repeat interval: one reminder.
    post_point(&app, "queue_depth", 400.0, now + 10 * 60_000).await;
    let later = now + 10 * 60_000;
    evaluate_until(&app, &rules, &mut states, later, || async {
        history().await.as_array().unwrap().len() == 2
    })
    .await;
    assert_eq!(history().await[0]["change"], "reminded");

    // Back under: resolved, once.
    post_point(&app, "queue_depth", 20.0, now + 12 * 60_000).await;
    let recovered = now + 12 * 60_000;
    evaluate_until(&app, &rules, &mut states, recovered, || async {
        history().await.as_array().unwrap().len() == 3
    })
    .await;
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
    // No business events at all is no data, not zero orders: never evaluated.
    let none = app.get_json("/api/v1/alerts/history?rule=no_orders").await;
    assert!(none.as_array().unwrap().is_empty());
    app.stop().await;
}

/// A local stand-in for Slack and a webhook receiver: records what arrives; answers
/// 500 to the first `fail` requests.
pub struct Receiver {
    pub base: String,
    pub got: std::sync::Arc<std::sync::Mutex<Vec<(String, axum::http::HeaderMap, String)>>>,
    pub fail: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

pub async fn receiver() -> Receiver {
    use axum::{extract::State, http::StatusCode, routing::post, Router};
    use std::sync::{atomic::Ordering, Arc, Mutex};
    type Shared = (
        Arc<Mutex<Vec<(String, axum::http::HeaderMap, String)>>>,
        Arc<std::sync::atomic::AtomicUsize>,
    );
    async fn take(
        State((got, fail)): State<Shared>,
        uri: axum::http::Uri,
        headers: axum::http::HeaderMap,
        body: String,
    ) -> StatusCode {
        if fail
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            return StatusCode::INTERNAL_SERVER_ERROR;
        }
        got.lock()
            .unwrap()
            .push((uri.path().to_string(), headers, body));
        StatusCode::OK
    }
    let got = Arc::new(Mutex::new(vec![]));
    let fail = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let app = Router::new()
        .route("/{*path}", post(take))
        .with_state((got.clone(), fail.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Receiver { base, got, fail }
}

#[tokio::test]
async fn notifications_reach_slack_and_the_webhook_once_and_survive_failures() {
    use monitor::{
        alerts::{engine, rule},
        config::{SlackConfig, WebhookConfig},
        notify::{outbox, webhook},
    };
    use std::sync::atomic::Ordering;
    let rx = receiver().await;
    let (slack_url, hook_url) = (format!("{}/slack", rx.base), format!("{}/hook", rx.base));
    let app = crate::helpers::spawn_app_with(move |c| {
        c.alerts.slack = Some(SlackConfig {
            webhook_url: slack_url,
            channel: Some("#oncall".into()),
        });
        c.alerts.webhook = Some(WebhookConfig {
            url: hook_url,
            secret: "s3cret".into(),
        });
        // The background workers stay out of the way: this test drives them.
        c.alerts.interval_secs = 3600;
    })
    .await;
    app.login().await;
    let rules = rule::parse(
        "[[rule]]\nname = \"queue_backlog\"\nseverity = \"critical\"\nmetric = \"custom:depth\"\n\
         comparison = \">\"\nthreshold = 100\nwindow = \"2m\"\ncooldown = \"10m\"\n",
        "test.toml",
    )
    .unwrap();
    // Ahead of the clock: the background outbox worker (real time) never finds these
    // rows due, so only this test delivers them.
    let now = store::clock::now_ms() + 10 * 60_000;
    let mut states = engine::States::new();
    let client = outbox::client();
    let deliveries = || async { app.get_json("/api/v1/alerts/deliveries").await };

    post_point(&app, "depth", 500.0, now).await;
    evaluate_until(&app, &rules, &mut states, now, || async {
        !deliveries().await.as_array().unwrap().is_empty()
    })
    .await;
    outbox::deliver_due(&app.state, &client, now).await.unwrap();
    outbox::deliver_due(&app.state, &client, now + 60_000)
        .await
        .unwrap();
    let got = rx.got.lock().unwrap().clone();
    assert_eq!(got.len(), 2, "one per channel: {got:#?}");
    let slack = got.iter().find(|g| g.0 == "/slack").unwrap();
    let msg: serde_json::Value = serde_json::from_str(&slack.2).unwrap();
    assert_eq!(msg["text"], "🚨 CRITICAL ALERT: queue_backlog");
    assert_eq!(msg["channel"], "#oncall");
    assert_eq!(
        msg["attachments"][0]["fields"][3]["value"],
        "custom:depth is 500 (&gt; 100)"
    );
    let hook = got.iter().find(|g| g.0 == "/hook").unwrap();
    assert_eq!(
        hook.1[webhook::SIGNATURE_HEADER].to_str().unwrap(),
        webhook::signature("s3cret", &hook.2),
        "the signature matches the exact body"
    );
    let body: serde_json::Value = serde_json::from_str(&hook.2).unwrap();
    assert_eq!(
        (body["change"].as_str(), body["alerts"][0]["value"].as_f64()),
        (Some("fired"), Some(500.0))
    );

    // The receivers fail twice, then recover: the resolved message arrives once, late.
    rx.fail.store(2, Ordering::SeqCst);
    post_point(&app, "depth", 10.0, now + 3 * 60_000).await;
    let t = now + 3 * 60_000;
    evaluate_until(&app, &rules, &mut states, t, || async {
        deliveries().await.as_array().unwrap().len() == 4
    })
    .await;
    assert_eq!(
        outbox::deliver_due(&app.state, &client, t).await.unwrap(),
        0,
        "both fail"
    );
    assert_eq!(
        outbox::deliver_due(&app.state, &client, t + 1_000)
            .await
            .unwrap(),
        0,
        "not due yet"
    );
    assert_eq!(
        outbox::deliver_due(&app.state, &client, t + 5_000)
            .await
            .unwrap(),
        2,
        "retried"
    );
    assert_eq!(
        outbox::deliver_due(&app.state, &client, t + 60_000)
            .await
            .unwrap(),
        0
    );
    let got = rx.got.lock().unwrap().clone();
    let resolved: Vec<_> = got
        .iter()
        .filter(|g| g.2.contains("RESOLVED") || g.2.contains("\"resolved\""))
        .collect();
    assert_eq!(resolved.len(), 2, "one resolved message per channel");
    let d = deliveries().await;
    let latest = &d[0];
    assert_eq!(
        (latest["status"].as_str(), latest["attempts"].as_u64()),
        (Some("delivered"), Some(2))
    );
    assert_eq!(latest["change"], "resolved");
    app.stop().await;
}

#[tokio::test]
async fn a_notification_that_failed_before_a_restart_is_delivered_after_it() {
    use monitor::{
        alerts::{engine, rule},
        config::WebhookConfig,
        notify::outbox,
    };
    use std::sync::atomic::Ordering;
    let rx = receiver().await;
    let hook_url = format!("{}/hook", rx.base);
    let configure = {
        let hook_url = hook_url.clone();
        move |c: &mut monitor::config::Config| {
            c.alerts.webhook = Some(WebhookConfig {
                url: hook_url.clone(),
                secret: "k".into(),
            });
            c.alerts.interval_secs = 3600;
        }
    };
    let app = crate::helpers::spawn_app_with(configure.clone()).await;
    let rules = rule::parse(
        "[[rule]]\nname = \"disk\"\nseverity = \"warning\"\nmetric = \"custom:disk\"\n\
         comparison = \">\"\nthreshold = 0.9\nwindow = \"1m\"\ncooldown = \"1h\"\n",
        "t.toml",
    )
    .unwrap();
    let now = store::clock::now_ms() + 10 * 60_000;
    post_point(&app, "disk", 0.95, now).await;
    let mut states = engine::States::new();
    evaluate_until(&app, &rules, &mut states, now, || async {
        !app.state
            .storage
            .deliveries(None, 10)
            .await
            .unwrap()
            .is_empty()
    })
    .await;
    rx.fail.store(1, Ordering::SeqCst);
    let client = outbox::client();
    assert_eq!(
        outbox::deliver_due(&app.state, &client, now).await.unwrap(),
        0
    );
    let url = app.state.config.database.url.clone();
    let dir = app.stop_keeping_data().await;

    // The same database, a new process: the outbox row is still there and goes out.
    let again = crate::helpers::spawn_app_with(move |c| {
        configure(c);
        c.database.url = url;
    })
    .await;
    assert_eq!(
        outbox::deliver_due(&again.state, &client, now + 5_000)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        rx.got.lock().unwrap().len(),
        1,
        "delivered once, after the restart"
    );
    let d = again.state.storage.deliveries(None, 10).await.unwrap();
    assert_eq!((d[0].status.as_str(), d[0].attempts), ("delivered", 2));
    again.stop().await;
    drop(dir);
}

/// A local SMTP server that accepts everything and keeps (recipients, message).
pub async fn smtp_sink() -> (
    u16,
    std::sync::Arc<std::sync::Mutex<Vec<(Vec<String>, String)>>>,
) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let got = std::sync::Arc::new(std::sync::Mutex::new(vec![]));
    let kept = got.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let kept = kept.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                let (mut rcpt, mut data, mut in_data) = (vec![], String::new(), false);
                while let Ok(Some(line)) = lines.next_line().await {
                    let reply: &[u8] = if in_data {
                        if line == "." {
                            in_data = false;
                            kept.lock()
                                .unwrap()
                                .push((std::mem::take(&mut rcpt), std::mem::take(&mut data)));
                            b"250 queued\r\n"
                        } else {
                            data.push_str(&line);
                            data.push('\n');
                            continue;
                        }
                    } else {
                        let upper = line.to_ascii_uppercase();
                        if upper.starts_with("RCPT TO:") {
                            rcpt.push(line[8..].trim().to_string());
                            b"250 ok\r\n"
                        } else if upper.starts_with("DATA") {
                            in_data = true;
                            b"354 go on\r\n"
                        } else if upper.starts_with("QUIT") {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            break;
                        } else {
                            b"250 ok\r\n"
                        }
                    };
                    if write.write_all(reply).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    (port, got)
}

#[tokio::test]
async fn a_critical_alert_is_emailed_to_the_critical_recipients() {
    use monitor::{
        alerts::{engine, rule},
        config::{EmailConfig, SmtpTls},
        notify::outbox,
    };
    let (port, mail) = smtp_sink().await;
    let app = crate::helpers::spawn_app_with(move |c| {
        c.alerts.email = Some(EmailConfig {
            host: "127.0.0.1".into(),
            port,
            tls: SmtpTls::None,
            username: None,
            password: None,
            from: "RestaurantOS Monitor <monitor@example.com>".into(),
            critical_to: vec!["oncall@example.com".into(), "lead@example.com".into()],
            warning_to: vec!["team@example.com".into()],
        });
        c.alerts.interval_secs = 3600;
    })
    .await;
    let rules = rule::parse(
        "[[rule]]\nname = \"payments_down\"\nseverity = \"critical\"\nmetric = \"custom:pay\"\n\
         comparison = \"<\"\nthreshold = 1\nwindow = \"1m\"\ncooldown = \"1h\"\n",
        "t.toml",
    )
    .unwrap();
    let now = store::clock::now_ms() + 10 * 60_000;
    post_point(&app, "pay", 0.0, now).await;
    let mut states = engine::States::new();
    evaluate_until(&app, &rules, &mut states, now, || async {
        !app.state
            .storage
            .deliveries(None, 10)
            .await
            .unwrap()
            .is_empty()
    })
    .await;
    assert_eq!(
        outbox::deliver_due(&app.state, &outbox::client(), now)
            .await
            .unwrap(),
        1
    );
    let mail = mail.lock().unwrap().clone();
    assert_eq!(mail.len(), 1, "one email");
    assert_eq!(mail[0].0, ["<oncall@example.com>", "<lead@example.com>"]);
    let raw = &mail[0].1;
    assert!(
        raw.contains("Subject: =?utf-8?"),
        "an encoded subject (it has an emoji): {raw}"
    );
    assert!(
        raw.contains("text/plain") && raw.contains("text/html"),
        "both parts: {raw}"
    );
    app.stop().await;
}
