//! The dashboard's views and the read API's answers, from rollups and counters: the cost
//! of a query depends on the range and the number of pages, never on how many raw events
//! are stored.

pub mod business_view;
pub mod issue_view;
pub mod overview;
pub mod perf;
pub mod server_view;
pub mod status;
