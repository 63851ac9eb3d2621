//! Storage for Restaurant OS Monitor: the [`Storage`] interface, its one implementation
//! ([`Database`]) on SQLite or PostgreSQL, and the per-minute [`rollup`]s.
//!
//! The path of a write: the server's ingest writer turns a flush into an
//! [`IngestBatch`] and its [`RollupDelta`]s ([`rollup::aggregate`]) and calls
//! [`IngestStore::write_batch`], which stores raw rows, merges rollups and files error
//! events under their issues in one transaction ([`ingest`]).
//!
//! Every statement is written once, with `$N` placeholders, through the small portable
//! layer in [`sql`]; what the two databases truly say differently is in
//! [`sql::dialect::Dialect`], and what only one of them needs is in [`sqlite`] and
//! [`postgres`]. This crate knows nothing of HTTP or Leptos: `cargo test -p store` runs
//! the storage contract (`tests/contract`) on both databases without them.

pub mod accounts;
pub mod alerts;
pub mod business;
pub mod clock;
pub mod database;
pub mod error;
pub mod export;
pub mod ingest;
pub mod issues;
pub mod lease;
pub mod logs;
pub mod maintenance;
pub mod model;
pub mod perf;
pub mod postgres;
pub mod probes;
pub mod projects;
pub mod restaurants;
pub mod rollup;
pub mod schema;
pub mod security;
pub mod sql;
pub mod sqlite;
pub mod storage;
pub mod test_db;

pub use accounts::AccountStore;
pub use alerts::AlertStore;
pub use business::BusinessStore;
pub use database::{is_postgres, Database};
pub use error::{Result, StorageError};
pub use ingest::IngestStore;
pub use issues::{IssueActivity, IssueActivityQuery, IssueStore};
pub use lease::Lease;
pub use logs::LogStore;
pub use maintenance::Maintenance;
pub use model::*;
pub use perf::PerfStore;
pub use probes::ProbeStore;
pub use projects::ProjectStore;
pub use restaurants::RestaurantStore;
pub use rollup::{sketch::Sketch, Metric, RollupDelta};
pub use security::SecurityStore;
pub use storage::{connect, DynStorage, Storage};

/// The storage traits, for code that calls them on a [`DynStorage`].
pub mod prelude {
    pub use crate::{
        accounts::AccountStore, alerts::AlertStore, business::BusinessStore, ingest::IngestStore,
        issues::IssueStore, logs::LogStore, maintenance::Maintenance, perf::PerfStore,
        probes::ProbeStore, projects::ProjectStore, security::SecurityStore,
    };
}
