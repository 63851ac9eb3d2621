//! Per-minute rollups: count, sum and a quantile sketch per metric and page. The writer
//! turns each flush into [`RollupDelta`]s with [`aggregate`]; storage merges them into
//! the stored rows; queries merge rows across minutes with [`Sketch::merge`].

mod sketch;

pub use sketch::Sketch;

use crate::storage::{ApiCallRow, RumEventRow};
use std::collections::BTreeMap;

/// What a rollup row measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Metric {
    /// One per page-load beacon; count only, no sketch.
    PageView,
    Ttfb,
    DomContentLoaded,
    Load,
    FirstPaint,
    FirstContentfulPaint,
    LargestContentfulPaint,
    CumulativeLayoutShift,
    InteractionToNextPaint,
    /// Duration of API calls; the rollup's `page` is the endpoint (`GET /api/orders/:id`).
    ApiCall,
    /// API calls that failed (5xx or no answer); counts only, keyed like [`Metric::ApiCall`].
    ApiError,
}

impl Metric {
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::PageView => "pageview",
            Metric::Ttfb => "ttfb",
            Metric::DomContentLoaded => "dcl",
            Metric::Load => "load",
            Metric::FirstPaint => "fp",
            Metric::FirstContentfulPaint => "fcp",
            Metric::LargestContentfulPaint => "lcp",
            Metric::CumulativeLayoutShift => "cls",
            Metric::InteractionToNextPaint => "inp",
            Metric::ApiCall => "api",
            Metric::ApiError => "api_error",
        }
    }

    /// Metrics that are counts only (no sketch).
    fn is_count(self) -> bool {
        matches!(self, Metric::PageView | Metric::ApiError)
    }

    fn timings(e: &RumEventRow) -> [(Metric, Option<f64>); 8] {
        [
            (Metric::Ttfb, e.ttfb),
            (Metric::DomContentLoaded, e.dcl),
            (Metric::Load, e.load),
            (Metric::FirstPaint, e.fp),
            (Metric::FirstContentfulPaint, e.fcp),
            (Metric::LargestContentfulPaint, e.lcp),
            (Metric::CumulativeLayoutShift, e.cls),
            (Metric::InteractionToNextPaint, e.inp),
        ]
    }
}

/// What one flush adds to one rollup row.
#[derive(Debug, Clone)]
pub struct RollupDelta {
    pub project_id: i64,
    pub metric: Metric,
    /// `""` is the all-pages row.
    pub page: String,
    pub minute: i64,
    pub count: u64,
    pub sum: f64,
    pub sketch: Option<Sketch>,
}

