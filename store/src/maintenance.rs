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

const DAY_MS: i64 = 86_400_000;

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
        let mut out = Vec::with_capacity(RAW_TABLES.len());
        for (table, at) in RAW_TABLES {
            let r = Sql::new(format!(
                "SELECT COUNT(*), COUNT(*) FILTER (WHERE {at} >= $1), MIN({at}) FROM {table}"
            ))
            .bind(since_ms)
            .fetch_one(self.pool())
            .await?;
            out.push(TableCapacity {
                table: table.to_string(),
                rows: r.uint(0)?,
                last_hour: r.uint(1)?,
                oldest_ms: r.int_opt(2)?,
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
            deleted += self.drop_partitions_before(table, before).await?;
            deleted += Sql::new(format!("DELETE FROM {table} WHERE {at} < $1"))
                .bind(before)
                .execute(self.pool())
                .await?;
        }
        // Aggregates go after `rollups_days`. Issues, their tag stores and hourly counts
        // stay: they are small and they are history.
        let statements: [(&str, i64); 7] = [
            // Failed sign-ins matter for lockout and bursts only: a day is plenty.
            ("DELETE FROM login_failures WHERE at < $1", now_ms - DAY_MS),
            (
                "DELETE FROM release_sessions WHERE started < $1",
                raw_before_ms,
            ),
            (
                "DELETE FROM rollups WHERE minute < $1",
                rollups_before_minute,
            ),
            (
                "DELETE FROM error_minutes WHERE minute < $1",
                rollups_before_minute,
            ),
            (
                "DELETE FROM session_aggregates WHERE minute < $1",
                rollups_before_minute,
            ),
            (
                "DELETE FROM ingest_outcomes WHERE hour < $1",
                rollups_before_hour,
            ),
            ("DELETE FROM sessions WHERE expires_at <= $1", now_ms),
        ];
        for (sql, bound) in statements {
            deleted += Sql::new(sql).bind(bound).execute(self.pool()).await?;
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
