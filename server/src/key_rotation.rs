//! Rotating a project's public key without downtime: the new key works at once, the old
//! one for a grace period (SDKs in pages already loaded, apps not yet redeployed), then
//! stops. Every instance reloads its in-memory keys through the live channel.

use crate::{audit, services::Services};
use app::api::CurrentUser;
use store::{clock::now_ms, Project};

/// The longest grace period: past a month the old key is as good as not rotated.
pub const MAX_GRACE_HOURS: u64 = 24 * 30;

/// Gives the default project a new public key; the old one works `grace_hours` more.
pub async fn rotate(
    services: &Services,
    user: &CurrentUser,
    grace_hours: u64,
) -> anyhow::Result<Project> {
    if grace_hours > MAX_GRACE_HOURS {
        anyhow::bail!("grace_hours: at most {MAX_GRACE_HOURS}");
    }
    let project = services.projects.default_project()?;
    let until = now_ms() + grace_hours as i64 * 3_600_000;
    let new_key = crate::auth::token::random_hex(16);
    let rotated = services
        .storage
        .rotate_public_key(project.id, &new_key, until)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the project is gone"))?;
    services
        .projects
        .replace(services.storage.projects().await?);
    services
        .live
        .publish(serde_json::json!({"type": "projects", "project": rotated.slug}));
    tracing::info!(by = %user.username, project = %rotated.slug, grace_hours, "public key rotated");
    let after = serde_json::json!({ "previous_key_valid_hours": grace_hours });
    audit::record(
        services,
        user,
        "project.rotate_key",
        Some(&rotated.slug),
        None,
        Some(&after),
    )
    .await;
    Ok(rotated)
}
