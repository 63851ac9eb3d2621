//! Running the database: liveness, capacity figures, retention, the leader role.

use crate::{
    database::Database,
    error::Result,
    lease::Lease,
    model::TableCapacity,
    schema::RAW_TABLES,
    sql::{cols::Cols, query::Sql},
};
use async_trait::async_trait;
use std::time::{Duration, Instant};

const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;

/// How long one retention statement should hold the write lock; slices of time grow or
/// shrink towards it, so a first run on a large database is a series of short deletes.
const SLICE_TARGET: Duration = Duration::from_millis(50);
/// A pause between two slices, in which the ingest writer gets the lock.
const SLICE_PAUSE: Duration = Duration::from_millis(10);

#[async_trait]
pub trait Maintenance {
    async fn ping(&self) -> Result<()>;
    /// Database size and, per raw-data table, rows, rows since `since_ms`, oldest row.
    async fn capacity(&self, since_ms: i64) -> Result<(u64, Vec<TableCapacity>)>;
    /// Deletes raw events, rollups and sessions past their retention; returns rows deleted.
    async fn enforce_retention(
        &self,
        raw_before_ms: i64,
        rollups_before_minute: i64,
        now_ms: i64,
    ) -> Result<u64>;
    /// Tries to become the instance that runs the alert engine, the outbox, probes and
    /// retention. `None`: another instance holds the role.
    async fn try_lead(&self) -> Result<Option<Box<dyn Lease>>>;
    async fn close(&self);
}

#[async_trait]
impl Maintenance for Database {
    async fn ping(&self) -> Result<()> {
        Sql::new("SELECT 1").execute(self.pool()).await?;
        Ok(())
    }

    async fn capacity(&self, since_ms: i64) -> Result<(u64, Vec<TableCapacity>)> {
        // Rows from the counters the writers keep; the last hour and the oldest row
        // through each table's time index: nothing here reads a whole table.
        let counts = Sql::new("SELECT name, row_count FROM table_row_counts")
            .fetch_all(self.pool())
            .await?;
        let mut out = Vec::with_capacity(RAW_TABLES.len());
        for (table, at) in RAW_TABLES {
            let mut rows = 0;
            for r in &counts {
                if r.text(0)? == table {
                    rows = r.int(1)?.max(0) as u64;
                }
            }
            let r = Sql::new(format!(
                "SELECT (SELECT COUNT(*) FROM {table} WHERE {at} >= $1), (SELECT MIN({at}) FROM {table})"
            ))
            .bind(since_ms)
            .fetch_one(self.pool())
            .await?;
            out.push(TableCapacity {
                table: table.to_string(),
                rows,
                last_hour: r.uint(0)?,
                oldest_ms: r.int_opt(1)?,
            });
        }
        Ok((self.size().await?, out))
    }

    async fn enforce_retention(
        &self,
        raw_before_ms: i64,
        rollups_before_minute: i64,
        now_ms: i64,
    ) -> Result<u64> {
        let rollups_before_hour = rollups_before_minute.div_euclid(60);
        // Kept at least 31 days: the Health page shows 30-day uptime.
        let probes_before = raw_before_ms.min(now_ms - 31 * DAY_MS);
        let mut deleted = 0;
        // Raw rows go after `raw_events_days`: on PostgreSQL whole day partitions are
        // dropped first, then the rows left before the cut (in the day it falls in, or the
        // default partition) are deleted, as every row is on SQLite.
        for (table, at) in RAW_TABLES {
            let before = match table {
                "log_lines" => continue, // its own retention: enforce_log_retention
                "probe_results" => probes_before,
                _ => raw_before_ms,
            };
            let dropped = self.drop_partitions_before(table, before).await?;
            crate::schema::count_rows(self.pool(), table, -(dropped as i64)).await?;
            deleted += dropped;
            deleted += self.delete_older(table, at, before, HOUR_MS, true).await?;
        }
        // Aggregates go after `rollups_days`. Issues, their tag stores and hourly counts
        // stay: they are small and they are history.
        let aggregates: [(&str, &str, i64, i64); 7] = [
            // Failed sign-ins matter for lockout and bursts only: a day is plenty.
            ("login_failures", "at", now_ms - DAY_MS, HOUR_MS),
            ("release_sessions", "started", raw_before_ms, HOUR_MS),
            ("rollups", "minute", rollups_before_minute, 60),
            ("error_minutes", "minute", rollups_before_minute, 60),
            ("session_aggregates", "minute", rollups_before_minute, 60),
            ("ingest_outcomes", "hour", rollups_before_hour, 1),
            ("sessions", "expires_at", now_ms + 1, HOUR_MS),
        ];
        for (table, col, before, slice) in aggregates {
            deleted += self.delete_older(table, col, before, slice, false).await?;
        }
        Ok(deleted)
    }

    async fn try_lead(&self) -> Result<Option<Box<dyn Lease>>> {
        self.take_lease().await
    }

    async fn close(&self) {
        self.pool().close().await;
    }
}

impl Database {
    /// Deletes the rows of `table` whose `col` is below `before`, oldest first, one slice
    /// of time per statement (starting at `slice` units of `col`), each under the write
    /// lock alone, with a pause between them: the ingest writer waits for one short
    /// slice at most, however much there is to delete. The time index on `col` makes
    /// each slice a range. `counted`: keep `table_row_counts` in step.
    pub(crate) async fn delete_older(
        &self,
        table: &str,
        col: &str,
        before: i64,
        slice: i64,
        counted: bool,
    ) -> Result<u64> {
        let oldest = Sql::new(format!("SELECT MIN({col}) FROM {table}"))
            .fetch_one(self.pool())
            .await?
            .int_opt(0)?;
        let Some(mut from) = oldest else {
            return Ok(0);
        };
        let (mut slice, mut deleted) = (slice.max(1), 0u64);
        while from < before {
            let to = from.saturating_add(slice).min(before);
            let started = Instant::now();
            let n = {
                let _writer = self.write_lock().await;
                let mut tx = self.pool().begin().await?;
                let n = Sql::new(format!("DELETE FROM {table} WHERE {col} < $1"))
                    .bind(to)
                    .execute(&mut tx)
                    .await?;
                if counted {
                    crate::schema::count_rows(&mut tx, table, -(n as i64)).await?;
                }
                tx.commit().await?;
                n
            };
            deleted += n;
            from = to;
            let took = started.elapsed();
            if took < SLICE_TARGET / 2 {
                slice = slice.saturating_mul(2);
            } else if took > SLICE_TARGET * 2 {
                slice = (slice / 2).max(1);
            }
            if from < before {
                tokio::time::sleep(SLICE_PAUSE).await;
            }
        }
        Ok(deleted)
    }
}
