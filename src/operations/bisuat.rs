//! After an Intent API onboarding, Meta's `MM_LITE_TERMS_SIGNED` webhook means the business's
//! new token can be fetched: `POST /{CLIENT_BUSINESS}/system_user_access_tokens` with
//! `fetch_only=true` and `appsecret_proof` (seed 000). It is sealed as the business token of
//! each of the business's WABAs. Businesses onboarded through Embedded Signup already have
//! theirs from the code exchange; for them this job does nothing.

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::partner::Partner;
use crate::crypto::KeyRing;
use crate::db::{now_millis, DbResult, Job, NewJob, NewTimelineEvent};
use crate::jobs::{JobHandler, Outcome};
use crate::signup::token_slot;

/// The stores this module reads and writes.
pub trait Stores:
    crate::db::IntentStore
    + crate::db::JobStore
    + crate::db::SecretStore
    + crate::db::TimelineStore
    + crate::db::WabaStore
{
}
impl<
        T: crate::db::IntentStore
            + crate::db::JobStore
            + crate::db::SecretStore
            + crate::db::TimelineStore
            + crate::db::WabaStore,
    > Stores for T
{
}

pub const JOB_KIND: &str = "mm.bisuat";

#[derive(Debug, Serialize, Deserialize)]
struct Payload {
    meta_waba_id: String,
}

/// Queues the token fetch for the business of `meta_waba_id` (called when terms are signed).
pub async fn enqueue(repo: &dyn crate::db::JobStore, meta_waba_id: &str) -> DbResult<()> {
    enqueue_keyed(repo, meta_waba_id, format!("bisuat:{meta_waba_id}")).await
}

/// Queues the token fetch again (a staff action), even if it ran before.
pub async fn enqueue_refetch(repo: &dyn crate::db::JobStore, meta_waba_id: &str) -> DbResult<()> {
    let key = format!("bisuat:{meta_waba_id}:{}", now_millis());
    enqueue_keyed(repo, meta_waba_id, key).await
}

async fn enqueue_keyed(
    repo: &dyn crate::db::JobStore,
    meta_waba_id: &str,
    key: String,
) -> DbResult<()> {
    repo.enqueue_job(&NewJob {
        kind: JOB_KIND.into(),
        payload: serde_json::to_string(&Payload {
            meta_waba_id: meta_waba_id.to_string(),
        })
        .expect("payload serialises"),
        run_at: now_millis(),
        max_attempts: 10,
        dedupe_key: Some(key),
    })
    .await?;
    Ok(())
}

pub struct BisuatHandler {
    pub partner: Arc<Partner>,
    pub store: Arc<dyn Stores>,
    pub keys: Arc<KeyRing>,
}

#[async_trait]
impl JobHandler for BisuatHandler {
    fn kind(&self) -> &'static str {
        JOB_KIND
    }

    async fn run(&self, job: &Job) -> Outcome {
        let Ok(payload) = serde_json::from_str::<Payload>(&job.payload) else {
            return Outcome::Fail {
                error: "unreadable token job".into(),
            };
        };
        let Ok(Some((business_id, meta_business_id))) =
            self.store.business_of_waba(&payload.meta_waba_id).await
        else {
            return Outcome::Done;
        };
        match self.store.intent_get(business_id).await {
            // `sending`: the terms webhook came before the interrupted request was confirmed.
            Ok(Some(row)) if row.state == "sent" || row.state == "sending" => {}
            _ => return Outcome::Done, // not an Intent API onboarding
        }
        let token = match self.partner.token().await {
            Ok(token) => token,
            Err(error) => return Outcome::Fail { error },
        };
        let bisuat = match self
            .partner
            .graph
            .fetch_bisuat(&token, &meta_business_id)
            .await
        {
            Ok(bisuat) => bisuat,
            Err(error) => return super::outcome_for(&error, job.attempts, job.max_attempts),
        };
        let Ok(wabas) = self.store.wabas_of_business(business_id).await else {
            return Outcome::Retry {
                error: "database".into(),
                after: std::time::Duration::from_secs(2),
            };
        };
        for (waba_id, meta_waba_id) in wabas {
            let slot = token_slot(&meta_waba_id);
            if self
                .store
                .put_secret(&slot, &self.keys.seal(&slot, &bisuat))
                .await
                .is_err()
            {
                return Outcome::Retry {
                    error: "database".into(),
                    after: std::time::Duration::from_secs(2),
                };
            }
            let _ = self
                .store
                .append_timeline(&NewTimelineEvent {
                    waba_id: Some(waba_id),
                    kind: "intent.token".into(),
                    summary: "Business token fetched after the terms were signed".into(),
                    detail: None,
                    actor: "system".into(),
                })
                .await;
        }
        Outcome::Done
    }
}
