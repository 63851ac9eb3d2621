//! Several instances on one PostgreSQL: ingest counted once, one leader running the
//! alert engine and outbox, failover when it dies, live events crossing instances; and
//! the SQLite → PostgreSQL copy. Skipped (loudly) without `TEST_POSTGRES_URL`.

use crate::helpers::{beacon, beacons, spawn_app_with, spawn_binary, TestApp, ADMIN, PASSWORD};
use serde_json::{json, Value};
use std::{
    future::Future,
    path::Path,
    sync::atomic::Ordering,
    time::{Duration, Instant},
};
use store::test_db::TestPg;

const RULES: &str = "[[rule]]\nname = \"queue_backlog\"\nseverity = \"critical\"\n\
    metric = \"custom:depth\"\ncomparison = \">\"\nthreshold = 100\nwindow = \"2m\"\n\
    cooldown = \"10m\"\n";

fn rules_file(dir: &Path) -> std::path::PathBuf {
    let file = dir.join("alerts.toml");
    std::fs::write(&file, RULES).unwrap();
    file
}

/// Polls `check` every 50 ms for up to `secs`; panics naming `what` if it never holds.
async fn eventually<F, Fut>(secs: u64, what: &str, check: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !check().await {
        assert!(Instant::now() < deadline, "never happened: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn pg_app(url: &str, rules: &Path) -> TestApp {
    let (url, rules) = (url.to_string(), rules.to_path_buf());
    spawn_app_with(move |c| {
        c.database.url = url;
        c.database.lease_check_secs = 1;
        c.alerts.interval_secs = 1;
        c.alerts.file = rules;
    })
    .await
}

#[tokio::test]
async fn two_instances_count_every_beacon_once_and_share_live_alerts() {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let Some(pg) = TestPg::create().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let rules = rules_file(dir.path());
    let a = pg_app(&pg.url, &rules).await;
    eventually(10, "A leads", || async {
        a.state.leader.load(Ordering::Relaxed)
    })
    .await;
    let b = pg_app(&pg.url, &rules).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(!b.state.leader.load(Ordering::Relaxed), "one leader only");
    assert_eq!(a.public_key, b.public_key, "one shared project");

    // A dashboard on B listens.
    b.login().await;
    let token = crate::probes::api_token(&b).await;
    let mut req = format!("{}/ws", b.base.replace("http://", "ws://"))
        .into_client_request()
        .unwrap();
    req.headers_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();

    // 60 beacons through each instance, in parallel.
    let send = |app: &TestApp, page: &'static str| {
        let (url, key) = (app.url("/api/rum"), app.public_key.clone());
        async move {
            let client = reqwest::Client::new();
            for i in 0..6 {
                let items: Vec<Value> = (0..10)
                    .map(|j| beacon(page, 100.0 + f64::from(i * 10 + j)))
                    .collect();
                let r = client
                    .post(format!("{url}?key={key}"))
                    .header("content-type", "application/json")
                    .body(beacons(&items))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 202);
            }
        }
    };
    tokio::join!(send(&a, "/menu"), send(&b, "/checkout"));
    assert_eq!(a.wait_for_events(120).await, 120);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(b.stored_events().await, 120, "each beacon stored once");
    b.login().await;
    let top = b.get_json("/api/v1/overview").await["top_pages"].clone();
    let views = |page: &str| {
        top.as_array()
            .and_then(|p| p.iter().find(|x| x["page"] == page))
            .map(|x| x["views"].clone())
    };
    assert_eq!(
        (views("/menu"), views("/checkout")),
        (Some(json!(60)), Some(json!(60))),
        "rollups from both writers add up: {top}"
    );

    // A point through A fires the alert on A (the leader); B's dashboard hears it.
    crate::alerts::post_point(&a, "depth", 500.0, store::clock::now_ms()).await;
    let heard = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(Ok(m)) = ws.next().await {
            let text = m.to_text().unwrap_or_default().to_string();
            if text.contains("queue_backlog") {
                return text;
            }
        }
        String::new()
    })
    .await
    .expect("B's dashboard hears A's alert");
    let event: Value = serde_json::from_str(&heard).unwrap();
    assert_eq!(event["type"], "alert", "{event}");
    let history = b
        .get_json("/api/v1/alerts/history?rule=queue_backlog")
        .await;
    let fired = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["change"] == "fired");
    assert_eq!(fired.count(), 1, "fired once: {history}");
    b.stop().await;
    a.stop().await;
    pg.drop().await;
}

