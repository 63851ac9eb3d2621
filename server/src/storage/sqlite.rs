//! [`Storage`] on SQLite (WAL): the embedded default.

use super::{
    ApiToken, IssueChange, IssueRow, NewErrorEvent, Project, Result, RollupRow, RumEventRow,
    Storage, StorageError, User,
};
use crate::{
    clock::now_ms,
    rollup::{Metric, RollupDelta, Sketch},
};
use async_trait::async_trait;
use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    QueryBuilder, Row, Sqlite, SqlitePool,
};
use std::{str::FromStr, time::Duration};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");

/// SQLite allows 32 766 bound parameters per statement; 11 per event row.
const EVENTS_PER_INSERT: usize = 2_000;

pub struct SqliteStorage {
    pool: SqlitePool,
    /// SQLite has one writer. Transactions that read then write would otherwise fail
    /// with SQLITE_BUSY when two try to upgrade at once (the busy timeout does not cover
    /// that case), so multi-statement writes take this lock first.
    write: tokio::sync::Mutex<()>,
}

impl SqliteStorage {
    /// Opens (creating file and folder if needed) and migrates the database at `url`.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        if let Some(dir) = options.get_filename().parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|e| StorageError::Database(e.into()))?;
            }
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(max_connections.max(1))
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(SqliteStorage {
            pool,
            write: tokio::sync::Mutex::new(()),
        })
    }
}

fn user_from(row: &sqlx::sqlite::SqliteRow) -> Result<User> {
    Ok(User {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        password_hash: row.try_get("password_hash")?,
    })
}

fn project_from(row: &sqlx::sqlite::SqliteRow) -> Result<Project> {
    Ok(Project {
        id: row.try_get("id")?,
        slug: row.try_get("slug")?,
        name: row.try_get("name")?,
        public_key: row.try_get("public_key")?,
    })
}

/// Issues with users and restaurants affected, counted from their events.
const ISSUE_SELECT: &str = "SELECT i.id, i.title, i.culprit, i.level, i.status, i.first_seen, i.last_seen,
    i.event_count, i.regressed_at,
    (SELECT COUNT(DISTINCT user_key) FROM error_events e WHERE e.issue_id = i.id) AS users,
    (SELECT COUNT(DISTINCT restaurant_id) FROM error_events e WHERE e.issue_id = i.id) AS restaurants
    FROM issues i";

fn issue_from(r: &sqlx::sqlite::SqliteRow) -> Result<IssueRow> {
    Ok(IssueRow {
        id: r.try_get("id")?,
        title: r.try_get("title")?,
        culprit: r.try_get("culprit")?,
        level: r.try_get("level")?,
        status: r.try_get("status")?,
        first_seen_ms: r.try_get("first_seen")?,
        last_seen_ms: r.try_get("last_seen")?,
        events: r.try_get::<i64, _>("event_count")? as u64,
        users: r.try_get::<i64, _>("users")? as u64,
        restaurants: r.try_get::<i64, _>("restaurants")? as u64,
        regressed_at_ms: r.try_get("regressed_at")?,
    })
}

fn decode_sketch(bytes: Option<Vec<u8>>) -> Result<Option<Sketch>> {
    bytes
        .map(|b| Sketch::decode(&b).map_err(StorageError::Sketch))
        .transpose()
}

#[async_trait]
impl Storage for SqliteStorage {
    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn ensure_project(&self, slug: &str, name: &str, public_key: &str) -> Result<Project> {
        sqlx::query(
            "INSERT INTO projects (slug, name, public_key, created_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (slug) DO NOTHING",
        )
        .bind(slug)
        .bind(name)
        .bind(public_key)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        let row = sqlx::query("SELECT id, slug, name, public_key FROM projects WHERE slug = ?")
            .bind(slug)
            .fetch_one(&self.pool)
            .await?;
        project_from(&row)
    }

    async fn projects(&self) -> Result<Vec<Project>> {
        sqlx::query("SELECT id, slug, name, public_key FROM projects ORDER BY id")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(project_from)
            .collect()
    }

    async fn user_by_name(&self, username: &str) -> Result<Option<User>> {
        sqlx::query("SELECT id, username, password_hash FROM users WHERE username = ?")
            .bind(username)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(user_from)
            .transpose()
    }

