//! Error-tracking reads: the filtered, sorted issue list with sparklines, one issue,
//! its tag store and events, error counts per minute and per restaurant, release health.

use crate::{
    database::Database,
    error::{Result, StorageError},
    model::{
        ErrorEvent, IssueQuery, IssueSort, IssueStatus, IssueSummary, SessionHealth,
        TagDistribution,
    },
    sql::{
        cols::{all, json, Cols},
        pool::Row,
        query::{like_pattern, Sql},
    },
};
use async_trait::async_trait;
use std::collections::HashMap;

#[async_trait]
pub trait IssueStore {
    /// Issues of a project matching `q`, each with its 24-hour sparkline ending at `now`.
    async fn issues(
        &self,
        project_id: i64,
        q: &IssueQuery,
        now_ms: i64,
    ) -> Result<Vec<IssueSummary>>;
    async fn issue(&self, id: i64) -> Result<Option<IssueSummary>>;
    /// The tags of an issue's events: each key with its most frequent values.
    async fn issue_tags(&self, issue_id: i64, top: u32) -> Result<Vec<TagDistribution>>;
    /// Normalized events of an issue, newest first.
    async fn issue_events(&self, issue_id: i64, limit: u32) -> Result<Vec<ErrorEvent>>;
    /// `false` when no such issue.
    async fn set_issue_status(&self, id: i64, status: IssueStatus) -> Result<bool>;
    /// Error events per minute with `from <= minute <= to` (minutes without any omitted).
    async fn error_minutes(&self, project_id: i64, from: i64, to: i64) -> Result<Vec<(i64, u64)>>;
    /// Error events in `from_ms..to_ms` per restaurant (`None`: events without one),
    /// of one environment when given.
    async fn errors_by_restaurant(
        &self,
        project_id: i64,
        from_ms: i64,
        to_ms: i64,
        environment: Option<&str>,
    ) -> Result<Vec<(Option<String>, u64)>>;
    /// Release health of sessions started in `from_ms..to_ms`.
    async fn session_health(
        &self,
        project_id: i64,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<SessionHealth>;
    /// Unresolved issues with events since `q.since_ms` that match `q`'s filters, each
    /// with its number of matching events in that time, busiest first (what issue alerts
    /// judge).
    async fn issue_activity(
        &self,
        project_id: i64,
        q: &IssueActivityQuery,
    ) -> Result<Vec<IssueActivity>>;
}

/// Which issues and events an issue alert looks at.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IssueActivityQuery {
    pub since_ms: i64,
    /// Of the events: their environment, level and release.
    pub environment: Option<String>,
    pub level: Option<String>,
    pub release: Option<String>,
    /// Of the issue: tags its events carried (`restaurant_id = r-1`).
    pub tags: Vec<(String, String)>,
    pub limit: u32,
}

/// An issue with its events in an alert's window.
#[derive(Debug, Clone, PartialEq)]
pub struct IssueActivity {
    pub id: i64,
    pub title: String,
    pub level: String,
    pub first_seen_ms: i64,
    pub regressed_at_ms: Option<i64>,
    /// Matching events since the window started.
    pub events: u64,
}

/// Hours in a sparkline.
pub const SPARK_HOURS: i64 = 24;

/// Issues with their people, restaurants and orders affected (from the tag store).
const ISSUE_SELECT: &str = "SELECT i.id, i.title, i.culprit, i.level, i.status, i.first_seen,
    i.last_seen, i.event_count, i.regressed_at,
    (SELECT COUNT(*) FROM issue_tags t WHERE t.issue_id = i.id AND t.key = 'user') AS users,
    (SELECT COUNT(*) FROM issue_tags t WHERE t.issue_id = i.id AND t.key = 'restaurant_id')
      AS restaurants,
    (SELECT COUNT(*) FROM issue_tags t WHERE t.issue_id = i.id AND t.key = 'order_id') AS orders
    FROM issues i";

/// An issue of `ISSUE_SELECT`, its sparkline still empty.
fn issue(r: &Row) -> Result<IssueSummary> {
    let status = r.text("status")?;
    Ok(IssueSummary {
        id: r.int("id")?,
        title: r.text("title")?,
        culprit: r.text_opt("culprit")?,
        level: r.text("level")?,
        status: IssueStatus::parse(&status).ok_or_else(|| {
            StorageError::Database(sqlx::Error::Decode(
                format!("unknown issue status {status:?}").into(),
            ))
        })?,
        first_seen_ms: r.int("first_seen")?,
        last_seen_ms: r.int("last_seen")?,
        events: r.uint("event_count")?,
        users: r.uint("users")?,
        restaurants: r.uint("restaurants")?,
        orders: r.uint("orders")?,
        regressed_at_ms: r.int_opt("regressed_at")?,
        sparkline: vec![],
    })
}

