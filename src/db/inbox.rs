//! The webhook inbox: deliveries stored before Meta gets its 200, then processed, parked or replayed.

use async_trait::async_trait;

use super::engine::{query, query_as, query_scalar};
use super::*;

/// The webhook inbox.
#[async_trait]
pub trait InboxStore: Send + Sync + 'static {
    /// Stores several deliveries in one transaction (group commit); ids in input order.
    async fn insert_webhooks(&self, bodies: &[&[u8]], received_at: Millis) -> DbResult<Vec<i64>>;
    /// Oldest pending deliveries first.
    async fn pending_webhooks(&self, limit: i64) -> DbResult<Vec<InboxRow>>;
    /// Marks a delivery processed (`Ok`) or records a failed attempt (`Err`).
    async fn finish_webhook(&self, id: i64, outcome: Result<(), &str>) -> DbResult<()>;
    /// Sets a delivery aside (a poison row) with its error, for staff to look at and replay.
    async fn park_webhook(&self, id: i64, error: &str) -> DbResult<()>;
    /// Puts a parked delivery back in line. Returns `false` if it was not parked.
    async fn replay_webhook(&self, id: i64) -> DbResult<bool>;
    /// Parked deliveries, newest first.
    async fn parked_webhooks(&self, limit: i64) -> DbResult<Vec<InboxRow>>;
    async fn count_parked_webhooks(&self) -> DbResult<i64>;
}

#[async_trait]
impl InboxStore for SqlStore {
    async fn insert_webhooks(&self, bodies: &[&[u8]], received_at: Millis) -> DbResult<Vec<i64>> {
        // One multi-row INSERT per chunk: a single statement round trip for many
        // deliveries, all inside one transaction (one commit, one fsync).
        const ROWS_PER_STATEMENT: usize = 500;
        let mut tx = self.pool.begin().await?;
        let mut ids = Vec::with_capacity(bodies.len());
        for chunk in bodies.chunks(ROWS_PER_STATEMENT) {
            let mut insert = query("INSERT INTO webhook_inbox (received_at, body) ");
            insert.push_values(chunk, |row, body| {
                row.bind(received_at).bind(*body);
            });
            insert.push(" RETURNING id");
            let mut chunk_ids: Vec<i64> = insert.column().fetch_all(&mut tx).await?;
            chunk_ids.sort_unstable();
            ids.extend(chunk_ids);
        }
        tx.commit().await?;
        Ok(ids)
    }

    async fn pending_webhooks(&self, limit: i64) -> DbResult<Vec<InboxRow>> {
        Ok(query_as(
            "SELECT id, received_at, body, state, attempts, last_error
                 FROM webhook_inbox WHERE state = 'pending' ORDER BY id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn finish_webhook(&self, id: i64, outcome: Result<(), &str>) -> DbResult<()> {
        let now = now_millis();
        match outcome {
            Ok(()) => query(
                "UPDATE webhook_inbox SET state = 'processed', attempts = attempts + 1,
                            processed_at = $1 WHERE id = $2",
            )
            .bind(now)
            .bind(id),
            Err(error) => query(
                "UPDATE webhook_inbox SET attempts = attempts + 1, last_error = $1
                     WHERE id = $2",
            )
            .bind(error)
            .bind(id),
        }
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn park_webhook(&self, id: i64, error: &str) -> DbResult<()> {
        query(
            "UPDATE webhook_inbox SET state = 'parked', attempts = attempts + 1,
                        last_error = $1 WHERE id = $2",
        )
        .bind(error)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn replay_webhook(&self, id: i64) -> DbResult<bool> {
        let done = query(
            "UPDATE webhook_inbox SET state = 'pending', attempts = 0
                 WHERE id = $1 AND state = 'parked'",
        )
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn parked_webhooks(&self, limit: i64) -> DbResult<Vec<InboxRow>> {
        Ok(query_as(
            "SELECT id, received_at, body, state, attempts, last_error
                 FROM webhook_inbox WHERE state = 'parked' ORDER BY id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn count_parked_webhooks(&self) -> DbResult<i64> {
        Ok(
            query_scalar("SELECT COUNT(*) FROM webhook_inbox WHERE state = 'parked'")
                .fetch_one(&self.pool)
                .await?,
        )
    }
}
