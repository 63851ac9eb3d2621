//! Probes against the real PostgreSQL and Redis of this machine (the test command starts
//! them, or these tests say loudly that they skipped), `/health` with configured
//! dependencies down or hanging, the `/ws` live channel, and `/metrics`.

use crate::helpers::{spawn_app_with, TestApp};
use monitor::{
    alerts::{engine, rule},
    config::{ProbeConfig, ProbeKind},
};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// The service's URL, or `None` (said loudly) when the test script found none; a
/// failure under `CI=true`.
fn service(var: &str) -> Option<String> {
    let what = if var.contains("REDIS") {
        "Redis"
    } else {
        "PostgreSQL"
    };
    store::test_db::required_service(var, what)
}

fn probe(name: &str, kind: ProbeKind, target: &str) -> ProbeConfig {
    ProbeConfig {
        name: name.into(),
        kind,
        target: target.into(),
        interval_secs: 1,
        timeout_ms: 1000,
        retries: 2,
        expect_status: None,
        keyword: None,
        json_field: None,
        json_value: None,
        send: None,
    }
}

/// A port nothing listens on.
async fn closed_port() -> u16 {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    l.local_addr().unwrap().port()
}

/// A port that accepts connections and never says a word.
async fn silent_port() -> u16 {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = vec![];
        while let Ok((s, _)) = l.accept().await {
            held.push(s);
        }
    });
    port
}

async fn probe_state(app: &TestApp, name: &str) -> Option<bool> {
    let probes = app.get_json("/api/v1/probes").await;
    probes
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .and_then(|p| p["up"].as_bool())
}

