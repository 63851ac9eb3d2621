//! Projects (one DSN and public key each), their inbound filters, and the counts of
//! what ingest accepted but did not store (outcomes).

use crate::{
    clock::now_ms,
    database::Database,
    error::Result,
    model::{InboundFilters, OutcomeCount, Project},
    sql::{
        cols::{all, json_list, Cols},
        pool::Row,
        query::Sql,
    },
};
use async_trait::async_trait;

#[async_trait]
pub trait ProjectStore {
    /// Creates the project if it does not exist (with this public key) and returns it.
    async fn ensure_project(&self, slug: &str, name: &str, public_key: &str) -> Result<Project>;
    async fn projects(&self) -> Result<Vec<Project>>;
    /// The project's inbound filters, or the defaults when never saved.
    async fn filters(&self, project_id: i64) -> Result<InboundFilters>;
    async fn set_filters(&self, project_id: i64, f: &InboundFilters, now_ms: i64) -> Result<()>;
    /// Gives the project `new_key`; the current key stays valid until `previous_until_ms`
    /// (SDKs move over without a gap). Returns the project as it is now, `None` if unknown.
    async fn rotate_public_key(
        &self,
        project_id: i64,
        new_key: &str,
        previous_until_ms: i64,
    ) -> Result<Option<Project>>;
    /// What was dropped since `from_ms`, by source, reason and category.
    async fn outcomes(&self, project_id: i64, from_ms: i64) -> Result<Vec<OutcomeCount>>;
}

/// Projects with their inbound filters (defaults where none were saved).
const PROJECT_SELECT: &str = "SELECT p.id, p.slug, p.name, p.public_key,
    p.previous_public_key, p.previous_key_expires_at,
    f.messages, f.browser_extensions, f.environments
    FROM projects p LEFT JOIN project_filters f ON f.project_id = p.id";

/// Inbound filters from `messages`, `browser_extensions`, `environments`: the defaults
/// when never saved (the LEFT JOIN found no row, so `messages` is NULL).
fn filters(r: &Row) -> Result<InboundFilters> {
    let messages = r.text_opt("messages")?;
    if messages.is_none() {
        return Ok(InboundFilters::default());
    }
    Ok(InboundFilters {
        messages: json_list(messages)?,
        browser_extensions: r.flag("browser_extensions")?,
        environments: json_list(r.text_opt("environments")?)?,
    })
}

fn project(r: &Row) -> Result<Project> {
    Ok(Project {
        id: r.int("id")?,
        slug: r.text("slug")?,
        name: r.text("name")?,
        public_key: r.text("public_key")?,
        previous_public_key: r.text_opt("previous_public_key")?,
        previous_key_expires_ms: r.int_opt("previous_key_expires_at")?,
        filters: filters(r)?,
    })
}

#[async_trait]
impl ProjectStore for Database {
    async fn ensure_project(&self, slug: &str, name: &str, public_key: &str) -> Result<Project> {
        Sql::new(
            "INSERT INTO projects (slug, name, public_key, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (slug) DO NOTHING",
        )
        .bind(slug)
        .bind(name)
        .bind(public_key)
        .bind(now_ms())
        .execute(self.pool())
        .await?;
        let row = Sql::new(format!("{PROJECT_SELECT} WHERE p.slug = $1"))
            .bind(slug)
            .fetch_one(self.pool())
            .await?;
        project(&row)
    }

    async fn projects(&self) -> Result<Vec<Project>> {
        let found = Sql::new(format!("{PROJECT_SELECT} ORDER BY p.id"))
            .fetch_all(self.pool())
            .await?;
        all(&found, project)
    }

    async fn filters(&self, project_id: i64) -> Result<InboundFilters> {
        let row = Sql::new(format!("{PROJECT_SELECT} WHERE p.id = $1"))
            .bind(project_id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref()
            .map(filters)
            .unwrap_or_else(|| Ok(InboundFilters::default()))
    }

    async fn set_filters(&self, project_id: i64, f: &InboundFilters, now_ms: i64) -> Result<()> {
        let json = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
        Sql::new(
            "INSERT INTO project_filters
               (project_id, messages, browser_extensions, environments, updated_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (project_id) DO UPDATE SET messages = excluded.messages,
               browser_extensions = excluded.browser_extensions,
               environments = excluded.environments, updated_at = excluded.updated_at",
        )
        .bind(project_id)
        .bind(json(&f.messages))
        .bind(f.browser_extensions)
        .bind(json(&f.environments))
        .bind(now_ms)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn rotate_public_key(
        &self,
        project_id: i64,
        new_key: &str,
        previous_until_ms: i64,
    ) -> Result<Option<Project>> {
        let changed = Sql::new(
            "UPDATE projects SET previous_public_key = public_key,
               previous_key_expires_at = $2, public_key = $3
             WHERE id = $1",
        )
        .bind(project_id)
        .bind(previous_until_ms)
        .bind(new_key)
        .execute(self.pool())
        .await?;
        if changed == 0 {
            return Ok(None);
        }
        let row = Sql::new(format!("{PROJECT_SELECT} WHERE p.id = $1"))
            .bind(project_id)
            .fetch_one(self.pool())
            .await?;
        project(&row).map(Some)
    }

    async fn outcomes(&self, project_id: i64, from_ms: i64) -> Result<Vec<OutcomeCount>> {
        let found = Sql::new(
            "SELECT source, reason, category, CAST(SUM(quantity) AS BIGINT) AS q
             FROM ingest_outcomes
             WHERE project_id = $1 AND hour >= $2 GROUP BY source, reason, category
             ORDER BY q DESC, source, reason, category",
        )
        .bind(project_id)
        .bind(from_ms.div_euclid(3_600_000))
        .fetch_all(self.pool())
        .await?;
        all(&found, |r| {
            Ok(OutcomeCount {
                source: r.text("source")?,
                reason: r.text("reason")?,
                category: r.text("category")?,
                quantity: r.uint("q")?,
            })
        })
    }
}
