//! SIGTERM against the real binary: every accepted beacon is in the database after exit.

use crate::helpers::{beacon, beacons, spawn_binary};
use sqlx::{ConnectOptions, Connection};
use std::time::Duration;

#[tokio::test]
async fn sigterm_flushes_every_accepted_beacon() {
    // Nothing flushes on its own: whatever is stored was flushed by the shutdown.
    let app = spawn_binary(
        "drain-test-password",
        &[
            ("MONITOR_INGEST__FLUSH_INTERVAL_MS", "600000"),
            ("MONITOR_INGEST__FLUSH_MAX_EVENTS", "1000000"),
        ],
    );
    let (base, db) = (app.base.clone(), app.db.clone());

    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&db)
        .connect()
        .await
        .unwrap();
    let key: String = sqlx::query_scalar("SELECT public_key FROM projects")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let client = reqwest::Client::new();
    let mut accepted = 0;
    for i in 0..50 {
        let body = beacons(
            &(0..10)
                .map(|j| beacon(&format!("/p{}", (i + j) % 7), 100.0 + j as f64))
                .collect::<Vec<_>>(),
        );
        let r = client
            .post(format!("{base}/api/rum?key={key}"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 202);
        accepted += 10;
    }
    let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rum_events")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(before, 0, "nothing flushed before the signal");

    let status = app.terminate().await;
    assert!(status.success(), "clean exit: {status}");
    tokio::time::sleep(Duration::from_millis(50)).await;

    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rum_events")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(stored, accepted);
    let views: i64 = sqlx::query_scalar(
        "SELECT SUM(count) FROM rollups WHERE metric = 'pageview' AND restaurant = '' AND page = ''",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(views, accepted, "rollups flushed with the events");
    conn.close().await.unwrap();
}
