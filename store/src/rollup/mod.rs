//! Per-minute rollups: count, weighted count, sum and a quantile sketch per metric,
//! restaurant and key (page, endpoint, statement, ...). The writer turns each flush into
//! [`RollupDelta`]s with [`aggregate`]; storage merges them into the stored rows; queries
//! merge rows across minutes with [`Sketch::merge`]. Every row is counted for its own
//! restaurant and for all restaurants (`""`), for its own key and for all keys (`""`), so
//! a view filtered by restaurant reads rollups like an unfiltered one.

pub mod cardinality;
pub mod sketch;

use crate::model::{IngestBatch, RumEventRow};
use protocol::{Rating, Vital};
use serde::{Deserialize, Serialize};
pub use sketch::Sketch;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

/// What counts as slow or heavy when rows are rolled up (`[performance]` in the config).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    /// API calls at least this slow (ms) are flagged and listed as slow calls.
    pub slow_call_ms: f64,
    /// JS heap samples over this many MB count as memory warnings.
    pub memory_warning_mb: f64,
    /// Database queries at least this slow (ms) count as slow queries.
    pub slow_query_ms: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            slow_call_ms: 2000.0,
            memory_warning_mb: 50.0,
            slow_query_ms: 2000.0,
        }
    }
}

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
    /// Page views whose vital fell in a rating bucket; counts only.
    Rated(Vital, Rating),
    /// Duration of API calls; the rollup's `page` is the endpoint (`GET /api/orders/:id`).
    ApiCall,
    /// API calls that failed (5xx or no answer); counts only, keyed like [`Metric::ApiCall`].
    ApiError,
    /// API calls at or over `performance.slow_call_ms`; counts only.
    ApiSlow,
    /// JS heap used, MB; keyed by page.
    Memory,
    /// Heap samples over `performance.memory_warning_mb`; counts only.
    MemoryWarning,
    /// Page views by browser (`Chrome 120`) and by device (`pc`, `smartphone`, ...).
    Browser,
    Device,
    /// A custom metric; the key is its name.
    Custom,
    /// Duration of requests platform servers answered; keyed by
    /// [`crate::model::server_key`] (service, environment, endpoint).
    ServerRequest,
    /// Server requests that failed (5xx, `internal_error`); counts only, keyed alike.
    ServerError,
    /// Duration of database queries; keyed by service and normalized statement.
    DbQuery,
    /// Queries at or over `performance.slow_query_ms`; counts only, keyed alike.
    DbSlow,
}

const RATED: [[&str; 3]; 5] = [
    ["lcp:good", "lcp:needs-improvement", "lcp:poor"],
    ["inp:good", "inp:needs-improvement", "inp:poor"],
    ["cls:good", "cls:needs-improvement", "cls:poor"],
    ["fcp:good", "fcp:needs-improvement", "fcp:poor"],
    ["ttfb:good", "ttfb:needs-improvement", "ttfb:poor"],
];

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
            Metric::Rated(v, r) => RATED[v as usize][r as usize],
            Metric::ApiCall => "api",
            Metric::ApiError => "api_error",
            Metric::ApiSlow => "api_slow",
            Metric::Memory => "memory",
            Metric::MemoryWarning => "memory_warning",
            Metric::Browser => "browser",
            Metric::Device => "device",
            Metric::Custom => "custom",
            Metric::ServerRequest => "server",
            Metric::ServerError => "server_error",
            Metric::DbQuery => "db",
            Metric::DbSlow => "db_slow",
        }
    }

    /// The metric that holds a vital's values.
    pub fn of(v: Vital) -> Metric {
        match v {
            Vital::Lcp => Metric::LargestContentfulPaint,
            Vital::Inp => Metric::InteractionToNextPaint,
            Vital::Cls => Metric::CumulativeLayoutShift,
            Vital::Fcp => Metric::FirstContentfulPaint,
            Vital::Ttfb => Metric::Ttfb,
        }
    }

    /// Metrics that are counts only (no sketch).
    fn is_count(self) -> bool {
        matches!(
            self,
            Metric::PageView
                | Metric::Rated(..)
                | Metric::ApiError
                | Metric::ApiSlow
                | Metric::MemoryWarning
                | Metric::Browser
                | Metric::Device
                | Metric::ServerError
                | Metric::DbSlow
        )
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

    fn vitals(e: &RumEventRow) -> [(Vital, Option<f64>); 5] {
        [
            (Vital::Lcp, e.lcp),
            (Vital::Inp, e.inp),
            (Vital::Cls, e.cls),
            (Vital::Fcp, e.fcp),
            (Vital::Ttfb, e.ttfb),
        ]
    }
}

