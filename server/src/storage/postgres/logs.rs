//! Log lines on PostgreSQL: batch insert, search (indexed columns, JSON fields, free text),
//! retention by age and by count.

use crate::storage::{rows, LogLine, LogQuery, Result};
use sqlx::{PgConnection, PgPool, Postgres, QueryBuilder};

pub async fn insert(tx: &mut PgConnection, rows: &[LogLine]) -> Result<()> {
    for chunk in rows.chunks(super::batch::rows_per_insert(8)) {
        let mut q: QueryBuilder<Postgres> = QueryBuilder::new(
            "INSERT INTO log_lines (project_id, at, level, service, environment, restaurant_id,
               message, body) ",
        );
        q.push_values(chunk, |mut b, l| {
            b.push_bind(l.project_id)
                .push_bind(l.at_ms)
                .push_bind(&l.level)
                .push_bind(&l.service)
                .push_bind(&l.environment)
                .push_bind(&l.restaurant_id)
                .push_bind(&l.message)
                .push_bind(&l.body);
        });
        q.build().execute(&mut *tx).await?;
    }
    Ok(())
}

pub async fn search(pool: &PgPool, project_id: i64, q: &LogQuery) -> Result<Vec<LogLine>> {
    let mut b: QueryBuilder<Postgres> = QueryBuilder::new(
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
        b.push(" AND level = ").push_bind(l.clone());
    }
    if let Some(s) = &q.service {
        b.push(" AND service = ").push_bind(s.clone());
    }
    if let Some(r) = &q.restaurant {
        b.push(" AND restaurant_id = ").push_bind(r.clone());
    }
    for (k, v) in &q.fields {
        // The key is checked (`valid_field`) and bound, never spliced.
        b.push(" AND (body::jsonb ->> ")
            .push_bind(k.clone())
            .push(") = ")
            .push_bind(v.clone());
    }
    if let Some(t) = &q.text {
        let pattern = crate::storage::sqlite::issues::like_pattern(t);
        b.push(" AND (message ILIKE ")
            .push_bind(pattern.clone())
            .push(" ESCAPE '\\' OR body ILIKE ")
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
        .push_bind(i64::from(q.limit.unwrap_or(100).clamp(1, 500)));
    let found = b.build().fetch_all(pool).await?;
    rows::all(&found, rows::log_line)
}

pub async fn retention(pool: &PgPool, before_ms: i64, max_rows: u64) -> Result<u64> {
    let mut deleted = sqlx::query("DELETE FROM log_lines WHERE at < $1")
        .bind(before_ms)
        .execute(pool)
        .await?
        .rows_affected();
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM log_lines")
        .fetch_one(pool)
        .await?;
    // A limit past i64::MAX means no limit (a plain cast would wrap to -1: delete all).
    let over = count - i64::try_from(max_rows).unwrap_or(i64::MAX);
    if over > 0 {
        deleted += sqlx::query(
            "DELETE FROM log_lines WHERE id IN
               (SELECT id FROM log_lines ORDER BY at ASC, id ASC LIMIT $1)",
        )
        .bind(over)
        .execute(pool)
        .await?
        .rows_affected();
    }
    Ok(deleted)
}
