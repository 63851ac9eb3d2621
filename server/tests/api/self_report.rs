//! The monitor reporting its own failures: the real binary with `SENTRY_DSN` set to a
//! second monitor's DSN. A broken database makes it answer `500`; the second monitor
//! receives that as an issue with the request, the release, and the error log line
//! before it as a breadcrumb.

use crate::helpers::{spawn_app, spawn_binary};
use sqlx::{ConnectOptions, Connection};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_error_is_reported_with_its_request_and_breadcrumbs() {
    let receiver = spawn_app().await;
    receiver.login().await;
    let dsn = format!(
        "http://{}@{}/1",
        receiver.public_key,
        receiver.base.trim_start_matches("http://")
    );
    let app = spawn_binary(
        "self-report-password",
        &[("SENTRY_DSN", &dsn), ("SENTRY_ENVIRONMENT", "selftest")],
    );
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = client
        .post(format!("{}/auth/login", app.base))
        .header("origin", &app.base)
        .form(&[("username", "admin"), ("password", "self-report-password")])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 303);
    let issues_url = format!("{}/api/v1/issues", app.base);
    assert_eq!(client.get(&issues_url).send().await.unwrap().status(), 200);

    // Break the database under it: the issue list's query now fails.
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&app.db)
        .connect()
        .await
        .unwrap();
    sqlx::query("DROP TABLE issue_tags")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let failed = client.get(&issues_url).send().await.unwrap();
    assert_eq!(failed.status(), 500);
    let body = failed.text().await.unwrap();
    assert!(
        !body.contains("issue_tags"),
        "the client is not told the cause: {body}"
    );

    let list = receiver
        .wait_json("/api/v1/issues", |v| !v.as_array().unwrap().is_empty())
        .await;
    let issue = &list[0];
    assert!(
        issue["title"].as_str().unwrap().contains("issue_tags"),
        "the report carries the cause: {issue:#}"
    );
    let events = receiver
        .get_json(&format!("/api/v1/issues/{}/events", issue["id"]))
        .await;
    let e = &events[0];
    assert_eq!(e["message"], "HTTP 500 on GET /api/v1/issues");
    assert_eq!(e["environment"], "selftest");
    assert!(e["release"].as_str().unwrap().starts_with("monitor@"));
    assert!(e["request"]["url"]
        .as_str()
        .unwrap()
        .ends_with("/api/v1/issues"));
    let headers = e["request"]["headers"].to_string().to_lowercase();
    assert!(
        !headers.contains("cookie"),
        "credentials stay home: {headers}"
    );
    let crumbs = e["breadcrumbs"].to_string();
    assert!(
        crumbs.contains("internal error"),
        "the error log line is a breadcrumb: {crumbs}"
    );

    assert!(app.terminate().await.success());
    receiver.stop().await;
}