fn has_tag<'a>(q: &mut Sql<'a>, key: &'a str, value: &'a str) {
    q.push(" AND EXISTS (SELECT 1 FROM issue_tags t WHERE t.issue_id = i.id AND t.key = ")
        .push_bind(key)
        .push(" AND t.value = ")
        .push_bind(value)
        .push(")");
}

impl Database {
    /// Fills each issue's events per hour over the 24 hours ending at `now_ms`.
    async fn sparklines(&self, issues: &mut [IssueSummary], now_ms: i64) -> Result<()> {
        if issues.is_empty() {
            return Ok(());
        }
        let last = now_ms.div_euclid(3_600_000);
        let first = last - (SPARK_HOURS - 1);
        let mut q = Sql::new("SELECT issue_id, hour, count FROM issue_hours WHERE hour BETWEEN ");
        q.push_bind(first)
            .push(" AND ")
            .push_bind(last)
            .push(" AND issue_id IN ")
            .push_list(issues.iter().map(|i| i.id));
        let rows = q.fetch_all(self.pool()).await?;
        let mut counts: HashMap<i64, Vec<u64>> = HashMap::new();
        for r in &rows {
            let (id, hour, count) = (r.int("issue_id")?, r.int("hour")?, r.uint("count")?);
            let line = counts
                .entry(id)
                .or_insert_with(|| vec![0; SPARK_HOURS as usize]);
            line[(hour - first) as usize] = count;
        }
        for i in issues {
            i.sparkline = counts
                .remove(&i.id)
                .unwrap_or_else(|| vec![0; SPARK_HOURS as usize]);
        }
        Ok(())
    }
}

