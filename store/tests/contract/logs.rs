//! Log search and log retention.

use crate::support::*;
use serde_json::json;
use store::{clock::now_ms, LogLine, LogQuery, Storage};

const T: i64 = 2_000 * HOUR;

/// Five lines of one project (and one of another), returned with the first one.
async fn five_lines(s: &dyn Storage) -> (i64, LogLine) {
    let p = s.ensure_project("logs", "L", "key-logs").await.unwrap();
    let other = s
        .ensure_project("logs-other", "L", "key-logs-other")
        .await
        .unwrap();
    let t = T;
    let mut order_42 = log_line(
        p.id,
        t + 1,
        "info",
        "Order 42 created",
        json!({"service": "pos", "restaurant_id": "r-1", "order_id": "o-42", "table": 7,
               "total": 12.5, "paid": true}),
    );
    // As a client would write it (serde_json prints 12.5).
    order_42.body = order_42.body.replace("\"total\":12.5", "\"total\":12.50");
    write(
        s,
        logs(vec![
            order_42.clone(),
            log_line(p.id, t + 2, "error", "Printer jam at 100%",
                json!({"service": "kitchen", "restaurant_id": "r-2", "printer": "p-1", "paid": false})),
            log_line(p.id, t + 3, "warn", "Slow query",
                json!({"service": "pos", "restaurant_id": "r-1", "order_id": "o-43"})),
            // Same time as the line before: the id orders them.
            log_line(p.id, t + 3, "info", "PRINTER online", json!({"service": "pos", "restaurant_id": "r-2"})),
            log_line(p.id, t + 4, "debug", "heartbeat 1000", json!({})),
            log_line(other.id, t + 2, "info", "printer elsewhere", json!({"service": "pos"})),
        ]),
    )
    .await;
    (p.id, order_42)
}

async fn search(s: &dyn Storage, p: i64, q: LogQuery) -> Vec<String> {
    s.search_logs(p, &q)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.message)
        .collect()
}

fn query(f: impl FnOnce(&mut LogQuery)) -> LogQuery {
    let mut q = LogQuery::default();
    f(&mut q);
    q
}

fn field(k: &str, v: &str) -> LogQuery {
    query(|q| q.fields = vec![(k.into(), v.into())])
}

