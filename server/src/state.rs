//! Shared state handed to every handler.

use crate::{
    config::Config,
    ingest::queue::RumQueue,
    storage::{DynStorage, Project},
    telemetry::Telemetry,
};
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
};

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub storage: DynStorage,
    pub rum_queue: RumQueue,
    pub projects: Arc<ProjectKeys>,
    pub leptos: LeptosOptions,
    /// Where people and SDKs reach us, without a trailing slash.
    pub public_url: Arc<str>,
    pub telemetry: Arc<Telemetry>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

/// Public key → project, kept in memory so ingest authenticates without a query.
#[derive(Default)]
pub struct ProjectKeys(RwLock<HashMap<String, Project>>);

impl ProjectKeys {
    pub fn replace(&self, projects: Vec<Project>) {
        let map = projects
            .into_iter()
            .map(|p| (p.public_key.clone(), p))
            .collect();
        *self.0.write().expect("project key lock") = map;
    }

    pub fn by_key(&self, key: &str) -> Option<Project> {
        self.0.read().expect("project key lock").get(key).cloned()
    }
}
