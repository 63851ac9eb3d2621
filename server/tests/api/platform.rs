//! The platform, measured: server transactions and their database spans from the real
//! `sentry` crate, sample weights, servers' figures from a `health` probe of a local
//! service, the bundle script's payload, issue alerts, and the noise report.

use crate::{
    alerts::{evaluate_until, post_point},
    helpers::{spawn_app, spawn_app_with, TestApp},
};
use monitor::alerts::{engine, rule, values};
use serde_json::{json, Value};
use std::{
    sync::Arc,
    time::{Duration, SystemTime},
};

/// A client of the real `sentry` crate sending to `app`, with its own hub (tests run in
/// parallel: no global one).
fn sentry_hub(app: &TestApp, sample_rate: f32) -> Arc<sentry::Hub> {
    let dsn = format!(
        "http://{}@{}/1",
        app.public_key,
        app.base.trim_start_matches("http://")
    );
    let opts = sentry::ClientOptions::new()
        .dsn(&dsn)
        .traces_sample_rate(sample_rate)
        .environment("production");
    // `apply_defaults` installs the HTTP transport, as `sentry::init` would.
    let client = sentry::Client::from_config(sentry::apply_defaults(opts));
    Arc::new(sentry::Hub::new(
        Some(Arc::new(client)),
        Arc::new(sentry::Scope::default()),
    ))
}

/// One `http.server` transaction of `ms` with `status`, and its db spans of `queries` ms.
fn request(hub: &Arc<sentry::Hub>, route: &str, status: u16, ms: u64, queries: &[(&str, u64)]) {
    // The SDK starts a transaction on the thread's current hub: make it ours.
    sentry::Hub::run(hub.clone(), || send(hub, route, status, ms, queries))
}

fn send(hub: &sentry::Hub, route: &str, status: u16, ms: u64, queries: &[(&str, u64)]) {
    let start = SystemTime::now() - Duration::from_secs(5);
    let ctx = sentry::TransactionContext::new(&format!("GET {route}"), "http.server");
    let tx = hub.start_transaction_with_timestamp(ctx, start);
    tx.set_tag("service", "orders-api");
    tx.set_tag("restaurant_id", "r-9");
    tx.set_data("http.response.status_code", json!(status));
    if status >= 500 {
        tx.set_status(sentry::protocol::SpanStatus::InternalError);
    }
    let mut at = start;
    for (sql, q_ms) in queries {
        let span = tx.start_child_with_details("db.sql.query", sql, Default::default(), at);
        at += Duration::from_millis(*q_ms);
        span.finish_with_timestamp(at);
    }
    tx.finish_with_timestamp(start + Duration::from_millis(ms));
}

/// Runs the blocking SDK off the runtime that serves the app, then flushes its queue.
async fn with_sdk(hub: Arc<sentry::Hub>, send: impl FnOnce(&Arc<sentry::Hub>) + Send + 'static) {
    tokio::task::spawn_blocking(move || {
        send(&hub);
        assert!(hub.client().unwrap().flush(Some(Duration::from_secs(10))));
    })
    .await
    .unwrap();
}

fn rule_of(text: &str) -> rule::Rule {
    rule::parse(text, "test.toml").unwrap().remove(0)
}

