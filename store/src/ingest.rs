//! The writer's transaction: every row kind of an [`IngestBatch`], the rollup merges and
//! the issues its error events belong to, stored together or not at all.

use crate::{
    clock::minute_of,
    database::Database,
    error::Result,
    model::{IngestBatch, IssueChange, NewErrorEvent, Outcome, SessionUpdate},
    rollup::{sketch::Sketch, RollupDelta},
    sql::{
        cols::Cols,
        dialect::Dialect,
        pool::{Row, Tx},
        query::{Sql, Tuple},
    },
};
use async_trait::async_trait;

#[async_trait]
pub trait IngestStore {
    /// Stores a batch (raw rows, error events with their issues, sessions, outcomes)
    /// and merges rollup deltas, all in one transaction. Returns what each error event
    /// did to its issue, in order.
    async fn write_batch(
        &self,
        batch: &IngestBatch,
        rollups: &[RollupDelta],
    ) -> Result<Vec<(i64, IssueChange)>>;
}

#[async_trait]
impl IngestStore for Database {
    async fn write_batch(
        &self,
        b: &IngestBatch,
        rollups: &[RollupDelta],
    ) -> Result<Vec<(i64, IssueChange)>> {
        self.prepare_batch(b).await?;
        let _writer = self.write_lock().await;
        let d = self.dialect();
        let mut tx = self.pool().begin().await?;
        insert_rows(&mut tx, d, b).await?;
        merge_rollups(&mut tx, rollups).await?;
        // Issues are filed in fingerprint order, the same in every instance, so two
        // writers filing the same issues lock them in the same order and cannot deadlock.
        let mut order: Vec<usize> = (0..b.errors.len()).collect();
        order.sort_by(|&x, &y| b.errors[x].fingerprint.cmp(&b.errors[y].fingerprint));
        let mut changes = vec![(0, IssueChange::Existing); b.errors.len()];
        for i in order {
            changes[i] = file_error_event(&mut tx, d, &b.errors[i]).await?;
        }
        for s in &b.sessions {
            session(&mut tx, d, s).await?;
        }
        for o in &b.outcomes {
            outcome(&mut tx, o).await?;
        }
        // Last, so the counters' rows stay locked for the shortest time.
        for (table, n) in b.rows_per_table() {
            crate::schema::count_rows(&mut tx, table, n as i64).await?;
        }
        tx.commit().await?;
        Ok(changes)
    }
}

/// A multi-row INSERT of `rows` into `into` (`table (col, ...)` with `columns` columns),
/// in as many statements as the database's parameter limit needs.
async fn insert_all<T>(
    tx: &mut Tx,
    d: Dialect,
    into: &str,
    columns: usize,
    rows: &[T],
    mut bind: impl for<'a> FnMut(&mut Tuple<'_, 'a>, &'a T),
) -> Result<()> {
    for chunk in rows.chunks(d.rows_per_insert(columns)) {
        let mut q = Sql::new(format!("INSERT INTO {into}"));
        q.push_values(chunk, |t, row| bind(t, row));
        q.execute(&mut *tx).await?;
    }
    Ok(())
}

