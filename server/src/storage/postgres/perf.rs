//! Performance reads that need raw rows: slow calls, and one restaurant's rows (the
//! rollups are not split by restaurant; its view is aggregated from these on the fly).

use crate::storage::{ApiCallRow, IngestBatch, MemorySample, Result, RumEventRow, SlowCall};
use sqlx::{PgPool, Postgres, QueryBuilder, Row};

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
    q.build()
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| {
            Ok(SlowCall {
                at_ms: r.try_get("received_at")?,
                method: r.try_get("method")?,
                route: r.try_get("route")?,
                status: r.try_get::<Option<i64>, _>("status")?.map(|s| s as u16),
                duration_ms: r.try_get("duration")?,
                page: r.try_get("page")?,
                restaurant_id: r.try_get("restaurant_id")?,
            })
        })
        .collect()
}

/// Raw page loads, API calls and memory samples of one restaurant since `from_ms`.
pub async fn restaurant_rows(
    pool: &PgPool,
    project_id: i64,
    restaurant: &str,
    from_ms: i64,
) -> Result<IngestBatch> {
    let kinds = |k: String| -> &'static str {
        if k == "vitals" {
            "vitals"
        } else {
            "pageload"
        }
    };
    let page_loads = sqlx::query(
        "SELECT received_at, client_ts, kind, page, session_id, user_agent, ttfb, dcl, load, fp, fcp,
                lcp, cls, inp FROM rum_events
         WHERE project_id = $1 AND restaurant_id = $2 AND received_at >= $3",
    )
    .bind(project_id)
    .bind(restaurant)
    .bind(from_ms)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| {
        Ok(RumEventRow {
            project_id,
            received_at_ms: r.try_get("received_at")?,
            client_ts_ms: r.try_get("client_ts")?,
            kind: kinds(r.try_get("kind")?),
            page: r.try_get("page")?,
            session_id: r.try_get("session_id")?,
            user_agent: r.try_get("user_agent")?,
            restaurant_id: Some(restaurant.to_string()),
            ttfb: r.try_get("ttfb")?,
            dcl: r.try_get("dcl")?,
            load: r.try_get("load")?,
            fp: r.try_get("fp")?,
            fcp: r.try_get("fcp")?,
            lcp: r.try_get("lcp")?,
            cls: r.try_get("cls")?,
            inp: r.try_get("inp")?,
            source: "rum",
        })
    })
    .collect::<Result<_>>()?;
    let api_calls = sqlx::query(
        "SELECT received_at, page, method, route, status, duration, session_id FROM api_calls
         WHERE project_id = $1 AND restaurant_id = $2 AND received_at >= $3",
    )
    .bind(project_id)
    .bind(restaurant)
    .bind(from_ms)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| {
        Ok(ApiCallRow {
            project_id,
            received_at_ms: r.try_get("received_at")?,
            page: r.try_get("page")?,
            method: r.try_get("method")?,
            route: r.try_get("route")?,
            status: r.try_get::<Option<i64>, _>("status")?.map(|s| s as u16),
            duration_ms: r.try_get("duration")?,
            session_id: r.try_get("session_id")?,
            restaurant_id: Some(restaurant.to_string()),
            source: "rum",
        })
    })
    .collect::<Result<_>>()?;
    let memory = sqlx::query(
        "SELECT received_at, page, used_mb FROM memory_samples
         WHERE project_id = $1 AND restaurant_id = $2 AND received_at >= $3",
    )
    .bind(project_id)
    .bind(restaurant)
    .bind(from_ms)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| {
        Ok(MemorySample {
            project_id,
            received_at_ms: r.try_get("received_at")?,
            page: r.try_get("page")?,
            used_mb: r.try_get("used_mb")?,
            restaurant_id: Some(restaurant.to_string()),
        })
    })
    .collect::<Result<_>>()?;
    Ok(IngestBatch {
        page_loads,
        api_calls,
        memory,
        ..IngestBatch::default()
    })
}
