//! [`Database`]: the one implementation of every storage trait, on SQLite or PostgreSQL.
//!
//! The statements live in the area modules (`issues`, `alerts`, ...), written once for
//! both databases; this type holds the pool and the little each database needs beside
//! it: SQLite's writer lock and leader lock file, PostgreSQL's partitions and the
//! options its leader connection is opened with.

use crate::{
    error::{Result, StorageError},
    lease::Lease,
    model::IngestBatch,
    postgres::{self, partitions::Partitions},
    sql::{dialect::Dialect, pool::Pool},
    sqlite,
};
use sqlx::postgres::PgConnectOptions;
use std::path::PathBuf;
use tokio::sync::{Mutex, MutexGuard};

pub struct Database {
    pool: Pool,
    backend: Backend,
}

enum Backend {
    Sqlite {
        /// SQLite has one writer. Transactions that read then write would otherwise fail
        /// with SQLITE_BUSY when two try to upgrade at once (the busy timeout does not
        /// cover that case), so multi-statement writes take this lock first.
        write: Mutex<()>,
        /// Beside the database file: whoever holds its lock leads.
        leader_lock: Option<PathBuf>,
    },
    Postgres {
        options: Box<PgConnectOptions>,
        partitions: Partitions,
    },
}

/// Whether a database URL names PostgreSQL.
pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

impl Database {
    /// Opens the database a URL names (`sqlite://...` or `postgres://...`) and brings
    /// its schema up to date.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Database> {
        if url.starts_with("sqlite:") {
            let (pool, leader_lock) = sqlite::connect(url, max_connections).await?;
            Ok(Database {
                pool: Pool::Sqlite(pool),
                backend: Backend::Sqlite {
                    write: Mutex::new(()),
                    leader_lock,
                },
            })
        } else if is_postgres(url) {
            let (pool, options) = postgres::connect(url, max_connections).await?;
            Ok(Database {
                pool: Pool::Postgres(pool),
                backend: Backend::Postgres {
                    options: Box::new(options),
                    partitions: Partitions::default(),
                },
            })
        } else {
            Err(StorageError::UnsupportedUrl(url.to_string()))
        }
    }

    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    pub fn dialect(&self) -> Dialect {
        self.pool.dialect()
    }

    /// Held for the length of a multi-statement write: SQLite's one writer at a time;
    /// nothing on PostgreSQL, whose writers lock the rows (or advisory keys) they touch.
    pub async fn write_lock(&self) -> Option<MutexGuard<'_, ()>> {
        match &self.backend {
            Backend::Sqlite { write, .. } => Some(write.lock().await),
            Backend::Postgres { .. } => None,
        }
    }

    /// Day partitions for every row of a batch (PostgreSQL), created outside the
    /// batch's transaction.
    pub async fn prepare_batch(&self, b: &IngestBatch) -> Result<()> {
        self.ensure_partitions("rum_events", b.page_loads.iter().map(|r| r.received_at_ms))
            .await?;
        self.ensure_partitions("api_calls", b.api_calls.iter().map(|r| r.received_at_ms))
            .await?;
        self.ensure_partitions("error_events", b.errors.iter().map(|r| r.received_at_ms))
            .await?;
        self.ensure_partitions("memory_samples", b.memory.iter().map(|r| r.received_at_ms))
            .await?;
        self.ensure_partitions("custom_points", b.custom.iter().map(|r| r.at_ms))
            .await?;
        self.ensure_partitions("business_events", b.business.iter().map(|r| r.at_ms))
            .await?;
        self.ensure_partitions("log_lines", b.logs.iter().map(|r| r.at_ms))
            .await?;
        self.ensure_partitions(
            "server_requests",
            b.server_requests.iter().map(|r| r.received_at_ms),
        )
        .await?;
        self.ensure_partitions("db_queries", b.db_queries.iter().map(|r| r.received_at_ms))
            .await
    }

    /// Partitions of `table` for the days of `times` (PostgreSQL; nothing on SQLite).
    pub async fn ensure_partitions(
        &self,
        table: &'static str,
        times: impl Iterator<Item = i64>,
    ) -> Result<()> {
        match (&self.backend, &self.pool) {
            (Backend::Postgres { partitions, .. }, Pool::Postgres(pool)) => {
                partitions.ensure(pool, table, times).await
            }
            _ => Ok(()),
        }
    }

    /// Drops `table`'s day partitions that end before `before_ms`; returns the rows they
    /// held (PostgreSQL; 0 on SQLite, which deletes rows instead).
    pub async fn drop_partitions_before(&self, table: &'static str, before_ms: i64) -> Result<u64> {
        match (&self.backend, &self.pool) {
            (Backend::Postgres { partitions, .. }, Pool::Postgres(pool)) => {
                partitions.drop_before(pool, table, before_ms).await
            }
            _ => Ok(0),
        }
    }

    /// Tries to become the instance that runs the alert engine, the outbox, probes and
    /// retention. `None`: another instance holds the role.
    pub(crate) async fn take_lease(&self) -> Result<Option<Box<dyn Lease>>> {
        match &self.backend {
            Backend::Sqlite { leader_lock, .. } => sqlite::try_lead(leader_lock.as_ref()),
            Backend::Postgres { options, .. } => Ok(postgres::leader::try_lead(options)
                .await?
                .map(|l| Box::new(l) as Box<dyn Lease>)),
        }
    }

    /// The database's size on disk, in bytes.
    pub async fn size(&self) -> Result<u64> {
        match &self.pool {
            Pool::Sqlite(p) => sqlite::size(p).await,
            Pool::Postgres(p) => postgres::size(p).await,
        }
    }
}
