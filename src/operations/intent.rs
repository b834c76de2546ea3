//! The Intent API (`POST /{END_BUSINESS}/onboard_partners_to_mm_lite`, seed 004), for one
//! business or a selection of thousands.
//!
//! Each business gets at most one live request: `intent_requests` is keyed by business and a
//! new request is queued only when none is queued or sent (Meta is idempotent too: a pending
//! request answers the same `request_id`). Bulk sends are paced by spreading the jobs' start
//! times at the configured rate, so every instance together stays under Meta's limit; a crash
//! leaves the remaining jobs queued, and cancelling (pausing) marks the batch's queued requests,
//! which their jobs then skip; resuming queues the cancelled ones again.
//!
//! **Throttling.** Seed 004: "Subject to business partner integrations use case throttling
//! limits. Use appropriate retry logic with exponential backoff." When Meta answers with a rate
//! limit (codes 4, 17, 32, 613, 80007 … or HTTP 429), the request goes back to `queued` and
//! its job is retried later (exponential backoff with full jitter, never sooner than the
//! `X-Business-Use-Case-Usage` header's `estimated_time_to_regain_access`), and the instance's
//! [`Pacer`] stops every other Intent API call until then too, and widens the gap between
//! calls (halved again, step by step, by successes): a configured rate above what Meta allows
//! settles just under Meta's rate instead of hammering it.
//!
//! **Never twice, even across `kill -9`.** Before calling Meta the request is marked
//! `sending` (committed). A job that finds its request still `sending` was interrupted between
//! that mark and recording Meta's answer: the call may or may not have reached Meta. It does
//! not ask again at once: after [`UNCONFIRMED_WAIT`] it reads the business's WABAs from
//! `client_whatsapp_business_accounts` (filtered by id); if one is ONBOARDED, or the terms
//! webhook already made it ONBOARDED here, the first call evidently arrived and the request is
//! recorded as sent without a second call. Otherwise it is asked again; if Meta did get the
//! first call and the business has not signed yet, Meta answers the same `request_id` (its
//! own idempotency), and "a business agreement request already exists" is recorded as sent.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

pub use super::pacer::{Pace, Pacer};
use super::partner::Partner;
use crate::db::{now_millis, DbResult, IntentRow, Job, NewJob, NewTimelineEvent};
use crate::graph::{GraphCallError, Reaction};
use crate::jobs::{JobHandler, Outcome};

/// The stores this module reads and writes.
pub trait Stores:
    crate::db::IntentStore
    + crate::db::JobStore
    + crate::db::TimelineStore
    + crate::db::WabaStore
    + crate::db::SettingStore
{
}
impl<
        T: crate::db::IntentStore
            + crate::db::JobStore
            + crate::db::TimelineStore
            + crate::db::WabaStore
            + crate::db::SettingStore,
    > Stores for T
{
}

pub const JOB_KIND: &str = "mm.intent";

/// How long an interrupted request (`sending` at the start of a run) waits before the portal
/// looks for Meta's evidence and, finding none, asks again.
pub const UNCONFIRMED_WAIT: Duration = Duration::from_secs(10);

#[derive(Debug, Serialize, Deserialize)]
struct Payload {
    business_id: i64,
    meta_business_id: String,
}

/// Queues requests for `businesses` (`(id, Meta id)`) in `batch`, `rate` per second from now.
/// Returns how many were queued (businesses with a live request are skipped).
pub async fn queue<S: crate::db::IntentStore + ?Sized>(
    store: &S,
    batch: &str,
    businesses: &[(i64, String)],
    rate_per_second: f64,
) -> DbResult<usize> {
    let spacing_ms = (1000.0 / rate_per_second.max(0.01)) as i64;
    let start = now_millis();
    // A resumed batch queues its businesses again: a new job key per run.
    store
        .intent_queue_many(batch, businesses, &|business_id, meta_business_id, n| {
            job(
                business_id,
                meta_business_id,
                start + n as i64 * spacing_ms,
                &format!("intent:{business_id}:{batch}:{start}"),
            )
        })
        .await
}

fn job(business_id: i64, meta_business_id: &str, run_at: i64, dedupe_key: &str) -> NewJob {
    NewJob {
        kind: JOB_KIND.into(),
        payload: serde_json::to_string(&Payload {
            business_id,
            meta_business_id: meta_business_id.to_string(),
        })
        .expect("payload serialises"),
        run_at,
        max_attempts: 10,
        dedupe_key: Some(dedupe_key.to_string()),
    }
}

