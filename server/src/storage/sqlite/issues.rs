//! Issue reads: the filtered, sorted list with sparklines, and the tag store.

use crate::storage::{rows, IssueQuery, IssueSort, IssueSummary, Result, TagDistribution};
use sqlx::{QueryBuilder, Sqlite, SqlitePool};

/// Hours in a sparkline.
pub const SPARK_HOURS: i64 = 24;

/// Issues with their people, restaurants and orders affected (from the tag store).
pub const ISSUE_SELECT: &str = "SELECT i.id, i.title, i.culprit, i.level, i.status, i.first_seen,
    i.last_seen, i.event_count, i.regressed_at,
    (SELECT COUNT(*) FROM issue_tags t WHERE t.issue_id = i.id AND t.key = 'user') AS users,
    (SELECT COUNT(*) FROM issue_tags t WHERE t.issue_id = i.id AND t.key = 'restaurant_id') AS restaurants,
    (SELECT COUNT(*) FROM issue_tags t WHERE t.issue_id = i.id AND t.key = 'order_id') AS orders
    FROM issues i";

/// `text` for LIKE ... ESCAPE '\\', with its wildcards taken literally.
pub(crate) fn like_escape(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p
}

/// `%text%` for LIKE, with the wildcards in `text` taken literally.
pub(crate) fn like_pattern(text: &str) -> String {
    format!("%{}%", like_escape(text))
}

fn has_tag(q: &mut QueryBuilder<'_, Sqlite>, key: String, value: String) {
    q.push(" AND EXISTS (SELECT 1 FROM issue_tags t WHERE t.issue_id = i.id AND t.key = ")
        .push_bind(key)
        .push(" AND t.value = ")
        .push_bind(value)
        .push(")");
}

pub async fn list(
    pool: &SqlitePool,
    project_id: i64,
    f: &IssueQuery,
    now_ms: i64,
) -> Result<Vec<IssueSummary>> {
    let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(format!(
        "SELECT * FROM ({ISSUE_SELECT} WHERE i.project_id = "
    ));
    q.push_bind(project_id);
    if let Some(status) = f.status {
        q.push(" AND i.status = ").push_bind(status.as_str());
    }
    if let Some(level) = &f.level {
        q.push(" AND i.level = ").push_bind(level.clone());
    }
    if let Some(env) = &f.environment {
        has_tag(&mut q, "environment".into(), env.clone());
    }
    if let Some(release) = &f.release {
        has_tag(&mut q, "release".into(), release.clone());
    }
    for (k, v) in &f.tags {
        has_tag(&mut q, k.clone(), v.clone());
    }
    if let Some(text) = f.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let p = like_pattern(text);
        q.push(" AND (i.title LIKE ")
            .push_bind(p.clone())
            .push(" ESCAPE '\\' OR i.culprit LIKE ")
            .push_bind(p)
            .push(" ESCAPE '\\')");
    }
    q.push(") ORDER BY ").push(match f.sort {
        IssueSort::LastSeen => "last_seen DESC",
        IssueSort::FirstSeen => "first_seen DESC",
        IssueSort::Events => "event_count DESC",
        IssueSort::Users => "users DESC",
    });
    q.push(", id DESC LIMIT ")
        .push_bind(i64::from(f.limit.unwrap_or(100).clamp(1, 1000)));
    let found = q.build().fetch_all(pool).await?;
    let mut issues: Vec<IssueSummary> = rows::all(&found, rows::issue)?;
    sparklines(pool, &mut issues, now_ms).await?;
    Ok(issues)
}

/// Fills each issue's events per hour over the 24 hours ending at `now_ms`.
async fn sparklines(pool: &SqlitePool, issues: &mut [IssueSummary], now_ms: i64) -> Result<()> {
    if issues.is_empty() {
        return Ok(());
    }
    let last = now_ms.div_euclid(3_600_000);
    let first = last - (SPARK_HOURS - 1);
    let mut q: QueryBuilder<Sqlite> =
        QueryBuilder::new("SELECT issue_id, hour, count FROM issue_hours WHERE hour BETWEEN ");
    q.push_bind(first)
        .push(" AND ")
        .push_bind(last)
        .push(" AND issue_id IN (");
    let mut ids = q.separated(", ");
    for i in issues.iter() {
        ids.push_bind(i.id);
    }
    q.push(")");
    let hours = q.build().fetch_all(pool).await?;
    rows::fill_sparklines(&hours, issues, first, SPARK_HOURS as usize)
}

pub async fn tags(pool: &SqlitePool, issue_id: i64, top: u32) -> Result<Vec<TagDistribution>> {
    let totals = sqlx::query(
        "SELECT key, SUM(times_seen) AS total, COUNT(*) AS distinct_values FROM issue_tags
         WHERE issue_id = ? GROUP BY key ORDER BY key",
    )
    .bind(issue_id)
    .fetch_all(pool)
    .await?;
    let tops = sqlx::query(
        "SELECT key, value, times_seen FROM (
           SELECT key, value, times_seen,
                  ROW_NUMBER() OVER (PARTITION BY key ORDER BY times_seen DESC, value) AS rank
           FROM issue_tags WHERE issue_id = ?)
         WHERE rank <= ? ORDER BY key, rank",
    )
    .bind(issue_id)
    .bind(i64::from(top))
    .fetch_all(pool)
    .await?;
    rows::tag_distributions(&totals, &tops)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_take_wildcards_literally() {
        assert_eq!(like_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }
}
