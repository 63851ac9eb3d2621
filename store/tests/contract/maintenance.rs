//! Retention, capacity figures and the leader role.

use crate::support::*;
use store::{clock::now_ms, Database, IssueQuery, LogQuery, Maintenance, Metric, Storage};

/// Raw rows weeks old (in their own day partitions on PostgreSQL), months old (outside
/// any) and either side of a 30-day cut.
async fn rows_either_side_of_the_cut(s: &dyn Storage, now: i64) -> (i64, [i64; 3], [i64; 2]) {
    let p = s
        .ensure_project("retention-days", "R", "key-retention-days")
        .await
        .unwrap();
    let cut = now - 30 * DAY;
    let gone = [now - 500 * DAY, now - 40 * DAY, cut - 1];
    let kept = [cut, now - 20 * DAY];
    for at in gone.iter().chain(&kept) {
        write(s, raw_rows(p.id, *at)).await;
    }
    (p.id, gone, kept)
}

fn sorted(mut v: Vec<i64>) -> Vec<i64> {
    v.sort();
    v
}

contract! {
    async fn retention_deletes_what_is_older_than_the_cut_and_nothing_newer(s) {
        let p = s.ensure_project("retention", "R", "key-retention").await.unwrap();
        let mut batch = errors(vec![error(p.id, "f", 60_000, &[]), error(p.id, "f", 180_000, &[])]);
        batch.page_loads = [60_000, 120_000, 180_000].map(|at| page_load(p.id, at)).into();
        write(s, batch).await;

        // Raw data before 120 000 ms goes; rollups before minute 2 go.
        s.enforce_retention(120_000, 2, 0).await.unwrap();

        assert_eq!(s.count_rum_events(p.id).await.unwrap(), 2);
        let minutes: Vec<i64> = s
            .rollups(p.id, Metric::PageView, "", "", 0, 10)
            .await
            .unwrap()
            .iter()
            .map(|r| r.minute)
            .collect();
        assert_eq!(minutes, vec![2, 3]);
        let issue = s.issues(p.id, &IssueQuery::default(), 0).await.unwrap().remove(0);
        assert_eq!(s.issue_events(issue.id, 10).await.unwrap().len(), 1);
        assert_eq!(issue.events, 2, "the issue keeps its all-time count");
        assert_eq!(s.error_minutes(p.id, 0, 10).await.unwrap(), vec![(3, 1)]);
    }

    async fn retention_removes_raw_rows_of_every_table_before_the_cut_in_any_partition(s) {
        let now = now_ms();
        let cut = now - 30 * DAY;
        let (p, gone, kept) = rows_either_side_of_the_cut(s, now).await;
        let (_, before) = s.capacity(cut).await.unwrap();
        let deleted = s.enforce_retention(cut, 0, now).await.unwrap();
        let (_, after) = s.capacity(cut).await.unwrap();
        let mut seen = 0;
        for (b, a) in before.iter().zip(&after) {
            let kept_rows = match a.table.as_str() {
                "log_lines" => b.rows, // enforce_log_retention's
                _ => b.last_hour,
            };
            assert_eq!(a.rows, kept_rows, "{}: what was older than the cut went", a.table);
            if a.table != "log_lines" {
                assert!(a.oldest_ms.is_none_or(|o| o >= cut), "{}", a.table);
            }
            seen += b.rows - a.rows;
        }
        assert_eq!(seen, gone.len() as u64 * 8, "one row of each of eight tables per old time");
        assert!(deleted >= seen, "{deleted} returned, {seen} seen gone");

        let rows = s.restaurant_rows(p, "r-raw", 0).await.unwrap();
        assert_eq!(sorted(rows.page_loads.iter().map(|r| r.received_at_ms).collect()), kept);
        assert_eq!(sorted(rows.api_calls.iter().map(|r| r.received_at_ms).collect()), kept);
        assert_eq!(sorted(rows.memory.iter().map(|r| r.received_at_ms).collect()), kept);
        assert_eq!(s.count_rum_events(p).await.unwrap(), kept.len() as u64);
        let issue = s.issues(p, &IssueQuery::default(), now).await.unwrap().remove(0);
        let events = s.issue_events(issue.id, 10).await.unwrap();
        assert_eq!(sorted(events.iter().filter_map(|e| e.timestamp_ms).collect()), kept);
        assert_eq!(issue.events, (gone.len() + kept.len()) as u64, "the issue keeps its count");
        let orders = s.business_counts(p, 0, i64::MAX, None).await.unwrap();
        assert_eq!(orders.iter().map(|c| c.count).sum::<u64>(), kept.len() as u64);
        let lines = s.search_logs(p, &LogQuery::default()).await.unwrap();
        assert_eq!(lines.len(), gone.len() + kept.len(), "log lines have their own retention");
    }

    async fn retention_keeps_probe_results_at_least_31_days(s) {
        let now = now_ms();
        let cut = now - 30 * DAY;
        let probe_cut = now - 31 * DAY;
        let probes_gone = [now - 40 * DAY, probe_cut - 1];
        let probes_kept = [probe_cut, cut - 1, now - 20 * DAY];
        for at in probes_gone.iter().chain(&probes_kept) {
            s.record_probe(&probe("retention-probe", *at, true, true)).await.unwrap();
        }
        s.enforce_retention(cut, 0, now).await.unwrap();
        let probes = s.probe_results("retention-probe", 0, i64::MAX).await.unwrap();
        assert_eq!(probes.iter().map(|r| r.at_ms).collect::<Vec<_>>(), probes_kept);
    }

    async fn retention_deletes_expired_sessions_and_day_old_failed_sign_ins(s) {
        let now = now_ms();
        let user = s.create_user("retention-user", "h").await.unwrap();
        s.create_session("retention-expired", user.id, now - 1).await.unwrap();
        s.create_session("retention-live", user.id, now + HOUR).await.unwrap();
        s.record_login_failure("retention-user", "10.9.9.9", now - 2 * DAY).await.unwrap();
        s.record_login_failure("retention-user", "10.9.9.9", now - HOUR).await.unwrap();
        let session = |token: &'static str| async move { s.session_user(token, now - 2).await.unwrap().is_some() };
        assert!(session("retention-expired").await);
        let deleted = s.enforce_retention(now - 30 * DAY, 0, now).await.unwrap();
        assert_eq!(deleted, 2, "the expired session and the old failure");
        assert!(!session("retention-expired").await, "expired sessions are deleted");
        assert!(session("retention-live").await);
        let left = s.login_failures("retention-user", "10.9.9.9", 0).await.unwrap();
        assert_eq!((left.pair, left.source), (1, 1));
    }

    async fn capacity_counts_rows_recent_rows_and_the_oldest_per_table(s) {
        let p = s.ensure_project("capacity", "C", "key-capacity").await.unwrap();
        let now = now_ms();
        let (recent, old) = (now - 5 * MINUTE, 1_000);
        for at in [recent, old] {
            write(s, raw_rows(p.id, at)).await;
            s.record_probe(&probe("capacity-probe", at, true, true)).await.unwrap();
        }
        let (bytes, after) = s.capacity(now - HOUR).await.unwrap();
        assert!(bytes > 0);
        let tables: Vec<&str> = after.iter().map(|t| t.table.as_str()).collect();
        assert_eq!(tables, CAPACITY_TABLES);
        for t in &after {
            assert_eq!((t.rows, t.last_hour), (2, 1), "{}: one recent row and one old", t.table);
            assert_eq!(t.oldest_ms, Some(old), "{}", t.table);
        }
    }

    async fn the_first_instance_to_ask_leads_until_it_gives_up(s) {
        let mut lease = s.try_lead().await.unwrap().expect("nobody else leads");
        assert!(lease.held().await);
        lease.release().await;
        let mut again = s.try_lead().await.unwrap().expect("given up, the role is free");
        again.release().await;
    }
}

#[tokio::test]
async fn a_second_instance_on_the_same_sqlite_file_does_not_lead() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let (a, b) = (
        Database::connect(&url, 1).await.unwrap(),
        Database::connect(&url, 1).await.unwrap(),
    );
    let mut lease = a.try_lead().await.unwrap().expect("the first leads");
    assert!(b.try_lead().await.unwrap().is_none(), "one leader per file");
    lease.release().await;
    assert!(
        b.try_lead().await.unwrap().is_some(),
        "taken over once released"
    );
}

#[tokio::test]
async fn two_instances_on_one_postgres_database_elect_one_leader() {
    let Some(pg) = store::test_db::TestPg::migrated().await else {
        return;
    };
    let (a, b) = (
        Database::connect(&pg.url, 2).await.unwrap(),
        Database::connect(&pg.url, 2).await.unwrap(),
    );
    let mut lease = a.try_lead().await.unwrap().expect("the first leads");
    assert!(
        b.try_lead().await.unwrap().is_none(),
        "one leader per database"
    );
    lease.release().await;
    let mut next = b
        .try_lead()
        .await
        .unwrap()
        .expect("taken over once released");
    next.release().await;
    a.close().await;
    b.close().await;
    pg.drop().await;
}
