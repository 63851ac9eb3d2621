//! The HTTP layer: one file per resource, each with a `router()`. Handlers parse,
//! authenticate and hand off; the work happens in the domain modules.

pub mod alert_forms;
pub mod alerts_api;
pub mod api_v1;
pub mod custom_metric_routes;
pub mod dashboard_errors;
pub mod demo;
pub mod error;
pub mod event_routes;
pub mod guard;
pub mod health_routes;
pub mod issue_query;
pub mod log_routes;
pub mod probes_api;
pub mod prometheus;
pub mod rum_routes;
pub mod sentry_routes;
pub mod settings;
pub mod sign_in;
pub mod ws;

use crate::{state::AppState, telemetry};
use app::{api::Dashboard, shell, App};
use axum::{middleware, Router};
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::sync::Arc;
use tower::ServiceBuilder;
use tower_http::{
    compression::CompressionLayer, cors::CorsLayer, services::ServeDir,
    set_header::SetResponseHeaderLayer,
};

/// The whole application router.
pub fn router(state: AppState) -> Router {
    let leptos_options = state.leptos.clone();
    let dashboard = Dashboard(Arc::new(state.clone()));
    let routes = generate_route_list(App);
    let pkg_dir =
        std::path::Path::new(&*leptos_options.site_root).join(&*leptos_options.site_pkg_dir);

    // Served to restaurant pages on other origins: module scripts and wasm need CORS.
    let sdk = ServiceBuilder::new()
        .layer(CorsLayer::permissive())
        .layer(SetResponseHeaderLayer::overriding(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("public, max-age=300"),
        ))
        .service(ServeDir::new(&state.config.server.sdk_dir));

    Router::new()
        .merge(rum_routes::router())
        .merge(sentry_routes::router())
        .merge(health_routes::router())
        .merge(dashboard_errors::router())
        .merge(custom_metric_routes::router())
        .merge(event_routes::router())
        .merge(log_routes::router())
        .merge(prometheus::router())
        .merge(ws::router())
        .merge(sign_in::router())
        .merge(settings::router())
        .merge(alert_forms::router())
        .merge(probes_api::forms_router())
        .merge(demo::router(&state.config))
        .nest("/api/v1", api_v1::router())
        .nest_service("/pkg", ServeDir::new(pkg_dir))
        .nest_service("/sdk", sdk)
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(dashboard.clone()),
            {
                let options = leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            guard::require_auth,
        ))
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn_with_state(
            state.telemetry.clone(),
            telemetry::track_requests,
        ))
        .layer(middleware::from_fn(
            telemetry::self_report::report_server_errors,
        ))
        .with_state(state)
}
