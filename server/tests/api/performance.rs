//! RUM beacons of every type through `POST /api/rum` to the Performance read API, the
//! restaurant filter, custom metrics, and JS errors into issues.

use crate::helpers::{spawn_app, TestApp};
use serde_json::{json, Value};

const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

async fn send(app: &TestApp, body: Value) {
    let r = reqwest::Client::new()
        .post(app.url(&format!("/api/rum?key={}", app.public_key)))
        .header("content-type", "text/plain")
        .header("user-agent", CHROME)
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202, "{}", r.text().await.unwrap());
}

#[tokio::test]
async fn every_beacon_type_reaches_the_performance_view_and_filters_by_restaurant() {
    let app = spawn_app().await;
    app.login().await;
    send(
        &app,
        json!({"context": {"session": "s1", "release": "pos@2", "tags": {"restaurant_id": "r-1"}},
        "beacons": [
            {"type": "pageload", "page": "/menu", "ttfb": 120, "fcp": 900, "load": 1500},
            {"type": "vitals", "page": "/menu", "lcp": 2300, "cls": 0.3, "inp": 90},
            {"type": "api", "page": "/menu", "method": "GET", "url": "/api/menu/42?lang=en", "status": 200, "duration": 2600},
            {"type": "api", "page": "/menu", "method": "POST", "url": "/api/orders", "status": 503, "duration": 80},
            {"type": "memory", "page": "/menu", "used": 62_914_560u64, "total": 80_000_000u64, "limit": 2_000_000_000u64},
            {"type": "error", "page": "/menu", "name": "TypeError", "message": "cart is null",
             "stack": "TypeError: cart is null\n    at checkout (https://pos.example/app.js:10:5)",
             "breadcrumbs": [{"ts": 1, "category": "api", "message": "GET /api/menu/:id 200"}]}
        ]}),
    )
    .await;
    send(
        &app,
        json!({"context": {"tags": {"restaurant_id": "r-2"}},
        "beacons": [{"type": "pageload", "page": "/kitchen", "ttfb": 3000, "fcp": 3500}]}),
    )
    .await;

    let all = app
        .wait_json("/api/v1/performance", |v| v["page_views"] == 2)
        .await;
    let vital = |v: &Value, name: &str| {
        v["vitals"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["vital"] == name)
            .unwrap()
            .clone()
    };
    let lcp = vital(&all, "lcp");
    assert!(
        (lcp["p75"].as_f64().unwrap() - 2300.0).abs() < 50.0,
        "{lcp}"
    );
    assert_eq!(lcp["rating"], "good");
    assert_eq!(vital(&all, "cls")["poor"], 1);
    let ttfb = vital(&all, "ttfb");
    assert_eq!(
        (ttfb["good"].as_u64(), ttfb["poor"].as_u64()),
        (Some(1), Some(1))
    );
    let endpoints: Vec<&str> = all["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["endpoint"].as_str().unwrap())
        .collect();
    assert_eq!(
        endpoints,
        ["GET /api/menu/:id", "POST /api/orders"],
        "slowest p95 first"
    );
    assert_eq!(all["endpoints"][1]["errors"], 1);
    assert_eq!(all["slow_calls"].as_array().unwrap().len(), 1);
    assert_eq!(all["slow_calls"][0]["route"], "/api/menu/:id");
    assert_eq!(all["slow_calls"][0]["restaurant_id"], "r-1");
    assert_eq!(all["memory_warnings"], 1);
    assert_eq!(
        all["browsers"][0],
        json!({"name": "Chrome 120", "count": 2})
    );
    assert_eq!(all["devices"][0]["name"], "pc");
    assert!(all["vitals_chart_svg"]
        .as_str()
        .unwrap()
        .starts_with("<svg"));

    let menu = app.get_json("/api/v1/performance?page=/menu").await;
    assert_eq!(menu["page_views"], 1);
    let r2 = app.get_json("/api/v1/performance?restaurant=r-2").await;
    assert_eq!(r2["page_views"], 1, "{r2:#}");
    assert_eq!(vital(&r2, "ttfb")["poor"], 1);
    assert!(r2["slow_calls"].as_array().unwrap().is_empty());
    assert!(r2["endpoints"].as_array().unwrap().is_empty());

    // The page renders the same data, filtered by restaurant through its GET form.
    let html = app
        .get("/performance?restaurant=r-1&sort=errors")
        .await
        .text()
        .await
        .unwrap();
    for expected in [
        "LCP",
        "GET /api/menu/:id",
        "Chrome 120",
        "1 samples over 50 MB",
        "rating good",
    ] {
        assert!(html.contains(expected), "/performance shows {expected}");
    }

    // The JS error went through issue grouping with its breadcrumb and restaurant.
    let issues = app
        .wait_json("/api/v1/issues", |v| !v.as_array().unwrap().is_empty())
        .await;
    assert_eq!(issues[0]["title"], "TypeError: cart is null");
    assert_eq!(
        issues[0]["culprit"],
        "checkout (https://pos.example/app.js)"
    );
    assert_eq!(issues[0]["restaurants"], 1);
    app.stop().await;
}

#[tokio::test]
async fn custom_metrics_need_an_ingest_token_never_the_public_key_and_chart() {
    let app = spawn_app().await;
    app.login().await;
    let post = |auth: Option<(&'static str, String)>, body: Value| {
        let mut r = reqwest::Client::new()
            .post(app.url("/api/internal/metrics"))
            .body(body.to_string());
        if let Some((h, v)) = auth {
            r = r.header(h, v);
        }
        r.send()
    };
    let point = json!({"metric": "bundle_size", "value": 98304});
    // The public key is in every restaurant page: a forged point could page on-call.
    let by_key = post(
        Some(("x-monitor-key", app.public_key.clone())),
        point.clone(),
    )
    .await
    .unwrap();
    assert_eq!(by_key.status(), 401);
    assert!(by_key.text().await.unwrap().contains("ingest token"));
    assert_eq!(post(None, point.clone()).await.unwrap().status(), 401);
    let token = |scope: &'static str| {
        let app = &app;
        async move {
            let t: Value = app
                .post_json("/api/v1/tokens", &json!({"name": scope, "scope": scope}))
                .await
                .json()
                .await
                .unwrap();
            assert_eq!(t["scope"], scope);
            format!("Bearer {}", t["token"].as_str().unwrap())
        }
    };
    let read = token("read").await;
    assert_eq!(
        post(Some(("authorization", read)), point.clone())
            .await
            .unwrap()
            .status(),
        403,
        "a read token sends nothing"
    );
    let ingest = format!("Bearer {}", app.ingest_token);
    let r = post(Some(("authorization", ingest.clone())), point.clone())
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let admin = token("admin").await;
    let r = post(
        Some(("authorization", admin)),
        json!([{"metric": "bundle_size", "value": 110000}]),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 202);
    let bad = post(
        Some(("authorization", ingest)),
        json!({"metric": "bundle size", "value": 1}),
    )
    .await
    .unwrap();
    assert_eq!(bad.status(), 400);

    let m = app
        .wait_json("/api/v1/metrics/bundle_size", |v| {
            v["series"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["count"].as_u64().unwrap())
                .sum::<u64>()
                == 2
        })
        .await;
    let last = m["last"].as_f64().unwrap();
    assert!((last - 110_000.0).abs() < 110_000.0 * 0.02, "{m}");
    let perf = app.get_json("/api/v1/performance").await;
    assert_eq!(perf["custom_metrics"][0]["name"], "bundle_size");
    assert_eq!(perf["custom_metrics"][0]["points"], 2);
    let html = app.get("/performance").await.text().await.unwrap();
    assert!(
        html.contains("bundle_size"),
        "the Performance page charts it"
    );
    app.stop().await;
}
