//! Dashboard users, their sign-in sessions and API tokens. Only hashes of session and
//! token secrets are stored.

use crate::{
    clock::now_ms,
    database::Database,
    error::Result,
    model::TokenScope,
    model::{ApiToken, User},
    sql::{
        cols::{all, Cols},
        pool::Row,
        query::Sql,
    },
};
use async_trait::async_trait;

#[async_trait]
pub trait AccountStore {
    async fn user_by_name(&self, username: &str) -> Result<Option<User>>;
    async fn create_user(&self, username: &str, password_hash: &str) -> Result<User>;

    async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        expires_at_ms: i64,
    ) -> Result<()>;
    /// The user of a live session, or `None` for unknown or expired tokens.
    async fn session_user(&self, token_hash: &str, now_ms: i64) -> Result<Option<User>>;
    async fn delete_session(&self, token_hash: &str) -> Result<()>;

    async fn create_api_token(
        &self,
        user_id: i64,
        name: &str,
        scope: TokenScope,
        token_hash: &str,
        prefix: &str,
    ) -> Result<ApiToken>;
    /// The user behind a live API token and what the token may do; records the use (at
    /// most once a minute).
    async fn api_token_user(
        &self,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<Option<(User, TokenScope)>>;
    async fn api_tokens(&self) -> Result<Vec<ApiToken>>;
    /// Revokes a token; `false` when no live token has that id.
    async fn revoke_api_token(&self, id: i64) -> Result<bool>;
}

fn user(r: &Row) -> Result<User> {
    Ok(User {
        id: r.int("id")?,
        username: r.text("username")?,
        password_hash: r.text("password_hash")?,
    })
}

/// A stored scope; one this version does not know is the narrowest, `read`.
fn scope(r: &Row) -> Result<TokenScope> {
    Ok(TokenScope::parse(&r.text("scope")?).unwrap_or(TokenScope::Read))
}

fn api_token(r: &Row) -> Result<ApiToken> {
    Ok(ApiToken {
        id: r.int("id")?,
        name: r.text("name")?,
        scope: scope(r)?,
        prefix: r.text("prefix")?,
        created_at_ms: r.int("created_at")?,
        last_used_ms: r.int_opt("last_used_at")?,
    })
}

#[async_trait]
impl AccountStore for Database {
    async fn user_by_name(&self, username: &str) -> Result<Option<User>> {
        Sql::new("SELECT id, username, password_hash FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(user)
            .transpose()
    }

    async fn create_user(&self, username: &str, password_hash: &str) -> Result<User> {
        let row = Sql::new(
            "INSERT INTO users (username, password_hash, created_at) VALUES ($1, $2, $3)
             RETURNING id, username, password_hash",
        )
        .bind(username)
        .bind(password_hash)
        .bind(now_ms())
        .fetch_one(self.pool())
        .await?;
        user(&row)
    }

    async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        expires_at_ms: i64,
    ) -> Result<()> {
        Sql::new(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(now_ms())
        .bind(expires_at_ms)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn session_user(&self, token_hash: &str, now_ms: i64) -> Result<Option<User>> {
        Sql::new(
            "SELECT u.id, u.username, u.password_hash FROM sessions s
             JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(token_hash)
        .bind(now_ms)
        .fetch_optional(self.pool())
        .await?
        .as_ref()
        .map(user)
        .transpose()
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        Sql::new("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn create_api_token(
        &self,
        user_id: i64,
        name: &str,
        scope: TokenScope,
        token_hash: &str,
        prefix: &str,
    ) -> Result<ApiToken> {
        let created = now_ms();
        let id = Sql::new(
            "INSERT INTO api_tokens (user_id, name, scope, token_hash, prefix, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(user_id)
        .bind(name)
        .bind(scope.as_str())
        .bind(token_hash)
        .bind(prefix)
        .bind(created)
        .fetch_one(self.pool())
        .await?
        .int("id")?;
        Ok(ApiToken {
            id,
            name: name.to_string(),
            scope,
            prefix: prefix.to_string(),
            created_at_ms: created,
            last_used_ms: None,
        })
    }

    async fn api_token_user(
        &self,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<Option<(User, TokenScope)>> {
        let row = Sql::new(
            "SELECT t.id AS token_id, t.scope, u.id, u.username, u.password_hash FROM api_tokens t
             JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
        )
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        Sql::new(
            "UPDATE api_tokens SET last_used_at = $1
             WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)",
        )
        .bind(now_ms)
        .bind(row.int("token_id")?)
        .bind(now_ms - 60_000)
        .execute(self.pool())
        .await?;
        Ok(Some((user(&row)?, scope(&row)?)))
    }

    async fn api_tokens(&self) -> Result<Vec<ApiToken>> {
        let found = Sql::new(
            "SELECT id, name, scope, prefix, created_at, last_used_at FROM api_tokens
             WHERE revoked_at IS NULL ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        all(&found, api_token)
    }

    async fn revoke_api_token(&self, id: i64) -> Result<bool> {
        let changed =
            Sql::new("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(now_ms())
                .bind(id)
                .execute(self.pool())
                .await?;
        Ok(changed == 1)
    }
}
