use crate::helpers::{spawn_app, ADMIN, PASSWORD};
use serde_json::{json, Value};

#[tokio::test]
async fn pages_redirect_to_sign_in_and_api_routes_answer_401() {
    let app = spawn_app().await;
    // Pages, forms and any unknown path are private: people are sent to sign in.
    for page in ["/", "/settings", "/nowhere"] {
        let r = app.get(page).await;
        assert_eq!(r.status(), 303, "{page}");
        let to = r.headers()["location"].to_str().unwrap();
        assert!(to.starts_with("/login?next=%2F"), "{to}");
    }
    for api in [
        "/api/v1/overview",
        "/api/v1/projects",
        "/api/v1/tokens",
        "/api/v1/nothing-here",
        "/api/ui/get_overview",
        "/metrics",
        "/ws",
    ] {
        let r = app.get(api).await;
        assert_eq!(r.status(), 401, "{api}");
        assert_eq!(r.json::<Value>().await.unwrap()["error"], "unauthorized");
    }
    let bad_bearer = app
        .client
        .get(app.url("/api/v1/overview"))
        .bearer_auth("rosm_forged")
        .send()
        .await
        .unwrap();
    assert_eq!(bad_bearer.status(), 401);
    assert_eq!(app.get("/login").await.status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn sign_in_sets_a_safe_cookie_and_sign_out_ends_the_session() {
    let app = spawn_app().await;
    let wrong = app.login_as(ADMIN, "wrong").await;
    assert_eq!(wrong.status(), 303);
    assert!(wrong.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login?error=credentials"));
    assert!(wrong.headers().get("set-cookie").is_none());
    let nobody = app.login_as("nobody", PASSWORD).await;
    assert!(nobody.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login?error=credentials"));

    let ok = app.login_as(ADMIN, PASSWORD).await;
    assert_eq!(ok.headers()["location"], "/");
    let cookie = ok.headers()["set-cookie"].to_str().unwrap().to_string();
    for attr in ["monitor_session=", "HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attr), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain http: no Secure flag");

    let home = app.get("/").await;
    assert_eq!(home.status(), 200);
    let html = home.text().await.unwrap();
    assert!(html.contains("<h1>Overview</h1>"), "{html}");
    assert!(html.contains("Page views"));
    assert_eq!(
        app.get("/api/v1/me").await.json::<Value>().await.unwrap()["username"],
        ADMIN
    );

    let out = app
        .client
        .post(app.url("/auth/logout"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    assert_eq!(app.get("/").await.status(), 303);
    assert_eq!(app.get("/api/v1/me").await.status(), 401);
    app.stop().await;
}

#[tokio::test]
async fn settings_shows_where_to_send_data_and_escapes_it() {
    let app = spawn_app().await;
    app.login().await;
    let html = app.get("/settings").await.text().await.unwrap();
    let dsn = format!(
        "http://{}@{}/1",
        app.public_key,
        app.base.trim_start_matches("http://")
    );
    assert!(html.contains(&dsn), "DSN {dsn} missing");
    assert!(html.contains(&app.public_key));
    // The script tag is shown as text, escaped, never as a live element.
    assert!(
        html.contains("&lt;script type=\"module\""),
        "script tag must be escaped: {html}"
    );
    assert!(html.contains("/demo/restaurant"));
    app.stop().await;
}

#[tokio::test]
async fn api_tokens_authenticate_until_revoked() {
    let app = spawn_app().await;
    app.login().await;
    let created = app
        .client
        .post(app.url("/api/v1/tokens"))
        .header("origin", &app.base)
        .json(&json!({ "name": "grafana" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let t: Value = created.json().await.unwrap();
    let token = t["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("rosm_"));

    let anon = reqwest::Client::new();
    let with_token = anon
        .get(app.url("/api/v1/overview"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(with_token.status(), 200);
    let listed = app.get_json("/api/v1/tokens").await;
    // The test app's own ingest token comes first.
    let grafana = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "grafana")
        .unwrap();
    assert_eq!(
        grafana["scope"], "admin",
        "a token made without a scope: as before"
    );
    assert!(grafana["last_used_ms"].is_number(), "use is recorded");
    assert!(
        !listed.to_string().contains(&token[10..]),
        "the token itself is never listed"
    );

    let revoke = app
        .client
        .delete(app.url(&format!("/api/v1/tokens/{}", t["id"])))
        .header("origin", &app.base)
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), 204);
    let after = anon
        .get(app.url("/api/v1/overview"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 401);
    app.stop().await;
}

#[tokio::test]
async fn cookie_authenticated_writes_from_another_site_are_refused() {
    let app = spawn_app().await;
    app.login().await;
    let r = app
        .client
        .post(app.url("/api/v1/tokens"))
        .header("origin", "https://evil.example")
        .json(&json!({ "name": "x" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let names = app.get_json("/api/v1/tokens").await;
    assert!(
        names.as_array().unwrap().iter().all(|t| t["name"] != "x"),
        "no token made: {names}"
    );
    let bad = app
        .client
        .post(app.url("/api/v1/tokens"))
        .header("origin", &app.base)
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    app.stop().await;
}
