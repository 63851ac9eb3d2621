//! The bounded hand-off between request handlers and the writer. Handlers never wait
//! on it: a full queue is answered with `429` at once, so memory stays bounded by
//! `queue_capacity × largest batch`.

use crate::storage::RumEventRow;
use std::sync::{
    atomic::{AtomicU64, Ordering},
    Arc,
};
use tokio::sync::mpsc;

/// Validated events of one request.
#[derive(Debug)]
pub struct RumBatch {
    pub events: Vec<RumEventRow>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum EnqueueError {
    Full,
    Closed,
}

/// Counters of what happened to accepted and refused data (exposed by `/metrics` later).
#[derive(Debug, Default)]
pub struct IngestStats {
    pub accepted_events: AtomicU64,
    pub rejected_full: AtomicU64,
    pub written_events: AtomicU64,
    pub dropped_events: AtomicU64,
}

#[derive(Clone)]
pub struct RumQueue {
    tx: mpsc::Sender<RumBatch>,
    pub stats: Arc<IngestStats>,
}

impl RumQueue {
    pub fn new(capacity: usize) -> (RumQueue, mpsc::Receiver<RumBatch>) {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        let stats = Arc::new(IngestStats::default());
        (RumQueue { tx, stats }, rx)
    }

    pub fn try_enqueue(&self, batch: RumBatch) -> Result<(), EnqueueError> {
        let n = batch.events.len() as u64;
        match self.tx.try_send(batch) {
            Ok(()) => {
                self.stats.accepted_events.fetch_add(n, Ordering::Relaxed);
                Ok(())
            }
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.stats.rejected_full.fetch_add(n, Ordering::Relaxed);
                Err(EnqueueError::Full)
            }
            Err(mpsc::error::TrySendError::Closed(_)) => Err(EnqueueError::Closed),
        }
    }

    /// Batches waiting for the writer.
    pub fn depth(&self) -> usize {
        self.tx.max_capacity() - self.tx.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch() -> RumBatch {
        RumBatch { events: vec![] }
    }

    #[test]
    fn a_full_queue_refuses_instead_of_growing() {
        let (q, mut rx) = RumQueue::new(2);
        assert_eq!(q.try_enqueue(batch()), Ok(()));
        assert_eq!(q.try_enqueue(batch()), Ok(()));
        assert_eq!(q.depth(), 2);
        assert_eq!(q.try_enqueue(batch()), Err(EnqueueError::Full));
        rx.try_recv().unwrap();
        assert_eq!(q.try_enqueue(batch()), Ok(()));
        rx.close();
        assert_eq!(q.try_enqueue(batch()), Err(EnqueueError::Closed));
    }
}
