//! What only SQLite needs: opening the file (WAL, busy timeout, foreign keys), its
//! migrations, the lock file that makes one instance the leader, and its size.

use crate::{
    error::{Result, StorageError},
    lease::{Lease, SoleLease},
};
use async_trait::async_trait;
use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    SqlitePool,
};
use std::{path::PathBuf, str::FromStr, time::Duration};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");

/// Opens (creating file and folder if needed) and migrates the database at `url`.
/// Returns the pool and the leader lock file's path (`None` for an in-memory database).
pub async fn connect(url: &str, max_connections: u32) -> Result<(SqlitePool, Option<PathBuf>)> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true);
    let file = options.get_filename();
    let leader_lock = (!file.as_os_str().is_empty() && file != std::path::Path::new(":memory:"))
        .then(|| file.with_extension("leader.lock"));
    if let Some(dir) = file.parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir).map_err(|e| StorageError::Database(e.into()))?;
        }
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(max_connections.max(1))
        .connect_with(options)
        .await?;
    MIGRATOR.run(&pool).await?;
    Ok((pool, leader_lock))
}

/// The leader role on SQLite: an exclusive lock on a file beside the database, so a
/// second instance started on the same file by mistake does not run the alert engine
/// (and send every notification) twice. The OS drops the lock when the process dies.
struct FileLease(std::fs::File);

#[async_trait]
impl Lease for FileLease {
    async fn held(&mut self) -> bool {
        true
    }
    async fn release(&mut self) {
        let _ = self.0.unlock();
    }
}

/// Takes the lock file if free; `None` when another process holds it.
pub fn try_lead(lock_file: Option<&PathBuf>) -> Result<Option<Box<dyn Lease>>> {
    let Some(path) = lock_file else {
        return Ok(Some(Box::new(SoleLease)));
    };
    let io = |e: std::io::Error| StorageError::Database(e.into());
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(Box::new(FileLease(file)))),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(io(e)),
    }
}

/// The database file's size in bytes.
pub async fn size(pool: &SqlitePool) -> Result<u64> {
    let bytes: i64 = sqlx::query_scalar(
        "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
    )
    .fetch_one(pool)
    .await?;
    Ok(bytes.max(0) as u64)
}
