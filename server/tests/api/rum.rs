use crate::helpers::{beacon, beacons, spawn_app, spawn_app_with};
use serde_json::Value;
use sqlx::{ConnectOptions, Connection, Executor};
use std::time::Duration;

#[tokio::test]
async fn beacons_are_stored_rolled_up_and_served_by_the_read_api() {
    let app = spawn_app().await;
    let body = beacons(&[
        beacon("/menu", 800.0),
        beacon("/menu", 1200.0),
        beacon("/checkout", 2000.0),
    ]);
    let r = app.post_rum(body, "application/json").await;
    assert_eq!(r.status(), 202);
    assert_eq!(r.json::<Value>().await.unwrap()["accepted"], 3);
    assert_eq!(app.wait_for_events(3).await, 3);

    app.login().await;
    let ov = app.get_json("/api/v1/overview?range=1h").await;
    assert_eq!(ov["page_views"], 3);
    assert_eq!(ov["load"]["count"], 3);
    let p50 = ov["load"]["p50"].as_f64().unwrap();
    assert!((p50 - 1200.0).abs() < 25.0, "p50 {p50}");
    let p99 = ov["load"]["p99"].as_f64().unwrap();
    assert!((p99 - 2000.0).abs() < 40.0, "p99 {p99}");
    assert_eq!(
        ov["top_pages"][0],
        serde_json::json!({ "page": "/menu", "views": 2 })
    );
    assert_eq!(
        ov["top_pages"][1],
        serde_json::json!({ "page": "/checkout", "views": 1 })
    );
    assert_eq!(ov["series"].as_array().unwrap().len(), 60);
    assert!(
        ov["chart_svg"].as_str().unwrap().contains("<circle"),
        "data points drawn"
    );

    let day = app.get_json("/api/v1/overview?range=24h").await;
    assert_eq!(day["page_views"], 3);
    assert_eq!(day["series"].as_array().unwrap().len(), 96);
    app.stop().await;
}

#[tokio::test]
async fn send_beacon_bodies_are_accepted_as_text_plain() {
    let app = spawn_app().await;
    let r = app
        .post_rum(
            format!("[{}]", beacon("/", 500.0)),
            "text/plain;charset=UTF-8",
        )
        .await;
    assert_eq!(r.status(), 202);
    assert_eq!(app.wait_for_events(1).await, 1);
    app.stop().await;
}

async fn error_of(r: reqwest::Response) -> (u16, String, String) {
    let status = r.status().as_u16();
    let v: Value = r.json().await.expect("errors are JSON");
    (
        status,
        v["error"].as_str().unwrap().to_string(),
        v["message"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn bad_requests_get_a_json_error_naming_the_problem_and_store_nothing() {
    let app = spawn_app_with(|c| c.ingest.max_body_bytes = 2048).await;
    let good = beacons(&[beacon("/", 100.0)]);

    let (s, code, _) = error_of(
        app.post_rum(good.clone(), "application/x-www-form-urlencoded")
            .await,
    )
    .await;
    assert_eq!((s, code.as_str()), (415, "unsupported_media_type"));

    let no_key = app
        .client
        .post(app.url("/api/rum"))
        .header("content-type", "application/json")
        .body(good.clone())
        .send()
        .await
        .unwrap();
    let (s, _, msg) = error_of(no_key).await;
    assert_eq!(s, 401);
    assert!(msg.contains("missing public key"), "{msg}");

    let wrong_key = app
        .client
        .post(app.url("/api/rum?key=nope"))
        .header("content-type", "application/json")
        .body(good.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(wrong_key).await.0, 401);

    let big = beacons(&vec![beacon("/a-rather-long-page-name", 1.0); 40]);
    assert!(big.len() > 2048);
    let (s, code, _) = error_of(app.post_rum(big, "application/json").await).await;
    assert_eq!((s, code.as_str()), (413, "payload_too_large"));

    let (s, code, msg) = error_of(
        app.post_rum(
            r#"{"beacons":[{"type":"pageload","page":"/","load":"fast"}]}"#,
            "application/json",
        )
        .await,
    )
    .await;
    assert_eq!((s, code.as_str()), (400, "bad_request"));
    assert!(msg.starts_with("beacons[0].load: invalid type"), "{msg}");

    let (s, _, msg) = error_of(app.post_rum("{not json", "application/json").await).await;
    assert_eq!(s, 400);
    assert!(!msg.is_empty());

    // A good request afterwards is the only thing stored.
    assert_eq!(app.post_rum(good, "application/json").await.status(), 202);
    assert_eq!(app.wait_for_events(1).await, 1);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(app.stored_events().await, 1);
    app.stop().await;
}

#[tokio::test]
async fn a_stalled_database_fills_the_queue_then_429_and_nothing_accepted_is_lost() {
    let app = spawn_app_with(|c| {
        c.ingest.queue_capacity = 2;
        c.ingest.flush_max_events = 1;
    })
    .await;
    // Another connection takes the write lock: the writer blocks on its next flush.
    let db = app.dir.path().join("monitor.db");
    let mut blocker = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&db)
        .connect()
        .await
        .unwrap();
    blocker.execute("BEGIN EXCLUSIVE").await.unwrap();

    let mut accepted = 0;
    let mut refused = None;
    for _ in 0..20 {
        let r = app
            .post_rum(beacons(&[beacon("/", 100.0)]), "application/json")
            .await;
        match r.status().as_u16() {
            202 => accepted += 1,
            429 => {
                refused = Some(r);
                break;
            }
            other => panic!("unexpected {other}"),
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let refused = refused.expect("a full queue answers 429");
    assert_eq!(refused.headers()["retry-after"], "1");
    let (_, code, _) = error_of(refused).await;
    assert_eq!(code, "rate_limited");
    assert!(accepted >= 2, "accepted {accepted} before the queue filled");

    blocker.execute("COMMIT").await.unwrap();
    blocker.close().await.unwrap();
    assert_eq!(app.wait_for_events(accepted).await, accepted);
    app.stop().await;
}
