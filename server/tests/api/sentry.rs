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

fn envelope(key: &str, items: &[(&str, &str)]) -> Vec<u8> {
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

async fn post_envelope(app: &TestApp, body: Vec<u8>, encoding: Option<&str>) -> reqwest::Response {
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
    app.stop().await;
}
