//! Handing an ingest request's rows to the writer: the one place that turns a full or
//! closed queue into `429` / `503`, after marking page views both SDKs reported.

use crate::{http::error::ApiError, ingest::queue::EnqueueError, state::AppState};
use store::IngestBatch;

/// Queues `batch` for the writer (an empty batch is nothing to do).
pub fn enqueue(state: &AppState, mut batch: IngestBatch) -> Result<(), ApiError> {
    if batch.is_empty() {
        return Ok(());
    }
    state.page_views.mark_duplicates(&mut batch);
    state.queue.try_enqueue(batch).map_err(|e| match e {
        // Full because the database is failing: the writer holds what it accepted and
        // retries; say so, and when to come back.
        EnqueueError::Full if state.queue.stats.is_failing() => ApiError::Unavailable(
            "storage is unavailable; the accepted events are kept, retry later",
        ),
        EnqueueError::Full => ApiError::Overloaded {
            retry_after_secs: 1,
        },
        EnqueueError::Closed => ApiError::Unavailable("shutting down"),
    })
}
