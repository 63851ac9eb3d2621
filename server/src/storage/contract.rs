//! The storage contract: behaviour every [`Storage`] implementation must have, written
//! once and run against each backend (SQLite here; PostgreSQL beside it).

use super::*;
use crate::{
    clock::{minute_of, now_ms},
    rollup::{aggregate, Metric, RollupDelta, Sketch},
};
use serde_json::json;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 3_600_000;
const DAY: i64 = 86_400_000;

pub async fn run_all(s: &dyn Storage) {
    retention_deletes_what_is_older_than_the_cutoff_and_nothing_newer(s).await;
    events_group_into_issues_that_regress_when_resolved(s).await;
    issues_filter_sort_and_count_what_they_affect(s).await;
    filters_default_until_saved_and_travel_with_the_project(s).await;
    sessions_give_release_health(s).await;
    outcomes_add_up_per_reason(s).await;
    api_calls_roll_up_per_endpoint(s).await;
    alert_evaluations_store_history_and_grouped_outbox_rows(s).await;
    acknowledgements_hold_while_firing_and_clear_on_resolve(s).await;
    silences_and_dashboard_rules_persist(s).await;
    per_restaurant_reads_for_split_rules(s).await;
    projects_are_created_once(s).await;
    the_first_instance_to_ask_leads(s).await;
    users_sessions_and_api_tokens(s).await;
    raw_reads_for_the_performance_page(s).await;
    rollup_deltas_merge_counts_sums_and_sketches(s).await;
    concurrent_writers_lose_no_update(s).await;
    business_events_count_in_exact_cents(s).await;
    inventory_keeps_the_newest_report(s).await;
    logs_search_by_column_field_text_and_page(s).await;
    log_retention_goes_by_age_then_by_rows(s).await;
    audit_log_and_login_failures(s).await;
    probes_record_attempts_and_definitions(s).await;
    capacity_counts_rows_per_table(s).await;
    large_batches_are_stored_whole(s).await;
    // Last: it deletes every project's raw rows older than 30 days.
    retention_of_rows_days_old(s).await;
}

fn page_load(project_id: i64, at: i64) -> RumEventRow {
    RumEventRow {
        project_id,
        received_at_ms: at,
        client_ts_ms: None,
        kind: "pageload",
        page: "/".into(),
        session_id: None,
        user_agent: None,
        restaurant_id: None,
        ttfb: None,
        dcl: None,
        load: Some(100.0),
        fp: None,
        fcp: None,
        lcp: Some(1200.0),
        cls: Some(0.05),
        inp: None,
        source: "rum",
    }
}

fn error(project_id: i64, fingerprint: &str, at: i64, tags: &[(&str, &str)]) -> NewErrorEvent {
    let tags: Vec<(String, String)> = tags
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let body = ErrorEvent {
        event_id: Some(format!("{fingerprint}-{at}")),
        timestamp_ms: Some(at),
        level: "error".into(),
        platform: None,
        release: None,
        environment: None,
        transaction: None,
        message: Some(format!("{fingerprint} happened")),
        exceptions: vec![],
        tags: tags.clone(),
        user: None,
        contexts: Default::default(),
        breadcrumbs: vec![],
        request: None,
        sdk: None,
        fingerprint: None,
    };
    NewErrorEvent {
        project_id,
        fingerprint: fingerprint.into(),
        title: format!("{fingerprint} happened"),
        culprit: Some(format!("{fingerprint}_fn (app.js)")),
        level: "error".into(),
        received_at_ms: at,
        event_id: body.event_id.clone(),
        environment: None,
        release: None,
        user_key: None,
        restaurant_id: None,
        tags,
        body: serde_json::to_string(&body).unwrap(),
    }
}

async fn write(s: &dyn Storage, batch: IngestBatch) -> Vec<(i64, IssueChange)> {
    let rollups = aggregate(&batch, &Default::default());
    s.write_batch(&batch, &rollups).await.unwrap()
}

fn errors(errors: Vec<NewErrorEvent>) -> IngestBatch {
    IngestBatch {
        errors,
        ..IngestBatch::default()
    }
}

async fn retention_deletes_what_is_older_than_the_cutoff_and_nothing_newer(s: &dyn Storage) {
    let p = s
        .ensure_project("retention", "R", "key-retention")
        .await
        .unwrap();
    let mut batch = errors(vec![
        error(p.id, "f", 60_000, &[]),
        error(p.id, "f", 180_000, &[]),
    ]);
    batch.page_loads = [60_000, 120_000, 180_000]
        .map(|at| page_load(p.id, at))
        .into();
    write(s, batch).await;

    // Raw data before 120 000 ms goes; rollups before minute 2 go.
    s.enforce_retention(120_000, 2, 0).await.unwrap();

    assert_eq!(s.count_rum_events(p.id).await.unwrap(), 2);
    let minutes: Vec<i64> = s
        .rollups(p.id, Metric::PageView, "", 0, 10)
        .await
        .unwrap()
        .iter()
        .map(|r| r.minute)
        .collect();
    assert_eq!(minutes, vec![2, 3]);
    let issue = s
        .issues(p.id, &IssueQuery::default(), 0)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(s.issue_events(issue.id, 10).await.unwrap().len(), 1);
    assert_eq!(issue.events, 2, "the issue keeps its all-time count");
    assert_eq!(s.error_minutes(p.id, 0, 10).await.unwrap(), vec![(3, 1)]);
}

async fn events_group_into_issues_that_regress_when_resolved(s: &dyn Storage) {
    let p = s
        .ensure_project("grouping", "G", "key-grouping")
        .await
        .unwrap();
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
    assert_eq!(
        kinds,
        [IssueChange::New, IssueChange::Existing, IssueChange::New]
    );
    assert_eq!(changes[0].0, changes[1].0, "same fingerprint, same issue");
    assert_ne!(changes[0].0, changes[2].0);
    let a = changes[0].0;

    assert!(s.set_issue_status(a, IssueStatus::Resolved).await.unwrap());
    assert!(!s.set_issue_status(-1, IssueStatus::Resolved).await.unwrap());
    let again = write(s, errors(vec![error(p.id, "a", 2 * HOUR, &[])])).await;
    assert_eq!(again, vec![(a, IssueChange::Regressed)]);
    let issue = s.issue(a).await.unwrap().unwrap();
    assert_eq!(
        issue.status,
        IssueStatus::Unresolved,
        "a regression reopens"
    );
    assert_eq!(issue.regressed_at_ms, Some(2 * HOUR));
    assert_eq!((issue.first_seen_ms, issue.last_seen_ms), (HOUR, 2 * HOUR));
    assert_eq!(issue.events, 3);

    s.set_issue_status(a, IssueStatus::Ignored).await.unwrap();
    let later = write(s, errors(vec![error(p.id, "a", 3 * HOUR, &[])])).await;
    assert_eq!(later[0].1, IssueChange::Existing, "ignored stays ignored");
    let events = s.issue_events(a, 2).await.unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].timestamp_ms, Some(3 * HOUR), "newest first");
}

