//! The metrics alert rules can watch: what each measures, where its values come from, and
//! which dimensions it has. Every standard metric reads the platform over the rule's
//! window; no data is never a breach (an "orders = 0" rule must not fire because orders
//! are not sent), and the monitor's own figures are metrics of their own.

use serde::Serialize;

/// Where a metric's values come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Failed ÷ all requests: platform servers' requests (Sentry `http.server`
    /// transactions, 5xx or a failed trace status) when there are any in the window, else
    /// the browsers' API calls (5xx or no answer). Weighted by sample rate.
    RequestErrorRate,
    /// Error events per page view (error tracking + RUM page views).
    ErrorsPerPageView,
    /// p99 latency of server requests when there are any in the window, else of the
    /// browsers' API calls (ms).
    ResponseP99,
    /// A platform server's figure from its own `/health` (a `health` probe), one alert
    /// instance per service, aggregated over the window.
    Host(HostFigure),
    /// The monitor's own process (sampled every 10 s), aggregated over the window.
    MonitorMemory,
    MonitorCpu,
    /// Rows the monitor's database refused as invalid (the only ingest losses).
    MonitorDropped,
    /// The monitor's database and every PostgreSQL probe: 1 all up, 0 any down.
    DatabaseUp,
    /// Every synthetic probe: 1 all up, 0 any down.
    Probes,
    /// `websocket.dropped` ÷ `websocket.opened` custom metrics over the window.
    WebsocketLoss,
    /// A custom metric aggregated over the window (`POST /api/internal/metrics`).
    Custom,
    /// `order.created` business events in the window.
    Orders,
    /// Failed ÷ all `payment.processed` events in the window.
    PaymentFailures,
    /// The lowest latest `inventory.level` quantity (reports of the last 7 days).
    Inventory,
    /// The most `auth.failed` from one source in the window.
    AuthFailures,
    /// The most `permission.denied` from one source in the window.
    PermissionDenials,
    /// Database queries at least `performance.slow_query_ms` long in the window (the
    /// `db` spans of server transactions), weighted by sample rate.
    SlowQueries,
    /// Issue alerts: one instance per issue (see [`IssueTrigger`]).
    Issue(IssueTrigger),
}

/// A figure a platform server reports in its `/health` (`metrics.<name>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HostFigure {
    MemoryUsage,
    CpuUsage,
    ActiveConnections,
    ErrorRate,
}

impl HostFigure {
    pub const ALL: [HostFigure; 4] = [
        HostFigure::MemoryUsage,
        HostFigure::CpuUsage,
        HostFigure::ActiveConnections,
        HostFigure::ErrorRate,
    ];

    /// The field of the service's `/health` `metrics` object.
    pub fn field(self) -> &'static str {
        match self {
            HostFigure::MemoryUsage => "memory_usage",
            HostFigure::CpuUsage => "cpu_usage",
            HostFigure::ActiveConnections => "active_connections",
            HostFigure::ErrorRate => "error_rate",
        }
    }

    /// The custom series a `health` probe of `service` records it in.
    pub fn series(self, service: &str) -> String {
        format!("platform.{service}.{}", self.field())
    }
}

/// What makes an issue alert fire for an issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueTrigger {
    /// An issue first seen in the window (with a matching event).
    New,
    /// A resolved issue that came back in the window.
    Regression,
    /// An issue with at least `threshold` matching events in the window.
    Frequency,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MetricInfo {
    pub name: &'static str,
    pub description: &'static str,
    pub unit: &'static str,
    pub source: Source,
    /// Whether a rule can be filtered or split by restaurant.
    pub by_restaurant: bool,
    /// Whether a rule can be filtered by environment.
    pub by_environment: bool,
    /// A ratio of events: rules may set `min_volume` (events in the window below which
    /// there is nothing to judge).
    pub ratio: bool,
}

const fn m(
    name: &'static str,
    description: &'static str,
    unit: &'static str,
    source: Source,
) -> MetricInfo {
    MetricInfo {
        name,
        description,
        unit,
        source,
        by_restaurant: false,
        by_environment: false,
        ratio: false,
    }
}

/// `m(...)` that can be filtered and split by restaurant (and environment when `env`).
const fn per_restaurant(info: MetricInfo, env: bool) -> MetricInfo {
    MetricInfo {
        by_restaurant: true,
        by_environment: env,
        ..info
    }
}

/// `m(...)` that is a ratio of events (`min_volume` applies).
const fn ratio(info: MetricInfo) -> MetricInfo {
    MetricInfo {
        ratio: true,
        ..info
    }
}

