//! Where rows become types, for both databases.
//!
//! The SQLite and PostgreSQL backends ask the same questions in their own SQL, but the
//! rows that come back have the same columns, so turning them into [`User`],
//! [`IssueSummary`], [`ProbeResult`], ... is written once, here. Each mapping is generic
//! over [`Cols`], which both row types implement; a backend runs its query and hands the
//! rows to these functions.
//!
//! Conversions live here too, so both backends agree on them: counts are stored as
//! signed 64-bit integers and read back as `u64`/`u32`, 0/1 columns become `bool`, JSON
//! text columns are decoded, sketches are decoded from their bytes.

use super::{
    AlertHistoryEntry, AlertStateRow, ApiCallRow, ApiToken, AuditEntry, BusinessCount, Delivery,
    InboundFilters, IssueStatus, IssueSummary, LogLine, MemorySample, OutboxRow, OutcomeCount,
    ProbeResult, Project, Result, RollupRow, RumEventRow, SessionHealth, Silence, SlowCall,
    StorageError, StoredRule, TableCapacity, TagDistribution, User,
};
use crate::rollup::{RollupDelta, Sketch};
use serde::de::DeserializeOwned;
use sqlx::{postgres::PgRow, sqlite::SqliteRow, Row};
use std::collections::HashMap;

/// A column by name, or by position for unnamed aggregates (`COUNT(*)`).
#[derive(Debug, Clone, Copy)]
pub enum Col<'a> {
    Name(&'a str),
    At(usize),
}

impl<'a> From<&'a str> for Col<'a> {
    fn from(name: &'a str) -> Self {
        Col::Name(name)
    }
}

impl From<usize> for Col<'_> {
    fn from(i: usize) -> Self {
        Col::At(i)
    }
}

/// Typed reads of a row's columns.
///
/// Only the types the schemas use: INTEGER/BIGINT as `i64`, REAL/DOUBLE PRECISION as
/// `f64`, TEXT, BLOB/BYTEA. Both schemas store booleans as 0/1 integers, read by
/// [`Cols::flag`].
pub trait Cols {
    fn int<'a>(&self, col: impl Into<Col<'a>>) -> Result<i64>;
    fn int_opt<'a>(&self, col: impl Into<Col<'a>>) -> Result<Option<i64>>;
    fn real<'a>(&self, col: impl Into<Col<'a>>) -> Result<f64>;
    fn real_opt<'a>(&self, col: impl Into<Col<'a>>) -> Result<Option<f64>>;
    fn text<'a>(&self, col: impl Into<Col<'a>>) -> Result<String>;
    fn text_opt<'a>(&self, col: impl Into<Col<'a>>) -> Result<Option<String>>;
    fn blob_opt<'a>(&self, col: impl Into<Col<'a>>) -> Result<Option<Vec<u8>>>;

    /// A count or other non-negative integer (stored signed: neither database has an
    /// unsigned 64-bit type).
    fn uint<'a>(&self, col: impl Into<Col<'a>>) -> Result<u64> {
        Ok(self.int(col)? as u64)
    }

    /// A 0/1 integer column as a `bool`.
    fn flag<'a>(&self, col: impl Into<Col<'a>>) -> Result<bool> {
        Ok(self.int(col)? != 0)
    }
}

/// The same accessors for each row type: `Row::try_get` is generic, but which Rust types
/// decode from which columns is known only per database, so each gets its own impl.
macro_rules! cols {
    (@get $row:ident, $col:ident) => {
        Ok(match $col.into() {
            Col::Name(name) => $row.try_get(name)?,
            Col::At(i) => $row.try_get(i)?,
        })
    };
    ($($row:ty),+) => {$(
        impl Cols for $row {
            fn int<'a>(&self, col: impl Into<Col<'a>>) -> Result<i64> {
                cols!(@get self, col)
            }
            fn int_opt<'a>(&self, col: impl Into<Col<'a>>) -> Result<Option<i64>> {
                cols!(@get self, col)
            }
            fn real<'a>(&self, col: impl Into<Col<'a>>) -> Result<f64> {
                cols!(@get self, col)
            }
            fn real_opt<'a>(&self, col: impl Into<Col<'a>>) -> Result<Option<f64>> {
                cols!(@get self, col)
            }
            fn text<'a>(&self, col: impl Into<Col<'a>>) -> Result<String> {
                cols!(@get self, col)
            }
            fn text_opt<'a>(&self, col: impl Into<Col<'a>>) -> Result<Option<String>> {
                cols!(@get self, col)
            }
            fn blob_opt<'a>(&self, col: impl Into<Col<'a>>) -> Result<Option<Vec<u8>>> {
                cols!(@get self, col)
            }
        }
    )+};
}

