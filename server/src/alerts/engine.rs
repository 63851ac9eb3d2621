//! The engine: every `alerts.interval_secs` it evaluates each enabled rule in its active
//! hours (per restaurant, service or issue where the rule has instances), steps each
//! instance's state machine
//! with what people said (acknowledgements, silences), escalates critical alerts nobody
//! acknowledged, groups what changed together into one message per channel, and stores
//! states, history and outbox in one transaction. States survive restarts: they are
//! loaded from the database when the engine starts.

use super::{
    catalogue::{self, Source},
    lifecycle::{self, Change, Ctx, State, Transition},
    rule::Rule,
    ruleset,
    silence::{self, Labels},
    values,
};
use crate::{
    notify::{self, outbox, Notification},
    services::Services,
};
use std::{
    collections::{HashMap, HashSet},
    time::Duration,
};
use store::{clock::now_ms, AlertRecord, Evaluation, OutboxItem, TransitionRecord};
use tokio_util::sync::CancellationToken;

pub fn change_name(c: Change) -> &'static str {
    match c {
        Change::Pending => "pending",
        Change::Fired => "fired",
        Change::Reminded => "reminded",
        Change::Cancelled => "cancelled",
        Change::Resolved => "resolved",
        Change::Escalated => "escalated",
    }
}

/// Alert instances by (rule, instance).
pub type States = HashMap<(String, String), State>;

pub async fn load_states(services: &Services) -> anyhow::Result<States> {
    let mut out = States::new();
    for row in services.storage.alert_states().await? {
        match serde_json::from_str(&row.state) {
            Ok(s) => {
                out.insert((row.rule, row.instance), s);
            }
            Err(e) => {
                tracing::warn!(rule = %row.rule, error = %e, "unreadable alert state; starting it fresh")
            }
        }
    }
    Ok(out)
}

/// The dashboard link of a rule's alerts.
pub fn link(services: &Services, rule: &str) -> String {
    let q: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("rule", rule)
        .finish();
    format!("{}/alerts?{q}", services.public_url)
}

/// What people are told about `rule`'s instance `instance`: for an issue alert, the
/// issue's title beside the rule's note and a link to the issue.
pub fn notification(
    services: &Services,
    rule: &Rule,
    instance: &values::Instance,
    change: &str,
    value: f64,
    at_ms: i64,
) -> Notification {
    let description = match (&instance.label, &rule.description) {
        (Some(l), Some(d)) => Some(format!("{l}\n{d}")),
        (Some(l), None) => Some(l.clone()),
        (None, d) => d.clone(),
    };
    Notification {
        rule: rule.name.clone(),
        instance: instance.key.clone(),
        severity: rule.severity_name().into(),
        change: change.into(),
        metric: rule.metric.clone(),
        value,
        comparison: rule.comparison.symbol().into(),
        threshold: rule.threshold,
        at_ms,
        environment: services.config.alerts.environment.clone(),
        link: instance
            .link
            .clone()
            .unwrap_or_else(|| link(services, &rule.name)),
        description,
    }
}

/// Turns notifications (each with the index of its record) into grouped outbox items,
/// one per message and channel.
pub fn outbox_items(
    notes: Vec<(Notification, usize)>,
    channels: &[&str],
) -> anyhow::Result<Vec<OutboxItem>> {
    let mut out = vec![];
    if notes.is_empty() || channels.is_empty() {
        return Ok(out);
    }
    let index: HashMap<(String, String, String), usize> = notes
        .iter()
        .map(|(n, i)| ((n.rule.clone(), n.instance.clone(), n.change.clone()), *i))
        .collect();
    for m in notify::group(notes.into_iter().map(|(n, _)| n).collect()) {
        let members: Vec<usize> = m
            .alerts
            .iter()
            .filter_map(|n| {
                index
                    .get(&(n.rule.clone(), n.instance.clone(), n.change.clone()))
                    .copied()
            })
            .collect();
        let payload = serde_json::to_string(&m)?;
        for c in channels {
            out.push(OutboxItem {
                channel: c.to_string(),
                payload: payload.clone(),
                members: members.clone(),
            });
        }
    }
    Ok(out)
}

