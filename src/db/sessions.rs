//! Staff sessions: the rows behind the tower-sessions store in `crate::staff::store`.

use async_trait::async_trait;

use super::engine::{query, query_scalar};
use super::*;

/// Staff sessions.
#[async_trait]
pub trait SessionStore: Send + Sync + 'static {
    /// `(data, expires_at)` of a session that has not expired at `now`.
    async fn session_load(&self, id: &str, now: Millis) -> DbResult<Option<String>>;
    /// Stores a new session; [`DbError::Conflict`] when the id is taken.
    async fn session_insert(&self, id: &str, data: &str, expires_at: Millis) -> DbResult<()>;
    async fn session_save(&self, id: &str, data: &str, expires_at: Millis) -> DbResult<()>;
    async fn session_delete(&self, id: &str) -> DbResult<()>;
    /// Deletes sessions expired at `now`; returns how many.
    async fn session_delete_expired(&self, now: Millis) -> DbResult<u64>;
}

#[async_trait]
impl SessionStore for SqlStore {
    async fn session_load(&self, id: &str, now: Millis) -> DbResult<Option<String>> {
        Ok(
            query_scalar("SELECT data FROM staff_sessions WHERE id = $1 AND expires_at > $2")
                .bind(id)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn session_insert(&self, id: &str, data: &str, expires_at: Millis) -> DbResult<()> {
        query("INSERT INTO staff_sessions (id, data, expires_at) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(data)
            .bind(expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn session_save(&self, id: &str, data: &str, expires_at: Millis) -> DbResult<()> {
        query(
            "INSERT INTO staff_sessions (id, data, expires_at) VALUES ($1, $2, $3)
                 ON CONFLICT (id) DO UPDATE
                    SET data = excluded.data, expires_at = excluded.expires_at",
        )
        .bind(id)
        .bind(data)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn session_delete(&self, id: &str) -> DbResult<()> {
        query("DELETE FROM staff_sessions WHERE id = $1")
            .bind(id)
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
