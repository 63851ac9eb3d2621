//! Restaurant OS Monitor: the server.
//!
//! The path of a RUM beacon through the system:
//!
//! 1. [`http::rum`] checks the content type and the project's public key, reads the body
//!    within its limit, and [`ingest::rum`] parses and validates it. Nothing else happens on
//!    the request path: the batch goes into the bounded [`ingest::queue`] and the client gets
//!    `202` (or `429` when the queue is full).
//! 2. [`ingest::writer`] drains the queue, and per flush (by size or time) writes the raw
//!    events and the per-minute rollups ([`rollup`]) in one transaction through the
//!    [`storage::Storage`] interface.
//! 3. [`dashboard`] answers the Overview and the read API from rollups only, so a query
//!    costs the same with ten or ten million stored events; [`render::chart`] draws the
//!    chart; the Leptos pages in the `app` crate render it.
//!
//! [`startup`] wires these together and owns the shutdown order that makes `SIGTERM`
//! flush every accepted beacon.

pub mod alerts;
pub mod audit;
pub mod auth;
pub mod business;
pub mod cli;
pub mod config;
pub mod dashboard;

pub mod health_checks;
pub mod http;
pub mod ingest;
pub mod issues;
pub mod key_rotation;
pub mod leader;
pub mod live;
pub mod notify;
pub mod outbound;
pub mod probes;
pub mod read_model;
pub mod render;
pub mod restaurants;
pub mod retention;
pub mod services;
pub mod startup;
pub mod state;
pub mod telemetry;
