//! The template listing job: `GET /{WABA}/message_templates`, every page, with the business
//! token, written as one complete listing (`TemplateStore::templates_sync`). Queued once the
//! pipeline has read the account, and again when staff ask; transient Graph errors are
//! retried with backoff, a refusal is written on the WABA's timeline.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::crypto::KeyRing;
use crate::db::{now_millis, DbResult, Job, NewTimelineEvent, TemplateSeen};
use crate::graph::{GraphClient, Reaction};
use crate::jobs::backoff::full_jitter;
use crate::jobs::waba_job::{self, NotOpened};
use crate::jobs::{JobHandler, Outcome};

pub const JOB_KIND: &str = "templates.sync";

/// At most this many pages of 100 (10,000 templates; Meta's own limit per WABA is lower).
const MAX_PAGES: usize = 100;

/// The stores the job reads and writes.
pub trait Stores:
    crate::db::TemplateStore
    + waba_job::WabaTokenStores
    + crate::db::TimelineStore
    + crate::db::JobStore
{
}
impl<
        T: crate::db::TemplateStore
            + crate::db::WabaStore
            + crate::db::SecretStore
            + crate::db::TimelineStore
            + crate::db::JobStore,
    > Stores for T
{
}

/// Queues a listing of `waba_id`'s templates (at most one a second).
pub async fn enqueue(jobs: &dyn crate::db::JobStore, waba_id: i64) -> DbResult<()> {
    waba_job::enqueue(jobs, JOB_KIND, waba_id, Duration::from_secs(1), 8).await
}

pub struct TemplateSyncHandler {
    pub store: Arc<dyn Stores>,
    pub graph: GraphClient,
    pub keys: Arc<KeyRing>,
}

#[async_trait]
impl JobHandler for TemplateSyncHandler {
    fn kind(&self) -> &'static str {
        JOB_KIND
    }

    async fn run(&self, job: &Job) -> Outcome {
        let retry = |error: String, attempts: i64| Outcome::Retry {
            error,
            after: full_jitter(
                attempts as u32,
                Duration::from_millis(500),
                Duration::from_secs(60),
            ),
        };
        let (waba, token) = match waba_job::open(job, self.store.as_ref(), &self.keys).await {
            Ok(opened) => opened,
            Err(NotOpened::Outcome(outcome)) => return outcome,
            Err(NotOpened::Disconnected(reason)) => {
                return Outcome::Fail {
                    error: reason.into(),
                }
            }
        };
        let mut listed = Vec::new();
        let mut after: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = match self
                .graph
                .message_templates(&token, &waba.meta_waba_id, after.as_deref())
                .await
            {
                Ok(page) => page,
                Err(error) => {
                    let message = error.to_string();
                    if matches!(error.reaction(), Reaction::Retry { .. })
                        && job.attempts < job.max_attempts
                    {
                        return retry(message, job.attempts);
                    }
                    let _ = self
                        .store
                        .append_timeline(&NewTimelineEvent {
                            waba_id: Some(waba.id),
                            kind: "templates.failed".into(),
                            summary: format!("Meta refused the template listing: {message}"),
                            detail: None,
                            actor: "system".into(),
                        })
                        .await;
                    return Outcome::Fail { error: message };
                }
            };
            after = page.next_cursor();
            listed.extend(page.data.into_iter().map(|t| TemplateSeen {
                meta_template_id: t.id,
                name: t.name,
                language: t.language,
                category: t.category,
                status: t.status,
            }));
            if after.is_none() {
                break;
            }
        }
        match self
            .store
            .templates_sync(waba.id, &listed, now_millis())
            .await
        {
            Ok(_) => Outcome::Done,
            Err(error) => retry(error.to_string(), job.attempts),
        }
    }
}
