//! The writer's transaction: every row kind of an [`IngestBatch`] and the rollups.

use crate::{
    clock::minute_of,
    rollup::RollupDelta,
    storage::BusinessEvent,
    storage::{
        rows::{self, Cols},
        ApiCallRow, CustomPoint, IssueChange, MemorySample, NewErrorEvent, Outcome, Result,
        RumEventRow, SessionUpdate,
    },
};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

/// SQLite allows 32_766 bound parameters per statement: a multi-row INSERT takes as
/// many rows as fit (a larger batch failed whole and was dropped).
const MAX_PARAMS: usize = 32_766;

pub(super) const fn rows_per_insert(columns: usize) -> usize {
    MAX_PARAMS / columns
}

pub async fn page_loads(tx: &mut SqliteConnection, rows: &[RumEventRow]) -> Result<()> {
    for chunk in rows.chunks(rows_per_insert(17)) {
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO rum_events (project_id, received_at, client_ts, kind, page, session_id, \
             user_agent, ttfb, dcl, load, fp, fcp, lcp, cls, inp, source, restaurant_id) ",
        );
        q.push_values(chunk, |mut b, e| {
            b.push_bind(e.project_id)
                .push_bind(e.received_at_ms)
                .push_bind(e.client_ts_ms)
                .push_bind(e.kind)
                .push_bind(&e.page)
                .push_bind(&e.session_id)
                .push_bind(&e.user_agent)
                .push_bind(e.ttfb)
                .push_bind(e.dcl)
                .push_bind(e.load)
                .push_bind(e.fp)
                .push_bind(e.fcp)
                .push_bind(e.lcp)
                .push_bind(e.cls)
                .push_bind(e.inp)
                .push_bind(e.source)
                .push_bind(&e.restaurant_id);
        });
        q.build().execute(&mut *tx).await?;
    }
    Ok(())
}

pub async fn api_calls(tx: &mut SqliteConnection, rows: &[ApiCallRow]) -> Result<()> {
    for chunk in rows.chunks(rows_per_insert(10)) {
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO api_calls (project_id, received_at, page, method, route, status, \
             duration, session_id, source, restaurant_id) ",
        );
        q.push_values(chunk, |mut b, c| {
            b.push_bind(c.project_id)
                .push_bind(c.received_at_ms)
                .push_bind(&c.page)
                .push_bind(&c.method)
                .push_bind(&c.route)
                .push_bind(c.status.map(i64::from))
                .push_bind(c.duration_ms)
                .push_bind(&c.session_id)
                .push_bind(c.source)
                .push_bind(&c.restaurant_id);
        });
        q.build().execute(&mut *tx).await?;
    }
    Ok(())
}

pub async fn memory(tx: &mut SqliteConnection, rows: &[MemorySample]) -> Result<()> {
    for chunk in rows.chunks(rows_per_insert(5)) {
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO memory_samples (project_id, received_at, page, used_mb, restaurant_id) ",
        );
        q.push_values(chunk, |mut b, m| {
            b.push_bind(m.project_id)
                .push_bind(m.received_at_ms)
                .push_bind(&m.page)
                .push_bind(m.used_mb)
                .push_bind(&m.restaurant_id);
        });
        q.build().execute(&mut *tx).await?;
    }
    Ok(())
}

pub async fn custom(tx: &mut SqliteConnection, rows: &[CustomPoint]) -> Result<()> {
    for chunk in rows.chunks(rows_per_insert(4)) {
        let mut q: QueryBuilder<Sqlite> =
            QueryBuilder::new("INSERT INTO custom_points (project_id, name, at, value) ");
        q.push_values(chunk, |mut b, p| {
            b.push_bind(p.project_id)
                .push_bind(&p.name)
                .push_bind(p.at_ms)
                .push_bind(p.value);
        });
        q.build().execute(&mut *tx).await?;
    }
    Ok(())
}

