//! The dashboard: routes, pages and server functions (rendered on the server), the
//! `#[island]` components that are hydrated in the browser, and the wire types in
//! [`model`] that the server, the read API and the islands share.
//!
//! Pages are server-rendered HTML; only islands ship as wasm, which keeps the
//! hydrate bundle inside its budget (see `docs/architecture.md`).

// The issue page's view types nest deeply; the default limit is too low for them.
#![recursion_limit = "256"]

pub mod api;
/// Server side only: the policy is a response header.
#[cfg(feature = "ssr")]
mod csp;
mod islands;
/// The wire types, from the `protocol` crate (plain serde data shared with storage).
pub use protocol as model;
mod pages;
mod shell;

pub use shell::{shell, App};

/// Hydrates every island on the page. Called by the `frontend` crate's entry point.
#[cfg(feature = "hydrate")]
pub fn hydrate_islands() {
    leptos::mount::hydrate_islands();
}
