//! Business event reads on PostgreSQL: counts for the KPIs, time series for the charts, and
//! the latest inventory levels.

use crate::storage::{rows, BusinessCount, Result};
use sqlx::PgPool;

pub async fn counts(
    pool: &PgPool,
    project_id: i64,
    from_ms: i64,
    to_ms: i64,
    restaurant: Option<&str>,
) -> Result<Vec<BusinessCount>> {
    let found = sqlx::query(
        "SELECT restaurant_id, kind, COALESCE(status, '') AS status,
                COALESCE(order_type, '') AS order_type, COUNT(*) AS n,
                COALESCE(SUM(amount_minor), 0)::BIGINT AS amount,
                COALESCE(SUM(duration_ms), 0)::BIGINT AS duration,
                COUNT(duration_ms) AS with_duration, COUNT(order_id) AS with_order
         FROM business_events
         WHERE project_id = $1 AND at >= $2 AND at < $3 AND ($4 IS NULL OR restaurant_id = $5)
         GROUP BY restaurant_id, kind, 3, 4",
    )
    .bind(project_id)
    .bind(from_ms)
    .bind(to_ms)
    .bind(restaurant)
    .bind(restaurant)
    .fetch_all(pool)
    .await?;
    rows::all(&found, rows::business_count)
}

pub async fn series(
    pool: &PgPool,
    project_id: i64,
    from_ms: i64,
    to_ms: i64,
    bucket_ms: i64,
    restaurant: Option<&str>,
) -> Result<Vec<(i64, String, String, u64)>> {
    let found = sqlx::query(
        "SELECT (at / $1) * $2 AS bucket, kind, COALESCE(status, '') AS status, COUNT(*) AS n
         FROM business_events
         WHERE project_id = $3 AND at >= $4 AND at < $5 AND ($6 IS NULL OR restaurant_id = $7)
           AND kind IN ('order.created', 'payment.processed')
         GROUP BY 1, 2, 3 ORDER BY 1",
    )
    .bind(bucket_ms.max(1))
    .bind(bucket_ms.max(1))
    .bind(project_id)
    .bind(from_ms)
    .bind(to_ms)
    .bind(restaurant)
    .bind(restaurant)
    .fetch_all(pool)
    .await?;
    rows::all(&found, rows::business_point)
}

pub async fn inventory(
    pool: &PgPool,
    project_id: i64,
    from_ms: i64,
) -> Result<Vec<(Option<String>, String, f64, i64)>> {
    // The newest report of each (restaurant, item).
    let found = sqlx::query(
        "SELECT * FROM (
           SELECT DISTINCT ON (restaurant_id, item) restaurant_id, item, quantity, at
           FROM business_events
           WHERE project_id = $1 AND kind = 'inventory.level' AND at >= $2 AND item IS NOT NULL
           ORDER BY restaurant_id, item, at DESC, id DESC) latest
         ORDER BY quantity",
    )
    .bind(project_id)
    .bind(from_ms)
    .fetch_all(pool)
    .await?;
    rows::all(&found, rows::inventory_level)
}
