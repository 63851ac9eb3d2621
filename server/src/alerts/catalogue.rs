//! The metrics alert rules can watch, and whether each has a data source yet. A metric
//! without one is reported as unavailable and its rules are never evaluated: no data is
//! not zero (an "orders = 0" rule must not fire because orders are not collected yet).

use serde::Serialize;

/// Where a metric's values come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Error events per page view (error tracking + RUM rollups).
    ErrorRate,
    /// API p99 latency from RUM and Sentry spans (ms).
    ApiP99,
    /// The monitor's own process: memory as a share of the machine, CPU share.
    ProcessMemory,
    ProcessCpu,
    /// The monitor's database and every PostgreSQL probe: 1 all up, 0 any down.
    DatabaseUp,
    /// Every synthetic probe: 1 all up, 0 any down.
    Probes,
    /// Platform WebSocket servers' `websocket.dropped` / `websocket.opened` custom metrics.
    WebsocketLoss,
    /// A custom metric's latest value (`POST /api/internal/metrics`).
    Custom,
    /// `order.created` business events in the window.
    Orders,
    /// Failed ÷ all `payment.processed` events in the window.
    PaymentFailures,
    /// The lowest latest `inventory.level` quantity (reports of the last 7 days).
    Inventory,
    /// The most `auth.failed` from one source in the window (dashboard sign-ins and the
    /// platform's events).
    AuthFailures,
    /// The most `permission.denied` from one source in the window.
    PermissionDenials,
    /// Not collected yet (database query timings).
    Unavailable,
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

/// Every named metric; `custom:<name>` is the open-ended rest.
pub const CATALOGUE: [MetricInfo; 14] = [
    m(
        "database_up",
        "the monitor's database and PostgreSQL probes (1 up, 0 down)",
        "",
        Source::DatabaseUp,
    ),
    per_restaurant(
        m(
            "error_rate",
            "error events per page view",
            "ratio",
            Source::ErrorRate,
        ),
        true,
    ),
    per_restaurant(
        m(
            "payment_failure_rate",
            "failed payments / payments (business events)",
            "ratio",
            Source::PaymentFailures,
        ),
        false,
    ),
    per_restaurant(
        m(
            "response_time_p99",
            "API call p99 (RUM and Sentry spans)",
            "ms",
            Source::ApiP99,
        ),
        false,
    ),
    m(
        "memory_usage",
        "monitor memory / machine memory",
        "ratio",
        Source::ProcessMemory,
    ),
    m(
        "cpu_usage",
        "monitor CPU share",
        "ratio",
        Source::ProcessCpu,
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
    m(
        "websocket_connection_loss",
        "dropped / opened WebSocket connections (custom metrics websocket.dropped, websocket.opened)",
        "ratio",
        Source::WebsocketLoss,
    ),
    m(
        "slow_queries",
        "slowest database query",
        "ms",
        Source::Unavailable,
    ),
    m(
        "bundle_size",
        "custom metric bundle_size",
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
];

/// The catalogue entry of `metric`; `custom:<name>` metrics are custom sources.
pub fn info(metric: &str) -> Option<MetricInfo> {
    if let Some(name) = metric.strip_prefix("custom:") {
        let valid = !name.is_empty()
            && name.bytes().all(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b':' | b'/')
            });
        return valid.then_some(m("custom", "custom metric", "", Source::Custom));
    }
    CATALOGUE.iter().find(|x| x.name == metric).copied()
}

pub fn is_known(metric: &str) -> bool {
    info(metric).is_some()
}

/// Whether rules on `metric` can be evaluated today.
pub fn is_available(metric: &str) -> bool {
    info(metric).is_some_and(|i| i.source != Source::Unavailable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_without_a_source_are_known_but_unavailable() {
        assert!(is_known("slow_queries") && !is_available("slow_queries"));
        assert!(is_available("error_rate") && is_available("database_up"));
        assert!(is_available("custom:checkout.latency"));
        assert!(!is_known("custom:") && !is_known("custom:a b") && !is_known("errors"));
        assert_eq!(info("bundle_size").unwrap().source, Source::Custom);
    }
}
