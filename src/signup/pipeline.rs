//! The onboarding pipeline: durable jobs, one step at a time (docs/PRODUCT.md §"Onboarding pipeline").
//!
//! Each step is a job of kind [`JOB_KIND`] in the database queue, so a crash or restart
//! resumes it and two instances never run the same step at once (job leases). Every step is
//! idempotent and records its state in `onboarding_steps` before the next one is enqueued; a
//! step found already `done` is never run again, it only makes sure its successor is queued.
//! Transient Graph errors and rate limits are retried with capped exponential backoff and full
//! jitter (at least as long as Meta's usage header asks); a permanent error stops the pipeline
//! at that step with Meta's message, until staff resume it ([`resume`]).
//!
//! Steps: subscribe the app to the WABA's webhooks → read the WABA and its numbers → register
//! each number with a PIN the portal generates (never for coexistence numbers) → for a
//! coexistence number, ask for the Business app's contacts and history within 24 hours
//! (`super::coexistence`) → read
//! `marketing_messages_onboarding_status` → wait for `MM_LITE_TERMS_SIGNED` (the webhook sets
//! it; this step also re-reads the status now and then, in case the webhook is late).
//! The optional credit-line step for Solution Partners is not built yet.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use rand::Rng;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::pin_slot;
use super::{business_token, NoToken};
use crate::crypto::KeyRing;
use crate::db::{
    now_millis, DbResult, Job, NewJob, NewTimelineEvent, PhoneUpsert, StepUpdate, Waba, WabaUpsert,
};
use crate::graph::{GraphCallError, GraphClient, Reaction};
use crate::jobs::backoff::{exponential_ceiling, full_jitter};
use crate::jobs::{JobHandler, Outcome};

/// The stores this module reads and writes.
pub trait Stores:
    crate::db::JobStore
    + crate::db::CoexistenceStore
    + crate::db::SecretStore
    + crate::db::StepStore
    + crate::db::TimelineStore
    + crate::db::WabaStore
    + crate::db::SignupStore
{
}
impl<
        T: crate::db::JobStore
            + crate::db::CoexistenceStore
            + crate::db::SecretStore
            + crate::db::StepStore
            + crate::db::TimelineStore
            + crate::db::WabaStore
            + crate::db::SignupStore,
    > Stores for T
{
}

pub const JOB_KIND: &str = "onboarding.step";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    SubscribeWebhooks,
    FetchAccount,
    RegisterPhone,
    /// Coexistence numbers only: ask Meta for the Business app's contacts and history.
    SyncAppData,
    CheckEligibility,
    AwaitTerms,
}

pub const STEPS: [Step; 6] = [
    Step::SubscribeWebhooks,
    Step::FetchAccount,
    Step::RegisterPhone,
    Step::SyncAppData,
    Step::CheckEligibility,
    Step::AwaitTerms,
];

impl Step {
    pub fn first() -> Step {
        STEPS[0]
    }

