//! [`Services`]: what domain code is handed. It sits below the domain: storage, the
//! configuration, the live channel, telemetry and the in-memory projects, with the file
//! rules checked at start. Domain modules take `&Services` (or less), never the HTTP
//! layer's `AppState`, so they cannot depend on the ingest queue, Leptos or each other
//! through it.

use crate::{
    alerts::rule::Rule, config::Config, live::LiveHub, read_model::projects::Projects,
    telemetry::Telemetry,
};
use std::sync::{atomic::AtomicBool, Arc};
use store::DynStorage;

/// Cheap to clone: every field is shared.
#[derive(Clone)]
pub struct Services {
    pub storage: DynStorage,
    pub config: Arc<Config>,
    /// The `/ws` live channel.
    pub live: Arc<LiveHub>,
    pub telemetry: Arc<Telemetry>,
    /// Public key → project, and the default project.
    pub projects: Arc<Projects>,
    /// Where people and SDKs reach us, without a trailing slash (links in messages).
    pub public_url: Arc<str>,
    /// The alert rules of `alerts.file`, checked at start.
    pub file_rules: Arc<Vec<Rule>>,
    /// Whether this instance runs the alert engine, outbox, probes and retention now.
    pub leader: Arc<AtomicBool>,
    /// Refused sign-ins waiting for their minute's audit row.
    pub refusals: Arc<crate::audit::refusals::Refusals>,
    /// Bounds concurrent password hashes.
    pub sign_in: Arc<crate::auth::throttle::SignInGate>,
}
