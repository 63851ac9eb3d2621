//! Security: failed sign-ins slow down their source (never the account signing in from
//! elsewhere) and raise the burst warning; the audit log is bounded, records admin
//! actions with before and after, and refuses to be rewritten; `next` stays on the site.

use crate::helpers::{spawn_app_with, ADMIN, PASSWORD};
use monitor::alerts::{engine, rule};
use serde_json::Value;
use std::time::Duration;

/// A sign-in from `source` (as a trusted proxy forwards it); where it was sent back to.
async fn sign_in_from(
    app: &crate::helpers::TestApp,
    source: &str,
    username: &str,
    password: &str,
    next: &str,
) -> String {
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(app.url("/auth/login"))
        .header("x-forwarded-for", source)
        .form(&[
            ("username", username),
            ("password", password),
            ("next", next),
        ])
        .send()
        .await
        .unwrap();
    r.headers()["location"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn guesses_slow_down_their_source_count_in_parallel_and_warn_but_never_lock_the_admin_out() {
    let app = spawn_app_with(|c| {
        c.auth.lockout_secs = 2;
        c.alerts.interval_secs = 3600;
        c.server.trusted_proxies = vec!["127.0.0.1".into()];
    })
    .await;
    let attacker = "203.0.113.9";
    // Twenty guesses at once: each is checked and recorded under one lock, so only the
    // allowance (5) reaches a password check; the rest are told to wait.
    let guesses = (0..20).map(|i| {
        let app = &app;
        async move { sign_in_from(app, attacker, ADMIN, &format!("guess-{i}"), "/").await }
    });
    let answers = futures_util::future::join_all(guesses).await;
    let wrong = answers
        .iter()
        .filter(|l| l.contains("error=credentials"))
        .count();
    let held = answers
        .iter()
        .filter(|l| l.contains("error=throttled"))
        .count();
    assert_eq!((wrong, held), (5, 15), "{answers:?}");
    let f = app
        .state
        .storage
        .login_failures(ADMIN, attacker, 0)
        .await
        .unwrap();
    assert_eq!((f.pair, f.source), (5, 5), "every checked guess counted");
    // Even the right password waits from there...
    let l = sign_in_from(&app, attacker, ADMIN, PASSWORD, "/").await;
    assert!(l.contains("error=throttled"), "{l}");
    // ...while the admin, elsewhere, signs in at once.
    assert_eq!(
        sign_in_from(&app, "198.51.100.7", ADMIN, PASSWORD, "/").await,
        "/"
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

    // The wait passes (capped at lockout_secs).
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(
        sign_in_from(&app, attacker, ADMIN, PASSWORD, "/").await,
        "/"
    );

    // Refusals are one audit row per source and minute, with their count.
    monitor::audit::flush_refusals(&app.state, true).await;
    app.login().await;
    let audit = app.get_json("/api/v1/audit?action=login.").await;
    let rows: Vec<(&str, &str, u64)> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["source"].as_str().unwrap_or(""),
                e["repeats"].as_u64().unwrap(),
            )
        })
        .collect();
    let count = |action: &str| {
        rows.iter()
            .filter(|r| r.0 == action && r.1 == attacker)
            .map(|r| r.2)
            .sum::<u64>()
    };
    assert_eq!(
        (count("login.failed"), count("login.throttled")),
        (5, 16),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .filter(|r| r.1 == attacker && r.0 != "login")
            .count()
            <= 4,
        "a row per action and minute, not per attempt: {rows:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_megabyte_username_cannot_fill_the_audit_log() {
    let app = spawn_app_with(|c| c.alerts.interval_secs = 3600).await;
    let huge = "u".repeat(1024 * 1024);
    for _ in 0..12 {
        let l = sign_in_from(&app, "127.0.0.1", &huge, "x", "/").await;
        assert!(l.contains("error="), "{}", &l[..l.len().min(80)]);
    }
    monitor::audit::flush_refusals(&app.state, true).await;
    app.login().await;
    let audit = app.get_json("/api/v1/audit").await;
    let bytes = audit.to_string().len();
    assert!(
        bytes < 8_000,
        "the audit log grew by {bytes} bytes for 12 MB of usernames"
    );
    let rows = audit.as_array().unwrap();
    assert!(rows
        .iter()
        .all(|e| e["actor"].as_str().unwrap().len() <= 128));
    let refused: u64 = rows
        .iter()
        .filter(|e| e["action"] != "login")
        .map(|e| e["repeats"].as_u64().unwrap())
        .sum();
    assert_eq!(
        refused, 12,
        "each refusal counted, in a few rows: {audit:#}"
    );
    app.stop().await;
}

#[tokio::test]
async fn after_sign_in_next_never_leaves_the_site() {
    let app = spawn_app_with(|_| {}).await;
    for next in [
        "/\t/evil.example",
        "//evil.example",
        "/\\evil.example",
        "https://evil.example/",
    ] {
        assert_eq!(
            sign_in_from(&app, "127.0.0.1", ADMIN, PASSWORD, next).await,
            "/",
            "{next:?}"
        );
    }
    assert_eq!(
        sign_in_from(&app, "127.0.0.1", ADMIN, PASSWORD, "/alerts?range=24h").await,
        "/alerts?range=24h"
    );
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

#[tokio::test]
async fn the_public_key_sends_browser_data_only() {
    let app = spawn_app_with(|_| {}).await;
    let order = serde_json::json!({"events": [{"event": "order.created", "order_id": "o1",
        "restaurant_id": "r-1", "total": "999999.99"}]});
    let forged = reqwest::Client::new()
        .post(app.url(&format!("/api/events?key={}", app.public_key)))
        .header("x-monitor-key", &app.public_key)
        .json(&order)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401, "a forged order from a page's key");
    let logs = reqwest::Client::new()
        .post(app.url("/api/logs"))
        .header("x-monitor-key", &app.public_key)
        .body(r#"{"level":"error","message":"forged"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(logs.status(), 401);
    // The same key still sends what a browser sends.
    let beacon = crate::helpers::beacons(&[crate::helpers::beacon("/menu", 900.0)]);
    assert_eq!(app.post_rum(beacon, "application/json").await.status(), 202);
    // And the server credential sends the order.
    let r = reqwest::Client::new()
        .post(app.url("/api/events"))
        .bearer_auth(&app.ingest_token)
        .json(&order)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    app.stop().await;
}

#[tokio::test]
async fn a_read_token_reads_and_changes_nothing() {
    let app = spawn_app_with(|_| {}).await;
    app.login().await;
    let t: Value = app
        .post_json(
            "/api/v1/tokens",
            &serde_json::json!({"name": "grafana", "scope": "read"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let token = t["token"].as_str().unwrap().to_string();
    let bare = reqwest::Client::new();
    let get = bare
        .get(app.url("/api/v1/alerts"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), 200);
    let metrics = bare
        .get(app.url("/metrics"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(metrics.status(), 200);
    for (method, path) in [
        (reqwest::Method::POST, "/api/v1/tokens"),
        (reqwest::Method::POST, "/api/v1/alerts/silences"),
        (reqwest::Method::PUT, "/api/v1/probes/p"),
        (reqwest::Method::PUT, "/api/v1/alerts/rules/x"),
    ] {
        let r = bare
            .request(method.clone(), app.url(path))
            .bearer_auth(&token)
            .json(&serde_json::json!({"name": "x"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{method} {path}");
    }
    // An ingest token reads nothing.
    let r = bare
        .get(app.url("/api/v1/alerts"))
        .bearer_auth(&app.ingest_token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    app.stop().await;
}

#[tokio::test]
async fn pages_carry_a_strict_policy_with_their_scripts_nonce() {
    let app = spawn_app_with(|_| {}).await;
    let r = app.get("/login").await;
    assert_eq!(r.status(), 200);
    let h = r.headers().clone();
    let csp = h["content-security-policy"].to_str().unwrap().to_string();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "same-origin");
    assert_eq!(h["x-frame-options"], "DENY");
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"),
        "{csp}"
    );
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy");
    let html = r.text().await.unwrap();
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "the page's inline scripts carry the policy's nonce"
    );
    // Each response its own.
    let again = app.get("/login").await;
    let csp2 = again.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert_ne!(csp, csp2);
    app.stop().await;
}

#[tokio::test]
async fn probes_and_notifiers_cannot_reach_the_metadata_service_and_errors_keep_no_secret() {
    use monitor::config::WebhookConfig;
    // A webhook whose path is its secret, on a port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let app = spawn_app_with(move |c| {
        c.alerts.webhook = Some(WebhookConfig {
            url: format!("http://127.0.0.1:{port}/hooks/T0/B0/s3cr3t-path"),
            secret: "k".into(),
        });
        c.alerts.interval_secs = 3600;
    })
    .await;
    app.login().await;
    let probe =
        serde_json::json!({"kind": "http", "target": "http://169.254.169.254/latest/meta-data/"});
    let r = app.put_json("/api/v1/probes/metadata", &probe).await;
    assert_eq!(r.status(), 400);
    let msg = r.text().await.unwrap();
    assert!(msg.contains("metadata"), "{msg}");

    let rules = monitor::alerts::rule::parse(
        "[[rule]]\nname = \"q\"\nseverity = \"critical\"\nmetric = \"custom:depth\"\ncomparison = \">\"\nthreshold = 1\nwindow = \"2m\"\ncooldown = \"10m\"\n",
        "t.toml",
    )
    .unwrap();
    let now = store::clock::now_ms() + 10 * 60_000;
    crate::alerts::post_point(&app, "depth", 5.0, now).await;
    let mut states = engine::States::new();
    crate::alerts::evaluate_until(&app, &rules, &mut states, now, || async {
        !app.get_json("/api/v1/alerts/deliveries")
            .await
            .as_array()
            .unwrap()
            .is_empty()
    })
    .await;
    let client = monitor::notify::outbox::client();
    monitor::notify::outbox::deliver_due(&app.state, &client, now)
        .await
        .unwrap();
    let d = app.get_json("/api/v1/alerts/deliveries").await;
    let error = d[0]["last_error"].as_str().unwrap();
    assert!(
        !error.contains("s3cr3t") && !error.contains("/hooks"),
        "{error}"
    );
    assert!(error.contains("127.0.0.1"), "{error}");
    app.stop().await;
}

/// A RUM beacon sent with `key`; the status it got.
async fn rum_with_key(app: &crate::helpers::TestApp, key: &str) -> u16 {
    let beacon = crate::helpers::beacons(&[crate::helpers::beacon("/menu", 900.0)]);
    reqwest::Client::new()
        .post(app.url(&format!("/api/rum?key={key}")))
        .header("content-type", "application/json")
        .body(beacon)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn a_rotated_public_key_keeps_working_for_its_grace_period_only() {
    let app = spawn_app_with(|_| {}).await;
    app.login().await;
    let old = app.public_key.clone();
    let r = app
        .post_json(
            "/api/v1/project/rotate-key",
            &serde_json::json!({"grace_hours": 1}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let p: Value = r.json().await.unwrap();
    let new = p["public_key"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    assert_eq!(p["previous_public_key"], old.as_str());
    assert!(p["dsn"].as_str().unwrap().contains(&new));
    assert_eq!(rum_with_key(&app, &new).await, 202, "the new key at once");
    assert_eq!(rum_with_key(&app, &old).await, 202, "the old one meanwhile");
    let settings = app.get("/settings").await.text().await.unwrap();
    assert!(settings.contains(&new) && settings.contains("still accepted until"));

    // Rotating again with no grace: the key of a minute ago stops at once; the audit
    // log says who rotated.
    let r = app
        .post_form("/settings/rotate-key", &[("grace_hours", "0")])
        .await;
    assert_eq!(r.status(), 303);
    assert_eq!(rum_with_key(&app, &new).await, 401);
    assert_eq!(rum_with_key(&app, &old).await, 401);
    let rotations = app
        .get_json("/api/v1/audit?action=project.rotate_key")
        .await;
    assert_eq!(rotations.as_array().unwrap().len(), 2);
    // A read token cannot rotate.
    let t: Value = app
        .post_json(
            "/api/v1/tokens",
            &serde_json::json!({"name": "ro", "scope": "read"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let r = reqwest::Client::new()
        .post(app.url("/api/v1/project/rotate-key"))
        .bearer_auth(t["token"].as_str().unwrap())
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    app.stop().await;
}

#[tokio::test]
async fn a_sign_in_that_finds_no_free_password_check_is_429_and_not_a_failure() {
    let app = spawn_app_with(|c| c.auth.max_concurrent_hashes = 1).await;
    // Someone else's password check holds the only slot for longer than the wait.
    let held = app.state.sign_in.hash_permit().await.expect("the slot");
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(app.url("/auth/login"))
        .form(&[("username", ADMIN), ("password", "wrong"), ("next", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "5");
    assert!(r.text().await.unwrap().contains("Try again"));
    drop(held);
    let f = app
        .state
        .storage
        .login_failures(ADMIN, "127.0.0.1", 0)
        .await
        .unwrap();
    assert_eq!(f.pair, 0, "a sign-in refused for load is no failed guess");
    assert_eq!(
        sign_in_from(&app, "127.0.0.1", ADMIN, PASSWORD, "/").await,
        "/"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_probe_redirected_to_the_metadata_service_is_refused() {
    use axum::{response::Redirect, routing::get, Router};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // A public-looking target that sends the monitor on to the metadata service.
    let router = Router::new().route(
        "/health",
        get(|| async { Redirect::temporary("http://169.254.169.254/latest/meta-data/") }),
    );
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let probe: monitor::config::ProbeConfig = serde_json::from_value(serde_json::json!({
        "name": "p", "kind": "http", "target": format!("http://{addr}/health"),
        "timeout_ms": 3000, "retries": 0
    }))
    .unwrap();
    let a = monitor::probes::check::attempt(&probe, &monitor::outbound::client(false), None, false)
        .await;
    let error = a.error.expect("refused");
    assert!(error.contains("metadata"), "{error}");
}

#[tokio::test]
async fn a_trusted_proxy_that_is_no_address_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = monitor::config::Config::for_tests(dir.path());
    config.server.trusted_proxies = vec!["10.0.0.0/8".into(), "proxy.internal".into()];
    let err = monitor::startup::Application::build(config)
        .await
        .err()
        .expect("refused");
    assert!(err.to_string().contains("proxy.internal"), "{err}");
}
