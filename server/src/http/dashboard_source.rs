//! What the Leptos pages read during server-side rendering: [`DashboardSource`]
//! answered from the domain's views.

use crate::{
    dashboard::{business_view, issue_view, overview, perf, server_view, status},
    read_model::projects::project_info,
    state::AppState,
};
use app::api::DashboardSource;
use protocol::{
    AlertHistoryQuery, AlertsView, AuditEntry, AuditQuery, BusinessView, HealthView, IssueDetail,
    IssueQuery, IssueSummary, LogLine, LogQuery, Overview, Range, SettingsView,
};
use store::clock::now_ms;

#[async_trait::async_trait]
impl DashboardSource for AppState {
    async fn overview(&self, range: Range) -> Result<Overview, String> {
        let project = self.projects.default_project().map_err(|e| e.to_string())?;
        overview::overview(self, &project, range)
            .await
            .map_err(|e| format!("{e:#}"))
    }

    async fn settings(&self, username: &str) -> Result<SettingsView, String> {
        let projects = self.storage.projects().await.map_err(|e| e.to_string())?;
        let default = projects.first().ok_or("no project exists")?;
        let filters = issue_view::filters_view(self, default)
            .await
            .map_err(|e| format!("{e:#}"))?;
        let tokens = self.storage.api_tokens().await.map_err(|e| e.to_string())?;
        Ok(SettingsView {
            username: username.to_string(),
            projects: projects
                .iter()
                .map(|p| project_info(&self.public_url, p))
                .collect(),
            tokens,
            demo_url: self
                .config
                .demo
                .enabled
                .then(|| "/demo/restaurant".to_string()),
            filters,
        })
    }

    async fn issues(&self, query: IssueQuery) -> Result<Vec<IssueSummary>, String> {
        let project = self.projects.default_project().map_err(|e| e.to_string())?;
        self.storage
            .issues(project.id, &query, now_ms())
            .await
            .map_err(|e| e.to_string())
    }

    async fn business(
        &self,
        range: String,
        restaurant: Option<String>,
    ) -> Result<BusinessView, String> {
        let project = self.projects.default_project().map_err(|e| e.to_string())?;
        business_view::view(self, &project, &range, restaurant.as_deref())
            .await
            .map_err(|e| format!("{e:#}"))
    }

    async fn logs(&self, q: LogQuery) -> Result<Vec<LogLine>, String> {
        let project = self.projects.default_project().map_err(|e| e.to_string())?;
        self.storage
            .search_logs(project.id, &q)
            .await
            .map_err(|e| e.to_string())
    }

    async fn audit(&self, q: AuditQuery) -> Result<Vec<AuditEntry>, String> {
        self.storage.audit_log(&q).await.map_err(|e| e.to_string())
    }

    async fn health(&self) -> Result<HealthView, String> {
        status::view(self).await.map_err(|e| format!("{e:#}"))
    }

    async fn alerts(&self, history: AlertHistoryQuery) -> Result<AlertsView, String> {
        crate::alerts::view::page(self, history)
            .await
            .map_err(|e| format!("{e:#}"))
    }

    async fn issue_detail(&self, id: i64) -> Result<Option<IssueDetail>, String> {
        issue_view::issue_detail(self, id)
            .await
            .map_err(|e| format!("{e:#}"))
    }

    async fn performance(
        &self,
        range: Range,
        page: Option<String>,
        restaurant: Option<String>,
    ) -> Result<protocol::PerformanceView, String> {
        let project = self.projects.default_project().map_err(|e| e.to_string())?;
        let filters = perf::Filters {
            range,
            page,
            restaurant,
        };
        perf::performance(self, &project, filters)
            .await
            .map_err(|e| format!("{e:#}"))
    }

    async fn server(
        &self,
        range: Range,
        service: Option<String>,
        environment: Option<String>,
        restaurant: Option<String>,
    ) -> Result<protocol::ServerView, String> {
        let project = self.projects.default_project().map_err(|e| e.to_string())?;
        let filters = server_view::Filters {
            range,
            service,
            environment,
            restaurant,
        };
        server_view::view(self, &project, filters)
            .await
            .map_err(|e| format!("{e:#}"))
    }
}
