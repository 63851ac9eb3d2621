//! What people change about error tracking, from the dashboard's forms or the read API:
//! an issue's status and the inbound filters. Both are audited.

use crate::{audit, services::Services};

use app::api::CurrentUser;
use protocol::{InboundFilters, IssueStatus};
use store::{clock::now_ms, Project};

/// Sets an issue's status; `false` when there is no such issue.
pub async fn set_status(
    services: &Services,
    user: &CurrentUser,
    id: i64,
    status: IssueStatus,
) -> anyhow::Result<bool> {
    if !services.storage.set_issue_status(id, status).await? {
        return Ok(false);
    }
    tracing::info!(by = %user.username, issue = id, status = status.as_str(), "issue status changed");
    let target = id.to_string();
    audit::record(
        services,
        user,
        "issue.status",
        Some(&target),
        None,
        Some(&status.as_str()),
    )
    .await;
    Ok(true)
}

/// Replaces the default project's inbound filters (already tidied); ingest uses them
/// from the next event on.
pub async fn save_filters(
    services: &Services,
    user: &CurrentUser,
    f: &InboundFilters,
) -> anyhow::Result<Project> {
    let project = services.projects.default_project()?;
    let before = services.storage.filters(project.id).await?;
    services
        .storage
        .set_filters(project.id, f, now_ms())
        .await?;
    services
        .projects
        .replace(services.storage.projects().await?);
    // Other instances reload theirs when this reaches them.
    services
        .live
        .publish(serde_json::json!({"type": "projects", "project": project.slug}));
    tracing::info!(by = %user.username, project = %project.slug, "inbound filters changed");
    audit::record(
        services,
        user,
        "settings.filters",
        Some(&project.slug),
        Some(&before),
        Some(f),
    )
    .await;
    Ok((*project).clone())
}
