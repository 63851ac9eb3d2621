//! The Sentry protocol (issue 3, in progress): what official SDKs send to
//! `/api/<project>/envelope/` and `/api/<project>/store/`. Parsing only: [`auth`] finds
//! the public key, [`envelope`] splits an envelope into items within its limits,
//! [`event`] normalizes an event payload. Grouping lives in [`crate::issues`].

pub mod auth;
pub mod envelope;
pub mod event;
