//! The live-update change feed (docs/LIVE.md): rows the triggers of migration
//! `live_changes` write, read by each instance's hub (`crate::live`).

use async_trait::async_trait;

use super::engine::{query, query_as, query_scalar};
use super::*;

/// What the status page of one signup follows: the signup and, once connected, its WABA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignupTopics {
    pub signup_id: i64,
    pub waba_id: Option<i64>,
}

#[async_trait]
pub trait LiveStore: Send + Sync + 'static {
    /// The newest change's id (0 when there is none).
    async fn live_latest(&self) -> DbResult<i64>;
    /// Up to `limit` changes after `after`, oldest first: `(id, topic)`.
    async fn live_after(&self, after: i64, limit: i64) -> DbResult<Vec<(i64, String)>>;
    /// The changes with ids in `from..=to`, to look again at ids that were missing (a
    /// PostgreSQL transaction still committing).
    async fn live_between(&self, from: i64, to: i64) -> DbResult<Vec<(i64, String)>>;
    /// The oldest change still kept (0 when there is none).
    async fn live_oldest(&self) -> DbResult<i64>;
    /// Deletes changes that happened before `before`.
    async fn live_prune(&self, before: Millis) -> DbResult<u64>;
    /// The signup behind a status page's key.
    async fn live_signup_topics(&self, status_key: &str) -> DbResult<Option<SignupTopics>>;
}

#[async_trait]
impl LiveStore for SqlStore {
    async fn live_latest(&self) -> DbResult<i64> {
        Ok(
            query_scalar("SELECT COALESCE(MAX(id), 0) FROM live_changes")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    async fn live_after(&self, after: i64, limit: i64) -> DbResult<Vec<(i64, String)>> {
        Ok(
            query_as("SELECT id, topic FROM live_changes WHERE id > $1 ORDER BY id LIMIT $2")
                .bind(after)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    async fn live_between(&self, from: i64, to: i64) -> DbResult<Vec<(i64, String)>> {
        Ok(
            query_as("SELECT id, topic FROM live_changes WHERE id >= $1 AND id <= $2 ORDER BY id")
                .bind(from)
                .bind(to)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    async fn live_oldest(&self) -> DbResult<i64> {
        Ok(
            query_scalar("SELECT COALESCE(MIN(id), 0) FROM live_changes")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    async fn live_prune(&self, before: Millis) -> DbResult<u64> {
        Ok(query("DELETE FROM live_changes WHERE at < $1")
            .bind(before)
            .execute(&self.pool)
            .await?
            .rows_affected())
    }

    async fn live_signup_topics(&self, status_key: &str) -> DbResult<Option<SignupTopics>> {
        let row: Option<(i64, Option<i64>)> =
            query_as("SELECT id, waba_id FROM signups WHERE status_key = $1")
                .bind(status_key)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(signup_id, waba_id)| SignupTopics { signup_id, waba_id }))
    }
}
