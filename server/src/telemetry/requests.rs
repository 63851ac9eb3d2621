//! Request counters: in flight now, and requests / 5xx answers over the last minutes.
//! Lock-free: this runs on every request, ingest included.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use store::clock::{minute_of, now_ms};

/// Minutes the error rate looks back over.
pub const WINDOW_MINUTES: i64 = 5;
const SLOTS: usize = WINDOW_MINUTES as usize + 1;

#[derive(Default)]
struct Slot {
    minute: AtomicI64,
    requests: AtomicU64,
    errors: AtomicU64,
}

#[derive(Default)]
pub struct RequestStats {
    in_flight: AtomicI64,
    /// Every request answered since start.
    total: AtomicU64,
    /// One slot per minute, reused round-robin (`minute % SLOTS`).
    slots: [Slot; SLOTS],
}

pub struct InFlight<'a>(&'a AtomicI64);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl RequestStats {
    pub fn start(&self) -> InFlight<'_> {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(&self.in_flight)
    }

    pub fn finish(&self, server_error: bool) {
        self.total.fetch_add(1, Ordering::Relaxed);
        self.record(minute_of(now_ms()), server_error);
    }

    fn record(&self, minute: i64, server_error: bool) {
        let slot = &self.slots[minute.rem_euclid(SLOTS as i64) as usize];
        let seen = slot.minute.load(Ordering::Relaxed);
        if seen != minute
            && slot
                .minute
                .compare_exchange(seen, minute, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
        {
            // First request of a new minute in this slot: forget the old minute's counts.
            // A request racing this reset may be lost; the rate stays approximately right.
            slot.requests.store(0, Ordering::Relaxed);
            slot.errors.store(0, Ordering::Relaxed);
        }
        slot.requests.fetch_add(1, Ordering::Relaxed);
        if server_error {
            slot.errors.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn total(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }

    pub fn in_flight(&self) -> i64 {
        self.in_flight.load(Ordering::Relaxed)
    }

    /// Share of answers that were 5xx over the window; 0 with no requests.
    pub fn error_rate(&self) -> f64 {
        self.error_rate_at(minute_of(now_ms()))
    }

    fn error_rate_at(&self, minute: i64) -> f64 {
        let (total, errors) = self
            .slots
            .iter()
            .filter(|s| {
                let m = s.minute.load(Ordering::Relaxed);
                m > minute - WINDOW_MINUTES && m <= minute
            })
            .fold((0, 0), |(t, e), s| {
                (
                    t + s.requests.load(Ordering::Relaxed),
                    e + s.errors.load(Ordering::Relaxed),
                )
            });
        if total == 0 {
            0.0
        } else {
            errors as f64 / total as f64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_rate_covers_only_the_window() {
        let s = RequestStats::default();
        s.record(100, true);
        s.record(103, false);
        s.record(104, false);
        s.record(104, true);
        assert_eq!(s.error_rate_at(104), 0.5);
        assert_eq!(s.error_rate_at(105), 1.0 / 3.0);
        assert_eq!(s.error_rate_at(200), 0.0);
    }

    #[test]
    fn a_reused_slot_forgets_its_old_minute() {
        let s = RequestStats::default();
        s.record(100, true);
        s.record(100 + SLOTS as i64, false);
        assert_eq!(s.error_rate_at(100 + SLOTS as i64), 0.0);
    }

    #[test]
    fn in_flight_counts_down_when_a_request_ends() {
        let s = RequestStats::default();
        let a = s.start();
        let b = s.start();
        assert_eq!(s.in_flight(), 2);
        drop(a);
        drop(b);
        assert_eq!(s.in_flight(), 0);
    }
}
