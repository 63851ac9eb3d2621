//! Sentry compatibility, sent by the real Rust `sentry` crate and by raw envelopes.

use crate::helpers::{spawn_app, TestApp};
use sentry::protocol::{Context, Event, Exception, Frame, Level, Map, Stacktrace, User, Value};
use std::{io::Write, sync::Arc, time::Duration};

fn hub_for(app: &TestApp) -> (Arc<sentry::Client>, sentry::Hub) {
    let dsn = format!(
        "http://{}@{}/1",
        app.public_key,
        app.base.trim_start_matches("http://")
    );
    let mut opts = sentry::ClientOptions::default();
    opts.dsn = Some(dsn.parse().expect("valid DSN"));
    opts.environment = Some("production".into());
    opts.release = Some("pos@1.4.2".into());
    let client = Arc::new(sentry::Client::from_config(sentry::apply_defaults(opts)));
    let hub = sentry::Hub::new(Some(client.clone()), Arc::new(sentry::Scope::default()));
    (client, hub)
}

fn payment_error(order: u32, restaurant: &str, user: &str) -> Event<'static> {
    let mut e = Event::new();
    e.level = Level::Error;
    e.exception = vec![Exception {
        ty: "PaymentError".into(),
        value: Some(format!("card declined for order {order}")),
        stacktrace: Some(Stacktrace {
            frames: vec![
                Frame {
                    function: Some("poll".into()),
                    module: Some("tokio::runtime".into()),
                    in_app: Some(false),
                    ..Default::default()
                },
                Frame {
                    function: Some("charge".into()),
                    module: Some("payments::gateway".into()),
                    lineno: Some(40 + order as u64),
                    in_app: Some(true),
                    ..Default::default()
                },
            ],
            ..Default::default()
        }),
        ..Default::default()
    }]
    .into();
    e.tags.insert("restaurant_id".into(), restaurant.into());
    e.tags.insert("order_type".into(), "delivery".into());
    let mut other = Map::new();
    other.insert("role".into(), Value::from("cashier"));
    other.insert("restaurant_id".into(), Value::from(restaurant));
    e.user = Some(User {
        id: Some(user.into()),
        email: Some(format!("{user}@example.com")),
        other,
        ..Default::default()
    });
    let mut order_details = Map::new();
    order_details.insert("order_id".into(), Value::from(format!("o-{order}")));
    order_details.insert("total".into(), Value::from("23.50"));
    e.contexts
        .insert("order_details".into(), Context::Other(order_details));
    e
}

