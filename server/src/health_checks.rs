//! The monitor's own health in the platform's shape:
//! `{status, timestamp, checks: {database, redis, websocket, external_apis},
//!   metrics: {memory_usage, cpu_usage, active_connections, error_rate}}`.
//!
//! A check is `true` (passed), `false` (failed) or `null` (not configured here, listed
//! in `not_configured`); a component that is not configured is never reported as up.
//! Status: `healthy` when every configured check passes, `degraded` with one or two
//! failing, `unhealthy` with more.

use crate::{
    config::{ProbeConfig, ProbeKind},
    services::Services,
    telemetry::process,
};
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

#[derive(Debug, Clone, Serialize)]
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
    /// This instance's part when several share one database.
    pub instance: Instance,
}

#[derive(Debug, Serialize)]
pub struct Instance {
    /// Runs the alert engine, the outbox, probes and retention (always, on SQLite).
    pub leader: bool,
    /// `sqlite` or `postgres`.
    pub database: &'static str,
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

async fn check_database(services: &Services) -> CheckDetail {
    let started = std::time::Instant::now();
    let error = match tokio::time::timeout(CHECK_TIMEOUT, services.storage.ping()).await {
        Ok(Ok(())) => None,
        Ok(Err(e)) => Some(e.to_string()),
        Err(_) => Some(format!("no answer within {} s", CHECK_TIMEOUT.as_secs())),
    };
    CheckDetail {
        latency_ms: started.elapsed().as_secs_f64() * 1000.0,
        error,
    }
}

/// A one-off probe of a `/health` dependency, capped at [`CHECK_TIMEOUT`].
async fn check_target(client: &notify_http::Client, kind: ProbeKind, target: &str) -> CheckDetail {
    let probe = ProbeConfig {
        name: kind.as_str().into(),
        kind,
        target: target.to_string(),
        interval_secs: 30,
        timeout_ms: CHECK_TIMEOUT.as_millis() as u64,
        retries: 0,
        // External APIs are up when they answer below 500 (a 401 from a payment API
        // without credentials still means it is there).
        expect_status: None,
        keyword: None,
        json_field: None,
        json_value: None,
        send: None,
    };
    // The operator's own configuration: its targets are trusted.
    let a = crate::probes::check::attempt(&probe, client, Some(CHECK_TIMEOUT), true).await;
    let error = match a.error {
        Some(e) if kind == ProbeKind::Http && e.starts_with("status 4") => None,
        e => e,
    };
    CheckDetail {
        latency_ms: a.latency_ms,
        error,
    }
}

/// Every external API at once; the first failure is the detail.
async fn check_external(client: &notify_http::Client, urls: &[String]) -> CheckDetail {
    let started = std::time::Instant::now();
    let results = futures_util::future::join_all(
        urls.iter()
            .map(|u| check_target(client, ProbeKind::Http, u)),
    )
    .await;
    let error = urls.iter().zip(&results).find_map(|(u, r)| {
        r.error
            .as_ref()
            .map(|e| format!("{}: {e}", crate::probes::redact(u)))
    });
    CheckDetail {
        latency_ms: started.elapsed().as_secs_f64() * 1000.0,
        error,
    }
}

pub async fn report(services: &Services) -> HealthReport {
    let h = &services.config.health;
    let client = crate::outbound::client(services.config.security.allow_private_targets);
    let skip = || async { None::<CheckDetail> };
    // All at once: the slowest check bounds the answer (at most CHECK_TIMEOUT).
    let (db, redis, ws, external) = tokio::join!(
        check_database(services),
        async {
            match &h.redis_url {
                Some(u) => Some(check_target(&client, ProbeKind::Redis, u).await),
                None => skip().await,
            }
        },
        async {
            match &h.websocket_url {
                Some(u) => Some(check_target(&client, ProbeKind::Websocket, u).await),
                None => skip().await,
            }
        },
        async {
            if h.external_apis.is_empty() {
                None
            } else {
                Some(check_external(&client, &h.external_apis).await)
            }
        },
    );
    let ok = |d: &Option<CheckDetail>| d.as_ref().map(|d| d.error.is_none());
    let checks = Checks {
        database: Some(db.error.is_none()),
        redis: ok(&redis),
        websocket: ok(&ws),
        external_apis: ok(&external),
    };
    let mut details = BTreeMap::from([("database", db)]);
    let mut not_configured = vec![];
    for (name, d) in [
        ("redis", redis),
        ("websocket", ws),
        ("external_apis", external),
    ] {
        match d {
            Some(d) => {
                details.insert(name, d);
            }
            None => not_configured.push(name),
        }
    }
    let t = &services.telemetry;
    HealthReport {
        status: status_of(&checks),
        timestamp: time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        metrics: Metrics {
            memory_usage: (process::resident_mb() * 10.0).round() / 10.0,
            cpu_usage: t.process.cpu_usage(),
            active_connections: t.requests.in_flight() + services.live.figures().active,
            error_rate: t.requests.error_rate(),
        },
        not_configured,
        details,
        checks,
        instance: Instance {
            leader: services.leader.load(std::sync::atomic::Ordering::Relaxed),
            database: if store::is_postgres(&services.config.database.url) {
                "postgres"
            } else {
                "sqlite"
            },
        },
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
