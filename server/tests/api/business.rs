//! Business events: a scripted day for two restaurants gives the KPIs computed by hand,
//! exact to the cent; bad events are refused by index and field; the KPIs feed alerts.

use crate::helpers::{spawn_app_with, TestApp};
use monitor::alerts::{engine, rule};
use serde_json::{json, Value};

pub async fn post_events(app: &TestApp, body: &Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(app.url("/api/events"))
        .bearer_auth(&app.ingest_token)
        .json(body)
        .send()
        .await
        .unwrap()
}

pub fn day(now: i64) -> Vec<Value> {
    let at = |minutes_ago: i64| now - minutes_ago * 60_000;
    vec![
        json!({"event": "order.created", "order_id": "o1", "restaurant_id": "r-1", "total": "12.10", "order_type": "delivery", "item_count": 2, "timestamp": at(600)}),
        json!({"event": "order.created", "orderId": "o2", "restaurantId": "r-1", "total": 19.99, "orderType": "dine_in", "timestamp": at(500)}),
        json!({"event": "order.created", "order_id": "o3", "restaurant_id": "r-1", "total_minor": 1001, "order_type": "delivery", "timestamp": at(400)}),
        json!({"event": "order.completed", "order_id": "o1", "restaurant_id": "r-1", "timestamp": at(590)}),
        json!({"event": "order.completed", "order_id": "o2", "restaurant_id": "r-1", "timestamp": at(490)}),
        json!({"event": "order.cancelled", "order_id": "o3", "restaurant_id": "r-1", "timestamp": at(399)}),
        json!({"event": "payment.processed", "payment_id": "p1", "restaurant_id": "r-1", "amount": "12.10", "method": "card", "status": "success", "timestamp": at(599)}),
        json!({"event": "payment.processed", "payment_id": "p2", "restaurant_id": "r-1", "amount": "19.99", "method": "card", "status": "succeeded", "timestamp": at(499)}),
        json!({"event": "payment.processed", "payment_id": "p3", "restaurant_id": "r-1", "amount": "10.01", "method": "card", "status": "failed", "timestamp": at(2)}),
        json!({"event": "voice.session", "session_id": "v1", "restaurant_id": "r-1", "outcome": "completed", "duration_ms": 60000, "order_id": "o2", "timestamp": at(501)}),
        json!({"event": "voice.session", "session_id": "v2", "restaurant_id": "r-1", "outcome": "abandoned", "duration_ms": 30000, "timestamp": at(300)}),
        json!({"event": "order.created", "order_id": "o4", "restaurant_id": "r-2", "total": "0.10", "order_type": "takeout", "timestamp": at(200)}),
        json!({"event": "order.created", "order_id": "o5", "restaurant_id": "r-2", "total": "0.20", "order_type": "takeout", "timestamp": at(100)}),
        json!({"event": "order.completed", "order_id": "o4", "restaurant_id": "r-2", "timestamp": at(190)}),
        json!({"event": "payment.processed", "payment_id": "p4", "restaurant_id": "r-2", "amount": 0.1, "status": "success", "timestamp": at(199)}),
        json!({"event": "payment.processed", "payment_id": "p5", "restaurant_id": "r-2", "amount": 0.2, "status": "declined", "timestamp": at(1)}),
        json!({"event": "voice.session", "session_id": "v3", "restaurant_id": "r-2", "outcome": "success", "duration_ms": 90000, "order_id": "o5", "timestamp": at(101)}),
        json!({"event": "inventory.level", "restaurant_id": "r-2", "item": "buns", "quantity": 7, "timestamp": at(50)}),
        json!({"event": "loyalty.redeemed", "restaurant_id": "r-2", "points": 40, "timestamp": at(40)}),
    ]
}

