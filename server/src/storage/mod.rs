//! The storage interface. Everything that reads or writes the database goes through
//! [`Storage`]; [`sqlite::SqliteStorage`] is the embedded default and
//! [`postgres::PgStorage`] serves several instances sharing one database. The URL
//! chooses: `sqlite://...` or `postgres://...`.

#[cfg(test)]
pub mod contract;
pub mod export;
pub mod postgres;
mod rows;
pub mod sqlite;
pub mod test_db;

use crate::rollup::{Metric, RollupDelta};
use async_trait::async_trait;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored sketch is unreadable: {0}")]
    Sketch(String),
    #[error("unsupported database url {0:?}: use sqlite://path or postgres://user@host/db")]
    UnsupportedUrl(String),
}

pub type Result<T> = std::result::Result<T, StorageError>;

#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub public_key: String,
    pub filters: InboundFilters,
}

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
}

/// A live API token as listed: the wire type the read API and Settings show as is.
pub use app::model::ApiTokenInfo as ApiToken;

pub use app::model::{
    ErrorEvent, FiltersView, InboundFilters, IssueDetail, IssueQuery, IssueSort, IssueStatus,
    IssueSummary, OutcomeCount, SessionHealth, SlowCall, TagDistribution,
};

/// One stored page load (from the RUM SDK or a Sentry `pageload` transaction).
#[derive(Debug, Clone, PartialEq)]
pub struct RumEventRow {
    pub project_id: i64,
    pub received_at_ms: i64,
    pub client_ts_ms: Option<i64>,
    /// `pageload` (a page view) or `vitals` (final LCP/CLS/INP, sent when the page hides).
    pub kind: &'static str,
    pub page: String,
    pub session_id: Option<String>,
    pub user_agent: Option<String>,
    pub restaurant_id: Option<String>,
    pub ttfb: Option<f64>,
    pub dcl: Option<f64>,
    pub load: Option<f64>,
    pub fp: Option<f64>,
    pub fcp: Option<f64>,
    pub lcp: Option<f64>,
    pub cls: Option<f64>,
    pub inp: Option<f64>,
    /// `rum` or `sentry`.
    pub source: &'static str,
}

/// One API call a client made (RUM SDK fetch/XHR, Sentry `http.client` span).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiCallRow {
    pub project_id: i64,
    pub received_at_ms: i64,
    pub page: Option<String>,
    pub method: String,
    /// The URL reduced to a route template: `/api/orders/:id`.
    pub route: String,
    pub status: Option<u16>,
    pub duration_ms: f64,
    pub session_id: Option<String>,
    pub restaurant_id: Option<String>,
    pub source: &'static str,
}

/// One JS heap sample of a page (RUM `memory` beacon).
#[derive(Debug, Clone, PartialEq)]
pub struct MemorySample {
    pub project_id: i64,
    pub received_at_ms: i64,
    pub page: String,
    pub used_mb: f64,
    pub restaurant_id: Option<String>,
}

/// One business event (`POST /api/events`, or a log line with an `event` field).
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessEvent {
    pub project_id: i64,
    pub at_ms: i64,
    /// `order.created`, `payment.processed`, ... or any custom name.
    pub kind: String,
    pub restaurant_id: Option<String>,
    pub order_id: Option<String>,
    pub payment_id: Option<String>,
    pub session_id: Option<String>,
    /// Order total or payment amount in minor units (cents).
    pub amount_minor: Option<i64>,
    pub currency: Option<String>,
    /// Payments: `success` / `failed`; voice sessions: the outcome (`success`, ...).
    pub status: Option<String>,
    pub method: Option<String>,
    pub order_type: Option<String>,
    pub item_count: Option<i64>,
    pub duration_ms: Option<i64>,
    pub item: Option<String>,
    pub quantity: Option<f64>,
    /// Security events: the address the attempt came from.
    pub source: Option<String>,
    /// The event as sent.
    pub body: String,
}

