//! The audit log (append-only), failed sign-ins, and security event counts.

use crate::{
    database::Database,
    error::Result,
    model::{AuditEntry, AuditQuery, LoginFailures},
    sql::{
        cols::{all, Cols},
        query::{like_escape, Sql},
    },
};
use async_trait::async_trait;

#[async_trait]
pub trait SecurityStore {
    /// Appends to the audit log (the only write it takes).
    async fn append_audit(&self, e: &AuditEntry) -> Result<()>;
    /// Audit entries matching `q`, newest first.
    async fn audit_log(&self, q: &AuditQuery) -> Result<Vec<AuditEntry>>;
    async fn record_login_failure(&self, username: &str, source: &str, at_ms: i64) -> Result<()>;
    /// Records a sign-in attempt as a failure (until the password proves right, when
    /// [`SecurityStore::clear_login_failures`] forgets it) and returns its id with the
    /// failures since `since_ms` other than this one. Recording first makes the check
    /// atomic across instances: of N parallel attempts, the k-th to count sees at least
    /// k-1 others, so parallel guesses cannot slip past the limit together.
    async fn login_attempt(
        &self,
        username: &str,
        source: &str,
        at_ms: i64,
        since_ms: i64,
    ) -> Result<(String, LoginFailures)>;
    /// Forgets one attempt (one refused before its password was checked).
    async fn forget_login_attempt(&self, attempt: &str) -> Result<()>;
    /// Deletes audit entries older than `before_ms`: the one delete the log allows, and
    /// never of the last 30 days (the database refuses).
    async fn enforce_audit_retention(&self, before_ms: i64) -> Result<u64>;
    /// Failed sign-ins since `since_ms`: of this username from this source, and from
    /// this source for any username, each with the latest one.
    async fn login_failures(
        &self,
        username: &str,
        source: &str,
        since_ms: i64,
    ) -> Result<LoginFailures>;
    /// Forgets a user's failed sign-ins from one source (after a successful one there).
    async fn clear_login_failures(&self, username: &str, source: &str) -> Result<()>;
    /// Security events per source in `from_ms..to_ms`: dashboard sign-in failures (as
    /// `auth.failed`) and the platform's `auth.failed` / `permission.denied` events.
    async fn security_counts(
        &self,
        project_id: i64,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<(String, String, u64)>>;
}

impl Database {
    /// Failures since `since_ms` but the attempt `except` (`""`, which no attempt is
    /// named: none excepted).
    async fn failures_except(
        &self,
        username: &str,
        source: &str,
        since_ms: i64,
        except: &str,
    ) -> Result<LoginFailures> {
        let r = Sql::new(
            "SELECT (SELECT COUNT(*) FROM login_failures WHERE username = $1 AND source = $2 AND at >= $3 AND (attempt IS NULL OR attempt <> $4)),
                    (SELECT MAX(at) FROM login_failures WHERE username = $1 AND source = $2 AND at >= $3 AND (attempt IS NULL OR attempt <> $4)),
                    (SELECT COUNT(*) FROM login_failures WHERE source = $2 AND at >= $3 AND (attempt IS NULL OR attempt <> $4)),
                    (SELECT MAX(at) FROM login_failures WHERE source = $2 AND at >= $3 AND (attempt IS NULL OR attempt <> $4))",
        )
        .bind(username)
        .bind(source)
        .bind(since_ms)
        .bind(except)
        .fetch_one(self.pool())
        .await?;
        Ok(LoginFailures {
            pair: r.uint(0)?,
            pair_last_ms: r.int_opt(1)?,
            source: r.uint(2)?,
            source_last_ms: r.int_opt(3)?,
        })
    }
}

#[async_trait]
impl SecurityStore for Database {
    async fn append_audit(&self, e: &AuditEntry) -> Result<()> {
        Sql::new(
            "INSERT INTO audit_log (at, actor, action, target, source, before, after, repeats)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(e.at_ms)
        .bind(&e.actor)
        .bind(&e.action)
        .bind(&e.target)
        .bind(&e.source)
        .bind(&e.before)
        .bind(&e.after)
        .bind(e.repeats.max(1))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn audit_log(&self, q: &AuditQuery) -> Result<Vec<AuditEntry>> {
        let mut b = Sql::new(
            "SELECT id, at, actor, action, target, source, before, after, repeats FROM audit_log WHERE 1 = 1",
        );
        if let Some(a) = &q.actor {
            b.push(" AND actor = ").push_bind(a);
        }
        match &q.action {
            Some(a) if a.ends_with('.') => {
                // A prefix: LIKE with its wildcards escaped.
                b.push(" AND action LIKE ")
                    .push_bind(format!("{}%", like_escape(a)))
                    .push(" ESCAPE '\\'");
            }
            Some(a) => {
                b.push(" AND action = ").push_bind(a);
            }
            None => {}
        }
        if let Some(f) = q.from_ms {
            b.push(" AND at >= ").push_bind(f);
        }
        b.push(" ORDER BY id DESC LIMIT ")
            .push_bind(q.limit.unwrap_or(200).clamp(1, 1000));
        let found = b.fetch_all(self.pool()).await?;
        all(&found, |r| {
            Ok(AuditEntry {
                id: r.int("id")?,
                at_ms: r.int("at")?,
                actor: r.text("actor")?,
                action: r.text("action")?,
                target: r.text_opt("target")?,
                source: r.text_opt("source")?,
                before: r.text_opt("before")?,
                after: r.text_opt("after")?,
                repeats: r.uint("repeats")?,
            })
        })
    }

    async fn enforce_audit_retention(&self, before_ms: i64) -> Result<u64> {
        Sql::new("UPDATE audit_retention SET before = $1 WHERE before < $1")
            .bind(before_ms)
            .execute(self.pool())
            .await?;
        self.delete_older("audit_log", "at", before_ms, 86_400_000, false)
            .await
    }

    async fn record_login_failure(&self, username: &str, source: &str, at_ms: i64) -> Result<()> {
        Sql::new("INSERT INTO login_failures (at, username, source) VALUES ($1, $2, $3)")
            .bind(at_ms)
            .bind(username)
            .bind(source)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn login_attempt(
        &self,
        username: &str,
        source: &str,
        at_ms: i64,
        since_ms: i64,
    ) -> Result<(String, LoginFailures)> {
        let attempt = format!("{:032x}", rand::random::<u128>());
        Sql::new(
            "INSERT INTO login_failures (at, username, source, attempt) VALUES ($1, $2, $3, $4)",
        )
        .bind(at_ms)
        .bind(username)
        .bind(source)
        .bind(&attempt)
        .execute(self.pool())
        .await?;
        let failures = self
            .failures_except(username, source, since_ms, &attempt)
            .await?;
        Ok((attempt, failures))
    }

    async fn forget_login_attempt(&self, attempt: &str) -> Result<()> {
        Sql::new("DELETE FROM login_failures WHERE attempt = $1")
            .bind(attempt)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn login_failures(
        &self,
        username: &str,
        source: &str,
        since_ms: i64,
    ) -> Result<LoginFailures> {
        self.failures_except(username, source, since_ms, "").await
    }

    async fn clear_login_failures(&self, username: &str, source: &str) -> Result<()> {
        Sql::new("DELETE FROM login_failures WHERE username = $1 AND source = $2")
            .bind(username)
            .bind(source)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn security_counts(
        &self,
        project_id: i64,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<(String, String, u64)>> {
        let found = Sql::new(
            "SELECT 'auth.failed' AS kind, source, COUNT(*) AS n FROM login_failures
               WHERE at >= $1 AND at < $2 GROUP BY source
             UNION ALL
             SELECT kind, COALESCE(source, ''), COUNT(*) FROM business_events
               WHERE project_id = $3 AND at >= $1 AND at < $2
                 AND kind IN ('auth.failed', 'permission.denied')
               GROUP BY kind, COALESCE(source, '')",
        )
        .bind(from_ms)
        .bind(to_ms)
        .bind(project_id)
        .fetch_all(self.pool())
        .await?;
        all(&found, |r| Ok((r.text(0)?, r.text(1)?, r.uint(2)?)))
    }
}
