//! Intent API requests: one per business ever, queued in batches (see `crate::operations::intent`).

use async_trait::async_trait;

use super::engine::{query, query_as, query_scalar};
use super::*;

/// Intent API requests and their batches.
#[async_trait]
pub trait IntentStore: Send + Sync + 'static {
    /// Queues a request for `business_id` in `batch` unless one is queued or sent already
    /// (never two requests for one business); returns whether it was queued now.
    async fn intent_queue(&self, business_id: i64, batch: &str) -> DbResult<bool>;
    /// [`intent_queue`](Self::intent_queue) for each of `businesses`, with the job
    /// `job(business id, Meta business id, n)` for the n-th (from 0) actually queued, in
    /// transactions of [`QUEUE_CHUNK`]: one commit per chunk instead of two per business
    /// (`bench pages`: 10,000 businesses took 20 s on SQLite one commit at a time). A crash
    /// keeps whole chunks: a request is never queued without its job. Returns how many were
    /// queued.
    async fn intent_queue_many(
        &self,
        batch: &str,
        businesses: &[(i64, String)],
        job: &(dyn for<'a> Fn(i64, &'a str, usize) -> NewJob + Sync),
    ) -> DbResult<usize>;
    async fn intent_get(&self, business_id: i64) -> DbResult<Option<IntentRow>>;
    async fn intent_finish(
        &self,
        business_id: i64,
        state: &str,
        request_id: Option<&str>,
        error: Option<&str>,
    ) -> DbResult<()>;
    /// Cancels the still-queued requests of a batch; returns how many.
    async fn intent_cancel(&self, batch: &str) -> DbResult<u64>;
    /// `(state, count)` of a batch.
    async fn intent_counts(&self, batch: &str) -> DbResult<Vec<(String, i64)>>;
    /// Businesses with an `ELIGIBLE` WABA and no live (queued, sending or sent) request:
    /// `(id, Meta id)`.
    async fn intent_candidates(&self, limit: i64) -> DbResult<Vec<(i64, String)>>;
    /// How many businesses [`intent_candidates`](Self::intent_candidates) would return.
    async fn count_intent_candidates(&self) -> DbResult<i64>;
    /// Businesses of a batch in `state`: `(id, Meta id)`.
    async fn intent_batch_members(&self, batch: &str, state: &str) -> DbResult<Vec<(i64, String)>>;
    /// The batch of the most recently queued request.
    async fn intent_latest_batch(&self) -> DbResult<Option<String>>;
}

/// Businesses queued per transaction by [`IntentStore::intent_queue_many`].
pub const QUEUE_CHUNK: usize = 500;

/// Queues a request for `business_id` unless it has a live one; `true` when queued.
async fn queue_one<'c>(
    on: impl super::engine::On<'c>,
    business_id: i64,
    batch: &str,
    now: Millis,
) -> DbResult<bool> {
    let done = query(
        "INSERT INTO intent_requests (business_id, batch, state, created_at, updated_at)
             VALUES ($1, $2, 'queued', $3, $3)
             ON CONFLICT (business_id) DO UPDATE
                SET batch = excluded.batch, state = 'queued', error = NULL,
                    updated_at = excluded.updated_at
                WHERE intent_requests.state IN ('failed', 'cancelled')",
    )
    .bind(business_id)
    .bind(batch.to_string())
    .bind(now)
    .execute(on)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[async_trait]
impl IntentStore for SqlStore {
    async fn intent_queue(&self, business_id: i64, batch: &str) -> DbResult<bool> {
        queue_one(&self.pool, business_id, batch, now_millis()).await
    }

    async fn intent_queue_many(
        &self,
        batch: &str,
        businesses: &[(i64, String)],
        job: &(dyn for<'a> Fn(i64, &'a str, usize) -> NewJob + Sync),
    ) -> DbResult<usize> {
        let mut queued = 0;
        for chunk in businesses.chunks(QUEUE_CHUNK) {
            let mut tx = self.pool.begin().await?;
            let now = now_millis();
            for (business_id, meta_business_id) in chunk {
                if queue_one(&mut tx, *business_id, batch, now).await? {
                    super::jobs::insert_job(&mut tx, &job(*business_id, meta_business_id, queued))
                        .await?;
                    queued += 1;
                }
            }
            tx.commit().await?;
        }
        Ok(queued)
    }

    async fn intent_get(&self, business_id: i64) -> DbResult<Option<IntentRow>> {
        Ok(query_as(
            "SELECT business_id, batch, state, request_id, error, created_at, updated_at
                 FROM intent_requests WHERE business_id = $1",
        )
        .bind(business_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn intent_finish(
        &self,
        business_id: i64,
        state: &str,
        request_id: Option<&str>,
        error: Option<&str>,
    ) -> DbResult<()> {
        query(
            "UPDATE intent_requests SET state = $2,
                    request_id = COALESCE($3, request_id), error = $4, updated_at = $5
                 WHERE business_id = $1",
        )
        .bind(business_id)
        .bind(state)
        .bind(request_id)
        .bind(error)
        .bind(now_millis())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn intent_cancel(&self, batch: &str) -> DbResult<u64> {
        let done = query(
            "UPDATE intent_requests SET state = 'cancelled', updated_at = $2
                 WHERE batch = $1 AND state = 'queued'",
        )
        .bind(batch)
        .bind(now_millis())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    async fn intent_counts(&self, batch: &str) -> DbResult<Vec<(String, i64)>> {
        Ok(query_as(
            "SELECT state, COUNT(*) FROM intent_requests WHERE batch = $1
                 GROUP BY state ORDER BY state",
        )
        .bind(batch)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn intent_candidates(&self, limit: i64) -> DbResult<Vec<(i64, String)>> {
        Ok(query_as(concat!(
            "SELECT b.id, b.meta_business_id FROM businesses b WHERE ",
            intent_candidate_filter!(),
            " ORDER BY b.id LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn count_intent_candidates(&self) -> DbResult<i64> {
        Ok(query_scalar(concat!(
            "SELECT COUNT(*) FROM businesses b WHERE ",
            intent_candidate_filter!()
        ))
        .fetch_one(&self.pool)
        .await?)
    }

    async fn intent_batch_members(&self, batch: &str, state: &str) -> DbResult<Vec<(i64, String)>> {
        Ok(query_as(
            "SELECT b.id, b.meta_business_id FROM intent_requests i
                 JOIN businesses b ON b.id = i.business_id
                 WHERE i.batch = $1 AND i.state = $2 ORDER BY b.id",
        )
        .bind(batch)
        .bind(state)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn intent_latest_batch(&self) -> DbResult<Option<String>> {
        Ok(
            query_scalar("SELECT batch FROM intent_requests ORDER BY updated_at DESC LIMIT 1")
                .fetch_optional(&self.pool)
                .await?,
        )
    }
}