async fn issues_filter_sort_and_count_what_they_affect(s: &dyn Storage) {
    let p = s
        .ensure_project("filtering", "F", "key-filtering")
        .await
        .unwrap();
    let now = 100 * HOUR;
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
    let all = s.issues(p.id, &IssueQuery::default(), now).await.unwrap();
    let titles: Vec<&str> = all.iter().map(|i| i.title.as_str()).collect();
    assert_eq!(titles, ["checkout happened", "kitchen_50% happened"]);
    let checkout = &all[0];
    assert_eq!(
        (
            checkout.events,
            checkout.users,
            checkout.restaurants,
            checkout.orders
        ),
        (3, 2, 2, 2)
    );
    assert_eq!(checkout.sparkline.len(), 24);
    assert_eq!(
        &checkout.sparkline[21..],
        &[1, 1, 1],
        "one event in each of the last 3 hours"
    );
    assert_eq!(
        all[1].sparkline.iter().sum::<u64>(),
        0,
        "30 h ago is off the line"
    );

    let q = |f: fn(&mut IssueQuery)| {
        let mut q = IssueQuery::default();
        f(&mut q);
        q
    };
    let titles_for = |q: IssueQuery| async move {
        s.issues(p.id, &q, now)
            .await
            .unwrap()
            .into_iter()
            .map(|i| i.title)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        titles_for(q(|q| q.environment = Some("staging".into()))).await,
        ["kitchen_50% happened"]
    );
    assert_eq!(
        titles_for(q(|q| q.tags = vec![("restaurant_id".into(), "r-2".into())])).await,
        ["checkout happened"]
    );
    assert_eq!(
        titles_for(q(|q| q.search = Some("50%".into()))).await,
        ["kitchen_50% happened"],
        "LIKE wildcards are literal"
    );
    assert!(titles_for(q(|q| q.search = Some("5_".into())))
        .await
        .is_empty());
    assert_eq!(
        titles_for(q(|q| q.search = Some("50%_FN (APP".into()))).await,
        ["kitchen_50% happened"],
        "search covers the culprit, case-insensitively"
    );
    assert_eq!(
        titles_for(q(|q| q.sort = IssueSort::FirstSeen)).await,
        ["checkout happened", "kitchen_50% happened"]
    );
    assert!(titles_for(q(|q| q.status = Some(IssueStatus::Resolved)))
        .await
        .is_empty());
    assert!(titles_for(q(|q| q.level = Some("fatal".into())))
        .await
        .is_empty());

    let tags = s.issue_tags(checkout.id, 1).await.unwrap();
    let restaurant = tags.iter().find(|t| t.key == "restaurant_id").unwrap();
    assert_eq!((restaurant.total, restaurant.distinct), (3, 2));
    assert_eq!(restaurant.top, vec![("r-1".to_string(), 2)], "top 1 only");
}

async fn filters_default_until_saved_and_travel_with_the_project(s: &dyn Storage) {
    let p = s
        .ensure_project("filters", "F", "key-filters")
        .await
        .unwrap();
    assert_eq!(p.filters, InboundFilters::default());
    assert_eq!(s.filters(p.id).await.unwrap(), InboundFilters::default());
    let mine = InboundFilters {
        messages: vec!["Script error.".into()],
        browser_extensions: false,
        environments: vec!["development".into()],
    };
    s.set_filters(p.id, &mine, 1).await.unwrap();
    assert_eq!(s.filters(p.id).await.unwrap(), mine);
    let listed = s.projects().await.unwrap();
    assert_eq!(listed.iter().find(|x| x.id == p.id).unwrap().filters, mine);
    let empty = InboundFilters {
        messages: vec![],
        browser_extensions: true,
        environments: vec![],
    };
    s.set_filters(p.id, &empty, 2).await.unwrap();
    assert_eq!(
        s.filters(p.id).await.unwrap(),
        empty,
        "saved empty is not the default"
    );
}

async fn sessions_give_release_health(s: &dyn Storage) {
    let p = s
        .ensure_project("sessions", "S", "key-sessions")
        .await
        .unwrap();
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
    assert_eq!(
        s.session_health(p.id, 60_000, 120_000).await.unwrap().total,
        0
    );
}

async fn outcomes_add_up_per_reason(s: &dyn Storage) {
    let p = s
        .ensure_project("outcomes", "O", "key-outcomes")
        .await
        .unwrap();
    let o = |source, reason: &str, quantity, at| Outcome {
        project_id: p.id,
        at_ms: at,
        source,
        reason: reason.into(),
        category: "error".into(),
        quantity,
    };
    write(
        s,
        IngestBatch {
            outcomes: vec![
                o("filtered", "message", 2, 10 * HOUR),
                o("filtered", "message", 3, 10 * HOUR + 5),
                o("client", "queue_overflow", 7, 11 * HOUR),
                o("filtered", "environment", 1, HOUR),
            ],
            ..IngestBatch::default()
        },
    )
    .await;
    let got = s.outcomes(p.id, 10 * HOUR).await.unwrap();
    let summary: Vec<(&str, &str, u64)> = got
        .iter()
        .map(|c| (c.source.as_str(), c.reason.as_str(), c.quantity))
        .collect();
    assert_eq!(
        summary,
        [("client", "queue_overflow", 7), ("filtered", "message", 5)]
    );
}

async fn api_calls_roll_up_per_endpoint(s: &dyn Storage) {
    let p = s.ensure_project("api", "A", "key-api").await.unwrap();
    let call = |status, ms| ApiCallRow {
        project_id: p.id,
        received_at_ms: 60_000,
        page: Some("/checkout".into()),
        method: "POST".into(),
        route: "/api/orders".into(),
        status,
        duration_ms: ms,
        session_id: None,
        restaurant_id: None,
        source: "sentry",
    };
    let batch = IngestBatch {
        api_calls: vec![call(Some(201), 120.0), call(Some(502), 2600.0)],
        page_loads: vec![page_load(p.id, 60_000)],
        ..IngestBatch::default()
    };
    write(s, batch).await;
    let rows = s
        .rollups(p.id, Metric::ApiCall, "POST /api/orders", 0, 5)
        .await
        .unwrap();
    assert_eq!((rows[0].count, rows[0].sum), (2, 2720.0));
    let by_endpoint = s.rollups_by_key(p.id, Metric::ApiCall, 0, 5).await.unwrap();
    let keys: Vec<&str> = by_endpoint.iter().map(|r| r.page.as_str()).collect();
    assert_eq!(
        keys,
        ["POST /api/orders"],
        "the all-endpoints row is not a key"
    );
    let failed = s.rollups(p.id, Metric::ApiError, "", 0, 5).await.unwrap();
    assert_eq!(failed[0].count, 1);
    let lcp = s
        .rollups(p.id, Metric::LargestContentfulPaint, "", 0, 5)
        .await
        .unwrap();
    assert_eq!(lcp[0].count, 1, "vitals roll up like timings");
}

fn alert_record(rule: &str, state: &str, change: Option<&'static str>, at: i64) -> AlertRecord {
    AlertRecord {
        rule: rule.into(),
        instance: String::new(),
        severity: "critical",
        threshold: 1.0,
        value: Some(5.0),
        state: Some(format!("{{\"state\":\"{state}\"}}")),
        at_ms: at,
        transition: change.map(|c| TransitionRecord {
            change: c,
            value: 5.0,
            notify: true,
            silenced: false,
            actor: None,
        }),
    }
}

