//! Rollups and the raw reads of the Performance page.

use crate::support::*;
use store::{
    ApiCallRow, IngestBatch, MemorySample, Metric, RumEventRow, ServerRequestRow, SlowCall, Storage,
};

/// Two flushes of rollup deltas for `/menu`, `/about`, `/checkout` and all pages.
async fn two_flushes(s: &dyn Storage) -> i64 {
    let p = s
        .ensure_project("rollups", "R", "key-rollups")
        .await
        .unwrap();
    let none = IngestBatch::default();
    let first = [
        timing(p.id, Metric::Load, "/menu", 7, &[100.0, 200.0]),
        timing(p.id, Metric::Load, "", 7, &[100.0, 200.0]),
        views(p.id, "/menu", 7, 2),
        views(p.id, "/about", 7, 3),
        views(p.id, "/checkout", 7, 1),
        views(p.id, "", 7, 6),
    ];
    let second = [
        timing(p.id, Metric::Load, "/menu", 7, &[300.0, 400.0, 500.0]),
        timing(p.id, Metric::Load, "/menu", 8, &[50.0]),
        views(p.id, "/menu", 7, 1),
        views(p.id, "/checkout", 8, 4),
    ];
    s.write_batch(&none, &first).await.unwrap();
    s.write_batch(&none, &second).await.unwrap();
    p.id
}

/// Page loads, API calls and a heap sample of two restaurants around `t`.
async fn raw_rows_at(s: &dyn Storage, t: i64) -> (i64, Vec<ApiCallRow>, RumEventRow, MemorySample) {
    let p = s
        .ensure_project("raw-reads", "R", "key-raw-reads")
        .await
        .unwrap();
    let call = |at, duration_ms, restaurant: &str| ApiCallRow {
        page: Some("/checkout".into()),
        session_id: Some("s-1".into()),
        restaurant_id: Some(restaurant.into()),
        ..api_call(p.id, at, "/api/orders/:id", duration_ms)
    };
    let view = RumEventRow {
        client_ts_ms: Some(t - 5),
        session_id: Some("s-1".into()),
        user_agent: Some("Mozilla/5.0".into()),
        restaurant_id: Some("r-1".into()),
        ttfb: Some(80.0),
        dcl: Some(300.0),
        fp: Some(150.0),
        fcp: Some(160.0),
        inp: Some(40.0),
        ..page_load(p.id, t)
    };
    let memory = MemorySample {
        project_id: p.id,
        received_at_ms: t,
        page: "/kds".into(),
        used_mb: 180.5,
        restaurant_id: Some("r-1".into()),
    };
    let calls = vec![
        call(t, 2_500.0, "r-1"),
        call(t + 1, 900.0, "r-2"),
        call(t + 2, 4_000.0, "r-2"),
        call(t + 3, 1_000.0, "r-1"),
        call(t - 1, 9_000.0, "r-1"),
    ];
    let batch = IngestBatch {
        api_calls: calls.clone(),
        page_loads: vec![view.clone(), page_load(p.id, t)],
        memory: vec![memory.clone()],
        ..IngestBatch::default()
    };
    write(s, batch).await;
    (p.id, calls, view, memory)
}