pub async fn business(tx: &mut SqliteConnection, rows: &[BusinessEvent]) -> Result<()> {
    for chunk in rows.chunks(rows_per_insert(18)) {
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO business_events (project_id, at, kind, restaurant_id, order_id, payment_id,
               session_id, amount_minor, currency, status, method, order_type, item_count,
               duration_ms, item, quantity, source, body) ",
        );
        q.push_values(chunk, |mut b, e| {
            b.push_bind(e.project_id)
                .push_bind(e.at_ms)
                .push_bind(&e.kind)
                .push_bind(&e.restaurant_id)
                .push_bind(&e.order_id)
                .push_bind(&e.payment_id)
                .push_bind(&e.session_id)
                .push_bind(e.amount_minor)
                .push_bind(&e.currency)
                .push_bind(&e.status)
                .push_bind(&e.method)
                .push_bind(&e.order_type)
                .push_bind(e.item_count)
                .push_bind(e.duration_ms)
                .push_bind(&e.item)
                .push_bind(e.quantity)
                .push_bind(&e.source)
                .push_bind(&e.body);
        });
        q.build().execute(&mut *tx).await?;
    }
    Ok(())
}

/// Read-merge-write inside the transaction: correct across restarts, and the writer
/// lock serializes flushes, so none can interleave.
pub async fn rollups(tx: &mut SqliteConnection, deltas: &[RollupDelta]) -> Result<()> {
    for d in deltas {
        let existing = sqlx::query(
            "SELECT count, sum, sketch FROM rum_rollups
             WHERE project_id = ? AND metric = ? AND page = ? AND minute = ?",
        )
        .bind(d.project_id)
        .bind(d.metric.as_str())
        .bind(&d.page)
        .bind(d.minute)
        .fetch_optional(&mut *tx)
        .await?;
        let (count, sum, sketch) = rows::merged_rollup(d, existing.as_ref())?;
        sqlx::query(
            "INSERT INTO rum_rollups (project_id, metric, page, minute, count, sum, sketch)
             VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (project_id, metric, page, minute)
             DO UPDATE SET count = excluded.count, sum = excluded.sum, sketch = excluded.sketch",
        )
        .bind(d.project_id)
        .bind(d.metric.as_str())
        .bind(&d.page)
        .bind(d.minute)
        .bind(count as i64)
        .bind(sum)
        .bind(sketch.map(|s| s.encode()))
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// Files one error event under its issue (creating it, or reopening it as a regression
/// when it was resolved), and updates the issue's tag store and counts.
pub async fn error_event(
    tx: &mut SqliteConnection,
    e: &NewErrorEvent,
) -> Result<(i64, IssueChange)> {
    let existing =
        sqlx::query("SELECT id, status FROM issues WHERE project_id = ? AND fingerprint = ?")
            .bind(e.project_id)
            .bind(&e.fingerprint)
            .fetch_optional(&mut *tx)
            .await?;
    let at = e.received_at_ms;
    let (issue_id, change) = match existing {
        None => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO issues (project_id, fingerprint, title, culprit, level, first_seen, last_seen, event_count)
                 VALUES (?, ?, ?, ?, ?, ?, ?, 1) RETURNING id",
            )
            .bind(e.project_id)
            .bind(&e.fingerprint)
            .bind(&e.title)
            .bind(&e.culprit)
            .bind(&e.level)
            .bind(at)
            .bind(at)
            .fetch_one(&mut *tx)
            .await?;
            (id, IssueChange::New)
        }
        Some(row) => {
            let id = row.int("id")?;
            let status = row.text("status")?;
            sqlx::query(
                "UPDATE issues SET last_seen = MAX(last_seen, ?), event_count = event_count + 1, level = ?,
                 status = CASE WHEN status = 'resolved' THEN 'unresolved' ELSE status END,
                 regressed_at = CASE WHEN status = 'resolved' THEN ? ELSE regressed_at END
                 WHERE id = ?",
            )
            .bind(at)
            .bind(&e.level)
            .bind(at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            let change = if status == "resolved" {
                IssueChange::Regressed
            } else {
                IssueChange::Existing
            };
            (id, change)
        }
    };
    sqlx::query(
        "INSERT INTO error_events (project_id, issue_id, event_id, received_at, level, environment, release,
         user_key, restaurant_id, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(e.project_id)
    .bind(issue_id)
    .bind(&e.event_id)
    .bind(at)
    .bind(&e.level)
    .bind(&e.environment)
    .bind(&e.release)
    .bind(&e.user_key)
    .bind(&e.restaurant_id)
    .bind(&e.body)
    .execute(&mut *tx)
    .await?;
    if !e.tags.is_empty() {
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO issue_tags (issue_id, key, value, times_seen, first_seen, last_seen) ",
        );
        q.push_values(&e.tags, |mut b, (k, v)| {
            b.push_bind(issue_id)
                .push_bind(k)
                .push_bind(v)
                .push_bind(1_i64)
                .push_bind(at)
                .push_bind(at);
        });
        q.push(
            " ON CONFLICT (issue_id, key, value) DO UPDATE SET times_seen = times_seen + 1,
             last_seen = MAX(last_seen, excluded.last_seen)",
        );
        q.build().execute(&mut *tx).await?;
    }
    sqlx::query(
        "INSERT INTO issue_hours (issue_id, hour, count) VALUES (?, ?, 1)
         ON CONFLICT (issue_id, hour) DO UPDATE SET count = count + 1",
    )
    .bind(issue_id)
    .bind(at.div_euclid(3_600_000))
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO error_minutes (project_id, minute, count) VALUES (?, ?, 1)
         ON CONFLICT (project_id, minute) DO UPDATE SET count = count + 1",
    )
    .bind(e.project_id)
    .bind(minute_of(at))
    .execute(&mut *tx)
    .await?;
    Ok((issue_id, change))
}

