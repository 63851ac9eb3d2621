//! What only PostgreSQL needs: connecting, its migrations, the day partitions of the
//! raw-event tables, the leader's advisory lock, and its size. Everything else runs the
//! same SQL as SQLite.

pub mod leader;
pub mod partitions;

use crate::error::Result;
use sqlx::{
    postgres::{PgConnectOptions, PgPoolOptions},
    PgPool,
};
use std::{str::FromStr, time::Duration};

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// Connects to and migrates the database at `url`. Two instances starting at once are
/// safe: sqlx's migrator holds an advisory lock while it runs.
pub async fn connect(url: &str, max_connections: u32) -> Result<(PgPool, PgConnectOptions)> {
    let options = PgConnectOptions::from_str(url)?.application_name("monitor");
    let pool = PgPoolOptions::new()
        .max_connections(max_connections.max(2))
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options.clone())
        .await?;
    MIGRATOR.run(&pool).await?;
    Ok((pool, options))
}

/// The database's size in bytes.
pub async fn size(pool: &PgPool) -> Result<u64> {
    let bytes: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database())")
        .fetch_one(pool)
        .await?;
    Ok(bytes.max(0) as u64)
}

/// `(table, time column)` when `table` is partitioned by day.
pub fn partition_key(table: &str) -> Option<(&'static str, &'static str)> {
    partitions::TABLES
        .iter()
        .copied()
        .find(|(t, _)| *t == table)
}

/// Advisory locks on `keys` for the rest of the transaction, taken in one sorted
/// statement so two writers never wait on each other crosswise. Rollups merge their
/// sketches in Rust (read, merge, write), so two instances flushing the same minute
/// would otherwise lose one's update.
pub async fn lock_keys(tx: &mut sqlx::PgConnection, keys: &[String]) -> Result<()> {
    if keys.is_empty() {
        return Ok(());
    }
    // Text from outside may hold a NUL, which PostgreSQL text refuses; the rows
    // themselves store it as U+FFFD, so the lock keys name them the same way.
    let keys: Vec<String> = keys.iter().map(|k| k.replace('\0', "\u{FFFD}")).collect();
    sqlx::query(
        "SELECT pg_advisory_xact_lock(k) FROM
           (SELECT DISTINCT hashtextextended(key, 0) AS k FROM unnest($1::text[]) AS key) keys
         ORDER BY k",
    )
    .bind(&keys)
    .execute(tx)
    .await?;
    Ok(())
}
