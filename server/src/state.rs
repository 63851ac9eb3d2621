//! Shared state handed to every handler.

use crate::{config::Config, ingest::queue::IngestQueue, telemetry::Telemetry};

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
};
use store::{DynStorage, Project};

/// Cheap to clone (one reference count): every request clones it at least once.
#[derive(Clone)]
pub struct AppState(Arc<AppStateInner>);

impl std::ops::Deref for AppState {
    type Target = AppStateInner;
    fn deref(&self) -> &AppStateInner {
        &self.0
    }
}

impl AppState {
    pub fn new(inner: AppStateInner) -> AppState {
        AppState(Arc::new(inner))
    }
}

pub struct AppStateInner {
    pub config: Arc<Config>,
    pub storage: DynStorage,
    /// RUM beacons and Sentry items on their way to the writer.
    pub queue: IngestQueue,
    pub sentry_limits: crate::ingest::rate_limit::RateLimiter,
    pub projects: Arc<ProjectKeys>,
    pub leptos: LeptosOptions,
    /// Where people and SDKs reach us, without a trailing slash.
    pub public_url: Arc<str>,
    pub telemetry: Arc<Telemetry>,
    /// The alert rules, checked at start (`alerts.file`).
    pub alert_rules: Arc<Vec<crate::alerts::rule::Rule>>,
    /// The `/ws` live channel.
    pub live: Arc<crate::live::LiveHub>,
    /// Whether this instance runs the alert engine, outbox, probes and retention now.
    pub leader: std::sync::atomic::AtomicBool,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

/// Public key → project, kept in memory so ingest authenticates without a query.
#[derive(Default)]
pub struct ProjectKeys(RwLock<HashMap<String, Arc<Project>>>);

impl ProjectKeys {
    pub fn replace(&self, projects: Vec<Project>) {
        let map = projects
            .into_iter()
            .map(|p| (p.public_key.clone(), Arc::new(p)))
            .collect();
        *self.0.write().expect("project key lock") = map;
    }

    pub fn by_key(&self, key: &str) -> Option<Arc<Project>> {
        self.0.read().expect("project key lock").get(key).cloned()
    }
}
