//! Integration tests: the real application on a random port with a temporary SQLite
//! database, driven over HTTP. One test binary; `helpers::spawn_app` starts each app.

mod alert_people;
mod alerts;
mod auth;
mod business;
mod durability;
mod health;
mod helpers;
mod logs;
mod performance;
mod platform;
mod probes;
mod rum;
mod scaling;
mod security;
mod self_report;
mod sentry;
mod shutdown;
mod soak;
