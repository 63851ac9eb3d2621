//! The storage contract: behaviour every database must have, one test per promise, each
//! on a fresh database, run on SQLite and on PostgreSQL (`TEST_POSTGRES_URL`; required
//! under `CI=true`). A test is named for what it promises; `contract!` makes its
//! `sqlite` and `postgres` variants.

#[macro_use]
mod support;

mod accounts;
mod alerts;
mod business;
mod ingest;
mod issues;
mod logs;
mod maintenance;
mod perf;
mod probes;
mod projects;
mod restaurants;
mod security;
