//! [`Storage`] on PostgreSQL: several `monitor` instances share one database.
//!
//! The queries mirror the SQLite ones; where the dialects differ (scalar `GREATEST`,
//! `SUM` of a BIGINT being NUMERIC, JSON operators, `ILIKE`) the PostgreSQL form is
//! written here. Raw-event tables are partitioned by day (see
//! `migrations/postgres/0001_init.sql`), so retention drops whole partitions.

mod alerts;
mod batch;
mod business;
mod issues;
mod leader;
mod logs;
mod partitions;
mod perf;
mod probes;
mod security;

use super::{
    rows::{self, Cols},
    ApiToken, ErrorEvent, InboundFilters, IngestBatch, IssueChange, IssueQuery, IssueStatus,
    IssueSummary, OutcomeCount, Project, Result, RollupRow, SessionHealth, Storage,
    TagDistribution, User,
};
use crate::{
    clock::now_ms,
    rollup::{Metric, RollupDelta},
};
use async_trait::async_trait;
use sqlx::{
    postgres::{PgConnectOptions, PgPoolOptions},
    PgPool,
};
use std::{str::FromStr, time::Duration};

pub(crate) static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// `(table, time column)` when `table` is partitioned by day.
pub fn partition_key(table: &str) -> Option<(&'static str, &'static str)> {
    partitions::TABLES
        .iter()
        .copied()
        .find(|(t, _)| *t == table)
}

pub struct PgStorage {
    pool: PgPool,
    options: PgConnectOptions,
    partitions: partitions::Partitions,
}

impl PgStorage {
    /// Connects to and migrates the database at `url`. Two instances starting at once
    /// are safe: sqlx's migrator holds an advisory lock while it runs.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self> {
        let options = PgConnectOptions::from_str(url)?.application_name("monitor");
        let pool = PgPoolOptions::new()
            .max_connections(max_connections.max(2))
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options.clone())
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(PgStorage {
            pool,
            options,
            partitions: partitions::Partitions::default(),
        })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Partitions for rows about to be copied in (`export-to`).
    pub async fn ensure_partitions_for(
        &self,
        table: &'static str,
        times: impl Iterator<Item = i64>,
    ) -> Result<()> {
        self.partitions.ensure(&self.pool, table, times).await
    }

    async fn ensure_partitions(&self, b: &IngestBatch) -> Result<()> {
        let p = (&self.partitions, &self.pool);
        p.0.ensure(
            p.1,
            "rum_events",
            b.page_loads.iter().map(|r| r.received_at_ms),
        )
        .await?;
        p.0.ensure(
            p.1,
            "api_calls",
            b.api_calls.iter().map(|r| r.received_at_ms),
        )
        .await?;
        p.0.ensure(
            p.1,
            "error_events",
            b.errors.iter().map(|r| r.received_at_ms),
        )
        .await?;
        p.0.ensure(
            p.1,
            "memory_samples",
            b.memory.iter().map(|r| r.received_at_ms),
        )
        .await?;
        p.0.ensure(p.1, "custom_points", b.custom.iter().map(|r| r.at_ms))
            .await?;
        p.0.ensure(p.1, "business_events", b.business.iter().map(|r| r.at_ms))
            .await?;
        p.0.ensure(p.1, "log_lines", b.logs.iter().map(|r| r.at_ms))
            .await
    }
}

// The same select as SQLite's: it has no placeholders.
use super::sqlite::PROJECT_SELECT;

