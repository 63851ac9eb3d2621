use crate::helpers::spawn_app;
use serde_json::Value;

#[tokio::test]
async fn health_reports_the_platform_shape_with_a_real_database_check() {
    let app = spawn_app().await;
    let r = app.get("/health").await;
    assert_eq!(r.status(), 200);
    let h: Value = r.json().await.unwrap();
    assert_eq!(h["status"], "healthy");
    assert!(h["timestamp"].as_str().unwrap().contains('T'));
    assert_eq!(h["checks"]["database"], true);
    for unconfigured in ["redis", "websocket", "external_apis"] {
        assert!(
            h["checks"][unconfigured].is_null(),
            "{unconfigured} is not faked as up"
        );
        assert!(h["not_configured"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v == unconfigured));
    }
    // Anonymous callers (load balancers) learn the status and the checks, nothing more.
    assert!(
        h.get("metrics").is_none() && h.get("details").is_none(),
        "{h:#}"
    );
    assert!(h.get("instance").is_none());
    app.login().await;
    let h = app.get_json("/health").await;
    for m in [
        "memory_usage",
        "cpu_usage",
        "active_connections",
        "error_rate",
    ] {
        assert!(
            h["metrics"][m].is_number(),
            "metrics.{m} for a signed-in caller"
        );
    }
    assert!(h["metrics"]["memory_usage"].as_f64().unwrap() > 1.0);
    assert_eq!(app.get("/health/live").await.status(), 200);
    assert_eq!(app.get("/health/ready").await.status(), 200);

    // With the database gone, the check fails and /health says so with 503.
    app.state.storage.close().await;
    let down = app.get("/health").await;
    assert_eq!(down.status(), 503);
    let h: Value = down.json().await.unwrap();
    assert_eq!(h["status"], "degraded");
    assert_eq!(h["checks"]["database"], false);
    assert_eq!(app.get("/health/ready").await.status(), 503);
}
