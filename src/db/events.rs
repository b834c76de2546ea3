//! Portal events: the outbox the triggers of migration 000021 write in each change's own
//! transaction, and the event endpoints it is delivered to (`crate::events`), each with its
//! cursor, its retries and its delivery log.

use async_trait::async_trait;

use super::engine::{query, query_as, query_scalar};
use super::feed::{FeedFailure, FeedProgress};
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
        let mut tx = self.pool.begin().await?;
        let done = query(
            "UPDATE event_endpoints SET deleted_at = $2, state = 'deleted'
              WHERE id = $1 AND deleted_at IS NULL",
        )
        .bind(id)
        .bind(at)
        .execute(&mut tx)
        .await?;
        query("DELETE FROM event_retries WHERE endpoint_id = $1")
            .bind(id)
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    async fn lease_event_endpoints(
        &self,
        owner: &str,
        until: Millis,
        now: Millis,
    ) -> DbResult<Vec<i64>> {
        let mut ids: Vec<i64> = query(
            "UPDATE event_endpoints SET leased_by = $1, leased_until = $2
              WHERE state = 'active' AND deleted_at IS NULL
                AND (leased_until < $3 OR leased_by = $1)
              RETURNING id",
        )
        .bind(owner)
        .bind(until)
        .bind(now)
        .column()
        .fetch_all(&self.pool)
        .await?;
        ids.sort_unstable();
        Ok(ids)
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
        let mut tx = self.pool.begin().await?;
        for failure in &progress.failures {
            query(
                "INSERT INTO event_retries (endpoint_id, event_id, attempts, first_failed_at,
                                            next_at, last_error)
                 VALUES ($1, $2, 1, $3, $4, $5)
                 ON CONFLICT (endpoint_id, event_id) DO NOTHING",
            )
            .bind(id)
            .bind(failure.item_id)
            .bind(progress.at)
            .bind(failure.next_at)
            .bind(&failure.error)
            .execute(&mut tx)
            .await?;
            log_attempt(
                &mut tx,
                id,
                failure.item_id,
                progress.at,
                Some(&failure.error),
            )
            .await?;
        }
        for event_id in &progress.delivered {
            log_attempt(&mut tx, id, *event_id, progress.at, None).await?;
        }
        let last_error = progress.failures.last().map(|f| f.error.as_str());
        query(
            "UPDATE event_endpoints SET
                delivered_through = CASE WHEN delivered_through = $8 THEN $2
                                         ELSE delivered_through END,
                delivered = delivered + $3,
                failed_attempts = failed_attempts + $4,
                last_error = COALESCE($5, last_error),
                last_success_at = CASE WHEN $3 > 0 THEN $6 ELSE last_success_at END,
                last_lag_ms = COALESCE($7, last_lag_ms)
              WHERE id = $1",
        )
        .bind(id)
        .bind(progress.through)
        .bind(progress.delivered.len() as i64)
        .bind(progress.failures.len() as i64)
        .bind(last_error)
        .bind(progress.at)
        .bind(progress.last_lag_ms)
        .bind(progress.from)
        .execute(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(())
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
        let mut tx = self.pool.begin().await?;
        match failure {
            None => {
                query("DELETE FROM event_retries WHERE endpoint_id = $1 AND event_id = $2")
                    .bind(id)
                    .bind(event_id)
                    .execute(&mut tx)
                    .await?;
                query(
                    "UPDATE event_endpoints SET delivered = delivered + 1, last_success_at = $2
                      WHERE id = $1",
                )
                .bind(id)
                .bind(at)
                .execute(&mut tx)
                .await?;
            }
            Some(failure) => {
                query(
                    "UPDATE event_retries SET attempts = attempts + 1, next_at = $3,
                            last_error = $4
                      WHERE endpoint_id = $1 AND event_id = $2",
                )
                .bind(id)
                .bind(event_id)
                .bind(failure.next_at)
                .bind(&failure.error)
                .execute(&mut tx)
                .await?;
                query(
                    "UPDATE event_endpoints SET failed_attempts = failed_attempts + 1,
                            last_error = $2
                      WHERE id = $1",
                )
                .bind(id)
                .bind(&failure.error)
                .execute(&mut tx)
                .await?;
            }
        }
        log_attempt(&mut tx, id, event_id, at, failure.map(|f| f.error.as_str())).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn set_event_endpoint_paused(&self, id: i64, reason: Option<&str>) -> DbResult<bool> {
        let done = query(
            "UPDATE event_endpoints
                SET state = CASE WHEN $2 IS NULL THEN 'active' ELSE 'paused' END,
                    paused_reason = $2, leased_until = 0
              WHERE id = $1 AND deleted_at IS NULL",
        )
        .bind(id)
        .bind(reason)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
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
        let mut tx = self.pool.begin().await?;
        let first: Option<i64> = query_scalar("SELECT MIN(id) FROM events WHERE occurred_at >= $1")
            .bind(since)
            .fetch_one(&mut tx)
            .await?;
        let Some(first) = first else {
            return Ok(0);
        };
        let cursor: i64 =
            query_scalar("SELECT delivered_through FROM event_endpoints WHERE id = $1")
                .bind(id)
                .fetch_one(&mut tx)
                .await?;
        let back_to = (first - 1).min(cursor);
        query("UPDATE event_endpoints SET delivered_through = $2 WHERE id = $1")
            .bind(id)
            .bind(back_to)
            .execute(&mut tx)
            .await?;
        let covered: i64 = query_scalar("SELECT COUNT(*) FROM events WHERE id > $1")
            .bind(back_to)
            .fetch_one(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(covered as u64)
    }
}

async fn log_attempt(
    tx: &mut engine::Tx,
    endpoint: i64,
    event: i64,
    at: Millis,
    error: Option<&str>,
) -> DbResult<()> {
    query(
        "INSERT INTO event_deliveries (endpoint_id, event_id, attempted_at, error)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(endpoint)
    .bind(event)
    .bind(at)
    .bind(error)
    .execute(&mut *tx)
    .await?;
    Ok(())
}
