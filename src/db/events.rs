//! Portal events: the outbox the triggers of migration 000021 write in each change's own
//! transaction, and the event endpoints it is delivered to (`crate::events`), each with its
//! cursor, its retries and its delivery log.

use async_trait::async_trait;

use super::engine::{query, query_as, query_scalar};
use super::feed::{FeedFailure, FeedProgress, EVENTS};
use super::*;

/// An event as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    /// `evt_…`: the Standard Webhooks `webhook-id`.
    pub public_id: String,
    #[sqlx(rename = "type")]
    pub event_type: String,
    /// Its place in its WABA's sequence (1, 2, 3…), if it concerns a WABA.
    pub waba_seq: Option<i64>,
    /// A JSON object.
    pub data: String,
    pub occurred_at: Millis,
}

/// An endpoint as stored, with its events waiting for a retry counted.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EventEndpointRow {
    pub id: i64,
    pub url: String,
    /// A JSON array of event types (`waba.ready`, `signup.*`, `*`).
    pub events: String,
    /// `active` or `paused`.
    pub state: String,
    pub delivered_through: i64,
    pub delivered: i64,
    pub failed_attempts: i64,
    pub last_error: Option<String>,
    pub last_success_at: Option<Millis>,
    pub last_lag_ms: Option<i64>,
    pub paused_reason: Option<String>,
    /// After a rotation, the previous secret signs too until then.
    pub previous_secret_until: Option<Millis>,
    pub created_by: String,
    pub created_at: Millis,
    pub waiting_retries: i64,
}

const ENDPOINT_COLUMNS: &str = "SELECT d.id, d.url, d.events, d.state, d.delivered_through,
        d.delivered, d.failed_attempts, d.last_error, d.last_success_at, d.last_lag_ms,
        d.paused_reason, d.previous_secret_until, d.created_by, d.created_at,
        (SELECT COUNT(*) FROM event_retries r WHERE r.endpoint_id = d.id) AS waiting_retries
     FROM event_endpoints d";

const EVENT_COLUMNS: &str = "e.id, e.public_id, e.type, e.waba_seq, e.data, e.occurred_at";

#[derive(Debug, Clone)]
pub struct NewEventEndpoint {
    pub url: String,
    pub events: String,
    pub created_by: String,
}

/// An event waiting for another attempt.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EventRetryRow {
    #[sqlx(flatten)]
    pub event: EventRow,
    pub attempts: i64,
    pub first_failed_at: Millis,
}

/// One attempt in an endpoint's delivery log.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct EventDeliveryRow {
    pub id: i64,
    pub public_id: String,
    #[sqlx(rename = "type")]
    pub event_type: String,
    pub attempted_at: Millis,
    /// `None`: the endpoint answered 2xx.
    pub error: Option<String>,
}

#[async_trait]
pub trait EventStore: Send + Sync + 'static {
    /// A new endpoint starts after the newest event: it gets what happens next.
    async fn create_event_endpoint(
        &self,
        endpoint: &NewEventEndpoint,
    ) -> DbResult<EventEndpointRow>;
    async fn event_endpoint(&self, id: i64) -> DbResult<Option<EventEndpointRow>>;
    /// Every endpoint not deleted, oldest first.
    async fn event_endpoints(&self) -> DbResult<Vec<EventEndpointRow>>;
    async fn delete_event_endpoint(&self, id: i64, at: Millis) -> DbResult<bool>;
    async fn lease_event_endpoints(
        &self,
        owner: &str,
        until: Millis,
        now: Millis,
    ) -> DbResult<Vec<i64>>;
    /// Events after `after`, in id order.
    async fn event_batch(&self, after: i64, limit: i64) -> DbResult<Vec<EventRow>>;
    /// Moves the cursor, records failures as retries and every attempt in the log, together.
    async fn record_event_progress(&self, id: i64, progress: &FeedProgress) -> DbResult<()>;
    async fn due_event_retries(
        &self,
        id: i64,
        now: Millis,
        limit: i64,
    ) -> DbResult<Vec<EventRetryRow>>;
    async fn finish_event_retry(
        &self,
        id: i64,
        event_id: i64,
        failure: Option<&FeedFailure>,
        at: Millis,
    ) -> DbResult<()>;
    async fn set_event_endpoint_paused(&self, id: i64, reason: Option<&str>) -> DbResult<bool>;
    async fn set_previous_secret_until(&self, id: i64, until: Option<Millis>) -> DbResult<()>;
    /// The delivery log, newest first, before the log id `before`.
    async fn event_deliveries(
        &self,
        id: i64,
        before: Option<i64>,
        limit: i64,
    ) -> DbResult<Vec<EventDeliveryRow>>;
    /// Sends these events (by `evt_…` id) again now; returns how many exist.
    async fn replay_events(&self, id: i64, public_ids: &[String], at: Millis) -> DbResult<u64>;
    /// Moves the cursor back to just before the first event at or after `since`, so everything
    /// from then on is sent again; returns how many events that covers.
    async fn replay_events_since(&self, id: i64, since: Millis) -> DbResult<u64>;
}