#[async_trait]
impl Storage for PgStorage {
    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn ensure_project(&self, slug: &str, name: &str, public_key: &str) -> Result<Project> {
        sqlx::query(
            "INSERT INTO projects (slug, name, public_key, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (slug) DO NOTHING",
        )
        .bind(slug)
        .bind(name)
        .bind(public_key)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        let row = sqlx::query(&format!("{PROJECT_SELECT} WHERE p.slug = $1"))
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
        sqlx::query("SELECT id, username, password_hash FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(rows::user)
            .transpose()
    }

    async fn create_user(&self, username: &str, password_hash: &str) -> Result<User> {
        let row = sqlx::query(
            "INSERT INTO users (username, password_hash, created_at) VALUES ($1, $2, $3)
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
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
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
             WHERE s.token_hash = $1 AND s.expires_at > $2",
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
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
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
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
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
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let token_id = row.int("token_id")?;
        sqlx::query(
            "UPDATE api_tokens SET last_used_at = $1
             WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)",
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
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
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
        self.ensure_partitions(b).await?;
        let mut tx = self.pool.begin().await?;
        batch::page_loads(&mut tx, &b.page_loads).await?;
        batch::api_calls(&mut tx, &b.api_calls).await?;
        batch::memory(&mut tx, &b.memory).await?;
        batch::custom(&mut tx, &b.custom).await?;
        batch::business(&mut tx, &b.business).await?;
        logs::insert(&mut tx, &b.logs).await?;
        batch::rollups(&mut tx, rollups).await?;
        // Issues are locked in fingerprint order, the same in every instance, so two
        // writers filing the same issues cannot deadlock.
        let mut order: Vec<usize> = (0..b.errors.len()).collect();
        order.sort_by(|&x, &y| b.errors[x].fingerprint.cmp(&b.errors[y].fingerprint));
        let mut changes = vec![(0, IssueChange::Existing); b.errors.len()];
        for i in order {
            changes[i] = batch::error_event(&mut tx, &b.errors[i]).await?;
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
             WHERE project_id = $1 AND metric = $2 AND page = $3 AND minute BETWEEN $4 AND $5
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
             WHERE project_id = $1 AND metric = $2 AND page <> '' AND minute BETWEEN $3 AND $4
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
            "SELECT page, SUM(count)::BIGINT AS views FROM rum_rollups
             WHERE project_id = $1 AND metric = $2 AND page <> '' AND minute BETWEEN $3 AND $4
             GROUP BY page ORDER BY views DESC, page LIMIT $5",
        )
        .bind(project_id)
        .bind(Metric::PageView.as_str())
        .bind(from_minute)
        .bind(to_minute)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows::all(&found, rows::page_views)
    }

    async fn count_rum_events(&self, project_id: i64) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rum_events WHERE project_id = $1")
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
        sqlx::query(&format!("{} WHERE i.id = $1", issues::ISSUE_SELECT))
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
            "SELECT body FROM error_events WHERE issue_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(issue_id)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        bodies.iter().map(|b| rows::json(b)).collect()
    }

    async fn set_issue_status(&self, id: i64, status: IssueStatus) -> Result<bool> {
        let done = sqlx::query("UPDATE issues SET status = $1 WHERE id = $2")
            .bind(status.as_str())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn error_minutes(&self, project_id: i64, from: i64, to: i64) -> Result<Vec<(i64, u64)>> {
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT minute, count FROM error_minutes
             WHERE project_id = $1 AND minute BETWEEN $2 AND $3 ORDER BY minute",
        )
        .bind(project_id)
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(m, c)| (m, c as u64)).collect())
    }

    async fn filters(&self, project_id: i64) -> Result<InboundFilters> {
        let row = sqlx::query(&format!("{PROJECT_SELECT} WHERE p.id = $1"))
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
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (project_id) DO UPDATE SET messages = excluded.messages,
               browser_extensions = excluded.browser_extensions,
               environments = excluded.environments, updated_at = excluded.updated_at",
        )
        .bind(project_id)
        .bind(json(&f.messages))
        .bind(i64::from(f.browser_extensions))
        .bind(json(&f.environments))
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn outcomes(&self, project_id: i64, from_ms: i64) -> Result<Vec<OutcomeCount>> {
        let found = sqlx::query(
            "SELECT source, reason, category, SUM(quantity)::BIGINT AS q FROM ingest_outcomes
             WHERE project_id = $1 AND hour >= $2 GROUP BY source, reason, category
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
                    COUNT(*) FILTER (WHERE errors > 0 OR status IN ('crashed', 'abnormal')),
                    COUNT(*) FILTER (WHERE status = 'crashed'),
                    COUNT(*) FILTER (WHERE status = 'abnormal')
             FROM release_sessions WHERE project_id = $1 AND started >= $2 AND started < $3",
        )
        .bind(project_id)
        .bind(from_ms)
        .bind(to_ms)
        .fetch_one(&self.pool)
        .await?;
        let agg = sqlx::query(
            "SELECT COALESCE(SUM(exited + errored + crashed + abnormal), 0)::BIGINT,
                    COALESCE(SUM(errored + crashed + abnormal), 0)::BIGINT,
                    COALESCE(SUM(crashed), 0)::BIGINT, COALESCE(SUM(abnormal), 0)::BIGINT
             FROM session_aggregates WHERE project_id = $1 AND minute >= $2 AND minute < $3",
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
        alerts::record(&self.pool, e).await
    }

    async fn acknowledge_alert(
        &self,
        rule: &str,
        instance: &str,
        by: &str,
        now_ms: i64,
    ) -> Result<bool> {
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
                "SELECT COUNT(*), COUNT(*) FILTER (WHERE {at} >= $1), MIN({at}) FROM {table}"
            ))
            .bind(since_ms)
            .fetch_one(&self.pool)
            .await?;
            out.push(rows::table_capacity(&r, table)?);
        }
        let bytes: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database())")
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
        let dropped = self
            .partitions
            .drop_before(&self.pool, "log_lines", before_ms)
            .await?;
        Ok(dropped + logs::retention(&self.pool, before_ms, max_rows).await?)
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
        self.partitions
            .ensure(&self.pool, "probe_results", std::iter::once(r.at_ms))
            .await?;
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
        // Kept at least 31 days: the Health page shows 30-day uptime.
        let probes_before = raw_before_ms.min(now_ms - 31 * partitions::DAY_MS);
        let mut deleted = 0;
        // Raw rows go after `raw_events_days`: whole day partitions are dropped, then the
        // rows left before the cut (in the day it falls in, or the default partition).
        for (table, at) in partitions::TABLES {
            let before = match table {
                "log_lines" => continue, // its own retention: enforce_log_retention
                "probe_results" => probes_before,
                _ => raw_before_ms,
            };
            deleted += self
                .partitions
                .drop_before(&self.pool, table, before)
                .await?;
            // Table and column names come from the constant above, never from input.
            deleted += sqlx::query(&format!("DELETE FROM {table} WHERE {at} < $1"))
                .bind(before)
                .execute(&self.pool)
                .await?
                .rows_affected();
        }
        // Aggregates go after `rollups_days`. Issues, their tag stores and hourly counts
        // stay: they are small and they are history.
        let statements: [(&str, i64); 7] = [
            // Failed sign-ins matter for lockout and bursts only: a day is plenty.
            (
                "DELETE FROM login_failures WHERE at < $1",
                now_ms - partitions::DAY_MS,
            ),
            (
                "DELETE FROM release_sessions WHERE started < $1",
                raw_before_ms,
            ),
            (
                "DELETE FROM rum_rollups WHERE minute < $1",
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
            deleted += sqlx::query(sql)
                .bind(bound)
                .execute(&self.pool)
                .await?
                .rows_affected();
        }
        Ok(deleted)
    }

    async fn try_lead(&self) -> Result<Option<Box<dyn super::Lease>>> {
        Ok(leader::try_lead(&self.options)
            .await?
            .map(|l| Box::new(l) as Box<dyn super::Lease>))
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests {
    use crate::storage::Storage;

    /// The shared contract on the PostgreSQL at `TEST_POSTGRES_URL` (the test script
    /// starts it), in a fresh database dropped afterwards.
    #[tokio::test]
    async fn postgres_meets_the_storage_contract() {
        let Some(db) = crate::storage::test_db::TestPg::create().await else {
            return;
        };
        let s = super::PgStorage::connect(&db.url, 4).await.unwrap();
        crate::storage::contract::run_all(&s).await;
        s.close().await;
        db.drop().await;
    }
}
