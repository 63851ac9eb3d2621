//! Server functions the pages load their data with, and the trait through which the
//! server supplies that data. The trait keeps storage out of this crate: the server
//! implements [`DashboardSource`] and provides it as context.

use leptos::prelude::*;
use protocol::{
    AlertHistoryQuery, AlertsView, AuditEntry, AuditQuery, BusinessView, HealthView, IssueDetail,
    IssueQuery, IssueSummary, LogLine, LogQuery, Overview, PerformanceView, Range, ServerView,
    SettingsView,
};

/// The signed-in user, put into request extensions by the server's auth layer.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub username: String,
    /// The client's address, for the audit log.
    pub source: Option<String>,
}

/// What the pages need from the server's storage.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait DashboardSource: Send + Sync + 'static {
    async fn overview(&self, range: Range) -> Result<Overview, String>;
    async fn settings(&self, username: &str) -> Result<SettingsView, String>;
    async fn issues(&self, query: IssueQuery) -> Result<Vec<IssueSummary>, String>;
    async fn issue_detail(&self, id: i64) -> Result<Option<IssueDetail>, String>;
    async fn alerts(&self, history: AlertHistoryQuery) -> Result<AlertsView, String>;
    async fn health(&self) -> Result<HealthView, String>;
    async fn audit(&self, q: AuditQuery) -> Result<Vec<AuditEntry>, String>;
    async fn logs(&self, q: LogQuery) -> Result<Vec<LogLine>, String>;
    async fn business(
        &self,
        range: String,
        restaurant: Option<String>,
    ) -> Result<BusinessView, String>;
    async fn performance(
        &self,
        range: Range,
        page: Option<String>,
        restaurant: Option<String>,
    ) -> Result<PerformanceView, String>;
    async fn server(
        &self,
        range: Range,
        service: Option<String>,
        environment: Option<String>,
        restaurant: Option<String>,
    ) -> Result<ServerView, String>;
}

/// Context handle for the server's [`DashboardSource`].
#[cfg(feature = "ssr")]
#[derive(Clone)]
pub struct Dashboard(pub std::sync::Arc<dyn DashboardSource>);

#[cfg(feature = "ssr")]
fn dashboard() -> Result<Dashboard, ServerFnError> {
    use_context::<Dashboard>().ok_or_else(|| ServerFnError::new("dashboard source missing"))
}

#[cfg(feature = "ssr")]
fn current_user() -> Result<CurrentUser, ServerFnError> {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<CurrentUser>().cloned())
        .ok_or_else(|| ServerFnError::new("not signed in"))
}

#[server(prefix = "/api/ui")]
pub async fn get_overview(range: Range) -> Result<Overview, ServerFnError> {
    current_user()?;
    dashboard()?
        .0
        .overview(range)
        .await
        .map_err(ServerFnError::new)
}

#[server(prefix = "/api/ui")]
pub async fn get_issues(query: IssueQuery) -> Result<Vec<IssueSummary>, ServerFnError> {
    current_user()?;
    dashboard()?
        .0
        .issues(query)
        .await
        .map_err(ServerFnError::new)
}

/// `None` when there is no such issue (the page answers 404).
#[server(prefix = "/api/ui")]
pub async fn get_issue_detail(id: i64) -> Result<Option<IssueDetail>, ServerFnError> {
    current_user()?;
    dashboard()?
        .0
        .issue_detail(id)
        .await
        .map_err(ServerFnError::new)
}

#[server(prefix = "/api/ui")]
pub async fn get_server(
    range: Range,
    service: Option<String>,
    environment: Option<String>,
    restaurant: Option<String>,
) -> Result<ServerView, ServerFnError> {
    current_user()?;
    dashboard()?
        .0
        .server(range, service, environment, restaurant)
        .await
        .map_err(ServerFnError::new)
}

#[server(prefix = "/api/ui")]
pub async fn get_performance(
    range: Range,
    page: Option<String>,
    restaurant: Option<String>,
) -> Result<PerformanceView, ServerFnError> {
    current_user()?;
    dashboard()?
        .0
        .performance(range, page, restaurant)
        .await
        .map_err(ServerFnError::new)
}

#[server(prefix = "/api/ui")]
pub async fn get_settings() -> Result<SettingsView, ServerFnError> {
    let user = current_user()?;
    dashboard()?
        .0
        .settings(&user.username)
        .await
        .map_err(ServerFnError::new)
}

#[server(prefix = "/api/ui")]
pub async fn get_alerts(history: AlertHistoryQuery) -> Result<AlertsView, ServerFnError> {
    current_user()?;
    dashboard()?
        .0
        .alerts(history)
        .await
        .map_err(ServerFnError::new)
}

#[server(prefix = "/api/ui")]
pub async fn get_health() -> Result<HealthView, ServerFnError> {
    current_user()?;
    dashboard()?.0.health().await.map_err(ServerFnError::new)
}

#[server(prefix = "/api/ui")]
pub async fn get_business(
    range: String,
    restaurant: Option<String>,
) -> Result<BusinessView, ServerFnError> {
    current_user()?;
    dashboard()?
        .0
        .business(range, restaurant)
        .await
        .map_err(ServerFnError::new)
}

#[server(prefix = "/api/ui")]
pub async fn get_audit(q: AuditQuery) -> Result<Vec<AuditEntry>, ServerFnError> {
    current_user()?;
    dashboard()?.0.audit(q).await.map_err(ServerFnError::new)
}

#[server(prefix = "/api/ui")]
pub async fn get_logs(q: LogQuery) -> Result<Vec<LogLine>, ServerFnError> {
    current_user()?;
    dashboard()?.0.logs(q).await.map_err(ServerFnError::new)
}
