//! Wall-clock time as unix milliseconds, the one time representation used in storage.

use std::time::{SystemTime, UNIX_EPOCH};

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The unix minute (milliseconds / 60 000) a timestamp falls in: the rollup key.
pub fn minute_of(ms: i64) -> i64 {
    ms.div_euclid(60_000)
}