contract! {
    async fn api_calls_roll_up_per_endpoint_with_their_failures(s) {
        let p = s.ensure_project("api", "A", "key-api").await.unwrap();
        let call = |status, ms| ApiCallRow {
            page: Some("/checkout".into()),
            method: "POST".into(),
            status,
            source: "sentry",
            ..api_call(p.id, 60_000, "/api/orders", ms)
        };
        let batch = IngestBatch {
            api_calls: vec![call(Some(201), 120.0), call(Some(502), 2600.0)],
            page_loads: vec![page_load(p.id, 60_000)],
            ..IngestBatch::default()
        };
        write(s, batch).await;
        let rows = s.rollups(p.id, Metric::ApiCall, "", "POST /api/orders", 0, 5).await.unwrap();
        assert_eq!((rows[0].count, rows[0].sum), (2, 2720.0));
        let by_endpoint = s.rollups_by_key(p.id, Metric::ApiCall, "", 0, 5).await.unwrap();
        let keys: Vec<&str> = by_endpoint.iter().map(|r| r.page.as_str()).collect();
        assert_eq!(keys, ["POST /api/orders"], "the all-endpoints row is not a key");
        let failed = s.rollups(p.id, Metric::ApiError, "", "", 0, 5).await.unwrap();
        assert_eq!(failed[0].count, 1);
        let lcp = s.rollups(p.id, Metric::LargestContentfulPaint, "", "", 0, 5).await.unwrap();
        assert_eq!(lcp[0].count, 1, "vitals roll up like timings");
    }

    async fn rollup_deltas_merge_counts_sums_and_sketches_into_the_stored_minute(s) {
        let p = two_flushes(s).await;
        let load = s.rollups(p, Metric::Load, "", "/menu", 0, 10).await.unwrap();
        assert_eq!(summary(&load), [("/menu", 7, 5, 1500.0), ("/menu", 8, 1, 50.0)]);
        let merged = load[0].sketch.as_ref().unwrap();
        assert_eq!(merged.count(), 5, "the stored sketch holds both flushes");
        assert!(near(merged.quantile(0.2), 100.0));
        assert!(near(merged.quantile(0.5), 300.0));
        assert!(near(merged.quantile(1.0), 500.0));
        let only_8 = s.rollups(p, Metric::Load, "", "/menu", 8, 8).await.unwrap();
        assert_eq!(summary(&only_8), [("/menu", 8, 1, 50.0)], "bounds inclusive");
        assert!(s.rollups(p, Metric::Load, "", "/menu", 0, 6).await.unwrap().is_empty());
        let all_pages = s.rollups(p, Metric::Load, "", "", 0, 10).await.unwrap();
        assert_eq!(summary(&all_pages), [("", 7, 2, 300.0)]);
    }

    async fn rollups_by_key_list_every_key_but_the_all_pages_row(s) {
        let p = two_flushes(s).await;
        let by_page = s.rollups_by_key(p, Metric::PageView, "", 0, 10).await.unwrap();
        assert_eq!(
            summary(&by_page),
            [
                ("/about", 7, 3, 0.0),
                ("/checkout", 7, 1, 0.0),
                ("/checkout", 8, 4, 0.0),
                ("/menu", 7, 3, 0.0),
            ]
        );
        assert!(by_page.iter().all(|r| r.sketch.is_none()), "counts only");
        let by_load = s.rollups_by_key(p, Metric::Load, "", 0, 10).await.unwrap();
        assert_eq!(by_load.len(), 2, "only /menu is a key of load");
    }

    async fn top_pages_rank_by_views_then_by_page(s) {
        let p = two_flushes(s).await;
        let top = |from, to, limit| async move { s.top_pages(p, "", from, to, limit).await.unwrap() };
        let pages = |v: &[(&str, u64)]| -> Vec<(String, u64)> {
            v.iter().map(|(p, n)| (p.to_string(), *n)).collect()
        };
        assert_eq!(top(0, 10, 10).await, pages(&[("/checkout", 5), ("/about", 3), ("/menu", 3)]));
        assert_eq!(
            top(7, 7, 10).await,
            pages(&[("/about", 3), ("/menu", 3), ("/checkout", 1)]),
            "ties by page"
        );
        assert_eq!(top(0, 10, 1).await, pages(&[("/checkout", 5)]));
    }

    async fn raw_page_loads_count_apart_from_the_rollups(s) {
        let p = s.ensure_project("rollups", "R", "key-rollups").await.unwrap();
        let raw = IngestBatch {
            page_loads: vec![
                page_load(p.id, 7 * MINUTE),
                page_load(p.id, 7 * MINUTE),
                RumEventRow {
                    kind: "vitals",
                    ..page_load(p.id, 7 * MINUTE)
                },
            ],
            ..IngestBatch::default()
        };
        s.write_batch(&raw, &[]).await.unwrap();
        assert_eq!(s.count_rum_events(p.id).await.unwrap(), 3, "vitals beacons too");
        assert!(s.rollups(p.id, Metric::PageView, "", "", 0, 10).await.unwrap().is_empty());
    }

    async fn slow_calls_come_slowest_first_from_their_threshold_on(s) {
        let t = 3_000 * HOUR;
        let (p, _, _, _) = raw_rows_at(s, t).await;
        let slow = |min_ms, restaurant, limit| async move {
            let rows = s.slow_calls(p, t, min_ms, restaurant, limit).await.unwrap();
            rows.into_iter().map(|c| c.duration_ms).collect::<Vec<_>>()
        };
        assert_eq!(slow(1_000.0, None, 10).await, [4_000.0, 2_500.0, 1_000.0], "slowest first, min inclusive");
        assert_eq!(slow(1_000.0, Some("r-1"), 10).await, [2_500.0, 1_000.0]);
        assert_eq!(slow(0.0, None, 2).await, [4_000.0, 2_500.0]);
        let slowest = s.slow_calls(p, t, 0.0, None, 1).await.unwrap().remove(0);
        assert_eq!(
            slowest,
            SlowCall {
                at_ms: t + 2,
                method: "GET".into(),
                route: "/api/orders/:id".into(),
                status: Some(200),
                duration_ms: 4_000.0,
                page: Some("/checkout".into()),
                restaurant_id: Some("r-2".into()),
            }
        );
    }

    async fn restaurant_rows_return_one_restaurants_rows_as_stored(s) {
        let t = 3_000 * HOUR;
        let (p, calls, view, memory) = raw_rows_at(s, t).await;
        let mine = s.restaurant_rows(p, "r-1", t).await.unwrap();
        assert_eq!(mine.page_loads, [view], "one restaurant's, as stored");
        let mut durations: Vec<f64> = mine.api_calls.iter().map(|c| c.duration_ms).collect();
        durations.sort_by(f64::total_cmp);
        assert_eq!(durations, [1_000.0, 2_500.0], "since from_ms");
        assert!(mine.api_calls.contains(&calls[0]));
        assert_eq!(mine.memory, [memory]);
    }

    async fn page_views_and_api_durations_split_by_restaurant(s) {
        let p = s.ensure_project("split", "S", "key-split").await.unwrap();
        let at = 50 * HOUR;
        let mut view = page_load(p.id, at);
        view.restaurant_id = Some("r-2".into());
        let call = ApiCallRow {
            restaurant_id: Some("r-2".into()),
            ..api_call(p.id, at, "/menu", 321.0)
        };
        write(
            s,
            IngestBatch {
                page_loads: vec![view],
                api_calls: vec![call],
                ..IngestBatch::default()
            },
        )
        .await;
        let views = s.page_views_by_restaurant(p.id, at, at + 60_000).await.unwrap();
        assert_eq!(views, [(Some("r-2".into()), 1)]);
        let calls = s.api_durations_by_restaurant(p.id, at, at + 60_000).await.unwrap();
        assert_eq!(calls, [(Some("r-2".into()), 321.0)]);
        assert!(s.page_views_by_restaurant(p.id, at + 60_000, at + 120_000).await.unwrap().is_empty());
    }
}

