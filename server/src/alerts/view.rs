//! What the Alerts page, the Overview's alerts card and the read API show: the alerts
//! pending or firing now (with acknowledgement, silence and escalation), and the whole
//! page's data.

use super::{
    lifecycle::State,
    ruleset::{self, Effective},
    silence::{self, Labels},
};
use crate::{notify::outbox, services::Services};
use protocol::{
    ActiveAlert, AlertHistoryQuery, AlertsView, ChannelView, NoiseReport, OpeningHoursView,
};
use store::clock::now_ms;

/// Pending and firing alert instances at `now_ms`, critical first, then oldest first.
pub async fn active(
    services: &Services,
    rules: &[Effective],
    now_ms: i64,
) -> anyhow::Result<Vec<ActiveAlert>> {
    let silences = services.storage.silences(now_ms).await?;
    let mut out = vec![];
    for row in services.storage.alert_states().await? {
        let Some(rule) = rules.iter().find(|e| e.rule.name == row.rule) else {
            continue; // its rule was deleted
        };
        let rule = &rule.rule;
        let (label, since_ms, escalated) = match serde_json::from_str::<State>(&row.state) {
            Ok(State::Pending { since_ms, .. }) => ("pending", since_ms, false),
            Ok(State::Firing {
                since_ms,
                escalated,
                ..
            }) => ("firing", since_ms, escalated),
            _ => continue,
        };
        let labels = Labels {
            rule: &rule.name,
            severity: rule.severity_name(),
            restaurant: &row.instance,
            metric: &rule.metric,
        };
        out.push(ActiveAlert {
            silenced_by: silence::muting(&silences, &labels, now_ms),
            rule: row.rule,
            instance: row.instance,
            severity: rule.severity_name().into(),
            state: label.into(),
            since_ms,
            metric: rule.metric.clone(),
            comparison: rule.comparison.symbol().into(),
            threshold: rule.threshold,
            value: row.value,
            acked_by: row.acked_by,
            acked_at_ms: row.acked_at_ms,
            escalated,
        });
    }
    out.sort_by(|a, b| {
        (a.severity != "critical", a.state != "firing", a.since_ms).cmp(&(
            b.severity != "critical",
            b.state != "firing",
            b.since_ms,
        ))
    });
    Ok(out)
}

/// The configured channels, each with its latest delivery.
pub async fn channels(services: &Services) -> anyhow::Result<Vec<ChannelView>> {
    let a = &services.config.alerts;
    let recent = services.storage.deliveries(None, 500).await?;
    Ok(outbox::channels(a, false)
        .into_iter()
        .chain(outbox::channels(a, true))
        .map(|name| ChannelView {
            name: name.to_string(),
            target: outbox::describe(a, name),
            last: recent.iter().find(|d| d.channel == name).cloned(),
        })
        .collect())
}

/// Silences shown: active, upcoming, and those ended in the last week.
const SILENCES_SHOWN_MS: i64 = 7 * 86_400_000;

/// The noise report of every rule in force over the last 7 and 30 days.
pub async fn noise(
    services: &Services,
    rules: &[Effective],
    now: i64,
) -> anyhow::Result<Vec<NoiseReport>> {
    let names: Vec<String> = rules.iter().map(|e| e.rule.name.clone()).collect();
    let longest = super::noise::SPANS.iter().map(|s| s.1).max().unwrap_or(0);
    let transitions = services.storage.transitions_since(now - longest).await?;
    let mut out = vec![];
    for (span, ms) in super::noise::SPANS {
        let delivered = services.storage.deliveries_per_rule(now - ms).await?;
        out.extend(super::noise::report(
            &names,
            span,
            ms,
            now,
            &transitions,
            &delivered,
        ));
    }
    Ok(out)
}

/// Every restaurant's opening hours, with where they come from and whether it is open.
pub async fn opening_hours(services: &Services, now: i64) -> anyhow::Result<Vec<OpeningHoursView>> {
    let stored: std::collections::HashSet<String> = services
        .storage
        .restaurant_hours()
        .await?
        .into_iter()
        .map(|(id, _, _)| id)
        .collect();
    Ok(crate::restaurants::opening_hours(services)
        .await?
        .into_iter()
        .map(|(restaurant, h)| OpeningHoursView {
            origin: if stored.contains(&restaurant) {
                "dashboard"
            } else {
                "config"
            }
            .into(),
            open_now: h.is_open(now),
            hours: h.hours.to_string(),
            timezone: h.timezone,
            restaurant,
        })
        .collect())
}

pub async fn page(services: &Services, history: AlertHistoryQuery) -> anyhow::Result<AlertsView> {
    let now = now_ms();
    let rules = ruleset::effective(services).await?;
    let mut metrics: Vec<String> = super::catalogue::CATALOGUE
        .iter()
        .filter(|m| m.name != "custom")
        .map(|m| m.name.to_string())
        .collect();
    metrics.push("custom:<name>".into());
    Ok(AlertsView {
        generated_at_ms: now,
        active: active(services, &rules, now).await?,
        history: services.storage.alert_history(&history).await?,
        silences: services.storage.silences(now - SILENCES_SHOWN_MS).await?,
        channels: channels(services).await?,
        deliveries: services.storage.deliveries(None, 20).await?,
        rules: rules.iter().map(ruleset::view).collect(),
        metrics,
        escalate_after_secs: services
            .config
            .alerts
            .escalation
            .as_ref()
            .map(|e| e.after_secs),
        noise: noise(services, &rules, now).await?,
        opening_hours: opening_hours(services, now).await?,
    })
}