/// Business events counted by restaurant, kind, status and order type.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BusinessCount {
    pub restaurant_id: Option<String>,
    pub kind: String,
    pub status: String,
    pub order_type: String,
    pub count: u64,
    pub amount_minor: i64,
    pub duration_ms: i64,
    pub with_duration: u64,
    pub with_order: u64,
}

/// One point of a custom metric (`POST /api/internal/metrics`).
#[derive(Debug, Clone, PartialEq)]
pub struct CustomPoint {
    pub project_id: i64,
    pub name: String,
    pub at_ms: i64,
    pub value: f64,
}

impl ApiCallRow {
    /// The rollup key: `GET /api/orders/:id`.
    pub fn endpoint(&self) -> String {
        format!("{} {}", self.method, self.route)
    }

    /// A server error, or no answer at all.
    pub fn failed(&self) -> bool {
        self.status.is_none_or(|s| s == 0 || s >= 500)
    }
}

/// Release health: one session's state, or an aggregate of many.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionUpdate {
    Single {
        project_id: i64,
        sid: String,
        started_ms: i64,
        updated_ms: i64,
        release: String,
        environment: String,
        /// `ok`, `exited`, `crashed`, `abnormal` (Sentry's session statuses).
        status: String,
        errors: u64,
    },
    Aggregate {
        project_id: i64,
        minute: i64,
        release: String,
        environment: String,
        exited: u64,
        errored: u64,
        crashed: u64,
        abnormal: u64,
    },
}

/// Accepted but not stored: counted per hour.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub project_id: i64,
    pub at_ms: i64,
    /// `filtered`, `rate_limited` or `client`.
    pub source: &'static str,
    pub reason: String,
    pub category: String,
    pub quantity: u64,
}

/// Everything the ingest writer stores in one transaction.
#[derive(Debug, Default)]
pub struct IngestBatch {
    pub business: Vec<BusinessEvent>,
    pub logs: Vec<LogLine>,
    pub page_loads: Vec<RumEventRow>,
    pub api_calls: Vec<ApiCallRow>,
    pub errors: Vec<NewErrorEvent>,
    pub sessions: Vec<SessionUpdate>,
    pub outcomes: Vec<Outcome>,
    pub memory: Vec<MemorySample>,
    pub custom: Vec<CustomPoint>,
}

impl IngestBatch {
    /// Size in queue slots: one per row (a page load is ~300 bytes in memory), and one
    /// per 256 bytes of an error event's body and tags (held in memory about twice), so a
    /// queue bounded in slots is also bounded in memory.
    pub fn weight(&self) -> usize {
        self.page_loads.len()
            + self.api_calls.len()
            + self.sessions.len()
            + self.outcomes.len()
            + self.memory.len()
            + self.custom.len()
            + self
                .errors
                .iter()
                .map(|e| {
                    let tags: usize = e.tags.iter().map(|(k, v)| k.len() + v.len()).sum();
                    1 + (e.body.len() + tags) / 256
                })
                .sum::<usize>()
    }

    /// Rows it holds (what "events" counts in stats and logs).
    pub fn len(&self) -> usize {
        self.page_loads.len()
            + self.api_calls.len()
            + self.errors.len()
            + self.sessions.len()
            + self.outcomes.len()
            + self.memory.len()
            + self.custom.len()
            + self.business.len()
            + self.logs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn append(&mut self, mut other: IngestBatch) {
        self.page_loads.append(&mut other.page_loads);
        self.api_calls.append(&mut other.api_calls);
        self.errors.append(&mut other.errors);
        self.sessions.append(&mut other.sessions);
        self.outcomes.append(&mut other.outcomes);
        self.memory.append(&mut other.memory);
        self.custom.append(&mut other.custom);
        self.business.append(&mut other.business);
        self.logs.append(&mut other.logs);
    }
}

/// One stored per-minute rollup row.
#[derive(Debug, Clone)]
pub struct RollupRow {
    pub minute: i64,
    pub page: String,
    pub count: u64,
    pub sum: f64,
    pub sketch: Option<crate::rollup::Sketch>,
}

#[async_trait]
pub trait Storage: Send + Sync + 'static {
    async fn ping(&self) -> Result<()>;

