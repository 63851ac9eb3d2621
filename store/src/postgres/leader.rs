//! Leadership on PostgreSQL: a session-level advisory lock held on a connection of its
//! own. When the holder dies its connection closes and PostgreSQL releases the lock, so
//! another instance's next attempt wins.

use crate::{error::Result, lease::Lease};
use async_trait::async_trait;
use sqlx::{postgres::PgConnectOptions, Connection, PgConnection};
use std::time::Duration;

/// The advisory lock key: "RestOSMn" as a number, unlikely to meet another app's key.
pub const LEADER_KEY: i64 = 0x5265_7374_4f53_4d6e;

/// A check slower than this counts as a lost lease: better to stop than to run twice.
const CHECK_TIMEOUT: Duration = Duration::from_secs(3);

pub struct PgLease {
    conn: Option<PgConnection>,
}

/// Takes the lock if free; `None` when another instance holds it.
pub async fn try_lead(options: &PgConnectOptions) -> Result<Option<PgLease>> {
    let mut conn = PgConnection::connect_with(options).await?;
    let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(LEADER_KEY)
        .fetch_one(&mut conn)
        .await?;
    if got {
        Ok(Some(PgLease { conn: Some(conn) }))
    } else {
        conn.close().await?;
        Ok(None)
    }
}

#[async_trait]
impl Lease for PgLease {
    async fn held(&mut self) -> bool {
        let Some(conn) = self.conn.as_mut() else {
            return false;
        };
        // The lock lives as long as this session: if the session answers, we hold it.
        let alive = matches!(
            tokio::time::timeout(CHECK_TIMEOUT, sqlx::query("SELECT 1").execute(&mut *conn)).await,
            Ok(Ok(_))
        );
        if !alive {
            self.conn = None;
        }
        alive
    }

    async fn release(&mut self) {
        if let Some(mut conn) = self.conn.take() {
            let _ = sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(LEADER_KEY)
                .execute(&mut conn)
                .await;
            let _ = conn.close().await;
        }
    }
}