#[tokio::test]
async fn a_scripted_day_gives_the_kpis_computed_by_hand() {
    let app = spawn_app_with(|c| {
        c.alerts.interval_secs = 3600;
        let hours = |id: &str, hours: &str| monitor::config::RestaurantConfig {
            id: id.into(),
            hours: hours.into(),
            timezone: Some("Europe/Berlin".into()),
        };
        c.restaurants = vec![hours("r-1", "daily 00:00-24:00"), hours("r-2", "closed")];
    })
    .await;
    app.login().await;
    let now = store::clock::now_ms();

    // One bad event: the request is refused whole, naming it.
    let mut bad = day(now);
    bad[4]["status"] = json!("maybe");
    bad[6]["status"] = json!("maybe");
    let r = post_events(&app, &json!({ "events": bad })).await;
    assert_eq!(r.status(), 400);
    let msg = r.text().await.unwrap();
    assert!(msg.contains("events[6].status"), "{msg}");

    let r = post_events(&app, &json!({ "events": day(now) })).await;
    assert_eq!(r.status(), 202);
    let v = app
        .wait_json("/api/v1/business?range=24h", |v| {
            v["current"]["orders"] == 5 && v["inventory"].as_array().is_some_and(|i| !i.is_empty())
        })
        .await;
    let k = &v["current"];
    // Revenue: 12.10 + 19.99 + 10.01 + 0.10 + 0.20 = 42.40; average 42.40 / 5 = 8.48.
    assert_eq!(k["revenue_minor"], 4240);
    assert_eq!(k["avg_order_value_minor"], 848);
    let close = |v: &Value, want: f64| (v.as_f64().unwrap() - want).abs() < 1e-12;
    assert!(
        close(&k["orders_per_hour"], 5.0 / 24.0),
        "{}",
        k["orders_per_hour"]
    );
    assert_eq!(k["completed"], 3);
    assert_eq!(k["cancelled"], 1);
    assert_eq!(k["completion_rate"], 0.6);
    assert_eq!(
        (&k["payments"], &k["payments_failed"]),
        (&json!(5), &json!(2))
    );
    assert_eq!(k["payment_success_rate"], 0.6);
    assert_eq!(k["voice_sessions"], 3);
    assert!(close(&k["voice_success_rate"], 2.0 / 3.0));
    assert_eq!(k["avg_voice_duration_ms"], 60000.0);
    assert!(close(&k["voice_conversion_rate"], 2.0 / 3.0));
    assert_eq!(
        k["by_order_type"],
        json!([["delivery", 2], ["takeout", 2], ["dine_in", 1]])
    );
    assert_eq!(v["previous"]["orders"], 0);

    let restaurants = v["restaurants"].as_array().unwrap();
    let r1 = &restaurants[0];
    assert_eq!(r1["restaurant"], "r-1");
    // 12.10 + 19.99 + 10.01 = 42.10 over 3 orders = 14.0333… → 14.03.
    assert_eq!(r1["kpis"]["revenue_minor"], 4210);
    assert_eq!(r1["kpis"]["avg_order_value_minor"], 1403);
    assert_eq!(
        r1["kpis"]["payment_success_rate"].as_f64().unwrap(),
        2.0 / 3.0
    );
    let r2 = &restaurants[1];
    assert_eq!(
        (
            &r2["kpis"]["revenue_minor"],
            &r2["kpis"]["avg_order_value_minor"]
        ),
        (&json!(30), &json!(15))
    );
    assert_eq!(r2["kpis"]["voice_conversion_rate"], 1.0);
    assert_eq!(v["inventory"][0]["item"], "buns");

    let one = app
        .get_json("/api/v1/business?range=24h&restaurant=r-2")
        .await;
    assert_eq!(one["current"]["orders"], 2);
    assert_eq!(app.get("/api/v1/business?range=2y").await.status(), 400);
    let page = app.get("/business").await.text().await.unwrap();
    assert!(
        page.contains("42.40") && page.contains("8.48"),
        "the page shows exact money"
    );

    // The KPIs feed alert rules: 2 of 2 payments in the last 5 minutes failed. The
    // shipped rule judges at least 20 payments: 2 are too few to page anyone.
    let mut rules = rule::parse(rule::DEFAULT_RULES, "alerts.toml").unwrap();
    let mut states = engine::States::new();
    engine::evaluate(&app.state, &rules, &mut states, now)
        .await
        .unwrap();
    let none = app
        .get_json("/api/v1/alerts/history?rule=payment_failures")
        .await;
    assert_eq!(none, json!([]), "below the minimum volume: {none:#}");
    let shipped = rules
        .iter()
        .position(|r| r.name == "payment_failures")
        .unwrap();
    rules[shipped].min_volume = Some(2.0);
    engine::evaluate(&app.state, &rules, &mut states, now)
        .await
        .unwrap();
    let h = app
        .get_json("/api/v1/alerts/history?rule=payment_failures")
        .await;
    assert_eq!(
        (&h[0]["change"], &h[0]["value"]),
        (&json!("fired"), &json!(1.0)),
        "{h:#}"
    );
    let low = app
        .get_json("/api/v1/alerts/history?rule=low_inventory")
        .await;
    assert_eq!(
        low[0]["instance"], "r-2",
        "low_inventory is per restaurant: {low:#}"
    );
    let stopped = app
        .get_json("/api/v1/alerts/history?rule=order_processing_stopped")
        .await;
    assert_eq!(
        (&stopped[0]["change"], &stopped[0]["instance"]),
        (&json!("fired"), &json!("r-1")),
        "r-1 is open and took no order in the last 10 minutes: {stopped:#}"
    );
    assert_eq!(
        stopped.as_array().unwrap().len(),
        1,
        "r-2 is closed: never judged: {stopped:#}"
    );
    app.stop().await;
}
