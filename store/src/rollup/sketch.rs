//! A mergeable quantile sketch (DDSketch, 1 % relative error) with a stable encoding.

use sketches_ddsketch::{Config, DDSketch};

#[derive(Clone)]
pub struct Sketch(DDSketch);

impl std::fmt::Debug for Sketch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sketch")
            .field("count", &self.count())
            .finish()
    }
}

impl Default for Sketch {
    fn default() -> Self {
        Sketch::new()
    }
}

impl Sketch {
    pub fn new() -> Self {
        Sketch(DDSketch::new(Config::defaults()))
    }

    pub fn add(&mut self, v: f64) {
        self.0.add(v);
    }

    pub fn count(&self) -> u64 {
        self.0.count() as u64
    }

    /// Merges `other` into `self`. Sketches made here share one config, so this cannot fail.
    pub fn merge(&mut self, other: &Sketch) {
        if let Err(e) = self.0.merge(&other.0) {
            tracing::error!(error = %e, "sketch merge refused; configs differ");
        }
    }

    /// The `q` quantile (0..=1) by the nearest-rank definition (the value at rank
    /// `ceil(q·n)`, so the p99 of three loads is the slowest), `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let n = self.0.count() as u64;
        if n == 0 {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * n as f64).ceil() as u64).clamp(1, n) - 1;
        // The crate reads rank floor(q'·(n-1)); aim at the middle of the wanted rank.
        let q_crate = if rank + 1 >= n {
            1.0
        } else {
            (rank as f64 + 0.5) / (n - 1) as f64
        };
        self.0.quantile(q_crate.min(1.0)).ok().flatten()
    }

    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(&self.0).expect("a sketch always serializes")
    }

    pub fn decode(bytes: &[u8]) -> Result<Sketch, String> {
        serde_json::from_slice(bytes)
            .map(Sketch)
            .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_halves_answer_like_the_whole() {
        let (mut a, mut b, mut whole) = (Sketch::new(), Sketch::new(), Sketch::new());
        for i in 1..=1000 {
            let v = i as f64;
            whole.add(v);
            if i % 2 == 0 {
                a.add(v)
            } else {
                b.add(v)
            }
        }
        a.merge(&b);
        assert_eq!(a.count(), 1000);
        for q in [0.5, 0.95, 0.99] {
            let (x, y) = (a.quantile(q).unwrap(), whole.quantile(q).unwrap());
            assert!((x - y).abs() / y < 0.02, "q{q}: {x} vs {y}");
        }
    }

    #[test]
    fn quantiles_use_the_nearest_rank() {
        let mut s = Sketch::new();
        [800.0, 1200.0, 2000.0].iter().for_each(|v| s.add(*v));
        let near = |a: f64, b: f64| (a - b).abs() / b < 0.01;
        assert!(near(s.quantile(0.5).unwrap(), 1200.0));
        assert!(near(s.quantile(0.99).unwrap(), 2000.0));
        assert!(near(s.quantile(0.1).unwrap(), 800.0));
        let mut hundred = Sketch::new();
        (1..=100).for_each(|v| hundred.add(v as f64));
        assert!(near(hundred.quantile(0.95).unwrap(), 95.0));
        assert!(near(hundred.quantile(0.5).unwrap(), 50.0));
    }

    #[test]
    fn encoding_round_trips() {
        let mut s = Sketch::new();
        [12.0, 480.0, 2500.0].iter().for_each(|v| s.add(*v));
        let back = Sketch::decode(&s.encode()).unwrap();
        assert_eq!(back.count(), 3);
        assert_eq!(back.quantile(1.0), s.quantile(1.0));
        assert!(Sketch::decode(b"not a sketch").is_err());
        assert_eq!(Sketch::new().quantile(0.5), None);
    }
}
