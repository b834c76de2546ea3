//! The Intent API, `POST /{END_BUSINESS_ID}/onboard_partners_to_mm_lite` (seed 004): answers
//! `{"request_id": "…"}`; "If a pending request already exists between the same partner and
//! end business, the existing request ID is returned instead of creating a duplicate." After
//! the business's sign delay (a tester setting, `POST /sandbox/api/businesses/{id}/mm-onboarding`)
//! its WABAs become ONBOARDED and "an account_update webhook will be sent for each WABA under
//! the BMID" (seed 000; `onboarding.rs`). Every call is counted, and throttled by the
//! sustained limit, before anything else happens (`rate_limit.rs`).

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::config::SANDBOX_PARTNER_BUSINESS_ID;
use crate::db::{now_millis, DbError};
use crate::sandbox::core::caller::{is_numeric, GraphRequest};
use crate::sandbox::core::errors::{self, SimError};
use crate::sandbox::core::ids::graph_id;
use crate::sandbox::core::store::{encode, list_decoded, load};
use crate::sandbox::core::SandboxState;
use crate::sandbox::model::{
    self, Business, MmOnboardingRequest, MmOnboardingSettings, Token, Waba,
};
use crate::sandbox::{faults, onboarding, rate_limit};

/// The Intent API's name for faults and rate limits.
const OPERATION: &str = "onboard_partners_to_mm_lite";

/// Seed 001, prerequisites: "a tax country and an owner business country that are not in
/// sanctioned regions (Cuba, Iran, North Korea, Syria, Crimea, Donetsk, Luhansk)". The regions
/// without an ISO country code of their own cannot be expressed with the simulator's
/// `country` field.
const SANCTIONED_COUNTRIES: &[&str] = &["CU", "IR", "KP", "SY"];

pub fn router() -> Router<SandboxState> {
    Router::new().route(
        "/{version}/{id}/onboard_partners_to_mm_lite",
        post(onboard_partners_to_mm_lite),
    )
}

/// `POST /{END_BUSINESS_ID}/onboard_partners_to_mm_lite`, optional `solution_id` (JSON body,
/// form or query; seed 000: `{"solution_id": "<MULTI-PARTNER_SOLUTION_ID>"}`), answers
/// `{"request_id": "…"}`.
///
/// Checks, in order, with seed 004's statuses and the OpenAPI file's codes and messages:
/// token missing/invalid/expired → 401 (190); business id not numeric → 400 (100); token
/// without `whatsapp_business_management` on the partner business → 403 (200/1349174);
/// `solution_id` not numeric → 400 (100); an armed fault (`onboard_partners_to_mm_lite`:
/// transient → 500 code 2); unknown business → 404 (803); a pending request → 200 with its
/// `request_id`; a request already signed → 403 (100, "A business agreement request already
/// exists…"); a WABA in a sanctioned country → 403 (200, "End business is not eligible…");
/// no WABA whose `marketing_messages_onboarding_status` is ELIGIBLE → 400 (100, "No eligible
/// WhatsApp Business Accounts…"); a `solution_id` other than the simulator's solution → 422
/// (803); the tester's `obo_mobility_error` → 422 (100).
pub async fn onboard_partners_to_mm_lite(
    State(state): State<SandboxState>,
    request: GraphRequest,
) -> Result<Json<Value>, SimError> {
    let token = counted_caller(&state, &request).await?;
    let solution_id = checked_solution_id(&token, &request)?;
    faults::take(&state, OPERATION).await?;
    let business_id = &request.id;
    if load::<Business>(&state, model::BUSINESS, business_id)
        .await?
        .is_none()
    {
        return Err(errors::business_not_found());
    }
    if let Some(pending) = existing_request(&state, business_id).await? {
        return Ok(Json(json!({"request_id": pending})));
    }
    let eligible = eligible_wabas(&state, business_id).await?;
    if solution_id
        .as_deref()
        .is_some_and(|s| s != model::SANDBOX_SOLUTION_ID)
    {
        return Err(errors::solution_not_found());
    }
    let settings = settings_for(&state, business_id).await?;
    if settings.obo_mobility_error {
        return Err(errors::obo_mobility_failed());
    }
    let request_id = create_request(&state, business_id, solution_id, eligible, settings).await?;
    Ok(Json(json!({"request_id": request_id})))
}

/// The caller's token (401 for token errors) and the business id (400 when not numeric);
/// then the call is counted for the business and admitted by the sustained rate limit. A call
/// refused before its business is known is counted as unattributed.
async fn counted_caller(state: &SandboxState, request: &GraphRequest) -> Result<Token, SimError> {
    let token = match request.caller(state).await {
        Ok(token) => token,
        Err(error) => {
            rate_limit::count_unattributed(state).await;
            return Err(errors::as_unauthorized(error));
        }
    };
    let business_id = &request.id;
    if !is_numeric(business_id) {
        rate_limit::count_unattributed(state).await;
        return Err(errors::business_id_not_numeric());
    }
    let stored_before =
        load::<MmOnboardingRequest>(state, model::MM_ONBOARDING_REQUEST, business_id)
            .await?
            .is_some();
    rate_limit::admit(state, OPERATION, business_id, stored_before).await?;
    Ok(token)
}

