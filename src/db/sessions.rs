//! Staff sessions: the rows behind the tower-sessions store in `crate::staff::sessions`.
//!
//! Rows are keyed by the hash of the session id (`id_hash`, migration 000013), never the id
//! itself: every `key` below is `crate::staff::sessions::stored_key` of the cookie's value.

use async_trait::async_trait;

use super::engine::{query, query_scalar};
use super::*;

/// Staff sessions.
#[async_trait]
pub trait SessionStore: Send + Sync + 'static {
    /// The data of the session stored under `key` that has not expired at `now`.
    async fn session_load(&self, key: &str, now: Millis) -> DbResult<Option<String>>;
    /// Stores a new session; [`DbError::Conflict`] when the key is taken.
    async fn session_insert(&self, key: &str, data: &str, expires_at: Millis) -> DbResult<()>;
    async fn session_save(&self, key: &str, data: &str, expires_at: Millis) -> DbResult<()>;
    async fn session_delete(&self, key: &str) -> DbResult<()>;
    /// Deletes sessions expired at `now`; returns how many.
    async fn session_delete_expired(&self, now: Millis) -> DbResult<u64>;
}

#[async_trait]
impl SessionStore for SqlStore {
    async fn session_load(&self, key: &str, now: Millis) -> DbResult<Option<String>> {
        Ok(
            query_scalar("SELECT data FROM staff_sessions WHERE id_hash = $1 AND expires_at > $2")
                .bind(key)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn session_insert(&self, key: &str, data: &str, expires_at: Millis) -> DbResult<()> {
        query("INSERT INTO staff_sessions (id_hash, data, expires_at) VALUES ($1, $2, $3)")
            .bind(key)
            .bind(data)
            .bind(expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn session_save(&self, key: &str, data: &str, expires_at: Millis) -> DbResult<()> {
        query(
            "INSERT INTO staff_sessions (id_hash, data, expires_at) VALUES ($1, $2, $3)
                 ON CONFLICT (id_hash) DO UPDATE
                    SET data = excluded.data, expires_at = excluded.expires_at",
        )
        .bind(key)
        .bind(data)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn session_delete(&self, key: &str) -> DbResult<()> {
        query("DELETE FROM staff_sessions WHERE id_hash = $1")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn session_delete_expired(&self, now: Millis) -> DbResult<u64> {
        let done = query("DELETE FROM staff_sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