/// What staff should do about an Intent API error (seed 004's cases, with the OpenAPI
/// file's codes and messages, docs/meta/openapi.md), or `None` for errors this does not know.
pub fn explain(error: &GraphCallError) -> Option<&'static str> {
    let GraphCallError::Graph { status, error, .. } = error else {
        return None;
    };
    let message = error.message.as_str();
    Some(match (status, error.code) {
        (_, 190) | (401, _) => "The partner's system user token is invalid or expired: create a new one in Business Settings and set META_SYSTEM_USER_TOKEN.",
        (_, 200) if error.error_subcode == Some(1349174) || message.contains("whatsapp_business_management") => "Your app or system user lacks the whatsapp_business_management permission (advanced access): grant it, then ask again.",
        (_, 200) if message.contains("not eligible") => "Meta says this business cannot be onboarded (for example a WABA in a sanctioned country, or a restricted account). Nothing to retry; check the business's WABAs.",
        (_, 100) if message.contains("business_id") => "This business id is not a valid Meta business id: run discovery again to refresh it.",
        (_, 100) if message.contains("solution_id") => "The solution id in Settings is not a number: correct it on /settings.",
        (_, 100) if message.contains("No eligible") => "None of this business's WABAs is ELIGIBLE for the MM API any more: run discovery to see their current status.",
        (_, 100) if message.contains("agreement request already exists") => "Meta already has an onboarding request for this business.",
        (_, 100) if message.contains("OBO mobility") => "Meta could not set the on-behalf-of mobility intent on this business's WABAs: ask again later, and contact Meta support if it keeps failing.",
        (_, 803) if message.contains("Solution") => "The solution id in Settings is not one of your WhatsApp Business Solutions: correct it on /settings.",
        (404, _) | (_, 803) => "Meta does not know this business, or it no longer shares its assets with you: run discovery; the business may have removed your access.",
        _ => return None,
    })
}

/// Meta already has a request from this partner for this business (seed 004's 403).
fn already_requested(error: &GraphCallError) -> bool {
    matches!(error, GraphCallError::Graph { error, .. }
        if error.message.contains("agreement request already exists"))
}

fn is_throttle(error: &GraphCallError) -> bool {
    matches!(error.reaction(), Reaction::Retry { rate_limited: true })
}

pub struct IntentHandler {
    pub partner: Arc<Partner>,
    pub store: Arc<dyn Stores>,
    pub solution_id: Option<String>,
}

