//! A `202` is a promise. The database's write lock held by another connection for longer
//! than every timeout (SQLite's busy timeout, the writer's old retries) while RUM traffic
//! keeps coming: the writer keeps its batch and retries, ingest answers `503` with
//! `Retry-After` once the queue is full, and afterwards every accepted event is stored,
//! exactly once.

use crate::helpers::{beacon, beacons, spawn_app_with};
use sqlx::{Connection, Row};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_locked_longer_than_every_timeout_loses_no_accepted_event() {
    let app = spawn_app_with(|c| {
        c.ingest.queue_capacity = 3_000;
        c.alerts.interval_secs = 3600;
    })
    .await;
    app.login().await;
    let url = app.state.config.database.url.clone();
    let mut other = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut other)
        .await
        .unwrap();

    // 25 s: past SQLite's 5 s busy timeout several times over, and past the ~23 s after
    // which the writer used to give up and drop its batch.
    let held = Instant::now();
    let (mut accepted, mut page) = (0u64, 0u64);
    let mut statuses = std::collections::BTreeMap::<u16, u32>::new();
    while held.elapsed() < Duration::from_secs(25) {
        // A distinct load time per beacon, to count each stored row once.
        let batch: Vec<_> = (0..20)
            .map(|i| beacon("/durable", (page * 20 + i + 1) as f64))
            .collect();
        page += 1;
        let r = app.post_rum(beacons(&batch), "application/json").await;
        let status = r.status().as_u16();
        *statuses.entry(status).or_default() += 1;
        match status {
            202 => accepted += 20,
            429 | 503 => assert!(
                r.headers().contains_key("retry-after"),
                "{status} says when to come back"
            ),
            other => panic!("unexpected {other}: {}", r.text().await.unwrap()),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let figures = app.state.telemetry.ingest.figures();
    assert!(figures.failing, "the writer knows the database is failing");
    assert!(figures.flush_failures > 0);
    assert!(
        statuses.get(&503).is_some_and(|n| *n > 0),
        "a full queue on a failing database answers 503: {statuses:?}"
    );
    let health = app.get_json("/api/v1/health").await;
    assert_eq!(health["ingest"]["failing"], true, "the Health page says so");

    sqlx::query("COMMIT").execute(&mut other).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let (rows, distinct) = loop {
        let r = sqlx::query("SELECT COUNT(*), COUNT(DISTINCT load) FROM rum_events")
            .fetch_one(&mut other)
            .await
            .unwrap();
        let (rows, distinct): (i64, i64) = (r.get(0), r.get(1));
        if rows as u64 >= accepted || Instant::now() > deadline {
            break (rows as u64, distinct as u64);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    eprintln!(
        "lock held 25 s: {accepted} accepted, {rows} stored, statuses {statuses:?}, {} failed flush attempts",
        figures.flush_failures
    );
    assert!(
        accepted >= 3_000,
        "the queue filled before refusing: {accepted}"
    );
    assert_eq!(rows, accepted, "every accepted page load is stored");
    assert_eq!(distinct, accepted, "each exactly once");
    let after = app.state.telemetry.ingest.figures();
    assert_eq!((after.dropped, after.failing, after.queued), (0, false, 0));
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("monitor_ingest_events_total{outcome=\"dropped\"} 0"));
    assert!(metrics.contains(&format!(
        "monitor_ingest_events_total{{outcome=\"written\"}} {}",
        after.written
    )));
    app.stop().await;
}

/// Attacker-chosen page names cannot grow the rollups without limit: past the day's
/// budget, new pages count under `other` (their raw rows keep the names).
#[tokio::test]
async fn pages_past_the_key_budget_count_under_other() {
    let app = spawn_app_with(|c| c.ingest.max_keys_per_day = 3).await;
    app.login().await;
    let batch: Vec<_> = "abcdefghij"
        .chars()
        .map(|c| beacon(&format!("/page-{c}"), 400.0))
        .collect();
    assert_eq!(
        app.post_rum(beacons(&batch), "application/json")
            .await
            .status(),
        202
    );
    let v = app
        .wait_json("/api/v1/overview", |v| v["page_views"] == 10)
        .await;
    let pages: Vec<(String, u64)> = v["top_pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["page"].as_str().unwrap().to_string(),
                p["views"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(pages.len(), 4, "three pages and other: {pages:?}");
    assert!(pages.contains(&("other".to_string(), 7)), "{pages:?}");
    let h = app.get_json("/api/v1/health").await;
    assert!(h["ingest"]["folded_keys"].as_u64().unwrap() > 0);
    app.stop().await;
}
