//! `monitor export-to <postgres-url>`: a one-way copy of the SQLite database into
//! PostgreSQL, for moving from one instance to several.
//!
//! Tables go in foreign-key order, in chunks; each chunk commits together with its
//! progress row (`export_progress`), so an interrupted copy resumes where it stopped and
//! never copies a row twice. At the end every table's row count is compared.

use crate::{
    database::Database,
    error::{Result, StorageError},
    sql::pool::Pool,
};
use sqlx::{sqlite::SqliteRow, PgPool, Postgres, QueryBuilder, Row, SqlitePool};

/// Every table, parents before children. A SQLite table missing here stops the copy:
/// a new migration must say how its table is copied.
const TABLES: [&str; 33] = [
    "projects",
    "users",
    "sessions",
    "api_tokens",
    "project_filters",
    "issues",
    "issue_tags",
    "issue_hours",
    "error_minutes",
    "error_events",
    "rum_events",
    "rollups",
    "api_calls",
    "memory_samples",
    "custom_points",
    "ingest_outcomes",
    "release_sessions",
    "session_aggregates",
    "alert_states",
    "alert_history",
    "alert_outbox",
    "alert_outbox_alerts",
    "alert_silences",
    "alert_rules",
    "probe_results",
    "probe_definitions",
    "business_events",
    "audit_log",
    "login_failures",
    "log_lines",
    "server_requests",
    "db_queries",
    "restaurant_hours",
];

/// Tables the target's migrations fill: row counters (recomputed after the copy) and the
/// audit retention cut (one row, which the next retention run sets).
const DERIVED: [&str; 2] = ["table_row_counts", "audit_retention"];

/// Rows per chunk (and per transaction).
const CHUNK: i64 = 2_000;

/// One table's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct TableCount {
    pub table: &'static str,
    pub source_rows: u64,
    pub target_rows: u64,
}

/// What the caller shows while copying.
pub trait Progress: Send {
    fn table(&mut self, table: &str, total: u64, done: u64);
    fn advance(&mut self, rows: u64);
    fn finish_table(&mut self);
}

/// Copies `source` (SQLite) into `target` (PostgreSQL, migrated here), then verifies.
pub async fn run(
    source: &str,
    target: &str,
    progress: &mut dyn Progress,
) -> Result<Vec<TableCount>> {
    let from = Database::connect(source, 2).await?;
    let to = Database::connect(target, 4).await?;
    let (Pool::Sqlite(src), Pool::Postgres(dst)) = (from.pool(), to.pool()) else {
        return Err(fail(
            "export-to copies a sqlite:// database into a postgres:// one".into(),
        ));
    };
    check_tables(src).await?;
    refuse_foreign_data(dst).await?;
    for table in TABLES {
        copy_table(src, &to, dst, table, progress).await?;
    }
    reset_sequences(dst).await?;
    recount(dst).await?;
    let counts = verify(src, dst).await?;
    src.close().await;
    dst.close().await;
    Ok(counts)
}

/// The raw tables' row counters, from what the target now holds.
async fn recount(dst: &PgPool) -> Result<()> {
    for (table, _) in crate::schema::RAW_TABLES {
        sqlx::query(&format!(
            "UPDATE table_row_counts SET row_count = (SELECT COUNT(*) FROM {table}) WHERE name = $1"
        ))
        .bind(table)
        .execute(dst)
        .await?;
    }
    Ok(())
}

fn fail(msg: String) -> StorageError {
    StorageError::Database(sqlx::Error::Protocol(msg))
}

async fn check_tables(src: &SqlitePool) -> Result<()> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table'
         AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
    )
    .fetch_all(src)
    .await?;
    match names
        .iter()
        .find(|n| !TABLES.contains(&n.as_str()) && !DERIVED.contains(&n.as_str()))
    {
        Some(n) => Err(fail(format!(
            "export does not know how to copy table {n:?}"
        ))),
        None => Ok(()),
    }
}

/// A target that already holds data of its own (a server ran on it) is refused:
/// merging two histories would clash on ids.
async fn refuse_foreign_data(dst: &PgPool) -> Result<()> {
    let started: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM export_progress")
        .fetch_one(dst)
        .await?;
    if started > 0 {
        return Ok(());
    }
    for table in TABLES {
        let any: bool = sqlx::query_scalar(&format!("SELECT EXISTS (SELECT 1 FROM {table})"))
            .fetch_one(dst)
            .await?;
        if any {
            return Err(fail(format!(
                "the target already has rows in {table}: export into an empty database"
            )));
        }
    }
    Ok(())
}

/// (column, PostgreSQL type) in table order.
async fn columns(dst: &PgPool, table: &str) -> Result<Vec<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT column_name::TEXT, data_type::TEXT FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
    )
    .bind(table)
    .fetch_all(dst)
    .await?)
}

/// How rows are walked: by rowid, or (WITHOUT ROWID tables) by primary key and offset.
async fn order_key(src: &SqlitePool, table: &str) -> Result<Option<String>> {
    let without_rowid: bool = sqlx::query_scalar(
        "SELECT sql LIKE '%WITHOUT ROWID%' FROM sqlite_master WHERE type = 'table' AND name = ?",
    )
    .bind(table)
    .fetch_one(src)
    .await?;
    if !without_rowid {
        return Ok(None);
    }
    let pk: Vec<String> =
        sqlx::query_scalar("SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk")
            .bind(table)
            .fetch_all(src)
            .await?;
    Ok(Some(pk.join(", ")))
}