#[async_trait]
impl IssueStore for Database {
    async fn issues(
        &self,
        project_id: i64,
        f: &IssueQuery,
        now_ms: i64,
    ) -> Result<Vec<IssueSummary>> {
        let mut q = Sql::new(format!(
            "SELECT * FROM ({ISSUE_SELECT} WHERE i.project_id = "
        ));
        q.push_bind(project_id);
        if let Some(status) = f.status {
            q.push(" AND i.status = ").push_bind(status.as_str());
        }
        if let Some(level) = &f.level {
            q.push(" AND i.level = ").push_bind(level);
        }
        if let Some(env) = &f.environment {
            has_tag(&mut q, "environment", env);
        }
        if let Some(release) = &f.release {
            has_tag(&mut q, "release", release);
        }
        for (k, v) in &f.tags {
            has_tag(&mut q, k, v);
        }
        if let Some(text) = f.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            let (p, like) = (like_pattern(text), self.dialect().ilike());
            q.push(&format!(" AND (i.title {like} "))
                .push_bind(p.clone())
                .push(&format!(" ESCAPE '\\' OR i.culprit {like} "))
                .push_bind(p)
                .push(" ESCAPE '\\')");
        }
        q.push(") listed ORDER BY ").push(match f.sort {
            IssueSort::LastSeen => "last_seen DESC",
            IssueSort::FirstSeen => "first_seen DESC",
            IssueSort::Events => "event_count DESC",
            IssueSort::Users => "users DESC",
        });
        q.push(", id DESC LIMIT ")
            .push_bind(f.limit.unwrap_or(100).clamp(1, 1000));
        let found = q.fetch_all(self.pool()).await?;
        let mut issues = all(&found, issue)?;
        self.sparklines(&mut issues, now_ms).await?;
        Ok(issues)
    }

    async fn issue(&self, id: i64) -> Result<Option<IssueSummary>> {
        Sql::new(format!("{ISSUE_SELECT} WHERE i.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(issue)
            .transpose()
    }

    async fn issue_tags(&self, issue_id: i64, top: u32) -> Result<Vec<TagDistribution>> {
        let totals = Sql::new(
            "SELECT key, CAST(SUM(times_seen) AS BIGINT) AS total, COUNT(*) AS distinct_values
             FROM issue_tags WHERE issue_id = $1 GROUP BY key ORDER BY key",
        )
        .bind(issue_id)
        .fetch_all(self.pool())
        .await?;
        let tops = Sql::new(
            "SELECT key, value, times_seen FROM (
               SELECT key, value, times_seen,
                      ROW_NUMBER() OVER (PARTITION BY key ORDER BY times_seen DESC, value) AS rank
               FROM issue_tags WHERE issue_id = $1) ranked
             WHERE rank <= $2 ORDER BY key, rank",
        )
        .bind(issue_id)
        .bind(top)
        .fetch_all(self.pool())
        .await?;
        let mut out: Vec<TagDistribution> = all(&totals, |r| {
            Ok(TagDistribution {
                key: r.text("key")?,
                total: r.uint("total")?,
                distinct: r.uint("distinct_values")?,
                top: vec![],
            })
        })?;
        for r in &tops {
            let key = r.text("key")?;
            if let Some(d) = out.iter_mut().find(|d| d.key == key) {
                d.top.push((r.text("value")?, r.uint("times_seen")?));
            }
        }
        Ok(out)
    }

    async fn issue_events(&self, issue_id: i64, limit: u32) -> Result<Vec<ErrorEvent>> {
        let found =
            Sql::new("SELECT body FROM error_events WHERE issue_id = $1 ORDER BY id DESC LIMIT $2")
                .bind(issue_id)
                .bind(limit)
                .fetch_all(self.pool())
                .await?;
        all(&found, |r| json(&r.text("body")?))
    }

    async fn set_issue_status(&self, id: i64, status: IssueStatus) -> Result<bool> {
        let changed = Sql::new("UPDATE issues SET status = $1 WHERE id = $2")
            .bind(status.as_str())
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(changed == 1)
    }

    async fn error_minutes(&self, project_id: i64, from: i64, to: i64) -> Result<Vec<(i64, u64)>> {
        let found = Sql::new(
            "SELECT minute, count FROM error_minutes
             WHERE project_id = $1 AND minute BETWEEN $2 AND $3 ORDER BY minute",
        )
        .bind(project_id)
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?;
        all(&found, |r| Ok((r.int("minute")?, r.uint("count")?)))
    }

    async fn errors_by_restaurant(
        &self,
        project_id: i64,
        from_ms: i64,
        to_ms: i64,
        environment: Option<&str>,
    ) -> Result<Vec<(Option<String>, u64)>> {
        let found = Sql::new(
            "SELECT restaurant_id, COUNT(*) FROM error_events
             WHERE project_id = $1 AND received_at >= $2 AND received_at < $3
               AND ($4 IS NULL OR environment = $4)
             GROUP BY restaurant_id",
        )
        .bind(project_id)
        .bind(from_ms)
        .bind(to_ms)
        .bind(environment)
        .fetch_all(self.pool())
        .await?;
        all(&found, |r| Ok((r.text_opt(0)?, r.uint(1)?)))
    }

    async fn session_health(
        &self,
        project_id: i64,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<SessionHealth> {
        let single = Sql::new(
            "SELECT COUNT(*),
                    COUNT(*) FILTER (WHERE errors > 0 OR status IN ('crashed', 'abnormal')),
                    COUNT(*) FILTER (WHERE status = 'crashed'),
                    COUNT(*) FILTER (WHERE status = 'abnormal')
             FROM release_sessions WHERE project_id = $1 AND started >= $2 AND started < $3",
        )
        .bind(project_id)
        .bind(from_ms)
        .bind(to_ms)
        .fetch_one(self.pool())
        .await?;
        let agg = Sql::new(
            "SELECT CAST(COALESCE(SUM(exited + errored + crashed + abnormal), 0) AS BIGINT),
                    CAST(COALESCE(SUM(errored + crashed + abnormal), 0) AS BIGINT),
                    CAST(COALESCE(SUM(crashed), 0) AS BIGINT),
                    CAST(COALESCE(SUM(abnormal), 0) AS BIGINT)
             FROM session_aggregates WHERE project_id = $1 AND minute >= $2 AND minute < $3",
        )
        .bind(project_id)
        .bind(from_ms.div_euclid(60_000))
        .bind(to_ms.div_euclid(60_000))
        .fetch_one(self.pool())
        .await?;
        let sum = |i: usize| -> Result<u64> { Ok(single.uint(i)? + agg.uint(i)?) };
        Ok(SessionHealth {
            total: sum(0)?,
            errored: sum(1)?,
            crashed: sum(2)?,
            abnormal: sum(3)?,
        })
    }

    async fn issue_activity(
        &self,
        project_id: i64,
        q: &IssueActivityQuery,
    ) -> Result<Vec<IssueActivity>> {
        // The matching events' count is a correlated subquery of the issue list.
        let mut b = Sql::new(
            "SELECT * FROM (SELECT i.id, i.title, i.level, i.first_seen, i.regressed_at,
               (SELECT COUNT(*) FROM error_events e WHERE e.issue_id = i.id AND e.received_at >= ",
        );
        b.push_bind(q.since_ms);
        for (col, v) in [
            ("environment", &q.environment),
            ("level", &q.level),
            ("release", &q.release),
        ] {
            if let Some(v) = v {
                b.push(&format!(" AND e.{col} = ")).push_bind(v);
            }
        }
        b.push(") AS recent FROM issues i WHERE i.project_id = ")
            .push_bind(project_id)
            .push(" AND i.status = 'unresolved' AND i.last_seen >= ")
            .push_bind(q.since_ms);
        for (k, v) in &q.tags {
            has_tag(&mut b, k, v);
        }
        b.push(") active WHERE recent > 0 ORDER BY recent DESC, id LIMIT ")
            .push_bind(q.limit.clamp(1, 1000));
        let found = b.fetch_all(self.pool()).await?;
        all(&found, |r| {
            Ok(IssueActivity {
                id: r.int("id")?,
                title: r.text("title")?,
                level: r.text("level")?,
                first_seen_ms: r.int("first_seen")?,
                regressed_at_ms: r.int_opt("regressed_at")?,
                events: r.uint("recent")?,
            })
        })
    }
}