cols!(SqliteRow, PgRow);

/// Every row through `map`, in order; the first that does not read fails them all.
pub fn all<R: Cols, T>(found: &[R], map: impl Fn(&R) -> Result<T>) -> Result<Vec<T>> {
    found.iter().map(map).collect()
}

/// A JSON (de)serialization failure, reported as a column that did not decode.
pub fn decode(e: serde_json::Error) -> StorageError {
    StorageError::Database(sqlx::Error::Decode(Box::new(e)))
}

/// A JSON text value (an error event's body, a silence's matchers).
pub fn json<T: DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(decode)
}

/// A JSON list of strings; NULL is the empty list.
fn json_list(text: Option<String>) -> Result<Vec<String>> {
    text.map_or_else(|| Ok(vec![]), |t| json(&t))
}

fn decode_sketch(bytes: Option<Vec<u8>>) -> Result<Option<Sketch>> {
    bytes
        .map(|b| Sketch::decode(&b).map_err(StorageError::Sketch))
        .transpose()
}

pub fn user<R: Cols>(r: &R) -> Result<User> {
    Ok(User {
        id: r.int("id")?,
        username: r.text("username")?,
        password_hash: r.text("password_hash")?,
    })
}

pub fn api_token<R: Cols>(r: &R) -> Result<ApiToken> {
    Ok(ApiToken {
        id: r.int("id")?,
        name: r.text("name")?,
        prefix: r.text("prefix")?,
        created_at_ms: r.int("created_at")?,
        last_used_ms: r.int_opt("last_used_at")?,
    })
}

/// A project's inbound filters from `messages`, `browser_extensions`, `environments`:
/// the defaults when never saved (the LEFT JOIN found no row, so `messages` is NULL).
pub fn filters<R: Cols>(r: &R) -> Result<InboundFilters> {
    let messages = r.text_opt("messages")?;
    if messages.is_none() {
        return Ok(InboundFilters::default());
    }
    Ok(InboundFilters {
        messages: json_list(messages)?,
        browser_extensions: r.flag("browser_extensions")?,
        environments: json_list(r.text_opt("environments")?)?,
    })
}

/// A project with its filters (the backends' `PROJECT_SELECT`).
pub fn project<R: Cols>(r: &R) -> Result<Project> {
    Ok(Project {
        id: r.int("id")?,
        slug: r.text("slug")?,
        name: r.text("name")?,
        public_key: r.text("public_key")?,
        filters: filters(r)?,
    })
}

pub fn rollup<R: Cols>(r: &R) -> Result<RollupRow> {
    Ok(RollupRow {
        minute: r.int("minute")?,
        page: r.text("page")?,
        count: r.uint("count")?,
        sum: r.real("sum")?,
        sketch: decode_sketch(r.blob_opt("sketch")?)?,
    })
}

/// A rollup delta merged with the stored row of its key (`count`, `sum`, `sketch`), if
/// any: what is written back. A delta without a sketch stays without one.
pub fn merged_rollup<R: Cols>(
    d: &RollupDelta,
    stored: Option<&R>,
) -> Result<(u64, f64, Option<Sketch>)> {
    let (mut count, mut sum, mut sketch) = (d.count, d.sum, d.sketch.clone());
    if let Some(row) = stored {
        count += row.uint("count")?;
        sum += row.real("sum")?;
        if let (Some(s), Some(old)) = (sketch.as_mut(), decode_sketch(row.blob_opt("sketch")?)?) {
            s.merge(&old);
        }
    }
    Ok((count, sum, sketch))
}