pub async fn session(tx: &mut SqliteConnection, s: &SessionUpdate) -> Result<()> {
    match s {
        SessionUpdate::Single {
            project_id,
            sid,
            started_ms,
            updated_ms,
            release,
            environment,
            status,
            errors,
        } => {
            // Updates may arrive out of order: the newest status wins, errors only grow.
            sqlx::query(
                "INSERT INTO release_sessions (project_id, sid, started, updated, release, environment, status, errors)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (project_id, sid) DO UPDATE SET
                   status = CASE WHEN excluded.updated >= updated THEN excluded.status ELSE status END,
                   updated = MAX(updated, excluded.updated),
                   errors = MAX(errors, excluded.errors)",
            )
            .bind(project_id)
            .bind(sid)
            .bind(started_ms)
            .bind(updated_ms)
            .bind(release)
            .bind(environment)
            .bind(status)
            .bind(*errors as i64)
            .execute(&mut *tx)
            .await?;
        }
        SessionUpdate::Aggregate {
            project_id,
            minute,
            release,
            environment,
            exited,
            errored,
            crashed,
            abnormal,
        } => {
            sqlx::query(
                "INSERT INTO session_aggregates (project_id, minute, release, environment, exited, errored, crashed, abnormal)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (project_id, minute, release, environment) DO UPDATE SET
                   exited = exited + excluded.exited, errored = errored + excluded.errored,
                   crashed = crashed + excluded.crashed, abnormal = abnormal + excluded.abnormal",
            )
            .bind(project_id)
            .bind(minute)
            .bind(release)
            .bind(environment)
            .bind(*exited as i64)
            .bind(*errored as i64)
            .bind(*crashed as i64)
            .bind(*abnormal as i64)
            .execute(&mut *tx)
            .await?;
        }
    }
    Ok(())
}

pub async fn outcome(tx: &mut SqliteConnection, o: &Outcome) -> Result<()> {
    sqlx::query(
        "INSERT INTO ingest_outcomes (project_id, hour, source, reason, category, quantity)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (project_id, hour, source, reason, category)
         DO UPDATE SET quantity = quantity + excluded.quantity",
    )
    .bind(o.project_id)
    .bind(o.at_ms.div_euclid(3_600_000))
    .bind(o.source)
    .bind(&o.reason)
    .bind(&o.category)
    .bind(o.quantity as i64)
    .execute(&mut *tx)
    .await?;
    Ok(())
}
