//! Issues: grouping, regressions, filters, search, tags, release health.

use crate::support::*;
use store::{
    IngestBatch, IssueChange, IssueQuery, IssueSort, IssueStatus, SessionHealth, SessionUpdate,
    Storage,
};

/// Four events of two issues across three users, restaurants and environments, the
/// newest at `now`.
async fn two_issues(s: &dyn Storage, now: i64) -> i64 {
    let p = s
        .ensure_project("filtering", "F", "key-filtering")
        .await
        .unwrap();
    let tagged = |fp: &str, at: i64, user: &str, restaurant: &str, env: &str| {
        error(
            p.id,
            fp,
            at,
            &[
                ("user", user),
                ("restaurant_id", restaurant),
                ("environment", env),
                ("order_id", &format!("o-{user}")),
            ],
        )
    };
    write(
        s,
        errors(vec![
            tagged("checkout", now - 2 * HOUR, "u1", "r-1", "production"),
            tagged("checkout", now - HOUR, "u2", "r-1", "production"),
            tagged("checkout", now, "u2", "r-2", "production"),
            tagged("kitchen_50%", now - 30 * HOUR, "u3", "r-3", "staging"),
        ]),
    )
    .await;
    p.id
}

async fn titles(s: &dyn Storage, project: i64, q: IssueQuery, now: i64) -> Vec<String> {
    s.issues(project, &q, now)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.title)
        .collect()
}

fn query(f: fn(&mut IssueQuery)) -> IssueQuery {
    let mut q = IssueQuery::default();
    f(&mut q);
    q
}