    pub fn next(self) -> Option<Step> {
        let index = STEPS.iter().position(|s| *s == self)?;
        STEPS.get(index + 1).copied()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Step::SubscribeWebhooks => "subscribe_webhooks",
            Step::FetchAccount => "fetch_account",
            Step::RegisterPhone => "register_phone",
            Step::SyncAppData => "sync_app_data",
            Step::CheckEligibility => "check_eligibility",
            Step::AwaitTerms => "await_terms",
        }
    }

    pub fn parse(text: &str) -> Option<Step> {
        STEPS.into_iter().find(|s| s.as_str() == text)
    }

    fn max_attempts(self) -> i64 {
        match self {
            // Polls for days at a capped interval; the webhook normally ends it in seconds.
            Step::AwaitTerms => 10_000,
            _ => 8,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Payload {
    waba_id: i64,
    step: Step,
    /// Which run of the pipeline: the signup id at first, a timestamp after a staff resume.
    run: i64,
    /// Run this step alone (a staff member repeating it), not the steps after it.
    #[serde(default)]
    only: bool,
}

/// Queues `step` of the pipeline for `waba_id` (at most once per run).
pub async fn enqueue<J: crate::db::JobStore + ?Sized>(
    repo: &J,
    waba_id: i64,
    step: Step,
    run: i64,
) -> DbResult<()> {
    enqueue_payload(
        repo,
        Payload {
            waba_id,
            step,
            run,
            only: false,
        },
    )
    .await
}

fn new_job(payload: &Payload) -> NewJob {
    let Payload {
        waba_id,
        step,
        run,
        only,
    } = payload;
    let scope = if *only { "repeat" } else { "onboarding" };
    NewJob {
        kind: JOB_KIND.into(),
        payload: serde_json::to_string(payload).expect("payload serialises"),
        run_at: now_millis(),
        max_attempts: step.max_attempts(),
        dedupe_key: Some(format!("{scope}:{waba_id}:{}:{run}", step.as_str())),
    }
}

async fn enqueue_payload<J: crate::db::JobStore + ?Sized>(
    repo: &J,
    payload: Payload,
) -> DbResult<()> {
    repo.enqueue_job(&new_job(&payload)).await?;
    Ok(())
}

/// What staff actions on a pipeline write: the step, the timeline, the job.
pub trait StepControl:
    crate::db::StepStore + crate::db::TimelineStore + crate::db::JobStore
{
}
impl<T: crate::db::StepStore + crate::db::TimelineStore + crate::db::JobStore + ?Sized> StepControl
    for T
{
}

/// Runs one step again on its own (staff: re-subscribe webhooks, re-read the account and its
/// status), whatever state it is in; the steps after it are left alone.
pub async fn repeat<S: StepControl + ?Sized>(
    store: &S,
    waba_id: i64,
    step: Step,
    actor: &str,
) -> DbResult<()> {
    store
        .put_step(&StepUpdate {
            waba_id,
            step: step.as_str().into(),
            state: "queued".into(),
            detail: Some(format!("Asked again by {actor}")),
            error_code: None,
            attempt: false,
        })
        .await?;
    store
        .append_timeline(&NewTimelineEvent {
            waba_id: Some(waba_id),
            kind: "pipeline.repeated".into(),
            summary: format!("Step {} run again", step.as_str()),
            detail: None,
            actor: actor.into(),
        })
        .await?;
    let payload = Payload {
        waba_id,
        step,
        run: now_millis(),
        only: true,
    };
    enqueue_payload(store, payload).await
}

/// Restarts a stopped pipeline from its failed step. Returns the step, or `None` when no step
/// has failed.
pub async fn resume<S: StepControl + ?Sized>(
    store: &S,
    waba_id: i64,
    actor: &str,
) -> DbResult<Option<Step>> {
    let steps = store.steps_for_waba(waba_id).await?;
    let failed = STEPS.into_iter().find(|step| {
        steps
            .iter()
            .any(|s| s.step == step.as_str() && s.state == "failed")
    });
    let Some(step) = failed else {
        return Ok(None);
    };
    store
        .put_step(&StepUpdate {
            waba_id,
            step: step.as_str().into(),
            state: "queued".into(),
            detail: Some(format!("Resumed by {actor}")),
            error_code: None,
            attempt: false,
        })
        .await?;
    store
        .append_timeline(&NewTimelineEvent {
            waba_id: Some(waba_id),
            kind: "pipeline.resumed".into(),
            summary: format!("Onboarding resumed at step {}", step.as_str()),
            detail: None,
            actor: actor.into(),
        })
        .await?;
    enqueue(store, waba_id, step, now_millis()).await?;
    Ok(Some(step))
}

/// How one run of a step ended.
enum StepResult {
    Done(String),
    Skipped(String),
    /// Not yet: look again after the delay.
    Waiting(String, Duration),
    /// It cannot succeed any more (not a Graph error): stop with this reason.
    Stopped(String),
}

pub struct PipelineHandler {
    store: Arc<dyn Stores>,
    graph: GraphClient,
    keys: Arc<KeyRing>,
    /// Shortest retry delay; sandbox tests keep it small.
    retry_base: Duration,
}

impl PipelineHandler {
    pub fn new(store: Arc<dyn Stores>, graph: GraphClient, keys: Arc<KeyRing>) -> Self {
        Self {
            store,
            graph,
            keys,
            retry_base: Duration::from_millis(500),
        }
    }

    async fn record(
        &self,
        waba: &Waba,
        step: Step,
        state: &str,
        detail: &str,
        error_code: Option<i64>,
        attempt: bool,
    ) -> DbResult<()> {
        self.store
            .put_step(&StepUpdate {
                waba_id: waba.id,
                step: step.as_str().into(),
                state: state.into(),
                detail: Some(detail.into()),
                error_code,
                attempt,
            })
            .await?;
        if state != "running" && state != "waiting" {
            self.store
                .append_timeline(&NewTimelineEvent {
                    waba_id: Some(waba.id),
                    kind: format!("pipeline.{}", step.as_str()),
                    summary: format!("{} — {state}: {detail}", step.as_str()),
                    detail: error_code.map(|c| format!("{{\"graph_error_code\":{c}}}")),
                    actor: "system".into(),
                })
                .await?;
        }
        Ok(())
    }

    async fn run_step(
        &self,
        step: Step,
        waba: &Waba,
        token: &SecretString,
        attempt: i64,
    ) -> Result<StepResult, GraphCallError> {
        match step {
            Step::SubscribeWebhooks => {
                self.graph.subscribe_app(token, &waba.meta_waba_id).await?;
                Ok(StepResult::Done(
                    "We now receive your account's updates from Meta.".into(),
                ))
            }
            Step::FetchAccount => self.fetch_account(waba, token).await,
            Step::RegisterPhone => self.register_phones(waba, token).await,
            Step::SyncAppData => {
                let phones = self.store.phones_for_waba(waba.id).await.map_err(store)?;
                let store: &dyn crate::db::CoexistenceStore = self.store.as_ref();
                Ok(
                    match super::coexistence::run(&self.graph, store, waba, &phones, token).await? {
                        super::coexistence::Synced::Requested(detail) => StepResult::Done(detail),
                        super::coexistence::Synced::NotCoexistence => StepResult::Skipped(
                            "Not a WhatsApp Business app number: nothing to sync.".into(),
                        ),
                        super::coexistence::Synced::Expired(detail) => StepResult::Stopped(detail),
                    },
                )
            }
            Step::CheckEligibility => {
                let status = self.refresh_status(waba, token).await?;
                Ok(StepResult::Done(format!(
                    "Meta reports the status {status}."
                )))
            }
            Step::AwaitTerms => {
                if waba.mm_terms_signed_at.is_some()
                    || waba.onboarding_status.as_deref() == Some("ONBOARDED")
                {
                    return Ok(StepResult::Done("The MM API terms are signed.".into()));
                }
                let status = self.refresh_status(waba, token).await?;
                if status == "ONBOARDED" {
                    return Ok(StepResult::Done("Meta reports ONBOARDED.".into()));
                }
                let wait = exponential_ceiling(
                    (attempt.max(1) - 1) as u32,
                    Duration::from_secs(2),
                    Duration::from_secs(600),
                );
                Ok(StepResult::Waiting(
                    format!("Waiting for the MM API terms to be signed (Meta reports {status})."),
                    wait,
                ))
            }
        }
    }

    async fn fetch_account(
        &self,
        waba: &Waba,
        token: &SecretString,
    ) -> Result<StepResult, GraphCallError> {
        let info = self.graph.waba(token, &waba.meta_waba_id).await?;
        let phones = self.graph.phone_numbers(token, &waba.meta_waba_id).await?;
        let current = self.current(waba).await;
        self.save_waba(
            &current,
            info.name.as_deref(),
            info.marketing_messages_onboarding_status.as_deref(),
        )
        .await
        .map_err(store)?;
        for phone in &phones {
            self.store
                .upsert_phone(&PhoneUpsert {
                    meta_phone_id: phone.id.clone(),
                    waba_id: waba.id,
                    display_phone_number: phone.display_phone_number.clone().unwrap_or_default(),
                    verified_name: phone.verified_name.clone(),
                    registered: phone.platform_type.as_deref() == Some("CLOUD_API"),
                    coexistence: phone.is_on_biz_app.unwrap_or(false) || waba.coexistence,
                    quality_rating: phone.quality_rating.clone(),
                })
                .await
                .map_err(store)?;
        }
        Ok(StepResult::Done(match phones.len() {
            1 => "Read your account and its phone number.".to_string(),
            n => format!("Read your account and its {n} phone numbers."),
        }))
    }

    async fn register_phones(
        &self,
        waba: &Waba,
        token: &SecretString,
    ) -> Result<StepResult, GraphCallError> {
        let phones = self.store.phones_for_waba(waba.id).await.map_err(store)?;
        if phones.is_empty() {
            return Ok(StepResult::Skipped("No phone number was shared.".into()));
        }
        let mut registered = 0;
        let mut coexistence = 0;
        for phone in &phones {
            if phone.coexistence {
                coexistence += 1;
                continue;
            }
            if phone.registered {
                registered += 1;
                continue;
            }
            let pin = self.pin_for(&phone.meta_phone_id).await.map_err(store)?;
            self.graph
                .register_phone(token, &phone.meta_phone_id, &pin)
                .await?;
            self.store
                .upsert_phone(&PhoneUpsert {
                    meta_phone_id: phone.meta_phone_id.clone(),
                    waba_id: waba.id,
                    display_phone_number: phone.display_phone_number.clone(),
                    verified_name: phone.verified_name.clone(),
                    registered: true,
                    coexistence: false,
                    quality_rating: phone.quality_rating.clone(),
                })
                .await
                .map_err(store)?;
            registered += 1;
        }
        if registered == 0 {
            return Ok(StepResult::Skipped(format!(
                "Your number{} stays on the WhatsApp Business app (coexistence): no registration needed.",
                if coexistence > 1 { "s" } else { "" }
            )));
        }
        Ok(StepResult::Done(match registered {
            1 => "Your number is registered for the Cloud API.".to_string(),
            n => format!("{n} numbers are registered for the Cloud API."),
        }))
    }

    /// The number's PIN: generated once, sealed, and reused by every retry.
    async fn pin_for(&self, meta_phone_id: &str) -> DbResult<SecretString> {
        let slot = pin_slot(meta_phone_id);
        if let Some(sealed) = self.store.get_secret(&slot).await? {
            if let Ok(pin) = self.keys.open(&slot, &sealed) {
                return Ok(pin);
            }
        }
        let pin = SecretString::from(format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000)));
        self.store
            .put_secret(&slot, &self.keys.seal(&slot, &pin))
            .await?;
        Ok(pin)
    }

    async fn current(&self, waba: &Waba) -> Waba {
        self.store
            .waba_by_id(waba.id)
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| waba.clone())
    }

    /// Reads the onboarding status from Meta and stores it. Never steps back from ONBOARDED
    /// (the terms webhook may have been applied in the meantime).
    async fn refresh_status(
        &self,
        waba: &Waba,
        token: &SecretString,
    ) -> Result<String, GraphCallError> {
        let info = self.graph.waba(token, &waba.meta_waba_id).await?;
        let status = info
            .marketing_messages_onboarding_status
            .clone()
            .unwrap_or_else(|| "UNKNOWN".into());
        let current = self.current(waba).await;
        self.save_waba(&current, None, Some(&status))
            .await
            .map_err(store)?;
        Ok(status)
    }

    async fn save_waba(
        &self,
        current: &Waba,
        name: Option<&str>,
        status: Option<&str>,
    ) -> DbResult<()> {
        let status = match current.onboarding_status.as_deref() {
            Some("ONBOARDED") => Some("ONBOARDED".to_string()),
            _ => status
                .map(str::to_string)
                .or(current.onboarding_status.clone()),
        };
        self.store
            .upsert_waba(&WabaUpsert {
                meta_waba_id: current.meta_waba_id.clone(),
                business_id: current.business_id,
                name: name
                    .map(str::to_string)
                    .unwrap_or_else(|| current.name.clone()),
                currency: current.currency.clone(),
                country: current.country.clone(),
                onboarding_status: status,
                coexistence: current.coexistence,
                connected_now: false,
            })
            .await?;
        Ok(())
    }

    fn retry_delay(&self, attempt: i64, error: &GraphCallError, rate_limited: bool) -> Duration {
        let attempt = (attempt.max(1) - 1) as u32;
        let delay = if rate_limited {
            full_jitter(attempt, self.retry_base * 4, Duration::from_secs(900))
        } else {
            full_jitter(attempt, self.retry_base, Duration::from_secs(300))
        };
        delay
            .max(error.regain_access_after().unwrap_or_default())
            .max(Duration::from_millis(100))
    }
}