    /// Creates the project if it does not exist (with a new public key) and returns it.
    async fn ensure_project(&self, slug: &str, name: &str, public_key: &str) -> Result<Project>;
    async fn projects(&self) -> Result<Vec<Project>>;

    async fn user_by_name(&self, username: &str) -> Result<Option<User>>;
    async fn create_user(&self, username: &str, password_hash: &str) -> Result<User>;

    async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        expires_at_ms: i64,
    ) -> Result<()>;
    /// The user of a live session, or `None` for unknown or expired tokens.
    async fn session_user(&self, token_hash: &str, now_ms: i64) -> Result<Option<User>>;
    async fn delete_session(&self, token_hash: &str) -> Result<()>;

    async fn create_api_token(
        &self,
        user_id: i64,
        name: &str,
        token_hash: &str,
        prefix: &str,
    ) -> Result<ApiToken>;
    /// The user behind a live API token; records the use (at most once a minute).
    async fn api_token_user(&self, token_hash: &str, now_ms: i64) -> Result<Option<User>>;
    async fn api_tokens(&self) -> Result<Vec<ApiToken>>;
    /// Revokes a token; `false` when no live token has that id.
    async fn revoke_api_token(&self, id: i64) -> Result<bool>;

    /// Stores a batch (raw rows, error events with their issues, sessions, outcomes)
    /// and merges rollup deltas, all in one transaction. Returns what each error event
    /// did to its issue, in order.
    async fn write_batch(
        &self,
        batch: &IngestBatch,
        rollups: &[RollupDelta],
    ) -> Result<Vec<(i64, IssueChange)>>;
    /// Rollup rows of one metric and page (`""` = all pages) with `from <= minute <= to`.
    async fn rollups(
        &self,
        project_id: i64,
        metric: Metric,
        page: &str,
        from_minute: i64,
        to_minute: i64,
    ) -> Result<Vec<RollupRow>>;
    /// Rollup rows of one metric for every key but `""` (each page, each endpoint) with
    /// `from <= minute <= to`, ordered by key then minute.
    async fn rollups_by_key(
        &self,
        project_id: i64,
        metric: Metric,
        from_minute: i64,
        to_minute: i64,
    ) -> Result<Vec<RollupRow>>;
    /// API calls of at least `min_ms` since `from_ms`, slowest first.
    async fn slow_calls(
        &self,
        project_id: i64,
        from_ms: i64,
        min_ms: f64,
        restaurant: Option<&str>,
        limit: u32,
    ) -> Result<Vec<SlowCall>>;
    /// One restaurant's raw page loads, API calls and memory samples since `from_ms`.
    async fn restaurant_rows(
        &self,
        project_id: i64,
        restaurant: &str,
        from_ms: i64,
    ) -> Result<IngestBatch>;
    /// Pages by page views in `from <= minute <= to`, most viewed first.
    async fn top_pages(
        &self,
        project_id: i64,
        from_minute: i64,
        to_minute: i64,
        limit: u32,
    ) -> Result<Vec<(String, u64)>>;
    async fn count_rum_events(&self, project_id: i64) -> Result<u64>;

    /// Issues of a project matching `q`, each with its 24-hour sparkline ending at `now`.
    async fn issues(
        &self,
        project_id: i64,
        q: &IssueQuery,
        now_ms: i64,
    ) -> Result<Vec<IssueSummary>>;
    async fn issue(&self, id: i64) -> Result<Option<IssueSummary>>;
    /// The tags of an issue's events: each key with its most frequent values.
    async fn issue_tags(&self, issue_id: i64, top: u32) -> Result<Vec<TagDistribution>>;
    /// Normalized events of an issue, newest first.
    async fn issue_events(&self, issue_id: i64, limit: u32) -> Result<Vec<ErrorEvent>>;
    /// `false` when no such issue.
    async fn set_issue_status(&self, id: i64, status: IssueStatus) -> Result<bool>;
    /// Error events per minute with `from <= minute <= to` (minutes without any omitted).
    async fn error_minutes(&self, project_id: i64, from: i64, to: i64) -> Result<Vec<(i64, u64)>>;

    /// The project's inbound filters, or the defaults when never saved.
    async fn filters(&self, project_id: i64) -> Result<InboundFilters>;
    async fn set_filters(&self, project_id: i64, f: &InboundFilters, now_ms: i64) -> Result<()>;
    /// What was dropped since `from_ms`, by source, reason and category.
    async fn outcomes(&self, project_id: i64, from_ms: i64) -> Result<Vec<OutcomeCount>>;
    /// Release health of sessions started in `from_ms..to_ms`.
    async fn session_health(
        &self,
        project_id: i64,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<SessionHealth>;

    /// Every alert instance's stored state, with its acknowledgement.
    async fn alert_states(&self) -> Result<Vec<AlertStateRow>>;
    /// Stores one evaluation in one transaction: each instance's new state, its
    /// transition (the history), and the outbox messages that tell people about them.
    /// A resolve clears the instance's acknowledgement.
    async fn record_evaluation(&self, e: &Evaluation) -> Result<()>;
    /// Acknowledges a firing instance (and records it in the history); `false` when it
    /// is not firing or already acknowledged.
    async fn acknowledge_alert(
        &self,
        rule: &str,
        instance: &str,
        by: &str,
        now_ms: i64,
    ) -> Result<bool>;
    /// Outbox rows due at `now_ms`, oldest first.
    async fn due_notifications(&self, now_ms: i64, limit: u32) -> Result<Vec<OutboxRow>>;
    async fn notification_delivered(&self, id: i64, now_ms: i64) -> Result<()>;
    /// A failed attempt: retried at `retry_at_ms`, or given up (`None`).
    async fn notification_failed(
        &self,
        id: i64,
        error: &str,
        retry_at_ms: Option<i64>,
    ) -> Result<()>;
    /// Deliveries, newest first; of one history entry when `history_id` is given.
    async fn deliveries(&self, history_id: Option<i64>, limit: u32) -> Result<Vec<Delivery>>;
    /// Alert transitions matching `q`, newest first.
    async fn alert_history(&self, q: &AlertHistoryQuery) -> Result<Vec<AlertHistoryEntry>>;

    async fn create_silence(&self, s: &Silence) -> Result<i64>;
    /// Ends a silence now; `false` when there is no such silence or it already ended.
    async fn expire_silence(&self, id: i64, now_ms: i64) -> Result<bool>;
    /// Silences that end after `ends_after_ms`, newest first.
    async fn silences(&self, ends_after_ms: i64) -> Result<Vec<Silence>>;

    /// Rules saved from the dashboard.
    async fn stored_rules(&self) -> Result<Vec<StoredRule>>;
    async fn save_rule(&self, r: &StoredRule) -> Result<()>;
    /// `false` when there was no such stored rule.
    async fn delete_rule(&self, name: &str) -> Result<bool>;

    /// Error events in `from_ms..to_ms` per restaurant (`None`: events without one),
    /// of one environment when given.
    async fn errors_by_restaurant(
        &self,
        project_id: i64,
        from_ms: i64,
        to_ms: i64,
        environment: Option<&str>,
    ) -> Result<Vec<(Option<String>, u64)>>;
    /// Page views in `from_ms..to_ms` per restaurant.
    async fn page_views_by_restaurant(
        &self,
        project_id: i64,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<(Option<String>, u64)>>;
    /// Each API call's duration in `from_ms..to_ms` with its restaurant.
    async fn api_durations_by_restaurant(
        &self,
        project_id: i64,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<(Option<String>, f64)>>;

    /// Business events in `from_ms..to_ms` counted by restaurant, kind, status and order
    /// type (one restaurant when given).
    async fn business_counts(
        &self,
        project_id: i64,
        from_ms: i64,
        to_ms: i64,
        restaurant: Option<&str>,
    ) -> Result<Vec<BusinessCount>>;
    /// `(bucket start ms, kind, status, count)` per `bucket_ms` in `from_ms..to_ms`.
    async fn business_series(
        &self,
        project_id: i64,
        from_ms: i64,
        to_ms: i64,
        bucket_ms: i64,
        restaurant: Option<&str>,
    ) -> Result<Vec<(i64, String, String, u64)>>;
    /// The latest level of each (restaurant, item) reported since `from_ms`.
    async fn inventory_levels(
        &self,
        project_id: i64,
        from_ms: i64,
    ) -> Result<Vec<(Option<String>, String, f64, i64)>>;

    /// Database size and, per raw-data table, rows, rows since `since_ms`, oldest row.
    async fn capacity(&self, since_ms: i64) -> Result<(u64, Vec<TableCapacity>)>;

    /// Log lines matching `q`, newest first.
    async fn search_logs(&self, project_id: i64, q: &LogQuery) -> Result<Vec<LogLine>>;
    /// Deletes log lines older than `before_ms`, then the oldest beyond `max_rows`;
    /// returns how many.
    async fn enforce_log_retention(&self, before_ms: i64, max_rows: u64) -> Result<u64>;

    /// Appends to the audit log (the only write it takes).
    async fn append_audit(&self, e: &AuditEntry) -> Result<()>;
    /// Audit entries matching `q`, newest first.
    async fn audit_log(&self, q: &AuditQuery) -> Result<Vec<AuditEntry>>;
    async fn record_login_failure(&self, username: &str, source: &str, at_ms: i64) -> Result<()>;
    /// Failed sign-ins since `since_ms`: `(of this username, from this source)`.
    async fn login_failures(
        &self,
        username: &str,
        source: &str,
        since_ms: i64,
    ) -> Result<(u64, u64)>;
    /// Forgets a user's failed sign-ins (after a successful one).
    async fn clear_login_failures(&self, username: &str) -> Result<()>;
    /// Security events per source in `from_ms..to_ms`: dashboard sign-in failures (as
    /// `auth.failed`) and the platform's `auth.failed` / `permission.denied` events.
    async fn security_counts(
        &self,
        project_id: i64,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<(String, String, u64)>>;

    async fn record_probe(&self, r: &ProbeResult) -> Result<()>;
    /// A probe's attempts in `from_ms..to_ms`, oldest first.
    async fn probe_results(
        &self,
        probe: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<ProbeResult>>;
    /// Each probe's latest attempt.
    async fn latest_probe_results(&self) -> Result<Vec<ProbeResult>>;
    /// `(attempts, attempts while declared up)` of a probe since `from_ms`.
    async fn probe_uptime(&self, probe: &str, from_ms: i64) -> Result<(u64, u64)>;
    /// Probes saved from the dashboard: `(name, definition JSON, updated_by)`.
    async fn probe_definitions(&self) -> Result<Vec<(String, String, String)>>;
    async fn save_probe(&self, name: &str, definition: &str, by: &str, now_ms: i64) -> Result<()>;
    async fn delete_probe(&self, name: &str) -> Result<bool>;

    /// Deletes raw events, rollups and sessions past their retention; returns rows deleted.
    async fn enforce_retention(
        &self,
        raw_before_ms: i64,
        rollups_before_minute: i64,
        now_ms: i64,
    ) -> Result<u64>;
    /// Tries to become the instance that runs the alert engine, the outbox, probes and
    /// retention. `None`: another instance holds the role.
    async fn try_lead(&self) -> Result<Option<Box<dyn Lease>>>;

    async fn close(&self);
}

/// The leader role, held until dropped or found lost.
#[async_trait]
pub trait Lease: Send {
    /// Whether the role is still ours (checked every few seconds).
    async fn held(&mut self) -> bool;
    /// Gives the role up now rather than when the connection closes.
    async fn release(&mut self);
}

/// SQLite has one instance: it always leads.
pub struct SoleLease;

#[async_trait]
impl Lease for SoleLease {
    async fn held(&mut self) -> bool {
        true
    }
    async fn release(&mut self) {}
}

pub type DynStorage = Arc<dyn Storage>;

/// Opens the storage a database URL names and brings its schema up to date.
pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

pub async fn connect(url: &str, max_connections: u32) -> Result<DynStorage> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(
            sqlite::SqliteStorage::connect(url, max_connections).await?,
        ))
    } else if is_postgres(url) {
        Ok(Arc::new(
            postgres::PgStorage::connect(url, max_connections).await?,
        ))
    } else {
        Err(StorageError::UnsupportedUrl(url.to_string()))
    }
}

/// What storing one error event needs: the issue it belongs to and the event itself.
#[derive(Debug, Clone)]
pub struct NewErrorEvent {
    pub project_id: i64,
    pub fingerprint: String,
    pub title: String,
    pub culprit: Option<String>,
    pub level: String,
    pub received_at_ms: i64,
    pub event_id: Option<String>,
    pub environment: Option<String>,
    pub release: Option<String>,
    /// User id, else email, else IP: what "users affected" counts.
    pub user_key: Option<String>,
    pub restaurant_id: Option<String>,
    /// What the issue's tag store indexes: the event's tags plus synthesized ones.
    pub tags: Vec<(String, String)>,
    pub body: String,
}

pub use app::model::{
    AlertHistoryEntry, AlertHistoryQuery, AuditEntry, AuditQuery, Delivery, LogLine, LogQuery,
    Silence, TableCapacity,
};

/// An alert instance's stored state.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertStateRow {
    pub rule: String,
    pub instance: String,
    /// `alerts::state::State` as JSON.
    pub state: String,
    pub value: Option<f64>,
    pub acked_by: Option<String>,
    pub acked_at_ms: Option<i64>,
}

