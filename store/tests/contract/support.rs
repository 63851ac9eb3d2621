//! The contract's fresh databases, the `contract!` macro, and the rows tests write.

use serde_json::json;
use store::{
    rollup::aggregate, test_db::TestPg, AlertRecord, ApiCallRow, AuditEntry, BusinessCount,
    BusinessEvent, CustomPoint, Database, DbQueryRow, ErrorEvent, IngestBatch, IssueChange,
    LogLine, Maintenance, MemorySample, Metric, NewErrorEvent, ProbeResult, RollupDelta, RollupRow,
    RumEventRow, ServerRequestRow, Sketch, Storage, TransitionRecord,
};

pub const MINUTE: i64 = 60_000;
pub const HOUR: i64 = 3_600_000;
pub const DAY: i64 = 86_400_000;

/// A fresh database for one test: a SQLite file in a temporary folder, or a PostgreSQL
/// database copied from the migrated template and dropped afterwards.
pub struct TestStore {
    db: Database,
    _dir: Option<tempfile::TempDir>,
    pg: Option<TestPg>,
}

impl TestStore {
    pub async fn sqlite() -> TestStore {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("contract.db").display());
        TestStore {
            db: Database::connect(&url, 2).await.unwrap(),
            _dir: Some(dir),
            pg: None,
        }
    }

    /// `None` (said loudly) without PostgreSQL; a failure under `CI=true`.
    pub async fn postgres() -> Option<TestStore> {
        let pg = TestPg::migrated().await?;
        Some(TestStore {
            db: Database::connect(&pg.url, 4).await.unwrap(),
            _dir: None,
            pg: Some(pg),
        })
    }

    pub fn storage(&self) -> &dyn Storage {
        &self.db
    }

    pub async fn close(self) {
        self.db.close().await;
        if let Some(pg) = self.pg {
            pg.drop().await;
        }
    }
}