/// The permission on the partner business (403), then `solution_id`, if given (400 when not
/// numeric).
fn checked_solution_id(token: &Token, request: &GraphRequest) -> Result<Option<String>, SimError> {
    if !token.has_scope_on(model::WHATSAPP_MANAGEMENT, SANDBOX_PARTNER_BUSINESS_ID) {
        return Err(errors::missing_management_permission());
    }
    let solution_id = request
        .param("solution_id")
        .filter(|s| !s.is_empty())
        .cloned();
    if solution_id.as_deref().is_some_and(|s| !is_numeric(s)) {
        return Err(errors::solution_id_not_numeric());
    }
    Ok(solution_id)
}

/// The business's stored request: `Some(request_id)` while pending; once signed, Graph's
/// "already exists" error (after completing its onboarding, if nothing did yet).
async fn existing_request(
    state: &SandboxState,
    business_id: &str,
) -> Result<Option<String>, SimError> {
    let Some((existing, _)) =
        load::<MmOnboardingRequest>(state, model::MM_ONBOARDING_REQUEST, business_id).await?
    else {
        return Ok(None);
    };
    if existing.due_at > now_millis() {
        onboarding::schedule_wabas(state, &existing).await;
        return Ok(Some(existing.request_id));
    }
    onboarding::complete_if_due(state, &existing).await;
    Err(errors::duplicate_agreement_request())
}

/// The ids of the business's ELIGIBLE WABAs; refused when a WABA is in a sanctioned country
/// (403) or none is eligible (400).
async fn eligible_wabas(state: &SandboxState, business_id: &str) -> Result<Vec<String>, SimError> {
    let wabas = list_decoded::<Waba>(state, model::WABA, Some(business_id)).await?;
    if wabas
        .iter()
        .any(|w| SANCTIONED_COUNTRIES.contains(&w.country.as_str()))
    {
        return Err(errors::business_not_eligible());
    }
    let eligible: Vec<String> = wabas
        .iter()
        .filter(|w| w.marketing_messages_onboarding_status == "ELIGIBLE")
        .map(|w| w.id.clone())
        .collect();
    if eligible.is_empty() {
        return Err(errors::no_eligible_wabas());
    }
    Ok(eligible)
}

/// How the business answers the Intent API (the tester's settings, or the defaults).
async fn settings_for(
    state: &SandboxState,
    business_id: &str,
) -> Result<MmOnboardingSettings, SimError> {
    Ok(
        load::<MmOnboardingSettings>(state, model::MM_ONBOARDING_SETTINGS, business_id)
            .await?
            .map(|(settings, _)| settings)
            .unwrap_or(MmOnboardingSettings {
                sign_delay_ms: model::DEFAULT_SIGN_DELAY_MS,
                obo_mobility_error: false,
            }),
    )
}

/// Stores a new pending request and schedules its signing; returns its id (the concurrent
/// winner's, when an identical call created one first).
async fn create_request(
    state: &SandboxState,
    business_id: &str,
    solution_id: Option<String>,
    waba_ids: Vec<String>,
    settings: MmOnboardingSettings,
) -> Result<String, SimError> {
    let now = now_millis();
    let request = MmOnboardingRequest {
        request_id: graph_id(),
        business_id: business_id.to_string(),
        partner_business_id: SANDBOX_PARTNER_BUSINESS_ID.into(),
        solution_id,
        waba_ids,
        created_at: now,
        due_at: now + settings.sign_delay_ms as i64,
    };
    match state
        .store
        .sandbox_insert(
            model::MM_ONBOARDING_REQUEST,
            business_id,
            Some(SANDBOX_PARTNER_BUSINESS_ID),
            &encode(&request)?,
        )
        .await
    {
        Ok(()) => {}
        // A concurrent identical call created it first: its request is the pending one.
        Err(DbError::Conflict) => {
            let (existing, _) =
                load::<MmOnboardingRequest>(state, model::MM_ONBOARDING_REQUEST, business_id)
                    .await?
                    .ok_or_else(errors::internal)?;
            return Ok(existing.request_id);
        }
        Err(e) => return Err(errors::store(e)),
    }
    onboarding::schedule_wabas(state, &request).await;
    let timer_state = state.clone();
    let timer_request = request.clone();
    tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(settings.sign_delay_ms)).await;
        onboarding::complete_if_due(&timer_state, &timer_request).await;
    });
    Ok(request.request_id)
}
