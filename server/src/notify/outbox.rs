//! The outbox worker: delivers due notifications, each with a timeout; a failure is
//! retried with exponential backoff (5 s, 10 s, 20 s, ... capped at 10 min) and given up
//! after [`MAX_ATTEMPTS`], its last error kept for the dashboard. Rows live in the
//! database, so a restart between a failure and the receiver's recovery loses nothing.

use super::{slack, webhook, Notification};
use crate::{clock::now_ms, state::AppState, storage::OutboxRow};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

pub const MAX_ATTEMPTS: u32 = 12;
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_secs(1);

/// When attempt `attempts + 1` goes, after `attempts` failures.
pub fn backoff_ms(attempts: u32) -> i64 {
    (5_000_i64 << attempts.min(7)).min(600_000)
}

/// The channels configured, as outbox channel names.
pub fn channels(state: &AppState) -> Vec<&'static str> {
    let a = &state.config.alerts;
    let mut out = vec![];
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

async fn send(
    state: &AppState,
    client: &notify_http::Client,
    row: &OutboxRow,
) -> Result<(), String> {
    let n: Notification =
        serde_json::from_str(&row.payload).map_err(|e| format!("payload: {e}"))?;
    let a = &state.config.alerts;
    let request = match row.channel.as_str() {
        "slack" => {
            let s = a.slack.as_ref().ok_or("slack is no longer configured")?;
            client
                .post(&s.webhook_url)
                .json(&slack::message(&n, s.channel.as_deref()))
        }
        "webhook" => {
            let w = a
                .webhook
                .as_ref()
                .ok_or("the webhook is no longer configured")?;
            let body = webhook::body(&n);
            client
                .post(&w.url)
                .header("content-type", "application/json")
                .header(
                    webhook::SIGNATURE_HEADER,
                    webhook::signature(&w.secret, &body),
                )
                .body(body)
        }
        "email" => {
            let e = a.email.as_ref().ok_or("email is no longer configured")?;
            return tokio::time::timeout(SEND_TIMEOUT, super::email::send(e, &n))
                .await
                .map_err(|_| "timed out".to_string())?;
        }
        other => return Err(format!("unknown channel {other:?}")),
    };
    let resp = request
        .timeout(SEND_TIMEOUT)
        .send()
        .await
        .map_err(|e| format!("{e}"))?;
    if resp.status().is_success() {
        Ok(())
    } else {
        Err(format!("answered {}", resp.status()))
    }
}

/// Delivers what is due at `now`; returns how many were delivered.
pub async fn deliver_due(
    state: &AppState,
    client: &notify_http::Client,
    now: i64,
) -> anyhow::Result<usize> {
    let mut delivered = 0;
    for row in state.storage.due_notifications(now, 50).await? {
        match send(state, client, &row).await {
            Ok(()) => {
                state
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
                state.storage.notification_failed(row.id, &e, retry).await?;
            }
        }
    }
    Ok(delivered)
}

pub fn client() -> notify_http::Client {
    notify_http::Client::builder()
        .user_agent(concat!("restaurant-os-monitor/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_default()
}

pub async fn run(state: AppState, stop: CancellationToken) {
    let client = client();
    let mut tick = tokio::time::interval(POLL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tick.tick() => {}
        }
        if let Err(e) = deliver_due(&state, &client, now_ms()).await {
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
