//! The engine: every `alerts.interval_secs` it evaluates each enabled rule whose metric
//! has a source, steps the instance's state machine, and stores the new state with its
//! transition (the history) in one transaction. States survive restarts: they are loaded
//! from the database when the engine starts.

use super::{
    catalogue,
    rule::{Rule, Severity},
    state::{self, Change, State},
    values,
};
use crate::{clock::now_ms, state::AppState, storage::AlertRecord};
use std::{collections::HashMap, time::Duration};
use tokio_util::sync::CancellationToken;

pub fn change_name(c: Change) -> &'static str {
    match c {
        Change::Pending => "pending",
        Change::Fired => "fired",
        Change::Reminded => "reminded",
        Change::Cancelled => "cancelled",
        Change::Resolved => "resolved",
    }
}

fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "critical",
        Severity::Warning => "warning",
    }
}

/// Alert instances by (rule, instance).
pub type States = HashMap<(String, String), State>;

pub async fn load_states(state: &AppState) -> anyhow::Result<States> {
    let mut out = States::new();
    for (rule, instance, json) in state.storage.alert_states().await? {
        match serde_json::from_str(&json) {
            Ok(s) => {
                out.insert((rule, instance), s);
            }
            Err(e) => {
                tracing::warn!(%rule, error = %e, "unreadable alert state; starting it fresh")
            }
        }
    }
    Ok(out)
}

/// One evaluation of every rule at `now`.
pub async fn evaluate(
    state: &AppState,
    rules: &[Rule],
    states: &mut States,
    now: i64,
) -> anyhow::Result<()> {
    let project = crate::dashboard::default_project(state).await?;
    for rule in rules
        .iter()
        .filter(|r| r.enabled && catalogue::is_available(&r.metric))
    {
        let value = match values::value(state, &project, rule, now).await {
            Ok(v) => v,
            Err(e) => {
                tracing::warn!(rule = %rule.name, error = %format!("{e:#}"), "alert metric unreadable");
                continue;
            }
        };
        let key = (rule.name.clone(), String::new());
        let before = states.get(&key).copied().unwrap_or_default();
        let (after, transition) = state::step(rule, before, value, now);
        if after == before && transition.is_none() {
            continue;
        }
        let notifications = match transition {
            Some(t) if t.notify => {
                let n = crate::notify::Notification {
                    rule: rule.name.clone(),
                    instance: key.1.clone(),
                    severity: severity_name(rule.severity).into(),
                    change: change_name(t.change).into(),
                    metric: rule.metric.clone(),
                    value: t.value,
                    comparison: rule.comparison.symbol().into(),
                    threshold: rule.threshold,
                    at_ms: now,
                    environment: state.config.alerts.environment.clone(),
                    link: format!(
                        "{}/api/v1/alerts/history?rule={}",
                        state.public_url, rule.name
                    ),
                };
                let payload = serde_json::to_string(&n)?;
                crate::notify::outbox::channels(state)
                    .into_iter()
                    .map(|c| (c, payload.clone()))
                    .collect()
            }
            _ => vec![],
        };
        let record = AlertRecord {
            notifications,
            rule: rule.name.clone(),
            instance: key.1.clone(),
            severity: severity_name(rule.severity),
            threshold: rule.threshold,
            value,
            state: serde_json::to_string(&after)?,
            at_ms: now,
            transition: transition.map(|t| (change_name(t.change), t.value, t.notify)),
        };
        state.storage.record_alert(&record).await?;
        if let Some(t) = transition {
            tracing::info!(rule = %rule.name, change = change_name(t.change), value = t.value, "alert");
        }
        states.insert(key, after);
    }
    Ok(())
}

pub async fn run(state: AppState, every: Duration, stop: CancellationToken) {
    let rules = state.alert_rules.clone();
    let mut states = match load_states(&state).await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "alert states unreadable; starting fresh");
            States::new()
        }
    };
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tick.tick() => {}
        }
        if let Err(e) = evaluate(&state, &rules, &mut states, now_ms()).await {
            tracing::error!(error = %format!("{e:#}"), "alert evaluation failed");
        }
    }
}