async fn wait_probe(app: &TestApp, name: &str, up: bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while probe_state(app, name).await != Some(up) {
        assert!(
            Instant::now() < deadline,
            "probe {name} never became {}",
            if up { "up" } else { "down" }
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn probes_of_the_real_services_are_up_and_a_dead_database_fires_database_down() {
    let (Some(pg), Some(redis)) = (service("TEST_POSTGRES_URL"), service("TEST_REDIS_URL")) else {
        return;
    };
    let (pg2, redis2) = (pg.clone(), redis.clone());
    let app = spawn_app_with(move |c| {
        c.probes = vec![
            probe("orders-db", ProbeKind::Postgres, &pg2),
            probe("cache", ProbeKind::Redis, &redis2),
        ];
        c.alerts.interval_secs = 3600;
    })
    .await;
    app.login().await;
    wait_probe(&app, "orders-db", true).await;
    wait_probe(&app, "cache", true).await;

    // A database that is not there: down only after its two retries.
    let dead = format!(
        "postgres://postgres@127.0.0.1:{}/postgres",
        closed_port().await
    );
    let mut def = serde_json::to_value(probe("replica-db", ProbeKind::Postgres, &dead)).unwrap();
    let r = app.put_json("/api/v1/probes/replica-db", &def).await;
    assert_eq!(r.status(), 204, "{}", r.text().await.unwrap());
    wait_probe(&app, "replica-db", false).await;
    let now = store::clock::now_ms();
    let results = app
        .state
        .storage
        .probe_results("replica-db", 0, now + 1)
        .await
        .unwrap();
    let ups: Vec<(bool, bool)> = results.iter().map(|r| (r.ok, r.up)).take(3).collect();
    assert_eq!(
        ups,
        [(false, true), (false, true), (false, false)],
        "two blips tolerated, the third failure declares it down"
    );
    assert!(results[0].error.as_deref().unwrap().contains("connect"));

    let rules = rule::parse(rule::DEFAULT_RULES, "alerts.toml").unwrap();
    let mut states = engine::States::new();
    engine::evaluate(&app.state, &rules, &mut states, now)
        .await
        .unwrap();
    let fired = app
        .get_json("/api/v1/alerts/history?rule=database_down")
        .await;
    assert_eq!(fired[0]["change"], "fired", "{fired:#}");

    // Pointed back at the real database, it recovers and the alert resolves.
    def["target"] = json!(pg);
    let r = app.put_json("/api/v1/probes/replica-db", &def).await;
    assert_eq!(r.status(), 204);
    wait_probe(&app, "replica-db", true).await;
    engine::evaluate(
        &app.state,
        &rules,
        &mut states,
        store::clock::now_ms() + 60_000,
    )
    .await
    .unwrap();
    let h = app
        .get_json("/api/v1/alerts/history?rule=database_down")
        .await;
    assert_eq!(h[0]["change"], "resolved", "{h:#}");

    // A password in a target never reaches the page.
    let secret = probe(
        "auth-cache",
        ProbeKind::Redis,
        &format!("redis://:s3cret@127.0.0.1:{}", closed_port().await),
    );
    let r = app
        .put_json(
            "/api/v1/probes/auth-cache",
            &serde_json::to_value(&secret).unwrap(),
        )
        .await;
    assert_eq!(r.status(), 204);
    let view = app.get_json("/api/v1/health").await;
    let cache = view["probes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "cache")
        .unwrap()
        .clone();
    assert_eq!(cache["uptime_24h"], 1.0);
    assert!(cache["latency_svg"].as_str().unwrap().contains("<svg"));
    let page = app.get("/status").await.text().await.unwrap();
    assert!(page.contains("orders-db") && page.contains("100.00 %"));
    assert!(
        !page.contains("s3cret") && page.contains("redis://:***@127.0.0.1"),
        "targets are shown without passwords"
    );
    assert!(!view.to_string().contains("s3cret"));
    app.stop().await;
}

#[tokio::test]
async fn http_tcp_and_websocket_probes_check_what_they_are_told() {
    let app = spawn_app_with(|_| {}).await;
    app.login().await;
    let own = app.base.trim_start_matches("http://").to_string();
    let mut health = probe("monitor-health", ProbeKind::Http, &app.url("/health"));
    health.json_field = Some("/checks/database".into());
    health.json_value = Some("true".into());
    let mut wrong = probe("wrong-keyword", ProbeKind::Http, &app.url("/health/live"));
    wrong.keyword = Some("definitely-not-there".into());
    wrong.retries = 0;
    let tcp = probe("monitor-port", ProbeKind::Tcp, &own);
    for p in [&health, &wrong, &tcp] {
        let r = app
            .put_json(
                &format!("/api/v1/probes/{}", p.name),
                &serde_json::to_value(p).unwrap(),
            )
            .await;
        assert_eq!(r.status(), 204, "{}", r.text().await.unwrap());
    }
    wait_probe(&app, "monitor-health", true).await;
    wait_probe(&app, "monitor-port", true).await;
    wait_probe(&app, "wrong-keyword", false).await;
    let bad = app
        .put_json(
            "/api/v1/probes/x",
            &json!({"name": "x", "kind": "tcp", "target": "no-port"}),
        )
        .await;
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.unwrap().contains("target:"));

    // A WebSocket echo server on this machine.
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let echo = format!("ws://{}/", l.local_addr().unwrap());
    tokio::spawn(async move {
        use futures_util::{SinkExt, StreamExt};
        while let Ok((s, _)) = l.accept().await {
            tokio::spawn(async move {
                let mut ws = tokio_tungstenite::accept_async(s).await.unwrap();
                while let Some(Ok(m)) = ws.next().await {
                    if m.is_text() && ws.send(m).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    let mut ws = probe("kds-socket", ProbeKind::Websocket, &echo);
    ws.send = Some("ping".into());
    let client = monitor::notify::outbox::client();
    let a = monitor::probes::check::attempt(&ws, &client, None, false).await;
    assert!(a.ok, "{a:?}");
    ws.target = format!("ws://127.0.0.1:{}/", closed_port().await);
    assert!(
        !monitor::probes::check::attempt(&ws, &client, None, false)
            .await
            .ok
    );
    app.stop().await;
}

#[tokio::test]
async fn health_is_503_when_a_dependency_is_down_and_answers_in_time_when_one_hangs() {
    let (closed, silent) = (closed_port().await, silent_port().await);
    let app = spawn_app_with(move |c| {
        c.health.redis_url = Some(format!("redis://127.0.0.1:{closed}"));
        c.health.websocket_url = Some(format!("ws://127.0.0.1:{silent}/"));
    })
    .await;
    app.login().await;
    let started = Instant::now();
    let r = app.get("/health").await;
    let took = started.elapsed();
    assert_eq!(r.status(), 503);
    let h: Value = r.json().await.unwrap();
    assert_eq!(h["status"], "degraded", "{h:#}");
    assert_eq!(
        (&h["checks"]["redis"], &h["checks"]["websocket"]),
        (&json!(false), &json!(false))
    );
    assert!(h["details"]["websocket"]["error"]
        .as_str()
        .unwrap()
        .contains("no answer within 2000 ms"));
    // The checks run at once, each capped at 2 s; allow for a loaded machine.
    assert!(
        took < Duration::from_millis(3000),
        "/health took {took:?} with a hanging dependency"
    );
    app.stop().await;

    let Some(redis) = service("TEST_REDIS_URL") else {
        return;
    };
    let app = spawn_app_with(move |c| c.health.redis_url = Some(redis)).await;
    let r = app.get("/health").await;
    assert_eq!(r.status(), 200);
    let h: Value = r.json().await.unwrap();
    assert_eq!(h["checks"]["redis"], true);
    assert!(!h["not_configured"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v == "redis"));
    app.stop().await;
}

pub async fn api_token(app: &TestApp) -> String {
    let r = app
        .post_json("/api/v1/tokens", &json!({"name": "probe-test"}))
        .await;
    let t: Value = r.json().await.unwrap();
    t["token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn the_live_channel_pushes_alert_updates_and_counts_its_connections() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::{client::IntoClientRequest, Message};
    let app = spawn_app_with(|c| c.alerts.interval_secs = 3600).await;
    app.login().await;
    let token = api_token(&app).await;
    let url = format!("{}/ws?restaurant=r-9", app.base.replace("http://", "ws://"));

    let mut evil = url.as_str().into_client_request().unwrap();
    evil.headers_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    evil.headers_mut()
        .insert("origin", "http://evil.example".parse().unwrap());
    assert!(
        tokio_tungstenite::connect_async(evil).await.is_err(),
        "a cross-site handshake is refused"
    );
    assert!(
        tokio_tungstenite::connect_async(url.as_str())
            .await
            .is_err(),
        "no credentials, no channel"
    );

    let mut req = url.as_str().into_client_request().unwrap();
    req.headers_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    let hello = ws.next().await.unwrap().unwrap();
    assert!(hello.to_text().unwrap().contains("hello"));
    let during = app.get_json("/api/v1/health").await;
    assert_eq!(during["websocket"]["active"], 1);
    assert_eq!(during["websocket"]["by_restaurant"], json!([["r-9", 1]]));

    // An alert fires: the channel carries it.
    let rules = rule::parse(
        "[[rule]]\nname = \"fryer_temp\"\nseverity = \"warning\"\nmetric = \"custom:fryer\"\n\
         comparison = \">\"\nthreshold = 200\nwindow = \"2m\"\ncooldown = \"10m\"\n",
        "t.toml",
    )
    .unwrap();
    let now = store::clock::now_ms();
    crate::alerts::post_point(&app, "fryer", 230.0, now).await;
    let mut states = engine::States::new();
    crate::alerts::evaluate_until(&app, &rules, &mut states, now, || async {
        !app.get_json("/api/v1/alerts/history?rule=fryer_temp")
            .await
            .as_array()
            .unwrap()
            .is_empty()
    })
    .await;
    let event = loop {
        let m = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("an event within 5 s")
            .unwrap()
            .unwrap();
        let v: Value = serde_json::from_str(m.to_text().unwrap()).unwrap();
        if v["type"] == "alert" {
            break v;
        }
    };
    assert_eq!(
        (event["rule"].as_str(), event["change"].as_str()),
        (Some("fryer_temp"), Some("fired"))
    );
    ws.send(Message::text("ping")).await.unwrap();
    loop {
        let m = ws.next().await.unwrap().unwrap();
        if m.to_text().unwrap() == "pong" {
            break;
        }
    }
    ws.close(None).await.unwrap();
    while ws.next().await.is_some() {}

    let deadline = Instant::now() + Duration::from_secs(5);
    let figures = loop {
        let f = app.get_json("/api/v1/health").await["websocket"].clone();
        if f["active"] == 0 || Instant::now() > deadline {
            break f;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(
        (&figures["total"], &figures["active"]),
        (&json!(1), &json!(0))
    );
    assert_eq!(figures["messages_received"], 1, "{figures:#}");
    assert!(
        figures["messages_sent"].as_u64().unwrap() >= 3,
        "hello, the alert, pong"
    );
    assert!(figures["avg_connection_secs"].is_number());
    app.stop().await;
}

#[tokio::test]
async fn metrics_are_prometheus_text_behind_a_token() {
    let app = spawn_app_with(|_| {}).await;
    app.login().await;
    let token = api_token(&app).await;
    let anon = reqwest::Client::new();
    let r = anon.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 401, "a scraper is told, not redirected");
    app.get("/api/v1/overview").await;
    let r = anon
        .get(app.url("/metrics"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = r.text().await.unwrap();
    let scrape = prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_string()))).unwrap();
    let find = |name: &'static str| scrape.samples.iter().filter(move |s| s.metric == name);
    assert!(find("monitor_http_requests_total").any(|s| {
        s.labels.get("route") == Some("/api/v1/overview") && s.labels.get("status") == Some("2xx")
    }));
    assert!(find("monitor_http_request_duration_seconds_count").count() > 0);
    let memory = find("monitor_process_resident_memory_megabytes")
        .next()
        .unwrap();
    assert!(matches!(memory.value, prometheus_parse::Value::Gauge(v) if v > 1.0));
    app.stop().await;

    let open = spawn_app_with(|c| c.health.metrics_public = true).await;
    assert_eq!(
        reqwest::get(open.url("/metrics")).await.unwrap().status(),
        200
    );
    open.stop().await;
}
