//! The one error type of the storage crate.

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored sketch is unreadable: {0}")]
    Sketch(String),
    #[error("unsupported database url {0:?}: use sqlite://path or postgres://user@host/db")]
    UnsupportedUrl(String),
}

pub type Result<T> = std::result::Result<T, StorageError>;

impl StorageError {
    /// Whether trying again cannot help: the database refused the data itself (a
    /// constraint, a value it cannot hold), as opposed to being busy, locked, full,
    /// read-only for a while or unreachable, which pass.
    pub fn is_permanent(&self) -> bool {
        match self {
            StorageError::Database(sqlx::Error::Database(e)) => refuses_the_data(e.as_ref()),
            StorageError::Database(sqlx::Error::Encode(_)) | StorageError::Sketch(_) => true,
            _ => false,
        }
    }
}

fn refuses_the_data(e: &dyn sqlx::error::DatabaseError) -> bool {
    use sqlx::error::ErrorKind;
    if !matches!(e.kind(), ErrorKind::Other) {
        // Unique, foreign key, not-null and check violations.
        return true;
    }
    if let Some(pg) = e.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
        // SQLSTATE class 22 (data exception: a NUL byte, a value out of range) and 23
        // (integrity constraint violation).
        return pg.code().starts_with("22") || pg.code().starts_with("23");
    }
    // SQLite's primary result code is the low byte of the extended one: CONSTRAINT (19),
    // MISMATCH (20), TOOBIG (18), RANGE (25).
    e.code()
        .and_then(|c| c.parse::<u32>().ok())
        .is_some_and(|c| matches!(c & 0xff, 18 | 19 | 20 | 25))
}
