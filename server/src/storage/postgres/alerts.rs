//! Alerting on PostgreSQL: instance states, the history, the notification outbox, silences,
//! dashboard rules, and the per-restaurant reads that split rules evaluate.

use crate::storage::{
    rows, AlertHistoryEntry, AlertHistoryQuery, AlertStateRow, Delivery, Evaluation, OutboxRow,
    Result, Silence, StoredRule,
};
use sqlx::{PgPool, Postgres, QueryBuilder};

pub async fn states(pool: &PgPool) -> Result<Vec<AlertStateRow>> {
    let found =
        sqlx::query("SELECT rule, instance, state, value, acked_by, acked_at FROM alert_states")
            .fetch_all(pool)
            .await?;
    rows::all(&found, rows::alert_state)
}

pub async fn record(pool: &PgPool, e: &Evaluation) -> Result<()> {
    let mut tx = pool.begin().await?;
    let mut history_ids = vec![None; e.records.len()];
    for (i, a) in e.records.iter().enumerate() {
        if let Some(state) = &a.state {
            sqlx::query(
            "INSERT INTO alert_states (rule, instance, state, value, updated) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (rule, instance) DO UPDATE SET state = excluded.state,
               value = COALESCE(excluded.value, alert_states.value), updated = excluded.updated",
        )
            .bind(&a.rule)
            .bind(&a.instance)
            .bind(state)
            .bind(a.value)
            .bind(a.at_ms)
            .execute(&mut *tx)
            .await?;
        }
        let Some(t) = &a.transition else { continue };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO alert_history
               (rule, instance, severity, change, value, threshold, at, notify, silenced, actor)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(&a.rule)
        .bind(&a.instance)
        .bind(a.severity)
        .bind(t.change)
        .bind(t.value)
        .bind(a.threshold)
        .bind(a.at_ms)
        .bind(i64::from(t.notify))
        .bind(i64::from(t.silenced))
        .bind(&t.actor)
        .fetch_one(&mut *tx)
        .await?;
        history_ids[i] = Some(id);
        if t.change == "resolved" {
            sqlx::query(
                "UPDATE alert_states SET acked_by = NULL, acked_at = NULL
                 WHERE rule = $1 AND instance = $2",
            )
            .bind(&a.rule)
            .bind(&a.instance)
            .execute(&mut *tx)
            .await?;
        }
    }
    for item in &e.outbox {
        let members: Vec<i64> = item
            .members
            .iter()
            .filter_map(|&i| history_ids.get(i).copied().flatten())
            .collect();
        let Some(&first) = members.first() else {
            continue;
        };
        let at = e.records[item.members[0]].at_ms;
        let outbox_id: i64 = sqlx::query_scalar(
            "INSERT INTO alert_outbox (history_id, channel, payload, next_attempt, created)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(first)
        .bind(&item.channel)
        .bind(&item.payload)
        .bind(at)
        .bind(at)
        .fetch_one(&mut *tx)
        .await?;
        for h in members {
            sqlx::query("INSERT INTO alert_outbox_alerts (outbox_id, history_id) VALUES ($1, $2)")
                .bind(outbox_id)
                .bind(h)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

pub async fn acknowledge(
    pool: &PgPool,
    rule: &str,
    instance: &str,
    by: &str,
    now_ms: i64,
) -> Result<bool> {
    let mut tx = pool.begin().await?;
    let done = sqlx::query(
        "UPDATE alert_states SET acked_by = $1, acked_at = $2
         WHERE rule = $3 AND instance = $4 AND acked_at IS NULL
           AND (state::jsonb ->> 'state') = 'firing'",
    )
    .bind(by)
    .bind(now_ms)
    .bind(rule)
    .bind(instance)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        > 0;
    if done {
        // Severity and threshold as of the instance's latest transition.
        sqlx::query(
            "INSERT INTO alert_history
               (rule, instance, severity, change, value, threshold, at, notify, silenced, actor)
             SELECT rule, instance, severity, 'acknowledged', value, threshold, $1, 0, 0, $2
             FROM alert_history WHERE rule = $3 AND instance = $4 ORDER BY id DESC LIMIT 1",
        )
        .bind(now_ms)
        .bind(by)
        .bind(rule)
        .bind(instance)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(done)
}

pub async fn due(pool: &PgPool, now_ms: i64, limit: u32) -> Result<Vec<OutboxRow>> {
    let found = sqlx::query(
        "SELECT id, history_id, channel, payload, attempts FROM alert_outbox
         WHERE status = 'pending' AND next_attempt <= $1 ORDER BY id LIMIT $2",
    )
    .bind(now_ms)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    rows::all(&found, rows::outbox)
}

pub async fn delivered(pool: &PgPool, id: i64, now_ms: i64) -> Result<()> {
    sqlx::query(
        "UPDATE alert_outbox SET status = 'delivered', attempts = attempts + 1, delivered_at = $1,
         last_error = NULL WHERE id = $2",
    )
    .bind(now_ms)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn failed(pool: &PgPool, id: i64, error: &str, retry_at_ms: Option<i64>) -> Result<()> {
    sqlx::query(
        "UPDATE alert_outbox SET attempts = attempts + 1, last_error = $1,
         status = CASE WHEN $2 IS NULL THEN 'failed' ELSE 'pending' END,
         next_attempt = COALESCE($3, next_attempt) WHERE id = $4",
    )
    .bind(error)
    .bind(retry_at_ms)
    .bind(retry_at_ms)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn deliveries(
    pool: &PgPool,
    history_id: Option<i64>,
    limit: u32,
) -> Result<Vec<Delivery>> {
    let found = sqlx::query(
        "SELECT o.id, o.history_id, h.rule, h.change, o.channel, o.status, o.attempts,
                o.last_error, o.created, o.delivered_at,
                (SELECT COUNT(*) FROM alert_outbox_alerts m WHERE m.outbox_id = o.id) AS alerts
         FROM alert_outbox o JOIN alert_history h ON h.id = o.history_id
         WHERE $1 IS NULL
            OR o.id IN (SELECT outbox_id FROM alert_outbox_alerts WHERE history_id = $2)
         ORDER BY o.id DESC LIMIT $3",
    )
    .bind(history_id)
    .bind(history_id)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    rows::all(&found, rows::delivery)
}

pub async fn history(pool: &PgPool, q: &AlertHistoryQuery) -> Result<Vec<AlertHistoryEntry>> {
    let mut b: QueryBuilder<Postgres> = QueryBuilder::new(
        "SELECT id, rule, instance, severity, change, value, threshold, at, notify, silenced, actor
         FROM alert_history WHERE 1 = 1",
    );
    if let Some(v) = &q.severity {
        b.push(" AND severity = ").push_bind(v.clone());
    }
    if let Some(v) = &q.rule {
        b.push(" AND rule = ").push_bind(v.clone());
    }
    if let Some(v) = &q.change {
        b.push(" AND change = ").push_bind(v.clone());
    }
    if let Some(v) = q.from_ms {
        b.push(" AND at >= ").push_bind(v);
    }
    if let Some(v) = q.to_ms {
        b.push(" AND at < ").push_bind(v);
    }
    b.push(" ORDER BY id DESC LIMIT ")
        .push_bind(i64::from(q.limit.unwrap_or(100).clamp(1, 1000)));
    let found = b.build().fetch_all(pool).await?;
    rows::all(&found, rows::history_entry)
}

pub async fn create_silence(pool: &PgPool, s: &Silence) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO alert_silences (matchers, starts, ends, comment, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(serde_json::to_string(&s.matchers).map_err(rows::decode)?)
    .bind(s.starts_ms)
    .bind(s.ends_ms)
    .bind(&s.comment)
    .bind(&s.created_by)
    .bind(s.created_at_ms)
    .fetch_one(pool)
    .await?)
}

pub async fn expire_silence(pool: &PgPool, id: i64, now_ms: i64) -> Result<bool> {
    // A silence that has not started yet ends before it starts: it never mutes.
    Ok(sqlx::query(
        "UPDATE alert_silences SET ends = $1, starts = LEAST(starts, $2) WHERE id = $3 AND ends > $4",
    )
    .bind(now_ms)
    .bind(now_ms)
    .bind(id)
    .bind(now_ms)
    .execute(pool)
    .await?
    .rows_affected()
        > 0)
}

pub async fn silences(pool: &PgPool, ends_after_ms: i64) -> Result<Vec<Silence>> {
    let found = sqlx::query(
        "SELECT id, matchers, starts, ends, comment, created_by, created_at FROM alert_silences
         WHERE ends > $1 ORDER BY id DESC",
    )
    .bind(ends_after_ms)
    .fetch_all(pool)
    .await?;
    rows::all(&found, rows::silence)
}

pub async fn stored_rules(pool: &PgPool) -> Result<Vec<StoredRule>> {
    let found =
        sqlx::query("SELECT name, rule, updated_by, updated_at FROM alert_rules ORDER BY name")
            .fetch_all(pool)
            .await?;
    rows::all(&found, rows::stored_rule)
}

pub async fn save_rule(pool: &PgPool, r: &StoredRule) -> Result<()> {
    sqlx::query(
        "INSERT INTO alert_rules (name, rule, updated_by, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (name) DO UPDATE SET rule = excluded.rule,
           updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(&r.name)
    .bind(&r.rule)
    .bind(&r.updated_by)
    .bind(r.updated_at_ms)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn delete_rule(pool: &PgPool, name: &str) -> Result<bool> {
    Ok(sqlx::query("DELETE FROM alert_rules WHERE name = $1")
        .bind(name)
        .execute(pool)
        .await?
        .rows_affected()
        > 0)
}

/// `(restaurant, count)` rows of a grouped count.
async fn counts<'q>(
    q: sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments>,
    pool: &PgPool,
) -> Result<Vec<(Option<String>, u64)>> {
    rows::all(&q.fetch_all(pool).await?, rows::restaurant_count)
}

pub async fn errors_by_restaurant(
    pool: &PgPool,
    project_id: i64,
    from_ms: i64,
    to_ms: i64,
    environment: Option<&str>,
) -> Result<Vec<(Option<String>, u64)>> {
    let q = sqlx::query(
        "SELECT restaurant_id, COUNT(*) FROM error_events
         WHERE project_id = $1 AND received_at >= $2 AND received_at < $3
           AND ($4 IS NULL OR environment = $5)
         GROUP BY restaurant_id",
    )
    .bind(project_id)
    .bind(from_ms)
    .bind(to_ms)
    .bind(environment)
    .bind(environment);
    counts(q, pool).await
}

pub async fn page_views_by_restaurant(
    pool: &PgPool,
    project_id: i64,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<(Option<String>, u64)>> {
    let q = sqlx::query(
        "SELECT restaurant_id, COUNT(*) FROM rum_events
         WHERE project_id = $1 AND received_at >= $2 AND received_at < $3 AND kind = 'pageload'
         GROUP BY restaurant_id",
    )
    .bind(project_id)
    .bind(from_ms)
    .bind(to_ms);
    counts(q, pool).await
}

pub async fn api_durations_by_restaurant(
    pool: &PgPool,
    project_id: i64,
    from_ms: i64,
    to_ms: i64,
) -> Result<Vec<(Option<String>, f64)>> {
    let found = sqlx::query(
        "SELECT restaurant_id, duration FROM api_calls
         WHERE project_id = $1 AND received_at >= $2 AND received_at < $3",
    )
    .bind(project_id)
    .bind(from_ms)
    .bind(to_ms)
    .fetch_all(pool)
    .await?;
    rows::all(&found, rows::restaurant_duration)
}