#[async_trait]
impl EventStore for SqlStore {
    async fn create_event_endpoint(
        &self,
        endpoint: &NewEventEndpoint,
    ) -> DbResult<EventEndpointRow> {
        let id: i64 = query_scalar(
            "INSERT INTO event_endpoints (url, events, delivered_through, created_by, created_at)
             VALUES ($1, $2, (SELECT COALESCE(MAX(id), 0) FROM events), $3, $4)
             RETURNING id",
        )
        .bind(&endpoint.url)
        .bind(&endpoint.events)
        .bind(&endpoint.created_by)
        .bind(now_millis())
        .fetch_one(&self.pool)
        .await?;
        self.event_endpoint(id)
            .await?
            .ok_or(DbError::Query(sqlx::Error::RowNotFound))
    }

    async fn event_endpoint(&self, id: i64) -> DbResult<Option<EventEndpointRow>> {
        Ok(query_as(format!(
            "{ENDPOINT_COLUMNS} WHERE d.id = $1 AND d.deleted_at IS NULL"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn event_endpoints(&self) -> DbResult<Vec<EventEndpointRow>> {
        Ok(query_as(format!(
            "{ENDPOINT_COLUMNS} WHERE d.deleted_at IS NULL ORDER BY d.id"
        ))
        .fetch_all(&self.pool)
        .await?)
    }

    async fn delete_event_endpoint(&self, id: i64, at: Millis) -> DbResult<bool> {
        self.feed_delete(&EVENTS, id, at).await
    }

    async fn lease_event_endpoints(
        &self,
        owner: &str,
        until: Millis,
        now: Millis,
    ) -> DbResult<Vec<i64>> {
        self.feed_lease(&EVENTS, owner, until, now).await
    }

    async fn event_batch(&self, after: i64, limit: i64) -> DbResult<Vec<EventRow>> {
        Ok(query_as(format!(
            "SELECT {EVENT_COLUMNS} FROM events e WHERE e.id > $1 ORDER BY e.id LIMIT $2"
        ))
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn record_event_progress(&self, id: i64, progress: &FeedProgress) -> DbResult<()> {
        self.feed_record(&EVENTS, id, progress).await
    }

    async fn due_event_retries(
        &self,
        id: i64,
        now: Millis,
        limit: i64,
    ) -> DbResult<Vec<EventRetryRow>> {
        Ok(query_as(format!(
            "SELECT {EVENT_COLUMNS}, r.attempts, r.first_failed_at
               FROM event_retries r JOIN events e ON e.id = r.event_id
              WHERE r.endpoint_id = $1 AND r.next_at <= $2
              ORDER BY r.event_id LIMIT $3"
        ))
        .bind(id)
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn finish_event_retry(
        &self,
        id: i64,
        event_id: i64,
        failure: Option<&FeedFailure>,
        at: Millis,
    ) -> DbResult<()> {
        self.feed_finish_retry(&EVENTS, id, event_id, failure, at)
            .await
    }

    async fn set_event_endpoint_paused(&self, id: i64, reason: Option<&str>) -> DbResult<bool> {
        self.feed_set_paused(&EVENTS, id, reason).await
    }

    async fn set_previous_secret_until(&self, id: i64, until: Option<Millis>) -> DbResult<()> {
        query("UPDATE event_endpoints SET previous_secret_until = $2 WHERE id = $1")
            .bind(id)
            .bind(until)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn event_deliveries(
        &self,
        id: i64,
        before: Option<i64>,
        limit: i64,
    ) -> DbResult<Vec<EventDeliveryRow>> {
        Ok(query_as(
            "SELECT l.id, e.public_id, e.type, l.attempted_at, l.error
               FROM event_deliveries l JOIN events e ON e.id = l.event_id
              WHERE l.endpoint_id = $1 AND ($2 IS NULL OR l.id < $2)
              ORDER BY l.id DESC LIMIT $3",
        )
        .bind(id)
        .bind(before)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn replay_events(&self, id: i64, public_ids: &[String], at: Millis) -> DbResult<u64> {
        let mut tx = self.pool.begin().await?;
        let mut found = 0;
        for public_id in public_ids {
            found += query(
                "INSERT INTO event_retries (endpoint_id, event_id, attempts, first_failed_at,
                                            next_at, last_error)
                 SELECT $1, e.id, 0, $3, $3, 'replay requested' FROM events e
                  WHERE e.public_id = $2
                 ON CONFLICT (endpoint_id, event_id) DO UPDATE SET next_at = excluded.next_at",
            )
            .bind(id)
            .bind(public_id)
            .bind(at)
            .execute(&mut tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
        Ok(found)
    }

    async fn replay_events_since(&self, id: i64, since: Millis) -> DbResult<u64> {
        let first: Option<i64> = query_scalar("SELECT MIN(id) FROM events WHERE occurred_at >= $1")
            .bind(since)
            .fetch_one(&self.pool)
            .await?;
        let Some(first) = first else {
            return Ok(0);
        };
        let back_to = self.feed_rewind(&EVENTS, id, first).await?;
        let covered: i64 = query_scalar("SELECT COUNT(*) FROM events WHERE id > $1")
            .bind(back_to)
            .fetch_one(&self.pool)
            .await?;
        Ok(covered as u64)
    }
}