async fn alert_evaluations_store_history_and_grouped_outbox_rows(s: &dyn Storage) {
    let eval = Evaluation {
        records: vec![
            alert_record("a", "firing", Some("fired"), 1_000),
            alert_record("quiet", "pending", None, 1_000),
            alert_record("b", "firing", Some("fired"), 1_000),
        ],
        outbox: vec![
            OutboxItem {
                channel: "slack".into(),
                payload: "{}".into(),
                members: vec![0, 2],
            },
            OutboxItem {
                channel: "email".into(),
                payload: "{}".into(),
                members: vec![0, 2],
            },
        ],
    };
    s.record_evaluation(&eval).await.unwrap();
    let history = s
        .alert_history(&AlertHistoryQuery::default())
        .await
        .unwrap();
    assert_eq!(history.len(), 2, "only transitions are history");
    assert_eq!(history[0].rule, "b", "newest first");
    let states = s.alert_states().await.unwrap();
    assert_eq!(states.len(), 3, "every state is kept");
    let b = &history[0];
    let d = s.deliveries(Some(b.id), 10).await.unwrap();
    assert_eq!(d.len(), 2);
    assert!(d.iter().all(|x| x.alerts == 2 && x.status == "pending"));
    assert_eq!(d[0].rule, "a", "a message is listed under its first alert");

    let due = s.due_notifications(1_000, 10).await.unwrap();
    assert_eq!(due.len(), 2);
    assert!(s.due_notifications(999, 10).await.unwrap().is_empty());
    s.notification_failed(due[0].id, "answered 500", Some(6_000))
        .await
        .unwrap();
    s.notification_delivered(due[1].id, 1_500).await.unwrap();
    assert!(s.due_notifications(5_999, 10).await.unwrap().is_empty());
    let retry = s.due_notifications(6_000, 10).await.unwrap();
    assert_eq!((retry.len(), retry[0].attempts), (1, 1));
    s.notification_failed(retry[0].id, "gave up", None)
        .await
        .unwrap();
    assert!(s.due_notifications(i64::MAX, 10).await.unwrap().is_empty());
    let all = s.deliveries(None, 10).await.unwrap();
    let statuses: Vec<&str> = all.iter().map(|d| d.status.as_str()).collect();
    assert_eq!(statuses, ["delivered", "failed"]);
    assert_eq!(all[1].last_error.as_deref(), Some("gave up"));

    let only_b = AlertHistoryQuery {
        rule: Some("b".into()),
        severity: Some("critical".into()),
        change: Some("fired".into()),
        from_ms: Some(1_000),
        to_ms: Some(1_001),
        limit: None,
    };
    assert_eq!(s.alert_history(&only_b).await.unwrap().len(), 1);
    let later = AlertHistoryQuery {
        from_ms: Some(1_001),
        ..AlertHistoryQuery::default()
    };
    assert!(s.alert_history(&later).await.unwrap().is_empty());
}

async fn acknowledgements_hold_while_firing_and_clear_on_resolve(s: &dyn Storage) {
    let fire = Evaluation {
        records: vec![
            alert_record("ack-me", "firing", Some("fired"), 2_000),
            alert_record("ack-pending", "pending", Some("pending"), 2_000),
        ],
        outbox: vec![],
    };
    s.record_evaluation(&fire).await.unwrap();
    assert!(!s
        .acknowledge_alert("ack-pending", "", "ana", 2_100)
        .await
        .unwrap());
    assert!(s
        .acknowledge_alert("ack-me", "", "ana", 2_100)
        .await
        .unwrap());
    assert!(
        !s.acknowledge_alert("ack-me", "", "bo", 2_200)
            .await
            .unwrap(),
        "already acknowledged"
    );
    let row = |rows: Vec<AlertStateRow>| rows.into_iter().find(|r| r.rule == "ack-me").unwrap();
    let r = row(s.alert_states().await.unwrap());
    assert_eq!(
        (r.acked_by.as_deref(), r.acked_at_ms),
        (Some("ana"), Some(2_100))
    );
    let acked = AlertHistoryQuery {
        rule: Some("ack-me".into()),
        change: Some("acknowledged".into()),
        ..AlertHistoryQuery::default()
    };
    let h = s.alert_history(&acked).await.unwrap();
    assert_eq!(h[0].actor.as_deref(), Some("ana"));
    assert_eq!((h[0].severity.as_str(), h[0].value), ("critical", 5.0));

    // Still firing (a state update without a transition) keeps it; the resolve clears it.
    let still = Evaluation {
        records: vec![alert_record("ack-me", "firing", None, 2_500)],
        outbox: vec![],
    };
    s.record_evaluation(&still).await.unwrap();
    assert!(row(s.alert_states().await.unwrap()).acked_by.is_some());
    let resolve = Evaluation {
        records: vec![alert_record("ack-me", "inactive", Some("resolved"), 3_000)],
        outbox: vec![],
    };
    s.record_evaluation(&resolve).await.unwrap();
    let r = row(s.alert_states().await.unwrap());
    assert_eq!((r.acked_by, r.acked_at_ms), (None, None));

    // A test fire leaves the state alone.
    let mut test = alert_record("ack-me", "firing", Some("test"), 3_100);
    test.state = None;
    s.record_evaluation(&Evaluation {
        records: vec![test],
        outbox: vec![],
    })
    .await
    .unwrap();
    assert!(row(s.alert_states().await.unwrap())
        .state
        .contains("inactive"));
}

async fn silences_and_dashboard_rules_persist(s: &dyn Storage) {
    let silence = Silence {
        id: 0,
        matchers: vec![app::model::Matcher {
            field: "rule".into(),
            value: "low_*".into(),
        }],
        starts_ms: 1_000,
        ends_ms: 10_000,
        comment: "stock count".into(),
        created_by: "ana".into(),
        created_at_ms: 900,
    };
    let id = s.create_silence(&silence).await.unwrap();
    let listed = s.silences(5_000).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0],
        Silence {
            id,
            ..silence.clone()
        }
    );
    assert!(
        s.silences(10_000).await.unwrap().is_empty(),
        "ended ones are left out"
    );
    assert!(s.expire_silence(id, 4_000).await.unwrap());
    assert!(!s.expire_silence(id, 4_500).await.unwrap(), "already ended");
    assert_eq!(s.silences(0).await.unwrap()[0].ends_ms, 4_000);
    let upcoming = s
        .create_silence(&Silence {
            starts_ms: 20_000,
            ends_ms: 30_000,
            ..silence
        })
        .await
        .unwrap();
    assert!(s.expire_silence(upcoming, 5_000).await.unwrap());
    let cancelled = s.silences(0).await.unwrap();
    let c = cancelled.iter().find(|x| x.id == upcoming).unwrap();
    assert!(c.starts_ms <= c.ends_ms && !c.is_active(5_000) && !c.is_active(25_000));

    let rule = StoredRule {
        name: "kds_lag".into(),
        rule: "{\"name\":\"kds_lag\"}".into(),
        updated_by: "ana".into(),
        updated_at_ms: 1,
    };
    s.save_rule(&rule).await.unwrap();
    s.save_rule(&StoredRule {
        updated_by: "bo".into(),
        updated_at_ms: 2,
        ..rule.clone()
    })
    .await
    .unwrap();
    let stored = s.stored_rules().await.unwrap();
    assert_eq!(stored.len(), 1, "saving again replaces");
    assert_eq!(stored[0].updated_by, "bo");
    assert!(s.delete_rule("kds_lag").await.unwrap());
    assert!(!s.delete_rule("kds_lag").await.unwrap());
}

async fn per_restaurant_reads_for_split_rules(s: &dyn Storage) {
    let p = s.ensure_project("split", "S", "key-split").await.unwrap();
    let at = 50 * HOUR;
    let mut e1 = error(p.id, "jam", at, &[]);
    e1.restaurant_id = Some("r-1".into());
    e1.environment = Some("production".into());
    let mut e2 = error(p.id, "jam", at + 1, &[]);
    e2.restaurant_id = Some("r-1".into());
    e2.environment = Some("staging".into());
    let mut e3 = error(p.id, "jam", at + 2, &[]);
    e3.restaurant_id = None;
    let mut view = page_load(p.id, at);
    view.restaurant_id = Some("r-2".into());
    let call = ApiCallRow {
        project_id: p.id,
        received_at_ms: at,
        page: None,
        method: "GET".into(),
        route: "/menu".into(),
        status: Some(200),
        duration_ms: 321.0,
        session_id: None,
        restaurant_id: Some("r-2".into()),
        source: "rum",
    };
    write(
        s,
        IngestBatch {
            errors: vec![e1, e2, e3],
            page_loads: vec![view],
            api_calls: vec![call],
            ..IngestBatch::default()
        },
    )
    .await;
    let mut errors = s
        .errors_by_restaurant(p.id, at, at + 60_000, None)
        .await
        .unwrap();
    errors.sort();
    assert_eq!(errors, [(None, 1), (Some("r-1".into()), 2)]);
    let prod = s
        .errors_by_restaurant(p.id, at, at + 60_000, Some("production"))
        .await
        .unwrap();
    assert_eq!(prod, [(Some("r-1".into()), 1)]);
    assert!(s
        .errors_by_restaurant(p.id, at + 60_000, at + 120_000, None)
        .await
        .unwrap()
        .is_empty());
    let views = s
        .page_views_by_restaurant(p.id, at, at + 60_000)
        .await
        .unwrap();
    assert_eq!(views, [(Some("r-2".into()), 1)]);
    let calls = s
        .api_durations_by_restaurant(p.id, at, at + 60_000)
        .await
        .unwrap();
    assert_eq!(calls, [(Some("r-2".into()), 321.0)]);
}

