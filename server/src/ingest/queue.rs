//! The bounded hand-off between request handlers and the writer. Handlers never wait
//! on it: when the events already waiting plus the new batch would pass the capacity,
//! the batch is refused at once (`429`). The bound counts events, not requests, so
//! memory stays bounded by `capacity × largest event` whatever the batch sizes.

use crate::storage::RumEventRow;
use std::sync::{
    atomic::{AtomicU64, AtomicUsize, Ordering},
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
    /// Events accepted but not yet taken by the writer.
    pub queued_events: AtomicUsize,
}

#[derive(Clone)]
pub struct RumQueue {
    tx: mpsc::UnboundedSender<RumBatch>,
    capacity: usize,
    pub stats: Arc<IngestStats>,
}

/// The writer's end: receiving a batch releases its place in the queue.
pub struct RumReceiver {
    rx: mpsc::UnboundedReceiver<RumBatch>,
    stats: Arc<IngestStats>,
}

impl RumReceiver {
    pub async fn recv(&mut self) -> Option<RumBatch> {
        let batch = self.rx.recv().await?;
        self.stats
            .queued_events
            .fetch_sub(batch.events.len(), Ordering::AcqRel);
        Some(batch)
    }

    /// Refuses new batches; those already queued can still be received.
    pub fn close(&mut self) {
        self.rx.close();
    }
}

impl RumQueue {
    /// A queue holding at most `capacity` events.
    pub fn new(capacity: usize) -> (RumQueue, RumReceiver) {
        let (tx, rx) = mpsc::unbounded_channel();
        let stats = Arc::new(IngestStats::default());
        let receiver = RumReceiver {
            rx,
            stats: stats.clone(),
        };
        (
            RumQueue {
                tx,
                capacity: capacity.max(1),
                stats,
            },
            receiver,
        )
    }

    pub fn try_enqueue(&self, batch: RumBatch) -> Result<(), EnqueueError> {
        let n = batch.events.len();
        let reserved =
            self.stats
                .queued_events
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |queued| {
                    (queued + n <= self.capacity).then_some(queued + n)
                });
        if reserved.is_err() {
            self.stats
                .rejected_full
                .fetch_add(n as u64, Ordering::Relaxed);
            return Err(EnqueueError::Full);
        }
        match self.tx.send(batch) {
            Ok(()) => {
                self.stats
                    .accepted_events
                    .fetch_add(n as u64, Ordering::Relaxed);
                Ok(())
            }
            Err(_) => {
                self.stats.queued_events.fetch_sub(n, Ordering::AcqRel);
                Err(EnqueueError::Closed)
            }
        }
    }

    /// Events waiting for the writer.
    pub fn depth(&self) -> usize {
        self.stats.queued_events.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(n: usize) -> RumBatch {
        RumBatch {
            events: (0..n)
                .map(|_| crate::ingest::rum::tests_support::row())
                .collect(),
        }
    }

    #[tokio::test]
    async fn a_full_queue_refuses_instead_of_growing() {
        let (q, mut rx) = RumQueue::new(5);
        assert_eq!(q.try_enqueue(batch(2)), Ok(()));
        assert_eq!(q.try_enqueue(batch(3)), Ok(()));
        assert_eq!(q.depth(), 5);
        assert_eq!(q.try_enqueue(batch(1)), Err(EnqueueError::Full));
        assert_eq!(rx.recv().await.unwrap().events.len(), 2);
        assert_eq!(q.depth(), 3);
        assert_eq!(
            q.try_enqueue(batch(3)),
            Err(EnqueueError::Full),
            "3 + 3 > 5"
        );
        assert_eq!(q.try_enqueue(batch(2)), Ok(()));
        rx.close();
        assert_eq!(q.try_enqueue(batch(0)), Err(EnqueueError::Closed));
        assert_eq!(q.depth(), 5);
    }
}
