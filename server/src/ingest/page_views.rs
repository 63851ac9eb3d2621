//! One page view, two reports: a page that loads both the RUM SDK and `@sentry/browser`
//! sends a RUM page load and a Sentry `pageload` transaction for the same view. The
//! second to arrive is marked `duplicate`: it is stored (its timings stay visible on the
//! raw row) but not counted again as a page view or in the vitals.
//!
//! Two reports are the same view when they name the same project, page and user agent,
//! come from different SDKs, and arrive within [`WINDOW_MS`] of each other. A reload of
//! the same page makes a new pair, since each match consumes the report it matched.

use std::{collections::HashMap, sync::Mutex};
use store::{IngestBatch, RumEventRow};

/// How far apart the two reports of one view may arrive.
pub const WINDOW_MS: i64 = 30_000;
/// Reports waiting for their twin, at most (older ones go first beyond it).
const MAX_WAITING: usize = 50_000;

type Key = (i64, String, Option<String>);

#[derive(Default)]
pub struct PageViews(Mutex<HashMap<Key, Vec<(&'static str, i64)>>>);

impl PageViews {
    /// Marks the page loads of `batch` that repeat a view the other SDK reported.
    pub fn mark_duplicates(&self, batch: &mut IngestBatch) {
        if batch.page_loads.iter().all(|p| p.kind != "pageload") {
            return;
        }
        let mut waiting = self.0.lock().expect("page view lock");
        for row in batch.page_loads.iter_mut().filter(|p| p.kind == "pageload") {
            mark(&mut waiting, row);
        }
        if waiting.len() > MAX_WAITING {
            let newest = batch
                .page_loads
                .iter()
                .map(|p| p.received_at_ms)
                .max()
                .unwrap_or(0);
            waiting.retain(|_, v| {
                v.retain(|(_, at)| newest - at <= WINDOW_MS);
                !v.is_empty()
            });
        }
    }
}

fn mark(waiting: &mut HashMap<Key, Vec<(&'static str, i64)>>, row: &mut RumEventRow) {
    let key = (row.project_id, row.page.clone(), row.user_agent.clone());
    let at = row.received_at_ms;
    let seen = waiting.entry(key).or_default();
    seen.retain(|(_, t)| at - t <= WINDOW_MS);
    match seen.iter().position(|(source, _)| *source != row.source) {
        Some(i) => {
            seen.remove(i);
            row.kind = "duplicate";
        }
        None => seen.push((row.source, at)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(source: &'static str, at: i64, ua: &str) -> RumEventRow {
        let mut r = crate::ingest::rum::convert::test_row();
        (r.source, r.received_at_ms, r.page, r.user_agent) =
            (source, at, "/menu".into(), Some(ua.into()));
        r
    }

    fn kinds(p: &PageViews, rows: Vec<RumEventRow>) -> Vec<&'static str> {
        let mut b = IngestBatch {
            page_loads: rows,
            ..IngestBatch::default()
        };
        p.mark_duplicates(&mut b);
        b.page_loads.iter().map(|r| r.kind).collect()
    }

    #[test]
    fn the_second_report_of_a_view_is_a_duplicate() {
        let p = PageViews::default();
        assert_eq!(kinds(&p, vec![view("rum", 1_000, "A")]), ["pageload"]);
        assert_eq!(kinds(&p, vec![view("sentry", 3_000, "A")]), ["duplicate"]);
        // A reload: a new pair.
        assert_eq!(
            kinds(
                &p,
                vec![view("sentry", 9_000, "A"), view("rum", 9_500, "A")]
            ),
            ["pageload", "duplicate"]
        );
    }

    #[test]
    fn other_browsers_sdks_of_one_kind_and_late_twins_count() {
        let p = PageViews::default();
        assert_eq!(
            kinds(
                &p,
                vec![
                    view("rum", 0, "A"),
                    view("rum", 10, "A"),
                    view("sentry", 20, "B")
                ]
            ),
            ["pageload", "pageload", "pageload"]
        );
        assert_eq!(
            kinds(&p, vec![view("sentry", 31_000, "A")]),
            ["pageload"],
            "too late"
        );
    }
}
