//! Alerting: instance states, the history, the notification outbox, silences and the
//! rules saved from the dashboard.

use crate::{
    database::Database,
    error::Result,
    model::{
        AlertHistoryEntry, AlertHistoryQuery, AlertStateRow, Delivery, Evaluation, OutboxRow,
        Silence, StoredRule,
    },
    sql::{
        cols::{all, decode, Cols},
        pool::Row,
        query::Sql,
    },
};
use async_trait::async_trait;

#[async_trait]
pub trait AlertStore {
    /// Every alert instance's stored state, with its acknowledgement.
    async fn alert_states(&self) -> Result<Vec<AlertStateRow>>;
    /// Stores one evaluation in one transaction: each instance's new state, its
    /// transition (the history), and the outbox messages that tell people about them.
    /// A resolve clears the instance's acknowledgement.
    async fn record_evaluation(&self, e: &Evaluation) -> Result<()>;
    /// Acknowledges a firing instance (and records it in the history); `false` when it
    /// is not firing or already acknowledged.
    async fn acknowledge_alert(
        &self,
        rule: &str,
        instance: &str,
        by: &str,
        now_ms: i64,
    ) -> Result<bool>;
    /// Outbox rows due at `now_ms`, oldest first.
    async fn due_notifications(&self, now_ms: i64, limit: u32) -> Result<Vec<OutboxRow>>;
    async fn notification_delivered(&self, id: i64, now_ms: i64) -> Result<()>;
    /// A failed attempt: retried at `retry_at_ms`, or given up (`None`).
    async fn notification_failed(
        &self,
        id: i64,
        error: &str,
        retry_at_ms: Option<i64>,
    ) -> Result<()>;
    /// Deliveries, newest first; of one history entry when `history_id` is given.
    async fn deliveries(&self, history_id: Option<i64>, limit: u32) -> Result<Vec<Delivery>>;
    /// Alert transitions matching `q`, newest first.
    async fn alert_history(&self, q: &AlertHistoryQuery) -> Result<Vec<AlertHistoryEntry>>;

    async fn create_silence(&self, s: &Silence) -> Result<i64>;
    /// Ends a silence now; `false` when there is no such silence or it already ended.
    async fn expire_silence(&self, id: i64, now_ms: i64) -> Result<bool>;
    /// Silences that end after `ends_after_ms`, newest first.
    async fn silences(&self, ends_after_ms: i64) -> Result<Vec<Silence>>;

    /// Every alert transition since `from_ms`, oldest first (the noise report's input).
    async fn transitions_since(&self, from_ms: i64) -> Result<Vec<AlertHistoryEntry>>;
    /// Notifications delivered since `from_ms`, per rule (a grouped message counts for
    /// each rule it carries, once per channel).
    async fn deliveries_per_rule(&self, from_ms: i64) -> Result<Vec<(String, u64)>>;

    /// Rules saved from the dashboard.
    async fn stored_rules(&self) -> Result<Vec<StoredRule>>;
    async fn save_rule(&self, r: &StoredRule) -> Result<()>;
    /// `false` when there was no such stored rule.
    async fn delete_rule(&self, name: &str) -> Result<bool>;
}

fn history_entry(r: &Row) -> Result<AlertHistoryEntry> {
    Ok(AlertHistoryEntry {
        id: r.int("id")?,
        rule: r.text("rule")?,
        instance: r.text("instance")?,
        severity: r.text("severity")?,
        change: r.text("change")?,
        value: r.real("value")?,
        threshold: r.real("threshold")?,
        at_ms: r.int("at")?,
        notify: r.flag("notify")?,
        silenced: r.flag("silenced")?,
        actor: r.text_opt("actor")?,
    })
}

#[async_trait]
impl AlertStore for Database {
    async fn alert_states(&self) -> Result<Vec<AlertStateRow>> {
        let found =
            Sql::new("SELECT rule, instance, state, value, acked_by, acked_at FROM alert_states")
                .fetch_all(self.pool())
                .await?;
        all(&found, |r| {
            Ok(AlertStateRow {
                rule: r.text("rule")?,
                instance: r.text("instance")?,
                state: r.text("state")?,
                value: r.real_opt("value")?,
                acked_by: r.text_opt("acked_by")?,
                acked_at_ms: r.int_opt("acked_at")?,
            })
        })
    }

