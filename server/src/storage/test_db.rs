//! Throwaway PostgreSQL databases for the tests: one per test, on the server named by
//! `TEST_POSTGRES_URL` (the test script starts it and sets the variable).

use sqlx::{Connection, PgConnection};

pub struct TestPg {
    /// The throwaway database's URL.
    pub url: String,
    admin: String,
    name: String,
}

impl TestPg {
    /// A new empty database; `None` (said loudly) when `TEST_POSTGRES_URL` is unset.
    pub async fn create() -> Option<TestPg> {
        let Ok(admin) = std::env::var("TEST_POSTGRES_URL") else {
            eprintln!("SKIPPED: TEST_POSTGRES_URL is not set; PostgreSQL tests did not run");
            return None;
        };
        let name = format!(
            "monitor_test_{}_{}",
            std::process::id(),
            rand::random::<u32>()
        );
        let mut conn = PgConnection::connect(&admin)
            .await
            .expect("connect to TEST_POSTGRES_URL");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .expect("create test database");
        let _ = conn.close().await;
        let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
        Some(TestPg {
            url: format!("{base}/{name}"),
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

async fn drop_database(admin: &str, name: &str) {
    if let Ok(mut conn) = PgConnection::connect(admin).await {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut conn)
            .await;
        let _ = conn.close().await;
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
                rt.block_on(drop_database(&admin, &name));
            }
        })
        .join();
    }
}
