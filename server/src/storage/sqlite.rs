//! [`Storage`] on SQLite (WAL): the embedded default.

mod alerts;
mod batch;
mod business;
pub(super) mod issues;
mod logs;
mod perf;
mod probes;
mod security;

use super::{
    rows::{self, Cols},
    ApiToken, ErrorEvent, InboundFilters, IngestBatch, IssueChange, IssueQuery, IssueStatus,
    IssueSummary, OutcomeCount, Project, Result, RollupRow, SessionHealth, Storage, StorageError,
    TagDistribution, User,
};
use crate::{
    clock::now_ms,
    rollup::{Metric, RollupDelta},
};
use async_trait::async_trait;
use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    SqlitePool,
};
use std::{str::FromStr, time::Duration};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");

pub struct SqliteStorage {
    pool: SqlitePool,
    /// SQLite has one writer. Transactions that read then write would otherwise fail
    /// with SQLITE_BUSY when two try to upgrade at once (the busy timeout does not cover
    /// that case), so multi-statement writes take this lock first.
    write: tokio::sync::Mutex<()>,
    /// Beside the database file: whoever holds its lock leads (see `try_lead`).
    leader_lock: Option<std::path::PathBuf>,
}

/// The leader role on SQLite: an exclusive lock on a file beside the database, so a
/// second instance started on the same file by mistake does not run the alert engine
/// (and send every notification) twice. The OS drops the lock when the process dies.
struct FileLease(std::fs::File);

#[async_trait]
impl super::Lease for FileLease {
    async fn held(&mut self) -> bool {
        true
    }
    async fn release(&mut self) {
        let _ = self.0.unlock();
    }
}

impl SqliteStorage {
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Opens (creating file and folder if needed) and migrates the database at `url`.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        let file = options.get_filename();
        let leader_lock = (!file.as_os_str().is_empty()
            && file != std::path::Path::new(":memory:"))
        .then(|| file.with_extension("leader.lock"));
        if let Some(dir) = file.parent() {
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
            leader_lock,
        })
    }
}

