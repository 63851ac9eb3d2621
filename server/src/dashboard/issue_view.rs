//! One issue's page, and the inbound filters as Settings shows them.

use crate::services::Services;
use protocol::{FiltersView, IssueDetail};
use store::{clock::now_ms, Project};

/// Most recent events an issue page shows.
const DETAIL_EVENTS: u32 = 20;
/// Values shown per tag.
const DETAIL_TOP_VALUES: u32 = 5;

pub async fn issue_detail(services: &Services, id: i64) -> anyhow::Result<Option<IssueDetail>> {
    let s = &services.storage;
    let Some(issue) = s.issue(id).await? else {
        return Ok(None);
    };
    Ok(Some(IssueDetail {
        issue,
        tags: s.issue_tags(id, DETAIL_TOP_VALUES).await?,
        events: s.issue_events(id, DETAIL_EVENTS).await?,
    }))
}

pub async fn filters_view(services: &Services, project: &Project) -> anyhow::Result<FiltersView> {
    let day_ago = now_ms() - 24 * 3_600_000;
    Ok(FiltersView {
        project: project.slug.clone(),
        filters: services.storage.filters(project.id).await?,
        dropped_24h: services.storage.outcomes(project.id, day_ago).await?,
    })
}
