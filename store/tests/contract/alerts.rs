//! Alert states, history, the outbox, acknowledgements, silences and dashboard rules.

use crate::support::*;
use store::{
    AlertHistoryQuery, AlertStateRow, Evaluation, Matcher, OutboxItem, Silence, Storage, StoredRule,
};

/// Two alerts firing together (and one pending), told in one message on two channels.
async fn two_fired(s: &dyn Storage) {
    let eval = Evaluation {
        records: vec![
            alert_record("a", "firing", Some("fired"), 1_000),
            alert_record("quiet", "pending", None, 1_000),
            alert_record("b", "firing", Some("fired"), 1_000),
        ],
        outbox: ["slack", "email"]
            .map(|channel| OutboxItem {
                channel: channel.into(),
                payload: "{}".into(),
                members: vec![0, 2],
            })
            .into(),
    };
    s.record_evaluation(&eval).await.unwrap();
}

fn state_of(rows: Vec<AlertStateRow>, rule: &str) -> AlertStateRow {
    rows.into_iter().find(|r| r.rule == rule).unwrap()
}

fn silence(starts_ms: i64, ends_ms: i64) -> Silence {
    Silence {
        id: 0,
        matchers: vec![Matcher {
            field: "rule".into(),
            value: "low_*".into(),
        }],
        starts_ms,
        ends_ms,
        comment: "stock count".into(),
        created_by: "ana".into(),
        created_at_ms: 900,
    }
}