/// The raw rows of every kind.
async fn insert_rows(tx: &mut Tx, d: Dialect, b: &IngestBatch) -> Result<()> {
    insert_all(
        tx,
        d,
        "rum_events (project_id, received_at, client_ts, kind, page, session_id, user_agent, \
         ttfb, dcl, load, fp, fcp, lcp, cls, inp, source, restaurant_id, weight)",
        18,
        &b.page_loads,
        |t, e| {
            t.bind(e.project_id)
                .bind(e.received_at_ms)
                .bind(e.client_ts_ms)
                .bind(e.kind)
                .bind(&e.page)
                .bind(&e.session_id)
                .bind(&e.user_agent)
                .bind(e.ttfb)
                .bind(e.dcl)
                .bind(e.load)
                .bind(e.fp)
                .bind(e.fcp)
                .bind(e.lcp)
                .bind(e.cls)
                .bind(e.inp)
                .bind(e.source)
                .bind(&e.restaurant_id)
                .bind(e.weight);
        },
    )
    .await?;
    insert_all(
        tx,
        d,
        "api_calls (project_id, received_at, page, method, route, status, duration, \
         session_id, source, restaurant_id, weight)",
        11,
        &b.api_calls,
        |t, c| {
            t.bind(c.project_id)
                .bind(c.received_at_ms)
                .bind(&c.page)
                .bind(&c.method)
                .bind(&c.route)
                .bind(c.status)
                .bind(c.duration_ms)
                .bind(&c.session_id)
                .bind(c.source)
                .bind(&c.restaurant_id)
                .bind(c.weight);
        },
    )
    .await?;
    insert_all(
        tx,
        d,
        "server_requests (project_id, received_at, service, environment, method, route, \
         status, failed, duration, restaurant_id, weight)",
        11,
        &b.server_requests,
        |t, q| {
            t.bind(q.project_id)
                .bind(q.received_at_ms)
                .bind(&q.service)
                .bind(&q.environment)
                .bind(&q.method)
                .bind(&q.route)
                .bind(q.status)
                .bind(q.failed)
                .bind(q.duration_ms)
                .bind(&q.restaurant_id)
                .bind(q.weight);
        },
    )
    .await?;
    insert_all(
        tx,
        d,
        "db_queries (project_id, received_at, service, statement, duration, \
         transaction_name, restaurant_id, weight)",
        8,
        &b.db_queries,
        |t, q| {
            t.bind(q.project_id)
                .bind(q.received_at_ms)
                .bind(&q.service)
                .bind(&q.statement)
                .bind(q.duration_ms)
                .bind(&q.transaction)
                .bind(&q.restaurant_id)
                .bind(q.weight);
        },
    )
    .await?;
    insert_all(
        tx,
        d,
        "memory_samples (project_id, received_at, page, used_mb, restaurant_id)",
        5,
        &b.memory,
        |t, m| {
            t.bind(m.project_id)
                .bind(m.received_at_ms)
                .bind(&m.page)
                .bind(m.used_mb)
                .bind(&m.restaurant_id);
        },
    )
    .await?;
    insert_all(
        tx,
        d,
        "custom_points (project_id, name, at, value)",
        4,
        &b.custom,
        |t, p| {
            t.bind(p.project_id)
                .bind(&p.name)
                .bind(p.at_ms)
                .bind(p.value);
        },
    )
    .await?;
    insert_all(
        tx,
        d,
        "business_events (project_id, at, kind, restaurant_id, order_id, payment_id, \
         session_id, amount_minor, currency, status, method, order_type, item_count, \
         duration_ms, item, quantity, source, body)",
        18,
        &b.business,
        |t, e| {
            t.bind(e.project_id)
                .bind(e.at_ms)
                .bind(&e.kind)
                .bind(&e.restaurant_id)
                .bind(&e.order_id)
                .bind(&e.payment_id)
                .bind(&e.session_id)
                .bind(e.amount_minor)
                .bind(&e.currency)
                .bind(&e.status)
                .bind(&e.method)
                .bind(&e.order_type)
                .bind(e.item_count)
                .bind(e.duration_ms)
                .bind(&e.item)
                .bind(e.quantity)
                .bind(&e.source)
                .bind(&e.body);
        },
    )
    .await?;
    insert_all(
        tx,
        d,
        "log_lines (project_id, at, level, service, environment, restaurant_id, message, body)",
        8,
        &b.logs,
        |t, l| {
            t.bind(l.project_id)
                .bind(l.at_ms)
                .bind(&l.level)
                .bind(&l.service)
                .bind(&l.environment)
                .bind(&l.restaurant_id)
                .bind(&l.message)
                .bind(&l.body);
        },
    )
    .await
}