async fn projects_are_created_once(s: &dyn Storage) {
    s.ping().await.unwrap();
    let p = s.ensure_project("once", "Once", "key-once").await.unwrap();
    assert_eq!(
        (p.slug.as_str(), p.name.as_str(), p.public_key.as_str()),
        ("once", "Once", "key-once")
    );
    let again = s
        .ensure_project("once", "Renamed", "key-other")
        .await
        .unwrap();
    assert_eq!(again, p, "the first name and key stay");
    let listed = s.projects().await.unwrap();
    assert_eq!(listed.iter().filter(|x| x.slug == "once").count(), 1);
}

async fn the_first_instance_to_ask_leads(s: &dyn Storage) {
    let mut lease = s.try_lead().await.unwrap().expect("nobody else leads");
    assert!(lease.held().await);
    lease.release().await;
    let mut again = s
        .try_lead()
        .await
        .unwrap()
        .expect("given up, the role is free");
    again.release().await;
}

async fn raw_reads_for_the_performance_page(s: &dyn Storage) {
    let p = s
        .ensure_project("raw-reads", "R", "key-raw-reads")
        .await
        .unwrap();
    let t = 3_000 * HOUR;
    let call = |at, duration_ms, restaurant: &str| ApiCallRow {
        project_id: p.id,
        received_at_ms: at,
        page: Some("/checkout".into()),
        method: "GET".into(),
        route: "/api/orders/:id".into(),
        status: Some(200),
        duration_ms,
        session_id: Some("s-1".into()),
        restaurant_id: Some(restaurant.into()),
        source: "rum",
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

    let slow = |min_ms, restaurant, limit| async move {
        let rows = s
            .slow_calls(p.id, t, min_ms, restaurant, limit)
            .await
            .unwrap();
        rows.into_iter().map(|c| c.duration_ms).collect::<Vec<_>>()
    };
    assert_eq!(
        slow(1_000.0, None, 10).await,
        [4_000.0, 2_500.0, 1_000.0],
        "slowest first, min inclusive"
    );
    assert_eq!(slow(1_000.0, Some("r-1"), 10).await, [2_500.0, 1_000.0]);
    assert_eq!(slow(0.0, None, 2).await, [4_000.0, 2_500.0]);
    let slowest = s.slow_calls(p.id, t, 0.0, None, 1).await.unwrap().remove(0);
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

    let mine = s.restaurant_rows(p.id, "r-1", t).await.unwrap();
    assert_eq!(mine.page_loads, [view], "one restaurant's, as stored");
    let mut durations: Vec<f64> = mine.api_calls.iter().map(|c| c.duration_ms).collect();
    durations.sort_by(f64::total_cmp);
    assert_eq!(durations, [1_000.0, 2_500.0], "since from_ms");
    assert!(mine.api_calls.contains(&calls[0]));
    assert_eq!(mine.memory, [memory]);
}

async fn users_sessions_and_api_tokens(s: &dyn Storage) {
    assert_eq!(s.user_by_name("auth-ana").await.unwrap(), None);
    let ana = s.create_user("auth-ana", "hash-a").await.unwrap();
    assert_eq!(
        (ana.username.as_str(), ana.password_hash.as_str()),
        ("auth-ana", "hash-a")
    );
    assert_eq!(s.user_by_name("auth-ana").await.unwrap(), Some(ana.clone()));
    assert!(
        s.create_user("auth-ana", "other").await.is_err(),
        "user names are unique"
    );
    let bo = s.create_user("auth-bo", "hash-b").await.unwrap();
    assert_ne!(ana.id, bo.id);

    // Sessions live until (not including) their expiry.
    s.create_session("session-ana", ana.id, 10_000)
        .await
        .unwrap();
    s.create_session("session-bo", bo.id, 20_000).await.unwrap();
    let session = |token: &'static str, now: i64| async move {
        s.session_user(token, now)
            .await
            .unwrap()
            .map(|u| u.username)
    };
    assert_eq!(
        session("session-ana", 9_999).await.as_deref(),
        Some("auth-ana")
    );
    assert_eq!(session("session-ana", 10_000).await, None, "expired");
    assert_eq!(
        session("session-bo", 10_000).await.as_deref(),
        Some("auth-bo")
    );
    assert_eq!(session("no-such-session", 0).await, None);
    s.delete_session("session-bo").await.unwrap();
    assert_eq!(session("session-bo", 10_000).await, None, "signed out");
    s.delete_session("no-such-session").await.unwrap();

    // API tokens: listed while live, each use recorded at most once a minute.
    let t1 = s
        .create_api_token(ana.id, "ci", "token-hash-1", "mon_ab12")
        .await
        .unwrap();
    assert_eq!(
        (t1.name.as_str(), t1.prefix.as_str(), t1.last_used_ms),
        ("ci", "mon_ab12", None)
    );
    let t2 = s
        .create_api_token(bo.id, "grafana", "token-hash-2", "mon_cd34")
        .await
        .unwrap();
    let mine = || async {
        let ids = [t1.id, t2.id];
        let all = s.api_tokens().await.unwrap();
        all.into_iter()
            .filter(|t| ids.contains(&t.id))
            .collect::<Vec<_>>()
    };
    assert_eq!(mine().await, [t1.clone(), t2.clone()], "ordered by id");
    let last_used = || async { mine().await[0].last_used_ms };
    let user = |now: i64| async move {
        let u = s.api_token_user("token-hash-1", now).await.unwrap();
        u.map(|u| u.username)
    };
    assert_eq!(user(100_000).await.as_deref(), Some("auth-ana"));
    assert_eq!(last_used().await, Some(100_000));
    user(160_000).await;
    assert_eq!(
        last_used().await,
        Some(100_000),
        "not again within a minute"
    );
    user(160_001).await;
    assert_eq!(last_used().await, Some(160_001));
    assert_eq!(s.api_token_user("no-such-token", 0).await.unwrap(), None);

    assert!(s.revoke_api_token(t1.id).await.unwrap());
    assert!(!s.revoke_api_token(t1.id).await.unwrap(), "already revoked");
    assert!(!s.revoke_api_token(-1).await.unwrap());
    assert_eq!(user(300_000).await, None, "a revoked token opens nothing");
    assert_eq!(
        mine().await,
        std::slice::from_ref(&t2),
        "revoked tokens are not listed"
    );
}

/// What a flush adds to a timing rollup row: `values` counted, summed and sketched.
fn timing(project_id: i64, metric: Metric, page: &str, minute: i64, values: &[f64]) -> RollupDelta {
    let mut sketch = Sketch::new();
    values.iter().for_each(|v| sketch.add(*v));
    RollupDelta {
        project_id,
        metric,
        page: page.into(),
        minute,
        count: values.len() as u64,
        sum: values.iter().sum(),
        sketch: Some(sketch),
    }
}

/// What a flush adds to a page-view row: a count, no sketch.
fn views(project_id: i64, page: &str, minute: i64, count: u64) -> RollupDelta {
    RollupDelta {
        project_id,
        metric: Metric::PageView,
        page: page.into(),
        minute,
        count,
        sum: 0.0,
        sketch: None,
    }
}