/// Every named metric; `custom:<name>` is the open-ended rest.
pub const CATALOGUE: [MetricInfo; 24] = [
    m(
        "database_up",
        "the monitor's database and PostgreSQL probes (1 up, 0 down)",
        "",
        Source::DatabaseUp,
    ),
    ratio(per_restaurant(
        m(
            "error_rate",
            "failed / all requests: server transactions (5xx, failed trace status), else browser API calls (5xx, no answer)",
            "ratio",
            Source::RequestErrorRate,
        ),
        true,
    )),
    ratio(per_restaurant(
        m(
            "errors_per_page_view",
            "error events / page views",
            "ratio",
            Source::ErrorsPerPageView,
        ),
        true,
    )),
    ratio(per_restaurant(
        m(
            "payment_failure_rate",
            "failed payments / payments (business events)",
            "ratio",
            Source::PaymentFailures,
        ),
        false,
    )),
    per_restaurant(
        m(
            "response_time_p99",
            "p99 of server requests, else of browser API calls",
            "ms",
            Source::ResponseP99,
        ),
        false,
    ),
    m(
        "memory_usage",
        "platform servers' memory share (their /health, per service)",
        "ratio",
        Source::Host(HostFigure::MemoryUsage),
    ),
    m(
        "cpu_usage",
        "platform servers' CPU share (their /health, per service)",
        "ratio",
        Source::Host(HostFigure::CpuUsage),
    ),
    m(
        "active_connections",
        "platform servers' open connections (their /health, per service)",
        "connections",
        Source::Host(HostFigure::ActiveConnections),
    ),
    m(
        "host_error_rate",
        "platform servers' own error rate (their /health, per service)",
        "ratio",
        Source::Host(HostFigure::ErrorRate),
    ),
    m(
        "monitor_memory_usage",
        "the monitor's memory / machine memory",
        "ratio",
        Source::MonitorMemory,
    ),
    m(
        "monitor_cpu_usage",
        "the monitor's CPU share of all cores",
        "ratio",
        Source::MonitorCpu,
    ),
    m(
        "ingest_dropped_events",
        "rows the monitor's database refused as invalid, per 10 s sample (the only ingest losses)",
        "rows",
        Source::MonitorDropped,
    ),
    per_restaurant(
        m(
            "order_count",
            "orders created (business events)",
            "orders",
            Source::Orders,
        ),
        false,
    ),
    ratio(m(
        "websocket_connection_loss",
        "dropped / opened WebSocket connections (custom metrics websocket.dropped, websocket.opened)",
        "ratio",
        Source::WebsocketLoss,
    )),
    per_restaurant(
        m(
            "slow_queries",
            "database queries at least performance.slow_query_ms long (db spans of server transactions)",
            "queries",
            Source::SlowQueries,
        ),
        false,
    ),
    m(
        "bundle_size",
        "custom metric bundle_size_exceeded (what the bundle script posts)",
        "bytes",
        Source::Custom,
    ),
    per_restaurant(
        m(
            "inventory_level",
            "lowest inventory quantity (inventory.level events)",
            "items",
            Source::Inventory,
        ),
        false,
    ),
    m(
        "auth_failures",
        "most failed sign-ins from one source (dashboard and auth.failed events)",
        "attempts",
        Source::AuthFailures,
    ),
    m(
        "permission_denials",
        "most permission.denied events from one source",
        "events",
        Source::PermissionDenials,
    ),
    m(
        "probe_up",
        "every synthetic probe (1 all up, 0 any down)",
        "",
        Source::Probes,
    ),
    issue(
        "issue.new",
        "a new issue (first seen in the window), one alert per issue",
        IssueTrigger::New,
    ),
    issue(
        "issue.regression",
        "a resolved issue seen again in the window, one alert per issue",
        IssueTrigger::Regression,
    ),
    issue(
        "issue.frequency",
        "events of one issue in the window, one alert per issue",
        IssueTrigger::Frequency,
    ),
    m(
        "custom",
        "custom metric",
        "",
        Source::Custom,
    ),
];

/// Issue alerts filter on the events' environment, and (with `filters.level`,
/// `filters.release`, `filters.tags`) on more than metric rules can.
const fn issue(name: &'static str, description: &'static str, t: IssueTrigger) -> MetricInfo {
    MetricInfo {
        by_environment: true,
        ..m(name, description, "events", Source::Issue(t))
    }
}

/// The catalogue entry of `metric`; `custom:<name>` metrics are custom sources.
pub fn info(metric: &str) -> Option<MetricInfo> {
    if let Some(name) = metric.strip_prefix("custom:") {
        let valid = !name.is_empty()
            && name.bytes().all(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b':' | b'/')
            });
        return valid.then_some(m("custom", "custom metric", "", Source::Custom));
    }
    CATALOGUE
        .iter()
        .find(|x| x.name == metric && x.name != "custom")
        .copied()
}

pub fn is_known(metric: &str) -> bool {
    info(metric).is_some()
}

/// The custom series a custom-sourced metric reads: `bundle_size` is what the
/// platform's bundle script posts, `bundle_size_exceeded`.
pub fn custom_series(metric: &str) -> &str {
    match metric {
        "bundle_size" => "bundle_size_exceeded",
        other => other.strip_prefix("custom:").unwrap_or(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_is_known_and_custom_ones_are_named_series() {
        assert!(is_known("slow_queries") && is_known("error_rate") && is_known("issue.new"));
        assert!(is_known("custom:checkout.latency"));
        assert!(!is_known("custom:") && !is_known("custom:a b") && !is_known("errors"));
        assert!(!is_known("custom"), "custom metrics are named");
        assert_eq!(info("bundle_size").unwrap().source, Source::Custom);
        assert_eq!(custom_series("bundle_size"), "bundle_size_exceeded");
        assert_eq!(custom_series("custom:kds.lag"), "kds.lag");
        assert!(info("error_rate").unwrap().ratio && !info("cpu_usage").unwrap().ratio);
        assert_eq!(HostFigure::CpuUsage.series("api"), "platform.api.cpu_usage");
    }
}