async fn value_of(app: &TestApp, rule: &rule::Rule) -> Vec<values::Instance> {
    let mut cache = values::Cache::default();
    values::instances(&app.state, &mut cache, rule, store::clock::now_ms())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_transactions_give_the_error_rate_route_p99_and_slow_query_count() {
    let app = spawn_app().await;
    app.login().await;
    let hub = sentry_hub(&app, 1.0);
    let lookup = "SELECT * FROM orders WHERE id = 42";
    with_sdk(hub, move |hub| {
        for i in 0..10u64 {
            let status = if i < 2 { 500 } else { 200 };
            // 100, 200, ... 1000 ms; the slowest three requests ran a 2.5 s query.
            let query = if i >= 7 { 2_500 } else { 20 + i };
            request(
                hub,
                "/api/orders/:id",
                status,
                100 * (i + 1),
                &[(lookup, query)],
            );
        }
    })
    .await;
    let v = app
        .wait_json("/api/v1/server?range=1h", |v| v["requests"] == 10)
        .await;
    assert_eq!(
        (v["failed"].as_u64(), v["error_rate"].as_f64()),
        (Some(2), Some(0.2))
    );
    let route = &v["routes"][0];
    assert_eq!(
        (&route["service"], &route["environment"], &route["endpoint"]),
        (
            &json!("orders-api"),
            &json!("production"),
            &json!("GET /api/orders/:id")
        )
    );
    let p99 = route["duration"]["p99"].as_f64().unwrap();
    assert!(
        (p99 - 1_000.0).abs() <= 10.0,
        "p99 of 100..1000 ms is 1000 ms: {p99}"
    );
    let q = &v["queries"][0];
    assert_eq!(
        q["statement"], "SELECT * FROM orders WHERE id = ?",
        "literals stripped"
    );
    assert_eq!(
        (q["calls"].as_u64(), q["slow"].as_u64()),
        (Some(10), Some(3))
    );
    assert_eq!(q["slowest"][0]["transaction"], "GET /api/orders/:id");
    assert_eq!(q["slowest"][0]["restaurant_id"], "r-9");
    let only_r9 = app.get_json("/api/v1/server?range=1h&restaurant=r-9").await;
    assert_eq!(
        only_r9["requests"], 10,
        "filtered by restaurant from the rollups"
    );
    let other = app
        .get_json("/api/v1/server?range=1h&service=billing")
        .await;
    assert_eq!(other["requests"], 0);

    // The rules read the same: 2 failed of 10 requests, 3 slow queries.
    let errors = rule_of(
        "[[rule]]\nname = \"e\"\nseverity = \"critical\"\nmetric = \"error_rate\"\ncomparison = \">\"\nthreshold = 0.05\nwindow = \"5m\"\ncooldown = \"1m\"\nmin_volume = 10\n",
    );
    assert_eq!(value_of(&app, &errors).await[0].value, Some(0.2));
    let mut floor = errors.clone();
    floor.min_volume = Some(11.0);
    assert_eq!(
        value_of(&app, &floor).await[0].value,
        None,
        "under the volume floor"
    );
    let slow = rule_of(
        "[[rule]]\nname = \"s\"\nseverity = \"warning\"\nmetric = \"slow_queries\"\ncomparison = \">=\"\nthreshold = 5\nwindow = \"10m\"\ncooldown = \"1m\"\n",
    );
    assert_eq!(value_of(&app, &slow).await[0].value, Some(3.0));
    let p99_rule = rule_of(
        "[[rule]]\nname = \"p\"\nseverity = \"critical\"\nmetric = \"response_time_p99\"\ncomparison = \">\"\nthreshold = 5000\nwindow = \"5m\"\ncooldown = \"1m\"\n",
    );
    let p = value_of(&app, &p99_rule).await[0].value.unwrap();
    assert!((p - 1_000.0).abs() <= 10.0, "server-side p99: {p}");
    let page = app.get("/server").await.text().await.unwrap();
    assert!(page.contains("orders-api") && page.contains("SELECT * FROM orders WHERE id = ?"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenth_sampled_stream_counts_the_traffic_it_stands_for() {
    let app = spawn_app().await;
    app.login().await;
    let hub = sentry_hub(&app, 0.1);
    with_sdk(hub, |hub| {
        for _ in 0..300 {
            request(hub, "/api/menu", 200, 30, &[]);
            // Paced, so the SDK's 30-envelope queue never overflows.
            std::thread::sleep(Duration::from_millis(2));
        }
        // A last request the SDK must send carries the report of what it sampled out
        // since the one before.
        sentry::Hub::run(hub.clone(), || {
            let mut ctx = sentry::TransactionContext::new("GET /api/menu", "http.server");
            ctx.set_sampled(Some(true));
            let tx = hub.start_transaction(ctx);
            tx.set_tag("service", "orders-api");
            tx.set_data("http.response.status_code", json!(200));
            tx.finish();
        });
    })
    .await;
    let v = app
        .wait_json("/api/v1/server?range=1h", |v| v["requests"] == 301)
        .await;
    assert_eq!(v["routes"][0]["requests"], 301);
    let (_, tables) = app.state.storage.capacity(0).await.unwrap();
    let sent = tables
        .iter()
        .find(|t| t.table == "server_requests")
        .unwrap()
        .rows;
    assert!(
        sent > 5 && sent < 100,
        "about a tenth of 301 were sent: {sent}"
    );
    app.stop().await;
}

/// A platform service's `/health` in the guide's shape, with figures it is told.
async fn fake_service(figures: Arc<std::sync::Mutex<Value>>) -> String {
    use axum::{extract::State, routing::get, Json, Router};
    async fn health(State(f): State<Arc<std::sync::Mutex<Value>>>) -> Json<Value> {
        let metrics = f.lock().unwrap().clone();
        Json(json!({"status": "healthy", "timestamp": 0, "checks": {}, "metrics": metrics}))
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = Router::new()
        .route("/health", get(health))
        .with_state(figures);
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}/health")
}

#[tokio::test]
async fn a_health_probe_records_the_services_figures_and_rules_judge_them_per_service() {
    let figures = Arc::new(std::sync::Mutex::new(
        json!({"memory_usage": 0.5, "cpu_usage": 0.95, "active_connections": 40, "error_rate": 0.01}),
    ));
    let target = fake_service(figures.clone()).await;
    let app = spawn_app_with(move |c| {
        c.probes = vec![monitor::config::ProbeConfig {
            name: "orders-api".into(),
            kind: monitor::config::ProbeKind::Health,
            target,
            interval_secs: 1,
            timeout_ms: 1000,
            retries: 0,
            expect_status: None,
            keyword: None,
            json_field: None,
            json_value: None,
            send: None,
        }];
    })
    .await;
    app.login().await;
    let cpu = rule_of(
        "[[rule]]\nname = \"c\"\nseverity = \"warning\"\nmetric = \"cpu_usage\"\ncomparison = \">\"\nthreshold = 0.8\nwindow = \"15m\"\ncooldown = \"1m\"\n",
    );
    let until = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let got = value_of(&app, &cpu).await;
        if got.first().and_then(|i| i.value).is_some() {
            assert_eq!(got[0].key, "orders-api", "one instance per service");
            break;
        }
        assert!(std::time::Instant::now() < until, "no figures recorded");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // A second reading lower: the mean is sustained load, the max the peak.
    *figures.lock().unwrap() =
        json!({"memory_usage": 0.5, "cpu_usage": 0.15, "active_connections": 60});
    let mut max = cpu.clone();
    max.aggregate = rule::Aggregate::Max;
    let until = std::time::Instant::now() + Duration::from_secs(10);
    let mean = loop {
        let mean = value_of(&app, &cpu).await[0].value.unwrap();
        if mean < 0.9 {
            break mean;
        }
        assert!(
            std::time::Instant::now() < until,
            "the second reading never arrived"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        mean > 0.15 && mean < 0.95,
        "a mean between the readings: {mean}"
    );
    let peak = value_of(&app, &max).await[0].value.unwrap();
    assert!((peak - 0.95).abs() < 0.01, "the peak: {peak}");
    // The platform's connections are a series like any custom metric.
    let conn = app
        .get_json("/api/v1/metrics/platform.orders-api.active_connections?range=1h")
        .await;
    assert!(
        conn["last"]
            .as_f64()
            .is_some_and(|v| v == 40.0 || v == 60.0),
        "{conn}"
    );
    // The monitor's own figures are separate metrics, and the platform's are not them.
    let own = rule_of(
        "[[rule]]\nname = \"m\"\nseverity = \"warning\"\nmetric = \"monitor_cpu_usage\"\ncomparison = \">\"\nthreshold = 0.8\nwindow = \"15m\"\ncooldown = \"1m\"\n",
    );
    assert_eq!(value_of(&app, &own).await.len(), 1);
    app.stop().await;
}

#[tokio::test]
async fn the_bundle_scripts_exact_payload_fires_bundle_size_exceeded() {
    let app = spawn_app().await;
    app.login().await;
    // What the platform's bundle script posts when the bundle is over budget.
    post_point(
        &app,
        "bundle_size_exceeded",
        150_000.0,
        store::clock::now_ms(),
    )
    .await;
    let rules: Vec<_> = rule::parse(rule::DEFAULT_RULES, "alerts.toml")
        .unwrap()
        .into_iter()
        .filter(|r| r.name == "bundle_size_exceeded")
        .collect();
    let mut states = engine::States::new();
    let history = || async {
        app.get_json("/api/v1/alerts/history?rule=bundle_size_exceeded")
            .await
    };
    evaluate_until(
        &app,
        &rules,
        &mut states,
        store::clock::now_ms(),
        || async { !history().await.as_array().unwrap().is_empty() },
    )
    .await;
    let h = history().await;
    assert_eq!(
        (&h[0]["change"], &h[0]["value"]),
        (&json!("fired"), &json!(150_000.0))
    );
    app.stop().await;
}

/// An error event of `fingerprint` (a message) in `environment`, through Sentry's store.
async fn error_event(app: &TestApp, message: &str, environment: &str) {
    let body = json!({
        "message": message, "level": "error", "environment": environment,
        "tags": {"restaurant_id": "r-1"},
    });
    let r = reqwest::Client::new()
        .post(app.url(&format!("/api/1/store/?sentry_key={}", app.public_key)))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn issue_alerts_fire_once_for_new_regressed_and_frequent_issues() {
    let app = spawn_app().await;
    app.login().await;
    let rules = rule::parse(
        "[[rule]]\nname = \"new\"\nseverity = \"warning\"\nmetric = \"issue.new\"\ncomparison = \">=\"\nthreshold = 1\nwindow = \"1h\"\ncooldown = \"1m\"\nfilters = { environment = \"production\", tags = { restaurant_id = \"r-1\" } }\n\
         [[rule]]\nname = \"back\"\nseverity = \"warning\"\nmetric = \"issue.regression\"\ncomparison = \">=\"\nthreshold = 1\nwindow = \"1h\"\ncooldown = \"1m\"\n\
         [[rule]]\nname = \"busy\"\nseverity = \"critical\"\nmetric = \"issue.frequency\"\ncomparison = \">=\"\nthreshold = 3\nwindow = \"10m\"\ncooldown = \"1m\"\n",
        "test.toml",
    )
    .unwrap();
    let app_ref = &app;
    let history = |rule: &'static str| async move {
        app_ref
            .get_json(&format!("/api/v1/alerts/history?rule={rule}"))
            .await
    };
    let mut states = engine::States::new();
    error_event(&app, "Printer offline at station 4", "staging").await;
    error_event(&app, "Card reader timeout", "production").await;
    evaluate_until(
        &app,
        &rules,
        &mut states,
        store::clock::now_ms(),
        || async { !history("new").await.as_array().unwrap().is_empty() },
    )
    .await;
    let new = history("new").await;
    assert_eq!(new.as_array().unwrap().len(), 1, "production only: {new:#}");
    assert!(new[0]["instance"].as_str().unwrap().starts_with("issue "));
    engine::evaluate(&app.state, &rules, &mut states, store::clock::now_ms())
        .await
        .unwrap();
    assert_eq!(
        history("new").await.as_array().unwrap().len(),
        1,
        "once per issue"
    );

    // Two more events of the card reader: three in ten minutes.
    error_event(&app, "Card reader timeout", "production").await;
    error_event(&app, "Card reader timeout", "production").await;
    evaluate_until(
        &app,
        &rules,
        &mut states,
        store::clock::now_ms(),
        || async { !history("busy").await.as_array().unwrap().is_empty() },
    )
    .await;
    let busy = history("busy").await;
    assert_eq!(
        (busy.as_array().unwrap().len(), &busy[0]["value"]),
        (1, &json!(3.0))
    );

    // Resolved, then seen again: a regression, once.
    let issues = app.get_json("/api/v1/issues").await;
    let printer = issues
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"].as_str().unwrap().contains("Printer"))
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = app
        .client
        .put(app.url(&format!("/api/v1/issues/{printer}")))
        .header("origin", &app.base)
        .json(&json!({"status": "resolved"}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    error_event(&app, "Printer offline at station 4", "staging").await;
    evaluate_until(
        &app,
        &rules,
        &mut states,
        store::clock::now_ms(),
        || async { !history("back").await.as_array().unwrap().is_empty() },
    )
    .await;
    engine::evaluate(&app.state, &rules, &mut states, store::clock::now_ms())
        .await
        .unwrap();
    let back = history("back").await;
    assert_eq!(back.as_array().unwrap().len(), 1, "{back:#}");
    assert_eq!(back[0]["instance"], format!("issue {printer}"));
    app.stop().await;
}

#[tokio::test]
async fn the_noise_report_counts_firings_flaps_and_time_firing() {
    let app = spawn_app().await;
    app.login().await;
    let rules = rule::parse(
        "[[rule]]\nname = \"kds\"\nseverity = \"warning\"\nmetric = \"custom:kds.lag\"\ncomparison = \">\"\nthreshold = 10\nwindow = \"1m\"\ncooldown = \"1m\"\naggregate = \"last\"\n",
        "test.toml",
    )
    .unwrap();
    let now = store::clock::now_ms();
    let mut states = engine::States::new();
    let history = || async { app.get_json("/api/v1/alerts/history?rule=kds").await };
    let len = |v: Value| v.as_array().unwrap().len();
    post_point(&app, "kds.lag", 50.0, now - 4 * 60_000).await;
    evaluate_until(&app, &rules, &mut states, now - 4 * 60_000, || async {
        len(history().await) == 1
    })
    .await;
    post_point(&app, "kds.lag", 1.0, now - 2 * 60_000).await;
    evaluate_until(&app, &rules, &mut states, now - 2 * 60_000, || async {
        len(history().await) == 2
    })
    .await;
    let noise = app.get_json("/api/v1/alerts/noise").await;
    let week = noise
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["rule"] == "kds" && n["span"] == "7d")
        .unwrap();
    assert_eq!(
        (&week["firings"], &week["flaps"]),
        (&json!(1), &json!(1)),
        "{week:#}"
    );
    assert_eq!(
        week["firing_ms"],
        2 * 60_000,
        "fired, then resolved two minutes later"
    );
    let page = app.get("/alerts").await.text().await.unwrap();
    assert!(page.contains("Noise report"));
    app.stop().await;
}

#[tokio::test]
async fn a_page_view_reported_by_both_sdks_counts_once() {
    let app = spawn_app().await;
    app.login().await;
    let ua = "Mozilla/5.0 Chrome/120.0";
    let rum = |load: f64| {
        app.client
            .post(app.url(&format!("/api/rum?key={}", app.public_key)))
            .header("content-type", "application/json")
            .header("user-agent", ua)
            .body(crate::helpers::beacons(&[crate::helpers::beacon(
                "/checkout",
                load,
            )]))
            .send()
    };
    assert_eq!(rum(1_500.0).await.unwrap().status(), 202);
    // The same view, as @sentry/browser's page-load transaction tells it.
    let now = store::clock::now_ms() as f64 / 1000.0;
    let pageload = json!({
        "type": "transaction", "transaction": "/checkout", "platform": "javascript",
        "start_timestamp": now - 2.0, "timestamp": now,
        "contexts": {"trace": {"op": "pageload", "trace_id": "0af7651916cd43dd8448eb211c80319c", "span_id": "b7ad6b7169203331"}},
        "request": {"url": "https://pos.example.com/checkout", "headers": {"User-Agent": ua}},
        "measurements": {"lcp": {"value": 1800.0, "unit": "millisecond"}}
    })
    .to_string();
    let body = crate::sentry::envelope(&app.public_key, &[("transaction", &pageload)]);
    assert_eq!(
        crate::sentry::post_envelope(&app, body, None)
            .await
            .status(),
        200
    );
    let loads = |app: &TestApp| {
        let storage = app.state.storage.clone();
        async move {
            let (_, tables) = storage.capacity(0).await.unwrap();
            tables
                .iter()
                .find(|t| t.table == "rum_events")
                .unwrap()
                .rows
        }
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while loads(&app).await < 2 {
        assert!(std::time::Instant::now() < deadline, "both reports stored");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let v = app.get_json("/api/v1/overview").await;
    assert_eq!(
        v["page_views"], 1,
        "two reports of one view: {}",
        v["page_views"]
    );
    // A reload is a new view.
    assert_eq!(rum(1_400.0).await.unwrap().status(), 202);
    app.wait_json("/api/v1/overview", |v| v["page_views"] == 2)
        .await;
    app.stop().await;
}

#[tokio::test]
async fn active_hours_and_opening_hours_set_on_the_dashboard_decide_what_is_judged() {
    let app = spawn_app_with(|c| c.alerts.interval_secs = 3600).await;
    app.login().await;
    let now = store::clock::now_ms();
    // r-5 took one order half an hour ago, none since.
    let order = json!({"events": [{"event": "order.created", "order_id": "o1", "restaurant_id": "r-5",
        "total": "9.50", "timestamp": now - 30 * 60_000}]});
    assert_eq!(
        crate::business::post_events(&app, &order).await.status(),
        202
    );
    app.wait_json("/api/v1/business?range=24h", |v| {
        v["current"]["orders"] == 1
    })
    .await;
    let shipped: Vec<rule::Rule> = rule::parse(rule::DEFAULT_RULES, "alerts.toml")
        .unwrap()
        .into_iter()
        .filter(|r| r.name == "order_processing_stopped")
        .collect();
    let history = || async {
        app.get_json("/api/v1/alerts/history?rule=order_processing_stopped")
            .await
    };
    let mut states = engine::States::new();

    let set = |hours: &'static str| {
        let app = &app;
        async move {
            let body = json!({"hours": hours, "timezone": "Asia/Tokyo"});
            app.put_json("/api/v1/restaurants/r-5/hours", &body).await
        }
    };
    assert_eq!(set("closed").await.status(), 204);
    engine::evaluate(&app.state, &shipped, &mut states, now)
        .await
        .unwrap();
    assert_eq!(
        history().await,
        json!([]),
        "a closed restaurant is never judged"
    );

    assert_eq!(set("daily 00:00-24:00").await.status(), 204);
    let listed = app.get_json("/api/v1/restaurants/hours").await;
    let r5 = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["restaurant"] == "r-5")
        .unwrap();
    assert_eq!(
        (&r5["open_now"], &r5["timezone"]),
        (&json!(true), &json!("Asia/Tokyo")),
        "{listed:#}"
    );
    engine::evaluate(&app.state, &shipped, &mut states, now)
        .await
        .unwrap();
    let h = history().await;
    assert_eq!(
        (&h[0]["change"], &h[0]["instance"]),
        (&json!("fired"), &json!("r-5")),
        "{h:#}"
    );
    let bad = set("mon-fri 25:00-26:00").await;
    assert_eq!(bad.status(), 400, "hours that are not hours are refused");

    // A rule's own active hours: the same breach is judged inside them, not outside.
    post_point(&app, "kds.lag", 9.0, now).await;
    let far = (now / 3_600_000 + 12) % 24;
    let rule_at = |name: &str, hours: String| {
        rule_of(&format!(
            "[[rule]]\nname = \"{name}\"\nseverity = \"warning\"\nmetric = \"custom:kds.lag\"\n\
             comparison = \">\"\nthreshold = 5\nwindow = \"5m\"\ncooldown = \"1m\"\n\
             active_hours = \"{hours}\"\ntimezone = \"UTC\"\n"
        ))
    };
    let day = rule_at("kds_day", "daily 00:00-24:00".into());
    let night = rule_at("kds_night", format!("daily {far:02}:00-{:02}:00", far + 1));
    let fired = |name: &'static str| {
        let app = &app;
        async move {
            let h = app
                .get_json(&format!("/api/v1/alerts/history?rule={name}"))
                .await;
            h.as_array().unwrap().iter().any(|t| t["change"] == "fired")
        }
    };
    let both = [day, night];
    evaluate_until(&app, &both, &mut states, now, || fired("kds_day")).await;
    assert!(
        !fired("kds_night").await,
        "outside its active hours the rule is not judged"
    );
    app.stop().await;
}
