//! The audit log, failed sign-ins and security event counts on PostgreSQL.

use crate::storage::{rows, AuditEntry, AuditQuery, Result};
use sqlx::{PgPool, Postgres, QueryBuilder};

pub async fn append(pool: &PgPool, e: &AuditEntry) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, target, source, before, after)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(e.at_ms)
    .bind(&e.actor)
    .bind(&e.action)
    .bind(&e.target)
    .bind(&e.source)
    .bind(&e.before)
    .bind(&e.after)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn log(pool: &PgPool, q: &AuditQuery) -> Result<Vec<AuditEntry>> {
    let mut b: QueryBuilder<Postgres> = QueryBuilder::new(
        "SELECT id, at, actor, action, target, source, before, after FROM audit_log WHERE 1 = 1",
    );
    if let Some(a) = &q.actor {
        b.push(" AND actor = ").push_bind(a.clone());
    }
    match &q.action {
        Some(a) if a.ends_with('.') => {
            // A prefix: LIKE with its wildcards escaped.
            b.push(" AND action LIKE ")
                .push_bind(format!(
                    "{}%",
                    crate::storage::sqlite::issues::like_escape(a)
                ))
                .push(" ESCAPE '\\'");
        }
        Some(a) => {
            b.push(" AND action = ").push_bind(a.clone());
        }
        None => {}
    }
    if let Some(f) = q.from_ms {
        b.push(" AND at >= ").push_bind(f);
    }
    b.push(" ORDER BY id DESC LIMIT ")
        .push_bind(i64::from(q.limit.unwrap_or(200).clamp(1, 1000)));
    let found = b.build().fetch_all(pool).await?;
    rows::all(&found, rows::audit_entry)
}

pub async fn record_failure(pool: &PgPool, username: &str, source: &str, at_ms: i64) -> Result<()> {
    sqlx::query("INSERT INTO login_failures (at, username, source) VALUES ($1, $2, $3)")
        .bind(at_ms)
        .bind(username)
        .bind(source)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn failures(
    pool: &PgPool,
    username: &str,
    source: &str,
    since_ms: i64,
) -> Result<(u64, u64)> {
    let r = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM login_failures WHERE username = $1 AND at >= $2),
                (SELECT COUNT(*) FROM login_failures WHERE source = $3 AND at >= $4)",
    )
    .bind(username)
    .bind(since_ms)
    .bind(source)
    .bind(since_ms)
    .fetch_one(pool)
    .await?;
    rows::two_counts(&r)
}

pub async fn clear(pool: &PgPool, username: &str) -> Result<()> {
    sqlx::query("DELETE FROM login_failures WHERE username = $1")
        .bind(username)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn counts(
    pool: &PgPool,
    project_id: i64,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<(String, String, u64)>> {
    let found = sqlx::query(
        "SELECT 'auth.failed' AS kind, source, COUNT(*) AS n FROM login_failures
           WHERE at >= $1 AND at < $2 GROUP BY source
         UNION ALL
         SELECT kind, COALESCE(source, ''), COUNT(*) FROM business_events
           WHERE project_id = $3 AND at >= $4 AND at < $5
             AND kind IN ('auth.failed', 'permission.denied')
           GROUP BY kind, COALESCE(source, '')",
    )
    .bind(from_ms)
    .bind(to_ms)
    .bind(project_id)
    .bind(from_ms)
    .bind(to_ms)
    .fetch_all(pool)
    .await?;
    rows::all(&found, rows::security_count)
}
