//! Log line search (indexed columns, any JSON field, free text) and log retention by
//! age and by count. Lines are written with the rest of a batch (`ingest`).

use crate::{
    database::Database,
    error::Result,
    model::{LogLine, LogQuery},
    sql::{
        cols::{all, Cols},
        query::{like_pattern, Sql},
    },
};
use async_trait::async_trait;

#[async_trait]
pub trait LogStore {
    /// Log lines matching `q`, newest first.
    async fn search_logs(&self, project_id: i64, q: &LogQuery) -> Result<Vec<LogLine>>;
    /// Deletes log lines older than `before_ms`, then the oldest beyond `max_rows`;
    /// returns how many.
    async fn enforce_log_retention(&self, before_ms: i64, max_rows: u64) -> Result<u64>;
}

#[async_trait]
impl LogStore for Database {
    async fn search_logs(&self, project_id: i64, q: &LogQuery) -> Result<Vec<LogLine>> {
        let d = self.dialect();
        let mut b = Sql::new(
            "SELECT id, project_id, at, level, service, environment, restaurant_id, message, body
             FROM log_lines WHERE project_id = ",
        );
        b.push_bind(project_id);
        if let Some(f) = q.from_ms {
            b.push(" AND at >= ").push_bind(f);
        }
        if let Some(t) = q.to_ms {
            b.push(" AND at < ").push_bind(t);
        }
        if let Some(l) = &q.level {
            b.push(" AND level = ").push_bind(l);
        }
        if let Some(s) = &q.service {
            b.push(" AND service = ").push_bind(s);
        }
        if let Some(r) = &q.restaurant {
            b.push(" AND restaurant_id = ").push_bind(r);
        }
        for (k, v) in &q.fields {
            // The key is checked (`valid_field`) and bound, never spliced.
            let key = b.next_param();
            b.push(" AND ")
                .push(&d.json_field_text("body", &key))
                .push_arg(k)
                .push(" = ")
                .push_bind(v);
        }
        if let Some(t) = &q.text {
            let (pattern, like) = (like_pattern(t), d.ilike());
            b.push(&format!(" AND (message {like} "))
                .push_bind(pattern.clone())
                .push(&format!(" ESCAPE '\\' OR body {like} "))
                .push_bind(pattern)
                .push(" ESCAPE '\\')");
        }
        if let Some((at, id)) = q.before {
            b.push(" AND (at < ")
                .push_bind(at)
                .push(" OR (at = ")
                .push_bind(at)
                .push(" AND id < ")
                .push_bind(id)
                .push("))");
        }
        b.push(" ORDER BY at DESC, id DESC LIMIT ")
            .push_bind(q.limit.unwrap_or(100).clamp(1, 500));
        let found = b.fetch_all(self.pool()).await?;
        all(&found, |r| {
            Ok(LogLine {
                id: r.int("id")?,
                project_id: r.int("project_id")?,
                at_ms: r.int("at")?,
                level: r.text("level")?,
                service: r.text_opt("service")?,
                environment: r.text_opt("environment")?,
                restaurant_id: r.text_opt("restaurant_id")?,
                message: r.text("message")?,
                body: r.text("body")?,
            })
        })
    }

    async fn enforce_log_retention(&self, before_ms: i64, max_rows: u64) -> Result<u64> {
        let dropped = self.drop_partitions_before("log_lines", before_ms).await?;
        crate::schema::count_rows(self.pool(), "log_lines", -(dropped as i64)).await?;
        let mut deleted = dropped;
        deleted += self
            .delete_older("log_lines", "at", before_ms, 3_600_000, true)
            .await?;
        // Past the size cap, the oldest lines go, a few thousand per statement so the
        // ingest writer is never kept waiting long.
        const BATCH: i64 = 5_000;
        loop {
            let count = Sql::new("SELECT row_count FROM table_row_counts WHERE name = 'log_lines'")
                .fetch_one(self.pool())
                .await?
                .int(0)?;
            // A limit past i64::MAX means no limit (a plain cast would wrap to -1: delete all).
            let over = count - i64::try_from(max_rows).unwrap_or(i64::MAX);
            if over <= 0 {
                break;
            }
            let _writer = self.write_lock().await;
            let mut tx = self.pool().begin().await?;
            let n = Sql::new(
                "DELETE FROM log_lines WHERE id IN
                   (SELECT id FROM log_lines ORDER BY at ASC, id ASC LIMIT $1)",
            )
            .bind(over.min(BATCH))
            .execute(&mut tx)
            .await?;
            crate::schema::count_rows(&mut tx, "log_lines", -(n as i64)).await?;
            tx.commit().await?;
            deleted += n;
            if n == 0 {
                break;
            }
        }
        Ok(deleted)
    }
}
