//! Web vitals as web.dev computes them, from the entries the shell's observers hand in:
//! LCP (the latest candidate), CLS (the largest session window: shifts under 1 s apart,
//! a window at most 5 s long) and INP (the worst interaction, ignoring one outlier per
//! 50 interactions: about the 98th percentile).

/// Interactions kept to pick INP from (the longest ones).
const KEEP: usize = 10;

#[derive(Default)]
pub struct Vitals {
    lcp: Option<f64>,
    cls: f64,
    window: f64,
    window_start: f64,
    last_shift: f64,
    had_shift: bool,
    /// The longest interaction durations, longest first.
    longest: [f64; KEEP],
    interactions: u32,
}

impl Vitals {
    pub fn lcp(&mut self, start_time: f64) {
        self.lcp = Some(start_time);
    }

    pub fn shift(&mut self, value: f64, time: f64) {
        if self.had_shift && time - self.last_shift < 1000.0 && time - self.window_start < 5000.0 {
            self.window += value;
        } else {
            self.window = value;
            self.window_start = time;
        }
        self.had_shift = true;
        self.last_shift = time;
        if self.window > self.cls {
            self.cls = self.window;
        }
    }

    /// Keeps the [`KEEP`] longest durations, longest first (an insertion pass; no
    /// indexing, so no bounds-check panics in the wasm).
    pub fn interaction(&mut self, duration: f64) {
        self.interactions += 1;
        let mut carry = duration;
        for slot in self.longest.iter_mut() {
            if carry > *slot {
                core::mem::swap(slot, &mut carry);
            }
        }
    }

    pub fn inp(&self) -> Option<f64> {
        if self.interactions == 0 {
            return None;
        }
        let skip = ((self.interactions / 50) as usize).min(KEEP - 1);
        self.longest.get(skip).copied()
    }

    /// (LCP, CLS, INP) so far; `None` for CLS when no shift happened.
    pub fn values(&self) -> (Option<f64>, Option<f64>, Option<f64>) {
        (self.lcp, self.had_shift.then_some(self.cls), self.inp())
    }

    pub fn is_empty(&self) -> bool {
        self.lcp.is_none() && !self.had_shift && self.interactions == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cls_is_the_largest_session_window() {
        let mut v = Vitals::default();
        v.shift(0.1, 0.0);
        v.shift(0.1, 500.0); // same window: 0.2
        v.shift(0.05, 2000.0); // gap over 1 s: new window
        v.shift(0.05, 2500.0); // 0.1
        assert!((v.values().1.unwrap() - 0.2).abs() < 1e-9);
        let mut long = Vitals::default();
        for i in 0..12 {
            long.shift(0.01, i as f64 * 500.0); // one window would pass 5 s
        }
        assert!(
            (long.values().1.unwrap() - 0.10).abs() < 1e-9,
            "{:?}",
            long.values()
        );
    }

    #[test]
    fn inp_ignores_one_outlier_per_fifty_interactions() {
        let mut v = Vitals::default();
        assert_eq!(v.inp(), None);
        v.interaction(40.0);
        v.interaction(300.0);
        v.interaction(120.0);
        assert_eq!(v.inp(), Some(300.0), "few interactions: the worst");
        for _ in 0..50 {
            v.interaction(16.0);
        }
        assert_eq!(
            v.inp(),
            Some(120.0),
            "53 interactions: skip the single worst"
        );
    }
}
