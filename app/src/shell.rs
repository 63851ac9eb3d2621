//! The HTML document and the route table.

use crate::pages::{
    AlertsPage, AuditPage, BusinessPage, HealthPage, IssuePage, IssuesPage, LoginPage, LogsPage,
    NotFound, OverviewPage, PerformancePage, RuleEditPage, ServerPage, SettingsPage,
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

/// The whole document, rendered on the server for every dashboard route.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::csp::send();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="stylesheet" href="/pkg/monitor.css"/>
                <link rel="icon" href="data:,"/>
                // Reports the dashboard's own browser errors to its project (served by the server).
                <script src="/dashboard-errors.js" defer></script>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|page: String| format!("{page} · Restaurant OS Monitor")/>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=OverviewPage ssr=SsrMode::Async/>
                <Route path=path!("/issues") view=IssuesPage ssr=SsrMode::Async/>
                <Route path=path!("/issues/:id") view=IssuePage ssr=SsrMode::Async/>
                <Route path=path!("/performance") view=PerformancePage ssr=SsrMode::Async/>
                <Route path=path!("/server") view=ServerPage ssr=SsrMode::Async/>
                <Route path=path!("/alerts") view=AlertsPage ssr=SsrMode::Async/>
                <Route path=path!("/alerts/rules/edit") view=RuleEditPage ssr=SsrMode::Async/>
                <Route path=path!("/status") view=HealthPage ssr=SsrMode::Async/>
                <Route path=path!("/business") view=BusinessPage ssr=SsrMode::Async/>
                <Route path=path!("/audit") view=AuditPage ssr=SsrMode::Async/>
                <Route path=path!("/logs") view=LogsPage ssr=SsrMode::Async/>
                <Route path=path!("/settings") view=SettingsPage ssr=SsrMode::Async/>
                <Route path=path!("/login") view=LoginPage/>
            </Routes>
        </Router>
    }
}
