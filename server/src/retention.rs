//! Retention: raw rows, rollups, log lines and audit entries past their configured age
//! are deleted, hourly, by the leader.

use crate::services::Services;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often retention runs.
const RETENTION_EVERY: Duration = Duration::from_secs(3600);

/// Runs retention every hour until `stop` (a leader duty).
pub async fn run(services: Services, stop: CancellationToken) {
    let mut tick = tokio::time::interval(RETENTION_EVERY);
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tick.tick() => {}
        }
        let r = &services.config.retention;
        let now = store::clock::now_ms();
        let raw_before = now - i64::from(r.raw_events_days) * 86_400_000;
        let rollups_before = store::clock::minute_of(now) - i64::from(r.rollups_days) * 1440;
        match services
            .storage
            .enforce_retention(raw_before, rollups_before, now)
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(rows = n, "retention deleted expired rows"),
            Err(e) => tracing::error!(error = %e, "retention failed"),
        }
        let l = &services.config.logs;
        let logs_before = now - i64::from(l.retention_days) * 86_400_000;
        match services
            .storage
            .enforce_log_retention(logs_before, l.max_rows)
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(lines = n, "log retention deleted lines"),
            Err(e) => tracing::error!(error = %e, "log retention failed"),
        }
        // At least 30 days: the database refuses a cut inside them.
        let audit_before = now - i64::from(r.audit_days.max(30)) * 86_400_000;
        match services.storage.enforce_audit_retention(audit_before).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(entries = n, "audit retention deleted entries"),
            Err(e) => tracing::error!(error = %e, "audit retention failed"),
        }
    }
}
