//! Probe results and dashboard probe definitions on PostgreSQL.

use crate::storage::{rows, ProbeResult, Result};
use sqlx::PgPool;

pub async fn record(pool: &PgPool, r: &ProbeResult) -> Result<()> {
    sqlx::query(
        "INSERT INTO probe_results (probe, at, ok, up, latency_ms, error) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&r.probe)
    .bind(r.at_ms)
    .bind(i64::from(r.ok))
    .bind(i64::from(r.up))
    .bind(r.latency_ms)
    .bind(&r.error)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn results(
    pool: &PgPool,
    probe: &str,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<ProbeResult>> {
    let found = sqlx::query(
        "SELECT probe, at, ok, up, latency_ms, error FROM probe_results
         WHERE probe = $1 AND at >= $2 AND at < $3 ORDER BY at",
    )
    .bind(probe)
    .bind(from_ms)
    .bind(to_ms)
    .fetch_all(pool)
    .await?;
    rows::all(&found, rows::probe_result)
}

pub async fn latest(pool: &PgPool) -> Result<Vec<ProbeResult>> {
    let found = sqlx::query(
        "SELECT DISTINCT ON (probe) probe, at, ok, up, latency_ms, error FROM probe_results
         ORDER BY probe, at DESC",
    )
    .fetch_all(pool)
    .await?;
    rows::all(&found, rows::probe_result)
}

pub async fn uptime(pool: &PgPool, probe: &str, from_ms: i64) -> Result<(u64, u64)> {
    let r = sqlx::query(
        "SELECT COUNT(*), COALESCE(SUM(up), 0)::BIGINT FROM probe_results WHERE probe = $1 AND at >= $2",
    )
    .bind(probe)
    .bind(from_ms)
    .fetch_one(pool)
    .await?;
    rows::two_counts(&r)
}

pub async fn definitions(pool: &PgPool) -> Result<Vec<(String, String, String)>> {
    Ok(
        sqlx::query_as("SELECT name, definition, updated_by FROM probe_definitions ORDER BY name")
            .fetch_all(pool)
            .await?,
    )
}

pub async fn save(
    pool: &PgPool,
    name: &str,
    definition: &str,
    by: &str,
    now_ms: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO probe_definitions (name, definition, updated_by, updated_at) VALUES ($1, $2, $3, $4)
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

pub async fn delete(pool: &PgPool, name: &str) -> Result<bool> {
    Ok(sqlx::query("DELETE FROM probe_definitions WHERE name = $1")
        .bind(name)
        .execute(pool)
        .await?
        .rows_affected()
        > 0)
}
