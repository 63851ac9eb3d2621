//! Logs: winston JSON lines (NDJSON or an array) stored and searched by field, text,
//! level and service; a malformed line reported by number with the rest kept; business
//! lines giving the same KPIs as the events API; error lines opening issues; retention
//! by age and size; the live tail.

use crate::helpers::{spawn_app_with, TestApp};
use serde_json::{json, Value};

pub async fn post_logs(app: &TestApp, body: String) -> reqwest::Response {
    reqwest::Client::new()
        .post(app.url("/api/logs"))
        .bearer_auth(&app.ingest_token)
        .header("content-type", "application/x-ndjson")
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn log_lines_are_searched_by_field_text_level_and_service() {
    let app = spawn_app_with(|c| c.alerts.interval_secs = 3600).await;
    app.login().await;
    let now = store::clock::now_ms();
    let lines = [
        json!({"level": "info", "message": "order accepted", "service": "api", "orderId": "o-1", "restaurant_id": "r-1", "timestamp": now - 3000}),
        json!({"level": "warn", "message": "printer jam on station 2", "service": "kds", "restaurant_id": "r-2", "timestamp": now - 2000}),
        json!({"level": "error", "message": "charge failed", "service": "payments", "timestamp": now - 1000,
               "stack": "TypeError: card is undefined\n    at charge (/app/src/payments.js:42:13)"}),
    ];
    let body = format!(
        "{}\n{}\n{{\"level\": \"info\", \"message\": broken\n{}\n",
        lines[0], lines[1], lines[2]
    );
    let r = post_logs(&app, body).await;
    assert_eq!(r.status(), 202);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["accepted"], 3);
    assert_eq!(v["problems"][0]["line"], 3, "the bad line is named: {v}");

    let all = app
        .wait_json("/api/v1/logs", |v| {
            v["lines"].as_array().is_some_and(|l| l.len() == 3)
        })
        .await;
    assert_eq!(all["lines"][0]["message"], "charge failed", "newest first");
    let by_field = app.get_json("/api/v1/logs?field=orderId:o-1").await;
    assert_eq!(by_field["lines"].as_array().unwrap().len(), 1);
    assert_eq!(by_field["lines"][0]["restaurant_id"], "r-1");
    let by_text = app.get_json("/api/v1/logs?q=JAM").await;
    assert_eq!(
        by_text["lines"][0]["service"], "kds",
        "text search ignores case"
    );
    let literal = app.get_json("/api/v1/logs?q=%25").await;
    assert!(
        literal["lines"].as_array().unwrap().is_empty(),
        "% is literal"
    );
    let errors = app
        .get_json("/api/v1/logs?level=error&service=payments")
        .await;
    assert_eq!(errors["lines"].as_array().unwrap().len(), 1);
    let page1 = app.get_json("/api/v1/logs?limit=2").await;
    let next = page1["next"].as_str().unwrap().to_string();
    let page2 = app
        .get_json(&format!("/api/v1/logs?limit=2&before={next}"))
        .await;
    assert_eq!(page2["lines"][0]["message"], "order accepted");
    assert_eq!(
        app.get("/api/v1/logs?field=bad%20key:1").await.status(),
        400
    );

    // The error line opened an issue with its stack.
    let issues = app
        .wait_json("/api/v1/issues", |v| {
            v.as_array().is_some_and(|l| !l.is_empty())
        })
        .await;
    assert_eq!(issues[0]["title"], "TypeError: card is undefined");
    let capacity = app.get_json("/api/v1/health").await["capacity"].clone();
    let logs = capacity["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["table"] == "log_lines")
        .unwrap()
        .clone();
    assert_eq!((&logs["rows"], &logs["last_hour"]), (&json!(3), &json!(3)));
    assert!(capacity["db_bytes"].as_u64().unwrap() > 0);
    let page = app.get("/logs?q=jam").await.text().await.unwrap();
    assert!(page.contains("printer jam on station 2") && !page.contains("charge failed"));
    app.stop().await;
}

#[tokio::test]
async fn business_logger_lines_give_the_same_kpis_as_the_events_api() {
    let app = spawn_app_with(|c| c.alerts.interval_secs = 3600).await;
    app.login().await;
    let now = store::clock::now_ms();
    let body: String = crate::business::day(now)
        .into_iter()
        .map(|mut e| {
            e["level"] = json!("info");
            e["message"] = json!(format!("business event {}", e["event"]));
            e["service"] = json!("api");
            format!("{e}\n")
        })
        .collect();
    let r = post_logs(&app, body).await;
    assert_eq!(r.status(), 202);
    let v = app
        .wait_json("/api/v1/business?range=24h", |v| {
            v["current"]["orders"] == 5
        })
        .await;
    let k = &v["current"];
    assert_eq!(
        (&k["revenue_minor"], &k["avg_order_value_minor"]),
        (&json!(4240), &json!(848))
    );
    assert_eq!(
        (&k["payments"], &k["payments_failed"]),
        (&json!(5), &json!(2))
    );
    assert_eq!(k["voice_sessions"], 3);
    assert_eq!(k["completion_rate"], 0.6);
    app.stop().await;
}

#[tokio::test]
async fn retention_deletes_what_is_older_or_beyond_the_size_and_nothing_else() {
    use store::{IngestBatch, LogLine};
    let app = spawn_app_with(|_| {}).await;
    let project = app.state.storage.projects().await.unwrap()[0].id;
    // Ten days old: inside the default 14-day retention, so the background pass leaves
    // them to this test.
    let t0 = store::clock::now_ms() - 10 * 86_400_000;
    let line = |at: i64| LogLine {
        id: 0,
        project_id: project,
        at_ms: t0 + at,
        level: "info".into(),
        service: None,
        environment: None,
        restaurant_id: None,
        message: format!("at {at}"),
        body: "{}".into(),
    };
    let batch = IngestBatch {
        logs: (1..=10).map(|i| line(i * 1000)).collect(),
        ..IngestBatch::default()
    };
    app.state.storage.write_batch(&batch, &[]).await.unwrap();
    let s = &app.state.storage;
    assert_eq!(
        s.enforce_log_retention(t0 + 3000, 100).await.unwrap(),
        2,
        "at 1000 and 2000"
    );
    assert_eq!(
        s.enforce_log_retention(0, 5).await.unwrap(),
        3,
        "the three oldest left"
    );
    let left = s
        .search_logs(project, &store::LogQuery::default())
        .await
        .unwrap();
    let ats: Vec<i64> = left.iter().map(|l| l.at_ms - t0).collect();
    assert_eq!(ats, [10_000, 9000, 8000, 7000, 6000]);
    app.stop().await;
}