/// `(page, views)` of the most viewed pages.
pub fn page_views<R: Cols>(r: &R) -> Result<(String, u64)> {
    Ok((r.text("page")?, r.uint("views")?))
}

/// An issue of the backends' `ISSUE_SELECT`, its sparkline still empty.
pub fn issue<R: Cols>(r: &R) -> Result<IssueSummary> {
    let status = r.text("status")?;
    Ok(IssueSummary {
        id: r.int("id")?,
        title: r.text("title")?,
        culprit: r.text_opt("culprit")?,
        level: r.text("level")?,
        status: IssueStatus::parse(&status).ok_or_else(|| {
            StorageError::Database(sqlx::Error::Decode(
                format!("unknown issue status {status:?}").into(),
            ))
        })?,
        first_seen_ms: r.int("first_seen")?,
        last_seen_ms: r.int("last_seen")?,
        events: r.uint("event_count")?,
        users: r.uint("users")?,
        restaurants: r.uint("restaurants")?,
        orders: r.uint("orders")?,
        regressed_at_ms: r.int_opt("regressed_at")?,
        sparkline: vec![],
    })
}

/// Fills each issue's sparkline (`hours` per-hour counts starting at hour `first`) from
/// `issue_hours` rows (`issue_id`, `hour`, `count`); hours without a row count zero.
pub fn fill_sparklines<R: Cols>(
    rows: &[R],
    issues: &mut [IssueSummary],
    first: i64,
    hours: usize,
) -> Result<()> {
    let mut counts: HashMap<i64, Vec<u64>> = HashMap::new();
    for r in rows {
        let (id, hour, count) = (r.int("issue_id")?, r.int("hour")?, r.uint("count")?);
        let line = counts.entry(id).or_insert_with(|| vec![0; hours]);
        line[(hour - first) as usize] = count;
    }
    for i in issues {
        i.sparkline = counts.remove(&i.id).unwrap_or_else(|| vec![0; hours]);
    }
    Ok(())
}

/// An issue's tags: per key its `total` and `distinct_values` (from `totals`), with the
/// most seen values (`key`, `value`, `times_seen` rows of `tops`, best first).
pub fn tag_distributions<R: Cols>(totals: &[R], tops: &[R]) -> Result<Vec<TagDistribution>> {
    let mut out: Vec<TagDistribution> = totals
        .iter()
        .map(|r| {
            Ok(TagDistribution {
                key: r.text("key")?,
                total: r.uint("total")?,
                distinct: r.uint("distinct_values")?,
                top: vec![],
            })
        })
        .collect::<Result<_>>()?;
    for r in tops {
        let key = r.text("key")?;
        if let Some(d) = out.iter_mut().find(|d| d.key == key) {
            d.top.push((r.text("value")?, r.uint("times_seen")?));
        }
    }
    Ok(out)
}

pub fn outcome<R: Cols>(r: &R) -> Result<OutcomeCount> {
    Ok(OutcomeCount {
        source: r.text("source")?,
        reason: r.text("reason")?,
        category: r.text("category")?,
        quantity: r.uint("q")?,
    })
}

/// Release health from two rows of four counts (total, errored, crashed, abnormal): one
/// over single sessions, one over session aggregates.
pub fn session_health<R: Cols>(single: &R, agg: &R) -> Result<SessionHealth> {
    let sum = |i: usize| -> Result<u64> { Ok((single.int(i)? + agg.int(i)?) as u64) };
    Ok(SessionHealth {
        total: sum(0)?,
        errored: sum(1)?,
        crashed: sum(2)?,
        abnormal: sum(3)?,
    })
}

/// `table`'s row count, rows since the cut, and oldest time: columns 0, 1, 2.
pub fn table_capacity<R: Cols>(r: &R, table: &str) -> Result<TableCapacity> {
    Ok(TableCapacity {
        table: table.to_string(),
        rows: r.uint(0)?,
        last_hour: r.uint(1)?,
        oldest_ms: r.int_opt(2)?,
    })
}

/// Two counts: columns 0 and 1.
pub fn two_counts<R: Cols>(r: &R) -> Result<(u64, u64)> {
    Ok((r.uint(0)?, r.uint(1)?))
}

