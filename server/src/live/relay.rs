//! The live channel across instances: each instance NOTIFYs its events on one
//! PostgreSQL channel and LISTENs for the others'. Payloads carry the sender's id so an
//! instance skips its own (it already delivered them locally).

use crate::services::Services;
use sqlx::postgres::{PgListener, PgPoolOptions};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

pub const CHANNEL: &str = "monitor_live";
/// PostgreSQL refuses NOTIFY payloads of 8000 bytes or more.
const MAX_PAYLOAD: usize = 7_900;
/// Events waiting to be sent to the other instances before new ones are dropped.
const QUEUE: usize = 1_024;

/// How long to wait before connecting again after the relay's connection failed.
const RETRY: std::time::Duration = std::time::Duration::from_secs(5);

/// Relays until `stop`, connecting again whenever the database goes away (events
/// published meanwhile stay local; the dashboards' refresh covers them).
pub async fn run(url: String, services: Services, stop: CancellationToken) {
    let me = format!("{:016x}", rand::random::<u64>());
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Arc<str>>(QUEUE);
    services.live.relay_to(tx);
    loop {
        match relay(&url, &services, &me, &mut rx, &stop).await {
            Ok(()) => return,
            Err(e) => tracing::warn!(error = %e, "live relay lost its connection; retrying"),
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(RETRY) => {}
        }
        // What queued up while disconnected is stale: the dashboards have refreshed.
        while rx.try_recv().is_ok() {}
    }
}

/// One connected session of the relay; `Ok` when stopped, `Err` when the database failed.
async fn relay(
    url: &str,
    services: &Services,
    me: &str,
    rx: &mut tokio::sync::mpsc::Receiver<Arc<str>>,
    stop: &CancellationToken,
) -> Result<(), sqlx::Error> {
    let pool = PgPoolOptions::new().max_connections(1).connect(url).await?;
    let mut listener = PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    tracing::info!(instance = %me, "live events relayed through PostgreSQL");
    let result = loop {
        tokio::select! {
            _ = stop.cancelled() => break Ok(()),
            Some(event) = rx.recv() => {
                let payload = format!("{me} {event}");
                if payload.len() > MAX_PAYLOAD {
                    tracing::warn!(bytes = payload.len(), "live event too large to relay");
                    continue;
                }
                if let Err(e) = sqlx::query("SELECT pg_notify($1, $2)")
                    .bind(CHANNEL)
                    .bind(&payload)
                    .execute(&pool)
                    .await
                {
                    tracing::warn!(error = %e, "live event not relayed");
                }
            }
            // The listener reconnects by itself after a dropped connection; an error here
            // means it could not.
            n = listener.recv() => match n {
                Ok(n) => receive(services, me, n.payload()).await,
                Err(e) => break Err(e),
            },
        }
    };
    pool.close().await;
    result
}

async fn receive(services: &Services, me: &str, payload: &str) {
    let Some((from, event)) = payload.split_once(' ') else {
        return;
    };
    if from == me {
        return;
    }
    if is_projects_change(event) {
        // Another instance changed a project's settings (inbound filters): reload them,
        // since ingest reads projects from memory.
        match services.storage.projects().await {
            Ok(p) => services.projects.replace(p),
            Err(e) => tracing::warn!(error = %e, "projects not reloaded"),
        }
    }
    services.live.deliver_remote(event.into());
}

fn is_projects_change(event: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(event)
        .is_ok_and(|v| v.get("type").and_then(|t| t.as_str()) == Some("projects"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn recognises_a_projects_change() {
        assert!(super::is_projects_change(r#"{"type":"projects"}"#));
        assert!(!super::is_projects_change(r#"{"type":"alert"}"#));
        assert!(!super::is_projects_change("not json"));
    }
}
