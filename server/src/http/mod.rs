//! The HTTP layer: one file per resource, each with a `router()`. Handlers parse,
//! authenticate and hand off; the work happens in the domain modules.

pub mod accept;
pub mod alert_forms;
pub mod alerts_api;
pub mod api_v1;
pub mod custom_metric_routes;
pub mod dashboard_errors;
pub mod dashboard_source;
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
use axum::{http::HeaderValue, middleware, Router};
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::sync::Arc;
use tower::ServiceBuilder;
use tower_http::{
    compression::CompressionLayer, cors::CorsLayer, services::ServeDir,
    set_header::SetResponseHeaderLayer,
};

/// Pages anyone may open (the rest of the app's pages need a signed-in user).
const PUBLIC_PAGES: [&str; 1] = ["/login"];

/// The whole application router. Every route's access is declared here, by the group
/// it joins; a route in no public group is private (default deny):
/// - public: sign-in, health for orchestrators, static assets, the demo page, and
///   ingest, whose handlers check their own credential (a public key or a token);
/// - machines (the read API, `/ws`, `/metrics`): `401` without credentials;
/// - people (pages, their forms and server functions, and any unknown path): the
///   sign-in page, or `401` under `/api/`.
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
    let mut public = Router::new()
        .merge(sign_in::router())
        .merge(health_routes::router())
        .merge(rum_routes::router())
        .merge(sentry_routes::router())
        .merge(custom_metric_routes::router())
        .merge(event_routes::router())
        .merge(log_routes::router())
        .merge(dashboard_errors::router())
        .merge(demo::router(&state.config))
        .nest_service("/pkg", ServeDir::new(pkg_dir))
        .nest_service("/sdk", sdk);

    let mut machines = Router::new()
        .nest("/api/v1", api_v1::router().fallback(api_not_found))
        .merge(ws::router());
    if state.config.health.metrics_public {
        public = public.merge(prometheus::router());
    } else {
        machines = machines.merge(prometheus::router());
    }
    let machines = machines.layer(middleware::from_fn_with_state(
        state.clone(),
        guard::require_api_user,
    ));

    // Leptos registers the pages and their server functions (`/api/ui/...`) together.
    let people = with_page_headers(
        Router::new()
            .merge(settings::router())
            .merge(alert_forms::router())
            .merge(probes_api::forms_router())
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
            .layer(middleware::from_fn_with_state(state.clone(), people_guard)),
    );

    public
        .merge(machines)
        .merge(people)
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

/// What every page and form answer carries: no MIME sniffing, no framing, no referrer to
/// other sites, and, where a page did not send its own (with its nonce), a policy that
/// allows nothing to run.
fn with_page_headers(pages: Router<AppState>) -> Router<AppState> {
    use axum::http::header;
    let set = |name, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    pages
        .layer(set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(set(header::REFERRER_POLICY, "same-origin"))
        .layer(set(header::X_FRAME_OPTIONS, "DENY"))
        .layer(set(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ))
}

/// An unknown read-API path: a JSON `404` (after authentication, like the rest).
async fn api_not_found() -> error::ApiError {
    error::ApiError::NotFound("no such API route")
}

/// Pages, their forms and server functions, and any unknown path: private but for
/// [`PUBLIC_PAGES`]; under `/api/` (server functions) they answer like machine routes.
async fn people_guard(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    let path = req.uri().path();
    if PUBLIC_PAGES.contains(&path) {
        return next.run(req).await;
    }
    let missing = if path.starts_with("/api/") {
        guard::Unauthenticated::Status
    } else {
        guard::Unauthenticated::SignIn
    };
    guard::require(&state, missing, req, next).await
}