contract! {
    async fn sampled_rows_count_with_their_weight_and_per_restaurant(s) {
        let p = s.ensure_project("weights", "W", "key-weights").await.unwrap();
        let view = |restaurant: Option<&str>, weight: f64| RumEventRow {
            restaurant_id: restaurant.map(Into::into),
            weight,
            ..page_load(p.id, 60_000)
        };
        write(
            s,
            IngestBatch {
                page_loads: vec![view(Some("r-1"), 10.0), view(Some("r-1"), 10.0), view(Some("r-2"), 1.0), view(None, 1.0)],
                ..IngestBatch::default()
            },
        )
        .await;
        let all = s.rollups(p.id, Metric::PageView, "", "", 0, 5).await.unwrap();
        assert_eq!((all[0].count, all[0].weighted), (4, 22.0), "a 10 % sample counts ten times");
        let r1 = s.rollups(p.id, Metric::PageView, "r-1", "", 0, 5).await.unwrap();
        assert_eq!((r1[0].count, r1[0].weighted), (2, 20.0));
        let r1_page = s.rollups(p.id, Metric::PageView, "r-1", "/", 0, 5).await.unwrap();
        assert_eq!(r1_page[0].weighted, 20.0, "restaurant and page together");
        let by = s.rollups_by_restaurant(p.id, Metric::PageView, 0, 5).await.unwrap();
        let views: Vec<(&str, f64)> = by.iter().map(|r| (r.restaurant.as_str(), r.weighted)).collect();
        assert_eq!(views, [("r-1", 20.0), ("r-2", 1.0)], "the all-restaurants row is not listed");
        assert_eq!(s.top_pages(p.id, "r-2", 0, 5, 10).await.unwrap(), [("/".to_string(), 1)]);
        let lcp = s.rollups(p.id, Metric::LargestContentfulPaint, "r-2", "", 0, 5).await.unwrap();
        assert_eq!(lcp[0].count, 1, "vitals per restaurant too");
    }

    async fn duplicate_page_loads_are_stored_but_not_counted(s) {
        let p = s.ensure_project("dups", "D", "key-dups").await.unwrap();
        let batch = IngestBatch {
            page_loads: vec![page_load(p.id, 60_000), RumEventRow { kind: "duplicate", ..page_load(p.id, 60_000) }],
            ..IngestBatch::default()
        };
        write(s, batch).await;
        assert_eq!(s.count_rum_events(p.id).await.unwrap(), 2);
        let views = s.rollups(p.id, Metric::PageView, "", "", 0, 5).await.unwrap();
        assert_eq!(views[0].count, 1);
        let lcp = s.rollups(p.id, Metric::LargestContentfulPaint, "", "", 0, 5).await.unwrap();
        assert_eq!(lcp[0].count, 1, "nor in the vitals");
    }

    async fn server_requests_and_db_queries_roll_up_per_endpoint_and_statement(s) {
        let p = s.ensure_project("server", "S", "key-server").await.unwrap();
        let at = 120_000;
        let batch = IngestBatch {
            server_requests: vec![
                server_request(p.id, at, "/api/orders/:id", 200, 40.0),
                server_request(p.id, at, "/api/orders/:id", 503, 900.0),
                ServerRequestRow { weight: 10.0, ..server_request(p.id, at, "/api/menu", 200, 5.0) },
            ],
            db_queries: vec![
                db_query(p.id, at, "SELECT * FROM orders WHERE id = ?", 12.0),
                db_query(p.id, at, "SELECT * FROM orders WHERE id = ?", 2_500.0),
                db_query(p.id, at, "UPDATE menu SET price = ?", 3_000.0),
            ],
            ..IngestBatch::default()
        };
        write(s, batch).await;
        let all = s.rollups(p.id, Metric::ServerRequest, "", "", 0, 5).await.unwrap();
        assert_eq!((all[0].count, all[0].weighted), (3, 12.0));
        let failed = s.rollups(p.id, Metric::ServerError, "", "", 0, 5).await.unwrap();
        assert_eq!(failed[0].weighted, 1.0);
        let keys: Vec<String> = s
            .rollups_by_key(p.id, Metric::ServerRequest, "", 0, 5)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.page)
            .collect();
        assert_eq!(keys, [store::server_key("api", "production", "GET /api/menu"), store::server_key("api", "production", "GET /api/orders/:id")]);
        let slow = s.rollups(p.id, Metric::DbSlow, "", "", 0, 5).await.unwrap();
        assert_eq!(slow[0].weighted, 2.0, "queries of 2 s or more");
        let statements = s.rollups_by_key(p.id, Metric::DbQuery, "r-raw", 0, 5).await.unwrap();
        assert_eq!(statements.len(), 2, "per restaurant too");
        let slowest = s.slowest_queries(p.id, 0, Some(("api", "SELECT * FROM orders WHERE id = ?")), 5).await.unwrap();
        let d: Vec<f64> = slowest.iter().map(|q| q.duration_ms).collect();
        assert_eq!(d, [2_500.0, 12.0], "slowest first, of one statement");
        assert_eq!(slowest[0].transaction.as_deref(), Some("GET /api/orders/:id"));
        assert_eq!(s.slowest_queries(p.id, 0, None, 1).await.unwrap()[0].duration_ms, 3_000.0);
        assert!(s.slowest_queries(p.id, at + 1, None, 5).await.unwrap().is_empty());
    }
}