/// Declares contract behaviours: each `async fn name(s) { ... }` becomes a module with
/// a `sqlite` and a `postgres` test that run the body on a fresh database.
macro_rules! contract {
    ($(
        $(#[doc = $doc:literal])*
        async fn $name:ident($s:ident) $body:block
    )+) => {$(
        $(#[doc = $doc])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn behaviour($s: &dyn store::Storage) $body

            #[tokio::test]
            async fn sqlite() {
                let db = $crate::support::TestStore::sqlite().await;
                behaviour(db.storage()).await;
                db.close().await;
            }

            #[tokio::test]
            async fn postgres() {
                let Some(db) = $crate::support::TestStore::postgres().await else {
                    return;
                };
                behaviour(db.storage()).await;
                db.close().await;
            }
        }
    )+};
}

pub fn page_load(project_id: i64, at: i64) -> RumEventRow {
    RumEventRow {
        project_id,
        received_at_ms: at,
        client_ts_ms: None,
        kind: "pageload",
        page: "/".into(),
        session_id: None,
        user_agent: None,
        restaurant_id: None,
        ttfb: None,
        dcl: None,
        load: Some(100.0),
        fp: None,
        fcp: None,
        lcp: Some(1200.0),
        cls: Some(0.05),
        inp: None,
        source: "rum",
        weight: 1.0,
    }
}

pub fn api_call(project_id: i64, at: i64, route: &str, duration_ms: f64) -> ApiCallRow {
    ApiCallRow {
        project_id,
        received_at_ms: at,
        page: None,
        method: "GET".into(),
        route: route.into(),
        status: Some(200),
        duration_ms,
        session_id: None,
        restaurant_id: None,
        source: "rum",
        weight: 1.0,
    }
}

pub fn error(project_id: i64, fingerprint: &str, at: i64, tags: &[(&str, &str)]) -> NewErrorEvent {
    let tags: Vec<(String, String)> = tags
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let body = ErrorEvent {
        event_id: Some(format!("{fingerprint}-{at}")),
        timestamp_ms: Some(at),
        level: "error".into(),
        platform: None,
        release: None,
        environment: None,
        transaction: None,
        message: Some(format!("{fingerprint} happened")),
        exceptions: vec![],
        tags: tags.clone(),
        user: None,
        contexts: Default::default(),
        breadcrumbs: vec![],
        request: None,
        sdk: None,
        fingerprint: None,
    };
    NewErrorEvent {
        project_id,
        fingerprint: fingerprint.into(),
        title: format!("{fingerprint} happened"),
        culprit: Some(format!("{fingerprint}_fn (app.js)")),
        level: "error".into(),
        received_at_ms: at,
        event_id: body.event_id.clone(),
        environment: None,
        release: None,
        user_key: None,
        restaurant_id: None,
        tags,
        body: serde_json::to_string(&body).unwrap(),
    }
}

/// Stores a batch with the rollups the writer would compute for it.
pub async fn write(s: &dyn Storage, batch: IngestBatch) -> Vec<(i64, IssueChange)> {
    let rollups = aggregate(&batch, &Default::default());
    s.write_batch(&batch, &rollups).await.unwrap()
}

pub fn errors(errors: Vec<NewErrorEvent>) -> IngestBatch {
    IngestBatch {
        errors,
        ..IngestBatch::default()
    }
}

pub fn alert_record(rule: &str, state: &str, change: Option<&'static str>, at: i64) -> AlertRecord {
    AlertRecord {
        rule: rule.into(),
        instance: String::new(),
        severity: "critical",
        threshold: 1.0,
        value: Some(5.0),
        state: Some(format!("{{\"state\":\"{state}\"}}")),
        at_ms: at,
        transition: change.map(|c| TransitionRecord {
            change: c,
            value: 5.0,
            notify: true,
            silenced: false,
            actor: None,
        }),
    }
}

/// What a flush adds to a timing rollup row: `values` counted, summed and sketched.
pub fn timing(
    project_id: i64,
    metric: Metric,
    page: &str,
    minute: i64,
    values: &[f64],
) -> RollupDelta {
    let mut sketch = Sketch::new();
    values.iter().for_each(|v| sketch.add(*v));
    RollupDelta {
        project_id,
        metric,
        restaurant: String::new(),
        page: page.into(),
        minute,
        count: values.len() as u64,
        weighted: values.len() as f64,
        sum: values.iter().sum(),
        sketch: Some(sketch),
    }
}

/// What a flush adds to a page-view row: a count, no sketch.
pub fn views(project_id: i64, page: &str, minute: i64, count: u64) -> RollupDelta {
    RollupDelta {
        project_id,
        metric: Metric::PageView,
        restaurant: String::new(),
        page: page.into(),
        minute,
        count,
        weighted: count as f64,
        sum: 0.0,
        sketch: None,
    }
}

/// Within the sketch's 1 % relative error.
pub fn near(got: Option<f64>, want: f64) -> bool {
    got.is_some_and(|g| (g - want).abs() <= want * 0.01)
}

pub fn summary(rows: &[RollupRow]) -> Vec<(&str, i64, u64, f64)> {
    rows.iter()
        .map(|r| (r.page.as_str(), r.minute, r.count, r.sum))
        .collect()
}

pub fn business(project_id: i64, at: i64, kind: &str, restaurant: Option<&str>) -> BusinessEvent {
    BusinessEvent {
        project_id,
        at_ms: at,
        kind: kind.into(),
        restaurant_id: restaurant.map(Into::into),
        order_id: None,
        payment_id: None,
        session_id: None,
        amount_minor: None,
        currency: None,
        status: None,
        method: None,
        order_type: None,
        item_count: None,
        duration_ms: None,
        item: None,
        quantity: None,
        source: None,
        body: "{}".into(),
    }
}

pub fn order(project_id: i64, at: i64, restaurant: Option<&str>, cents: i64) -> BusinessEvent {
    BusinessEvent {
        amount_minor: Some(cents),
        currency: Some("EUR".into()),
        order_type: restaurant.map(|_| "dine_in".into()),
        order_id: restaurant.map(|r| format!("{r}-{at}")),
        ..business(project_id, at, "order.created", restaurant)
    }
}

pub fn payment(project_id: i64, at: i64, status: &str, cents: i64) -> BusinessEvent {
    BusinessEvent {
        amount_minor: Some(cents),
        status: Some(status.into()),
        method: Some("card".into()),
        order_id: Some(format!("o-{at}")),
        ..business(project_id, at, "payment.processed", Some("r-1"))
    }
}

pub fn counted(
    restaurant: Option<&str>,
    kind: &str,
    status: &str,
    order_type: &str,
    (count, amount_minor, duration_ms): (u64, i64, i64),
    (with_duration, with_order): (u64, u64),
) -> BusinessCount {
    BusinessCount {
        restaurant_id: restaurant.map(Into::into),
        kind: kind.into(),
        status: status.into(),
        order_type: order_type.into(),
        count,
        amount_minor,
        duration_ms,
        with_duration,
        with_order,
    }
}

/// A winston line: `fields` plus level and message; service and restaurant read from it
/// as ingest does.
pub fn log_line(
    project_id: i64,
    at: i64,
    level: &str,
    message: &str,
    fields: serde_json::Value,
) -> LogLine {
    let mut body = fields;
    body["level"] = json!(level);
    body["message"] = json!(message);
    let text = |k: &str| body.get(k).and_then(|v| v.as_str()).map(String::from);
    LogLine {
        id: 0,
        project_id,
        at_ms: at,
        level: level.into(),
        service: text("service"),
        environment: text("environment"),
        restaurant_id: text("restaurant_id"),
        message: message.into(),
        body: body.to_string(),
    }
}

pub fn logs(logs: Vec<LogLine>) -> IngestBatch {
    IngestBatch {
        logs,
        ..IngestBatch::default()
    }
}

pub fn audit(at: i64, actor: &str, action: &str) -> AuditEntry {
    AuditEntry {
        id: 0,
        at_ms: at,
        actor: actor.into(),
        action: action.into(),
        target: None,
        source: Some("10.0.0.1".into()),
        before: None,
        after: None,
        repeats: 1,
    }
}

pub fn probe(name: &str, at: i64, ok: bool, up: bool) -> ProbeResult {
    ProbeResult {
        probe: name.into(),
        at_ms: at,
        ok,
        up,
        latency_ms: 12.5,
        error: (!ok).then(|| "timeout".into()),
    }
}

/// One row for every raw-data table but probes, at `at`, of restaurant `r-raw`.
pub fn raw_rows(project_id: i64, at: i64) -> IngestBatch {
    let restaurant = Some("r-raw".to_string());
    let mut err = error(project_id, "raw", at, &[]);
    err.restaurant_id = restaurant.clone();
    IngestBatch {
        page_loads: vec![RumEventRow {
            restaurant_id: restaurant.clone(),
            ..page_load(project_id, at)
        }],
        api_calls: vec![ApiCallRow {
            route: "/menu".into(),
            restaurant_id: restaurant.clone(),
            ..api_call(project_id, at, "/menu", 80.0)
        }],
        errors: vec![err],
        memory: vec![MemorySample {
            project_id,
            received_at_ms: at,
            page: "/".into(),
            used_mb: 64.0,
            restaurant_id: restaurant.clone(),
        }],
        custom: vec![CustomPoint {
            project_id,
            name: "raw.metric".into(),
            at_ms: at,
            value: 1.0,
        }],
        business: vec![order(project_id, at, Some("r-raw"), 100)],
        logs: vec![log_line(project_id, at, "info", "raw", json!({}))],
        server_requests: vec![server_request(project_id, at, "/api/orders/:id", 200, 40.0)],
        db_queries: vec![db_query(
            project_id,
            at,
            "SELECT * FROM orders WHERE id = ?",
            12.0,
        )],
        ..IngestBatch::default()
    }
}

/// A request the `api` service answered, of restaurant `r-raw`.
pub fn server_request(
    project_id: i64,
    at: i64,
    route: &str,
    status: u16,
    duration_ms: f64,
) -> ServerRequestRow {
    ServerRequestRow {
        project_id,
        received_at_ms: at,
        service: "api".into(),
        environment: Some("production".into()),
        method: "GET".into(),
        route: route.into(),
        status: Some(status),
        failed: status >= 500,
        duration_ms,
        restaurant_id: Some("r-raw".into()),
        weight: 1.0,
    }
}

/// A query of the `api` service.
pub fn db_query(project_id: i64, at: i64, statement: &str, duration_ms: f64) -> DbQueryRow {
    DbQueryRow {
        project_id,
        received_at_ms: at,
        service: "api".into(),
        statement: statement.into(),
        duration_ms,
        transaction: Some("GET /api/orders/:id".into()),
        restaurant_id: Some("r-raw".into()),
        weight: 1.0,
    }
}

/// The tables `capacity` reports, in its order.
pub const CAPACITY_TABLES: [&str; 10] = [
    "rum_events",
    "error_events",
    "api_calls",
    "memory_samples",
    "business_events",
    "log_lines",
    "custom_points",
    "probe_results",
    "server_requests",
    "db_queries",
];