/// `GET /health`'s `instance.leader`, as a signed-in admin sees it (the answer is JSON
/// whatever its status code; anonymous callers see no instance).
async fn leads(base: &str) -> bool {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = [("username", ADMIN), ("password", PASSWORD), ("next", "/")];
    if client
        .post(format!("{base}/auth/login"))
        .form(&form)
        .send()
        .await
        .is_err()
    {
        return false;
    }
    match client.get(format!("{base}/health")).send().await {
        Ok(r) => r
            .json::<Value>()
            .await
            .is_ok_and(|v| v["instance"]["leader"] == true),
        Err(_) => false,
    }
}

#[tokio::test]
async fn when_the_leader_dies_the_other_instance_takes_over_and_delivers_the_outbox() {
    let Some(pg) = TestPg::create().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let rules = rules_file(dir.path());
    let rx = crate::alerts::receiver().await;
    // The receiver is down until the leader is killed: the notification waits in the outbox.
    rx.fail.store(usize::MAX, Ordering::SeqCst);
    let hook = format!("{}/hook", rx.base);
    let env = [
        ("MONITOR_DATABASE__URL", pg.url.as_str()),
        ("MONITOR_DATABASE__LEASE_CHECK_SECS", "1"),
        ("MONITOR_ALERTS__INTERVAL_SECS", "1"),
        ("MONITOR_ALERTS__FILE", rules.to_str().unwrap()),
        ("MONITOR_ALERTS__WEBHOOK__URL", hook.as_str()),
        ("MONITOR_ALERTS__WEBHOOK__SECRET", "s3cret"),
    ];
    let mut a = spawn_binary(PASSWORD, &env);
    eventually(15, "A leads", || leads(&a.base)).await;
    let b = spawn_binary(PASSWORD, &env);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(!leads(&b.base).await, "one leader only");

    let db = sqlx::PgPool::connect(&pg.url).await.unwrap();
    // An ingest token, as a platform job would hold.
    let token = monitor::auth::token::new_api_token();
    sqlx::query(
        "INSERT INTO api_tokens (user_id, name, scope, token_hash, prefix, created_at)
         SELECT id, 'job', 'ingest', $1, 'rosm_j', 0 FROM users ORDER BY id LIMIT 1",
    )
    .bind(monitor::auth::token::hash(&token))
    .execute(&db)
    .await
    .unwrap();
    // The point goes in through B; A's engine fires and A's outbox fails to deliver.
    let point = json!({"metric": "depth", "value": 500.0, "timestamp": store::clock::now_ms()});
    let r = reqwest::Client::new()
        .post(format!("{}/api/internal/metrics", b.base))
        .bearer_auth(&token)
        .body(point.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let attempted = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM alert_outbox WHERE status = 'pending' AND attempts >= 1",
        )
        .fetch_one(&db)
        .await
        .unwrap()
            == 1
    };
    eventually(20, "A tried to deliver and failed", attempted).await;

    a.child.kill().unwrap();
    let killed = Instant::now();
    rx.fail.store(0, Ordering::SeqCst);
    eventually(15, "B takes over", || leads(&b.base)).await;
    let took_over = killed.elapsed();
    eventually(30, "B delivers the outbox", || async {
        !rx.got.lock().unwrap().is_empty()
    })
    .await;
    let delivered = killed.elapsed();
    eprintln!(
        "failover: B led {} ms after A was killed; the pending notification arrived after {} ms",
        took_over.as_millis(),
        delivered.as_millis()
    );
    // B's engine goes on evaluating: the alert stays fired, nothing is sent twice.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(rx.got.lock().unwrap().len(), 1, "one notification in all");
    let fired: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM alert_history WHERE rule = 'queue_backlog' AND change = 'fired'",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(fired, 1, "the alert fired once across both instances");
    db.close().await;
    drop(b);
    drop(a);
    pg.drop().await;
}

/// Drops what depends on the moment of asking: rendered charts and timestamps of the answer.
fn timeless(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|k, _| {
                !k.ends_with("_svg")
                    && !["generated_at_ms", "from_ms", "to_ms"].contains(&k.as_str())
            });
            m.values_mut().for_each(timeless);
        }
        Value::Array(a) => a.iter_mut().for_each(timeless),
        _ => {}
    }
}

/// What the read API says, with the fields that depend on the moment of asking removed.
async fn answers(app: &TestApp) -> Vec<Value> {
    let mut out = vec![];
    for path in [
        "/api/v1/issues",
        "/api/v1/logs?limit=100",
        "/api/v1/business?range=24h",
        "/api/v1/audit",
        "/api/v1/tokens",
        "/api/v1/filters",
        "/api/v1/endpoints",
    ] {
        let mut answer = app.get_json(path).await;
        timeless(&mut answer);
        out.push(json!({ "path": path, "answer": answer }));
    }
    let o = app.get_json("/api/v1/overview").await;
    out.push(json!({
        "path": "/api/v1/overview",
        "page_views": o["page_views"], "top_pages": o["top_pages"], "load": o["load"],
        "errors": o["errors"], "business": o["business"], "recent_issues": o["recent_issues"],
    }));
    out
}

