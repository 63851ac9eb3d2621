//! The writer task: drains the queue and stores events plus rollups, one transaction
//! per flush. A flush happens when `flush_max_events` are pending or the flush
//! interval passes. On shutdown it closes the queue, drains what is left and flushes,
//! so every batch that got a `202` is stored.
//!
//! A `202` is a promise: a flush that fails because the database is busy, locked, full or
//! unreachable keeps its batch and retries with backoff for as long as it takes (the
//! queue fills meanwhile and ingest answers `503`); only rows the database refuses as
//! invalid are dropped, and counted, after halving the batch down to them so the rest
//! are stored.

use super::queue::{IngestReceiver, IngestStats};
use std::{
    sync::{atomic::Ordering, Arc},
    time::Duration,
};
use store::{rollup, DynStorage, IngestBatch, IssueChange};
use tokio_util::sync::CancellationToken;

/// The first delay after a failed flush; it doubles per failure up to [`MAX_RETRY_DELAY`].
const FIRST_RETRY_DELAY: Duration = Duration::from_millis(100);
const MAX_RETRY_DELAY: Duration = Duration::from_secs(5);

pub struct IngestWriter {
    pub rx: IngestReceiver,
    pub storage: DynStorage,
    pub stats: Arc<IngestStats>,
    pub flush_max_events: usize,
    pub flush_interval: Duration,
    /// What the rollups flag as slow calls and memory warnings.
    pub flags: crate::config::PerformanceConfig,
    /// How many distinct pages, routes, restaurants, ... the rollups take per day.
    pub keys: std::sync::Mutex<rollup::cardinality::KeyBudget>,
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

    /// New issues and regressions are worth a log line.
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

    /// Stores `pending` (emptying it), then releases its place in the queue.
    pub async fn flush(&self, pending: &mut IngestBatch) {
        if pending.is_empty() {
            return;
        }
        let batch = std::mem::take(pending);
        let (rows, bytes) = (batch.len(), batch.bytes());
        let mut work = vec![batch];
        while let Some(batch) = work.pop() {
            match self.store(&batch).await {
                Ok(()) => {}
                // Refused as invalid: narrow it down, so only the rows at fault are lost.
                Err(_) if batch.len() > 1 => {
                    let (a, b) = batch.split();
                    work.push(b);
                    work.push(a);
                }
                Err(e) => {
                    tracing::error!(error = %e, "the database refused a row as invalid; dropped");
                    self.stats.dropped_events.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        self.stats.release(rows, bytes);
    }

    /// Writes `batch`, retrying for as long as the failure can pass; `Err` only when the
    /// database refuses the data itself.
    async fn store(&self, batch: &IngestBatch) -> Result<(), store::StorageError> {
        let rollups = {
            let mut keys = self.keys.lock().expect("key budget");
            let before = keys.folded;
            let day = store::clock::now_ms().div_euclid(86_400_000);
            let rollups = keys.fold(rollup::aggregate(batch, &self.flags), day);
            self.stats
                .folded_keys
                .fetch_add(keys.folded - before, Ordering::Relaxed);
            rollups
        };
        let mut delay = FIRST_RETRY_DELAY;
        let mut failures = 0u64;
        loop {
            match self.storage.write_batch(batch, &rollups).await {
                Ok(changes) => {
                    self.report(batch, &changes);
                    self.stats
                        .written_events
                        .fetch_add(batch.len() as u64, Ordering::Relaxed);
                    if failures > 0 {
                        tracing::info!(
                            failures,
                            events = batch.len(),
                            "flush stored after retries"
                        );
                    }
                    self.stats.failing.store(false, Ordering::Release);
                    return Ok(());
                }
                Err(e) if e.is_permanent() => return Err(e),
                Err(e) => {
                    self.stats.failing.store(true, Ordering::Release);
                    self.stats.flush_failures.fetch_add(1, Ordering::Relaxed);
                    // The first failure and then one line a minute or so, not one per retry.
                    if failures.is_multiple_of(12) {
                        tracing::warn!(error = %e, failures, events = batch.len(),
                            "flush failed; keeping the batch and retrying (ingest answers 503 while the queue is full)");
                    }
                    failures += 1;
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(MAX_RETRY_DELAY);
                }
            }
        }
    }
}