/// A delta merged with the stored row of its key (`count`, `weighted`, `sum`, `sketch`),
/// if any: what is written back. A delta without a sketch stays without one.
fn merged(d: &RollupDelta, stored: Option<&Row>) -> Result<(u64, f64, f64, Option<Sketch>)> {
    let (mut count, mut weighted, mut sum, mut sketch) =
        (d.count, d.weighted, d.sum, d.sketch.clone());
    if let Some(row) = stored {
        count += row.uint("count")?;
        weighted += row.real("weighted")?;
        sum += row.real("sum")?;
        let old = row
            .blob_opt("sketch")?
            .map(|b| Sketch::decode(&b).map_err(crate::error::StorageError::Sketch))
            .transpose()?;
        if let (Some(s), Some(old)) = (sketch.as_mut(), old) {
            s.merge(&old);
        }
    }
    Ok((count, weighted, sum, sketch))
}

/// Read-merge-write inside the transaction: correct across restarts. Sketches merge in
/// Rust, so concurrent writers must not interleave on one key: SQLite's writer lock
/// serializes flushes; on PostgreSQL each key is locked first.
async fn merge_rollups(tx: &mut Tx, deltas: &[RollupDelta]) -> Result<()> {
    if let Tx::Postgres(pg) = tx {
        let keys: Vec<String> = deltas
            .iter()
            .map(|d| {
                format!(
                    "rollup:{}:{}:{}:{}:{}",
                    d.project_id,
                    d.metric.as_str(),
                    d.restaurant,
                    d.page,
                    d.minute
                )
            })
            .collect();
        crate::postgres::lock_keys(pg, &keys).await?;
    }
    for d in deltas {
        let existing = Sql::new(
            "SELECT count, weighted, sum, sketch FROM rollups
             WHERE project_id = $1 AND metric = $2 AND restaurant = $3 AND page = $4
               AND minute = $5",
        )
        .bind(d.project_id)
        .bind(d.metric.as_str())
        .bind(&d.restaurant)
        .bind(&d.page)
        .bind(d.minute)
        .fetch_optional(&mut *tx)
        .await?;
        let (count, weighted, sum, sketch) = merged(d, existing.as_ref())?;
        Sql::new(
            "INSERT INTO rollups
               (project_id, metric, restaurant, page, minute, count, weighted, sum, sketch)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (project_id, metric, restaurant, page, minute)
             DO UPDATE SET count = excluded.count, weighted = excluded.weighted,
               sum = excluded.sum, sketch = excluded.sketch",
        )
        .bind(d.project_id)
        .bind(d.metric.as_str())
        .bind(&d.restaurant)
        .bind(&d.page)
        .bind(d.minute)
        .bind(count)
        .bind(weighted)
        .bind(sum)
        .bind(sketch.map(|s| s.encode()))
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

/// Files one error event under its issue (creating it, or reopening it as a regression
/// when it was resolved), and updates the issue's tag store and counts.
async fn file_error_event(
    tx: &mut Tx,
    d: Dialect,
    e: &NewErrorEvent,
) -> Result<(i64, IssueChange)> {
    let at = e.received_at_ms;
    // Insert first: another instance may be filing the same new issue right now.
    let created = Sql::new(
        "INSERT INTO issues
           (project_id, fingerprint, title, culprit, level, first_seen, last_seen, event_count)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1)
         ON CONFLICT (project_id, fingerprint) DO NOTHING RETURNING id",
    )
    .bind(e.project_id)
    .bind(&e.fingerprint)
    .bind(&e.title)
    .bind(&e.culprit)
    .bind(&e.level)
    .bind(at)
    .bind(at)
    .fetch_optional(&mut *tx)
    .await?;
    let (issue_id, change) = match created {
        Some(row) => (row.int("id")?, IssueChange::New),
        None => {
            let row = Sql::new(format!(
                "SELECT id, status FROM issues WHERE project_id = $1 AND fingerprint = $2{}",
                d.for_update()
            ))
            .bind(e.project_id)
            .bind(&e.fingerprint)
            .fetch_one(&mut *tx)
            .await?;
            let id = row.int("id")?;
            let regressed = row.text("status")? == "resolved";
            Sql::new(format!(
                "UPDATE issues SET last_seen = {}(last_seen, $1), event_count = event_count + 1,
                   level = $2,
                   status = CASE WHEN status = 'resolved' THEN 'unresolved' ELSE status END,
                   regressed_at = CASE WHEN status = 'resolved' THEN $1 ELSE regressed_at END
                 WHERE id = $3",
                d.greatest()
            ))
            .bind(at)
            .bind(&e.level)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            let change = if regressed {
                IssueChange::Regressed
            } else {
                IssueChange::Existing
            };
            (id, change)
        }
    };
    Sql::new(
        "INSERT INTO error_events (project_id, issue_id, event_id, received_at, level,
           environment, release, user_key, restaurant_id, body)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
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
        let mut q = Sql::new(
            "INSERT INTO issue_tags (issue_id, key, value, times_seen, first_seen, last_seen)",
        );
        q.push_values(&e.tags, |t, (k, v)| {
            t.bind(issue_id)
                .bind(k)
                .bind(v)
                .bind(1_i64)
                .bind(at)
                .bind(at);
        });
        q.push(&format!(
            " ON CONFLICT (issue_id, key, value) DO UPDATE SET
               times_seen = issue_tags.times_seen + 1,
               last_seen = {}(issue_tags.last_seen, excluded.last_seen)",
            d.greatest()
        ));
        q.execute(&mut *tx).await?;
    }
    Sql::new(
        "INSERT INTO issue_hours (issue_id, hour, count) VALUES ($1, $2, 1)
         ON CONFLICT (issue_id, hour) DO UPDATE SET count = issue_hours.count + 1",
    )
    .bind(issue_id)
    .bind(at.div_euclid(3_600_000))
    .execute(&mut *tx)
    .await?;
    Sql::new(
        "INSERT INTO error_minutes (project_id, minute, count) VALUES ($1, $2, 1)
         ON CONFLICT (project_id, minute) DO UPDATE SET count = error_minutes.count + 1",
    )
    .bind(e.project_id)
    .bind(minute_of(at))
    .execute(&mut *tx)
    .await?;
    Ok((issue_id, change))
}

