//! The storage interface. Everything that reads or writes the database goes through
//! [`Storage`]; [`sqlite::SqliteStorage`] is the embedded default, and a PostgreSQL
//! implementation can sit beside it without touching callers.

pub mod sqlite;

use crate::rollup::{Metric, RollupDelta};
use async_trait::async_trait;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored sketch is unreadable: {0}")]
    Sketch(String),
    #[error("unsupported database url {0:?}: use sqlite://path")]
    UnsupportedUrl(String),
}

pub type Result<T> = std::result::Result<T, StorageError>;

#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub public_key: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
}

/// A live API token as listed: the wire type the read API and Settings show as is.
pub use app::model::ApiTokenInfo as ApiToken;

/// One stored RUM page-load event.
#[derive(Debug, Clone, PartialEq)]
pub struct RumEventRow {
    pub project_id: i64,
    pub received_at_ms: i64,
    pub client_ts_ms: Option<i64>,
    pub page: String,
    pub session_id: Option<String>,
    pub user_agent: Option<String>,
    pub ttfb: Option<f64>,
    pub dcl: Option<f64>,
    pub load: Option<f64>,
    pub fp: Option<f64>,
    pub fcp: Option<f64>,
}

/// One stored per-minute rollup row.
#[derive(Debug, Clone)]
pub struct RollupRow {
    pub minute: i64,
    pub page: String,
    pub count: u64,
    pub sum: f64,
    pub sketch: Option<crate::rollup::Sketch>,
}

#[async_trait]
pub trait Storage: Send + Sync + 'static {
    async fn ping(&self) -> Result<()>;

    /// Creates the project if it does not exist (with a new public key) and returns it.
    async fn ensure_project(&self, slug: &str, name: &str, public_key: &str) -> Result<Project>;
    async fn projects(&self) -> Result<Vec<Project>>;

    async fn user_by_name(&self, username: &str) -> Result<Option<User>>;
    async fn create_user(&self, username: &str, password_hash: &str) -> Result<User>;

    async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        expires_at_ms: i64,
    ) -> Result<()>;
    /// The user of a live session, or `None` for unknown or expired tokens.
    async fn session_user(&self, token_hash: &str, now_ms: i64) -> Result<Option<User>>;
    async fn delete_session(&self, token_hash: &str) -> Result<()>;

    async fn create_api_token(
        &self,
        user_id: i64,
        name: &str,
        token_hash: &str,
        prefix: &str,
    ) -> Result<ApiToken>;
    /// The user behind a live API token; records the use (at most once a minute).
    async fn api_token_user(&self, token_hash: &str, now_ms: i64) -> Result<Option<User>>;
    async fn api_tokens(&self) -> Result<Vec<ApiToken>>;
    /// Revokes a token; `false` when no live token has that id.
    async fn revoke_api_token(&self, id: i64) -> Result<bool>;

    /// Stores raw events and merges rollup deltas, all in one transaction.
    async fn write_rum(&self, events: &[RumEventRow], rollups: &[RollupDelta]) -> Result<()>;
    /// Rollup rows of one metric and page (`""` = all pages) with `from <= minute <= to`.
    async fn rollups(
        &self,
        project_id: i64,
        metric: Metric,
        page: &str,
        from_minute: i64,
        to_minute: i64,
    ) -> Result<Vec<RollupRow>>;
    /// Pages by page views in `from <= minute <= to`, most viewed first.
    async fn top_pages(
        &self,
        project_id: i64,
        from_minute: i64,
        to_minute: i64,
        limit: u32,
    ) -> Result<Vec<(String, u64)>>;
    async fn count_rum_events(&self, project_id: i64) -> Result<u64>;

    /// Stores an error event, creating its issue or updating it (reopening it as a
    /// regression when it was resolved), in one transaction.
    async fn store_error_event(&self, e: &NewErrorEvent) -> Result<(i64, IssueChange)>;
    /// Issues of a project, most recently seen first.
    async fn issues(&self, project_id: i64, limit: u32) -> Result<Vec<IssueRow>>;
    async fn issue(&self, id: i64) -> Result<Option<IssueRow>>;
    /// Normalized events of an issue, newest first.
    async fn issue_events(&self, issue_id: i64, limit: u32) -> Result<Vec<serde_json::Value>>;
    /// Sets `unresolved`, `resolved` or `ignored`; `false` when no such issue.
    async fn set_issue_status(&self, id: i64, status: &str) -> Result<bool>;

    /// Deletes raw events, rollups and sessions past their retention; returns rows deleted.
    async fn enforce_retention(
        &self,
        raw_before_ms: i64,
        rollups_before_minute: i64,
        now_ms: i64,
    ) -> Result<u64>;
    async fn close(&self);
}

pub type DynStorage = Arc<dyn Storage>;

/// Opens the storage a database URL names and brings its schema up to date.
pub async fn connect(url: &str, max_connections: u32) -> Result<DynStorage> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(
            sqlite::SqliteStorage::connect(url, max_connections).await?,
        ))
    } else {
        Err(StorageError::UnsupportedUrl(url.to_string()))
    }
}

/// What storing one error event needs: the issue it belongs to and the event itself.
#[derive(Debug, Clone)]
pub struct NewErrorEvent {
    pub project_id: i64,
    pub fingerprint: String,
    pub title: String,
    pub culprit: Option<String>,
    pub level: String,
    pub received_at_ms: i64,
    pub event_id: Option<String>,
    pub environment: Option<String>,
    pub release: Option<String>,
    /// User id, else email, else IP: what "users affected" counts.
    pub user_key: Option<String>,
    pub restaurant_id: Option<String>,
    pub body: String,
}

/// An issue with its counts.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct IssueRow {
    pub id: i64,
    pub title: String,
    pub culprit: Option<String>,
    pub level: String,
    pub status: String,
    pub first_seen_ms: i64,
    pub last_seen_ms: i64,
    pub events: u64,
    pub users: u64,
    pub restaurants: u64,
    pub regressed_at_ms: Option<i64>,
}

/// What storing an event did to its issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueChange {
    New,
    Existing,
    /// It was resolved and came back: reopened.
    Regressed,
}
