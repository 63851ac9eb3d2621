//! A bound on how many distinct keys the rollups take. Pages, routes, statements, custom
//! metric names and restaurants come from outside: without a bound, a client sending a
//! fresh page name per beacon would add rollup rows without limit. Per project and kind of
//! key, the first `max` keys of a day are kept as they are; later new ones fold into
//! [`OTHER`] (and are counted). The raw rows keep the names as sent.

use super::{Metric, RollupDelta};
use std::collections::{HashMap, HashSet};

/// The key that stands for every key past the budget.
pub const OTHER: &str = "other";

/// Which budget a metric's key draws on.
fn family(m: Metric) -> &'static str {
    match m {
        Metric::ApiCall | Metric::ApiError | Metric::ApiSlow => "endpoints",
        Metric::ServerRequest | Metric::ServerError => "server_routes",
        Metric::DbQuery | Metric::DbSlow => "statements",
        Metric::Custom => "custom",
        Metric::Browser | Metric::Device => "browsers",
        _ => "pages",
    }
}

pub struct KeyBudget {
    max: usize,
    day: i64,
    seen: HashMap<(i64, &'static str), HashSet<String>>,
    /// Deltas whose key or restaurant was folded into [`OTHER`], since start.
    pub folded: u64,
}

impl KeyBudget {
    pub fn new(max: usize) -> KeyBudget {
        KeyBudget {
            max: max.max(1),
            day: i64::MIN,
            seen: HashMap::new(),
            folded: 0,
        }
    }

    /// Whether `key` of `family` may stay itself (the all-keys row `""` always may).
    fn admits(&mut self, project_id: i64, family: &'static str, key: &str) -> bool {
        if key.is_empty() || key == OTHER {
            return true;
        }
        let seen = self.seen.entry((project_id, family)).or_default();
        if seen.contains(key) {
            return true;
        }
        if seen.len() < self.max {
            seen.insert(key.to_string());
            return true;
        }
        false
    }

    /// `deltas` with keys and restaurants past the budget folded into [`OTHER`], deltas
    /// that then share a key merged. `day`: the budget starts afresh each day.
    pub fn fold(&mut self, deltas: Vec<RollupDelta>, day: i64) -> Vec<RollupDelta> {
        if day != self.day {
            self.day = day;
            self.seen.clear();
        }
        let mut out: Vec<RollupDelta> = Vec::with_capacity(deltas.len());
        let mut merged: HashMap<(i64, Metric, String, String, i64), usize> = HashMap::new();
        for mut d in deltas {
            let mut folded = false;
            if !self.admits(d.project_id, family(d.metric), &d.page) {
                d.page = OTHER.into();
                folded = true;
            }
            if !self.admits(d.project_id, "restaurants", &d.restaurant) {
                d.restaurant = OTHER.into();
                folded = true;
            }
            if folded {
                self.folded += 1;
            }
            let key = (
                d.project_id,
                d.metric,
                d.restaurant.clone(),
                d.page.clone(),
                d.minute,
            );
            match merged.get(&key) {
                Some(&i) => out[i].absorb(&d),
                None => {
                    merged.insert(key, out.len());
                    out.push(d);
                }
            }
        }
        out
    }
}

impl RollupDelta {
    /// Adds `other` (same key) into this delta.
    pub fn absorb(&mut self, other: &RollupDelta) {
        self.count += other.count;
        self.weighted += other.weighted;
        self.sum += other.sum;
        match (&mut self.sketch, &other.sketch) {
            (Some(a), Some(b)) => a.merge(b),
            (None, Some(b)) => self.sketch = Some(b.clone()),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn views(page: &str, restaurant: &str) -> RollupDelta {
        RollupDelta {
            project_id: 1,
            metric: Metric::PageView,
            restaurant: restaurant.into(),
            page: page.into(),
            minute: 10,
            count: 1,
            weighted: 1.0,
            sum: 0.0,
            sketch: None,
        }
    }

    #[test]
    fn keys_past_the_budget_fold_into_other_and_merge() {
        let mut b = KeyBudget::new(2);
        let deltas = vec![
            views("/a", ""),
            views("/b", ""),
            views("/c", ""),
            views("/d", ""),
            views("", ""),
        ];
        let out = b.fold(deltas, 1);
        let pages: Vec<(&str, u64)> = out.iter().map(|d| (d.page.as_str(), d.count)).collect();
        assert_eq!(pages, [("/a", 1), ("/b", 1), ("other", 2), ("", 1)]);
        assert_eq!(b.folded, 2);
        // Known keys stay themselves; a new day starts afresh.
        assert_eq!(b.fold(vec![views("/a", "")], 1)[0].page, "/a");
        assert_eq!(b.fold(vec![views("/c", "")], 1)[0].page, "other");
        assert_eq!(b.fold(vec![views("/c", "")], 2)[0].page, "/c");
    }

    #[test]
    fn restaurants_have_their_own_budget() {
        let mut b = KeyBudget::new(1);
        let out = b.fold(vec![views("", "r-1"), views("", "r-2"), views("", "")], 1);
        let r: Vec<&str> = out.iter().map(|d| d.restaurant.as_str()).collect();
        assert_eq!(r, ["r-1", "other", ""]);
    }
}
