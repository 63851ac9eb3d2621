//! Probe attempts and the probes saved from the dashboard.

use crate::{
    database::Database,
    error::Result,
    model::ProbeResult,
    sql::{
        cols::{all, Cols},
        pool::Row,
        query::Sql,
    },
};
use async_trait::async_trait;

#[async_trait]
pub trait ProbeStore {
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
}

fn probe_result(r: &Row) -> Result<ProbeResult> {
    Ok(ProbeResult {
        probe: r.text("probe")?,
        at_ms: r.int("at")?,
        ok: r.flag("ok")?,
        up: r.flag("up")?,
        latency_ms: r.real("latency_ms")?,
        error: r.text_opt("error")?,
    })
}

#[async_trait]
impl ProbeStore for Database {
    async fn record_probe(&self, r: &ProbeResult) -> Result<()> {
        self.ensure_partitions("probe_results", std::iter::once(r.at_ms))
            .await?;
        let _writer = self.write_lock().await;
        let mut tx = self.pool().begin().await?;
        Sql::new(
            "INSERT INTO probe_results (probe, at, ok, up, latency_ms, error)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&r.probe)
        .bind(r.at_ms)
        .bind(r.ok)
        .bind(r.up)
        .bind(r.latency_ms)
        .bind(&r.error)
        .execute(&mut tx)
        .await?;
        crate::schema::count_rows(&mut tx, "probe_results", 1).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn probe_results(
        &self,
        probe: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<ProbeResult>> {
        let found = Sql::new(
            "SELECT probe, at, ok, up, latency_ms, error FROM probe_results
             WHERE probe = $1 AND at >= $2 AND at < $3 ORDER BY at",
        )
        .bind(probe)
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(self.pool())
        .await?;
        all(&found, probe_result)
    }

    async fn latest_probe_results(&self) -> Result<Vec<ProbeResult>> {
        let found = Sql::new(
            "SELECT probe, at, ok, up, latency_ms, error FROM (
               SELECT probe, at, ok, up, latency_ms, error,
                      ROW_NUMBER() OVER (PARTITION BY probe ORDER BY at DESC) AS newest
               FROM probe_results) latest
             WHERE newest = 1 ORDER BY probe",
        )
        .fetch_all(self.pool())
        .await?;
        all(&found, probe_result)
    }

    async fn probe_uptime(&self, probe: &str, from_ms: i64) -> Result<(u64, u64)> {
        let r = Sql::new(
            "SELECT COUNT(*), COUNT(*) FILTER (WHERE up <> 0) FROM probe_results
             WHERE probe = $1 AND at >= $2",
        )
        .bind(probe)
        .bind(from_ms)
        .fetch_one(self.pool())
        .await?;
        Ok((r.uint(0)?, r.uint(1)?))
    }

    async fn probe_definitions(&self) -> Result<Vec<(String, String, String)>> {
        let found =
            Sql::new("SELECT name, definition, updated_by FROM probe_definitions ORDER BY name")
                .fetch_all(self.pool())
                .await?;
        all(&found, |r| {
            Ok((
                r.text("name")?,
                r.text("definition")?,
                r.text("updated_by")?,
            ))
        })
    }

    async fn save_probe(&self, name: &str, definition: &str, by: &str, now_ms: i64) -> Result<()> {
        Sql::new(
            "INSERT INTO probe_definitions (name, definition, updated_by, updated_at)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (name) DO UPDATE SET definition = excluded.definition,
               updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(name)
        .bind(definition)
        .bind(by)
        .bind(now_ms)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn delete_probe(&self, name: &str) -> Result<bool> {
        let changed = Sql::new("DELETE FROM probe_definitions WHERE name = $1")
            .bind(name)
            .execute(self.pool())
            .await?;
        Ok(changed > 0)
    }
}