fn record(
    rule: &Rule,
    instance: &str,
    value: Option<f64>,
    after: &State,
    t: Option<Transition>,
    now: i64,
) -> anyhow::Result<AlertRecord> {
    Ok(AlertRecord {
        rule: rule.name.clone(),
        instance: instance.to_string(),
        severity: rule.severity_name(),
        threshold: rule.threshold,
        value,
        state: Some(serde_json::to_string(after)?),
        at_ms: now,
        transition: t.map(|t| TransitionRecord {
            change: change_name(t.change),
            value: t.value,
            notify: t.notify,
            silenced: t.silenced,
            actor: None,
        }),
    })
}

/// One evaluation of `rules` at `now`: steps every instance, stores what changed and
/// queues what people must hear, all in one transaction.
pub async fn evaluate(
    services: &Services,
    rules: &[Rule],
    states: &mut States,
    now: i64,
) -> anyhow::Result<()> {
    let acked: HashSet<(String, String)> = services
        .storage
        .alert_states()
        .await?
        .into_iter()
        .filter(|r| r.acked_at_ms.is_some())
        .map(|r| (r.rule, r.instance))
        .collect();
    let silences = services.storage.silences(now).await?;
    let escalate_after = services
        .config
        .alerts
        .escalation
        .as_ref()
        .map(|e| e.after_secs as i64 * 1000);
    let mut cache = values::Cache::default();
    let mut eval = Evaluation::default();
    let (mut notes, mut escalations) = (vec![], vec![]);
    let mut next = vec![];
    for rule in rules.iter().filter(|r| r.enabled) {
        let mut instances = match values::instances(services, &mut cache, rule, now).await {
            Ok(v) => v,
            Err(e) => {
                tracing::warn!(rule = %rule.name, error = %format!("{e:#}"), "alert metric unreadable");
                continue;
            }
        };
        // An issue alert's issue that no longer matches (aged out of the window,
        // resolved, quiet) is clear, not "no data": it resolves.
        let is_issue = matches!(
            catalogue::info(&rule.metric).map(|i| i.source),
            Some(Source::Issue(_))
        );
        if is_issue && values::is_active(rule, now) {
            let seen: HashSet<String> = instances.iter().map(|i| i.key.clone()).collect();
            for ((r, key), state) in states.iter() {
                if r == &rule.name
                    && !seen.contains(key)
                    && !matches!(state, State::Inactive { .. })
                {
                    instances.push(values::Instance {
                        key: key.clone(),
                        value: Some(0.0),
                        label: None,
                        link: None,
                    });
                }
            }
        }
        for instance in instances {
            let value = instance.value;
            let key = (rule.name.clone(), instance.key.clone());
            let labels = Labels {
                rule: &rule.name,
                severity: rule.severity_name(),
                restaurant: &key.1,
                metric: &rule.metric,
            };
            let ctx = Ctx {
                muted: silence::muting(&silences, &labels, now).is_some(),
                acked: acked.contains(&key),
            };
            let before = states.get(&key).copied().unwrap_or_default();
            let (mut after, transition) = lifecycle::step(rule, before, value, now, ctx);
            let mut escalation = None;
            if let (Some(after_ms), Some(v)) = (escalate_after, value) {
                (after, escalation) = lifecycle::escalate(rule, after, v, now, after_ms, ctx);
            }
            if after == before && transition.is_none() && escalation.is_none() {
                continue;
            }
            if let Some(t) = transition {
                tracing::info!(rule = %rule.name, instance = %key.1, change = change_name(t.change),
                    value = t.value, silenced = t.silenced, "alert");
            }
            eval.records
                .push(record(rule, &key.1, value, &after, transition, now)?);
            if let Some(t) = transition.filter(|t| t.notify) {
                let n = notification(
                    services,
                    rule,
                    &instance,
                    change_name(t.change),
                    t.value,
                    now,
                );
                notes.push((n, eval.records.len() - 1));
            }
            if let Some(t) = escalation {
                tracing::warn!(rule = %rule.name, instance = %key.1, "alert escalated");
                eval.records
                    .push(record(rule, &key.1, value, &after, Some(t), now)?);
                let n = notification(services, rule, &instance, "escalated", t.value, now);
                escalations.push((n, eval.records.len() - 1));
            }
            next.push((key, after));
        }
    }
    if eval.records.is_empty() {
        return Ok(());
    }
    let a = &services.config.alerts;
    eval.outbox = outbox_items(notes, &outbox::channels(a, false))?;
    eval.outbox
        .extend(outbox_items(escalations, &outbox::channels(a, true))?);
    services.storage.record_evaluation(&eval).await?;
    // Only once stored: a failed write is retried from the same states next time.
    states.extend(next);
    for r in &eval.records {
        if let Some(t) = &r.transition {
            services.live.publish(serde_json::json!({
                "type": "alert", "rule": r.rule, "instance": r.instance,
                "severity": r.severity, "change": t.change, "value": t.value,
            }));
        }
    }
    Ok(())
}

