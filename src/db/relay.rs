//! Relay destinations: where Meta's webhooks are forwarded, each with its cursor over the
//! webhook inbox and the deliveries waiting for a retry (`crate::relay`).

use async_trait::async_trait;

use super::engine::{query_as, query_scalar};
use super::feed::RELAY;
use super::*;

/// A destination as stored, with its deliveries waiting for a retry counted.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RelayDestinationRow {
    pub id: i64,
    pub url: String,
    /// A JSON array of Meta's webhook fields, or `["*"]`.
    pub fields: String,
    /// `meta` or `own`.
    pub signing: String,
    /// `active` or `paused`.
    pub state: String,
    /// Every inbox id at or below it was sent, or waits in the retries.
    pub relayed_through: i64,
    pub delivered: i64,
    pub failed_attempts: i64,
    pub last_error: Option<String>,
    pub last_success_at: Option<Millis>,
    /// From the inbox's `received_at` to the destination's answer, of the last delivery.
    pub last_lag_ms: Option<i64>,
    pub paused_reason: Option<String>,
    pub created_by: String,
    pub created_at: Millis,
    pub waiting_retries: i64,
}

const DESTINATION_COLUMNS: &str = "SELECT d.id, d.url, d.fields, d.signing, d.state,
        d.relayed_through, d.delivered, d.failed_attempts, d.last_error, d.last_success_at,
        d.last_lag_ms, d.paused_reason, d.created_by, d.created_at,
        (SELECT COUNT(*) FROM relay_retries r WHERE r.destination_id = d.id) AS waiting_retries
     FROM relay_destinations d";

#[derive(Debug, Clone)]
pub struct NewRelayDestination {
    pub url: String,
    pub fields: String,
    pub signing: String,
    pub created_by: String,
}

/// A webhook delivery from the inbox, as it is relayed: its exact bytes.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RelayItem {
    pub id: i64,
    pub received_at: Millis,
    pub body: Vec<u8>,
}

/// A delivery waiting for another attempt.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RelayRetry {
    pub inbox_id: i64,
    pub received_at: Millis,
    pub body: Vec<u8>,
    pub attempts: i64,
    pub first_failed_at: Millis,
}

#[async_trait]
pub trait RelayStore: Send + Sync + 'static {
    /// A new destination starts after the newest stored delivery: it gets what arrives next.
    async fn create_relay_destination(
        &self,
        destination: &NewRelayDestination,
    ) -> DbResult<RelayDestinationRow>;
    async fn relay_destination(&self, id: i64) -> DbResult<Option<RelayDestinationRow>>;
    /// Every destination not deleted, oldest first.
    async fn relay_destinations(&self) -> DbResult<Vec<RelayDestinationRow>>;
    /// `false` when there is no such destination (or it was deleted before).
    async fn delete_relay_destination(&self, id: i64, at: Millis) -> DbResult<bool>;
    /// Takes (or keeps) the lease of every active destination no other instance holds.
    async fn lease_relay_destinations(
        &self,
        owner: &str,
        until: Millis,
        now: Millis,
    ) -> DbResult<Vec<i64>>;
    /// Inbox deliveries after `after`, in id order.
    async fn relay_batch(&self, after: i64, limit: i64) -> DbResult<Vec<RelayItem>>;
    async fn record_relay_progress(&self, id: i64, progress: &FeedProgress) -> DbResult<()>;
    /// Retries due at `now`, oldest delivery first.
    async fn due_relay_retries(
        &self,
        id: i64,
        now: Millis,
        limit: i64,
    ) -> DbResult<Vec<RelayRetry>>;
    /// A retried delivery went through (`None`) or failed again.
    async fn finish_relay_retry(
        &self,
        id: i64,
        inbox_id: i64,
        failure: Option<&FeedFailure>,
        at: Millis,
    ) -> DbResult<()>;
    /// Pauses (`Some(reason)`) or resumes (`None`) a destination; `false` if there is none.
    async fn set_relay_paused(&self, id: i64, reason: Option<&str>) -> DbResult<bool>;
    /// Moves the cursor back to just before the first delivery stored at or after `since`, so
    /// everything from then on is sent again; returns how many inbox ids that covers (at most;
    /// ids rolled back are counted too).
    async fn replay_relay_since(&self, id: i64, since: Millis) -> DbResult<u64>;
}

