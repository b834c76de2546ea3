//! One WABA's fetch of Meta's template analytics (a durable job): confirm template analytics
//! on the WABA once (`is_enabled_for_insights`), then ask for the last [`super::WINDOW_DAYS`]
//! days of its approved marketing templates, 10 at a time (Meta's maximum), MM API traffic
//! only. Transient Graph errors are retried; a refusal is kept on the WABA's fetch state for
//! staff, with the days already stored left as they are.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::crypto::KeyRing;
use crate::db::{now_millis, DbResult, Job};
use crate::graph::{GraphClient, Reaction};
use crate::jobs::backoff::full_jitter;
use crate::jobs::waba_job::{self, NotOpened};
use crate::jobs::{JobHandler, Outcome};

pub const JOB_KIND: &str = "mm_metrics.fetch";

/// Meta's maximum of `template_ids` per call.
const IDS_PER_CALL: usize = 10;

/// The stores the job reads and writes.
pub trait Stores:
    crate::db::MmMetricsStore
    + crate::db::TemplateStore
    + waba_job::WabaTokenStores
    + crate::db::JobStore
{
}
impl<
        T: crate::db::MmMetricsStore
            + crate::db::TemplateStore
            + crate::db::WabaStore
            + crate::db::SecretStore
            + crate::db::JobStore,
    > Stores for T
{
}

/// Queues a fetch for `waba_id` (at most one a minute).
pub async fn enqueue(jobs: &dyn crate::db::JobStore, waba_id: i64) -> DbResult<()> {
    waba_job::enqueue(jobs, JOB_KIND, waba_id, Duration::from_secs(60), 6).await
}

pub struct MetricsFetchHandler {
    pub store: Arc<dyn Stores>,
    pub graph: GraphClient,
    pub keys: Arc<KeyRing>,
}

#[async_trait]
impl JobHandler for MetricsFetchHandler {
    fn kind(&self) -> &'static str {
        JOB_KIND
    }

    async fn run(&self, job: &Job) -> Outcome {
        let retry = |error: String| Outcome::Retry {
            error,
            after: full_jitter(
                job.attempts as u32,
                Duration::from_secs(1),
                Duration::from_secs(300),
            ),
        };
        let (waba, token) = match waba_job::open(job, self.store.as_ref(), &self.keys).await {
            Ok(opened) => opened,
            Err(NotOpened::Outcome(outcome)) => return outcome,
            Err(NotOpened::Disconnected(reason)) => {
                // Kept for staff; nothing is asked of Meta with a token it no longer honours.
                let _ = self
                    .store
                    .metrics_save(waba_id(job), &[], Some(reason), now_millis())
                    .await;
                return Outcome::Done;
            }
        };
        let refused = |message: String| async move {
            let _ = self
                .store
                .metrics_save(waba.id, &[], Some(&message), now_millis())
                .await;
            Outcome::Fail { error: message }
        };
        let state = match self.store.mm_metrics_fetch_state(waba.id).await {
            Ok(state) => state,
            Err(error) => return retry(error.to_string()),
        };
        if state.insights_enabled_at.is_none() {
            match self.graph.enable_insights(&token, &waba.meta_waba_id).await {
                Ok(()) => {
                    if let Err(error) = self
                        .store
                        .metrics_insights_enabled(waba.id, now_millis())
                        .await
                    {
                        return retry(error.to_string());
                    }
                }
                Err(error) if matches!(error.reaction(), Reaction::Retry { .. }) => {
                    return retry(error.to_string())
                }
                Err(error) => return refused(error.to_string()).await,
            }
        }
        let templates = match self.store.templates_for_waba(waba.id).await {
            Ok((_, templates)) => templates,
            Err(error) => return retry(error.to_string()),
        };
        let ids: Vec<String> = templates
            .into_iter()
            .filter(|t| t.category == "MARKETING" && t.status == "APPROVED")
            .map(|t| t.meta_template_id)
            .collect();
        let end = now_millis() / 1000;
        let start = end - super::WINDOW_DAYS * 86_400;
        let mut days = Vec::new();
        for chunk in ids.chunks(IDS_PER_CALL) {
            match self
                .graph
                .template_analytics(
                    &token,
                    &waba.meta_waba_id,
                    chunk,
                    (start, end),
                    super::PRODUCT_TYPE,
                )
                .await
            {
                Ok(answer) => days.extend(super::parse::days(&answer)),
                Err(error) if matches!(error.reaction(), Reaction::Retry { .. }) => {
                    return retry(error.to_string())
                }
                Err(error) => return refused(error.to_string()).await,
            }
        }
        match self
            .store
            .metrics_save(waba.id, &days, None, now_millis())
            .await
        {
            Ok(()) => Outcome::Done,
            Err(error) => retry(error.to_string()),
        }
    }
}

/// The WABA a job names (for a refusal recorded before the WABA was read).
fn waba_id(job: &Job) -> i64 {
    serde_json::from_str::<serde_json::Value>(&job.payload)
        .ok()
        .and_then(|p| p.get("waba_id").and_then(serde_json::Value::as_i64))
        .unwrap_or_default()
}
