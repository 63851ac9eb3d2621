//! The Settings page and API tokens.

use crate::errors::FiltersView;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectInfo {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub public_key: String,
    pub dsn: String,
    pub script_tag: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiTokenInfo {
    pub id: i64,
    pub name: String,
    /// First characters of the token, enough to recognise it.
    pub prefix: String,
    pub created_at_ms: i64,
    pub last_used_ms: Option<i64>,
}

/// The Settings page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SettingsView {
    pub username: String,
    pub projects: Vec<ProjectInfo>,
    pub tokens: Vec<ApiTokenInfo>,
    pub demo_url: Option<String>,
    /// Inbound filters of the default project, with what they dropped.
    pub filters: FiltersView,
}

/// Answer of `POST /api/v1/tokens`: the only time the token itself is shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewToken {
    pub id: i64,
    pub name: String,
    pub token: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewTokenRequest {
    pub name: String,
}
