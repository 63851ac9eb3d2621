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