/// Sends a test notification of `rule` through every regular channel now, with the
/// metric's current value (or the threshold when there is no data), recorded in the
/// history as `test` by `by`. The rule's alert state is left alone.
pub async fn test_fire(services: &Services, rule: &Rule, by: &str) -> anyhow::Result<usize> {
    let now = now_ms();
    let mut cache = values::Cache::default();
    let value = values::instances(services, &mut cache, rule, now)
        .await?
        .into_iter()
        .find_map(|i| i.value)
        .unwrap_or(rule.threshold);
    let record = AlertRecord {
        rule: rule.name.clone(),
        instance: String::new(),
        severity: rule.severity_name(),
        threshold: rule.threshold,
        value: Some(value),
        state: None,
        at_ms: now,
        transition: Some(TransitionRecord {
            change: "test",
            value,
            notify: true,
            silenced: false,
            actor: Some(by.to_string()),
        }),
    };
    let plain = values::Instance {
        key: String::new(),
        value: Some(value),
        label: None,
        link: None,
    };
    let n = notification(services, rule, &plain, "test", value, now);
    let channels = outbox::channels(&services.config.alerts, false);
    let outbox = outbox_items(vec![(n, 0)], &channels)?;
    services
        .storage
        .record_evaluation(&Evaluation {
            records: vec![record],
            outbox,
        })
        .await?;
    Ok(channels.len())
}

pub async fn run(services: Services, every: Duration, stop: CancellationToken) {
    let mut states = match load_states(&services).await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "alert states unreadable; starting fresh");
            States::new()
        }
    };
    // The first evaluation comes one interval after start (tokio's `interval` would fire
    // at once): ingest gets that long to take in what clients buffered while we were down.
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tick.tick() => {}
        }
        // Rules are read each time: dashboard edits apply at the next evaluation.
        let rules = match ruleset::effective(&services).await {
            Ok(r) => r.into_iter().map(|e| e.rule).collect::<Vec<_>>(),
            Err(e) => {
                tracing::error!(error = %format!("{e:#}"), "alert rules unreadable; skipping this evaluation");
                continue;
            }
        };
        let started = std::time::Instant::now();
        if let Err(e) = evaluate(&services, &rules, &mut states, now_ms()).await {
            tracing::error!(error = %format!("{e:#}"), "alert evaluation failed");
        }
        let p = &services.telemetry.prom;
        p.alert_evaluations.inc();
        p.alert_evaluation_seconds
            .observe(started.elapsed().as_secs_f64());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::tests::n;

    #[test]
    fn one_outbox_item_per_message_and_channel_naming_its_transitions() {
        let notes = vec![
            (n("a", "critical", "fired"), 0),
            (n("b", "critical", "fired"), 2),
            (n("c", "warning", "fired"), 3),
        ];
        let items = outbox_items(notes, &["slack", "email"]).unwrap();
        assert_eq!(items.len(), 4, "two messages × two channels");
        assert_eq!(items[0].members, [0, 2]);
        assert_eq!(items[2].members, [3]);
        assert_eq!(items[1].channel, "email");
        assert!(outbox_items(vec![(n("a", "critical", "fired"), 0)], &[])
            .unwrap()
            .is_empty());
    }
}
