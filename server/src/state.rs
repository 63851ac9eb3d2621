//! [`AppState`]: the wiring the HTTP layer, startup and the workers share. It is
//! [`Services`] plus what only HTTP handlers need (the ingest queue, the Sentry rate
//! limiter, Leptos's options); it dereferences to `Services`, so a handler passes
//! `&state` where domain code takes `&Services`.

use crate::{
    ingest::{page_views::PageViews, queue::IngestQueue, rate_limit::RateLimiter},
    services::Services,
};
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

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
    pub services: Services,
    /// RUM beacons and Sentry items on their way to the writer.
    pub queue: IngestQueue,
    pub sentry_limits: RateLimiter,
    /// Page views reported by both SDKs, waiting for their twin.
    pub page_views: PageViews,
    pub leptos: LeptosOptions,
}

impl std::ops::Deref for AppStateInner {
    type Target = Services;
    fn deref(&self) -> &Services {
        &self.services
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}
