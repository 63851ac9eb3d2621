//! Day partitions of the raw-event tables: created ahead of the rows that need them,
//! dropped whole by retention.

pub use crate::schema::RAW_TABLES as TABLES;
use crate::{clock::now_ms, error::Result};
use sqlx::PgPool;
use std::{collections::HashSet, sync::Mutex};

pub const DAY_MS: i64 = 86_400_000;

/// Days further back than this, or further ahead than [`AHEAD_DAYS`], get no partition
/// of their own: their rows go to the table's default partition. That keeps a wrong
/// client clock from creating a partition per bogus day.
pub const BEHIND_DAYS: i64 = 400;
pub const AHEAD_DAYS: i64 = 2;

/// Which day partitions this process already knows exist.
#[derive(Default)]
pub struct Partitions {
    known: Mutex<HashSet<(&'static str, i64)>>,
}

impl Partitions {
    /// Makes sure `table` has a partition for the day of each timestamp in `times`
    /// (within the window above). Cheap when they exist: one set lookup per distinct day.
    pub async fn ensure(
        &self,
        pool: &PgPool,
        table: &'static str,
        times: impl Iterator<Item = i64>,
    ) -> Result<()> {
        let today = now_ms().div_euclid(DAY_MS) * DAY_MS;
        let (lo, hi) = (today - BEHIND_DAYS * DAY_MS, today + AHEAD_DAYS * DAY_MS);
        let missing: Vec<i64> = {
            let known = self.known.lock().expect("partition set");
            let mut days: Vec<i64> = times
                .map(|t| t.div_euclid(DAY_MS) * DAY_MS)
                .filter(|d| (lo..=hi).contains(d) && !known.contains(&(table, *d)))
                .collect();
            days.sort_unstable();
            days.dedup();
            days
        };
        for day in missing {
            sqlx::query("SELECT monitor_ensure_partition($1, $2)")
                .bind(table)
                .bind(day)
                .execute(pool)
                .await?;
            self.known
                .lock()
                .expect("partition set")
                .insert((table, day));
        }
        Ok(())
    }

    /// Drops the day partitions of `table` that end at or before `before_ms`; returns
    /// the rows they held.
    pub async fn drop_before(
        &self,
        pool: &PgPool,
        table: &'static str,
        before_ms: i64,
    ) -> Result<u64> {
        let rows: i64 = sqlx::query_scalar("SELECT monitor_drop_partitions($1, $2)")
            .bind(table)
            .bind(before_ms)
            .fetch_one(pool)
            .await?;
        self.known
            .lock()
            .expect("partition set")
            .retain(|(t, day)| *t != table || day + DAY_MS > before_ms);
        Ok(rows as u64)
    }
}
