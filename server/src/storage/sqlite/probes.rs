//! Probe results and dashboard probe definitions on SQLite.

use crate::storage::{rows, ProbeResult, Result};
use sqlx::SqlitePool;

pub async fn record(pool: &SqlitePool, r: &ProbeResult) -> Result<()> {
    sqlx::query(
        "INSERT INTO probe_results (probe, at, ok, up, latency_ms, error) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(&r.probe)
    .bind(r.at_ms)
    .bind(r.ok)
    .bind(r.up)
    .bind(r.latency_ms)
    .bind(&r.error)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn results(
    pool: &SqlitePool,
    probe: &str,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<ProbeResult>> {
    let found = sqlx::query(
        "SELECT probe, at, ok, up, latency_ms, error FROM probe_results
         WHERE probe = ? AND at >= ? AND at < ? ORDER BY at",
    )
    .bind(probe)
    .bind(from_ms)
    .bind(to_ms)
    .fetch_all(pool)
    .await?;
    rows::all(&found, rows::probe_result)
}

pub async fn latest(pool: &SqlitePool) -> Result<Vec<ProbeResult>> {
    let found = sqlx::query(
        "SELECT r.probe, r.at, r.ok, r.up, r.latency_ms, r.error FROM probe_results r
         JOIN (SELECT probe, MAX(at) AS at FROM probe_results GROUP BY probe) m
           ON m.probe = r.probe AND m.at = r.at
         GROUP BY r.probe ORDER BY r.probe",
    )
    .fetch_all(pool)
    .await?;
    rows::all(&found, rows::probe_result)
}

pub async fn uptime(pool: &SqlitePool, probe: &str, from_ms: i64) -> Result<(u64, u64)> {
    let r = sqlx::query(
        "SELECT COUNT(*), COALESCE(SUM(up), 0) FROM probe_results WHERE probe = ? AND at >= ?",
    )
    .bind(probe)
    .bind(from_ms)
    .fetch_one(pool)
    .await?;
    rows::two_counts(&r)
}

pub async fn definitions(pool: &SqlitePool) -> Result<Vec<(String, String, String)>> {
    Ok(
        sqlx::query_as("SELECT name, definition, updated_by FROM probe_definitions ORDER BY name")
            .fetch_all(pool)
            .await?,
    )
}

pub async fn save(
    pool: &SqlitePool,
    name: &str,
    definition: &str,
    by: &str,
    now_ms: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO probe_definitions (name, definition, updated_by, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET definition = excluded.definition,
           updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(name)
    .bind(definition)
    .bind(by)
    .bind(now_ms)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn delete(pool: &SqlitePool, name: &str) -> Result<bool> {
    Ok(sqlx::query("DELETE FROM probe_definitions WHERE name = ?")
        .bind(name)
        .execute(pool)
        .await?
        .rows_affected()
        > 0)
}
