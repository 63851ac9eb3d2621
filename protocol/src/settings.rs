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
    /// The key before the last rotation while it still works, and until when (ms).
    #[serde(default)]
    pub previous_public_key: Option<String>,
    #[serde(default)]
    pub previous_key_valid_until_ms: Option<i64>,
}

/// What an API token may do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenScope {
    /// Everything a signed-in admin can (tokens made before scopes existed are this).
    #[default]
    Admin,
    /// The read API and `/metrics`: every write is `403`.
    Read,
    /// Server-side ingest: business events, logs, custom metrics, security events.
    Ingest,
    /// Releases and source maps, for CI (`sentry-cli`).
    Releases,
}

impl TokenScope {
    pub const ALL: [TokenScope; 4] = [
        TokenScope::Admin,
        TokenScope::Read,
        TokenScope::Ingest,
        TokenScope::Releases,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::Admin => "admin",
            TokenScope::Read => "read",
            TokenScope::Ingest => "ingest",
            TokenScope::Releases => "releases",
        }
    }

    pub fn parse(s: &str) -> Option<TokenScope> {
        TokenScope::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiTokenInfo {
    pub id: i64,
    pub name: String,
    #[serde(default)]
    pub scope: TokenScope,
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
    pub scope: TokenScope,
    pub token: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewTokenRequest {
    pub name: String,
    /// `admin` when absent.
    #[serde(default)]
    pub scope: TokenScope,
}
