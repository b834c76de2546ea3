//! The simulated backend onboarding to the MM API: a WABA whose business accepted the terms
//! (in the Embedded Signup popup, or through an Intent API request) becomes ONBOARDED when
//! its due time passes, with exactly one `MM_LITE_TERMS_SIGNED` webhook. The due time is kept
//! in the WABA, so a timer completes it and so does any later read (also after a simulator
//! restart). Shared by the Graph endpoints that read or start it; it knows none of them.

use crate::config::SANDBOX_PARTNER_BUSINESS_ID;
use crate::db::now_millis;
use crate::sandbox::core::errors::{self, SimError};
use crate::sandbox::core::store::{encode, list_all, load, update};
use crate::sandbox::core::SandboxState;
use crate::sandbox::model::{self, MmOnboardingRequest, Waba};
use crate::sandbox::webhooks;

/// Starts the simulated backend onboarding of an Embedded Signup WABA: due after the WABA's
/// delay; a timer completes it then, and so does any later read of the WABA.
pub async fn schedule_terms_signed(state: &SandboxState, waba: Waba) -> Result<(), SimError> {
    let (mut current, version) = load::<Waba>(state, model::WABA, &waba.id)
        .await?
        .ok_or_else(errors::internal)?;
    current.terms_due_at = Some(now_millis() + waba.terms_delay_ms as i64);
    state
        .store
        .sandbox_update(model::WABA, &waba.id, &encode(&current)?, version)
        .await
        .map_err(errors::store)?;
    let state = state.clone();
    tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(waba.terms_delay_ms)).await;
        if let Ok(Some((waba, _))) = load::<Waba>(&state, model::WABA, &waba.id).await {
            complete_due_onboarding(&state, waba).await;
        }
    });
    Ok(())
}

/// If the WABA's simulated onboarding is due, marks it ONBOARDED and sends the
/// `MM_LITE_TERMS_SIGNED` webhook (exactly once: the version check picks one winner).
pub async fn complete_due_onboarding(state: &SandboxState, waba: Waba) -> Waba {
    let due = waba.terms_due_at.is_some_and(|at| at <= now_millis());
    if !due || waba.marketing_messages_onboarding_status == "ONBOARDED" {
        return waba;
    }
    for _ in 0..8 {
        let Ok(Some((mut current, version))) = load::<Waba>(state, model::WABA, &waba.id).await
        else {
            return waba;
        };
        if current.marketing_messages_onboarding_status == "ONBOARDED" {
            return current;
        }
        current.marketing_messages_onboarding_status = "ONBOARDED".into();
        let Ok(data) = serde_json::to_string(&current) else {
            return waba;
        };
        if let Ok(true) = state
            .store
            .sandbox_update(model::WABA, &waba.id, &data, version)
            .await
        {
            let body = webhooks::terms_signed(
                SANDBOX_PARTNER_BUSINESS_ID,
                &current.id,
                &current.owner_business_id,
            );
            webhooks::deliver(state, body);
            return current;
        }
    }
    waba
}

/// Makes each of an Intent API request's WABAs due at the request's sign time (stored in the
/// WABA, like the Embedded Signup path: [`complete_due_onboarding`] and every read of the
/// WABA then finish it, also after a restart). An earlier due time already set is kept.
pub async fn schedule_wabas(state: &SandboxState, request: &MmOnboardingRequest) {
    for waba_id in &request.waba_ids {
        let _ = update(state, model::WABA, waba_id, 8, |waba: &mut Waba| {
            let settled = waba.marketing_messages_onboarding_status == "ONBOARDED"
                || waba.terms_due_at.is_some_and(|at| at <= request.due_at);
            (!settled).then(|| waba.terms_due_at = Some(request.due_at))
        })
        .await;
    }
}

/// If the business has "signed" (the request's due time passed): each WABA of the request
/// becomes ONBOARDED with one `MM_LITE_TERMS_SIGNED` webhook (the WABA's version check makes
/// it exactly once, whoever gets here first).
pub async fn complete_if_due(state: &SandboxState, request: &MmOnboardingRequest) {
    if request.due_at > now_millis() {
        return;
    }
    schedule_wabas(state, request).await;
    for waba_id in &request.waba_ids {
        if let Ok(Some((waba, _))) = load::<Waba>(state, model::WABA, waba_id).await {
            complete_due_onboarding(state, waba).await;
        }
    }
}

/// Completes every Intent API request whose sign time passed (after a simulator restart,
/// nothing else would until each WABA is read).
pub async fn complete_due_requests(state: &SandboxState) -> Result<(), SimError> {
    let stored = list_all(
        state,
        model::MM_ONBOARDING_REQUEST,
        Some(SANDBOX_PARTNER_BUSINESS_ID),
    )
    .await?;
    for object in &stored {
        if let Ok(request) = serde_json::from_str::<MmOnboardingRequest>(&object.data) {
            complete_if_due(state, &request).await;
        }
    }
    Ok(())
}
