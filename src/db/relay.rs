//! Relay destinations: where Meta's webhooks are forwarded, each with its cursor over the
//! webhook inbox and the deliveries waiting for a retry (`crate::relay`).

use async_trait::async_trait;

use super::engine::{query, query_as, query_scalar};
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

/// A delivery's failed attempt: when to try again and why it failed.
#[derive(Debug, Clone)]
pub struct RelayFailure {
    pub inbox_id: i64,
    pub next_at: Millis,
    pub error: String,
}

/// What one round of a destination sent: the cursor moves to `through` in the same
/// transaction that records the failures, so a crash before it resends (at least once) and
/// never skips.
#[derive(Debug, Clone, Default)]
pub struct RelayProgress {
    pub through: i64,
    pub delivered: i64,
    pub failures: Vec<RelayFailure>,
    pub last_lag_ms: Option<i64>,
    pub at: Millis,
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
    ) -> DbResult<Vec<RelayDestinationRow>>;
    /// Inbox deliveries after `after`, in id order.
    async fn relay_batch(&self, after: i64, limit: i64) -> DbResult<Vec<RelayItem>>;
    async fn record_relay_progress(&self, id: i64, progress: &RelayProgress) -> DbResult<()>;
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
        failure: Option<&RelayFailure>,
        at: Millis,
    ) -> DbResult<()>;
    /// Pauses (`Some(reason)`) or resumes (`None`) a destination; `false` if there is none.
    async fn set_relay_paused(&self, id: i64, reason: Option<&str>) -> DbResult<bool>;
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
        let mut tx = self.pool.begin().await?;
        let done = query(
            "UPDATE relay_destinations SET deleted_at = $2, state = 'deleted'
              WHERE id = $1 AND deleted_at IS NULL",
        )
        .bind(id)
        .bind(at)
        .execute(&mut tx)
        .await?;
        query("DELETE FROM relay_retries WHERE destination_id = $1")
            .bind(id)
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    async fn lease_relay_destinations(
        &self,
        owner: &str,
        until: Millis,
        now: Millis,
    ) -> DbResult<Vec<RelayDestinationRow>> {
        let ids: Vec<i64> = query(
            "UPDATE relay_destinations SET leased_by = $1, leased_until = $2
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
        let mut rows = Vec::with_capacity(ids.len());
        for id in ids {
            rows.extend(self.relay_destination(id).await?);
        }
        rows.sort_by_key(|row| row.id);
        Ok(rows)
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

    async fn record_relay_progress(&self, id: i64, progress: &RelayProgress) -> DbResult<()> {
        let mut tx = self.pool.begin().await?;
        for failure in &progress.failures {
            query(
                "INSERT INTO relay_retries (destination_id, inbox_id, attempts, first_failed_at,
                                            next_at, last_error)
                 VALUES ($1, $2, 1, $3, $4, $5)
                 ON CONFLICT (destination_id, inbox_id) DO NOTHING",
            )
            .bind(id)
            .bind(failure.inbox_id)
            .bind(progress.at)
            .bind(failure.next_at)
            .bind(&failure.error)
            .execute(&mut tx)
            .await?;
        }
        let last_error = progress.failures.last().map(|f| f.error.as_str());
        query(
            "UPDATE relay_destinations SET
                relayed_through = MAX_OF(relayed_through, $2),
                delivered = delivered + $3,
                failed_attempts = failed_attempts + $4,
                last_error = COALESCE($5, last_error),
                last_success_at = CASE WHEN $3 > 0 THEN $6 ELSE last_success_at END,
                last_lag_ms = COALESCE($7, last_lag_ms)
              WHERE id = $1"
                .replace("MAX_OF", self.greatest()),
        )
        .bind(id)
        .bind(progress.through)
        .bind(progress.delivered)
        .bind(progress.failures.len() as i64)
        .bind(last_error)
        .bind(progress.at)
        .bind(progress.last_lag_ms)
        .execute(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(())
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
        failure: Option<&RelayFailure>,
        at: Millis,
    ) -> DbResult<()> {
        let mut tx = self.pool.begin().await?;
        match failure {
            None => {
                query("DELETE FROM relay_retries WHERE destination_id = $1 AND inbox_id = $2")
                    .bind(id)
                    .bind(inbox_id)
                    .execute(&mut tx)
                    .await?;
                query(
                    "UPDATE relay_destinations SET delivered = delivered + 1, last_success_at = $2
                      WHERE id = $1",
                )
                .bind(id)
                .bind(at)
                .execute(&mut tx)
                .await?;
            }
            Some(failure) => {
                query(
                    "UPDATE relay_retries SET attempts = attempts + 1, next_at = $3,
                            last_error = $4
                      WHERE destination_id = $1 AND inbox_id = $2",
                )
                .bind(id)
                .bind(inbox_id)
                .bind(failure.next_at)
                .bind(&failure.error)
                .execute(&mut tx)
                .await?;
                query(
                    "UPDATE relay_destinations SET failed_attempts = failed_attempts + 1,
                            last_error = $2
                      WHERE id = $1",
                )
                .bind(id)
                .bind(&failure.error)
                .execute(&mut tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn set_relay_paused(&self, id: i64, reason: Option<&str>) -> DbResult<bool> {
        let done = query(
            "UPDATE relay_destinations
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
}
