//! The storage contract: behaviour every [`Storage`] implementation must have, written
//! once and run against each backend (SQLite here; PostgreSQL beside it).

use super::*;
use crate::rollup::{aggregate, Metric};

const HOUR: i64 = 3_600_000;

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
