//! The writer's transaction: large batches and concurrent writers.

use crate::support::*;
use store::{
    clock::{minute_of, now_ms},
    rollup::aggregate,
    IngestBatch, IssueChange, IssueQuery, Metric, RumEventRow,
};

contract! {
    /// A NUL byte from outside (PostgreSQL refuses it in text) is stored as U+FFFD on
    /// both databases: it never fails the flush that carries it.
    async fn a_nul_byte_from_outside_is_stored_not_refused(s) {
        let p = s.ensure_project("nul", "N", "key-nul").await.unwrap();
        let now = now_ms();
        let mut view = page_load(p.id, now);
        view.page = "/menu\0x".into();
        view.restaurant_id = Some("r-nul".into());
        let mut batch = logs(vec![log_line(p.id, now, "info", "tab\0le 4", serde_json::json!({}))]);
        batch.page_loads.push(view);
        write(s, batch).await;
        let rows = s.restaurant_rows(p.id, "r-nul", 0).await.unwrap();
        assert_eq!(rows.page_loads[0].page, "/menu\u{FFFD}x");
        let found = s.search_logs(p.id, &store::LogQuery::default()).await.unwrap();
        assert_eq!(found[0].message, "tab\u{FFFD}le 4");
    }

    /// A flush can hold thousands of rows of a kind: more than one multi-row INSERT may
    /// take (SQLite binds at most 32,766 values per statement).
    async fn a_batch_larger_than_one_insert_is_stored_whole(s) {
        const N: u64 = 5_000;
        let p = s.ensure_project("large", "L", "key-large").await.unwrap();
        let now = now_ms();
        let mut batch = IngestBatch::default();
        for i in 0..N as i64 {
            let mut rows = raw_rows(p.id, now - i);
            rows.errors.clear();
            batch.append(rows);
        }
        let (_, before) = s.capacity(now - HOUR).await.unwrap();
        write(s, batch).await;
        let (_, after) = s.capacity(now - HOUR).await.unwrap();
        for (b, a) in before.iter().zip(&after) {
            let want = match a.table.as_str() {
                "error_events" | "probe_results" => 0,
                _ => N,
            };
            assert_eq!(a.rows - b.rows, want, "{}: every row of the batch", a.table);
        }
    }

    /// Two writers (two instances on PostgreSQL) flushing at once: into the same rollup
    /// minute (every other round) and onto the same new issue.
    async fn concurrent_writers_lose_no_update(s) {
        let p = s.ensure_project("concurrent", "C", "key-concurrent").await.unwrap();
        const ROUNDS: usize = 6;
        const ROWS: usize = 3;
        let minute = minute_of(now_ms());
        let at = minute * MINUTE;
        let batch = |round: usize, writer: usize| {
            let view = |_: usize| RumEventRow {
                page: "/race".into(),
                load: Some(100.0 * (writer + 1) as f64),
                ..page_load(p.id, at)
            };
            let event = |i: usize| {
                error(p.id, &format!("race-{round}"), at + i as i64, &[("restaurant_id", "r-1")])
            };
            IngestBatch {
                page_loads: if round.is_multiple_of(2) {
                    (0..ROWS).map(view).collect()
                } else {
                    vec![]
                },
                errors: (0..ROWS).map(event).collect(),
                ..IngestBatch::default()
            }
        };
        for round in 0..ROUNDS {
            let (a, b) = (batch(round, 0), batch(round, 1));
            let (ra, rb) = (aggregate(&a, &Default::default()), aggregate(&b, &Default::default()));
            let (x, y) = tokio::join!(s.write_batch(&a, &ra), s.write_batch(&b, &rb));
            let changes: Vec<(i64, IssueChange)> = x.unwrap().into_iter().chain(y.unwrap()).collect();
            assert!(changes.iter().all(|c| c.0 == changes[0].0), "round {round}: one issue");
            let new = changes.iter().filter(|c| c.1 == IssueChange::New).count();
            assert_eq!(new, 1, "round {round}: exactly one writer filed it as new");
        }

        let view_rounds = ROUNDS.div_ceil(2);
        let views = (view_rounds * 2 * ROWS) as u64;
        for page in ["/race", ""] {
            let v = s.rollups(p.id, Metric::PageView, "", page, minute, minute).await.unwrap();
            assert_eq!(v[0].count, views, "page views of {page:?}");
            let load = s.rollups(p.id, Metric::Load, "", page, minute, minute).await.unwrap();
            assert_eq!((load[0].count, load[0].sum), (views, (view_rounds * ROWS) as f64 * 300.0));
            assert_eq!(load[0].sketch.as_ref().unwrap().count(), views);
        }
        assert_eq!(s.count_rum_events(p.id).await.unwrap(), views);

        let issues = s.issues(p.id, &IssueQuery::default(), at).await.unwrap();
        assert_eq!(issues.len(), ROUNDS);
        for issue in &issues {
            assert_eq!(issue.events, 2 * ROWS as u64, "{}", issue.title);
            let tags = s.issue_tags(issue.id, 5).await.unwrap();
            let restaurant = tags.iter().find(|t| t.key == "restaurant_id").unwrap();
            assert_eq!(restaurant.total, 2 * ROWS as u64);
        }
        let errors = (ROUNDS * 2 * ROWS) as u64;
        assert_eq!(s.error_minutes(p.id, minute, minute).await.unwrap(), [(minute, errors)]);
    }
}
