//! The durable job queue's workers.
//!
//! Jobs live in the database (see [`crate::db::JobStore::claim_jobs`]); a worker leases a
//! batch, runs each job's handler, and records the outcome. While it runs the batch a
//! heartbeat renews the leases every `heartbeat` (1 s), so a lease can be short (4 s): a
//! worker that dies mid-job stops renewing, and any instance claims its jobs again within the
//! lease, however long the job itself takes. Handlers must be idempotent (each pipeline step
//! checks what is already done before acting). On shutdown the worker stops claiming and
//! finishes the job it is running.

pub mod backoff;
pub mod waba_job;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use crate::db::{now_millis, Job, JobResult, JobStore};

/// What a handler says about a job it ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// A transient failure: run again after `after` (if attempts remain).
    Retry {
        error: String,
        after: Duration,
    },
    /// A permanent failure: stop, keep the error for staff.
    Fail {
        error: String,
    },
}

#[async_trait]
pub trait JobHandler: Send + Sync + 'static {
    /// The `kind` column this handler runs.
    fn kind(&self) -> &'static str;
    async fn run(&self, job: &Job) -> Outcome;
}

/// Tuning for one worker.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// Name written into `locked_by`; unique per worker.
    pub worker_id: String,
    /// How often an idle worker looks for due jobs.
    pub poll_interval: Duration,
    /// How long a claim holds without a heartbeat before another worker may take the job.
    pub lease: Duration,
    /// How often a worker running a batch renews its leases; well under `lease`, so a slow
    /// renewal (a busy database) does not lose them.
    pub heartbeat: Duration,
    /// Jobs claimed per round trip.
    pub batch: i64,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self {
            worker_id: format!("worker-{}", uuid::Uuid::new_v4().simple()),
            poll_interval: Duration::from_millis(250),
            lease: Duration::from_secs(4),
            heartbeat: Duration::from_secs(1),
            batch: 8,
        }
    }
}

pub struct Worker {
    repo: Arc<dyn JobStore>,
    handlers: HashMap<&'static str, Arc<dyn JobHandler>>,
    settings: WorkerSettings,
}

impl Worker {
    pub fn new(repo: Arc<dyn JobStore>, settings: WorkerSettings) -> Self {
        Self {
            repo,
            handlers: HashMap::new(),
            settings,
        }
    }

    pub fn register(mut self, handler: Arc<dyn JobHandler>) -> Self {
        self.handlers.insert(handler.kind(), handler);
        self
    }

    /// Runs until `shutdown` is cancelled; the job in progress at that moment completes first.
    pub async fn run(self, shutdown: CancellationToken) {
        tracing::info!(worker = %self.settings.worker_id, kinds = ?self.handlers.keys().collect::<Vec<_>>(), "job worker started");
        while !shutdown.is_cancelled() {
            let ran = match self.run_once().await {
                Ok(count) => count,
                Err(error) => {
                    tracing::warn!(%error, "job worker could not claim jobs");
                    0
                }
            };
            if ran == 0 {
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = tokio::time::sleep(self.settings.poll_interval) => {}
                }
            }
        }
        tracing::info!(worker = %self.settings.worker_id, "job worker stopped");
    }

    /// Claims one batch and runs it. Returns how many jobs ran.
    pub async fn run_once(&self) -> Result<usize, crate::db::DbError> {
        let jobs = self
            .repo
            .claim_jobs(
                &self.settings.worker_id,
                now_millis(),
                self.settings.lease.as_millis() as i64,
                self.settings.batch,
            )
            .await?;
        let count = jobs.len();
        if count == 0 {
            return Ok(0);
        }
        // The batch runs while the heartbeat renews its leases; the heartbeat never ends by
        // itself, so `select!` returns when the batch is done.
        tokio::select! {
            () = self.run_batch(jobs) => {}
            () = self.heartbeat() => {}
        }
        Ok(count)
    }

    /// Renews this worker's leases every `heartbeat`, forever.
    async fn heartbeat(&self) {
        let lease = self.settings.lease.as_millis() as i64;
        loop {
            tokio::time::sleep(self.settings.heartbeat).await;
            if let Err(error) = self
                .repo
                .renew_leases(&self.settings.worker_id, now_millis(), lease)
                .await
            {
                tracing::warn!(worker = %self.settings.worker_id, %error, "could not renew job leases");
            }
        }
    }

    async fn run_batch(&self, jobs: Vec<Job>) {
        for job in jobs {
            let result = self.execute(&job).await;
            match self
                .repo
                .finish_job(job.id, &self.settings.worker_id, &result)
                .await
            {
                Ok(true) => {}
                Ok(false) => {
                    tracing::warn!(job = job.id, kind = %job.kind, "lease lost before the job finished")
                }
                Err(error) => {
                    tracing::error!(job = job.id, %error, "could not record a job's outcome")
                }
            }
        }
    }

    async fn execute(&self, job: &Job) -> JobResult {
        if job.attempts > job.max_attempts {
            return JobResult::Failed {
                error: format!("gave up after {} attempts", job.max_attempts),
            };
        }
        let Some(handler) = self.handlers.get(job.kind.as_str()) else {
            return JobResult::Failed {
                error: format!("no handler for job kind `{}`", job.kind),
            };
        };
        let span =
            tracing::info_span!("job", id = job.id, kind = %job.kind, attempt = job.attempts);
        let outcome = tracing::Instrument::instrument(handler.run(job), span).await;
        match outcome {
            Outcome::Done => JobResult::Done,
            Outcome::Retry { error, after } => {
                tracing::info!(job = job.id, %error, retry_in_ms = after.as_millis() as u64, "job will be retried");
                JobResult::Retry {
                    error,
                    at: now_millis() + after.as_millis() as i64,
                }
            }
            Outcome::Fail { error } => {
                tracing::warn!(job = job.id, %error, "job failed");
                JobResult::Failed { error }
            }
        }
    }
}