/// One evaluation of the rules: what changed, and what people are told.
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    pub records: Vec<AlertRecord>,
    pub outbox: Vec<OutboxItem>,
}

/// One evaluation's outcome for one alert instance.
#[derive(Debug, Clone)]
pub struct AlertRecord {
    pub rule: String,
    pub instance: String,
    pub severity: &'static str,
    pub threshold: f64,
    pub value: Option<f64>,
    /// The state after the evaluation, as JSON; `None` leaves the state alone (a test
    /// fire).
    pub state: Option<String>,
    pub at_ms: i64,
    /// What the evaluation changed that is worth history, if anything.
    pub transition: Option<TransitionRecord>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TransitionRecord {
    pub change: &'static str,
    pub value: f64,
    pub notify: bool,
    pub silenced: bool,
    pub actor: Option<String>,
}

/// One message to send on one channel, about the transitions of `members` (indexes into
/// [`Evaluation::records`], each with a transition).
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxItem {
    pub channel: String,
    pub payload: String,
    pub members: Vec<usize>,
}

/// A notification waiting in the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxRow {
    pub id: i64,
    pub history_id: i64,
    pub channel: String,
    pub payload: String,
    pub attempts: u32,
}

/// One probe attempt.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ProbeResult {
    pub probe: String,
    pub at_ms: i64,
    /// This attempt succeeded.
    pub ok: bool,
    /// The probe's declared state after it.
    pub up: bool,
    pub latency_ms: f64,
    pub error: Option<String>,
}

/// A rule saved from the dashboard.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRule {
    pub name: String,
    /// `alerts::rule::Rule` as JSON.
    pub rule: String,
    pub updated_by: String,
    pub updated_at_ms: i64,
}

/// What storing an event did to its issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueChange {
    New,
    Existing,
    /// It was resolved and came back: reopened.
    Regressed,
}