/// Projects with their inbound filters (defaults where none were saved).
pub(super) const PROJECT_SELECT: &str = "SELECT p.id, p.slug, p.name, p.public_key,
    f.messages, f.browser_extensions, f.environments
    FROM projects p LEFT JOIN project_filters f ON f.project_id = p.id";

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
        let row = sqlx::query(&format!("{PROJECT_SELECT} WHERE p.slug = ?"))
            .bind(slug)
            .fetch_one(&self.pool)
            .await?;
        rows::project(&row)
    }

    async fn projects(&self) -> Result<Vec<Project>> {
        let found = sqlx::query(&format!("{PROJECT_SELECT} ORDER BY p.id"))
            .fetch_all(&self.pool)
            .await?;
        rows::all(&found, rows::project)
    }

    async fn user_by_name(&self, username: &str) -> Result<Option<User>> {
        sqlx::query("SELECT id, username, password_hash FROM users WHERE username = ?")
            .bind(username)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(rows::user)
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
        rows::user(&row)
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
        .map(rows::user)
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
        let token_id = row.int("token_id")?;
        sqlx::query(
            "UPDATE api_tokens SET last_used_at = ?
             WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
        )
        .bind(now_ms)
        .bind(token_id)
        .bind(now_ms - 60_000)
        .execute(&self.pool)
        .await?;
        rows::user(&row).map(Some)
    }

    async fn api_tokens(&self) -> Result<Vec<ApiToken>> {
        let found = sqlx::query(
            "SELECT id, name, prefix, created_at, last_used_at FROM api_tokens
             WHERE revoked_at IS NULL ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows::all(&found, rows::api_token)
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

    async fn write_batch(
        &self,
        b: &IngestBatch,
        rollups: &[RollupDelta],
    ) -> Result<Vec<(i64, IssueChange)>> {
        let _writer = self.write.lock().await;
        let mut tx = self.pool.begin().await?;
        batch::page_loads(&mut tx, &b.page_loads).await?;
        batch::api_calls(&mut tx, &b.api_calls).await?;
        batch::memory(&mut tx, &b.memory).await?;
        batch::custom(&mut tx, &b.custom).await?;
        batch::business(&mut tx, &b.business).await?;
        logs::insert(&mut tx, &b.logs).await?;
        batch::rollups(&mut tx, rollups).await?;
        let mut changes = Vec::with_capacity(b.errors.len());
        for e in &b.errors {
            changes.push(batch::error_event(&mut tx, e).await?);
        }
        for session in &b.sessions {
            batch::session(&mut tx, session).await?;
        }
        for o in &b.outcomes {
            batch::outcome(&mut tx, o).await?;
        }
        tx.commit().await?;
        Ok(changes)
    }

    async fn rollups(
        &self,
        project_id: i64,
        metric: Metric,
        page: &str,
        from_minute: i64,
        to_minute: i64,
    ) -> Result<Vec<RollupRow>> {
        let found = sqlx::query(
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
        rows::all(&found, rows::rollup)
    }

    async fn rollups_by_key(
        &self,
        project_id: i64,
        metric: Metric,
        from_minute: i64,
        to_minute: i64,
    ) -> Result<Vec<RollupRow>> {
        let found = sqlx::query(
            "SELECT minute, page, count, sum, sketch FROM rum_rollups
             WHERE project_id = ? AND metric = ? AND page <> '' AND minute BETWEEN ? AND ?
             ORDER BY page, minute",
        )
        .bind(project_id)
        .bind(metric.as_str())
        .bind(from_minute)
        .bind(to_minute)
        .fetch_all(&self.pool)
        .await?;
        rows::all(&found, rows::rollup)
    }

    async fn slow_calls(
        &self,
        project_id: i64,
        from_ms: i64,
        min_ms: f64,
        restaurant: Option<&str>,
        limit: u32,
    ) -> Result<Vec<super::SlowCall>> {
        perf::slow_calls(&self.pool, project_id, from_ms, min_ms, restaurant, limit).await
    }

    async fn restaurant_rows(
        &self,
        project_id: i64,
        restaurant: &str,
        from_ms: i64,
    ) -> Result<IngestBatch> {
        perf::restaurant_rows(&self.pool, project_id, restaurant, from_ms).await
    }

    async fn top_pages(
        &self,
        project_id: i64,
        from_minute: i64,
        to_minute: i64,
        limit: u32,
    ) -> Result<Vec<(String, u64)>> {
        let found = sqlx::query(
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
        rows::all(&found, rows::page_views)
    }

    async fn count_rum_events(&self, project_id: i64) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rum_events WHERE project_id = ?")
            .bind(project_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(n as u64)
    }

    async fn issues(
        &self,
        project_id: i64,
        q: &IssueQuery,
        now_ms: i64,
    ) -> Result<Vec<IssueSummary>> {
        issues::list(&self.pool, project_id, q, now_ms).await
    }

    async fn issue(&self, id: i64) -> Result<Option<IssueSummary>> {
        sqlx::query(&format!("{} WHERE i.id = ?", issues::ISSUE_SELECT))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(rows::issue)
            .transpose()
    }

    async fn issue_tags(&self, issue_id: i64, top: u32) -> Result<Vec<TagDistribution>> {
        issues::tags(&self.pool, issue_id, top).await
    }

    async fn issue_events(&self, issue_id: i64, limit: u32) -> Result<Vec<ErrorEvent>> {
        let bodies: Vec<String> = sqlx::query_scalar(
            "SELECT body FROM error_events WHERE issue_id = ? ORDER BY id DESC LIMIT ?",
        )
        .bind(issue_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        bodies.iter().map(|b| rows::json(b)).collect()
    }

    async fn set_issue_status(&self, id: i64, status: IssueStatus) -> Result<bool> {
        let done = sqlx::query("UPDATE issues SET status = ? WHERE id = ?")
            .bind(status.as_str())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn error_minutes(&self, project_id: i64, from: i64, to: i64) -> Result<Vec<(i64, u64)>> {
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT minute, count FROM error_minutes
             WHERE project_id = ? AND minute BETWEEN ? AND ? ORDER BY minute",
        )
        .bind(project_id)
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(m, c)| (m, c as u64)).collect())
    }

    async fn filters(&self, project_id: i64) -> Result<InboundFilters> {
        let row = sqlx::query(&format!("{PROJECT_SELECT} WHERE p.id = ?"))
            .bind(project_id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref()
            .map(rows::filters)
            .unwrap_or_else(|| Ok(InboundFilters::default()))
    }

    async fn set_filters(&self, project_id: i64, f: &InboundFilters, now_ms: i64) -> Result<()> {
        let json = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
        sqlx::query(
            "INSERT INTO project_filters (project_id, messages, browser_extensions, environments, updated_at)
             VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (project_id) DO UPDATE SET messages = excluded.messages,
               browser_extensions = excluded.browser_extensions,
               environments = excluded.environments, updated_at = excluded.updated_at",
        )
        .bind(project_id)
        .bind(json(&f.messages))
        .bind(f.browser_extensions)
        .bind(json(&f.environments))
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn outcomes(&self, project_id: i64, from_ms: i64) -> Result<Vec<OutcomeCount>> {
        let found = sqlx::query(
            "SELECT source, reason, category, SUM(quantity) AS q FROM ingest_outcomes
             WHERE project_id = ? AND hour >= ? GROUP BY source, reason, category
             ORDER BY q DESC, source, reason, category",
        )
        .bind(project_id)
        .bind(from_ms.div_euclid(3_600_000))
        .fetch_all(&self.pool)
        .await?;
        rows::all(&found, rows::outcome)
    }

    async fn session_health(
        &self,
        project_id: i64,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<SessionHealth> {
        let single = sqlx::query(
            "SELECT COUNT(*),
                    COALESCE(SUM(errors > 0 OR status IN ('crashed', 'abnormal')), 0),
                    COALESCE(SUM(status = 'crashed'), 0),
                    COALESCE(SUM(status = 'abnormal'), 0)
             FROM release_sessions WHERE project_id = ? AND started >= ? AND started < ?",
        )
        .bind(project_id)
        .bind(from_ms)
        .bind(to_ms)
        .fetch_one(&self.pool)
        .await?;
        let agg = sqlx::query(
            "SELECT COALESCE(SUM(exited + errored + crashed + abnormal), 0),
                    COALESCE(SUM(errored + crashed + abnormal), 0),
                    COALESCE(SUM(crashed), 0), COALESCE(SUM(abnormal), 0)
             FROM session_aggregates WHERE project_id = ? AND minute >= ? AND minute < ?",
        )
        .bind(project_id)
        .bind(from_ms.div_euclid(60_000))
        .bind(to_ms.div_euclid(60_000))
        .fetch_one(&self.pool)
        .await?;
        rows::session_health(&single, &agg)
    }

    async fn alert_states(&self) -> Result<Vec<super::AlertStateRow>> {
        alerts::states(&self.pool).await
    }

    async fn record_evaluation(&self, e: &super::Evaluation) -> Result<()> {
        let _writer = self.write.lock().await;
        alerts::record(&self.pool, e).await
    }

    async fn acknowledge_alert(
        &self,
        rule: &str,
        instance: &str,
        by: &str,
        now_ms: i64,
    ) -> Result<bool> {
        let _writer = self.write.lock().await;
        alerts::acknowledge(&self.pool, rule, instance, by, now_ms).await
    }

    async fn due_notifications(&self, now_ms: i64, limit: u32) -> Result<Vec<super::OutboxRow>> {
        alerts::due(&self.pool, now_ms, limit).await
    }

    async fn notification_delivered(&self, id: i64, now_ms: i64) -> Result<()> {
        alerts::delivered(&self.pool, id, now_ms).await
    }

    async fn notification_failed(
        &self,
        id: i64,
        error: &str,
        retry_at_ms: Option<i64>,
    ) -> Result<()> {
        alerts::failed(&self.pool, id, error, retry_at_ms).await
    }

    async fn deliveries(
        &self,
        history_id: Option<i64>,
        limit: u32,
    ) -> Result<Vec<super::Delivery>> {
        alerts::deliveries(&self.pool, history_id, limit).await
    }

    async fn alert_history(
        &self,
        q: &super::AlertHistoryQuery,
    ) -> Result<Vec<super::AlertHistoryEntry>> {
        alerts::history(&self.pool, q).await
    }

    async fn create_silence(&self, s: &super::Silence) -> Result<i64> {
        alerts::create_silence(&self.pool, s).await
    }

    async fn expire_silence(&self, id: i64, now_ms: i64) -> Result<bool> {
        alerts::expire_silence(&self.pool, id, now_ms).await
    }

    async fn silences(&self, ends_after_ms: i64) -> Result<Vec<super::Silence>> {
        alerts::silences(&self.pool, ends_after_ms).await
    }

    async fn stored_rules(&self) -> Result<Vec<super::StoredRule>> {
        alerts::stored_rules(&self.pool).await
    }

    async fn save_rule(&self, r: &super::StoredRule) -> Result<()> {
        alerts::save_rule(&self.pool, r).await
    }

    async fn delete_rule(&self, name: &str) -> Result<bool> {
        alerts::delete_rule(&self.pool, name).await
    }

    async fn errors_by_restaurant(
        &self,
        project_id: i64,
        from_ms: i64,
        to_ms: i64,
        environment: Option<&str>,
    ) -> Result<Vec<(Option<String>, u64)>> {
        alerts::errors_by_restaurant(&self.pool, project_id, from_ms, to_ms, environment).await
    }

    async fn page_views_by_restaurant(
        &self,
        project_id: i64,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<(Option<String>, u64)>> {
        alerts::page_views_by_restaurant(&self.pool, project_id, from_ms, to_ms).await
    }

    async fn api_durations_by_restaurant(
        &self,
        project_id: i64,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<(Option<String>, f64)>> {
        alerts::api_durations_by_restaurant(&self.pool, project_id, from_ms, to_ms).await
    }

    async fn business_counts(
        &self,
        project_id: i64,
        from_ms: i64,
        to_ms: i64,
        restaurant: Option<&str>,
    ) -> Result<Vec<super::BusinessCount>> {
        business::counts(&self.pool, project_id, from_ms, to_ms, restaurant).await
    }

    async fn business_series(
        &self,
        project_id: i64,
        from_ms: i64,
        to_ms: i64,
        bucket_ms: i64,
        restaurant: Option<&str>,
    ) -> Result<Vec<(i64, String, String, u64)>> {
        business::series(
            &self.pool, project_id, from_ms, to_ms, bucket_ms, restaurant,
        )
        .await
    }

    async fn inventory_levels(
        &self,
        project_id: i64,
        from_ms: i64,
    ) -> Result<Vec<(Option<String>, String, f64, i64)>> {
        business::inventory(&self.pool, project_id, from_ms).await
    }

    async fn capacity(&self, since_ms: i64) -> Result<(u64, Vec<super::TableCapacity>)> {
        // Table and column names are fixed here, never from input.
        const TABLES: [(&str, &str); 7] = [
            ("rum_events", "received_at"),
            ("error_events", "received_at"),
            ("api_calls", "received_at"),
            ("business_events", "at"),
            ("log_lines", "at"),
            ("custom_points", "at"),
            ("probe_results", "at"),
        ];
        let mut out = vec![];
        for (table, at) in TABLES {
            let r = sqlx::query(&format!(
                "SELECT COUNT(*), COALESCE(SUM({at} >= ?), 0), MIN({at}) FROM {table}"
            ))
            .bind(since_ms)
            .fetch_one(&self.pool)
            .await?;
            out.push(rows::table_capacity(&r, table)?);
        }
        let bytes: i64 = sqlx::query_scalar(
            "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok((bytes as u64, out))
    }

    async fn search_logs(
        &self,
        project_id: i64,
        q: &super::LogQuery,
    ) -> Result<Vec<super::LogLine>> {
        logs::search(&self.pool, project_id, q).await
    }

    async fn enforce_log_retention(&self, before_ms: i64, max_rows: u64) -> Result<u64> {
        let _writer = self.write.lock().await;
        logs::retention(&self.pool, before_ms, max_rows).await
    }

    async fn append_audit(&self, e: &super::AuditEntry) -> Result<()> {
        security::append(&self.pool, e).await
    }

    async fn audit_log(&self, q: &super::AuditQuery) -> Result<Vec<super::AuditEntry>> {
        security::log(&self.pool, q).await
    }

    async fn record_login_failure(&self, username: &str, source: &str, at_ms: i64) -> Result<()> {
        security::record_failure(&self.pool, username, source, at_ms).await
    }

    async fn login_failures(
        &self,
        username: &str,
        source: &str,
        since_ms: i64,
    ) -> Result<(u64, u64)> {
        security::failures(&self.pool, username, source, since_ms).await
    }

    async fn clear_login_failures(&self, username: &str) -> Result<()> {
        security::clear(&self.pool, username).await
    }

    async fn security_counts(
        &self,
        project_id: i64,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<(String, String, u64)>> {
        security::counts(&self.pool, project_id, from_ms, to_ms).await
    }

    async fn record_probe(&self, r: &super::ProbeResult) -> Result<()> {
        probes::record(&self.pool, r).await
    }

    async fn probe_results(
        &self,
        probe: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<super::ProbeResult>> {
        probes::results(&self.pool, probe, from_ms, to_ms).await
    }

    async fn latest_probe_results(&self) -> Result<Vec<super::ProbeResult>> {
        probes::latest(&self.pool).await
    }

    async fn probe_uptime(&self, probe: &str, from_ms: i64) -> Result<(u64, u64)> {
        probes::uptime(&self.pool, probe, from_ms).await
    }

    async fn probe_definitions(&self) -> Result<Vec<(String, String, String)>> {
        probes::definitions(&self.pool).await
    }

    async fn save_probe(&self, name: &str, definition: &str, by: &str, now_ms: i64) -> Result<()> {
        probes::save(&self.pool, name, definition, by, now_ms).await
    }

    async fn delete_probe(&self, name: &str) -> Result<bool> {
        probes::delete(&self.pool, name).await
    }

    async fn enforce_retention(
        &self,
        raw_before_ms: i64,
        rollups_before_minute: i64,
        now_ms: i64,
    ) -> Result<u64> {
        let rollups_before_hour = rollups_before_minute.div_euclid(60);
        // Raw rows go after `raw_events_days`; aggregates after `rollups_days`. Issues,
        // their tag stores and hourly counts stay: they are small and they are history.
        let statements: [(&str, i64); 14] = [
            (
                "DELETE FROM rum_events WHERE received_at < ?",
                raw_before_ms,
            ),
            (
                "DELETE FROM error_events WHERE received_at < ?",
                raw_before_ms,
            ),
            ("DELETE FROM api_calls WHERE received_at < ?", raw_before_ms),
            (
                "DELETE FROM memory_samples WHERE received_at < ?",
                raw_before_ms,
            ),
            ("DELETE FROM custom_points WHERE at < ?", raw_before_ms),
            ("DELETE FROM business_events WHERE at < ?", raw_before_ms),
            // Failed sign-ins matter for lockout and bursts only: a day is plenty.
            (
                "DELETE FROM login_failures WHERE at < ?",
                now_ms - 86_400_000,
            ),
            // Kept at least 31 days: the Health page shows 30-day uptime.
            (
                "DELETE FROM probe_results WHERE at < ?",
                raw_before_ms.min(now_ms - 31 * 86_400_000),
            ),
            (
                "DELETE FROM release_sessions WHERE started < ?",
                raw_before_ms,
            ),
            (
                "DELETE FROM rum_rollups WHERE minute < ?",
                rollups_before_minute,
            ),
            (
                "DELETE FROM error_minutes WHERE minute < ?",
                rollups_before_minute,
            ),
            (
                "DELETE FROM session_aggregates WHERE minute < ?",
                rollups_before_minute,
            ),
            (
                "DELETE FROM ingest_outcomes WHERE hour < ?",
                rollups_before_hour,
            ),
            ("DELETE FROM sessions WHERE expires_at <= ?", now_ms),
        ];
        let mut deleted = 0;
        for (sql, bound) in statements {
            deleted += sqlx::query(sql)
                .bind(bound)
                .execute(&self.pool)
                .await?
                .rows_affected();
        }
        Ok(deleted)
    }

    async fn try_lead(&self) -> Result<Option<Box<dyn super::Lease>>> {
        let Some(path) = &self.leader_lock else {
            return Ok(Some(Box::new(super::SoleLease)));
        };
        let io = |e: std::io::Error| StorageError::Database(e.into());
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(Box::new(FileLease(file)))),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(io(e)),
        }
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sqlite_meets_the_storage_contract() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let s = SqliteStorage::connect(&url, 2).await.unwrap();
        crate::storage::contract::run_all(&s).await;
    }

    #[tokio::test]
    async fn a_second_instance_on_the_same_file_does_not_lead() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let (a, b) = (
            SqliteStorage::connect(&url, 1).await.unwrap(),
            SqliteStorage::connect(&url, 1).await.unwrap(),
        );
        let mut lease = a.try_lead().await.unwrap().expect("the first leads");
        assert!(b.try_lead().await.unwrap().is_none(), "one leader per file");
        lease.release().await;
        assert!(
            b.try_lead().await.unwrap().is_some(),
            "taken over once released"
        );
    }
}
