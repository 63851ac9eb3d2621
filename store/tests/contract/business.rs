//! Business events: KPI counts in exact cents, series, inventory.

use crate::support::*;
use store::{BusinessEvent, IngestBatch, Storage};

const T: i64 = 1_000 * HOUR;
/// Past 2^53: a sum that went through a float would be off.
const BIG: i64 = 9_007_199_254_740_993;

async fn a_day_of_orders(s: &dyn Storage) -> i64 {
    let p = s
        .ensure_project("business", "B", "key-business")
        .await
        .unwrap();
    let t = T;
    let voice = |at, duration| BusinessEvent {
        status: Some("success".into()),
        duration_ms: duration,
        ..business(p.id, at, "voice.session", Some("r-2"))
    };
    let events = vec![
        order(p.id, t + MINUTE, Some("r-1"), 1_999),
        order(p.id, t + 10 * MINUTE, Some("r-1"), 2_501),
        BusinessEvent {
            order_type: Some("takeaway".into()),
            ..order(p.id, t + HOUR + 5 * MINUTE, Some("r-2"), 1_000)
        },
        payment(p.id, t + 20 * MINUTE, "success", 4_500),
        payment(p.id, t + HOUR + 1, "failed", 1_000),
        voice(t + 30 * MINUTE, Some(30_000)),
        voice(t + 40 * MINUTE, None),
        order(p.id, t + HOUR + 2, None, BIG),
        order(p.id, t + HOUR + 3, None, 1),
        order(p.id, t - 1, Some("r-1"), 777),
        order(p.id, t + 2 * HOUR, Some("r-1"), 888),
    ];
    write(
        s,
        IngestBatch {
            business: events,
            ..IngestBatch::default()
        },
    )
    .await;
    p.id
}

contract! {
    async fn business_counts_sum_exact_cents_per_restaurant_kind_status_and_type(s) {
        let p = a_day_of_orders(s).await;
        let counts = |restaurant: Option<&'static str>| async move {
            let mut c = s.business_counts(p, T, T + 2 * HOUR, restaurant).await.unwrap();
            c.sort_by_key(|x| {
                let text = [&x.kind, &x.status, &x.order_type].map(String::clone);
                (x.restaurant_id.clone(), text)
            });
            c
        };
        let r2 = [
            counted(Some("r-2"), "order.created", "", "takeaway", (1, 1_000, 0), (0, 1)),
            counted(Some("r-2"), "voice.session", "success", "", (2, 0, 30_000), (1, 0)),
        ];
        let mut all = vec![
            counted(None, "order.created", "", "", (2, BIG + 1, 0), (0, 0)),
            counted(Some("r-1"), "order.created", "", "dine_in", (2, 4_500, 0), (0, 2)),
            counted(Some("r-1"), "payment.processed", "failed", "", (1, 1_000, 0), (0, 1)),
            counted(Some("r-1"), "payment.processed", "success", "", (1, 4_500, 0), (0, 1)),
        ];
        all.extend(r2.clone());
        assert_eq!(counts(None).await, all);
        assert_eq!(counts(Some("r-2")).await, r2);
    }

    async fn business_series_count_orders_and_payments_per_bucket(s) {
        let p = a_day_of_orders(s).await;
        let series = |restaurant: Option<&'static str>| async move {
            let mut rows = s.business_series(p, T, T + 2 * HOUR, HOUR, restaurant).await.unwrap();
            rows.sort();
            rows
        };
        let row = |bucket, kind: &str, status: &str, n| (bucket, kind.to_string(), status.to_string(), n);
        assert_eq!(
            series(None).await,
            [
                row(T, "order.created", "", 2),
                row(T, "payment.processed", "success", 1),
                row(T + HOUR, "order.created", "", 3),
                row(T + HOUR, "payment.processed", "failed", 1),
            ],
            "orders and payments only, per hour"
        );
        assert_eq!(
            series(Some("r-1")).await,
            [
                row(T, "order.created", "", 2),
                row(T, "payment.processed", "success", 1),
                row(T + HOUR, "payment.processed", "failed", 1),
            ]
        );
    }

    async fn inventory_keeps_the_newest_report_of_each_item(s) {
        let p = s.ensure_project("inventory", "I", "key-inventory").await.unwrap();
        let t = 1_100 * HOUR;
        let level = |at, restaurant, item: Option<&str>, quantity| BusinessEvent {
            item: item.map(Into::into),
            quantity: Some(quantity),
            ..business(p.id, at, "inventory.level", restaurant)
        };
        let events = vec![
            level(t, Some("r-1"), Some("buns"), 30.0),
            level(t + HOUR, Some("r-1"), Some("buns"), 5.0),
            level(t + 2 * HOUR, Some("r-1"), Some("buns"), 20.0),
            level(t + HOUR, Some("r-2"), Some("buns"), 12.0),
            level(t + 30 * MINUTE, Some("r-1"), Some("lettuce"), 3.5),
            level(t, None, Some("napkins"), 100.0),
            level(t, Some("r-1"), None, 1.0),
            level(t - 1, Some("r-1"), Some("tomato"), 1.0),
            BusinessEvent {
                item: Some("buns".into()),
                quantity: Some(999.0),
                ..business(p.id, t + 3 * HOUR, "order.created", Some("r-1"))
            },
        ];
        write(s, IngestBatch { business: events, ..IngestBatch::default() }).await;
        let want = |r: Option<&str>, item: &str, q: f64, at: i64| (r.map(String::from), item.to_string(), q, at);
        assert_eq!(
            s.inventory_levels(p.id, t).await.unwrap(),
            [
                want(Some("r-1"), "lettuce", 3.5, t + 30 * MINUTE),
                want(Some("r-2"), "buns", 12.0, t + HOUR),
                want(Some("r-1"), "buns", 20.0, t + 2 * HOUR),
                want(None, "napkins", 100.0, t),
            ],
            "the newest report of each, lowest first"
        );
        assert_eq!(
            s.inventory_levels(p.id, t + HOUR + 1).await.unwrap(),
            [want(Some("r-1"), "buns", 20.0, t + 2 * HOUR)]
        );
    }
}
