//! The monitor's own health in the platform's shape:
//! `{status, timestamp, checks: {database, redis, websocket, external_apis},
//!   metrics: {memory_usage, cpu_usage, active_connections, error_rate}}`.
//!
//! A check is `true` (passed), `false` (failed) or `null` (not configured here, listed
//! in `not_configured`); a component that is not configured is never reported as up.
//! Status: `healthy` when every configured check passes, `degraded` with one or two
//! failing, `unhealthy` with more.

use crate::{state::AppState, telemetry::process};
use serde::Serialize;
use std::{collections::BTreeMap, time::Duration};

/// Longest a single check may take; `/health` answers within this.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Healthy,
    Degraded,
    Unhealthy,
}

#[derive(Debug, Serialize)]
pub struct Checks {
    pub database: Option<bool>,
    pub redis: Option<bool>,
    pub websocket: Option<bool>,
    pub external_apis: Option<bool>,
}

#[derive(Debug, Serialize)]
pub struct Metrics {
    /// Resident memory, MB.
    pub memory_usage: f64,
    /// Share of all cores since the previous sample, 0..=1.
    pub cpu_usage: f64,
    pub active_connections: i64,
    /// Share of 5xx answers over the last five minutes.
    pub error_rate: f64,
}

#[derive(Debug, Serialize)]
pub struct CheckDetail {
    pub latency_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct HealthReport {
    pub status: Status,
    pub timestamp: String,
    pub checks: Checks,
    pub metrics: Metrics,
    pub not_configured: Vec<&'static str>,
    pub details: BTreeMap<&'static str, CheckDetail>,
}

pub fn status_of(checks: &Checks) -> Status {
    let failing = [
        checks.database,
        checks.redis,
        checks.websocket,
        checks.external_apis,
    ]
    .iter()
    .filter(|c| **c == Some(false))
    .count();
    match failing {
        0 => Status::Healthy,
        1 | 2 => Status::Degraded,
        _ => Status::Unhealthy,
    }
}

async fn check_database(state: &AppState) -> CheckDetail {
    let started = std::time::Instant::now();
    let error = match tokio::time::timeout(CHECK_TIMEOUT, state.storage.ping()).await {
        Ok(Ok(())) => None,
        Ok(Err(e)) => Some(e.to_string()),
        Err(_) => Some(format!("no answer within {} s", CHECK_TIMEOUT.as_secs())),
    };
    CheckDetail {
        latency_ms: started.elapsed().as_secs_f64() * 1000.0,
        error,
    }
}

pub async fn report(state: &AppState) -> HealthReport {
    let db = check_database(state).await;
    let checks = Checks {
        database: Some(db.error.is_none()),
        redis: None,
        websocket: None,
        external_apis: None,
    };
    let t = &state.telemetry;
    HealthReport {
        status: status_of(&checks),
        timestamp: time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        metrics: Metrics {
            memory_usage: (process::resident_mb() * 10.0).round() / 10.0,
            cpu_usage: t.process.cpu_usage(),
            active_connections: t.requests.in_flight(),
            error_rate: t.requests.error_rate(),
        },
        not_configured: vec!["redis", "websocket", "external_apis"],
        details: BTreeMap::from([("database", db)]),
        checks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checks(v: [Option<bool>; 4]) -> Checks {
        Checks {
            database: v[0],
            redis: v[1],
            websocket: v[2],
            external_apis: v[3],
        }
    }

    #[test]
    fn status_counts_failing_configured_checks() {
        assert_eq!(
            status_of(&checks([Some(true), None, None, None])),
            Status::Healthy
        );
        assert_eq!(
            status_of(&checks([Some(false), None, None, None])),
            Status::Degraded
        );
        assert_eq!(
            status_of(&checks([Some(false), Some(false), Some(true), None])),
            Status::Degraded
        );
        assert_eq!(
            status_of(&checks([Some(false), Some(false), Some(false), None])),
            Status::Unhealthy
        );
    }
}
