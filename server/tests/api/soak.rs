//! The shipped rules, soaked: an idle platform with the machine's CPU kept busy by another
//! process pages nobody; a real outage pages once, reminds once, resolves once.
//!
//! The engine evaluates every second (the shipped default is 15 s), a webhook receiver
//! counts what is sent. `SOAK_SECS` sets the quiet phase (default 180 s).

use crate::{
    alerts::receiver,
    helpers::{beacon, beacons, spawn_app_with},
    sentry::{envelope, post_envelope},
};
use monitor::{alerts::rule::DEFAULT_RULES, config::WebhookConfig};
use serde_json::{json, Value};
use std::{
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// Another process keeping a core busy, stopped when dropped.
struct Busy(Child);

impl Drop for Busy {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One `http.server` transaction of orders-api, answered now with `status`.
fn request(status: u16) -> String {
    let now = store::clock::now_ms() as f64 / 1000.0;
    json!({
        "type": "transaction", "transaction": "POST /api/orders", "platform": "node",
        "start_timestamp": now - 0.04, "timestamp": now,
        "tags": {"service": "orders-api"},
        "contexts": {"trace": {
            "op": "http.server", "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "span_id": "00f067aa0ba902b7",
            "status": if status >= 500 { "internal_error" } else { "ok" },
            "data": {"http.response.status_code": status}}}
    })
    .to_string()
}

async fn send_requests(app: &crate::helpers::TestApp, ok: usize, failed: usize) {
    let (ok_tx, bad_tx) = (request(200), request(500));
    let all: Vec<&str> = std::iter::repeat_n(bad_tx.as_str(), failed)
        .chain(std::iter::repeat_n(ok_tx.as_str(), ok))
        .collect();
    for chunk in all.chunks(50) {
        let items: Vec<(&str, &str)> = chunk.iter().map(|t| ("transaction", *t)).collect();
        let r = post_envelope(app, envelope(&app.public_key, &items), None).await;
        assert_eq!(r.status(), 200);
    }
}

/// What the receiver got, as (rule, change) of each message's lead alert.
fn sent(rx: &crate::alerts::Receiver) -> Vec<(String, String)> {
    rx.got
        .lock()
        .unwrap()
        .iter()
        .map(|(_, _, body)| {
            let v: Value = serde_json::from_str(body).unwrap();
            let lead = &v["alerts"][0];
            (
                lead["rule"].as_str().unwrap().to_string(),
                lead["change"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn wait_for(rx: &crate::alerts::Receiver, n: usize, within: Duration) {
    let deadline = Instant::now() + within;
    while sent(rx).len() < n {
        assert!(
            Instant::now() < deadline,
            "{n} notifications within {within:?}; got {:?}",
            sent(rx)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shipped_rules_page_nobody_when_idle_and_once_per_real_outage() {
    let quiet = Duration::from_secs(
        std::env::var("SOAK_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(180),
    );
    let rx = receiver().await;
    let dir = tempfile::tempdir().unwrap();
    // The shipped rules as they are, but for high_error_rate's timing, so its reminder
    // comes within the test: cooldown 10 s, a reminder every 30 s (shipped: 10 min, 4 h).
    let rules = tune_high_error_rate(DEFAULT_RULES);
    assert_ne!(rules, DEFAULT_RULES);
    let file = dir.path().join("alerts.toml");
    std::fs::write(&file, rules).unwrap();
    let hook = format!("{}/hook", rx.base);
    let app = spawn_app_with(move |c| {
        c.alerts.file = file;
        c.alerts.interval_secs = 1;
        c.alerts.webhook = Some(WebhookConfig {
            url: hook,
            secret: "s3cret".into(),
        });
    })
    .await;
    let prom = &app.state.telemetry.prom;
    let busy = Busy(
        Command::new("yes")
            .stdout(Stdio::null())
            .spawn()
            .expect("yes runs"),
    );

    // Quiet: a load balancer polls /health every second, one visitor loads a page every
    // few seconds, the CPU is busy. Nothing is wrong with the platform.
    let started = Instant::now();
    let evaluations = prom.alert_evaluations.get();
    let mut tick = 0u64;
    while started.elapsed() < quiet {
        let health = app.client.get(app.url("/health")).send().await.unwrap();
        assert_eq!(health.status(), 200);
        if tick.is_multiple_of(3) {
            let r = app
                .post_rum(beacons(&[beacon("/menu", 900.0)]), "application/json")
                .await;
            assert_eq!(r.status(), 202);
        }
        tick += 1;
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    let quiet_evaluations = prom.alert_evaluations.get() - evaluations;
    let fired = app
        .state
        .storage
        .transitions_since(0)
        .await
        .unwrap()
        .into_iter()
        .filter(|t| t.change != "pending")
        .map(|t| (t.rule, t.change))
        .collect::<Vec<_>>();
    eprintln!(
        "soak: {:.1} min quiet, {quiet_evaluations} evaluations, {} notifications, transitions {fired:?}",
        started.elapsed().as_secs_f64() / 60.0,
        sent(&rx).len()
    );
    assert!(
        quiet_evaluations as f64 >= quiet.as_secs_f64() * 0.8,
        "the engine ran every second: {quiet_evaluations}"
    );
    assert_eq!(sent(&rx), vec![], "an idle platform pages nobody");
    assert_eq!(fired, vec![], "nor does anything fire unsent");
    drop(busy);

    // An outage: 20 of 100 requests fail. One page, one reminder 30 s on, one resolve
    // once good requests bring the rate under 5 % of the window.
    let outage = Instant::now();
    send_requests(&app, 80, 20).await;
    wait_for(&rx, 1, Duration::from_secs(15)).await;
    let fired_after = outage.elapsed();
    wait_for(&rx, 2, Duration::from_secs(45)).await;
    let reminded_after = outage.elapsed();
    send_requests(&app, 2_000, 0).await;
    wait_for(&rx, 3, Duration::from_secs(15)).await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let expected =
        ["fired", "reminded", "resolved"].map(|c| ("high_error_rate".to_string(), c.to_string()));
    assert_eq!(sent(&rx), expected.to_vec());
    eprintln!(
        "outage: fired after {:.1} s, reminded after {:.1} s, resolved after {:.1} s; {} notifications",
        fired_after.as_secs_f64(),
        reminded_after.as_secs_f64(),
        outage.elapsed().as_secs_f64() - 5.0,
        sent(&rx).len()
    );
    app.stop().await;
}

/// high_error_rate with `cooldown = "10s"` and `repeat_interval = "30s"`; the rest as shipped.
fn tune_high_error_rate(rules: &str) -> String {
    let mut out = vec![];
    let mut in_rule = false;
    for line in rules.lines() {
        if line.starts_with("[[rule]]") {
            in_rule = false;
        }
        if line == "name = \"high_error_rate\"" {
            in_rule = true;
            out.push(line.to_string());
            out.push("repeat_interval = \"30s\"".to_string());
            continue;
        }
        if in_rule && line.starts_with("cooldown") {
            out.push("cooldown = \"10s\"".to_string());
            continue;
        }
        out.push(line.to_string());
    }
    out.join("\n")
}
