//! What happened to the rows ingest accepted: stored, waiting, or refused by the
//! database. Kept by the queue and the writer; read by `/metrics`, the Health page and the
//! sampler (the `ingest_dropped_events` alert metric).

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

/// Counters of what happened to accepted and refused rows (on `/metrics` and the Health
/// page).
#[derive(Debug, Default)]
pub struct IngestStats {
    /// Rows answered `202`.
    pub accepted_events: AtomicU64,
    /// Rows refused because the queue was full.
    pub rejected_full: AtomicU64,
    pub written_events: AtomicU64,
    /// Rows the database refused as invalid (never a busy, locked or unreachable one).
    pub dropped_events: AtomicU64,
    /// Rollup rows whose page, route or restaurant was past the day's key budget and
    /// was counted under `other`.
    pub folded_keys: AtomicU64,
    /// Flush attempts that failed and were retried.
    pub flush_failures: AtomicU64,
    /// Whether the writer's latest attempt failed (it keeps its batch and retries).
    pub failing: AtomicBool,
    /// Rows accepted and not yet stored, and their bytes.
    pub queued_events: AtomicUsize,
    pub queued_bytes: AtomicUsize,
}

impl IngestStats {
    /// The writer is done with `rows` rows of `bytes` bytes: stored, or refused by the
    /// database.
    pub fn release(&self, rows: usize, bytes: usize) {
        self.queued_events.fetch_sub(rows, Ordering::AcqRel);
        self.queued_bytes.fetch_sub(bytes, Ordering::AcqRel);
    }

    pub fn is_failing(&self) -> bool {
        self.failing.load(Ordering::Acquire)
    }

    /// The figures as the Health page shows them.
    pub fn figures(&self) -> protocol::IngestFigures {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        protocol::IngestFigures {
            accepted: get(&self.accepted_events),
            written: get(&self.written_events),
            dropped: get(&self.dropped_events),
            refused_full: get(&self.rejected_full),
            flush_failures: get(&self.flush_failures),
            folded_keys: get(&self.folded_keys),
            queued: self.queued_events.load(Ordering::Acquire) as u64,
            queued_bytes: self.queued_bytes.load(Ordering::Acquire) as u64,
            failing: self.is_failing(),
        }
    }
}