fn store(error: crate::db::DbError) -> GraphCallError {
    // A database failure mid-step: retry like an outage (the step is idempotent).
    GraphCallError::Transport(format!("database: {error}"))
}

#[async_trait]
impl JobHandler for PipelineHandler {
    fn kind(&self) -> &'static str {
        JOB_KIND
    }

    // Long on purpose: the dispatcher of the pipeline's steps, one arm per step, each
    // recording its outcome before the next is queued.
    async fn run(&self, job: &Job) -> Outcome {
        let Ok(payload) = serde_json::from_str::<Payload>(&job.payload) else {
            return Outcome::Fail {
                error: "unreadable onboarding job".into(),
            };
        };
        let step = payload.step;
        let waba = match self.store.waba_by_id(payload.waba_id).await {
            Ok(Some(waba)) => waba,
            Ok(None) => {
                return Outcome::Fail {
                    error: format!("WABA {} is not in the database", payload.waba_id),
                }
            }
            Err(error) => {
                return Outcome::Retry {
                    error: error.to_string(),
                    after: Duration::from_secs(2),
                }
            }
        };
        let steps = self.store.steps_for_waba(waba.id).await.unwrap_or_default();
        let finished = steps
            .iter()
            .any(|s| s.step == step.as_str() && (s.state == "done" || s.state == "skipped"));
        if finished {
            // Completed before a crash or by a duplicate job: never repeat it, only make sure
            // the pipeline goes on.
            return self.advance(&waba, &payload).await;
        }
        let token = match business_token(self.store.as_ref(), &self.keys, &waba).await {
            Ok(token) => token,
            Err(refused) => {
                let detail = match refused {
                    NoToken::Missing => "No business token is stored for this account; the business must connect again.",
                    NoToken::Disconnected(reason) => reason,
                };
                let _ = self.record(&waba, step, "failed", detail, None, true).await;
                return Outcome::Fail {
                    error: detail.into(),
                };
            }
        };
        let _ = self
            .record(&waba, step, "running", "in progress", None, true)
            .await;
        match self.run_step(step, &waba, &token, job.attempts).await {
            Ok(StepResult::Done(detail)) => {
                if let Err(error) = self.record(&waba, step, "done", &detail, None, false).await {
                    return Outcome::Retry {
                        error: error.to_string(),
                        after: Duration::from_secs(1),
                    };
                }
                if step == Step::FetchAccount {
                    // The account is known: list its templates beside the pipeline (a
                    // failure there never holds up onboarding).
                    let _ = crate::templates::sync::enqueue(self.store.as_ref(), waba.id).await;
                }
                self.advance(&waba, &payload).await
            }
            Ok(StepResult::Skipped(detail)) => {
                if let Err(error) = self
                    .record(&waba, step, "skipped", &detail, None, false)
                    .await
                {
                    return Outcome::Retry {
                        error: error.to_string(),
                        after: Duration::from_secs(1),
                    };
                }
                self.advance(&waba, &payload).await
            }
            Ok(StepResult::Waiting(detail, after)) => {
                let _ = self
                    .record(&waba, step, "waiting", &detail, None, false)
                    .await;
                Outcome::Retry {
                    error: detail,
                    after,
                }
            }
            Ok(StepResult::Stopped(detail)) => {
                let _ = self
                    .record(&waba, step, "failed", &detail, None, false)
                    .await;
                Outcome::Fail { error: detail }
            }
            Err(error) => {
                let message = error.to_string();
                match error.reaction() {
                    Reaction::Retry { rate_limited } if job.attempts < job.max_attempts => {
                        let after = self.retry_delay(job.attempts, &error, rate_limited);
                        let detail = format!(
                            "{message}; retrying in {:.1} s (attempt {} of {})",
                            after.as_secs_f64(),
                            job.attempts,
                            job.max_attempts
                        );
                        let _ = self
                            .record(&waba, step, "retrying", &detail, error.code(), false)
                            .await;
                        Outcome::Retry {
                            error: message,
                            after,
                        }
                    }
                    _ => {
                        let _ = self
                            .record(&waba, step, "failed", &message, error.code(), false)
                            .await;
                        Outcome::Fail { error: message }
                    }
                }
            }
        }
    }
}

impl PipelineHandler {
    /// Queues the step after `payload`'s (none when it ran alone or was the last).
    async fn advance(&self, waba: &Waba, payload: &Payload) -> Outcome {
        let Some(next) = payload.step.next().filter(|_| !payload.only) else {
            return Outcome::Done;
        };
        match enqueue(self.store.as_ref(), waba.id, next, payload.run).await {
            Ok(()) => Outcome::Done,
            Err(error) => Outcome::Retry {
                error: error.to_string(),
                after: Duration::from_secs(1),
            },
        }
    }
}