#[tokio::test]
async fn a_sqlite_database_copied_to_postgres_answers_the_same() {
    let Some(pg) = TestPg::create().await else {
        return;
    };
    let app = spawn_app_with(|c| c.alerts.interval_secs = 3600).await;
    app.login().await;
    let now = store::clock::now_ms();
    // More page loads than one copy chunk (2,000), so the copy can stop half-way through.
    for round in 0..21 {
        let items: Vec<Value> = (0..100)
            .map(|i| beacon("/menu", 100.0 + f64::from(round * 100 + i)))
            .collect();
        assert_eq!(
            app.post_rum(beacons(&items), "application/json")
                .await
                .status(),
            202
        );
    }
    let events = json!({ "events": crate::business::day(now) });
    assert_eq!(
        crate::business::post_events(&app, &events).await.status(),
        202
    );
    let logs = [
        json!({"level": "info", "message": "order accepted", "service": "api", "timestamp": now - 3000}),
        json!({"level": "error", "message": "charge failed", "service": "payments", "timestamp": now - 1000,
               "stack": "TypeError: card is undefined\n    at charge (/app/src/payments.js:42:13)"}),
    ];
    let body = format!("{}\n{}\n", logs[0], logs[1]);
    assert_eq!(crate::logs::post_logs(&app, body).await.status(), 202);
    crate::probes::api_token(&app).await;
    assert_eq!(app.wait_for_events(2_100).await, 2_100);
    let before = app
        .wait_json("/api/v1/issues", |v| {
            v.as_array().is_some_and(|a| !a.is_empty())
        })
        .await;
    assert_eq!(before[0]["title"], "TypeError: card is undefined");
    let sqlite_answers = answers(&app).await;
    let sqlite_url = app.state.config.database.url.clone();
    let dir = app.stop_keeping_data().await;

    struct Quiet;
    impl store::export::Progress for Quiet {
        fn table(&mut self, _: &str, _: u64, _: u64) {}
        fn advance(&mut self, _: u64) {}
        fn finish_table(&mut self) {}
    }
    /// Dies (as a killed process would) after the first chunk of page loads is committed.
    struct DiesInPageLoads(bool);
    impl store::export::Progress for DiesInPageLoads {
        fn table(&mut self, table: &str, _: u64, _: u64) {
            self.0 = table == "rum_events";
        }
        fn advance(&mut self, _: u64) {
            assert!(!self.0, "killed half-way through rum_events");
        }
        fn finish_table(&mut self) {}
    }
    let (from, to) = (sqlite_url.clone(), pg.url.clone());
    let interrupted =
        tokio::spawn(
            async move { store::export::run(&from, &to, &mut DiesInPageLoads(false)).await },
        )
        .await;
    assert!(interrupted.is_err(), "the first copy stopped half-way");
    let db = sqlx::PgPool::connect(&pg.url).await.unwrap();
    let copied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rum_events")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(copied, 2_000, "one chunk of page loads was committed");
    db.close().await;

    // Run again: it resumes after the committed chunk.
    let counts = store::export::run(&sqlite_url, &pg.url, &mut Quiet)
        .await
        .unwrap();
    let rows = |t: &str| counts.iter().find(|c| c.table == t).unwrap().target_rows;
    assert_eq!(rows("rum_events"), 2_100);
    assert!(rows("business_events") >= 19 && rows("log_lines") == 2 && rows("audit_log") >= 1);
    // Once more, on a finished copy: nothing is copied twice.
    let again = store::export::run(&sqlite_url, &pg.url, &mut Quiet)
        .await
        .unwrap();
    assert_eq!(again, counts);

    let url = pg.url.clone();
    let on_pg = spawn_app_with(move |c| {
        c.database.url = url;
        c.alerts.interval_secs = 3600;
    })
    .await;
    on_pg.login().await;
    let pg_answers = answers(&on_pg).await;
    // Starting on the copy made the test helper's ingest token and signing in added an
    // audit row; compare the rows that were copied.
    let strip_new_logins = |mut v: Vec<Value>| {
        for (at, table) in [(3, "audit_log"), (4, "api_tokens")] {
            if let Some(a) = v[at]["answer"].as_array_mut() {
                a.retain(|e| e["id"].as_i64().unwrap_or(0) <= rows(table) as i64);
            }
        }
        v
    };
    for (on_pg, on_sqlite) in strip_new_logins(pg_answers)
        .iter()
        .zip(strip_new_logins(sqlite_answers).iter())
    {
        assert_eq!(on_pg, on_sqlite, "the copy answers the same");
    }
    // New rows continue after the copied ids.
    crate::probes::api_token(&on_pg).await;
    on_pg.stop().await;
    drop(dir);
    pg.drop().await;
}