pub fn slow_call<R: Cols>(r: &R) -> Result<SlowCall> {
    Ok(SlowCall {
        at_ms: r.int("received_at")?,
        method: r.text("method")?,
        route: r.text("route")?,
        status: r.int_opt("status")?.map(|s| s as u16),
        duration_ms: r.real("duration")?,
        page: r.text_opt("page")?,
        restaurant_id: r.text_opt("restaurant_id")?,
    })
}

/// A stored page load of `restaurant`. Its `source` is not read: rows with a restaurant
/// come from the RUM SDK (Sentry's carry none).
pub fn rum_event<R: Cols>(r: &R, project_id: i64, restaurant: &str) -> Result<RumEventRow> {
    // `kind` is a `&'static str` in the row type: anything but `vitals` is a page load.
    let kind = if r.text("kind")? == "vitals" {
        "vitals"
    } else {
        "pageload"
    };
    Ok(RumEventRow {
        project_id,
        received_at_ms: r.int("received_at")?,
        client_ts_ms: r.int_opt("client_ts")?,
        kind,
        page: r.text("page")?,
        session_id: r.text_opt("session_id")?,
        user_agent: r.text_opt("user_agent")?,
        restaurant_id: Some(restaurant.to_string()),
        ttfb: r.real_opt("ttfb")?,
        dcl: r.real_opt("dcl")?,
        load: r.real_opt("load")?,
        fp: r.real_opt("fp")?,
        fcp: r.real_opt("fcp")?,
        lcp: r.real_opt("lcp")?,
        cls: r.real_opt("cls")?,
        inp: r.real_opt("inp")?,
        source: "rum",
    })
}

/// A stored API call of `restaurant` (see [`rum_event`]).
pub fn api_call<R: Cols>(r: &R, project_id: i64, restaurant: &str) -> Result<ApiCallRow> {
    Ok(ApiCallRow {
        project_id,
        received_at_ms: r.int("received_at")?,
        page: r.text_opt("page")?,
        method: r.text("method")?,
        route: r.text("route")?,
        status: r.int_opt("status")?.map(|s| s as u16),
        duration_ms: r.real("duration")?,
        session_id: r.text_opt("session_id")?,
        restaurant_id: Some(restaurant.to_string()),
        source: "rum",
    })
}

/// A stored memory sample of `restaurant`.
pub fn memory_sample<R: Cols>(r: &R, project_id: i64, restaurant: &str) -> Result<MemorySample> {
    Ok(MemorySample {
        project_id,
        received_at_ms: r.int("received_at")?,
        page: r.text("page")?,
        used_mb: r.real("used_mb")?,
        restaurant_id: Some(restaurant.to_string()),
    })
}

pub fn alert_state<R: Cols>(r: &R) -> Result<AlertStateRow> {
    Ok(AlertStateRow {
        rule: r.text("rule")?,
        instance: r.text("instance")?,
        state: r.text("state")?,
        value: r.real_opt("value")?,
        acked_by: r.text_opt("acked_by")?,
        acked_at_ms: r.int_opt("acked_at")?,
    })
}

pub fn outbox<R: Cols>(r: &R) -> Result<OutboxRow> {
    Ok(OutboxRow {
        id: r.int("id")?,
        history_id: r.int("history_id")?,
        channel: r.text("channel")?,
        payload: r.text("payload")?,
        attempts: r.int("attempts")? as u32,
    })
}

pub fn delivery<R: Cols>(r: &R) -> Result<Delivery> {
    Ok(Delivery {
        id: r.int("id")?,
        history_id: r.int("history_id")?,
        rule: r.text("rule")?,
        change: r.text("change")?,
        alerts: r.int("alerts")?.max(1) as u32,
        channel: r.text("channel")?,
        status: r.text("status")?,
        attempts: r.int("attempts")? as u32,
        last_error: r.text_opt("last_error")?,
        created_at_ms: r.int("created")?,
        delivered_at_ms: r.int_opt("delivered_at")?,
    })
}

