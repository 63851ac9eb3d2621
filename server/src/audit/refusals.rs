//! Refused sign-ins gathered in memory: one audit row per source, action and minute,
//! with the count, so a flood of refusals cannot fill the disk.

use super::entry::{cap, entry, MAX_ACTOR, MAX_SOURCE};
use std::{collections::HashMap, sync::Mutex};
use store::AuditEntry;

/// Refused sign-ins waiting for their minute to end, per (source, action): written as one
/// row each, with the count and the first few usernames tried.
#[derive(Default)]
pub struct Refusals(Mutex<HashMap<(String, &'static str), Pending>>);

struct Pending {
    minute: i64,
    count: u64,
    usernames: Vec<String>,
}

/// Sources waiting at most; past it every pending row is written at once.
const MAX_PENDING: usize = 10_000;
const USERNAMES_KEPT: usize = 5;

impl Refusals {
    pub fn add(
        &self,
        source: &str,
        action: &'static str,
        username: &str,
        now_ms: i64,
    ) -> Vec<AuditEntry> {
        let minute = now_ms.div_euclid(60_000);
        let mut due = vec![];
        let mut pending = self.0.lock().expect("refusals lock");
        let key = (cap(source, MAX_SOURCE), action);
        if let Some(p) = pending.get(&key) {
            if p.minute != minute {
                let p = pending.remove(&key).expect("present");
                due.push(row(&key, p));
            }
        }
        let p = pending.entry(key).or_insert_with(|| Pending {
            minute,
            count: 0,
            usernames: vec![],
        });
        p.count += 1;
        let name = cap(username, MAX_ACTOR);
        if p.usernames.len() < USERNAMES_KEPT && !p.usernames.contains(&name) {
            p.usernames.push(name);
        }
        if pending.len() > MAX_PENDING {
            due.extend(pending.drain().map(|(k, p)| row(&k, p)));
        }
        due
    }

    /// Rows of minutes that have ended (every row when `all`, at shutdown).
    pub fn due(&self, now_ms: i64, all: bool) -> Vec<AuditEntry> {
        let minute = now_ms.div_euclid(60_000);
        let mut pending = self.0.lock().expect("refusals lock");
        let keys: Vec<_> = pending
            .iter()
            .filter(|(_, p)| all || p.minute < minute)
            .map(|(k, _)| k.clone())
            .collect();
        keys.into_iter()
            .filter_map(|k| pending.remove(&k).map(|p| row(&k, p)))
            .collect()
    }
}

fn row((source, action): &(String, &'static str), p: Pending) -> AuditEntry {
    let after = serde_json::json!({ "usernames": p.usernames, "count": p.count }).to_string();
    let mut e = entry(
        p.usernames.first().map_or("", String::as_str),
        Some(source),
        action,
        None,
        None,
        Some(after),
        p.count,
    );
    e.at_ms = p.minute * 60_000;
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_one_row_per_source_and_minute() {
        let r = Refusals::default();
        let t0 = 10 * 60_000;
        for i in 0..500 {
            assert!(r
                .add("203.0.113.9", "login.failed", &format!("user{i}"), t0 + i)
                .is_empty());
        }
        r.add("198.51.100.1", "login.failed", "admin", t0);
        assert!(
            r.due(t0 + 1_000, false).is_empty(),
            "the minute is not over"
        );
        // The next minute's first refusal writes the last minute's row.
        let due = r.add("203.0.113.9", "login.failed", "user0", t0 + 60_000);
        assert_eq!(due.len(), 1);
        assert_eq!((due[0].repeats, due[0].at_ms), (500, t0));
        assert_eq!(due[0].actor, "user0");
        assert!(due[0].after.as_deref().unwrap().contains("\"count\":500"));
        let rest = r.due(t0 + 60_000, false);
        assert_eq!(rest.len(), 1, "the other source's minute is over too");
        assert_eq!(
            r.due(t0 + 60_000, true).len(),
            1,
            "at shutdown, the open minute too"
        );
    }
}