    async fn record_evaluation(&self, e: &Evaluation) -> Result<()> {
        let _writer = self.write_lock().await;
        let mut tx = self.pool().begin().await?;
        let mut history_ids = vec![None; e.records.len()];
        for (i, a) in e.records.iter().enumerate() {
            if let Some(state) = &a.state {
                Sql::new(
                    "INSERT INTO alert_states (rule, instance, state, value, updated)
                     VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (rule, instance) DO UPDATE SET state = excluded.state,
                       value = COALESCE(excluded.value, alert_states.value),
                       updated = excluded.updated",
                )
                .bind(&a.rule)
                .bind(&a.instance)
                .bind(state)
                .bind(a.value)
                .bind(a.at_ms)
                .execute(&mut tx)
                .await?;
            }
            let Some(t) = &a.transition else { continue };
            let id = Sql::new(
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
            .bind(t.notify)
            .bind(t.silenced)
            .bind(&t.actor)
            .fetch_one(&mut tx)
            .await?
            .int("id")?;
            history_ids[i] = Some(id);
            if t.change == "resolved" {
                Sql::new(
                    "UPDATE alert_states SET acked_by = NULL, acked_at = NULL
                     WHERE rule = $1 AND instance = $2",
                )
                .bind(&a.rule)
                .bind(&a.instance)
                .execute(&mut tx)
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
            let outbox_id = Sql::new(
                "INSERT INTO alert_outbox (history_id, channel, payload, next_attempt, created)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(first)
            .bind(&item.channel)
            .bind(&item.payload)
            .bind(at)
            .bind(at)
            .fetch_one(&mut tx)
            .await?
            .int("id")?;
            let mut q = Sql::new("INSERT INTO alert_outbox_alerts (outbox_id, history_id)");
            q.push_values(&members, |t, h| {
                t.bind(outbox_id).bind(*h);
            });
            q.execute(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn acknowledge_alert(
        &self,
        rule: &str,
        instance: &str,
        by: &str,
        now_ms: i64,
    ) -> Result<bool> {
        let _writer = self.write_lock().await;
        let mut tx = self.pool().begin().await?;
        let state = self.dialect().json_field_text("state", "'state'");
        let done = Sql::new(format!(
            "UPDATE alert_states SET acked_by = $1, acked_at = $2
             WHERE rule = $3 AND instance = $4 AND acked_at IS NULL AND {state} = 'firing'"
        ))
        .bind(by)
        .bind(now_ms)
        .bind(rule)
        .bind(instance)
        .execute(&mut tx)
        .await?
            > 0;
        if done {
            // Severity and threshold as of the instance's latest transition.
            Sql::new(
                "INSERT INTO alert_history
                   (rule, instance, severity, change, value, threshold, at, notify, silenced, actor)
                 SELECT rule, instance, severity, 'acknowledged', value, threshold, $1, 0, 0, $2
                 FROM alert_history WHERE rule = $3 AND instance = $4 ORDER BY id DESC LIMIT 1",
            )
            .bind(now_ms)
            .bind(by)
            .bind(rule)
            .bind(instance)
            .execute(&mut tx)
            .await?;
        }
        tx.commit().await?;
        Ok(done)
    }

    async fn due_notifications(&self, now_ms: i64, limit: u32) -> Result<Vec<OutboxRow>> {
        let found = Sql::new(
            "SELECT id, history_id, channel, payload, attempts FROM alert_outbox
             WHERE status = 'pending' AND next_attempt <= $1 ORDER BY id LIMIT $2",
        )
        .bind(now_ms)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        all(&found, |r| {
            Ok(OutboxRow {
                id: r.int("id")?,
                history_id: r.int("history_id")?,
                channel: r.text("channel")?,
                payload: r.text("payload")?,
                attempts: r.int("attempts")? as u32,
            })
        })
    }

    async fn notification_delivered(&self, id: i64, now_ms: i64) -> Result<()> {
        Sql::new(
            "UPDATE alert_outbox SET status = 'delivered', attempts = attempts + 1,
               delivered_at = $1, last_error = NULL
             WHERE id = $2",
        )
        .bind(now_ms)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn notification_failed(
        &self,
        id: i64,
        error: &str,
        retry_at_ms: Option<i64>,
    ) -> Result<()> {
        Sql::new(
            "UPDATE alert_outbox SET attempts = attempts + 1, last_error = $1,
               status = CASE WHEN $2 IS NULL THEN 'failed' ELSE 'pending' END,
               next_attempt = COALESCE($2, next_attempt)
             WHERE id = $3",
        )
        .bind(error)
        .bind(retry_at_ms)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn deliveries(&self, history_id: Option<i64>, limit: u32) -> Result<Vec<Delivery>> {
        let found = Sql::new(
            "SELECT o.id, o.history_id, h.rule, h.change, o.channel, o.status, o.attempts,
                    o.last_error, o.created, o.delivered_at,
                    (SELECT COUNT(*) FROM alert_outbox_alerts m WHERE m.outbox_id = o.id) AS alerts
             FROM alert_outbox o JOIN alert_history h ON h.id = o.history_id
             WHERE $1 IS NULL
                OR o.id IN (SELECT outbox_id FROM alert_outbox_alerts WHERE history_id = $1)
             ORDER BY o.id DESC LIMIT $2",
        )
        .bind(history_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        all(&found, |r| {
            Ok(Delivery {
                id: r.int("id")?,
                history_id: r.int("history_id")?,
                rule: r.text("rule")?,
                change: r.text("change")?,
                alerts: r.int("alerts")?.max(1) as u32,
                channel: r.text("channel")?,
                status: r.text("status")?,
                attempts: r.int("attempts")? as u32,
                last_error: r.text_opt("last_error")?,
                created_at_ms: r.int("created")?,
                delivered_at_ms: r.int_opt("delivered_at")?,
            })
        })
    }

    async fn transitions_since(&self, from_ms: i64) -> Result<Vec<AlertHistoryEntry>> {
        let found = Sql::new(
            "SELECT id, rule, instance, severity, change, value, threshold, at, notify, silenced,
                    actor
             FROM alert_history WHERE at >= $1 ORDER BY id",
        )
        .bind(from_ms)
        .fetch_all(self.pool())
        .await?;
        all(&found, history_entry)
    }

    async fn deliveries_per_rule(&self, from_ms: i64) -> Result<Vec<(String, u64)>> {
        let found = Sql::new(
            "SELECT h.rule, COUNT(*) AS n FROM alert_outbox o
               JOIN alert_outbox_alerts m ON m.outbox_id = o.id
               JOIN alert_history h ON h.id = m.history_id
             WHERE o.status = 'delivered' AND o.delivered_at >= $1
             GROUP BY h.rule ORDER BY h.rule",
        )
        .bind(from_ms)
        .fetch_all(self.pool())
        .await?;
        all(&found, |r| Ok((r.text("rule")?, r.uint("n")?)))
    }

    async fn alert_history(&self, q: &AlertHistoryQuery) -> Result<Vec<AlertHistoryEntry>> {
        let mut b = Sql::new(
            "SELECT id, rule, instance, severity, change, value, threshold, at, notify, silenced,
                    actor
             FROM alert_history WHERE 1 = 1",
        );
        if let Some(v) = &q.severity {
            b.push(" AND severity = ").push_bind(v);
        }
        if let Some(v) = &q.rule {
            b.push(" AND rule = ").push_bind(v);
        }
        if let Some(v) = &q.change {
            b.push(" AND change = ").push_bind(v);
        }
        if let Some(v) = q.from_ms {
            b.push(" AND at >= ").push_bind(v);
        }
        if let Some(v) = q.to_ms {
            b.push(" AND at < ").push_bind(v);
        }
        b.push(" ORDER BY id DESC LIMIT ")
            .push_bind(q.limit.unwrap_or(100).clamp(1, 1000));
        let found = b.fetch_all(self.pool()).await?;
        all(&found, history_entry)
    }

    async fn create_silence(&self, s: &Silence) -> Result<i64> {
        Sql::new(
            "INSERT INTO alert_silences (matchers, starts, ends, comment, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(serde_json::to_string(&s.matchers).map_err(decode)?)
        .bind(s.starts_ms)
        .bind(s.ends_ms)
        .bind(&s.comment)
        .bind(&s.created_by)
        .bind(s.created_at_ms)
        .fetch_one(self.pool())
        .await?
        .int("id")
    }

    async fn expire_silence(&self, id: i64, now_ms: i64) -> Result<bool> {
        // A silence that has not started yet ends before it starts: it never mutes.
        let changed = Sql::new(format!(
            "UPDATE alert_silences SET ends = $1, starts = {}(starts, $1) WHERE id = $2 AND ends > $1",
            self.dialect().least()
        ))
        .bind(now_ms)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(changed > 0)
    }

    async fn silences(&self, ends_after_ms: i64) -> Result<Vec<Silence>> {
        let found = Sql::new(
            "SELECT id, matchers, starts, ends, comment, created_by, created_at FROM alert_silences
             WHERE ends > $1 ORDER BY id DESC",
        )
        .bind(ends_after_ms)
        .fetch_all(self.pool())
        .await?;
        all(&found, |r| {
            Ok(Silence {
                id: r.int("id")?,
                matchers: r.json("matchers")?,
                starts_ms: r.int("starts")?,
                ends_ms: r.int("ends")?,
                comment: r.text("comment")?,
                created_by: r.text("created_by")?,
                created_at_ms: r.int("created_at")?,
            })
        })
    }

    async fn stored_rules(&self) -> Result<Vec<StoredRule>> {
        let found =
            Sql::new("SELECT name, rule, updated_by, updated_at FROM alert_rules ORDER BY name")
                .fetch_all(self.pool())
                .await?;
        all(&found, |r| {
            Ok(StoredRule {
                name: r.text("name")?,
                rule: r.text("rule")?,
                updated_by: r.text("updated_by")?,
                updated_at_ms: r.int("updated_at")?,
            })
        })
    }

    async fn save_rule(&self, r: &StoredRule) -> Result<()> {
        Sql::new(
            "INSERT INTO alert_rules (name, rule, updated_by, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (name) DO UPDATE SET rule = excluded.rule,
               updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(&r.name)
        .bind(&r.rule)
        .bind(&r.updated_by)
        .bind(r.updated_at_ms)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn delete_rule(&self, name: &str) -> Result<bool> {
        let changed = Sql::new("DELETE FROM alert_rules WHERE name = $1")
            .bind(name)
            .execute(self.pool())
            .await?;
        Ok(changed > 0)
    }
}