pub fn history_entry<R: Cols>(r: &R) -> Result<AlertHistoryEntry> {
    Ok(AlertHistoryEntry {
        id: r.int("id")?,
        rule: r.text("rule")?,
        instance: r.text("instance")?,
        severity: r.text("severity")?,
        change: r.text("change")?,
        value: r.real("value")?,
        threshold: r.real("threshold")?,
        at_ms: r.int("at")?,
        notify: r.flag("notify")?,
        silenced: r.flag("silenced")?,
        actor: r.text_opt("actor")?,
    })
}

/// A silence; its matchers are stored as JSON.
pub fn silence<R: Cols>(r: &R) -> Result<Silence> {
    Ok(Silence {
        id: r.int("id")?,
        matchers: json(&r.text("matchers")?)?,
        starts_ms: r.int("starts")?,
        ends_ms: r.int("ends")?,
        comment: r.text("comment")?,
        created_by: r.text("created_by")?,
        created_at_ms: r.int("created_at")?,
    })
}

pub fn stored_rule<R: Cols>(r: &R) -> Result<StoredRule> {
    Ok(StoredRule {
        name: r.text("name")?,
        rule: r.text("rule")?,
        updated_by: r.text("updated_by")?,
        updated_at_ms: r.int("updated_at")?,
    })
}

/// `(restaurant, count)` of a grouped count: columns 0 and 1.
pub fn restaurant_count<R: Cols>(r: &R) -> Result<(Option<String>, u64)> {
    Ok((r.text_opt(0)?, r.uint(1)?))
}

/// `(restaurant, duration)` of one API call: columns 0 and 1.
pub fn restaurant_duration<R: Cols>(r: &R) -> Result<(Option<String>, f64)> {
    Ok((r.text_opt(0)?, r.real(1)?))
}

pub fn business_count<R: Cols>(r: &R) -> Result<BusinessCount> {
    Ok(BusinessCount {
        restaurant_id: r.text_opt("restaurant_id")?,
        kind: r.text("kind")?,
        status: r.text("status")?,
        order_type: r.text("order_type")?,
        count: r.uint("n")?,
        amount_minor: r.int("amount")?,
        duration_ms: r.int("duration")?,
        with_duration: r.uint("with_duration")?,
        with_order: r.uint("with_order")?,
    })
}

/// `(bucket start ms, kind, status, count)` of a business series.
pub fn business_point<R: Cols>(r: &R) -> Result<(i64, String, String, u64)> {
    Ok((
        r.int("bucket")?,
        r.text("kind")?,
        r.text("status")?,
        r.uint("n")?,
    ))
}

/// `(restaurant, item, quantity, at)` of an inventory level.
pub fn inventory_level<R: Cols>(r: &R) -> Result<(Option<String>, String, f64, i64)> {
    Ok((
        r.text_opt("restaurant_id")?,
        r.text("item")?,
        r.real("quantity")?,
        r.int("at")?,
    ))
}

pub fn log_line<R: Cols>(r: &R) -> Result<LogLine> {
    Ok(LogLine {
        id: r.int("id")?,
        project_id: r.int("project_id")?,
        at_ms: r.int("at")?,
        level: r.text("level")?,
        service: r.text_opt("service")?,
        environment: r.text_opt("environment")?,
        restaurant_id: r.text_opt("restaurant_id")?,
        message: r.text("message")?,
        body: r.text("body")?,
    })
}

pub fn audit_entry<R: Cols>(r: &R) -> Result<AuditEntry> {
    Ok(AuditEntry {
        id: r.int("id")?,
        at_ms: r.int("at")?,
        actor: r.text("actor")?,
        action: r.text("action")?,
        target: r.text_opt("target")?,
        source: r.text_opt("source")?,
        before: r.text_opt("before")?,
        after: r.text_opt("after")?,
    })
}

/// `(kind, source, count)` of security events: columns 0, 1, 2.
pub fn security_count<R: Cols>(r: &R) -> Result<(String, String, u64)> {
    Ok((r.text(0)?, r.text(1)?, r.uint(2)?))
}

pub fn probe_result<R: Cols>(r: &R) -> Result<ProbeResult> {
    Ok(ProbeResult {
        probe: r.text("probe")?,
        at_ms: r.int("at")?,
        ok: r.flag("ok")?,
        up: r.flag("up")?,
        latency_ms: r.real("latency_ms")?,
        error: r.text_opt("error")?,
    })
}
