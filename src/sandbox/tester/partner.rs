//! The tester calls that feed the partner-level Graph endpoints: `POST
//! /sandbox/api/partner-token` mints a partner system-user token; `POST
//! /sandbox/api/businesses/{id}/mm-onboarding` sets how a business answers the Intent API
//! (sign delay, OBO mobility failure); `POST` / `DELETE /sandbox/api/graph-settings` switch
//! `client_whatsapp_business_accounts` to the legacy-status-only Graph and back.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::errors::{TesterError, TesterJson, TesterResult};
use crate::config::SANDBOX_PARTNER_BUSINESS_ID;
use crate::sandbox::core::ids;
use crate::sandbox::core::store::{replace, token_key};
use crate::sandbox::core::SandboxState;
use crate::sandbox::graph::client_wabas;
use crate::sandbox::model::{self, MmOnboardingSettings};

const STORE_FAILED: &str = "the simulator could not store it";

fn unavailable<E>(_: E) -> TesterError {
    TesterError::unavailable(STORE_FAILED)
}

fn default_partner_scopes() -> Vec<String> {
    [
        model::BUSINESS_MANAGEMENT,
        model::WHATSAPP_MANAGEMENT,
        model::WHATSAPP_MESSAGING,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

#[derive(Debug, Deserialize)]
struct PartnerTokenRequest {
    #[serde(default = "default_partner_scopes")]
    scopes: Vec<String>,
}

/// `POST /sandbox/api/partner-token`, optional body `{"scopes": [...]}` (default
/// `business_management`, `whatsapp_business_management`, `whatsapp_business_messaging`):
/// mints a partner system-user token whose scopes target the partner business, and answers
/// `{"access_token", "business_id", "scopes"}`.
pub async fn create_partner_token(
    State(state): State<SandboxState>,
    body: Bytes,
) -> TesterResult<Json<Value>> {
    let request: PartnerTokenRequest = if body.iter().all(u8::is_ascii_whitespace) {
        PartnerTokenRequest {
            scopes: default_partner_scopes(),
        }
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            TesterError::bad_request(format!("body must be {{\"scopes\": [..]}}: {e}"))
        })?
    };
    if request.scopes.iter().any(|s| s.trim().is_empty()) {
        return Err(TesterError::bad_request("scopes must be non-empty strings"));
    }
    let (access_token, token) = ids::system_user_token(
        &state.app_id,
        &request.scopes,
        &[SANDBOX_PARTNER_BUSINESS_ID.to_string()],
    );
    let data = serde_json::to_string(&token).map_err(unavailable)?;
    state
        .store
        .sandbox_insert(
            model::TOKEN,
            &token_key(&access_token),
            Some(SANDBOX_PARTNER_BUSINESS_ID),
            &data,
        )
        .await
        .map_err(unavailable)?;
    Ok(Json(json!({
        "access_token": access_token,
        "business_id": SANDBOX_PARTNER_BUSINESS_ID,
        "scopes": request.scopes,
    })))
}

fn default_sign_delay() -> u64 {
    model::DEFAULT_SIGN_DELAY_MS
}

#[derive(Debug, Deserialize)]
pub struct OnboardingSettingsRequest {
    #[serde(default = "default_sign_delay")]
    pub sign_delay_ms: u64,
    #[serde(default)]
    pub obo_mobility_error: bool,
}

/// `POST /sandbox/api/businesses/{business_id}/mm-onboarding`
/// `{"sign_delay_ms": 2000, "obo_mobility_error": false}` (both optional): how this end
/// business answers later `onboard_partners_to_mm_lite` calls. 204; 404 for an unknown business.
pub async fn configure_onboarding(
    State(state): State<SandboxState>,
    Path(business_id): Path<String>,
    TesterJson(request): TesterJson<OnboardingSettingsRequest>,
) -> TesterResult<StatusCode> {
    let known = state
        .store
        .sandbox_get(model::BUSINESS, &business_id)
        .await
        .map_err(unavailable)?
        .is_some();
    if !known {
        return Err(TesterError::new(StatusCode::NOT_FOUND, "no such business"));
    }
    let settings = MmOnboardingSettings {
        sign_delay_ms: request.sign_delay_ms,
        obo_mobility_error: request.obo_mobility_error,
    };
    let data = serde_json::to_string(&settings).map_err(unavailable)?;
    replace(
        &state,
        model::MM_ONBOARDING_SETTINGS,
        &business_id,
        Some(&business_id),
        &data,
    )
    .await
    .map_err(unavailable)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
pub struct GraphSettingsRequest {
    #[serde(default)]
    pub legacy_status_only: bool,
}

/// `POST /sandbox/api/graph-settings {"legacy_status_only": true}`: 204.
pub async fn set_graph_settings(
    State(state): State<SandboxState>,
    TesterJson(request): TesterJson<GraphSettingsRequest>,
) -> TesterResult<StatusCode> {
    client_wabas::set_legacy_status_only(&state, request.legacy_status_only)
        .await
        .map_err(unavailable)?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /sandbox/api/graph-settings`: the current Graph again. 204.
pub async fn clear_graph_settings(State(state): State<SandboxState>) -> TesterResult<StatusCode> {
    client_wabas::set_legacy_status_only(&state, false)
        .await
        .map_err(unavailable)?;
    Ok(StatusCode::NO_CONTENT)
}
