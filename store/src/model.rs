//! What storage stores and answers: the rows ingest writes, what alerting records, and
//! the wire types (from `protocol`) that reads return as they are.

use crate::rollup::sketch::Sketch;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Project {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub public_key: String,
    /// The key before the last rotation, still accepted until `previous_key_expires_ms`.
    pub previous_public_key: Option<String>,
    pub previous_key_expires_ms: Option<i64>,
    pub filters: InboundFilters,
}

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
}

/// A live API token as listed: the wire type the read API and Settings show as is.
pub use protocol::{ApiTokenInfo as ApiToken, TokenScope};

pub use protocol::{
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
    /// How many page loads this one stands for: 1 / the SDK's sample rate.
    pub weight: f64,
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
    /// How many calls this one stands for: 1 / the SDK's sample rate.
    pub weight: f64,
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

/// One request a platform server answered (a Sentry `http.server` transaction).
#[derive(Debug, Clone, PartialEq)]
pub struct ServerRequestRow {
    pub project_id: i64,
    pub received_at_ms: i64,
    /// The service that answered (the SDK's `service` tag, else its server name).
    pub service: String,
    pub environment: Option<String>,
    pub method: String,
    /// The route template: `/api/orders/:id`.
    pub route: String,
    pub status: Option<u16>,
    /// A 5xx answer, or a trace status of `internal_error` / `unknown_error`.
    pub failed: bool,
    pub duration_ms: f64,
    pub restaurant_id: Option<String>,
    /// 1 / the SDK's traces sample rate.
    pub weight: f64,
}

impl ServerRequestRow {
    /// The rollup key: service, environment and endpoint, tab-separated (none of them
    /// holds a tab).
    pub fn key(&self) -> String {
        server_key(
            &self.service,
            self.environment.as_deref().unwrap_or(""),
            &format!("{} {}", self.method, self.route),
        )
    }
}

/// The rollup key of a server endpoint (see [`ServerRequestRow::key`]).
pub fn server_key(service: &str, environment: &str, endpoint: &str) -> String {
    format!("{service}\t{environment}\t{endpoint}")
}

/// `(service, environment, endpoint)` of a server rollup key.
pub fn split_server_key(key: &str) -> (&str, &str, &str) {
    let mut parts = key.splitn(3, '\t');
    let service = parts.next().unwrap_or("");
    let environment = parts.next().unwrap_or("");
    (service, environment, parts.next().unwrap_or(""))
}

/// One database query inside a server transaction (a `db` span).
#[derive(Debug, Clone, PartialEq)]
pub struct DbQueryRow {
    pub project_id: i64,
    pub received_at_ms: i64,
    pub service: String,
    /// The statement with its literals replaced by `?`.
    pub statement: String,
    pub duration_ms: f64,
    /// The transaction it ran in (`GET /api/orders/:id`).
    pub transaction: Option<String>,
    pub restaurant_id: Option<String>,
    pub weight: f64,
}

/// One of the slowest queries of a statement, as the Database queries table shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DbQuerySample {
    pub at_ms: i64,
    pub service: String,
    pub statement: String,
    pub duration_ms: f64,
    pub transaction: Option<String>,
    pub restaurant_id: Option<String>,
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
    pub server_requests: Vec<ServerRequestRow>,
    pub db_queries: Vec<DbQueryRow>,
}

