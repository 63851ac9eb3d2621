//! The Health page and the Overview's system health card: the monitor's own checks,
//! the platform probes with uptime and latency, the live channel's figures and the
//! monitor's system charts.

use serde::{Deserialize, Serialize};

/// Figures of a WebSocket server: the monitor's own `/ws`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WsFigures {
    pub total: u64,
    pub active: i64,
    pub messages_sent: u64,
    pub messages_received: u64,
    pub errors: u64,
    /// Mean duration of the connections that have closed, seconds.
    pub avg_connection_secs: Option<f64>,
    /// Open connections per restaurant (`?restaurant=` on connect).
    pub by_restaurant: Vec<(String, i64)>,
}

/// One probe as the Health page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProbeView {
    pub name: String,
    pub kind: String,
    /// The target without credentials.
    pub target: String,
    /// `file` (monitor.toml) or `dashboard`.
    pub origin: String,
    pub interval_secs: u64,
    pub retries: u32,
    /// `None` before the first attempt.
    pub up: Option<bool>,
    pub last_at_ms: Option<i64>,
    pub last_latency_ms: Option<f64>,
    pub last_error: Option<String>,
    /// Share of attempts while declared up over 24 h, 7 d and 30 d (`None`: no attempts).
    pub uptime_24h: Option<f64>,
    pub uptime_7d: Option<f64>,
    pub uptime_30d: Option<f64>,
    /// Uptime per hour over the last 24 hours, oldest first.
    pub hourly: Vec<Option<f64>>,
    /// Latency over the last 24 hours, drawn by the server (numbers and fixed labels only).
    pub latency_svg: String,
}

/// One of the monitor's own checks (`/health`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckView {
    pub name: String,
    /// `None`: not configured.
    pub ok: Option<bool>,
    pub latency_ms: Option<f64>,
    pub error: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HealthView {
    pub generated_at_ms: i64,
    /// `healthy`, `degraded` or `unhealthy`.
    pub status: String,
    pub checks: Vec<CheckView>,
    pub memory_mb: f64,
    pub cpu_usage: f64,
    pub active_connections: i64,
    pub error_rate: f64,
    pub probes: Vec<ProbeView>,
    pub websocket: WsFigures,
    /// The monitor's memory, CPU and request charts over the last hour.
    pub system_svgs: Vec<(String, String)>,
    pub capacity: Capacity,
    pub ingest: IngestFigures,
}

/// The ingest pipeline since this instance started, in rows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IngestFigures {
    /// Answered `202`.
    pub accepted: u64,
    pub written: u64,
    /// Refused by the database as invalid (the only rows ever lost).
    pub dropped: u64,
    /// Refused with `429` / `503` because the queue was full.
    pub refused_full: u64,
    /// Failed flush attempts, retried.
    pub flush_failures: u64,
    /// Rollup rows counted under `other`: their page, route or restaurant was past the
    /// day's budget of distinct keys.
    pub folded_keys: u64,
    /// Accepted and not yet stored.
    pub queued: u64,
    pub queued_bytes: u64,
    /// Whether the database is failing the writer right now.
    pub failing: bool,
}

/// How much the database holds and how fast it grows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Capacity {
    pub db_bytes: u64,
    pub tables: Vec<TableCapacity>,
    /// Raw events, rollups and logs are kept this many days.
    pub raw_events_days: u32,
    pub rollups_days: u32,
    pub logs_days: u32,
    pub logs_max_rows: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TableCapacity {
    /// What the rows are: `rum_events` (page loads), `error_events`, `api_calls`,
    /// `business_events`, `log_lines`, `custom_points`, `probe_results`.
    pub table: String,
    pub rows: u64,
    /// Rows received in the last hour: the ingest rate of that source.
    pub last_hour: u64,
    pub oldest_ms: Option<i64>,
}

/// The Overview's system health card.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HealthSummary {
    pub status: String,
    pub failing_checks: Vec<String>,
    pub probes_up: u32,
    pub probes_down: Vec<String>,
}