async fn copy_table(
    src: &SqlitePool,
    to: &Database,
    dst: &PgPool,
    table: &'static str,
    progress: &mut dyn Progress,
) -> Result<()> {
    let cols = columns(dst, table).await?;
    let list = cols
        .iter()
        .map(|(c, _)| c.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(src)
        .await?;
    let (mut last, mut done): (i64, i64) =
        sqlx::query_as("SELECT last_key, rows FROM export_progress WHERE tbl = $1")
            .bind(table)
            .fetch_optional(dst)
            .await?
            .unwrap_or((0, 0));
    progress.table(table, total as u64, done as u64);
    if let Some((_, key)) = crate::postgres::partition_key(table) {
        let days: Vec<i64> = sqlx::query_scalar(&format!(
            "SELECT DISTINCT ({key} / 86400000) * 86400000 FROM {table}"
        ))
        .fetch_all(src)
        .await?;
        to.ensure_partitions(table, days.into_iter()).await?;
    }
    let by_pk = order_key(src, table).await?;
    loop {
        // Names come from the constant list and the catalogue, never from input.
        let rows: Vec<SqliteRow> = match &by_pk {
            None => {
                sqlx::query(&format!(
                    "SELECT rowid AS export_rowid, {list} FROM {table}
                     WHERE rowid > ? ORDER BY rowid LIMIT ?"
                ))
                .bind(last)
                .bind(CHUNK)
                .fetch_all(src)
                .await?
            }
            Some(pk) => {
                sqlx::query(&format!(
                    "SELECT {list} FROM {table} ORDER BY {pk} LIMIT ? OFFSET ?"
                ))
                .bind(CHUNK)
                .bind(last)
                .fetch_all(src)
                .await?
            }
        };
        let Some(end) = rows.last() else { break };
        last = match &by_pk {
            None => end.try_get("export_rowid")?,
            Some(_) => last + rows.len() as i64,
        };
        done += rows.len() as i64;
        let mut tx = dst.begin().await?;
        let mut q: QueryBuilder<Postgres> =
            QueryBuilder::new(format!("INSERT INTO {table} ({list}) "));
        let mut bad = None;
        q.push_values(&rows, |mut b, row| {
            for (name, ty) in &cols {
                let pushed = match ty.as_str() {
                    "bigint" => row
                        .try_get_unchecked::<Option<i64>, _>(name.as_str())
                        .map(|v| {
                            b.push_bind(v);
                        }),
                    "double precision" => row
                        .try_get_unchecked::<Option<f64>, _>(name.as_str())
                        .map(|v| {
                            b.push_bind(v);
                        }),
                    "bytea" => row
                        .try_get_unchecked::<Option<Vec<u8>>, _>(name.as_str())
                        .map(|v| {
                            b.push_bind(v);
                        }),
                    _ => row
                        .try_get_unchecked::<Option<String>, _>(name.as_str())
                        .map(|v| {
                            b.push_bind(v);
                        }),
                };
                if let Err(e) = pushed {
                    bad.get_or_insert(e);
                    b.push_bind(None::<String>);
                }
            }
        });
        if let Some(e) = bad {
            return Err(e.into());
        }
        q.build().execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO export_progress (tbl, last_key, rows) VALUES ($1, $2, $3)
             ON CONFLICT (tbl) DO UPDATE SET last_key = excluded.last_key, rows = excluded.rows",
        )
        .bind(table)
        .bind(last)
        .bind(done)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        progress.advance(rows.len() as u64);
    }
    progress.finish_table();
    Ok(())
}

/// Ids were copied as they were: each id sequence continues after the largest.
async fn reset_sequences(dst: &PgPool) -> Result<()> {
    for table in TABLES {
        let has_id: bool = sqlx::query_scalar(
            "SELECT pg_get_serial_sequence($1, 'id') IS NOT NULL
             FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1 AND column_name = 'id'",
        )
        .bind(table)
        .fetch_optional(dst)
        .await?
        .unwrap_or(false);
        if has_id {
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'),
                               COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            ))
            .execute(dst)
            .await?;
        }
    }
    Ok(())
}

async fn verify(src: &SqlitePool, dst: &PgPool) -> Result<Vec<TableCount>> {
    let mut out = Vec::with_capacity(TABLES.len());
    for table in TABLES {
        let count = format!("SELECT COUNT(*) FROM {table}");
        let a: i64 = sqlx::query_scalar(&count).fetch_one(src).await?;
        let b: i64 = sqlx::query_scalar(&count).fetch_one(dst).await?;
        out.push(TableCount {
            table,
            source_rows: a as u64,
            target_rows: b as u64,
        });
    }
    if let Some(t) = out.iter().find(|t| t.source_rows != t.target_rows) {
        return Err(fail(format!(
            "row counts differ in {}: {} in SQLite, {} in PostgreSQL",
            t.table, t.source_rows, t.target_rows
        )));
    }
    Ok(out)
}
