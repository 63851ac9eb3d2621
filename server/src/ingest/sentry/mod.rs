//! The Sentry protocol: what official SDKs send to `/api/<project>/envelope/` and
//! `/api/<project>/store/`. [`auth`] finds the public key, [`envelope`] splits an
//! envelope into items within its limits, [`items`] turns each item into rows:
//! [`event`] (normalized errors and messages), [`transaction`] (page loads and API
//! calls), [`session`] (release health), [`client_report`] (what SDKs dropped).
//! Grouping and inbound filters live in [`crate::issues`].

pub mod client_report;
pub mod dsn_key;
pub mod envelope;
pub mod event;
pub mod items;
pub mod session;
pub mod transaction;
