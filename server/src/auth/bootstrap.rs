//! First run: the `restaurant-os` project with a public key, and the admin user with
//! the configured password or a generated one that is printed once.

use super::{password, token};
use crate::config::Config;
use secrecy::ExposeSecret;
use store::{DynStorage, Project};

pub const DEFAULT_PROJECT: &str = "restaurant-os";

/// What first-run setup did; `generated_password` is `Some` only the first time.
pub struct Bootstrap {
    pub project: Project,
    pub generated_password: Option<String>,
    pub admin_created: bool,
}

pub async fn run(config: &Config, storage: &DynStorage) -> anyhow::Result<Bootstrap> {
    let project = storage
        .ensure_project(DEFAULT_PROJECT, "Restaurant OS", &token::random_hex(16))
        .await?;
    let user = &config.auth.admin_user;
    if storage.user_by_name(user).await?.is_some() {
        return Ok(Bootstrap {
            project,
            generated_password: None,
            admin_created: false,
        });
    }
    let (pw, generated) = match &config.auth.admin_password {
        Some(p) if !p.expose_secret().is_empty() => (p.expose_secret().to_string(), false),
        _ => (token::random_hex(12), true),
    };
    let pw_for_hash = pw.clone();
    let hash = tokio::task::spawn_blocking(move || password::hash(&pw_for_hash))
        .await?
        .map_err(|e| anyhow::anyhow!("hashing the admin password: {e}"))?;
    if let Err(e) = storage.create_user(user, &hash).await {
        // Another instance starting on the same database got there first.
        if storage.user_by_name(user).await?.is_some() {
            return Ok(Bootstrap {
                project,
                generated_password: None,
                admin_created: false,
            });
        }
        return Err(e.into());
    }
    Ok(Bootstrap {
        project,
        generated_password: generated.then_some(pw),
        admin_created: true,
    })
}
