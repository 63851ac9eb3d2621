//! The writer task: drains the queue and stores events plus rollups, one transaction
//! per flush. A flush happens when `flush_max_events` are pending or the flush
//! interval passes. On shutdown it closes the queue, drains what is left and flushes,
//! so every batch that got a `202` is stored.

use super::queue::{IngestReceiver, IngestStats};
use std::{
    sync::{atomic::Ordering, Arc},
    time::Duration,
};
use store::{rollup, DynStorage, IngestBatch, IssueChange};
use tokio_util::sync::CancellationToken;

/// Delays between attempts of a failed flush before its events are dropped (and counted).
const RETRY_DELAYS: [Duration; 3] = [
    Duration::from_millis(100),
    Duration::from_millis(500),
    Duration::from_secs(2),
];

pub struct IngestWriter {
    pub rx: IngestReceiver,
    pub storage: DynStorage,
    pub stats: Arc<IngestStats>,
    pub flush_max_events: usize,
    pub flush_interval: Duration,
    /// What the rollups flag as slow calls and memory warnings.
    pub flags: crate::config::PerformanceConfig,
}

impl IngestWriter {
    /// Runs until `shutdown` is cancelled, then drains and flushes everything queued.
    pub async fn run_until_stopped(mut self, shutdown: CancellationToken) {
        let mut pending = IngestBatch::default();
        // The first tick a full interval from now (`interval` would fire at once and flush
        // whatever arrived first, however little).
        let mut tick = tokio::time::interval_at(
            tokio::time::Instant::now() + self.flush_interval,
            self.flush_interval,
        );
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                biased;
                _ = shutdown.cancelled() => break,
                msg = self.rx.recv() => match msg {
                    Some(batch) => {
                        pending.append(batch);
                        if pending.len() >= self.flush_max_events {
                            self.flush(&mut pending).await;
                        }
                    }
                    None => break,
                },
                _ = tick.tick() => {
                    if !pending.is_empty() {
                        self.flush(&mut pending).await;
                    }
                }
            }
        }
        self.rx.close();
        while let Some(batch) = self.rx.recv().await {
            pending.append(batch);
        }
        let n = pending.len();
        self.flush(&mut pending).await;
        tracing::info!(events = n, "ingest writer drained and stopped");
    }

    /// Writes `pending` (emptying it). Retries a failing database a few times; after
    /// that the events are dropped, logged and counted, never retried forever.
    /// New issues and regressions are worth a log line (and, later, a notification).
    fn report(&self, batch: &IngestBatch, changes: &[(i64, IssueChange)]) {
        for (e, (issue_id, change)) in batch.errors.iter().zip(changes) {
            match change {
                IssueChange::New => tracing::info!(issue_id, title = %e.title, "new issue"),
                IssueChange::Regressed => {
                    tracing::warn!(issue_id, title = %e.title, "issue regressed: reopened")
                }
                IssueChange::Existing => {}
            }
        }
    }

    pub async fn flush(&self, pending: &mut IngestBatch) {
        if pending.is_empty() {
            return;
        }
        let events = std::mem::take(pending);
        let rollups = rollup::aggregate(&events, &self.flags);
        let mut attempt = 0;
        loop {
            match self.storage.write_batch(&events, &rollups).await {
                Ok(changes) => {
                    self.report(&events, &changes);
                    self.stats
                        .written_events
                        .fetch_add(events.len() as u64, Ordering::Relaxed);
                    return;
                }
                Err(e) if attempt < RETRY_DELAYS.len() => {
                    tracing::warn!(error = %e, attempt, events = events.len(), "flush failed; retrying");
                    tokio::time::sleep(RETRY_DELAYS[attempt]).await;
                    attempt += 1;
                }
                Err(e) => {
                    tracing::error!(error = %e, events = events.len(), "flush failed; events dropped");
                    self.stats
                        .dropped_events
                        .fetch_add(events.len() as u64, Ordering::Relaxed);
                    return;
                }
            }
        }
    }
}