contract! {
    async fn events_with_one_fingerprint_form_one_issue(s) {
        let p = s.ensure_project("grouping", "G", "key-grouping").await.unwrap();
        let changes = write(
            s,
            errors(vec![
                error(p.id, "a", HOUR, &[]),
                error(p.id, "a", HOUR + 1, &[]),
                error(p.id, "b", HOUR + 2, &[]),
            ]),
        )
        .await;
        let kinds: Vec<IssueChange> = changes.iter().map(|c| c.1).collect();
        assert_eq!(kinds, [IssueChange::New, IssueChange::Existing, IssueChange::New]);
        assert_eq!(changes[0].0, changes[1].0, "same fingerprint, same issue");
        assert_ne!(changes[0].0, changes[2].0);
    }

    async fn a_resolved_issue_that_recurs_reopens_as_a_regression(s) {
        let p = s.ensure_project("grouping", "G", "key-grouping").await.unwrap();
        let a = write(s, errors(vec![error(p.id, "a", HOUR, &[]), error(p.id, "a", HOUR + 1, &[])]))
            .await[0]
            .0;
        assert!(s.set_issue_status(a, IssueStatus::Resolved).await.unwrap());
        assert!(!s.set_issue_status(-1, IssueStatus::Resolved).await.unwrap());
        let again = write(s, errors(vec![error(p.id, "a", 2 * HOUR, &[])])).await;
        assert_eq!(again, vec![(a, IssueChange::Regressed)]);
        let issue = s.issue(a).await.unwrap().unwrap();
        assert_eq!(issue.status, IssueStatus::Unresolved, "a regression reopens");
        assert_eq!(issue.regressed_at_ms, Some(2 * HOUR));
        assert_eq!((issue.first_seen_ms, issue.last_seen_ms), (HOUR, 2 * HOUR));
        assert_eq!(issue.events, 3);
    }

    async fn an_ignored_issue_stays_ignored_and_lists_its_events_newest_first(s) {
        let p = s.ensure_project("grouping", "G", "key-grouping").await.unwrap();
        let a = write(s, errors(vec![error(p.id, "a", 2 * HOUR, &[])])).await[0].0;
        s.set_issue_status(a, IssueStatus::Ignored).await.unwrap();
        let later = write(s, errors(vec![error(p.id, "a", 3 * HOUR, &[])])).await;
        assert_eq!(later[0].1, IssueChange::Existing, "ignored stays ignored");
        assert_eq!(s.issue(a).await.unwrap().unwrap().status, IssueStatus::Ignored);
        let events = s.issue_events(a, 2).await.unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].timestamp_ms, Some(3 * HOUR), "newest first");
    }

    async fn issues_count_the_users_restaurants_and_orders_they_affect(s) {
        let now = 100 * HOUR;
        let p = two_issues(s, now).await;
        let all = s.issues(p, &IssueQuery::default(), now).await.unwrap();
        let titles: Vec<&str> = all.iter().map(|i| i.title.as_str()).collect();
        assert_eq!(titles, ["checkout happened", "kitchen_50% happened"]);
        let c = &all[0];
        assert_eq!((c.events, c.users, c.restaurants, c.orders), (3, 2, 2, 2));
    }

    async fn issues_carry_a_24_hour_sparkline_ending_now(s) {
        let now = 100 * HOUR;
        let p = two_issues(s, now).await;
        let all = s.issues(p, &IssueQuery::default(), now).await.unwrap();
        assert_eq!(all[0].sparkline.len(), 24);
        assert_eq!(&all[0].sparkline[21..], &[1, 1, 1], "one event in each of the last 3 hours");
        assert_eq!(all[1].sparkline.iter().sum::<u64>(), 0, "30 h ago is off the line");
    }

    async fn issues_filter_by_environment_tag_status_and_level_and_sort(s) {
        let now = 100 * HOUR;
        let p = two_issues(s, now).await;
        assert_eq!(
            titles(s, p, query(|q| q.environment = Some("staging".into())), now).await,
            ["kitchen_50% happened"]
        );
        assert_eq!(
            titles(s, p, query(|q| q.tags = vec![("restaurant_id".into(), "r-2".into())]), now).await,
            ["checkout happened"]
        );
        assert_eq!(
            titles(s, p, query(|q| q.sort = IssueSort::FirstSeen), now).await,
            ["checkout happened", "kitchen_50% happened"]
        );
        assert!(titles(s, p, query(|q| q.status = Some(IssueStatus::Resolved)), now).await.is_empty());
        assert!(titles(s, p, query(|q| q.level = Some("fatal".into())), now).await.is_empty());
    }

    async fn issue_search_covers_the_culprit_with_literal_wildcards_and_any_ascii_case(s) {
        let now = 100 * HOUR;
        let p = two_issues(s, now).await;
        assert_eq!(
            titles(s, p, query(|q| q.search = Some("50%".into())), now).await,
            ["kitchen_50% happened"],
            "LIKE wildcards are literal"
        );
        assert!(titles(s, p, query(|q| q.search = Some("5_".into())), now).await.is_empty());
        assert_eq!(
            titles(s, p, query(|q| q.search = Some("50%_FN (APP".into())), now).await,
            ["kitchen_50% happened"],
            "search covers the culprit, case-insensitively"
        );
    }

    async fn issue_tags_list_totals_and_the_most_seen_values(s) {
        let now = 100 * HOUR;
        let p = two_issues(s, now).await;
        let checkout = s.issues(p, &IssueQuery::default(), now).await.unwrap().remove(0);
        let tags = s.issue_tags(checkout.id, 1).await.unwrap();
        let restaurant = tags.iter().find(|t| t.key == "restaurant_id").unwrap();
        assert_eq!((restaurant.total, restaurant.distinct), (3, 2));
        assert_eq!(restaurant.top, vec![("r-1".to_string(), 2)], "top 1 only");
    }

    async fn errors_count_per_restaurant_and_environment_in_their_window(s) {
        let p = s.ensure_project("split", "S", "key-split").await.unwrap();
        let at = 50 * HOUR;
        let mut e1 = error(p.id, "jam", at, &[]);
        e1.restaurant_id = Some("r-1".into());
        e1.environment = Some("production".into());
        let mut e2 = error(p.id, "jam", at + 1, &[]);
        e2.restaurant_id = Some("r-1".into());
        e2.environment = Some("staging".into());
        let e3 = error(p.id, "jam", at + 2, &[]);
        write(s, errors(vec![e1, e2, e3])).await;
        let mut all = s.errors_by_restaurant(p.id, at, at + 60_000, None).await.unwrap();
        all.sort();
        assert_eq!(all, [(None, 1), (Some("r-1".into()), 2)]);
        let prod = s.errors_by_restaurant(p.id, at, at + 60_000, Some("production")).await.unwrap();
        assert_eq!(prod, [(Some("r-1".into()), 1)]);
        assert!(s.errors_by_restaurant(p.id, at + 60_000, at + 120_000, None).await.unwrap().is_empty());
    }

    async fn sessions_give_release_health_where_the_newest_update_wins(s) {
        let p = s.ensure_project("sessions", "S", "key-sessions").await.unwrap();
        let single = |sid: &str, updated: i64, status: &str, errors: u64| SessionUpdate::Single {
            project_id: p.id,
            sid: sid.into(),
            started_ms: 1_000,
            updated_ms: updated,
            release: "pos@1".into(),
            environment: "production".into(),
            status: status.into(),
            errors,
        };
        let batch = IngestBatch {
            sessions: vec![
                single("a", 1_000, "ok", 0),
                single("a", 3_000, "crashed", 1),
                // An older update arriving late does not undo the crash.
                single("a", 2_000, "ok", 0),
                single("b", 1_000, "ok", 0),
                single("b", 2_000, "ok", 2),
                single("c", 1_000, "exited", 0),
                SessionUpdate::Aggregate {
                    project_id: p.id,
                    minute: 0,
                    release: "api@1".into(),
                    environment: "production".into(),
                    exited: 5,
                    errored: 1,
                    crashed: 1,
                    abnormal: 1,
                },
            ],
            ..IngestBatch::default()
        };
        write(s, batch).await;
        let h = s.session_health(p.id, 0, 60_000).await.unwrap();
        assert_eq!(
            h,
            SessionHealth {
                total: 3 + 8,
                errored: 2 + 3,
                crashed: 1 + 1,
                abnormal: 1,
            }
        );
        assert_eq!(s.session_health(p.id, 60_000, 120_000).await.unwrap().total, 0);
    }
}