    async fn create_user(&self, username: &str, password_hash: &str) -> Result<User> {
        let row = sqlx::query(
            "INSERT INTO users (username, password_hash, created_at) VALUES (?, ?, ?)
             RETURNING id, username, password_hash",
        )
        .bind(username)
        .bind(password_hash)
        .bind(now_ms())
        .fetch_one(&self.pool)
        .await?;
        user_from(&row)
    }

    async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        expires_at_ms: i64,
    ) -> Result<()> {
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)")
            .bind(token_hash)
            .bind(user_id)
            .bind(now_ms())
            .bind(expires_at_ms)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn session_user(&self, token_hash: &str, now_ms: i64) -> Result<Option<User>> {
        sqlx::query(
            "SELECT u.id, u.username, u.password_hash FROM sessions s
             JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = ? AND s.expires_at > ?",
        )
        .bind(token_hash)
        .bind(now_ms)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(user_from)
        .transpose()
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn create_api_token(
        &self,
        user_id: i64,
        name: &str,
        token_hash: &str,
        prefix: &str,
    ) -> Result<ApiToken> {
        let created = now_ms();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at)
             VALUES (?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(user_id)
        .bind(name)
        .bind(token_hash)
        .bind(prefix)
        .bind(created)
        .fetch_one(&self.pool)
        .await?;
        Ok(ApiToken {
            id,
            name: name.to_string(),
            prefix: prefix.to_string(),
            created_at_ms: created,
            last_used_ms: None,
        })
    }

    async fn api_token_user(&self, token_hash: &str, now_ms: i64) -> Result<Option<User>> {
        let row = sqlx::query(
            "SELECT t.id AS token_id, u.id, u.username, u.password_hash FROM api_tokens t
             JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = ? AND t.revoked_at IS NULL",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let token_id: i64 = row.try_get("token_id")?;
        sqlx::query(
            "UPDATE api_tokens SET last_used_at = ?
             WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
        )
        .bind(now_ms)
        .bind(token_id)
        .bind(now_ms - 60_000)
        .execute(&self.pool)
        .await?;
        user_from(&row).map(Some)
    }

    async fn api_tokens(&self) -> Result<Vec<ApiToken>> {
        let rows = sqlx::query(
            "SELECT id, name, prefix, created_at, last_used_at FROM api_tokens
             WHERE revoked_at IS NULL ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ApiToken {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    prefix: r.try_get("prefix")?,
                    created_at_ms: r.try_get("created_at")?,
                    last_used_ms: r.try_get("last_used_at")?,
                })
            })
            .collect()
    }

    async fn revoke_api_token(&self, id: i64) -> Result<bool> {
        let done =
            sqlx::query("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
                .bind(now_ms())
                .bind(id)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn write_rum(&self, events: &[RumEventRow], rollups: &[RollupDelta]) -> Result<()> {
        let _writer = self.write.lock().await;
        let mut tx = self.pool.begin().await?;
        for chunk in events.chunks(EVENTS_PER_INSERT) {
            let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
                "INSERT INTO rum_events (project_id, received_at, client_ts, kind, page, session_id, \
                 user_agent, ttfb, dcl, load, fp, fcp) ",
            );
            q.push_values(chunk, |mut b, e| {
                b.push_bind(e.project_id)
                    .push_bind(e.received_at_ms)
                    .push_bind(e.client_ts_ms)
                    .push_bind("pageload")
                    .push_bind(&e.page)
                    .push_bind(&e.session_id)
                    .push_bind(&e.user_agent)
                    .push_bind(e.ttfb)
                    .push_bind(e.dcl)
                    .push_bind(e.load)
                    .push_bind(e.fp)
                    .push_bind(e.fcp);
            });
            q.build().execute(&mut *tx).await?;
        }
        // Read-merge-write inside the transaction: correct across restarts, and SQLite
        // serializes writers, so no concurrent flush can interleave.
        for d in rollups {
            let existing = sqlx::query(
                "SELECT count, sum, sketch FROM rum_rollups
                 WHERE project_id = ? AND metric = ? AND page = ? AND minute = ?",
            )
            .bind(d.project_id)
            .bind(d.metric.as_str())
            .bind(&d.page)
            .bind(d.minute)
            .fetch_optional(&mut *tx)
            .await?;
            let (mut count, mut sum, mut sketch) = (d.count, d.sum, d.sketch.clone());
            if let Some(row) = existing {
                count += row.try_get::<i64, _>("count")? as u64;
                sum += row.try_get::<f64, _>("sum")?;
                if let (Some(s), Some(old)) =
                    (sketch.as_mut(), decode_sketch(row.try_get("sketch")?)?)
                {
                    s.merge(&old);
                }
            }
            sqlx::query(
                "INSERT INTO rum_rollups (project_id, metric, page, minute, count, sum, sketch)
                 VALUES (?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (project_id, metric, page, minute)
                 DO UPDATE SET count = excluded.count, sum = excluded.sum, sketch = excluded.sketch",
            )
            .bind(d.project_id)
            .bind(d.metric.as_str())
            .bind(&d.page)
            .bind(d.minute)
            .bind(count as i64)
            .bind(sum)
            .bind(sketch.map(|s| s.encode()))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn rollups(
        &self,
        project_id: i64,
        metric: Metric,
        page: &str,
        from_minute: i64,
        to_minute: i64,
    ) -> Result<Vec<RollupRow>> {
        let rows = sqlx::query(
            "SELECT minute, page, count, sum, sketch FROM rum_rollups
             WHERE project_id = ? AND metric = ? AND page = ? AND minute BETWEEN ? AND ?
             ORDER BY minute",
        )
        .bind(project_id)
        .bind(metric.as_str())
        .bind(page)
        .bind(from_minute)
        .bind(to_minute)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(RollupRow {
                    minute: r.try_get("minute")?,
                    page: r.try_get("page")?,
                    count: r.try_get::<i64, _>("count")? as u64,
                    sum: r.try_get("sum")?,
                    sketch: decode_sketch(r.try_get("sketch")?)?,
                })
            })
            .collect()
    }

    async fn top_pages(
        &self,
        project_id: i64,
        from_minute: i64,
        to_minute: i64,
        limit: u32,
    ) -> Result<Vec<(String, u64)>> {
        let rows = sqlx::query(
            "SELECT page, SUM(count) AS views FROM rum_rollups
             WHERE project_id = ? AND metric = ? AND page <> '' AND minute BETWEEN ? AND ?
             GROUP BY page ORDER BY views DESC, page LIMIT ?",
        )
        .bind(project_id)
        .bind(Metric::PageView.as_str())
        .bind(from_minute)
        .bind(to_minute)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| Ok((r.try_get("page")?, r.try_get::<i64, _>("views")? as u64)))
            .collect()
    }

    async fn count_rum_events(&self, project_id: i64) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rum_events WHERE project_id = ?")
            .bind(project_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(n as u64)
    }

    async fn store_error_event(&self, e: &NewErrorEvent) -> Result<(i64, IssueChange)> {
        let _writer = self.write.lock().await;
        let mut tx = self.pool.begin().await?;
        let existing =
            sqlx::query("SELECT id, status FROM issues WHERE project_id = ? AND fingerprint = ?")
                .bind(e.project_id)
                .bind(&e.fingerprint)
                .fetch_optional(&mut *tx)
                .await?;
        let (issue_id, change) = match existing {
            None => {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO issues (project_id, fingerprint, title, culprit, level, first_seen, last_seen, event_count)
                     VALUES (?, ?, ?, ?, ?, ?, ?, 1) RETURNING id",
                )
                .bind(e.project_id)
                .bind(&e.fingerprint)
                .bind(&e.title)
                .bind(&e.culprit)
                .bind(&e.level)
                .bind(e.received_at_ms)
                .bind(e.received_at_ms)
                .fetch_one(&mut *tx)
                .await?;
                (id, IssueChange::New)
            }
            Some(row) => {
                let id: i64 = row.try_get("id")?;
                let status: String = row.try_get("status")?;
                let regressed = status == "resolved";
                sqlx::query(
                    "UPDATE issues SET last_seen = MAX(last_seen, ?), event_count = event_count + 1, level = ?,
                     status = CASE WHEN status = 'resolved' THEN 'unresolved' ELSE status END,
                     regressed_at = CASE WHEN status = 'resolved' THEN ? ELSE regressed_at END
                     WHERE id = ?",
                )
                .bind(e.received_at_ms)
                .bind(&e.level)
                .bind(e.received_at_ms)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                (
                    id,
                    if regressed {
                        IssueChange::Regressed
                    } else {
                        IssueChange::Existing
                    },
                )
            }
        };
        sqlx::query(
            "INSERT INTO error_events (project_id, issue_id, event_id, received_at, level, environment, release,
             user_key, restaurant_id, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(e.project_id)
        .bind(issue_id)
        .bind(&e.event_id)
        .bind(e.received_at_ms)
        .bind(&e.level)
        .bind(&e.environment)
        .bind(&e.release)
        .bind(&e.user_key)
        .bind(&e.restaurant_id)
        .bind(&e.body)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok((issue_id, change))
    }

    async fn issues(&self, project_id: i64, limit: u32) -> Result<Vec<IssueRow>> {
        let rows = sqlx::query(&format!(
            "{ISSUE_SELECT} WHERE i.project_id = ? ORDER BY i.last_seen DESC, i.id DESC LIMIT ?"
        ))
        .bind(project_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(issue_from).collect()
    }

    async fn issue(&self, id: i64) -> Result<Option<IssueRow>> {
        sqlx::query(&format!("{ISSUE_SELECT} WHERE i.id = ?"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(issue_from)
            .transpose()
    }

    async fn issue_events(&self, issue_id: i64, limit: u32) -> Result<Vec<serde_json::Value>> {
        let bodies: Vec<String> = sqlx::query_scalar(
            "SELECT body FROM error_events WHERE issue_id = ? ORDER BY id DESC LIMIT ?",
        )
        .bind(issue_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(bodies
            .iter()
            .filter_map(|b| serde_json::from_str(b).ok())
            .collect())
    }

    async fn set_issue_status(&self, id: i64, status: &str) -> Result<bool> {
        let done = sqlx::query("UPDATE issues SET status = ? WHERE id = ?")
            .bind(status)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn enforce_retention(
        &self,
        raw_before_ms: i64,
        rollups_before_minute: i64,
        now_ms: i64,
    ) -> Result<u64> {
        let mut deleted = 0;
        deleted += sqlx::query("DELETE FROM rum_events WHERE received_at < ?")
            .bind(raw_before_ms)
            .execute(&self.pool)
            .await?
            .rows_affected();
        deleted += sqlx::query("DELETE FROM error_events WHERE received_at < ?")
            .bind(raw_before_ms)
            .execute(&self.pool)
            .await?
            .rows_affected();
        deleted += sqlx::query("DELETE FROM rum_rollups WHERE minute < ?")
            .bind(rollups_before_minute)
            .execute(&self.pool)
            .await?
            .rows_affected();
        deleted += sqlx::query("DELETE FROM sessions WHERE expires_at <= ?")
            .bind(now_ms)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(deleted)
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rum(project_id: i64, at: i64) -> RumEventRow {
        RumEventRow {
            project_id,
            received_at_ms: at,
            client_ts_ms: None,
            page: "/".into(),
            session_id: None,
            user_agent: None,
            ttfb: None,
            dcl: None,
            load: Some(100.0),
            fp: None,
            fcp: None,
        }
    }

    fn error(project_id: i64, at: i64) -> NewErrorEvent {
        NewErrorEvent {
            project_id,
            fingerprint: "f".into(),
            title: "E".into(),
            culprit: None,
            level: "error".into(),
            received_at_ms: at,
            event_id: None,
            environment: None,
            release: None,
            user_key: None,
            restaurant_id: None,
            body: "{}".into(),
        }
    }

    #[tokio::test]
    async fn retention_deletes_what_is_older_than_the_cutoff_and_nothing_newer() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let s = SqliteStorage::connect(&url, 2).await.unwrap();
        let p = s.ensure_project("p", "P", "key").await.unwrap();
        let events: Vec<_> = [60_000, 120_000, 180_000].map(|at| rum(p.id, at)).into();
        s.write_rum(&events, &crate::rollup::aggregate(&events))
            .await
            .unwrap();
        for at in [60_000, 180_000] {
            s.store_error_event(&error(p.id, at)).await.unwrap();
        }

        // Raw data before 120 000 ms goes; rollups before minute 2 go.
        s.enforce_retention(120_000, 2, 0).await.unwrap();

        assert_eq!(s.count_rum_events(p.id).await.unwrap(), 2);
        let minutes: Vec<i64> = s
            .rollups(p.id, Metric::PageView, "", 0, 10)
            .await
            .unwrap()
            .iter()
            .map(|r| r.minute)
            .collect();
        assert_eq!(minutes, vec![2, 3]);
        let issue = s.issues(p.id, 10).await.unwrap().remove(0);
        assert_eq!(s.issue_events(issue.id, 10).await.unwrap().len(), 1);
        assert_eq!(issue.events, 2, "the issue keeps its all-time count");
    }
}