impl IngestBatch {
    /// Size in queue slots: one per row (a page load is ~300 bytes in memory), and one
    /// per 256 bytes of an error event's body and tags (held in memory about twice), so a
    /// queue bounded in slots is also bounded in memory.
    pub fn slots(&self) -> usize {
        self.page_loads.len()
            + self.api_calls.len()
            + self.server_requests.len()
            + self.db_queries.len()
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

    /// About how many bytes of memory it holds: each row's own size plus its strings. What
    /// the ingest queue is bounded by, so memory stays bounded whatever the batch shape.
    pub fn bytes(&self) -> usize {
        fn rows<T>(v: &[T], strings: impl Fn(&T) -> usize) -> usize {
            v.iter()
                .map(|r| std::mem::size_of::<T>() + strings(r))
                .sum()
        }
        fn o(s: &Option<String>) -> usize {
            s.as_ref().map_or(0, String::len)
        }
        rows(&self.page_loads, |r| {
            r.page.len() + o(&r.session_id) + o(&r.user_agent) + o(&r.restaurant_id)
        }) + rows(&self.api_calls, |r| {
            o(&r.page) + r.method.len() + r.route.len() + o(&r.session_id) + o(&r.restaurant_id)
        }) + rows(&self.errors, |e| {
            let tags: usize = e.tags.iter().map(|(k, v)| 48 + k.len() + v.len()).sum();
            e.fingerprint.len()
                + e.title.len()
                + o(&e.culprit)
                + e.level.len()
                + o(&e.event_id)
                + o(&e.environment)
                + o(&e.release)
                + o(&e.user_key)
                + o(&e.restaurant_id)
                + tags
                + e.body.len()
        }) + rows(&self.logs, |l| {
            l.level.len()
                + o(&l.service)
                + o(&l.environment)
                + o(&l.restaurant_id)
                + l.message.len()
                + l.body.len()
        }) + rows(&self.business, |b| {
            b.kind.len()
                + o(&b.restaurant_id)
                + o(&b.order_id)
                + o(&b.payment_id)
                + o(&b.session_id)
                + o(&b.currency)
                + o(&b.status)
                + o(&b.method)
                + o(&b.order_type)
                + o(&b.item)
                + o(&b.source)
        }) + rows(&self.sessions, |_| 0)
            + rows(&self.outcomes, |x| x.reason.len() + x.category.len())
            + rows(&self.memory, |m| m.page.len() + o(&m.restaurant_id))
            + rows(&self.custom, |c| c.name.len())
            + rows(&self.server_requests, |q| {
                q.service.len()
                    + o(&q.environment)
                    + q.method.len()
                    + q.route.len()
                    + o(&q.restaurant_id)
            })
            + rows(&self.db_queries, |q| {
                q.service.len() + q.statement.len() + o(&q.transaction) + o(&q.restaurant_id)
            })
    }

    /// Splits it into two halves of about the same number of rows (each kind halved),
    /// so a batch holding a row the database refuses can be narrowed down to that row.
    pub fn split(mut self) -> (IngestBatch, IngestBatch) {
        fn half<T>(v: &mut Vec<T>) -> Vec<T> {
            v.split_off(v.len() / 2)
        }
        let other = IngestBatch {
            business: half(&mut self.business),
            logs: half(&mut self.logs),
            page_loads: half(&mut self.page_loads),
            api_calls: half(&mut self.api_calls),
            errors: half(&mut self.errors),
            sessions: half(&mut self.sessions),
            outcomes: half(&mut self.outcomes),
            memory: half(&mut self.memory),
            custom: half(&mut self.custom),
            server_requests: half(&mut self.server_requests),
            db_queries: half(&mut self.db_queries),
        };
        if self.is_empty() {
            // Only single rows were left: they all went to `other`; move one back.
            return other.split_one();
        }
        (self, other)
    }

    /// `(first row, the rest)`, for a batch whose kinds hold one row each.
    fn split_one(mut self) -> (IngestBatch, IngestBatch) {
        let mut first = IngestBatch::default();
        macro_rules! take_first {
            ($($f:ident),*) => {$(
                if first.is_empty() && !self.$f.is_empty() {
                    first.$f.push(self.$f.remove(0));
                }
            )*};
        }
        take_first!(
            business,
            logs,
            page_loads,
            api_calls,
            errors,
            sessions,
            outcomes,
            memory,
            custom,
            server_requests,
            db_queries
        );
        (first, self)
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
            + self.server_requests.len()
            + self.db_queries.len()
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
        self.server_requests.append(&mut other.server_requests);
        self.db_queries.append(&mut other.db_queries);
    }
}

/// One stored per-minute rollup row.
#[derive(Debug, Clone)]
pub struct RollupRow {
    pub minute: i64,
    /// `""`: all restaurants.
    pub restaurant: String,
    pub page: String,
    /// Rows rolled up.
    pub count: u64,
    /// What they stand for: their sample weights summed (`count` when unsampled).
    pub weighted: f64,
    pub sum: f64,
    pub sketch: Option<Sketch>,
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

pub use protocol::{
    AlertHistoryEntry, AlertHistoryQuery, AuditEntry, AuditQuery, Delivery, LogLine, LogQuery,
    LoginFailures, Matcher, Silence, TableCapacity,
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
