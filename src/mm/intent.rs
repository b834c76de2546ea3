//! The Intent API (`POST /{END_BUSINESS}/onboard_partners_to_mm_lite`, seed 004), for one
//! business or a selection of thousands.
//!
//! Each business gets at most one live request: `intent_requests` is keyed by business and a
//! new request is queued only when none is queued or sent (Meta is idempotent too: a pending
//! request answers the same `request_id`). Bulk sends are paced by spreading the jobs' start
//! times at the configured rate, so every instance together stays under Meta's limit; a crash
//! leaves the remaining jobs queued, and cancelling (pausing) marks the batch's queued requests,
//! which their jobs then skip; resuming queues the cancelled ones again.

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::partner::Partner;
use crate::db::{now_millis, DashboardStore, DbResult, Job, NewJob, NewTimelineEvent, Repository};
use crate::jobs::{JobHandler, Outcome};

pub const JOB_KIND: &str = "mm.intent";

#[derive(Debug, Serialize, Deserialize)]
struct Payload {
    business_id: i64,
    meta_business_id: String,
}

/// Queues requests for `businesses` (`(id, Meta id)`) in `batch`, `rate` per second from now.
/// Returns how many were queued (businesses with a live request are skipped).
pub async fn queue(
    repo: &dyn Repository,
    store: &dyn DashboardStore,
    batch: &str,
    businesses: &[(i64, String)],
    rate_per_second: f64,
) -> DbResult<usize> {
    let spacing_ms = (1000.0 / rate_per_second.max(0.01)) as i64;
    let start = now_millis();
    // A resumed batch queues its businesses again: a new job key per run.
    let mut queued = 0;
    for (business_id, meta_business_id) in businesses {
        if !store.intent_queue(*business_id, batch).await? {
            continue;
        }
        repo.enqueue_job(&NewJob {
            kind: JOB_KIND.into(),
            payload: serde_json::to_string(&Payload {
                business_id: *business_id,
                meta_business_id: meta_business_id.clone(),
            })
            .expect("payload serialises"),
            run_at: start + queued as i64 * spacing_ms,
            max_attempts: 10,
            dedupe_key: Some(format!("intent:{business_id}:{batch}:{start}")),
        })
        .await?;
        queued += 1;
    }
    Ok(queued)
}

pub struct IntentHandler {
    pub partner: Arc<Partner>,
    pub repo: Arc<dyn Repository>,
    pub store: Arc<dyn DashboardStore>,
    pub solution_id: Option<String>,
}

impl IntentHandler {
    async fn timeline(&self, business_id: i64, summary: &str) {
        if let Ok(wabas) = self.store.wabas_of_business(business_id).await {
            for (waba_id, _) in wabas {
                let _ = self
                    .repo
                    .append_timeline(&NewTimelineEvent {
                        waba_id: Some(waba_id),
                        kind: "intent.request".into(),
                        summary: summary.to_string(),
                        detail: None,
                        actor: "system".into(),
                    })
                    .await;
            }
        }
    }
}

#[async_trait]
impl JobHandler for IntentHandler {
    fn kind(&self) -> &'static str {
        JOB_KIND
    }

    async fn run(&self, job: &Job) -> Outcome {
        let Ok(payload) = serde_json::from_str::<Payload>(&job.payload) else {
            return Outcome::Fail {
                error: "unreadable intent job".into(),
            };
        };
        match self.store.intent_get(payload.business_id).await {
            Ok(Some(row)) if row.state == "queued" => {}
            // Cancelled, or already sent by an earlier run of this job: nothing to do.
            Ok(_) => return Outcome::Done,
            Err(e) => {
                return Outcome::Retry {
                    error: e.to_string(),
                    after: std::time::Duration::from_secs(2),
                }
            }
        }
        let token = match self.partner.token().await {
            Ok(token) => token,
            Err(error) => return Outcome::Fail { error },
        };
        match self
            .partner
            .graph
            .onboard_to_mm(
                &token,
                &payload.meta_business_id,
                self.solution_id.as_deref(),
            )
            .await
        {
            Ok(request_id) => {
                let _ = self
                    .store
                    .intent_finish(payload.business_id, "sent", Some(&request_id), None)
                    .await;
                self.timeline(
                    payload.business_id,
                    &format!("Intent API request sent (request {request_id}); Meta emails the business's admins"),
                )
                .await;
                Outcome::Done
            }
            Err(error) => {
                let outcome = super::outcome_for(&error, job.attempts, job.max_attempts);
                if let Outcome::Fail { error: message } = &outcome {
                    let _ = self
                        .store
                        .intent_finish(payload.business_id, "failed", None, Some(message))
                        .await;
                    self.timeline(
                        payload.business_id,
                        &format!("Intent API request failed: {message}"),
                    )
                    .await;
                }
                outcome
            }
        }
    }
}