async fn issues(app: &TestApp, expected: usize) -> Vec<serde_json::Value> {
    for _ in 0..100 {
        let list = app.get_json("/api/v1/issues").await;
        let list = list.as_array().unwrap().clone();
        let events: u64 = list.iter().map(|i| i["events"].as_u64().unwrap()).sum();
        if events as usize >= expected {
            return list;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("expected {expected} events to arrive");
}

// Multi-threaded: the SDK's `flush` blocks its thread while the app answers on another.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rust_sdk_reports_errors_and_messages_grouped_into_issues() {
    let app = spawn_app().await;
    app.login().await;
    let (client, hub) = hub_for(&app);
    hub.capture_event(payment_error(17, "r-17", "u-1"));
    hub.capture_event(payment_error(18, "r-22", "u-2"));
    let mut refund = payment_error(19, "r-17", "u-1");
    if let Some(ex) = refund.exception.values.first_mut() {
        ex.ty = "RefundError".into();
    }
    hub.capture_event(refund);
    hub.capture_message("Kitchen display 7 disconnected", Level::Warning);
    assert!(
        client.flush(Some(Duration::from_secs(10))),
        "SDK delivered its queue"
    );

    let list = issues(&app, 4).await;
    assert_eq!(list.len(), 3, "{list:#?}");
    let payment = list
        .iter()
        .find(|i| i["title"].as_str().unwrap().starts_with("PaymentError"))
        .unwrap();
    assert_eq!(payment["events"], 2, "two orders, one issue");
    assert_eq!(payment["users"], 2);
    assert_eq!(payment["restaurants"], 2);
    assert_eq!(payment["culprit"], "charge (payments::gateway)");
    assert_eq!(payment["status"], "unresolved");
    assert!(list
        .iter()
        .any(|i| i["title"].as_str().unwrap().starts_with("RefundError")));
    let message = list
        .iter()
        .find(|i| i["title"] == "Kitchen display 7 disconnected")
        .unwrap();
    assert_eq!(message["level"], "warning");

    let events = app
        .get_json(&format!("/api/v1/issues/{}/events", payment["id"]))
        .await;
    let e = &events[0];
    assert_eq!(e["release"], "pos@1.4.2");
    assert_eq!(e["environment"], "production");
    assert!(e["tags"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t[0] == "restaurant_id"));
    assert_eq!(e["user"]["role"], "cashier");
    assert_eq!(e["contexts"]["order_details"]["total"], "23.50");
    assert_eq!(e["exceptions"][0]["frames"][1]["in_app"], true);
    assert_eq!(
        payment["orders"], 2,
        "orders affected, from contexts.order_details"
    );

    // Filters of the read API: any tag, environment, search, sort.
    let only_r22 = app
        .get_json("/api/v1/issues?tag=restaurant_id%3Ar-22")
        .await;
    assert_eq!(only_r22.as_array().unwrap().len(), 1);
    assert_eq!(only_r22[0]["id"], payment["id"]);
    let by_events = app
        .get_json("/api/v1/issues?sort=events&environment=production")
        .await;
    assert_eq!(by_events[0]["id"], payment["id"]);
    assert_eq!(by_events.as_array().unwrap().len(), 3);
    let found = app.get_json("/api/v1/issues?search=kitchen+display").await;
    assert_eq!(found.as_array().unwrap().len(), 1);
    assert_eq!(
        app.get("/api/v1/issues?sort=loudest").await.status(),
        400,
        "an unknown sort is refused, not ignored"
    );
    let spark = payment["sparkline"].as_array().unwrap();
    assert_eq!(spark.len(), 24);
    assert_eq!(spark[23], 2, "both events in the current hour");

    let detail = app
        .get_json(&format!("/api/v1/issues/{}/detail", payment["id"]))
        .await;
    let tag = |key: &str| {
        detail["tags"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["key"] == key)
            .unwrap_or_else(|| panic!("tag {key} in {detail:#}"))
            .clone()
    };
    assert_eq!(tag("restaurant_id")["distinct"], 2);
    assert_eq!(
        tag("order_type")["top"][0],
        serde_json::json!(["delivery", 2])
    );
    assert_eq!(tag("release")["top"][0][0], "pos@1.4.2");
    assert_eq!(detail["events"].as_array().unwrap().len(), 2);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resolved_issue_that_happens_again_is_a_regression() {
    let app = spawn_app().await;
    app.login().await;
    let (client, hub) = hub_for(&app);
    hub.capture_event(payment_error(1, "r-1", "u-1"));
    assert!(client.flush(Some(Duration::from_secs(10))));
    let id = issues(&app, 1).await[0]["id"].clone();
    let resolved = app
        .client
        .put(app.url(&format!("/api/v1/issues/{id}")))
        .header("origin", &app.base)
        .json(&serde_json::json!({ "status": "resolved" }))
        .send()
        .await
        .unwrap();
    assert_eq!(resolved.status(), 200);
    hub.capture_event(payment_error(2, "r-1", "u-1"));
    assert!(client.flush(Some(Duration::from_secs(10))));
    let list = issues(&app, 2).await;
    assert_eq!(list[0]["status"], "unresolved");
    assert!(list[0]["regressed_at_ms"].is_number());
    app.stop().await;
}

#[tokio::test]
async fn a_project_over_its_rate_limit_gets_429_with_sentry_headers() {
    let app = crate::helpers::spawn_app_with(|c| c.ingest.sentry_events_per_minute = 2).await;
    let body = || envelope(&app.public_key, &[("event", r#"{"message":"m"}"#)]);
    assert_eq!(post_envelope(&app, body(), None).await.status(), 200);
    assert_eq!(post_envelope(&app, body(), None).await.status(), 200);
    let limited = post_envelope(&app, body(), None).await;
    assert_eq!(limited.status(), 429);
    assert_eq!(limited.headers()["retry-after"], "30");
    assert_eq!(limited.headers()["x-sentry-rate-limits"], "30::key");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_envelopes_are_all_stored() {
    let app = spawn_app().await;
    let url = app.url("/api/1/envelope/");
    let sends: Vec<_> = (0..40)
        .map(|i| {
            let body = envelope(
                &app.public_key,
                &[("event", &format!(r#"{{"message":"order {i} stuck"}}"#))],
            );
            let url = url.clone();
            tokio::spawn(async move {
                reqwest::Client::new()
                    .post(url)
                    .body(body)
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    for s in sends {
        assert_eq!(s.await.unwrap(), 200);
    }
    app.login().await;
    let list = issues(&app, 40).await;
    assert_eq!(list.len(), 1, "one message shape, one issue");
    assert_eq!(list[0]["events"], 40);
    app.stop().await;
}

pub fn envelope(key: &str, items: &[(&str, &str)]) -> Vec<u8> {
    let mut out = format!("{{\"dsn\":\"http://{key}@127.0.0.1/1\"}}\n").into_bytes();
    for (kind, payload) in items {
        out.extend(
            format!(
                "{{\"type\":\"{kind}\",\"length\":{}}}\n{payload}\n",
                payload.len()
            )
            .into_bytes(),
        );
    }
    out
}

pub async fn post_envelope(
    app: &TestApp,
    body: Vec<u8>,
    encoding: Option<&str>,
) -> reqwest::Response {
    // No session cookie: ingest must authenticate by the project key alone.
    let mut req = reqwest::Client::new()
        .post(app.url("/api/1/envelope/"))
        .body(body);
    if let Some(enc) = encoding {
        req = req.header("content-encoding", enc);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn bad_envelopes_are_refused_and_good_items_kept() {
    let app = spawn_app().await;
    app.login().await;
    let good = r#"{"message":"order 1 stuck"}"#;

    assert_eq!(
        post_envelope(&app, envelope("wrong-key", &[("event", good)]), None)
            .await
            .status(),
        401
    );
    let header_auth = reqwest::Client::new()
        .post(app.url("/api/1/envelope/"))
        .header("x-sentry-auth", "Sentry sentry_version=7, sentry_key=nope")
        .body(envelope(&app.public_key, &[("event", good)]))
        .send()
        .await
        .unwrap();
    assert_eq!(header_auth.status(), 401, "a wrong header key is refused");
    let other_project = reqwest::Client::new()
        .post(app.url("/api/2/envelope/"))
        .body(envelope(&app.public_key, &[("event", good)]))
        .send()
        .await
        .unwrap();
    assert_eq!(
        other_project.status(),
        403,
        "a key is only good for its own project"
    );
    assert_eq!(
        post_envelope(&app, b"{not json\n".to_vec(), None)
            .await
            .status(),
        400
    );
    let big = format!(r#"{{"message":"{}"}}"#, "x".repeat(2 * 1024 * 1024));
    assert_eq!(
        post_envelope(&app, envelope(&app.public_key, &[("event", &big)]), None)
            .await
            .status(),
        413
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&vec![b' '; 64 * 1024 * 1024]).unwrap();
    let bomb = gz.finish().unwrap();
    assert_eq!(
        post_envelope(&app, bomb, Some("gzip")).await.status(),
        413,
        "gzip bomb refused"
    );
    assert!(
        app.get_json("/api/v1/issues")
            .await
            .as_array()
            .unwrap()
            .is_empty(),
        "nothing stored"
    );

    // One broken event item, one good, one unknown type: the good one is kept.
    let mixed = envelope(
        &app.public_key,
        &[("event", "[1,2]"), ("event", good), ("profile_chunk", "{}")],
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&mixed).unwrap();
    assert_eq!(
        post_envelope(&app, gz.finish().unwrap(), Some("gzip"))
            .await
            .status(),
        200
    );
    let list = issues(&app, 1).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["title"], "order 1 stuck");
    // The unreadable item is counted, not silently lost.
    let filters = app
        .wait_json("/api/v1/filters", |v| {
            !v["dropped_24h"].as_array().unwrap().is_empty()
        })
        .await;
    assert_eq!(
        filters["dropped_24h"][0],
        serde_json::json!({"source": "invalid", "reason": "unreadable_item", "category": "error", "quantity": 1})
    );
    app.stop().await;
}

#[tokio::test]
async fn transactions_sessions_and_client_reports_feed_performance_and_health() {
    let app = spawn_app().await;
    app.login().await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    // What @sentry/browser's browserTracingIntegration sends for a page load.
    let transaction = serde_json::json!({
        "type": "transaction", "transaction": "/checkout", "platform": "javascript",
        "start_timestamp": now - 3.0, "timestamp": now,
        "contexts": {"trace": {"op": "pageload", "trace_id": "0af7651916cd43dd8448eb211c80319c", "span_id": "b7ad6b7169203331"}},
        "request": {"url": "https://pos.example.com/checkout", "headers": {"User-Agent": "Mozilla/5.0 Chrome/120.0"}},
        "measurements": {"lcp": {"value": 1830.0, "unit": "millisecond"}, "fcp": {"value": 640.0, "unit": "millisecond"},
                          "cls": {"value": 0.08, "unit": ""}, "ttfb": {"value": 120.0, "unit": "millisecond"}},
        "spans": [
            {"op": "browser", "description": "loadEvent", "start_timestamp": now - 1.2, "timestamp": now - 1.0,
             "span_id": "1", "trace_id": "0af7651916cd43dd8448eb211c80319c"},
            {"op": "http.client", "description": "POST https://pos.example.com/api/orders/5521",
             "start_timestamp": now - 2.9, "timestamp": now - 0.4, "span_id": "2", "trace_id": "0af7651916cd43dd8448eb211c80319c",
             "data": {"http.method": "POST", "http.response.status_code": 502}}
        ]
    })
    .to_string();
    let session = |sid: &str, status: &str, errors: u32| {
        serde_json::json!({"sid": sid, "init": true, "started": "2026-01-01T00:00:00Z", "status": status,
            "errors": errors, "attrs": {"release": "pos@1.4.2", "environment": "production"}})
        .to_string()
    };
    let sessions = [session("s1", "ok", 0), session("s2", "crashed", 1)];
    // Sessions started now, so they fall inside the Overview's range.
    let sessions = sessions.map(|s| s.replace("2026-01-01T00:00:00Z", &format!("{now}")));
    let report = r#"{"timestamp":1,"discarded_events":[{"reason":"queue_overflow","category":"error","quantity":5}]}"#;
    let body = envelope(
        &app.public_key,
        &[
            ("transaction", &transaction),
            ("session", &sessions[0]),
            ("session", &sessions[1]),
            ("client_report", report),
        ],
    );
    assert_eq!(post_envelope(&app, body, None).await.status(), 200);

    let overview = app
        .wait_json("/api/v1/overview", |v| {
            v["page_views"] == 1 && v["sessions"]["total"] == 2
        })
        .await;
    assert_eq!(overview["sessions"]["crashed"], 1);
    let lcp = overview["lcp"]["p50"].as_f64().unwrap();
    assert!((lcp - 1830.0).abs() < 1830.0 * 0.02, "LCP p50 {lcp}");
    let load = overview["load"]["p50"].as_f64().unwrap();
    assert!(
        (load - 2000.0).abs() < 40.0,
        "load from the loadEvent span: {load}"
    );
    assert_eq!(overview["top_pages"][0]["page"], "/checkout");

    let endpoints = app.get_json("/api/v1/endpoints").await;
    let orders = &endpoints[0];
    assert_eq!(orders["endpoint"], "POST /api/orders/:id");
    assert_eq!(orders["errors"], 1);
    let p50 = orders["duration"]["p50"].as_f64().unwrap();
    assert!((p50 - 2500.0).abs() < 60.0, "span duration {p50}");

    let filters = app.get_json("/api/v1/filters").await;
    assert!(filters["dropped_24h"]
        .as_array()
        .unwrap()
        .contains(&serde_json::json!({"source": "client", "reason": "queue_overflow", "category": "error", "quantity": 5})));
    app.stop().await;
}

#[tokio::test]
async fn everything_from_an_event_is_escaped_on_the_issue_pages() {
    let app = spawn_app().await;
    app.login().await;
    let hostile = r#"{"message":"<script>alert(1)</script>","tags":{"restaurant_id":"<img src=x onerror=alert(2)>"},
        "user":{"id":"<b>u</b>"},"contexts":{"order_details":{"note":"</pre><script>alert(3)</script>"}},
        "breadcrumbs":[{"message":"<iframe src=javascript:alert(4)>"}]}"#;
    let body = envelope(&app.public_key, &[("event", hostile)]);
    assert_eq!(post_envelope(&app, body, None).await.status(), 200);
    let id = issues(&app, 1).await[0]["id"].clone();
    for path in ["/issues".to_string(), format!("/issues/{id}")] {
        let html = app.get(&path).await.text().await.unwrap();
        for raw in [
            "<script>alert",
            "<img src=x",
            "<b>u</b>",
            "<iframe",
            "</pre><script>",
        ] {
            assert!(!html.contains(raw), "{path} carries {raw} unescaped");
        }
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{path} shows it as text"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn inbound_filters_drop_and_count_and_can_be_changed() {
    let app = spawn_app().await;
    app.login().await;
    let noise = r#"{"exception":{"values":[{"type":"Error","value":"ResizeObserver loop limit exceeded"}]}}"#;
    let staging = r#"{"message":"staging only","environment":"staging"}"#;
    let send = |payload: &'static str| {
        let body = envelope(&app.public_key, &[("event", payload)]);
        async { assert_eq!(post_envelope(&app, body, None).await.status(), 200) }
    };
    send(noise).await;
    send(staging).await;
    issues(&app, 1).await;
    let filters = app
        .wait_json("/api/v1/filters", |v| {
            !v["dropped_24h"].as_array().unwrap().is_empty()
        })
        .await;
    assert_eq!(filters["dropped_24h"][0]["reason"], "message");
    assert_eq!(filters["filters"]["browser_extensions"], true);
    let list = app.get_json("/api/v1/issues").await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list:#}");
    assert_eq!(list[0]["title"], "staging only");

    let changed = app
        .put_json(
            "/api/v1/filters",
            &serde_json::json!({"messages": [" ", "Script error."], "browser_extensions": false, "environments": ["staging"]}),
        )
        .await;
    assert_eq!(changed.status(), 200);
    let changed: serde_json::Value = changed.json().await.unwrap();
    assert_eq!(
        changed["filters"]["messages"],
        serde_json::json!(["Script error."])
    );
    send(noise).await;
    send(staging).await;
    let list = app
        .wait_json("/api/v1/issues", |v| v.as_array().unwrap().len() == 2)
        .await;
    assert!(list[0]["title"]
        .as_str()
        .unwrap()
        .contains("ResizeObserver"));
    let filters = app
        .wait_json("/api/v1/filters", |v| {
            v["dropped_24h"]
                .as_array()
                .unwrap()
                .iter()
                .any(|o| o["reason"] == "environment")
        })
        .await;
    let staging_issue = list
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"] == "staging only")
        .unwrap();
    assert_eq!(
        staging_issue["events"], 1,
        "the second staging event was dropped"
    );
    assert!(filters["dropped_24h"].as_array().unwrap().len() >= 2);
    let bad = app
        .put_json(
            "/api/v1/filters",
            &serde_json::json!({"messages": "not a list"}),
        )
        .await;
    assert_eq!(bad.status(), 400);

    // The Settings form (no wasm): repeated fields, blanks dropped, unchecked box.
    let form = |origin: &str, body: &'static str| {
        app.client
            .post(app.url("/settings/filters"))
            .header("origin", origin)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let saved = form(
        &app.base,
        "messages=Script+error.&messages=&environments=qa&environments=",
    )
    .await
    .unwrap();
    assert_eq!(saved.status(), 303);
    let saved = app.get_json("/api/v1/filters").await;
    assert_eq!(
        saved["filters"],
        serde_json::json!({"messages": ["Script error."], "browser_extensions": false, "environments": ["qa"]})
    );
    let cross_site = form("https://evil.example", "messages=").await.unwrap();
    assert_eq!(
        cross_site.status(),
        403,
        "a form from another site is refused"
    );

    // The issue page's status buttons are forms too.
    let id = list[0]["id"].clone();
    let status = app
        .client
        .post(app.url(&format!("/issues/{id}/status")))
        .header("origin", &app.base)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("status=ignored")
        .send()
        .await
        .unwrap();
    assert_eq!(status.status(), 303);
    assert_eq!(
        app.get_json(&format!("/api/v1/issues/{id}")).await["status"],
        "ignored"
    );
    app.stop().await;
}