#[async_trait]
impl RelayStore for SqlStore {
    async fn create_relay_destination(
        &self,
        destination: &NewRelayDestination,
    ) -> DbResult<RelayDestinationRow> {
        let id: i64 = query_scalar(
            "INSERT INTO relay_destinations (url, fields, signing, relayed_through, created_by,
                                             created_at)
             VALUES ($1, $2, $3, (SELECT COALESCE(MAX(id), 0) FROM webhook_inbox), $4, $5)
             RETURNING id",
        )
        .bind(&destination.url)
        .bind(&destination.fields)
        .bind(&destination.signing)
        .bind(&destination.created_by)
        .bind(now_millis())
        .fetch_one(&self.pool)
        .await?;
        // Just inserted in this database: only a concurrent delete could hide it.
        self.relay_destination(id)
            .await?
            .ok_or(DbError::Query(sqlx::Error::RowNotFound))
    }

    async fn relay_destination(&self, id: i64) -> DbResult<Option<RelayDestinationRow>> {
        Ok(query_as(format!(
            "{DESTINATION_COLUMNS} WHERE d.id = $1 AND d.deleted_at IS NULL"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn relay_destinations(&self) -> DbResult<Vec<RelayDestinationRow>> {
        Ok(query_as(format!(
            "{DESTINATION_COLUMNS} WHERE d.deleted_at IS NULL ORDER BY d.id"
        ))
        .fetch_all(&self.pool)
        .await?)
    }

    async fn delete_relay_destination(&self, id: i64, at: Millis) -> DbResult<bool> {
        self.feed_delete(&RELAY, id, at).await
    }

    async fn lease_relay_destinations(
        &self,
        owner: &str,
        until: Millis,
        now: Millis,
    ) -> DbResult<Vec<i64>> {
        self.feed_lease(&RELAY, owner, until, now).await
    }

    async fn relay_batch(&self, after: i64, limit: i64) -> DbResult<Vec<RelayItem>> {
        Ok(query_as(
            "SELECT id, received_at, body FROM webhook_inbox WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn record_relay_progress(&self, id: i64, progress: &FeedProgress) -> DbResult<()> {
        self.feed_record(&RELAY, id, progress).await
    }

    async fn due_relay_retries(
        &self,
        id: i64,
        now: Millis,
        limit: i64,
    ) -> DbResult<Vec<RelayRetry>> {
        Ok(query_as(
            "SELECT r.inbox_id, i.received_at, i.body, r.attempts, r.first_failed_at
               FROM relay_retries r JOIN webhook_inbox i ON i.id = r.inbox_id
              WHERE r.destination_id = $1 AND r.next_at <= $2
              ORDER BY r.inbox_id LIMIT $3",
        )
        .bind(id)
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn finish_relay_retry(
        &self,
        id: i64,
        inbox_id: i64,
        failure: Option<&FeedFailure>,
        at: Millis,
    ) -> DbResult<()> {
        self.feed_finish_retry(&RELAY, id, inbox_id, failure, at)
            .await
    }

    async fn set_relay_paused(&self, id: i64, reason: Option<&str>) -> DbResult<bool> {
        self.feed_set_paused(&RELAY, id, reason).await
    }

    async fn replay_relay_since(&self, id: i64, since: Millis) -> DbResult<u64> {
        // No index on received_at (it would cost every ingestion a write): ids grow with
        // time, so a binary search over the primary key finds the first delivery since then.
        let (low, high): (Option<i64>, Option<i64>) =
            query_as("SELECT MIN(id), MAX(id) FROM webhook_inbox")
                .fetch_one(&self.pool)
                .await?;
        let (Some(mut low), Some(high)) = (low, high) else {
            return Ok(0);
        };
        let mut end = high + 1;
        while low < end {
            let middle = low + (end - low) / 2;
            let at: Option<(i64, Millis)> = query_as(
                "SELECT id, received_at FROM webhook_inbox WHERE id >= $1 ORDER BY id LIMIT 1",
            )
            .bind(middle)
            .fetch_optional(&self.pool)
            .await?;
            match at {
                Some((_, received_at)) if received_at < since => low = middle + 1,
                _ => end = middle,
            }
        }
        let back_to = self.feed_rewind(&RELAY, id, low).await?;
        Ok((high - back_to).max(0) as u64)
    }
}