/// Within the sketch's 1 % relative error.
fn near(got: Option<f64>, want: f64) -> bool {
    got.is_some_and(|g| (g - want).abs() <= want * 0.01)
}

fn summary(rows: &[RollupRow]) -> Vec<(&str, i64, u64, f64)> {
    rows.iter()
        .map(|r| (r.page.as_str(), r.minute, r.count, r.sum))
        .collect()
}

async fn rollup_deltas_merge_counts_sums_and_sketches(s: &dyn Storage) {
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

    let load = s.rollups(p.id, Metric::Load, "/menu", 0, 10).await.unwrap();
    assert_eq!(
        summary(&load),
        [("/menu", 7, 5, 1500.0), ("/menu", 8, 1, 50.0)]
    );
    let merged = load[0].sketch.as_ref().unwrap();
    assert_eq!(merged.count(), 5, "the stored sketch holds both flushes");
    assert!(near(merged.quantile(0.2), 100.0));
    assert!(near(merged.quantile(0.5), 300.0));
    assert!(near(merged.quantile(1.0), 500.0));
    let only_8 = s.rollups(p.id, Metric::Load, "/menu", 8, 8).await.unwrap();
    assert_eq!(
        summary(&only_8),
        [("/menu", 8, 1, 50.0)],
        "bounds inclusive"
    );
    assert!(s
        .rollups(p.id, Metric::Load, "/menu", 0, 6)
        .await
        .unwrap()
        .is_empty());
    let all_pages = s.rollups(p.id, Metric::Load, "", 0, 10).await.unwrap();
    assert_eq!(summary(&all_pages), [("", 7, 2, 300.0)]);

    let by_page = s
        .rollups_by_key(p.id, Metric::PageView, 0, 10)
        .await
        .unwrap();
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
    let by_load = s.rollups_by_key(p.id, Metric::Load, 0, 10).await.unwrap();
    assert_eq!(by_load.len(), 2, "only /menu is a key of load");

    let top = |from, to, limit| async move { s.top_pages(p.id, from, to, limit).await.unwrap() };
    let pages = |v: &[(&str, u64)]| -> Vec<(String, u64)> {
        v.iter().map(|(p, n)| (p.to_string(), *n)).collect()
    };
    assert_eq!(
        top(0, 10, 10).await,
        pages(&[("/checkout", 5), ("/about", 3), ("/menu", 3)])
    );
    assert_eq!(
        top(7, 7, 10).await,
        pages(&[("/about", 3), ("/menu", 3), ("/checkout", 1)]),
        "ties by page"
    );
    assert_eq!(top(0, 10, 1).await, pages(&[("/checkout", 5)]));

    // Raw page loads are counted apart from the rollups (vitals beacons too).
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
    assert_eq!(s.count_rum_events(p.id).await.unwrap(), 3);
}

/// Two writers (two instances on PostgreSQL) flushing at once: into the same rollup
/// minute (every other round) and onto the same new issue.
async fn concurrent_writers_lose_no_update(s: &dyn Storage) {
    let p = s
        .ensure_project("concurrent", "C", "key-concurrent")
        .await
        .unwrap();
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
            error(
                p.id,
                &format!("race-{round}"),
                at + i as i64,
                &[("restaurant_id", "r-1")],
            )
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
        let (ra, rb) = (
            aggregate(&a, &Default::default()),
            aggregate(&b, &Default::default()),
        );
        let (x, y) = tokio::join!(s.write_batch(&a, &ra), s.write_batch(&b, &rb));
        let changes: Vec<(i64, IssueChange)> = x.unwrap().into_iter().chain(y.unwrap()).collect();
        assert!(
            changes.iter().all(|c| c.0 == changes[0].0),
            "round {round}: one issue"
        );
        let new = changes.iter().filter(|c| c.1 == IssueChange::New).count();
        assert_eq!(new, 1, "round {round}: exactly one writer filed it as new");
    }

    let view_rounds = ROUNDS.div_ceil(2);
    let views = (view_rounds * 2 * ROWS) as u64;
    for page in ["/race", ""] {
        let v = s
            .rollups(p.id, Metric::PageView, page, minute, minute)
            .await
            .unwrap();
        assert_eq!(v[0].count, views, "page views of {page:?}");
        let load = s
            .rollups(p.id, Metric::Load, page, minute, minute)
            .await
            .unwrap();
        assert_eq!(
            (load[0].count, load[0].sum),
            (views, (view_rounds * ROWS) as f64 * 300.0)
        );
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
    assert_eq!(
        s.error_minutes(p.id, minute, minute).await.unwrap(),
        [(minute, errors)]
    );
}

fn business(project_id: i64, at: i64, kind: &str, restaurant: Option<&str>) -> BusinessEvent {
    BusinessEvent {
        project_id,
        at_ms: at,
        kind: kind.into(),
        restaurant_id: restaurant.map(Into::into),
        order_id: None,
        payment_id: None,
        session_id: None,
        amount_minor: None,
        currency: None,
        status: None,
        method: None,
        order_type: None,
        item_count: None,
        duration_ms: None,
        item: None,
        quantity: None,
        source: None,
        body: "{}".into(),
    }
}

fn order(project_id: i64, at: i64, restaurant: Option<&str>, cents: i64) -> BusinessEvent {
    BusinessEvent {
        amount_minor: Some(cents),
        currency: Some("EUR".into()),
        order_type: restaurant.map(|_| "dine_in".into()),
        order_id: restaurant.map(|r| format!("{r}-{at}")),
        ..business(project_id, at, "order.created", restaurant)
    }
}

fn payment(project_id: i64, at: i64, status: &str, cents: i64) -> BusinessEvent {
    BusinessEvent {
        amount_minor: Some(cents),
        status: Some(status.into()),
        method: Some("card".into()),
        order_id: Some(format!("o-{at}")),
        ..business(project_id, at, "payment.processed", Some("r-1"))
    }
}

fn counted(
    restaurant: Option<&str>,
    kind: &str,
    status: &str,
    order_type: &str,
    (count, amount_minor, duration_ms): (u64, i64, i64),
    (with_duration, with_order): (u64, u64),
) -> BusinessCount {
    BusinessCount {
        restaurant_id: restaurant.map(Into::into),
        kind: kind.into(),
        status: status.into(),
        order_type: order_type.into(),
        count,
        amount_minor,
        duration_ms,
        with_duration,
        with_order,
    }
}

async fn business_events_count_in_exact_cents(s: &dyn Storage) {
    let p = s
        .ensure_project("business", "B", "key-business")
        .await
        .unwrap();
    let t = 1_000 * HOUR;
    let voice = |at, duration| BusinessEvent {
        status: Some("success".into()),
        duration_ms: duration,
        ..business(p.id, at, "voice.session", Some("r-2"))
    };
    // Past 2^53: a sum that went through a float would be off.
    let big = 9_007_199_254_740_993;
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
        order(p.id, t + HOUR + 2, None, big),
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

    let counts = |restaurant: Option<&'static str>| async move {
        let mut c = s
            .business_counts(p.id, t, t + 2 * HOUR, restaurant)
            .await
            .unwrap();
        c.sort_by_key(|x| {
            let text = [&x.kind, &x.status, &x.order_type].map(String::clone);
            (x.restaurant_id.clone(), text)
        });
        c
    };
    let r2 = [
        counted(
            Some("r-2"),
            "order.created",
            "",
            "takeaway",
            (1, 1_000, 0),
            (0, 1),
        ),
        counted(
            Some("r-2"),
            "voice.session",
            "success",
            "",
            (2, 0, 30_000),
            (1, 0),
        ),
    ];
    let mut all = vec![
        counted(None, "order.created", "", "", (2, big + 1, 0), (0, 0)),
        counted(
            Some("r-1"),
            "order.created",
            "",
            "dine_in",
            (2, 4_500, 0),
            (0, 2),
        ),
        counted(
            Some("r-1"),
            "payment.processed",
            "failed",
            "",
            (1, 1_000, 0),
            (0, 1),
        ),
        counted(
            Some("r-1"),
            "payment.processed",
            "success",
            "",
            (1, 4_500, 0),
            (0, 1),
        ),
    ];
    all.extend(r2.clone());
    assert_eq!(counts(None).await, all);
    assert_eq!(counts(Some("r-2")).await, r2);

    let series = |restaurant: Option<&'static str>| async move {
        let mut rows = s
            .business_series(p.id, t, t + 2 * HOUR, HOUR, restaurant)
            .await
            .unwrap();
        rows.sort();
        rows
    };
    let row =
        |bucket, kind: &str, status: &str, n| (bucket, kind.to_string(), status.to_string(), n);
    assert_eq!(
        series(None).await,
        [
            row(t, "order.created", "", 2),
            row(t, "payment.processed", "success", 1),
            row(t + HOUR, "order.created", "", 3),
            row(t + HOUR, "payment.processed", "failed", 1),
        ],
        "orders and payments only, per hour"
    );
    assert_eq!(
        series(Some("r-1")).await,
        [
            row(t, "order.created", "", 2),
            row(t, "payment.processed", "success", 1),
            row(t + HOUR, "payment.processed", "failed", 1),
        ]
    );
}