contract! {
    async fn issue_activity_counts_matching_events_of_unresolved_issues_in_the_window(s) {
        let p = s.ensure_project("activity", "A", "key-activity").await.unwrap();
        let at = 10 * HOUR;
        let ev = |fp: &str, t: i64, env: &str, restaurant: &str| {
            let mut e = error(p.id, fp, t, &[("restaurant_id", restaurant)]);
            e.environment = Some(env.into());
            e
        };
        let changes = write(
            s,
            errors(vec![
                ev("busy", at, "production", "r-1"),
                ev("busy", at + 1, "production", "r-1"),
                ev("busy", at + 2, "staging", "r-1"),
                ev("quiet", at - 2 * HOUR, "production", "r-2"),
                ev("fixed", at, "production", "r-1"),
            ]),
        )
        .await;
        let fixed = changes[4].0;
        s.set_issue_status(fixed, IssueStatus::Resolved).await.unwrap();
        let q = |f: fn(&mut store::IssueActivityQuery)| {
            let mut q = store::IssueActivityQuery { since_ms: at - HOUR, limit: 10, ..Default::default() };
            f(&mut q);
            q
        };
        let found = s.issue_activity(p.id, &q(|_| {})).await.unwrap();
        let seen: Vec<(&str, u64)> = found.iter().map(|a| (a.title.as_str(), a.events)).collect();
        assert_eq!(seen, [("busy happened", 3)], "unresolved, with events in the window");
        assert_eq!(found[0].first_seen_ms, at);
        let prod = s.issue_activity(p.id, &q(|q| q.environment = Some("production".into()))).await.unwrap();
        assert_eq!(prod[0].events, 2, "events of that environment");
        let tagged = s
            .issue_activity(p.id, &q(|q| q.tags = vec![("restaurant_id".into(), "r-2".into())]))
            .await
            .unwrap();
        assert!(tagged.is_empty(), "the r-2 issue has no events in the window");
        assert!(s.issue_activity(p.id, &q(|q| q.level = Some("fatal".into()))).await.unwrap().is_empty());
    }
}
