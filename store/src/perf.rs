//! Performance reads: rollup rows by metric and key, top pages, slow calls, and the raw
//! rows that restaurant views and split rules aggregate on the fly.

use crate::{
    database::Database,
    error::{Result, StorageError},
    model::{
        ApiCallRow, DbQuerySample, IngestBatch, MemorySample, RollupRow, RumEventRow, SlowCall,
    },
    rollup::{sketch::Sketch, Metric},
    sql::{
        cols::{all, Cols},
        pool::Row,
        query::Sql,
    },
};
use async_trait::async_trait;

#[async_trait]
pub trait PerfStore {
    /// Rollup rows of one metric, restaurant (`""` = all) and page (`""` = all pages)
    /// with `from <= minute <= to`.
    async fn rollups(
        &self,
        project_id: i64,
        metric: Metric,
        restaurant: &str,
        page: &str,
        from_minute: i64,
        to_minute: i64,
    ) -> Result<Vec<RollupRow>>;
    /// Rollup rows of one metric and restaurant (`""` = all) for every key but `""`
    /// (each page, each endpoint) with `from <= minute <= to`, ordered by key then minute.
    async fn rollups_by_key(
        &self,
        project_id: i64,
        metric: Metric,
        restaurant: &str,
        from_minute: i64,
        to_minute: i64,
    ) -> Result<Vec<RollupRow>>;
    /// The all-keys rows of one metric for every restaurant (not `""`) with
    /// `from <= minute <= to`, ordered by restaurant then minute: what split rules read.
    async fn rollups_by_restaurant(
        &self,
        project_id: i64,
        metric: Metric,
        from_minute: i64,
        to_minute: i64,
    ) -> Result<Vec<RollupRow>>;
    /// Pages by (weighted) page views in `from <= minute <= to`, most viewed first.
    async fn top_pages(
        &self,
        project_id: i64,
        restaurant: &str,
        from_minute: i64,
        to_minute: i64,
        limit: u32,
    ) -> Result<Vec<(String, u64)>>;
    /// The slowest database queries since `from_ms`, of one `(service, statement)` when
    /// given, slowest first.
    async fn slowest_queries(
        &self,
        project_id: i64,
        from_ms: i64,
        statement: Option<(&str, &str)>,
        limit: u32,
    ) -> Result<Vec<DbQuerySample>>;
    /// API calls of at least `min_ms` since `from_ms`, slowest first.
    async fn slow_calls(
        &self,
        project_id: i64,
        from_ms: i64,
        min_ms: f64,
        restaurant: Option<&str>,
        limit: u32,
    ) -> Result<Vec<SlowCall>>;
    /// One restaurant's raw page loads, API calls and memory samples since `from_ms`.
    async fn restaurant_rows(
        &self,
        project_id: i64,
        restaurant: &str,
        from_ms: i64,
    ) -> Result<IngestBatch>;
    async fn count_rum_events(&self, project_id: i64) -> Result<u64>;
    /// Page views in `from_ms..to_ms` per restaurant.
    async fn page_views_by_restaurant(
        &self,
        project_id: i64,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<(Option<String>, u64)>>;
    /// Each API call's duration in `from_ms..to_ms` with its restaurant.
    async fn api_durations_by_restaurant(
        &self,
        project_id: i64,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<(Option<String>, f64)>>;
}

/// The columns [`rollup`] reads.
const ROLLUP_COLUMNS: &str = "minute, restaurant, page, count, weighted, sum, sketch";

fn rollup(r: &Row) -> Result<RollupRow> {
    Ok(RollupRow {
        minute: r.int("minute")?,
        restaurant: r.text("restaurant")?,
        page: r.text("page")?,
        count: r.uint("count")?,
        weighted: r.real("weighted")?,
        sum: r.real("sum")?,
        sketch: r
            .blob_opt("sketch")?
            .map(|b| Sketch::decode(&b).map_err(StorageError::Sketch))
            .transpose()?,
    })
}

/// A stored page load of `restaurant`. Its `source` is not read: rows with a restaurant
/// come from the RUM SDK (Sentry's carry none).
fn rum_event(r: &Row, project_id: i64, restaurant: &str) -> Result<RumEventRow> {
    // `kind` is a `&'static str` in the row type: anything but `vitals` is a page load.
    let kind = if r.text("kind")? == "vitals" {
        "vitals"
    } else {
        "pageload"
    };
    Ok(RumEventRow {
        project_id,
        received_at_ms: r.int("received_at")?,
        client_ts_ms: r.int_opt("client_ts")?,
        kind,
        page: r.text("page")?,
        session_id: r.text_opt("session_id")?,
        user_agent: r.text_opt("user_agent")?,
        restaurant_id: Some(restaurant.to_string()),
        ttfb: r.real_opt("ttfb")?,
        dcl: r.real_opt("dcl")?,
        load: r.real_opt("load")?,
        fp: r.real_opt("fp")?,
        fcp: r.real_opt("fcp")?,
        lcp: r.real_opt("lcp")?,
        cls: r.real_opt("cls")?,
        inp: r.real_opt("inp")?,
        source: "rum",
        weight: r.real("weight")?,
    })
}

fn api_call(r: &Row, project_id: i64, restaurant: &str) -> Result<ApiCallRow> {
    Ok(ApiCallRow {
        project_id,
        received_at_ms: r.int("received_at")?,
        page: r.text_opt("page")?,
        method: r.text("method")?,
        route: r.text("route")?,
        status: r.int_opt("status")?.map(|s| s as u16),
        duration_ms: r.real("duration")?,
        session_id: r.text_opt("session_id")?,
        restaurant_id: Some(restaurant.to_string()),
        source: "rum",
        weight: r.real("weight")?,
    })
}

fn memory_sample(r: &Row, project_id: i64, restaurant: &str) -> Result<MemorySample> {
    Ok(MemorySample {
        project_id,
        received_at_ms: r.int("received_at")?,
        page: r.text("page")?,
        used_mb: r.real("used_mb")?,
        restaurant_id: Some(restaurant.to_string()),
    })
}

#[async_trait]
impl PerfStore for Database {
    async fn rollups(
        &self,
        project_id: i64,
        metric: Metric,
        restaurant: &str,
        page: &str,
        from_minute: i64,
        to_minute: i64,
    ) -> Result<Vec<RollupRow>> {
        let found = Sql::new(format!(
            "SELECT {ROLLUP_COLUMNS} FROM rollups
             WHERE project_id = $1 AND metric = $2 AND restaurant = $3 AND page = $4
               AND minute BETWEEN $5 AND $6
             ORDER BY minute"
        ))
        .bind(project_id)
        .bind(metric.as_str())
        .bind(restaurant)
        .bind(page)
        .bind(from_minute)
        .bind(to_minute)
        .fetch_all(self.pool())
        .await?;
        all(&found, rollup)
    }

    async fn rollups_by_key(
        &self,
        project_id: i64,
        metric: Metric,
        restaurant: &str,
        from_minute: i64,
        to_minute: i64,
    ) -> Result<Vec<RollupRow>> {
        let found = Sql::new(format!(
            "SELECT {ROLLUP_COLUMNS} FROM rollups
             WHERE project_id = $1 AND metric = $2 AND restaurant = $3 AND page <> ''
               AND minute BETWEEN $4 AND $5
             ORDER BY page, minute"
        ))
        .bind(project_id)
        .bind(metric.as_str())
        .bind(restaurant)
        .bind(from_minute)
        .bind(to_minute)
        .fetch_all(self.pool())
        .await?;
        all(&found, rollup)
    }

    async fn rollups_by_restaurant(
        &self,
        project_id: i64,
        metric: Metric,
        from_minute: i64,
        to_minute: i64,
    ) -> Result<Vec<RollupRow>> {
        let found = Sql::new(format!(
            "SELECT {ROLLUP_COLUMNS} FROM rollups
             WHERE project_id = $1 AND metric = $2 AND restaurant <> '' AND page = ''
               AND minute BETWEEN $3 AND $4
             ORDER BY restaurant, minute"
        ))
        .bind(project_id)
        .bind(metric.as_str())
        .bind(from_minute)
        .bind(to_minute)
        .fetch_all(self.pool())
        .await?;
        all(&found, rollup)
    }

    async fn top_pages(
        &self,
        project_id: i64,
        restaurant: &str,
        from_minute: i64,
        to_minute: i64,
        limit: u32,
    ) -> Result<Vec<(String, u64)>> {
        let found = Sql::new(
            "SELECT page, SUM(weighted) AS views FROM rollups
             WHERE project_id = $1 AND metric = $2 AND restaurant = $3 AND page <> ''
               AND minute BETWEEN $4 AND $5
             GROUP BY page ORDER BY views DESC, page LIMIT $6",
        )
        .bind(project_id)
        .bind(Metric::PageView.as_str())
        .bind(restaurant)
        .bind(from_minute)
        .bind(to_minute)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        all(&found, |r| {
            Ok((r.text("page")?, r.real("views")?.round() as u64))
        })
    }

    async fn slowest_queries(
        &self,
        project_id: i64,
        from_ms: i64,
        statement: Option<(&str, &str)>,
        limit: u32,
    ) -> Result<Vec<DbQuerySample>> {
        let mut q = Sql::new(
            "SELECT received_at, service, statement, duration, transaction_name, restaurant_id
             FROM db_queries WHERE project_id = ",
        );
        q.push_bind(project_id)
            .push(" AND received_at >= ")
            .push_bind(from_ms);
        if let Some((service, statement)) = statement {
            q.push(" AND service = ")
                .push_bind(service)
                .push(" AND statement = ")
                .push_bind(statement);
        }
        q.push(" ORDER BY duration DESC LIMIT ").push_bind(limit);
        let found = q.fetch_all(self.pool()).await?;
        all(&found, |r| {
            Ok(DbQuerySample {
                at_ms: r.int("received_at")?,
                service: r.text("service")?,
                statement: r.text("statement")?,
                duration_ms: r.real("duration")?,
                transaction: r.text_opt("transaction_name")?,
                restaurant_id: r.text_opt("restaurant_id")?,
            })
        })
    }

    async fn slow_calls(
        &self,
        project_id: i64,
        from_ms: i64,
        min_ms: f64,
        restaurant: Option<&str>,
        limit: u32,
    ) -> Result<Vec<SlowCall>> {
        let mut q = Sql::new(
            "SELECT received_at, method, route, status, duration, page, restaurant_id
             FROM api_calls WHERE project_id = ",
        );
        q.push_bind(project_id)
            .push(" AND received_at >= ")
            .push_bind(from_ms)
            .push(" AND duration >= ")
            .push_bind(min_ms);
        if let Some(r) = restaurant {
            q.push(" AND restaurant_id = ").push_bind(r);
        }
        q.push(" ORDER BY duration DESC LIMIT ").push_bind(limit);
        let found = q.fetch_all(self.pool()).await?;
        all(&found, |r| {
            Ok(SlowCall {
                at_ms: r.int("received_at")?,
                method: r.text("method")?,
                route: r.text("route")?,
                status: r.int_opt("status")?.map(|s| s as u16),
                duration_ms: r.real("duration")?,
                page: r.text_opt("page")?,
                restaurant_id: r.text_opt("restaurant_id")?,
            })
        })
    }

    async fn restaurant_rows(
        &self,
        project_id: i64,
        restaurant: &str,
        from_ms: i64,
    ) -> Result<IngestBatch> {
        // The three tables are read with the same filter.
        let read = |columns: &str, table: &str| {
            Sql::new(format!(
                "SELECT {columns} FROM {table}
                 WHERE project_id = $1 AND restaurant_id = $2 AND received_at >= $3"
            ))
            .bind(project_id)
            .bind(restaurant)
            .bind(from_ms)
        };
        let found = read(
            "received_at, client_ts, kind, page, session_id, user_agent, ttfb, dcl, load, fp, \
             fcp, lcp, cls, inp, weight",
            "rum_events",
        )
        .fetch_all(self.pool())
        .await?;
        let page_loads = all(&found, |r| rum_event(r, project_id, restaurant))?;
        let found = read(
            "received_at, page, method, route, status, duration, session_id, weight",
            "api_calls",
        )
        .fetch_all(self.pool())
        .await?;
        let api_calls = all(&found, |r| api_call(r, project_id, restaurant))?;
        let found = read("received_at, page, used_mb", "memory_samples")
            .fetch_all(self.pool())
            .await?;
        let memory = all(&found, |r| memory_sample(r, project_id, restaurant))?;
        Ok(IngestBatch {
            page_loads,
            api_calls,
            memory,
            ..IngestBatch::default()
        })
    }

    async fn count_rum_events(&self, project_id: i64) -> Result<u64> {
        Sql::new("SELECT COUNT(*) FROM rum_events WHERE project_id = $1")
            .bind(project_id)
            .fetch_one(self.pool())
            .await?
            .uint(0)
    }

    async fn page_views_by_restaurant(
        &self,
        project_id: i64,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<(Option<String>, u64)>> {
        let found = Sql::new(
            "SELECT restaurant_id, COUNT(*) FROM rum_events
             WHERE project_id = $1 AND received_at >= $2 AND received_at < $3
               AND kind = 'pageload'
             GROUP BY restaurant_id",
        )
        .bind(project_id)
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(self.pool())
        .await?;
        all(&found, |r| Ok((r.text_opt(0)?, r.uint(1)?)))
    }

    async fn api_durations_by_restaurant(
        &self,
        project_id: i64,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<(Option<String>, f64)>> {
        let found = Sql::new(
            "SELECT restaurant_id, duration FROM api_calls
             WHERE project_id = $1 AND received_at >= $2 AND received_at < $3",
        )
        .bind(project_id)
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(self.pool())
        .await?;
        all(&found, |r| Ok((r.text_opt(0)?, r.real(1)?)))
    }
}
