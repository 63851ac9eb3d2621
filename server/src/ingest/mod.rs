//! Ingest: turn request bodies into validated batches ([`rum`]), hold them in a bounded
//! queue ([`queue`]), and write them off the request path ([`writer`]).

pub mod business;
pub mod decompress;
pub mod logs;
pub mod metrics;
pub mod queue;
pub mod rate_limit;
pub mod route;
pub mod rum;
pub mod sentry;
pub mod writer;
