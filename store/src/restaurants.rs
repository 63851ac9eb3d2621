//! Restaurants' opening hours set from the dashboard (beside those in the config).

use crate::{
    database::Database,
    error::Result,
    sql::{
        cols::{all, Cols},
        query::Sql,
    },
};
use async_trait::async_trait;

#[async_trait]
pub trait RestaurantStore {
    /// `(restaurant, opening hours JSON, updated_by)` of every restaurant with hours
    /// saved from the dashboard, by restaurant.
    async fn restaurant_hours(&self) -> Result<Vec<(String, String, String)>>;
    async fn save_restaurant_hours(
        &self,
        restaurant: &str,
        hours: &str,
        by: &str,
        now_ms: i64,
    ) -> Result<()>;
    /// `false` when there were none.
    async fn delete_restaurant_hours(&self, restaurant: &str) -> Result<bool>;
}

#[async_trait]
impl RestaurantStore for Database {
    async fn restaurant_hours(&self) -> Result<Vec<(String, String, String)>> {
        let found = Sql::new(
            "SELECT restaurant_id, hours, updated_by FROM restaurant_hours ORDER BY restaurant_id",
        )
        .fetch_all(self.pool())
        .await?;
        all(&found, |r| {
            Ok((
                r.text("restaurant_id")?,
                r.text("hours")?,
                r.text("updated_by")?,
            ))
        })
    }

    async fn save_restaurant_hours(
        &self,
        restaurant: &str,
        hours: &str,
        by: &str,
        now_ms: i64,
    ) -> Result<()> {
        Sql::new(
            "INSERT INTO restaurant_hours (restaurant_id, hours, updated_by, updated_at)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (restaurant_id) DO UPDATE SET hours = excluded.hours,
               updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(restaurant)
        .bind(hours)
        .bind(by)
        .bind(now_ms)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn delete_restaurant_hours(&self, restaurant: &str) -> Result<bool> {
        let n = Sql::new("DELETE FROM restaurant_hours WHERE restaurant_id = $1")
            .bind(restaurant)
            .execute(self.pool())
            .await?;
        Ok(n > 0)
    }
}
