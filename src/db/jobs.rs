//! The durable job queue: leases, retries, dedupe keys (see `crate::jobs`).

use async_trait::async_trait;

use super::engine::{query, query_as, query_scalar};
use super::*;

/// The durable job queue.
#[async_trait]
pub trait JobStore: Send + Sync + 'static {
    /// Returns the new job's id, or `None` when a job with the same dedupe key exists.
    async fn enqueue_job(&self, job: &NewJob) -> DbResult<Option<i64>>;
    /// Leases up to `limit` due jobs (or jobs whose lease expired) to `worker` until
    /// `now + lease_ms`. Two workers never receive the same job while its lease holds.
    async fn claim_jobs(
        &self,
        worker: &str,
        now: Millis,
        lease_ms: i64,
        limit: i64,
    ) -> DbResult<Vec<Job>>;
    /// Extends every lease `worker` holds to `now + lease_ms` (its heartbeat, while it runs a
    /// batch). Returns how many jobs it still holds.
    async fn renew_leases(&self, worker: &str, now: Millis, lease_ms: i64) -> DbResult<u64>;
    /// Records how a job ended. Returns `false` when `worker` no longer holds the lease.
    async fn finish_job(&self, id: i64, worker: &str, result: &JobResult) -> DbResult<bool>;
    async fn job(&self, id: i64) -> DbResult<Option<Job>>;
    async fn count_jobs(&self, status: JobStatus) -> DbResult<i64>;
}

/// Inserts `job` on `on` (the pool, or a transaction that queues more with it).
pub(super) async fn insert_job<'c>(
    on: impl super::engine::On<'c>,
    job: &NewJob,
) -> DbResult<Option<i64>> {
    query_scalar(
        "INSERT INTO jobs (kind, payload, max_attempts, run_at, dedupe_key,
                               created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6)
             ON CONFLICT (dedupe_key) DO NOTHING
             RETURNING id",
    )
    .bind(&job.kind)
    .bind(&job.payload)
    .bind(job.max_attempts)
    .bind(job.run_at)
    .bind(&job.dedupe_key)
    .bind(now_millis())
    .fetch_optional(on)
    .await
}

#[async_trait]
impl JobStore for SqlStore {
    async fn enqueue_job(&self, job: &NewJob) -> DbResult<Option<i64>> {
        insert_job(&self.pool, job).await
    }

    async fn claim_jobs(
        &self,
        worker: &str,
        now: Millis,
        lease_ms: i64,
        limit: i64,
    ) -> DbResult<Vec<Job>> {
        let sql = format!(
            "UPDATE jobs SET status = 'running', attempts = attempts + 1,
                        locked_by = $1, locked_until = $2, updated_at = $3
                 WHERE id IN (
                    SELECT id FROM jobs
                    WHERE (status = 'queued' AND run_at <= $3)
                       OR (status = 'running' AND locked_until < $3)
                    ORDER BY run_at, id
                    LIMIT $4 {}
                 )
                 RETURNING id, kind, payload, status, attempts, max_attempts, run_at,
                           locked_by, locked_until, last_error",
            self.dialect().claim_lock
        );
        Ok(query_as(sql)
            .bind(worker)
            .bind(now + lease_ms)
            .bind(now)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?)
    }

    async fn renew_leases(&self, worker: &str, now: Millis, lease_ms: i64) -> DbResult<u64> {
        // `locked_until >= now`: a lease that already ran out may have been taken over; the
        // worker lost it and must not take it back.
        let renewed = query(
            "UPDATE jobs SET locked_until = $1
                 WHERE locked_by = $2 AND status = 'running' AND locked_until >= $3",
        )
        .bind(now + lease_ms)
        .bind(worker)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(renewed.rows_affected())
    }

    async fn finish_job(&self, id: i64, worker: &str, result: &JobResult) -> DbResult<bool> {
        use JobResult;
        let now = now_millis();
        let (status_sql, error, run_at) = match result {
            JobResult::Done => ("'done'", None, None),
            JobResult::Retry { error, at } => (
                "CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END",
                Some(error.as_str()),
                Some(*at),
            ),
            JobResult::Failed { error } => ("'failed'", Some(error.as_str()), None),
        };
        let sql = format!(
            "UPDATE jobs SET status = {status_sql},
                        last_error = COALESCE($1, last_error),
                        run_at = COALESCE($2, run_at),
                        locked_by = NULL, locked_until = NULL, updated_at = $3
                 WHERE id = $4 AND locked_by = $5 AND status = 'running'"
        );
        let done = query(&sql)
            .bind(error)
            .bind(run_at)
            .bind(now)
            .bind(id)
            .bind(worker)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn job(&self, id: i64) -> DbResult<Option<Job>> {
        Ok(query_as(
            "SELECT id, kind, payload, status, attempts, max_attempts, run_at,
                        locked_by, locked_until, last_error
                 FROM jobs WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn count_jobs(&self, status: JobStatus) -> DbResult<i64> {
        Ok(query_scalar("SELECT COUNT(*) FROM jobs WHERE status = $1")
            .bind(status.as_str())
            .fetch_one(&self.pool)
            .await?)
    }
}