/// Folds events into one delta per (project, metric, page, minute), for each page and
/// for all pages together. Events are placed by the server's receive time, so a client
/// with a wrong clock cannot put data into the past or the future.
/// Per-minute deltas of page loads (per page and for all pages) and API calls (per
/// endpoint and for all endpoints, `""`).
pub fn aggregate(events: &[RumEventRow], api_calls: &[ApiCallRow]) -> Vec<RollupDelta> {
    // Keys borrow the page from the events: no allocation per event, only per new row.
    type Key<'a> = (i64, Metric, &'a str, i64);
    fn add<'a>(
        acc: &mut BTreeMap<Key<'a>, RollupDelta>,
        (project_id, metric, page, minute): Key<'a>,
        value: Option<f64>,
    ) {
        let d = acc
            .entry((project_id, metric, page, minute))
            .or_insert_with(|| RollupDelta {
                project_id,
                metric,
                page: page.to_string(),
                minute,
                count: 0,
                sum: 0.0,
                sketch: (!metric.is_count()).then(Sketch::new),
            });
        d.count += 1;
        if let Some(v) = value {
            d.sum += v;
            if let Some(s) = d.sketch.as_mut() {
                s.add(v);
            }
        }
    }
    let mut acc = BTreeMap::new();
    for e in events {
        let minute = crate::clock::minute_of(e.received_at_ms);
        for page in [e.page.as_str(), ""] {
            add(
                &mut acc,
                (e.project_id, Metric::PageView, page, minute),
                None,
            );
            for (metric, value) in Metric::timings(e) {
                if value.is_some() {
                    add(&mut acc, (e.project_id, metric, page, minute), value);
                }
            }
        }
    }
    let endpoints: Vec<String> = api_calls.iter().map(ApiCallRow::endpoint).collect();
    for (c, endpoint) in api_calls.iter().zip(&endpoints) {
        let minute = crate::clock::minute_of(c.received_at_ms);
        for key in [endpoint.as_str(), ""] {
            add(
                &mut acc,
                (c.project_id, Metric::ApiCall, key, minute),
                Some(c.duration_ms),
            );
            if c.failed() {
                add(
                    &mut acc,
                    (c.project_id, Metric::ApiError, key, minute),
                    None,
                );
            }
        }
    }
    acc.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(page: &str, at_ms: i64, load: Option<f64>) -> RumEventRow {
        RumEventRow {
            project_id: 1,
            received_at_ms: at_ms,
            client_ts_ms: None,
            page: page.into(),
            session_id: None,
            user_agent: None,
            ttfb: Some(50.0),
            dcl: None,
            load,
            fp: None,
            fcp: None,
            lcp: None,
            cls: None,
            inp: None,
            source: "rum",
        }
    }

    fn find<'a>(d: &'a [RollupDelta], m: Metric, page: &str, minute: i64) -> &'a RollupDelta {
        d.iter()
            .find(|x| x.metric == m && x.page == page && x.minute == minute)
            .expect("delta present")
    }

    #[test]
    fn each_event_counts_for_its_page_and_for_all_pages_in_its_minute() {
        let events = [
            event("/menu", 60_000, Some(100.0)),
            event("/menu", 119_999, Some(300.0)),
            event("/cart", 120_000, None),
        ];
        let d = aggregate(&events, &[]);
        let menu = find(&d, Metric::Load, "/menu", 1);
        assert_eq!((menu.count, menu.sum), (2, 400.0));
        assert_eq!(find(&d, Metric::PageView, "", 1).count, 2);
        assert_eq!(find(&d, Metric::PageView, "", 2).count, 1);
        assert!(find(&d, Metric::PageView, "", 2).sketch.is_none());
        // No load timing on /cart: no load row, but TTFB is there.
        assert!(!d
            .iter()
            .any(|x| x.metric == Metric::Load && x.page == "/cart"));
        assert_eq!(find(&d, Metric::Ttfb, "/cart", 2).count, 1);
    }

    #[test]
    fn api_calls_roll_up_per_endpoint_with_their_failures() {
        let call = |route: &str, status: Option<u16>, ms: f64| ApiCallRow {
            project_id: 1,
            received_at_ms: 60_000,
            page: None,
            method: "GET".into(),
            route: route.into(),
            status,
            duration_ms: ms,
            session_id: None,
            source: "rum",
        };
        let calls = [
            call("/api/orders/:id", Some(200), 100.0),
            call("/api/orders/:id", Some(503), 300.0),
            call("/api/menu", None, 50.0),
        ];
        let d = aggregate(&[], &calls);
        let orders = find(&d, Metric::ApiCall, "GET /api/orders/:id", 1);
        assert_eq!((orders.count, orders.sum), (2, 400.0));
        assert_eq!(
            find(&d, Metric::ApiError, "GET /api/orders/:id", 1).count,
            1
        );
        assert_eq!(
            find(&d, Metric::ApiError, "", 1).count,
            2,
            "no answer is a failure"
        );
        assert_eq!(find(&d, Metric::ApiCall, "", 1).count, 3);
        assert!(find(&d, Metric::ApiError, "", 1).sketch.is_none());
    }

    #[test]
    fn sketches_in_deltas_give_the_quantiles_of_their_values() {
        let events: Vec<_> = (1..=100).map(|i| event("/", 0, Some(i as f64))).collect();
        let d = aggregate(&events, &[]);
        let all = find(&d, Metric::Load, "", 0);
        let p50 = all.sketch.as_ref().unwrap().quantile(0.5).unwrap();
        assert!((p50 - 50.0).abs() <= 1.0, "p50 was {p50}");
    }
}
