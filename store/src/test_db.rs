//! Throwaway PostgreSQL databases for tests: one per test, on the server named by
//! `TEST_POSTGRES_URL` (the test script starts it and sets the variable).
//!
//! Without the variable a test skips, loudly, except under `CI=true`, where a missing
//! PostgreSQL is a failure: CI must not go green without running these tests.

use crate::postgres::MIGRATOR;
use sqlx::{Connection, PgConnection};
use tokio::sync::OnceCell;

/// The PostgreSQL server tests use, or `None` (said loudly) when there is none.
/// Panics under `CI=true` when `TEST_POSTGRES_URL` is unset.
pub fn admin_url() -> Option<String> {
    required_service("TEST_POSTGRES_URL", "PostgreSQL")
}

/// The URL in `var`, or `None` when it is unset: the caller skips, after saying so.
/// Under `CI=true` an unset variable is a failure instead.
pub fn required_service(var: &str, what: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI=true but {var} is not set: the {what} tests must run in CI")
        }
        _ => {
            eprintln!("SKIPPED: {var} is not set; {what} tests did not run");
            None
        }
    }
}

pub struct TestPg {
    /// The throwaway database's URL.
    pub url: String,
    admin: String,
    name: String,
}

fn url_of(admin: &str, db: &str) -> String {
    let base = admin.rsplit_once('/').map_or(admin, |(b, _)| b);
    format!("{base}/{db}")
}

async fn admin_exec(admin: &str, sql: &str) -> Result<(), sqlx::Error> {
    let mut conn = PgConnection::connect(admin).await?;
    let done = sqlx::query(sql).execute(&mut conn).await.map(|_| ());
    let _ = conn.close().await;
    done
}

/// A template database with the current migrations applied, made once per schema
/// version and reused by every test process: copying it is much faster than migrating
/// a new database each time.
async fn template(admin: &str) -> &'static str {
    static TEMPLATE: OnceCell<String> = OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
            for m in MIGRATOR.iter() {
                for b in m.version.to_le_bytes().iter().chain(m.checksum.iter()) {
                    hash = (hash ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
                }
            }
            let name = format!("monitor_tmpl_{hash:016x}");
            let mut conn = PgConnection::connect(admin)
                .await
                .expect("connect to TEST_POSTGRES_URL");
            // One process builds it; the others wait here, then find it.
            sqlx::query("SELECT pg_advisory_lock(7265737430)")
                .execute(&mut conn)
                .await
                .expect("template lock");
            let exists: bool =
                sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
                    .bind(&name)
                    .fetch_one(&mut conn)
                    .await
                    .expect("look up the template");
            if !exists {
                // Templates of older schemas are of no more use.
                let old: Vec<String> = sqlx::query_scalar(
                    "SELECT datname::TEXT FROM pg_database WHERE datname LIKE 'monitor\\_tmpl\\_%'",
                )
                .fetch_all(&mut conn)
                .await
                .unwrap_or_default();
                for o in old {
                    let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {o} WITH (FORCE)"))
                        .execute(&mut conn)
                        .await;
                }
                sqlx::query(&format!("CREATE DATABASE {name}_building"))
                    .execute(&mut conn)
                    .await
                    .expect("create the template");
                let mut t = PgConnection::connect(&url_of(admin, &format!("{name}_building")))
                    .await
                    .expect("connect to the template");
                MIGRATOR.run(&mut t).await.expect("migrate the template");
                let _ = t.close().await;
                sqlx::query(&format!("ALTER DATABASE {name}_building RENAME TO {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("name the template");
            }
            let _ = sqlx::query("SELECT pg_advisory_unlock(7265737430)")
                .execute(&mut conn)
                .await;
            let _ = conn.close().await;
            name
        })
        .await
}

impl TestPg {
    /// A new empty database; `None` (said loudly) when there is no PostgreSQL.
    pub async fn create() -> Option<TestPg> {
        Self::make(None).await
    }

    /// A new database with the schema already migrated (copied from a template).
    pub async fn migrated() -> Option<TestPg> {
        let admin = admin_url()?;
        let template = template(&admin).await;
        Self::make(Some(template)).await
    }

    async fn make(template: Option<&str>) -> Option<TestPg> {
        let admin = admin_url()?;
        let name = format!(
            "monitor_test_{}_{}",
            std::process::id(),
            rand::random::<u32>()
        );
        let sql = match template {
            Some(t) => format!("CREATE DATABASE {name} TEMPLATE {t}"),
            None => format!("CREATE DATABASE {name}"),
        };
        // Copies of one template made at the same moment can collide; try again.
        let mut tries = 0;
        loop {
            match admin_exec(&admin, &sql).await {
                Ok(()) => break,
                Err(e) if tries < 20 => {
                    tries += 1;
                    tracing::debug!(error = %e, "create test database: retrying");
                    tokio::time::sleep(std::time::Duration::from_millis(50 * tries)).await;
                }
                Err(e) => panic!("create test database: {e}"),
            }
        }
        Some(TestPg {
            url: url_of(&admin, &name),
            admin,
            name,
        })
    }

    /// Drops the database now (closing whatever connections are left).
    pub async fn drop(self) {
        // Drop (below) does it; this form reads better at the end of a test.
        std::mem::drop(self);
    }
}

/// A failed test (a panic) still drops its database, from a thread of its own since
/// `Drop` cannot await.
impl Drop for TestPg {
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                let _ = rt.block_on(admin_exec(
                    &admin,
                    &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                ));
            }
        })
        .join();
    }
}