async fn session(tx: &mut Tx, d: Dialect, s: &SessionUpdate) -> Result<()> {
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
            Sql::new(format!(
                "INSERT INTO release_sessions
                   (project_id, sid, started, updated, release, environment, status, errors)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (project_id, sid) DO UPDATE SET
                   status = CASE WHEN excluded.updated >= release_sessions.updated
                     THEN excluded.status ELSE release_sessions.status END,
                   updated = {g}(release_sessions.updated, excluded.updated),
                   errors = {g}(release_sessions.errors, excluded.errors)",
                g = d.greatest()
            ))
            .bind(*project_id)
            .bind(sid)
            .bind(*started_ms)
            .bind(*updated_ms)
            .bind(release)
            .bind(environment)
            .bind(status)
            .bind(*errors)
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
            Sql::new(
                "INSERT INTO session_aggregates (project_id, minute, release, environment,
                   exited, errored, crashed, abnormal)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (project_id, minute, release, environment) DO UPDATE SET
                   exited = session_aggregates.exited + excluded.exited,
                   errored = session_aggregates.errored + excluded.errored,
                   crashed = session_aggregates.crashed + excluded.crashed,
                   abnormal = session_aggregates.abnormal + excluded.abnormal",
            )
            .bind(*project_id)
            .bind(*minute)
            .bind(release)
            .bind(environment)
            .bind(*exited)
            .bind(*errored)
            .bind(*crashed)
            .bind(*abnormal)
            .execute(&mut *tx)
            .await?;
        }
    }
    Ok(())
}

async fn outcome(tx: &mut Tx, o: &Outcome) -> Result<()> {
    Sql::new(
        "INSERT INTO ingest_outcomes (project_id, hour, source, reason, category, quantity)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (project_id, hour, source, reason, category)
         DO UPDATE SET quantity = ingest_outcomes.quantity + excluded.quantity",
    )
    .bind(o.project_id)
    .bind(o.at_ms.div_euclid(3_600_000))
    .bind(o.source)
    .bind(&o.reason)
    .bind(&o.category)
    .bind(o.quantity)
    .execute(&mut *tx)
    .await?;
    Ok(())
}
