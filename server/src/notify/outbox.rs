//! The outbox worker: delivers due notifications, each with a timeout; a failure is
//! retried with exponential backoff (5 s, 10 s, 20 s, ... capped at 10 min) and given up
//! after [`MAX_ATTEMPTS`], its last error kept for the dashboard. Rows live in the
//! database, so a restart between a failure and the receiver's recovery loses nothing.

use super::{slack, webhook, Message};
use crate::{
    config::{AlertsConfig, EmailConfig, SlackConfig, WebhookConfig},
    services::Services,
};
use std::time::Duration;
use store::{clock::now_ms, OutboxRow};
use tokio_util::sync::CancellationToken;

pub const MAX_ATTEMPTS: u32 = 12;
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_secs(1);

/// When attempt `attempts + 1` goes, after `attempts` failures.
pub fn backoff_ms(attempts: u32) -> i64 {
    (5_000_i64 << attempts.min(7)).min(600_000)
}

/// Where one outbox channel sends.
enum Target<'a> {
    Slack(&'a SlackConfig),
    Webhook(&'a WebhookConfig),
    Email(&'a EmailConfig, &'a [String]),
}

/// The configured target of `channel` for message `m` (email recipients depend on its
/// severity, or are the escalation list).
fn target<'a>(a: &'a AlertsConfig, channel: &str, m: &Message) -> Result<Target<'a>, String> {
    let gone = |what: &str| format!("{what} is no longer configured");
    let esc = a.escalation.as_ref();
    Ok(match channel {
        "slack" => Target::Slack(a.slack.as_ref().ok_or_else(|| gone("slack"))?),
        "webhook" => Target::Webhook(a.webhook.as_ref().ok_or_else(|| gone("the webhook"))?),
        "email" => {
            let e = a.email.as_ref().ok_or_else(|| gone("email"))?;
            let to = if m.is_critical() {
                &e.critical_to
            } else {
                &e.warning_to
            };
            Target::Email(e, to)
        }
        "escalation.slack" => Target::Slack(
            esc.and_then(|e| e.slack.as_ref())
                .ok_or_else(|| gone("escalation slack"))?,
        ),
        "escalation.webhook" => Target::Webhook(
            esc.and_then(|e| e.webhook.as_ref())
                .ok_or_else(|| gone("the escalation webhook"))?,
        ),
        "escalation.email" => {
            let e = a.email.as_ref().ok_or_else(|| gone("email"))?;
            let to = esc
                .map(|x| &x.email_to[..])
                .filter(|t| !t.is_empty())
                .ok_or_else(|| gone("escalation email"))?;
            Target::Email(e, to)
        }
        other => return Err(format!("unknown channel {other:?}")),
    })
}

/// The channels configured, as outbox channel names: the regular ones, or the
/// escalation ones.
pub fn channels(a: &AlertsConfig, escalation: bool) -> Vec<&'static str> {
    let mut out = vec![];
    if escalation {
        let Some(e) = &a.escalation else { return out };
        if e.slack.is_some() {
            out.push("escalation.slack");
        }
        if e.webhook.is_some() {
            out.push("escalation.webhook");
        }
        if a.email.is_some() && !e.email_to.is_empty() {
            out.push("escalation.email");
        }
        return out;
    }
    if a.slack.is_some() {
        out.push("slack");
    }
    if a.webhook.is_some() {
        out.push("webhook");
    }
    if a.email.is_some() {
        out.push("email");
    }
    out
}

/// Where a channel goes, for the dashboard: no secrets, no webhook paths (they are
/// credentials for Slack).
pub fn describe(a: &AlertsConfig, channel: &str) -> String {
    let host = |url: &str| {
        url.split("://")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .unwrap_or("?")
            .to_string()
    };
    match channel {
        "slack" | "escalation.slack" => {
            let s = if channel == "slack" {
                a.slack.as_ref()
            } else {
                a.escalation.as_ref().and_then(|e| e.slack.as_ref())
            };
            s.map(|s| match &s.channel {
                Some(c) => format!("{} via {}", c, host(&s.webhook_url)),
                None => host(&s.webhook_url),
            })
            .unwrap_or_default()
        }
        "webhook" | "escalation.webhook" => {
            let w = if channel == "webhook" {
                a.webhook.as_ref()
            } else {
                a.escalation.as_ref().and_then(|e| e.webhook.as_ref())
            };
            w.map(|w| host(&w.url)).unwrap_or_default()
        }
        "email" => a
            .email
            .as_ref()
            .map(|e| {
                format!(
                    "critical: {}; warning: {}",
                    e.critical_to.join(", "),
                    e.warning_to.join(", ")
                )
            })
            .unwrap_or_default(),
        "escalation.email" => a
            .escalation
            .as_ref()
            .map(|e| e.email_to.join(", "))
            .unwrap_or_default(),
        _ => String::new(),
    }
}

