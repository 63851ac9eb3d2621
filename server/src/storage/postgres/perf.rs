//! Performance reads that need raw rows: slow calls, and one restaurant's rows (the
//! rollups are not split by restaurant; its view is aggregated from these on the fly).

use crate::storage::{rows, IngestBatch, Result, SlowCall};
use sqlx::{PgPool, Postgres, QueryBuilder};

pub async fn slow_calls(
    pool: &PgPool,
    project_id: i64,
    from_ms: i64,
    min_ms: f64,
    restaurant: Option<&str>,
    limit: u32,
) -> Result<Vec<SlowCall>> {
    let mut q: QueryBuilder<Postgres> = QueryBuilder::new(
        "SELECT received_at, method, route, status, duration, page, restaurant_id FROM api_calls
         WHERE project_id = ",
    );
    q.push_bind(project_id)
        .push(" AND received_at >= ")
        .push_bind(from_ms)
        .push(" AND duration >= ")
        .push_bind(min_ms);
    if let Some(r) = restaurant {
        q.push(" AND restaurant_id = ").push_bind(r.to_string());
    }
    q.push(" ORDER BY duration DESC LIMIT ")
        .push_bind(i64::from(limit));
    let found = q.build().fetch_all(pool).await?;
    rows::all(&found, rows::slow_call)
}

/// Raw page loads, API calls and memory samples of one restaurant since `from_ms`.
pub async fn restaurant_rows(
    pool: &PgPool,
    project_id: i64,
    restaurant: &str,
    from_ms: i64,
) -> Result<IngestBatch> {
    // The three tables are read with the same filter.
    let read = |sql: &'static str| {
        sqlx::query(sql)
            .bind(project_id)
            .bind(restaurant)
            .bind(from_ms)
            .fetch_all(pool)
    };
    let found = read(
        "SELECT received_at, client_ts, kind, page, session_id, user_agent, ttfb, dcl, load, fp, fcp,
                lcp, cls, inp FROM rum_events
         WHERE project_id = $1 AND restaurant_id = $2 AND received_at >= $3",
    )
    .await?;
    let page_loads = rows::all(&found, |r| rows::rum_event(r, project_id, restaurant))?;
    let found = read(
        "SELECT received_at, page, method, route, status, duration, session_id FROM api_calls
         WHERE project_id = $1 AND restaurant_id = $2 AND received_at >= $3",
    )
    .await?;
    let api_calls = rows::all(&found, |r| rows::api_call(r, project_id, restaurant))?;
    let found = read(
        "SELECT received_at, page, used_mb FROM memory_samples
         WHERE project_id = $1 AND restaurant_id = $2 AND received_at >= $3",
    )
    .await?;
    let memory = rows::all(&found, |r| rows::memory_sample(r, project_id, restaurant))?;
    Ok(IngestBatch {
        page_loads,
        api_calls,
        memory,
        ..IngestBatch::default()
    })
}