contract! {
    async fn an_evaluation_keeps_every_state_and_only_transitions_as_history(s) {
        two_fired(s).await;
        let history = s.alert_history(&AlertHistoryQuery::default()).await.unwrap();
        assert_eq!(history.len(), 2, "only transitions are history");
        assert_eq!(history[0].rule, "b", "newest first");
        assert_eq!(s.alert_states().await.unwrap().len(), 3, "every state is kept");
    }

    async fn a_grouped_message_is_one_outbox_row_per_channel_listing_every_alert(s) {
        two_fired(s).await;
        let history = s.alert_history(&AlertHistoryQuery::default()).await.unwrap();
        let d = s.deliveries(Some(history[0].id), 10).await.unwrap();
        assert_eq!(d.len(), 2);
        assert!(d.iter().all(|x| x.alerts == 2 && x.status == "pending"));
        assert_eq!(d[0].rule, "a", "a message is listed under its first alert");
        let for_a = s.deliveries(Some(history[1].id), 10).await.unwrap();
        assert_eq!(for_a.len(), 2, "and under every other alert it carries");
    }

    async fn failed_notifications_retry_at_their_time_until_given_up(s) {
        two_fired(s).await;
        let due = s.due_notifications(1_000, 10).await.unwrap();
        assert_eq!(due.len(), 2);
        assert!(s.due_notifications(999, 10).await.unwrap().is_empty());
        s.notification_failed(due[0].id, "answered 500", Some(6_000)).await.unwrap();
        s.notification_delivered(due[1].id, 1_500).await.unwrap();
        assert!(s.due_notifications(5_999, 10).await.unwrap().is_empty());
        let retry = s.due_notifications(6_000, 10).await.unwrap();
        assert_eq!((retry.len(), retry[0].attempts), (1, 1));
        s.notification_failed(retry[0].id, "gave up", None).await.unwrap();
        assert!(s.due_notifications(i64::MAX, 10).await.unwrap().is_empty());
        let all = s.deliveries(None, 10).await.unwrap();
        let statuses: Vec<&str> = all.iter().map(|d| d.status.as_str()).collect();
        assert_eq!(statuses, ["delivered", "failed"]);
        assert_eq!(all[1].last_error.as_deref(), Some("gave up"));
    }

    async fn alert_history_filters_by_rule_severity_change_and_range(s) {
        two_fired(s).await;
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
        let warnings = AlertHistoryQuery {
            severity: Some("warning".into()),
            ..AlertHistoryQuery::default()
        };
        assert!(s.alert_history(&warnings).await.unwrap().is_empty());
    }

    async fn only_a_firing_unacknowledged_alert_can_be_acknowledged(s) {
        let fire = Evaluation {
            records: vec![
                alert_record("ack-me", "firing", Some("fired"), 2_000),
                alert_record("ack-pending", "pending", Some("pending"), 2_000),
            ],
            outbox: vec![],
        };
        s.record_evaluation(&fire).await.unwrap();
        assert!(!s.acknowledge_alert("ack-pending", "", "ana", 2_100).await.unwrap());
        assert!(s.acknowledge_alert("ack-me", "", "ana", 2_100).await.unwrap());
        assert!(!s.acknowledge_alert("ack-me", "", "bo", 2_200).await.unwrap(), "already acknowledged");
        let r = state_of(s.alert_states().await.unwrap(), "ack-me");
        assert_eq!((r.acked_by.as_deref(), r.acked_at_ms), (Some("ana"), Some(2_100)));
        let acked = AlertHistoryQuery {
            rule: Some("ack-me".into()),
            change: Some("acknowledged".into()),
            ..AlertHistoryQuery::default()
        };
        let h = s.alert_history(&acked).await.unwrap();
        assert_eq!(h[0].actor.as_deref(), Some("ana"));
        assert_eq!((h[0].severity.as_str(), h[0].value), ("critical", 5.0));
    }

    async fn an_acknowledgement_holds_while_firing_and_clears_on_resolve(s) {
        let fire = Evaluation {
            records: vec![alert_record("ack-me", "firing", Some("fired"), 2_000)],
            outbox: vec![],
        };
        s.record_evaluation(&fire).await.unwrap();
        assert!(s.acknowledge_alert("ack-me", "", "ana", 2_100).await.unwrap());
        // Still firing (a state update without a transition) keeps it.
        let still = Evaluation {
            records: vec![alert_record("ack-me", "firing", None, 2_500)],
            outbox: vec![],
        };
        s.record_evaluation(&still).await.unwrap();
        assert!(state_of(s.alert_states().await.unwrap(), "ack-me").acked_by.is_some());
        let resolve = Evaluation {
            records: vec![alert_record("ack-me", "inactive", Some("resolved"), 3_000)],
            outbox: vec![],
        };
        s.record_evaluation(&resolve).await.unwrap();
        let r = state_of(s.alert_states().await.unwrap(), "ack-me");
        assert_eq!((r.acked_by, r.acked_at_ms), (None, None));
    }

    async fn a_test_fire_is_history_but_leaves_the_state_alone(s) {
        let resolve = Evaluation {
            records: vec![alert_record("ack-me", "inactive", Some("resolved"), 3_000)],
            outbox: vec![],
        };
        s.record_evaluation(&resolve).await.unwrap();
        let mut test = alert_record("ack-me", "firing", Some("test"), 3_100);
        test.state = None;
        s.record_evaluation(&Evaluation {
            records: vec![test],
            outbox: vec![],
        })
        .await
        .unwrap();
        assert!(state_of(s.alert_states().await.unwrap(), "ack-me").state.contains("inactive"));
        let tests = AlertHistoryQuery {
            change: Some("test".into()),
            ..AlertHistoryQuery::default()
        };
        assert_eq!(s.alert_history(&tests).await.unwrap().len(), 1);
    }

    async fn silences_are_listed_until_they_end_and_can_be_ended_early(s) {
        let id = s.create_silence(&silence(1_000, 10_000)).await.unwrap();
        let listed = s.silences(5_000).await.unwrap();
        assert_eq!(listed, [Silence { id, ..silence(1_000, 10_000) }]);
        assert!(s.silences(10_000).await.unwrap().is_empty(), "ended ones are left out");
        assert!(s.expire_silence(id, 4_000).await.unwrap());
        assert!(!s.expire_silence(id, 4_500).await.unwrap(), "already ended");
        assert_eq!(s.silences(0).await.unwrap()[0].ends_ms, 4_000);
    }

    async fn an_upcoming_silence_ended_early_never_mutes(s) {
        let upcoming = s.create_silence(&silence(20_000, 30_000)).await.unwrap();
        assert!(s.expire_silence(upcoming, 5_000).await.unwrap());
        let c = s.silences(0).await.unwrap().remove(0);
        assert!(c.starts_ms <= c.ends_ms && !c.is_active(5_000) && !c.is_active(25_000));
    }

    async fn saving_a_dashboard_rule_again_replaces_it(s) {
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
}

contract! {
    async fn transitions_and_deliveries_per_rule_feed_the_noise_report(s) {
        two_fired(s).await;
        let resolve = Evaluation {
            records: vec![alert_record("a", "inactive", Some("resolved"), 5_000)],
            outbox: vec![],
        };
        s.record_evaluation(&resolve).await.unwrap();
        let changes: Vec<(String, String)> = s
            .transitions_since(0)
            .await
            .unwrap()
            .into_iter()
            .map(|h| (h.rule, h.change))
            .collect();
        let pair = |r: &str, c: &str| (r.to_string(), c.to_string());
        assert_eq!(changes, [pair("a", "fired"), pair("b", "fired"), pair("a", "resolved")], "oldest first");
        assert_eq!(s.transitions_since(2_000).await.unwrap().len(), 1);
        let due = s.due_notifications(i64::MAX, 10).await.unwrap();
        s.notification_delivered(due[0].id, 1_500).await.unwrap();
        let per_rule = s.deliveries_per_rule(0).await.unwrap();
        assert_eq!(per_rule, [("a".to_string(), 1), ("b".to_string(), 1)], "a grouped message counts for each rule");
        assert!(s.deliveries_per_rule(2_000).await.unwrap().is_empty());
    }
}
