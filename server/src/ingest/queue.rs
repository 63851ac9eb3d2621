//! The bounded hand-off between request handlers and the writer. Handlers never wait
//! on it: when the rows already waiting plus the new batch would pass either bound (rows,
//! and bytes of memory as [`IngestBatch::bytes`] estimates them), the batch is refused at
//! once (`429`, or `503` while the database is failing). A batch keeps its place until the
//! writer has stored it, not merely taken it, so a writer stuck on a failing database
//! holds at most the bounds in memory while ingest refuses the rest. RUM beacons and
//! Sentry items share it and its writer.

pub use crate::telemetry::ingest_stats::IngestStats;
use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc,
};
use store::IngestBatch;
use tokio::sync::mpsc;

#[derive(Debug, PartialEq, Eq)]
pub enum EnqueueError {
    Full,
    Closed,
}

#[derive(Clone)]
pub struct IngestQueue {
    tx: mpsc::UnboundedSender<IngestBatch>,
    max_events: usize,
    max_bytes: usize,
    pub stats: Arc<IngestStats>,
}

/// The writer's end. Receiving does not release a batch's place: [`IngestStats::release`]
/// does, once it is stored.
pub struct IngestReceiver {
    rx: mpsc::UnboundedReceiver<IngestBatch>,
}

impl IngestReceiver {
    pub async fn recv(&mut self) -> Option<IngestBatch> {
        self.rx.recv().await
    }

    /// Refuses new batches; those already queued can still be received.
    pub fn close(&mut self) {
        self.rx.close();
    }
}

/// Adds `n` to `counter` unless that passes `max`.
fn reserve(counter: &AtomicUsize, n: usize, max: usize) -> bool {
    counter
        .fetch_update(Ordering::AcqRel, Ordering::Acquire, |queued| {
            (queued + n <= max).then_some(queued + n)
        })
        .is_ok()
}

impl IngestQueue {
    /// A queue holding at most `max_events` rows and `max_bytes` bytes not yet stored,
    /// counting into `stats`.
    pub fn new(
        max_events: usize,
        max_bytes: usize,
        stats: Arc<IngestStats>,
    ) -> (IngestQueue, IngestReceiver) {
        let (tx, rx) = mpsc::unbounded_channel();
        (
            IngestQueue {
                tx,
                max_events: max_events.max(1),
                max_bytes: max_bytes.max(1),
                stats,
            },
            IngestReceiver { rx },
        )
    }

    pub fn try_enqueue(&self, batch: IngestBatch) -> Result<(), EnqueueError> {
        let (rows, bytes) = (batch.len(), batch.bytes());
        let st = &self.stats;
        if !reserve(&st.queued_events, rows, self.max_events) {
            st.rejected_full.fetch_add(rows as u64, Ordering::Relaxed);
            return Err(EnqueueError::Full);
        }
        if !reserve(&st.queued_bytes, bytes, self.max_bytes) {
            st.queued_events.fetch_sub(rows, Ordering::AcqRel);
            st.rejected_full.fetch_add(rows as u64, Ordering::Relaxed);
            return Err(EnqueueError::Full);
        }
        match self.tx.send(batch) {
            Ok(()) => {
                st.accepted_events.fetch_add(rows as u64, Ordering::Relaxed);
                Ok(())
            }
            Err(_) => {
                st.release(rows, bytes);
                Err(EnqueueError::Closed)
            }
        }
    }

    /// Rows accepted and not yet stored.
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
        let (q, mut rx) = IngestQueue::new(5, usize::MAX, Arc::default());
        assert_eq!(q.try_enqueue(batch(2)), Ok(()));
        assert_eq!(q.try_enqueue(batch(3)), Ok(()));
        assert_eq!(q.depth(), 5);
        assert_eq!(q.try_enqueue(batch(1)), Err(EnqueueError::Full));
        let taken = rx.recv().await.unwrap();
        assert_eq!(q.depth(), 5, "taken is not stored: it keeps its place");
        q.stats.release(taken.len(), taken.bytes());
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

    #[test]
    fn the_byte_bound_holds_whatever_the_batch_shape() {
        let one = batch(1).bytes();
        let (q, _rx) = IngestQueue::new(usize::MAX, one * 10, Arc::default());
        assert_eq!(q.try_enqueue(batch(10)), Ok(()));
        assert_eq!(q.try_enqueue(batch(1)), Err(EnqueueError::Full));
        assert_eq!(q.stats.queued_bytes.load(Ordering::Acquire), one * 10);
        assert_eq!(q.depth(), 10, "a refused batch reserves nothing");
        let mut big = batch(1);
        big.page_loads[0].page = "x".repeat(one * 20);
        let (q, _rx) = IngestQueue::new(usize::MAX, one * 10, Arc::default());
        assert_eq!(
            q.try_enqueue(big),
            Err(EnqueueError::Full),
            "one large row is its size, not one slot"
        );
    }
}
