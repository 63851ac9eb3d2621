//! Business event reads: counts for the KPIs, time series for the charts, and the
//! latest inventory levels.

use crate::{
    database::Database,
    error::Result,
    model::BusinessCount,
    sql::{
        cols::{all, Cols},
        query::Sql,
    },
};
use async_trait::async_trait;

#[async_trait]
pub trait BusinessStore {
    /// Business events in `from_ms..to_ms` counted by restaurant, kind, status and order
    /// type (one restaurant when given).
    async fn business_counts(
        &self,
        project_id: i64,
        from_ms: i64,
        to_ms: i64,
        restaurant: Option<&str>,
    ) -> Result<Vec<BusinessCount>>;
    /// `(bucket start ms, kind, status, count)` per `bucket_ms` in `from_ms..to_ms`.
    async fn business_series(
        &self,
        project_id: i64,
        from_ms: i64,
        to_ms: i64,
        bucket_ms: i64,
        restaurant: Option<&str>,
    ) -> Result<Vec<(i64, String, String, u64)>>;
    /// The latest level of each (restaurant, item) reported since `from_ms`:
    /// `(restaurant, item, quantity, at)`, lowest first.
    async fn inventory_levels(
        &self,
        project_id: i64,
        from_ms: i64,
    ) -> Result<Vec<(Option<String>, String, f64, i64)>>;
}

#[async_trait]
impl BusinessStore for Database {
    async fn business_counts(
        &self,
        project_id: i64,
        from_ms: i64,
        to_ms: i64,
        restaurant: Option<&str>,
    ) -> Result<Vec<BusinessCount>> {
        let found = Sql::new(
            "SELECT restaurant_id, kind, COALESCE(status, '') AS status,
                    COALESCE(order_type, '') AS order_type, COUNT(*) AS n,
                    CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) AS amount,
                    CAST(COALESCE(SUM(duration_ms), 0) AS BIGINT) AS duration,
                    COUNT(duration_ms) AS with_duration, COUNT(order_id) AS with_order
             FROM business_events
             WHERE project_id = $1 AND at >= $2 AND at < $3
               AND ($4 IS NULL OR restaurant_id = $4)
             GROUP BY restaurant_id, kind, 3, 4",
        )
        .bind(project_id)
        .bind(from_ms)
        .bind(to_ms)
        .bind(restaurant)
        .fetch_all(self.pool())
        .await?;
        all(&found, |r| {
            Ok(BusinessCount {
                restaurant_id: r.text_opt("restaurant_id")?,
                kind: r.text("kind")?,
                status: r.text("status")?,
                order_type: r.text("order_type")?,
                count: r.uint("n")?,
                amount_minor: r.int("amount")?,
                duration_ms: r.int("duration")?,
                with_duration: r.uint("with_duration")?,
                with_order: r.uint("with_order")?,
            })
        })
    }

    async fn business_series(
        &self,
        project_id: i64,
        from_ms: i64,
        to_ms: i64,
        bucket_ms: i64,
        restaurant: Option<&str>,
    ) -> Result<Vec<(i64, String, String, u64)>> {
        let found = Sql::new(
            "SELECT (at / $1) * $1 AS bucket, kind, COALESCE(status, '') AS status, COUNT(*) AS n
             FROM business_events
             WHERE project_id = $2 AND at >= $3 AND at < $4
               AND ($5 IS NULL OR restaurant_id = $5)
               AND kind IN ('order.created', 'payment.processed')
             GROUP BY 1, 2, 3 ORDER BY 1",
        )
        .bind(bucket_ms.max(1))
        .bind(project_id)
        .bind(from_ms)
        .bind(to_ms)
        .bind(restaurant)
        .fetch_all(self.pool())
        .await?;
        all(&found, |r| {
            Ok((
                r.int("bucket")?,
                r.text("kind")?,
                r.text("status")?,
                r.uint("n")?,
            ))
        })
    }

    async fn inventory_levels(
        &self,
        project_id: i64,
        from_ms: i64,
    ) -> Result<Vec<(Option<String>, String, f64, i64)>> {
        // The newest report of each (restaurant, item).
        let found = Sql::new(
            "SELECT restaurant_id, item, quantity, at FROM (
               SELECT restaurant_id, item, quantity, at,
                      ROW_NUMBER() OVER (PARTITION BY restaurant_id, item
                                         ORDER BY at DESC, id DESC) AS newest
               FROM business_events
               WHERE project_id = $1 AND kind = 'inventory.level' AND at >= $2
                 AND item IS NOT NULL) latest
             WHERE newest = 1 ORDER BY quantity",
        )
        .bind(project_id)
        .bind(from_ms)
        .fetch_all(self.pool())
        .await?;
        all(&found, |r| {
            Ok((
                r.text_opt("restaurant_id")?,
                r.text("item")?,
                r.real("quantity")?,
                r.int("at")?,
            ))
        })
    }
}