/// What one flush adds to one rollup row.
#[derive(Debug, Clone)]
pub struct RollupDelta {
    pub project_id: i64,
    pub metric: Metric,
    /// `""` is the all-restaurants row.
    pub restaurant: String,
    /// `""` is the all-pages (all-keys) row.
    pub page: String,
    pub minute: i64,
    pub count: u64,
    /// The rows' sample weights summed.
    pub weighted: f64,
    pub sum: f64,
    pub sketch: Option<Sketch>,
}

/// Browser (`Chrome 120`) and device category (`pc`, `smartphone`, `mobilephone`,
/// `appliance`, `crawler`, `unknown`) of a user agent.
pub fn browser_and_device(ua: &str) -> (String, String) {
    match woothee::parser::Parser::new().parse(ua) {
        Some(r) if r.name != "UNKNOWN" => {
            let major = r.version.split('.').next().unwrap_or("");
            let browser = if major.is_empty() || major == "UNKNOWN" {
                r.name.to_string()
            } else {
                format!("{} {major}", r.name)
            };
            (browser, r.category.to_string())
        }
        _ => ("Other".into(), "unknown".into()),
    }
}

type Key<'a> = (i64, Metric, &'a str, Cow<'a, str>, i64);

/// The deltas of one flush, keyed by (project, metric, restaurant, key, minute).
#[derive(Default)]
struct Acc<'a>(BTreeMap<Key<'a>, RollupDelta>);

impl<'a> Acc<'a> {
    /// Counts one row of `weight` (and its `value`, if any) under `key`, for its
    /// restaurant and all restaurants, and for `key` and all keys.
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        project_id: i64,
        metric: Metric,
        restaurant: Option<&'a str>,
        key: Cow<'a, str>,
        minute: i64,
        weight: f64,
        value: Option<f64>,
    ) {
        for r in [restaurant, Some("")].into_iter().flatten() {
            for k in [key.clone(), Cow::Borrowed("")] {
                self.one((project_id, metric, r, k, minute), weight, value);
                if key.is_empty() {
                    break;
                }
            }
            if restaurant == Some("") {
                break;
            }
        }
    }

    /// Counts a row under `key` only, with no all-keys row: browsers and devices are two
    /// views of one page view (its all-keys row is the page view), and custom metrics
    /// are unrelated series.
    #[allow(clippy::too_many_arguments)]
    fn add_key_only(
        &mut self,
        project_id: i64,
        metric: Metric,
        restaurant: Option<&'a str>,
        key: Cow<'a, str>,
        minute: i64,
        weight: f64,
        value: Option<f64>,
    ) {
        for r in [restaurant, Some("")].into_iter().flatten() {
            self.one((project_id, metric, r, key.clone(), minute), weight, value);
            if restaurant == Some("") {
                break;
            }
        }
    }

    fn one(&mut self, k: Key<'a>, weight: f64, value: Option<f64>) {
        let d = self
            .0
            .entry(k)
            .or_insert_with_key(|(project_id, metric, r, page, minute)| RollupDelta {
                project_id: *project_id,
                metric: *metric,
                restaurant: r.to_string(),
                page: page.to_string(),
                minute: *minute,
                count: 0,
                weighted: 0.0,
                sum: 0.0,
                sketch: (!metric.is_count()).then(Sketch::new),
            });
        d.count += 1;
        d.weighted += weight;
        if let Some(v) = value {
            d.sum += v;
            if let Some(s) = d.sketch.as_mut() {
                s.add(v);
            }
        }
    }
}

/// A sample weight that is usable: finite and at least 1 (an SDK sends at most all).
fn weight(w: f64) -> f64 {
    if w.is_finite() && w >= 1.0 {
        w
    } else {
        1.0
    }
}

