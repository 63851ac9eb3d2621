//! The bounded hand-off between request handlers and the writer. Handlers never wait
//! on it: when the events already waiting plus the new batch would pass the capacity,
//! the batch is refused at once (`429`). The bound counts slots ([`IngestBatch::weight`]:
//! one per row, one per 256 bytes of an error event), not requests, so memory stays bounded
//! whatever the batch sizes. RUM beacons and Sentry items share it and its writer.

use std::sync::{
    atomic::{AtomicU64, AtomicUsize, Ordering},
    Arc,
};
use store::IngestBatch;
use tokio::sync::mpsc;

/// Validated events of one request.
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
pub struct IngestQueue {
    tx: mpsc::UnboundedSender<IngestBatch>,
    capacity: usize,
    pub stats: Arc<IngestStats>,
}

/// The writer's end: receiving a batch releases its place in the queue.
pub struct IngestReceiver {
    rx: mpsc::UnboundedReceiver<IngestBatch>,
    stats: Arc<IngestStats>,
}

impl IngestReceiver {
    pub async fn recv(&mut self) -> Option<IngestBatch> {
        let batch = self.rx.recv().await?;
        self.stats
            .queued_events
            .fetch_sub(batch.slots(), Ordering::AcqRel);
        Some(batch)
    }

    /// Refuses new batches; those already queued can still be received.
    pub fn close(&mut self) {
        self.rx.close();
    }
}

impl IngestQueue {
    /// A queue holding at most `capacity` events.
    pub fn new(capacity: usize) -> (IngestQueue, IngestReceiver) {
        let (tx, rx) = mpsc::unbounded_channel();
        let stats = Arc::new(IngestStats::default());
        let receiver = IngestReceiver {
            rx,
            stats: stats.clone(),
        };
        (
            IngestQueue {
                tx,
                capacity: capacity.max(1),
                stats,
            },
            receiver,
        )
    }

    pub fn try_enqueue(&self, batch: IngestBatch) -> Result<(), EnqueueError> {
        let n = batch.slots();
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

    fn batch(n: usize) -> IngestBatch {
        IngestBatch {
            page_loads: (0..n)
                .map(|_| crate::ingest::rum::convert::test_row())
                .collect(),
            ..IngestBatch::default()
        }
    }

    #[tokio::test]
    async fn a_full_queue_refuses_instead_of_growing() {
        let (q, mut rx) = IngestQueue::new(5);
        assert_eq!(q.try_enqueue(batch(2)), Ok(()));
        assert_eq!(q.try_enqueue(batch(3)), Ok(()));
        assert_eq!(q.depth(), 5);
        assert_eq!(q.try_enqueue(batch(1)), Err(EnqueueError::Full));
        assert_eq!(rx.recv().await.unwrap().page_loads.len(), 2);
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