contract! {
    async fn log_lines_come_newest_first_as_sent_one_project_only(s) {
        let (p, order_42) = five_lines(s).await;
        let all = s.search_logs(p, &LogQuery::default()).await.unwrap();
        let messages: Vec<&str> = all.iter().map(|l| l.message.as_str()).collect();
        assert_eq!(
            messages,
            ["heartbeat 1000", "PRINTER online", "Slow query", "Printer jam at 100%", "Order 42 created"],
            "newest first, this project only"
        );
        assert_eq!(all[4], LogLine { id: all[4].id, ..order_42 }, "stored as sent");
    }

    async fn log_search_filters_by_level_service_restaurant_and_range(s) {
        let (p, _) = five_lines(s).await;
        assert_eq!(search(s, p, query(|q| q.level = Some("info".into()))).await, ["PRINTER online", "Order 42 created"]);
        assert_eq!(
            search(s, p, query(|q| q.service = Some("pos".into()))).await,
            ["PRINTER online", "Slow query", "Order 42 created"]
        );
        assert_eq!(
            search(s, p, query(|q| q.restaurant = Some("r-2".into()))).await,
            ["PRINTER online", "Printer jam at 100%"]
        );
        let range = query(|q| {
            q.from_ms = Some(T + 2);
            q.to_ms = Some(T + 4);
        });
        assert_eq!(
            search(s, p, range).await,
            ["PRINTER online", "Slow query", "Printer jam at 100%"],
            "from inclusive, to exclusive"
        );
    }

    /// A field matches the text of its JSON value, the same on both databases: strings
    /// unquoted, numbers as written, `true` / `false`.
    async fn log_search_matches_any_json_field_by_the_text_of_its_value(s) {
        let (p, _) = five_lines(s).await;
        assert_eq!(search(s, p, field("order_id", "o-42")).await, ["Order 42 created"]);
        assert_eq!(search(s, p, field("table", "7")).await, ["Order 42 created"], "a number matches its text");
        assert_eq!(search(s, p, field("total", "12.50")).await, ["Order 42 created"], "as written");
        assert_eq!(search(s, p, field("paid", "true")).await, ["Order 42 created"], "a boolean as JSON writes it");
        assert_eq!(search(s, p, field("paid", "false")).await, ["Printer jam at 100%"]);
        assert!(search(s, p, field("paid", "1")).await.is_empty(), "true is not 1");
        assert!(search(s, p, field("table", "\"7\"")).await.is_empty(), "no quotes around the text");
        let both = query(|q| q.fields = vec![("service".into(), "pos".into()), ("order_id".into(), "o-43".into())]);
        assert_eq!(search(s, p, both).await, ["Slow query"], "every field must match");
    }

    async fn log_text_search_ignores_ascii_case_and_takes_wildcards_literally(s) {
        let (p, _) = five_lines(s).await;
        assert_eq!(
            search(s, p, query(|q| q.text = Some("printer".into()))).await,
            ["PRINTER online", "Printer jam at 100%"],
            "case-insensitive"
        );
        assert_eq!(search(s, p, query(|q| q.text = Some("o-43".into()))).await, ["Slow query"], "anywhere in the line");
        assert_eq!(search(s, p, query(|q| q.text = Some("100%".into()))).await, ["Printer jam at 100%"], "% is literal");
        assert!(search(s, p, query(|q| q.text = Some("t_1".into()))).await.is_empty(), "_ is literal");
    }

    async fn log_pages_go_on_before_the_time_and_id_of_the_last_line(s) {
        let (p, _) = five_lines(s).await;
        let mut pages = vec![];
        let mut before = None;
        loop {
            let q = LogQuery { limit: Some(2), before, ..LogQuery::default() };
            let page = s.search_logs(p, &q).await.unwrap();
            let Some(last) = page.last() else { break };
            before = Some((last.at_ms, last.id));
            pages.push(page.into_iter().map(|l| l.message).collect::<Vec<_>>());
        }
        assert_eq!(
            pages,
            [
                vec!["heartbeat 1000", "PRINTER online"],
                vec!["Slow query", "Printer jam at 100%"],
                vec!["Order 42 created"],
            ]
        );
    }

    async fn log_retention_goes_by_age_then_by_rows_oldest_first(s) {
        let p = s.ensure_project("log-retention", "L", "key-log-retention").await.unwrap();
        let now = now_ms();
        let line = |at, message: &str| log_line(p.id, at, "info", message, json!({}));
        write(
            s,
            logs(vec![
                line(now - 3 * DAY, "a"),
                line(now - 3 * DAY + 1, "b"),
                line(now - DAY, "c"),
                line(now - DAY, "d"),
                line(now - HOUR, "e"),
                line(now - HOUR, "f"),
                line(now - HOUR + 1, "g"),
            ]),
        )
        .await;
        assert_eq!(
            s.enforce_log_retention(now - 2 * DAY, 3).await.unwrap(),
            2 + 2,
            "a and b by age, then c and d beyond 3 rows"
        );
        assert_eq!(search(s, p.id, LogQuery::default()).await, ["g", "f", "e"]);
        assert_eq!(s.enforce_log_retention(now - 2 * DAY, 3).await.unwrap(), 0);
        assert_eq!(s.enforce_log_retention(now - 2 * DAY, 2).await.unwrap(), 1);
        assert_eq!(search(s, p.id, LogQuery::default()).await, ["g", "f"], "the oldest goes first, by id on a tie");
        assert_eq!(s.enforce_log_retention(now - 2 * DAY, u64::MAX).await.unwrap(), 0, "no limit past i64::MAX");
    }
}
