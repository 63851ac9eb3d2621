//! [`Storage`]: everything the server reads and writes, as one interface made of one
//! trait per area, and [`connect`] to open it.
//!
//! Domain code that needs one area can take that trait (`&dyn AlertStore`); wiring code
//! holds a [`DynStorage`] and upcasts.

use crate::{
    accounts::AccountStore, alerts::AlertStore, business::BusinessStore, database::Database,
    error::Result, ingest::IngestStore, issues::IssueStore, logs::LogStore,
    maintenance::Maintenance, perf::PerfStore, probes::ProbeStore, projects::ProjectStore,
    restaurants::RestaurantStore, security::SecurityStore,
};
use std::sync::Arc;

/// Every storage area together.
pub trait Storage:
    AccountStore
    + AlertStore
    + BusinessStore
    + IngestStore
    + IssueStore
    + LogStore
    + Maintenance
    + PerfStore
    + ProbeStore
    + ProjectStore
    + RestaurantStore
    + SecurityStore
    + Send
    + Sync
    + 'static
{
}

impl<T> Storage for T where
    T: AccountStore
        + AlertStore
        + BusinessStore
        + IngestStore
        + IssueStore
        + LogStore
        + Maintenance
        + PerfStore
        + ProbeStore
        + ProjectStore
        + RestaurantStore
        + SecurityStore
        + Send
        + Sync
        + 'static
{
}

pub type DynStorage = Arc<dyn Storage>;

/// Opens the storage a database URL names (`sqlite://...` or `postgres://...`) and
/// brings its schema up to date.
pub async fn connect(url: &str, max_connections: u32) -> Result<DynStorage> {
    Ok(Arc::new(Database::connect(url, max_connections).await?))
}
