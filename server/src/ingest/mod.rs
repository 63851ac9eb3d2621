//! Ingest: turn request bodies into validated batches ([`rum`]), hold them in a bounded
//! queue ([`queue`]), and write them off the request path ([`writer`]).

pub mod business_events;
pub mod custom_metrics;
pub mod decompress;
pub mod logs;
pub mod page_views;
pub mod queue;
pub mod rate_limit;
pub mod route;
pub mod rum;
pub mod sampling;
pub mod sentry;
pub mod statement;
pub mod writer;