async fn send(
    services: &Services,
    client: &notify_http::Client,
    row: &OutboxRow,
) -> Result<(), String> {
    let m: Message = serde_json::from_str(&row.payload).map_err(|e| format!("payload: {e}"))?;
    if m.alerts.is_empty() {
        return Err("payload: no alerts".into());
    }
    let request = match target(&services.config.alerts, &row.channel, &m)? {
        Target::Slack(s) => client
            .post(&s.webhook_url)
            .json(&slack::message(&m, s.channel.as_deref())),
        Target::Webhook(w) => {
            let body = webhook::body(&m);
            client
                .post(&w.url)
                .header("content-type", "application/json")
                .header(
                    webhook::SIGNATURE_HEADER,
                    webhook::signature(&w.secret, &body),
                )
                .body(body)
        }
        Target::Email(e, to) => {
            let allow = services.config.security.allow_private_targets;
            crate::outbound::check(&format!("{}:{}", e.host, e.port), allow).await?;
            return tokio::time::timeout(SEND_TIMEOUT, super::email::send(e, &m, to))
                .await
                .map_err(|_| "timed out".to_string())?;
        }
    };
    let url = match target(&services.config.alerts, &row.channel, &m)? {
        Target::Slack(s) => s.webhook_url.clone(),
        Target::Webhook(w) => w.url.clone(),
        Target::Email(..) => unreachable!("sent above"),
    };
    crate::outbound::check(&url, services.config.security.allow_private_targets).await?;
    // A Slack webhook's secret is its path: errors keep only the host.
    let resp = request
        .timeout(SEND_TIMEOUT)
        .send()
        .await
        .map_err(|e| crate::outbound::redact(&crate::outbound::describe(&e)))?;
    if resp.status().is_success() {
        Ok(())
    } else {
        Err(format!("answered {}", resp.status()))
    }
}

/// Delivers what is due at `now`; returns how many were delivered.
pub async fn deliver_due(
    services: &Services,
    client: &notify_http::Client,
    now: i64,
) -> anyhow::Result<usize> {
    let mut delivered = 0;
    for row in services.storage.due_notifications(now, 50).await? {
        let result = send(services, client, &row).await;
        services
            .telemetry
            .prom
            .notifications
            .with_label_values(&[
                row.channel.as_str(),
                if result.is_ok() {
                    "delivered"
                } else {
                    "failed"
                },
            ])
            .inc();
        match result {
            Ok(()) => {
                services
                    .storage
                    .notification_delivered(row.id, now_ms())
                    .await?;
                delivered += 1;
            }
            Err(e) => {
                let retry =
                    (row.attempts + 1 < MAX_ATTEMPTS).then(|| now + backoff_ms(row.attempts));
                tracing::warn!(channel = %row.channel, attempts = row.attempts + 1, error = %e,
                    retry = retry.is_some(), "notification not delivered");
                services
                    .storage
                    .notification_failed(row.id, &e, retry)
                    .await?;
            }
        }
    }
    Ok(delivered)
}

/// A client that refuses link-local and metadata addresses (see [`crate::outbound`]).
pub fn client() -> notify_http::Client {
    crate::outbound::client(false)
}

pub async fn run(services: Services, stop: CancellationToken) {
    let client = crate::outbound::client(services.config.security.allow_private_targets);
    let mut tick = tokio::time::interval(POLL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tick.tick() => {}
        }
        if let Err(e) = deliver_due(&services, &client, now_ms()).await {
            tracing::error!(error = %format!("{e:#}"), "outbox delivery failed");
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_doubles_and_is_capped() {
        let b: Vec<i64> = (0..10).map(super::backoff_ms).collect();
        assert_eq!(&b[..4], &[5_000, 10_000, 20_000, 40_000]);
        assert_eq!(b[9], 600_000);
    }
}
