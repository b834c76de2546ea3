//! The schedule of Meta metric fetches: a job that runs every [`EVERY`], queues a fetch for
//! up to [`PER_ROUND`] onboarded WABAs not fetched for [`STALE_AFTER`] (never-fetched ones
//! first), and queues its own next round. Rounds are keyed by their time slot, so several
//! instances queue each round once. A round is one read (the onboarded WABAs with an approved
//! marketing template, not fetched since the cut-off, oldest first) and at most 200 job
//! inserts: 28,800 fetches a day, so a fleet of up to about 7,000 onboarded WABAs is read
//! every 6 hours and larger ones on a longer cycle (`MEASUREMENTS.md` has the read's time
//! at 100,000 WABAs).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::db::{now_millis, DbResult, Job, NewJob};
use crate::jobs::{JobHandler, Outcome};

pub const JOB_KIND: &str = "mm_metrics.schedule";

pub const EVERY: Duration = Duration::from_secs(600);
const PER_ROUND: i64 = 200;
const STALE_AFTER: Duration = Duration::from_secs(6 * 3600);

/// The stores the schedule uses.
pub trait Stores: crate::db::MmMetricsStore + crate::db::JobStore {}
impl<T: crate::db::MmMetricsStore + crate::db::JobStore> Stores for T {}

/// Queues the round of the slot `at` falls in (once, whoever asks).
pub async fn enqueue_round(jobs: &dyn crate::db::JobStore, at: i64) -> DbResult<()> {
    let every = EVERY.as_millis() as i64;
    let slot = at / every;
    jobs.enqueue_job(&NewJob {
        kind: JOB_KIND.into(),
        payload: "{}".into(),
        run_at: slot * every,
        max_attempts: 3,
        dedupe_key: Some(format!("mm_metrics.schedule:{slot}")),
    })
    .await?;
    Ok(())
}

pub struct MetricsScheduleHandler {
    pub store: Arc<dyn Stores>,
}

#[async_trait]
impl JobHandler for MetricsScheduleHandler {
    fn kind(&self) -> &'static str {
        JOB_KIND
    }

    async fn run(&self, _job: &Job) -> Outcome {
        let now = now_millis();
        let retry = |error: crate::db::DbError| Outcome::Retry {
            error: error.to_string(),
            after: Duration::from_secs(10),
        };
        // The next round first: a failure below must not end the schedule.
        if let Err(error) = enqueue_round(self.store.as_ref(), now + EVERY.as_millis() as i64).await
        {
            return retry(error);
        }
        let due = match self
            .store
            .metrics_due(now - STALE_AFTER.as_millis() as i64, PER_ROUND)
            .await
        {
            Ok(due) => due,
            Err(error) => return retry(error),
        };
        for waba in due {
            if let Err(error) = super::fetch::enqueue(self.store.as_ref(), waba).await {
                return retry(error);
            }
        }
        Outcome::Done
    }
}
