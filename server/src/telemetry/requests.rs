//! Request counters: in flight now, and requests / 5xx answers over the last minutes.

use crate::clock::{minute_of, now_ms};
use std::sync::{
    atomic::{AtomicI64, Ordering},
    Mutex,
};

/// Minutes the error rate looks back over.
pub const WINDOW_MINUTES: i64 = 5;

#[derive(Default)]
pub struct RequestStats {
    in_flight: AtomicI64,
    /// (minute, requests, server errors), one entry per recent minute.
    minutes: Mutex<Vec<(i64, u64, u64)>>,
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
        self.record(minute_of(now_ms()), server_error);
    }

    fn record(&self, minute: i64, server_error: bool) {
        let mut m = self.minutes.lock().expect("request stats lock");
        match m.last_mut() {
            Some(last) if last.0 == minute => {
                last.1 += 1;
                last.2 += u64::from(server_error);
            }
            _ => m.push((minute, 1, u64::from(server_error))),
        }
        m.retain(|(mm, _, _)| *mm > minute - WINDOW_MINUTES);
    }

    pub fn in_flight(&self) -> i64 {
        self.in_flight.load(Ordering::Relaxed)
    }

    /// Share of answers that were 5xx over the window; 0 with no requests.
    pub fn error_rate(&self) -> f64 {
        self.error_rate_at(minute_of(now_ms()))
    }

    fn error_rate_at(&self, minute: i64) -> f64 {
        let m = self.minutes.lock().expect("request stats lock");
        let (total, errors) = m
            .iter()
            .filter(|(mm, _, _)| *mm > minute - WINDOW_MINUTES)
            .fold((0, 0), |(t, e), (_, r, x)| (t + r, e + x));
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