impl IntentHandler {
    async fn timeline(&self, business_id: i64, summary: &str) {
        if let Ok(wabas) = self.store.wabas_of_business(business_id).await {
            for (waba_id, _) in wabas {
                let _ = self
                    .store
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

    /// Whether Meta shows that an interrupted call arrived: one of the business's WABAs is
    /// ONBOARDED here (the terms webhook) or in `client_whatsapp_business_accounts`.
    async fn reached_meta(&self, business_id: i64, token: &secrecy::SecretString) -> bool {
        let Ok(wabas) = self.store.wabas_of_business(business_id).await else {
            return false;
        };
        for (_, meta_waba_id) in &wabas {
            if let Ok(Some(waba)) = self.store.waba_by_meta_id(meta_waba_id).await {
                if waba.onboarding_status.as_deref() == Some("ONBOARDED") {
                    return true;
                }
            }
        }
        let Ok(partner_id) = self.partner.business_id() else {
            return false;
        };
        let ids: Vec<&str> = wabas.iter().map(|(_, id)| id.as_str()).collect();
        let filtering = serde_json::json!([{"field": "id", "operator": "IN", "value": ids}]);
        match self
            .partner
            .graph
            .client_wabas_with(
                token,
                partner_id,
                "id,marketing_messages_onboarding_status",
                Some(&filtering.to_string()),
                None,
            )
            .await
        {
            Ok(page) => page
                .data
                .iter()
                .any(|w| w.marketing_messages_onboarding_status.as_deref() == Some("ONBOARDED")),
            Err(error) => {
                tracing::info!(%error, "could not read the business's WABAs; asking again");
                false
            }
        }
    }

    async fn record_sent(&self, business_id: i64, request_id: Option<&str>, summary: &str) {
        let _ = self
            .store
            .intent_finish(business_id, "sent", request_id, None)
            .await;
        self.timeline(business_id, summary).await;
    }

    /// Hands the job back to the queue without using one of its attempts.
    async fn hand_back(&self, payload: &Payload, after: Duration) -> Outcome {
        let run_at = now_millis() + after.as_millis() as i64;
        let later = job(
            payload.business_id,
            &payload.meta_business_id,
            run_at,
            &format!("intent:{}:later:{run_at}", payload.business_id),
        );
        match self.store.enqueue_job(&later).await {
            Ok(_) => Outcome::Done,
            Err(e) => Outcome::Retry {
                error: e.to_string(),
                after,
            },
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
        let interrupted = match self.store.intent_get(payload.business_id).await {
            Ok(Some(row)) if row.state == "queued" => None,
            Ok(Some(row)) if row.state == "sending" => Some(row),
            // Cancelled, or already sent by an earlier run of this job: nothing to do.
            Ok(_) => return Outcome::Done,
            Err(e) => {
                return Outcome::Retry {
                    error: e.to_string(),
                    after: Duration::from_secs(2),
                }
            }
        };
        let token = match self.partner.token().await {
            Ok(token) => token,
            Err(error) => return Outcome::Fail { error },
        };
        if let Some(IntentRow { updated_at, .. }) = interrupted {
            let waited = Duration::from_millis((now_millis() - updated_at).max(0) as u64);
            if waited < UNCONFIRMED_WAIT {
                return self.hand_back(&payload, UNCONFIRMED_WAIT - waited).await;
            }
            if self.reached_meta(payload.business_id, &token).await {
                self.record_sent(
                    payload.business_id,
                    None,
                    "Intent API request confirmed: the call interrupted by a restart had reached Meta (the business has signed)",
                )
                .await;
                return Outcome::Done;
            }
        }
        match self.partner.intent_pacer.before_call() {
            Pace::CallAfter(wait) => {
                if !wait.is_zero() {
                    tokio::time::sleep(wait).await;
                }
            }
            Pace::HandBack(after) => return self.hand_back(&payload, after).await,
        }
        self.send(job, &payload, &token).await
    }
}

impl IntentHandler {
    /// Marks the request `sending`, calls Meta once and records what it answered.
    async fn send(&self, job: &Job, payload: &Payload, token: &secrecy::SecretString) -> Outcome {
        // The mark that makes a crash from here on visible to the next run.
        if let Err(e) = self
            .store
            .intent_finish(payload.business_id, "sending", None, None)
            .await
        {
            return Outcome::Retry {
                error: e.to_string(),
                after: Duration::from_secs(2),
            };
        }
        let result = self
            .partner
            .graph
            .onboard_to_mm(
                token,
                &payload.meta_business_id,
                self.solution_id.as_deref(),
            )
            .await;
        let error = match result {
            Ok(request_id) => {
                self.partner.intent_pacer.answered();
                self.record_sent(
                    payload.business_id,
                    Some(&request_id),
                    &format!("Intent API request sent (request {request_id}); Meta emails the business's admins"),
                )
                .await;
                return Outcome::Done;
            }
            Err(error) => error,
        };
        self.after_error(job, payload, error).await
    }

    /// What Meta's error means for this request: retried later (throttled, busy), already
    /// requested (done), or failed with a plain explanation for staff.
    async fn after_error(&self, job: &Job, payload: &Payload, error: GraphCallError) -> Outcome {
        if let GraphCallError::Transport(_) = &error {
            // No answer: the call may have reached Meta. It stays `sending`, so the next run
            // looks for Meta's evidence before asking again.
            self.partner.intent_pacer.answered();
            return Outcome::Retry {
                error: error.to_string(),
                after: UNCONFIRMED_WAIT,
            };
        }
        if already_requested(&error) {
            self.partner.intent_pacer.answered();
            self.record_sent(
                payload.business_id,
                None,
                "Meta already has an onboarding request from you for this business: nothing more to send",
            )
            .await;
            return Outcome::Done;
        }
        let mut outcome = super::outcome_for(&error, job.attempts, job.max_attempts);
        if is_throttle(&error) {
            let pause = self
                .partner
                .intent_pacer
                .throttled(error.regain_access_after());
            tracing::info!(
                pause_ms = pause.as_millis() as u64,
                gap_ms = self.partner.intent_pacer.gap().as_millis() as u64,
                "Meta throttled the Intent API: pausing"
            );
            if let Outcome::Retry { after, .. } = &mut outcome {
                *after = (*after).max(pause);
            }
        } else {
            self.partner.intent_pacer.answered();
        }
        let staff_text = match explain(&error) {
            Some(plain) => format!("{plain} ({error})"),
            None => error.to_string(),
        };
        match &outcome {
            Outcome::Fail { .. } => {
                let _ = self
                    .store
                    .intent_finish(payload.business_id, "failed", None, Some(&staff_text))
                    .await;
                self.timeline(
                    payload.business_id,
                    &format!("Intent API request failed: {staff_text}"),
                )
                .await;
                Outcome::Fail { error: staff_text }
            }
            // Meta answered, so the call did not create a request: queued again.
            Outcome::Retry { .. } | Outcome::Done => {
                let _ = self
                    .store
                    .intent_finish(payload.business_id, "queued", None, Some(&staff_text))
                    .await;
                outcome
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::core::errors as sim;

    /// A Graph call error the way the client builds it from the simulator's answer.
    fn as_call_error(e: sim::SimError) -> GraphCallError {
        GraphCallError::Graph {
            status: e.status.as_u16(),
            error: e.error,
            regain_access_after: None,
        }
    }

    #[test]
    fn every_seed_004_error_has_an_action_for_staff() {
        let cases = [
            (
                sim::as_unauthorized(sim::expired_token()),
                "META_SYSTEM_USER_TOKEN",
            ),
            (
                sim::as_unauthorized(sim::invalid_token()),
                "META_SYSTEM_USER_TOKEN",
            ),
            (sim::business_id_not_numeric(), "discovery"),
            (sim::solution_id_not_numeric(), "/settings"),
            (sim::no_eligible_wabas(), "ELIGIBLE"),
            (
                sim::missing_management_permission(),
                "whatsapp_business_management",
            ),
            (sim::business_not_eligible(), "cannot be onboarded"),
            (sim::duplicate_agreement_request(), "already has"),
            (sim::business_not_found(), "discovery"),
            (sim::obo_mobility_failed(), "mobility"),
            (sim::solution_not_found(), "/settings"),
        ];
        for (error, expected) in cases {
            let error = as_call_error(error);
            let plain = explain(&error).unwrap_or_else(|| panic!("no explanation for {error}"));
            assert!(plain.contains(expected), "{error} → {plain}");
            // Permanent ones stop; staff sees them.
            assert_eq!(error.reaction(), Reaction::Stop, "{error}");
        }
        // A 500 is retried, not explained.
        let outage = as_call_error(sim::internal());
        assert!(explain(&outage).is_none());
        assert!(matches!(
            outage.reaction(),
            Reaction::Retry {
                rate_limited: false
            }
        ));
        assert!(already_requested(&as_call_error(
            sim::duplicate_agreement_request()
        )));
        assert!(!already_requested(&as_call_error(sim::no_eligible_wabas())));
    }

    #[test]
    fn throttling_codes_pause_the_pacer() {
        for code in [4, 17, 32, 613, 80007] {
            let mut e = sim::rate_limited(0);
            e.error.code = code;
            assert!(is_throttle(&as_call_error(e)), "{code}");
        }
        let pacer = Pacer::default();
        assert_eq!(pacer.before_call(), Pace::CallAfter(Duration::ZERO));
        let pause = pacer.throttled(Some(Duration::from_secs(120)));
        assert_eq!(
            pause,
            Duration::from_secs(120),
            "the usage header's wait wins"
        );
        assert!(pacer.gap() >= Duration::from_millis(10));
        match pacer.before_call() {
            Pace::HandBack(after) => assert!(after >= Duration::from_secs(119), "{after:?}"),
            other => panic!("paused, got {other:?}"),
        }
    }

    #[test]
    fn throttles_in_a_row_back_off_exponentially_and_successes_narrow_the_gap() {
        let pacer = Pacer::default();
        assert_eq!(pacer.throttled(None), Duration::from_secs(1));
        assert_eq!(pacer.throttled(None), Duration::from_secs(2));
        assert_eq!(pacer.throttled(None), Duration::from_secs(4));
        let widest = pacer.gap();
        pacer.answered();
        assert!(pacer.gap() < widest);
        assert_eq!(
            pacer.throttled(None),
            Duration::from_secs(1),
            "reset by a success"
        );
    }
}
