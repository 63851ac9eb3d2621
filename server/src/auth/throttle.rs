//! Sign-in throttling that cannot be turned against the people it protects. Failures are
//! counted per (account, source) and per source; past each one's free allowance, the next
//! attempt from there must wait (1 s, doubling, up to `lockout_secs`) since the latest
//! failure. An attacker slows down only their own attempts: the admin signing in from
//! elsewhere is never locked out. Each attempt is recorded before it is judged (see
//! `store::SecurityStore::login_attempt`), so parallel guesses all count, on any
//! instance; password hashes (19 MiB each) run a few at a time.

use std::time::Duration;
use store::LoginFailures;
use tokio::sync::{Mutex, Semaphore, SemaphorePermit};

/// How long a sign-in waits for a free password check before it is refused.
pub const HASH_WAIT: Duration = Duration::from_secs(5);

pub struct SignInGate {
    /// Orders this instance's attempts between recording and counting.
    pub check: Mutex<()>,
    hashes: Semaphore,
}

impl SignInGate {
    pub fn new(max_concurrent_hashes: usize) -> SignInGate {
        SignInGate {
            check: Mutex::new(()),
            hashes: Semaphore::new(max_concurrent_hashes.max(1)),
        }
    }

    /// A turn to check a password, or `None` when none came free within [`HASH_WAIT`].
    pub async fn hash_permit(&self) -> Option<SemaphorePermit<'_>> {
        tokio::time::timeout(HASH_WAIT, self.hashes.acquire())
            .await
            .ok()?
            .ok()
    }
}

/// The wait after the latest of `failures` failures with `free` allowed: none within the
/// allowance, then 1 s doubling per failure, at most `max_ms`.
pub fn wait_ms(failures: u64, free: u64, max_ms: i64) -> i64 {
    if failures < free.max(1) {
        return 0;
    }
    let doublings = (failures - free.max(1)).min(40) as u32;
    1_000i64
        .saturating_mul(1i64 << doublings.min(40))
        .min(max_ms)
}

/// Milliseconds until another attempt is allowed (0: now).
pub fn retry_in_ms(
    f: &LoginFailures,
    now_ms: i64,
    free_per_account: u64,
    free_per_source: u64,
    max_ms: i64,
) -> i64 {
    let until = |count: u64, last: Option<i64>, free: u64| {
        last.map_or(0, |l| (l + wait_ms(count, free, max_ms) - now_ms).max(0))
    };
    until(f.pair, f.pair_last_ms, free_per_account).max(until(
        f.source,
        f.source_last_ms,
        free_per_source,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_past_the_allowance_up_to_the_cap() {
        let w: Vec<i64> = (0..9).map(|n| wait_ms(n, 5, 900_000)).collect();
        assert_eq!(w, [0, 0, 0, 0, 0, 1_000, 2_000, 4_000, 8_000]);
        assert_eq!(wait_ms(1_000, 5, 900_000), 900_000);
    }

    #[test]
    fn the_account_from_another_source_is_not_held_back() {
        let attacker = LoginFailures {
            pair: 30,
            pair_last_ms: Some(10_000),
            source: 30,
            source_last_ms: Some(10_000),
        };
        assert!(retry_in_ms(&attacker, 10_500, 5, 20, 900_000) > 0);
        let admin_elsewhere = LoginFailures::default();
        assert_eq!(retry_in_ms(&admin_elsewhere, 10_500, 5, 20, 900_000), 0);
        // A spraying source waits even for a fresh account.
        let spray = LoginFailures {
            source: 25,
            source_last_ms: Some(10_000),
            ..LoginFailures::default()
        };
        assert_eq!(retry_in_ms(&spray, 10_000, 5, 20, 900_000), 32_000);
    }
}