/// Folds a batch into deltas per (project, metric, restaurant, key, minute), for each
/// key (page, endpoint, browser, ...) and all keys (`""`), each restaurant and all
/// restaurants (`""`). Rows are placed by the server's receive time, so a client with a
/// wrong clock cannot put data into the past or the future (custom metrics, which carry
/// their own time, are the exception). Page loads marked `duplicate` (a page view both
/// SDKs reported) are left out.
pub fn aggregate(batch: &IngestBatch, flags: &Thresholds) -> Vec<RollupDelta> {
    // Keys borrow from the batch: no allocation per row, only per new delta.
    let mut acc = Acc::default();
    // A request's beacons share a user agent: parse each distinct one once.
    let mut agents: HashMap<&str, (String, String)> = HashMap::new();
    for ua in batch
        .page_loads
        .iter()
        .filter_map(|e| e.user_agent.as_deref())
    {
        agents.entry(ua).or_insert_with(|| browser_and_device(ua));
    }
    for e in batch.page_loads.iter().filter(|e| e.kind != "duplicate") {
        let minute = crate::clock::minute_of(e.received_at_ms);
        let (p, r, w) = (e.project_id, e.restaurant_id.as_deref(), weight(e.weight));
        let page = || Cow::Borrowed(e.page.as_str());
        let is_view = e.kind == "pageload";
        if is_view {
            acc.add(p, Metric::PageView, r, page(), minute, w, None);
        }
        for (metric, value) in Metric::timings(e) {
            if value.is_some() {
                acc.add(p, metric, r, page(), minute, w, value);
            }
        }
        for (vital, value) in Metric::vitals(e) {
            if let Some(v) = value {
                let rated = Metric::Rated(vital, vital.rate(v));
                acc.add(p, rated, r, page(), minute, w, None);
            }
        }
        let agent = e.user_agent.as_deref().and_then(|ua| agents.get(ua));
        if let Some((browser, device)) = agent.filter(|_| is_view) {
            acc.add_key_only(
                p,
                Metric::Browser,
                r,
                Cow::Owned(browser.clone()),
                minute,
                w,
                None,
            );
            acc.add_key_only(
                p,
                Metric::Device,
                r,
                Cow::Owned(device.clone()),
                minute,
                w,
                None,
            );
        }
    }
    for c in &batch.api_calls {
        let minute = crate::clock::minute_of(c.received_at_ms);
        let (p, r, w) = (c.project_id, c.restaurant_id.as_deref(), weight(c.weight));
        let key: Cow<str> = Cow::Owned(c.endpoint());
        acc.add(
            p,
            Metric::ApiCall,
            r,
            key.clone(),
            minute,
            w,
            Some(c.duration_ms),
        );
        if c.failed() {
            acc.add(p, Metric::ApiError, r, key.clone(), minute, w, None);
        }
        if c.duration_ms >= flags.slow_call_ms {
            acc.add(p, Metric::ApiSlow, r, key, minute, w, None);
        }
    }
    for m in &batch.memory {
        let minute = crate::clock::minute_of(m.received_at_ms);
        let (p, r) = (m.project_id, m.restaurant_id.as_deref());
        let page = Cow::Borrowed(m.page.as_str());
        acc.add(
            p,
            Metric::Memory,
            r,
            page.clone(),
            minute,
            1.0,
            Some(m.used_mb),
        );
        if m.used_mb > flags.memory_warning_mb {
            acc.add(p, Metric::MemoryWarning, r, page, minute, 1.0, None);
        }
    }
    for pt in &batch.custom {
        let minute = crate::clock::minute_of(pt.at_ms);
        let name = Cow::Borrowed(pt.name.as_str());
        acc.add_key_only(
            pt.project_id,
            Metric::Custom,
            None,
            name,
            minute,
            1.0,
            Some(pt.value),
        );
    }
    for q in &batch.server_requests {
        let minute = crate::clock::minute_of(q.received_at_ms);
        let (p, r, w) = (q.project_id, q.restaurant_id.as_deref(), weight(q.weight));
        let key: Cow<str> = Cow::Owned(q.key());
        acc.add(
            p,
            Metric::ServerRequest,
            r,
            key.clone(),
            minute,
            w,
            Some(q.duration_ms),
        );
        if q.failed {
            acc.add(p, Metric::ServerError, r, key, minute, w, None);
        }
    }
    for q in &batch.db_queries {
        let minute = crate::clock::minute_of(q.received_at_ms);
        let (p, r, w) = (q.project_id, q.restaurant_id.as_deref(), weight(q.weight));
        let key: Cow<str> = Cow::Owned(format!("{}\t{}", q.service, q.statement));
        acc.add(
            p,
            Metric::DbQuery,
            r,
            key.clone(),
            minute,
            w,
            Some(q.duration_ms),
        );
        if q.duration_ms >= flags.slow_query_ms {
            acc.add(p, Metric::DbSlow, r, key, minute, w, None);
        }
    }
    acc.0.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ApiCallRow;

    fn event(page: &str, at_ms: i64, load: Option<f64>) -> RumEventRow {
        RumEventRow {
            project_id: 1,
            received_at_ms: at_ms,
            client_ts_ms: None,
            kind: "pageload",
            page: page.into(),
            session_id: None,
            user_agent: None,
            restaurant_id: None,
            ttfb: Some(50.0),
            dcl: None,
            load,
            fp: None,
            fcp: None,
            lcp: None,
            cls: None,
            inp: None,
            source: "rum",
            weight: 1.0,
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
        let d = aggregate(
            &IngestBatch {
                page_loads: events.to_vec(),
                ..Default::default()
            },
            &Thresholds::default(),
        );
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
            restaurant_id: None,
            source: "rum",
            weight: 1.0,
        };
        let calls = [
            call("/api/orders/:id", Some(200), 100.0),
            call("/api/orders/:id", Some(503), 300.0),
            call("/api/menu", None, 50.0),
        ];
        let d = aggregate(
            &IngestBatch {
                api_calls: calls.to_vec(),
                ..Default::default()
            },
            &Thresholds::default(),
        );
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
    fn vitals_are_rated_and_only_page_loads_are_views() {
        let mut load = event("/menu", 0, Some(900.0));
        load.user_agent = Some(
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36".into(),
        );
        load.fcp = Some(1900.0);
        let mut vitals = event("/menu", 0, None);
        vitals.kind = "vitals";
        vitals.ttfb = None;
        (vitals.lcp, vitals.cls, vitals.inp) = (Some(4100.0), Some(0.05), Some(150.0));
        let d = aggregate(
            &IngestBatch {
                page_loads: vec![load, vitals],
                ..Default::default()
            },
            &Thresholds::default(),
        );
        assert_eq!(
            find(&d, Metric::PageView, "/menu", 0).count,
            1,
            "vitals are not a view"
        );
        assert_eq!(
            find(&d, Metric::Rated(Vital::Lcp, Rating::Poor), "", 0).count,
            1
        );
        assert_eq!(
            find(&d, Metric::Rated(Vital::Cls, Rating::Good), "/menu", 0).count,
            1
        );
        assert_eq!(
            find(
                &d,
                Metric::Rated(Vital::Fcp, Rating::NeedsImprovement),
                "",
                0
            )
            .count,
            1
        );
        assert_eq!(
            find(&d, Metric::Rated(Vital::Ttfb, Rating::Good), "", 0).count,
            1
        );
        assert_eq!(find(&d, Metric::Browser, "Chrome 120", 0).count, 1);
        assert_eq!(find(&d, Metric::Device, "pc", 0).count, 1);
        assert_eq!(
            Metric::Rated(Vital::Inp, Rating::NeedsImprovement).as_str(),
            "inp:needs-improvement"
        );
    }

    #[test]
    fn memory_and_slow_calls_are_flagged() {
        let sample = |mb: f64| crate::model::MemorySample {
            project_id: 1,
            received_at_ms: 0,
            page: "/kds".into(),
            used_mb: mb,
            restaurant_id: None,
        };
        let call = |ms: f64| ApiCallRow {
            project_id: 1,
            received_at_ms: 0,
            page: None,
            method: "GET".into(),
            route: "/api/x".into(),
            status: Some(200),
            duration_ms: ms,
            session_id: None,
            restaurant_id: None,
            source: "rum",
            weight: 1.0,
        };
        let d = aggregate(
            &IngestBatch {
                memory: vec![sample(30.0), sample(64.0)],
                api_calls: vec![call(1999.0), call(2000.0), call(2600.0)],
                ..Default::default()
            },
            &Thresholds::default(),
        );
        assert_eq!(find(&d, Metric::Memory, "/kds", 0).count, 2);
        assert_eq!(find(&d, Metric::MemoryWarning, "", 0).count, 1);
        assert_eq!(
            find(&d, Metric::ApiSlow, "GET /api/x", 0).count,
            2,
            "2000 ms is slow"
        );
        assert_eq!(browser_and_device("???").0, "Other");
    }

    #[test]
    fn sketches_in_deltas_give_the_quantiles_of_their_values() {
        let events: Vec<_> = (1..=100).map(|i| event("/", 0, Some(i as f64))).collect();
        let d = aggregate(
            &IngestBatch {
                page_loads: events.to_vec(),
                ..Default::default()
            },
            &Thresholds::default(),
        );
        let all = find(&d, Metric::Load, "", 0);
        let p50 = all.sketch.as_ref().unwrap().quantile(0.5).unwrap();
        assert!((p50 - 50.0).abs() <= 1.0, "p50 was {p50}");
    }
}
