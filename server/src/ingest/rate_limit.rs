//! Per-project token buckets for Sentry ingest: `rate` events per minute with bursts of
//! up to a minute's worth. Over the limit, the SDKs get `429` with `Retry-After` and
//! `X-Sentry-Rate-Limits`, which they honour by holding back for that long.

use std::{collections::HashMap, sync::Mutex};

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at_ms: i64,
}

pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<i64, Bucket>>,
}

impl RateLimiter {
    /// `per_minute = 0` disables limiting.
    pub fn new(per_minute: u32) -> Self {
        RateLimiter {
            per_minute,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `project`; `Err(seconds)` says how long until one is free.
    pub fn check(&self, project: i64, now_ms: i64) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let cap = f64::from(self.per_minute);
        let per_ms = cap / 60_000.0;
        let mut buckets = self.buckets.lock().expect("rate limiter lock");
        let b = buckets.entry(project).or_insert(Bucket {
            tokens: cap,
            at_ms: now_ms,
        });
        b.tokens = (b.tokens + (now_ms - b.at_ms).max(0) as f64 * per_ms).min(cap);
        b.at_ms = now_ms;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Ok(())
        } else {
            Err((((1.0 - b.tokens) / per_ms) / 1000.0).ceil().max(1.0) as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_a_minutes_burst_then_refills_at_the_rate() {
        let r = RateLimiter::new(3);
        for _ in 0..3 {
            assert_eq!(r.check(1, 0), Ok(()));
        }
        assert_eq!(r.check(1, 0), Err(20), "one token every 20 s");
        assert_eq!(r.check(2, 0), Ok(()), "projects have their own buckets");
        assert_eq!(r.check(1, 19_000), Err(1));
        assert_eq!(r.check(1, 20_000), Ok(()));
        assert_eq!(RateLimiter::new(0).check(1, 0), Ok(()), "0 disables");
    }
}