async fn inventory_keeps_the_newest_report(s: &dyn Storage) {
    let p = s
        .ensure_project("inventory", "I", "key-inventory")
        .await
        .unwrap();
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
    write(
        s,
        IngestBatch {
            business: events,
            ..IngestBatch::default()
        },
    )
    .await;
    let want = |r: Option<&str>, item: &str, q: f64, at: i64| {
        (r.map(String::from), item.to_string(), q, at)
    };
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

/// A winston line: `fields` plus level and message; service and restaurant read from it
/// as ingest does.
fn log_line(
    project_id: i64,
    at: i64,
    level: &str,
    message: &str,
    fields: serde_json::Value,
) -> LogLine {
    let mut body = fields;
    body["level"] = json!(level);
    body["message"] = json!(message);
    let text = |k: &str| body.get(k).and_then(|v| v.as_str()).map(String::from);
    LogLine {
        id: 0,
        project_id,
        at_ms: at,
        level: level.into(),
        service: text("service"),
        environment: text("environment"),
        restaurant_id: text("restaurant_id"),
        message: message.into(),
        body: body.to_string(),
    }
}

fn logs(logs: Vec<LogLine>) -> IngestBatch {
    IngestBatch {
        logs,
        ..IngestBatch::default()
    }
}

async fn logs_search_by_column_field_text_and_page(s: &dyn Storage) {
    let p = s.ensure_project("logs", "L", "key-logs").await.unwrap();
    let other = s
        .ensure_project("logs-other", "L", "key-logs-other")
        .await
        .unwrap();
    let t = 2_000 * HOUR;
    let order_42 = log_line(
        p.id,
        t + 1,
        "info",
        "Order 42 created",
        json!({"service": "pos", "restaurant_id": "r-1", "order_id": "o-42", "table": 7}),
    );
    write(
        s,
        logs(vec![
            order_42.clone(),
            log_line(
                p.id,
                t + 2,
                "error",
                "Printer jam at 100%",
                json!({"service": "kitchen", "restaurant_id": "r-2", "printer": "p-1"}),
            ),
            log_line(
                p.id,
                t + 3,
                "warn",
                "Slow query",
                json!({"service": "pos", "restaurant_id": "r-1", "order_id": "o-43"}),
            ),
            // Same time as the line before: the id orders them.
            log_line(
                p.id,
                t + 3,
                "info",
                "PRINTER online",
                json!({"service": "pos", "restaurant_id": "r-2"}),
            ),
            log_line(p.id, t + 4, "debug", "heartbeat 1000", json!({})),
            log_line(
                other.id,
                t + 2,
                "info",
                "printer elsewhere",
                json!({"service": "pos"}),
            ),
        ]),
    )
    .await;
    let messages = |lines: Vec<LogLine>| lines.into_iter().map(|l| l.message).collect::<Vec<_>>();
    let search = |q: LogQuery| async move { messages(s.search_logs(p.id, &q).await.unwrap()) };
    let q = |f: fn(&mut LogQuery)| {
        let mut q = LogQuery::default();
        f(&mut q);
        q
    };
    let all = s.search_logs(p.id, &LogQuery::default()).await.unwrap();
    assert_eq!(
        messages(all.clone()),
        [
            "heartbeat 1000",
            "PRINTER online",
            "Slow query",
            "Printer jam at 100%",
            "Order 42 created"
        ],
        "newest first, this project only"
    );
    assert_eq!(
        all[4],
        LogLine {
            id: all[4].id,
            ..order_42
        },
        "stored as sent"
    );
    assert_eq!(
        search(q(|q| q.level = Some("info".into()))).await,
        ["PRINTER online", "Order 42 created"]
    );
    assert_eq!(
        search(q(|q| q.service = Some("pos".into()))).await,
        ["PRINTER online", "Slow query", "Order 42 created"]
    );
    assert_eq!(
        search(q(|q| q.restaurant = Some("r-2".into()))).await,
        ["PRINTER online", "Printer jam at 100%"]
    );
    assert_eq!(
        search(q(|q| q.fields = vec![("order_id".into(), "o-42".into())])).await,
        ["Order 42 created"]
    );
    assert_eq!(
        search(q(|q| q.fields = vec![("table".into(), "7".into())])).await,
        ["Order 42 created"],
        "a number matches its text"
    );
    assert_eq!(
        search(q(|q| q.fields = vec![
            ("service".into(), "pos".into()),
            ("order_id".into(), "o-43".into())
        ]))
        .await,
        ["Slow query"],
        "every field must match"
    );
    assert_eq!(
        search(q(|q| q.text = Some("printer".into()))).await,
        ["PRINTER online", "Printer jam at 100%"],
        "case-insensitive"
    );
    assert_eq!(
        search(q(|q| q.text = Some("o-43".into()))).await,
        ["Slow query"],
        "anywhere in the line"
    );
    assert_eq!(
        search(q(|q| q.text = Some("100%".into()))).await,
        ["Printer jam at 100%"],
        "% is literal"
    );
    assert!(
        search(q(|q| q.text = Some("t_1".into()))).await.is_empty(),
        "_ is literal"
    );
    let range = LogQuery {
        from_ms: Some(t + 2),
        to_ms: Some(t + 4),
        ..LogQuery::default()
    };
    assert_eq!(
        search(range).await,
        ["PRINTER online", "Slow query", "Printer jam at 100%"],
        "from inclusive, to exclusive"
    );

    // Paging: each page goes on before the (at, id) of the last line of the one before.
    let mut pages = vec![];
    let mut before = None;
    loop {
        let q = LogQuery {
            limit: Some(2),
            before,
            ..LogQuery::default()
        };
        let page = s.search_logs(p.id, &q).await.unwrap();
        let Some(last) = page.last() else { break };
        before = Some((last.at_ms, last.id));
        pages.push(messages(page));
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

async fn log_retention_goes_by_age_then_by_rows(s: &dyn Storage) {
    let p = s
        .ensure_project("log-retention", "L", "key-log-retention")
        .await
        .unwrap();
    // Retention counts every project's lines: start from none.
    s.enforce_log_retention(i64::MAX, 0).await.unwrap();
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
    let left = || async {
        let lines = s.search_logs(p.id, &LogQuery::default()).await.unwrap();
        lines.into_iter().map(|l| l.message).collect::<Vec<_>>()
    };
    assert_eq!(
        s.enforce_log_retention(now - 2 * DAY, 3).await.unwrap(),
        2 + 2,
        "a and b by age, then c and d beyond 3 rows"
    );
    assert_eq!(left().await, ["g", "f", "e"]);
    assert_eq!(s.enforce_log_retention(now - 2 * DAY, 3).await.unwrap(), 0);
    assert_eq!(s.enforce_log_retention(now - 2 * DAY, 2).await.unwrap(), 1);
    assert_eq!(
        left().await,
        ["g", "f"],
        "the oldest goes first, by id on a tie"
    );
}

fn audit(at: i64, actor: &str, action: &str) -> AuditEntry {
    AuditEntry {
        id: 0,
        at_ms: at,
        actor: actor.into(),
        action: action.into(),
        target: None,
        source: Some("10.0.0.1".into()),
        before: None,
        after: None,
    }
}

async fn audit_log_and_login_failures(s: &dyn Storage) {
    let save = AuditEntry {
        target: Some("kds_lag".into()),
        before: Some("{\"threshold\":1}".into()),
        after: Some("{\"threshold\":2}".into()),
        ..audit(3_000, "audit-bo", "alert.rule.save")
    };
    for e in [
        audit(1_000, "audit-ana", "login"),
        audit(2_000, "audit-ana", "alert.ack"),
        save.clone(),
        audit(4_000, "audit-bo", "alertness"),
        audit(5_000, "audit-bo", "silence.create"),
    ] {
        s.append_audit(&e).await.unwrap();
    }
    let actions = |q: AuditQuery| async move {
        let entries = s.audit_log(&q).await.unwrap();
        entries.into_iter().map(|e| e.action).collect::<Vec<_>>()
    };
    assert_eq!(
        actions(AuditQuery::default()).await,
        [
            "silence.create",
            "alertness",
            "alert.rule.save",
            "alert.ack",
            "login"
        ],
        "newest first"
    );
    let by_actor = AuditQuery {
        actor: Some("audit-ana".into()),
        ..AuditQuery::default()
    };
    assert_eq!(actions(by_actor).await, ["alert.ack", "login"]);
    let action = |a: &str| AuditQuery {
        action: Some(a.into()),
        ..AuditQuery::default()
    };
    assert_eq!(actions(action("alert.ack")).await, ["alert.ack"], "exact");
    assert!(
        actions(action("alert")).await.is_empty(),
        "exact without the dot"
    );
    assert_eq!(
        actions(action("alert.")).await,
        ["alert.rule.save", "alert.ack"],
        "a prefix"
    );
    assert!(
        actions(action("sil%.")).await.is_empty(),
        "% is literal in a prefix"
    );
    assert!(
        actions(action("alert_rule.")).await.is_empty(),
        "_ is literal in a prefix"
    );
    let recent = AuditQuery {
        from_ms: Some(3_000),
        limit: Some(2),
        ..AuditQuery::default()
    };
    assert_eq!(actions(recent).await, ["silence.create", "alertness"]);
    let saved = s
        .audit_log(&action("alert.rule.save"))
        .await
        .unwrap()
        .remove(0);
    assert_eq!(
        saved,
        AuditEntry {
            id: saved.id,
            ..save
        },
        "stored as given"
    );

    // Failed sign-ins: per user and per source, since a time.
    for (user, source, at) in [
        ("mallory", "10.0.0.9", 1_000),
        ("mallory", "10.0.0.9", 2_000),
        ("root", "10.0.0.9", 3_000),
        ("mallory", "10.0.0.7", 4_000),
    ] {
        s.record_login_failure(user, source, at).await.unwrap();
    }
    let failures = |user: &'static str, since| async move {
        s.login_failures(user, "10.0.0.9", since).await.unwrap()
    };
    assert_eq!(failures("mallory", 0).await, (3, 3));
    assert_eq!(failures("mallory", 2_000).await, (2, 2));
    assert_eq!(failures("mallory", 5_000).await, (0, 0));

    let p = s
        .ensure_project("security", "S", "key-security")
        .await
        .unwrap();
    let platform = |kind, source: Option<&str>, at| BusinessEvent {
        source: source.map(Into::into),
        ..business(p.id, at, kind, None)
    };
    let events = vec![
        platform("auth.failed", Some("203.0.113.5"), 1_500),
        platform("auth.failed", Some("203.0.113.5"), 2_500),
        platform("permission.denied", None, 1_500),
        platform("auth.failed", Some("203.0.113.5"), 9_000),
        platform("order.created", Some("203.0.113.5"), 1_500),
    ];
    write(
        s,
        IngestBatch {
            business: events,
            ..IngestBatch::default()
        },
    )
    .await;
    let counts = || async move {
        let mut c = s.security_counts(p.id, 0, 5_000).await.unwrap();
        c.sort();
        c
    };
    let row = |kind: &str, source: &str, n| (kind.to_string(), source.to_string(), n);
    assert_eq!(
        counts().await,
        [
            row("auth.failed", "10.0.0.7", 1),
            row("auth.failed", "10.0.0.9", 3),
            row("auth.failed", "203.0.113.5", 2),
            row("permission.denied", "", 1),
        ]
    );
    s.clear_login_failures("mallory").await.unwrap();
    assert_eq!(failures("mallory", 0).await, (0, 1), "root's failure stays");
    assert_eq!(
        counts().await,
        [
            row("auth.failed", "10.0.0.9", 1),
            row("auth.failed", "203.0.113.5", 2),
            row("permission.denied", "", 1),
        ]
    );
}

fn probe(name: &str, at: i64, ok: bool, up: bool) -> ProbeResult {
    ProbeResult {
        probe: name.into(),
        at_ms: at,
        ok,
        up,
        latency_ms: 12.5,
        error: (!ok).then(|| "timeout".into()),
    }
}

async fn probes_record_attempts_and_definitions(s: &dyn Storage) {
    let menu = [
        probe("probe-menu", 1_000, true, true),
        probe("probe-menu", 2_000, false, true),
        probe("probe-menu", 3_000, false, false),
        probe("probe-menu", 4_000, true, true),
    ];
    let kds = [
        probe("probe-kds", 1_500, true, true),
        probe("probe-kds", 2_500, false, true),
    ];
    for r in menu.iter().chain(&kds) {
        s.record_probe(r).await.unwrap();
    }
    assert_eq!(
        s.probe_results("probe-menu", 2_000, 4_000).await.unwrap(),
        menu[1..3],
        "oldest first, to exclusive"
    );
    let latest: Vec<ProbeResult> = s
        .latest_probe_results()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.probe.starts_with("probe-"))
        .collect();
    assert_eq!(latest, [kds[1].clone(), menu[3].clone()], "by probe name");
    assert_eq!(s.probe_uptime("probe-menu", 0).await.unwrap(), (4, 3));
    assert_eq!(s.probe_uptime("probe-menu", 2_500).await.unwrap(), (2, 1));
    assert_eq!(s.probe_uptime("probe-none", 0).await.unwrap(), (0, 0));

    s.save_probe("probe-menu", "{\"v\":1}", "ana", 1)
        .await
        .unwrap();
    s.save_probe("probe-kds", "{\"v\":1}", "ana", 2)
        .await
        .unwrap();
    s.save_probe("probe-menu", "{\"v\":2}", "bo", 3)
        .await
        .unwrap();
    let def =
        |name: &str, json: &str, by: &str| (name.to_string(), json.to_string(), by.to_string());
    assert_eq!(
        s.probe_definitions().await.unwrap(),
        [
            def("probe-kds", "{\"v\":1}", "ana"),
            def("probe-menu", "{\"v\":2}", "bo")
        ],
        "saving again replaces; by name"
    );
    assert!(s.delete_probe("probe-menu").await.unwrap());
    assert!(!s.delete_probe("probe-menu").await.unwrap());
    assert_eq!(
        s.probe_definitions().await.unwrap(),
        [def("probe-kds", "{\"v\":1}", "ana")]
    );
}

/// One row for every raw-data table, at `at`, of restaurant `r-raw`.
fn raw_rows(project_id: i64, at: i64) -> IngestBatch {
    let restaurant = Some("r-raw".to_string());
    let mut err = error(project_id, "raw", at, &[]);
    err.restaurant_id = restaurant.clone();
    IngestBatch {
        page_loads: vec![RumEventRow {
            restaurant_id: restaurant.clone(),
            ..page_load(project_id, at)
        }],
        api_calls: vec![ApiCallRow {
            project_id,
            received_at_ms: at,
            page: None,
            method: "GET".into(),
            route: "/menu".into(),
            status: Some(200),
            duration_ms: 80.0,
            session_id: None,
            restaurant_id: restaurant.clone(),
            source: "rum",
        }],
        errors: vec![err],
        memory: vec![MemorySample {
            project_id,
            received_at_ms: at,
            page: "/".into(),
            used_mb: 64.0,
            restaurant_id: restaurant.clone(),
        }],
        custom: vec![CustomPoint {
            project_id,
            name: "raw.metric".into(),
            at_ms: at,
            value: 1.0,
        }],
        business: vec![order(project_id, at, Some("r-raw"), 100)],
        logs: vec![log_line(project_id, at, "info", "raw", json!({}))],
        ..IngestBatch::default()
    }
}

const CAPACITY_TABLES: [&str; 7] = [
    "rum_events",
    "error_events",
    "api_calls",
    "business_events",
    "log_lines",
    "custom_points",
    "probe_results",
];

async fn capacity_counts_rows_per_table(s: &dyn Storage) {
    let p = s
        .ensure_project("capacity", "C", "key-capacity")
        .await
        .unwrap();
    let now = now_ms();
    let (recent, old) = (now - 5 * MINUTE, 1_000);
    let (_, before) = s.capacity(now - HOUR).await.unwrap();
    for at in [recent, old] {
        write(s, raw_rows(p.id, at)).await;
        s.record_probe(&probe("capacity-probe", at, true, true))
            .await
            .unwrap();
    }
    let (bytes, after) = s.capacity(now - HOUR).await.unwrap();
    assert!(bytes > 0);
    let tables: Vec<&str> = after.iter().map(|t| t.table.as_str()).collect();
    assert_eq!(tables, CAPACITY_TABLES);
    for (b, a) in before.iter().zip(&after) {
        assert_eq!(
            a.rows,
            b.rows + 2,
            "{}: one recent row and one old",
            a.table
        );
        assert_eq!(a.last_hour, b.last_hour + 1, "{}: the recent row", a.table);
        let oldest = b.oldest_ms.map_or(old, |o| o.min(old));
        assert_eq!(a.oldest_ms, Some(oldest), "{}", a.table);
    }
}

/// A flush can hold thousands of rows of a kind: more than one multi-row INSERT may take
/// (SQLite binds at most 32,766 values per statement).
async fn large_batches_are_stored_whole(s: &dyn Storage) {
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

/// Raw rows weeks old (in their own day partitions on PostgreSQL), months old (outside
/// any) and either side of the cut: everything before the cut goes, from every project.
async fn retention_of_rows_days_old(s: &dyn Storage) {
    let p = s
        .ensure_project("retention-days", "R", "key-retention-days")
        .await
        .unwrap();
    let now = now_ms();
    let cut = now - 30 * DAY;
    let probe_cut = now - 31 * DAY; // kept at least 31 days
    let gone = [now - 500 * DAY, now - 40 * DAY, cut - 1];
    let kept = [cut, now - 20 * DAY];
    for at in gone.iter().chain(&kept) {
        write(s, raw_rows(p.id, *at)).await;
    }
    let probes_gone = [now - 40 * DAY, probe_cut - 1];
    let probes_kept = [probe_cut, cut - 1, now - 20 * DAY];
    for at in probes_gone.iter().chain(&probes_kept) {
        s.record_probe(&probe("retention-probe", *at, true, true))
            .await
            .unwrap();
    }
    // Expired dashboard sessions and failed sign-ins over a day old go too.
    let user = s.create_user("retention-user", "h").await.unwrap();
    s.create_session("retention-expired", user.id, now - 1)
        .await
        .unwrap();
    s.create_session("retention-live", user.id, now + HOUR)
        .await
        .unwrap();
    s.record_login_failure("retention-user", "10.9.9.9", now - 2 * DAY)
        .await
        .unwrap();
    s.record_login_failure("retention-user", "10.9.9.9", now - HOUR)
        .await
        .unwrap();
    let session = |token: &'static str| async move {
        s.session_user(token, now - 2).await.unwrap().is_some()
    };
    assert!(session("retention-expired").await);

    let (_, before) = s.capacity(cut).await.unwrap();
    let (_, probes_before) = s.capacity(probe_cut).await.unwrap();
    let deleted = s.enforce_retention(cut, 0, now).await.unwrap();
    let (_, after) = s.capacity(cut).await.unwrap();

    let mut seen = 0;
    for ((b, pb), a) in before.iter().zip(&probes_before).zip(&after) {
        let (kept_rows, since) = match a.table.as_str() {
            "log_lines" => (b.rows, i64::MIN), // enforce_log_retention's
            "probe_results" => (pb.last_hour, probe_cut),
            _ => (b.last_hour, cut),
        };
        assert_eq!(
            a.rows, kept_rows,
            "{}: what was older than the cut went",
            a.table
        );
        assert!(a.oldest_ms.is_none_or(|o| o >= since), "{}", a.table);
        seen += b.rows - a.rows;
    }
    let memory_gone = gone.len() as u64;
    let other_gone = 2; // the session and the failed sign-in
    assert!(
        deleted >= seen + memory_gone + other_gone,
        "{deleted} returned, {seen} + {memory_gone} + {other_gone} seen gone"
    );

    // This project's rows, table by table.
    let sorted = |mut v: Vec<i64>| {
        v.sort();
        v
    };
    let rows = s.restaurant_rows(p.id, "r-raw", 0).await.unwrap();
    assert_eq!(
        sorted(rows.page_loads.iter().map(|r| r.received_at_ms).collect()),
        kept
    );
    assert_eq!(
        sorted(rows.api_calls.iter().map(|r| r.received_at_ms).collect()),
        kept
    );
    assert_eq!(
        sorted(rows.memory.iter().map(|r| r.received_at_ms).collect()),
        kept
    );
    assert_eq!(s.count_rum_events(p.id).await.unwrap(), kept.len() as u64);
    let issue = s
        .issues(p.id, &IssueQuery::default(), now)
        .await
        .unwrap()
        .remove(0);
    let events = s.issue_events(issue.id, 10).await.unwrap();
    assert_eq!(
        sorted(events.iter().filter_map(|e| e.timestamp_ms).collect()),
        kept
    );
    assert_eq!(
        issue.events,
        (gone.len() + kept.len()) as u64,
        "the issue keeps its count"
    );
    let orders = s.business_counts(p.id, 0, i64::MAX, None).await.unwrap();
    assert_eq!(
        orders.iter().map(|c| c.count).sum::<u64>(),
        kept.len() as u64
    );
    let lines = s.search_logs(p.id, &LogQuery::default()).await.unwrap();
    assert_eq!(
        lines.len(),
        gone.len() + kept.len(),
        "log lines have their own retention"
    );
    let probes = s
        .probe_results("retention-probe", 0, i64::MAX)
        .await
        .unwrap();
    assert_eq!(
        probes.iter().map(|r| r.at_ms).collect::<Vec<_>>(),
        probes_kept
    );

    assert!(
        !session("retention-expired").await,
        "expired sessions are deleted"
    );
    assert!(session("retention-live").await);
    let failures = s
        .login_failures("retention-user", "10.9.9.9", 0)
        .await
        .unwrap();
    assert_eq!(failures, (1, 1));
}
