//! The simulator's own API (not Meta's): what a tester does inside the Embedded Signup popup,
//! as a request. `POST /sandbox/api/signups` creates a client business, a WABA and a phone
//! number, grants a business integration token on the WABA, and returns the one-time code
//! `FB.login` would hand to the page.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use super::errors::{TesterError, TesterJson, TesterResult};
use crate::db::now_millis;
use crate::sandbox::core::ids::{self, graph_id};
use crate::sandbox::core::store::token_key;
use crate::sandbox::core::SandboxState;
use crate::sandbox::model::{self, Business, Code, Phone, Waba, ONBOARDING_STATUSES};

#[derive(Debug, Deserialize)]
pub struct SignupRequest {
    pub business_name: String,
    #[serde(default)]
    pub waba_name: Option<String>,
    pub phone_number: String,
    #[serde(default)]
    pub coexistence: bool,
    #[serde(default = "default_status")]
    pub onboarding_status: String,
    #[serde(default = "default_country")]
    pub country: String,
    /// How long the code lives; Meta's is about 30 seconds.
    #[serde(default = "default_code_life")]
    pub code_lifetime_seconds: u64,
    /// Whether the admin accepted the MM API terms in the popup (see `model::Waba`).
    #[serde(default = "default_true")]
    pub accept_mm_terms: bool,
    /// How long Meta's "backend onboarding" takes after the app subscribes.
    #[serde(default = "default_terms_delay")]
    pub terms_delay_ms: u64,
    /// Add the new WABA to this existing business instead of creating one (a business with
    /// several WABAs); `business_name` then only names the WABA and phone.
    #[serde(default)]
    pub business_id: Option<String>,
}

fn default_true() -> bool {
    true
}
fn default_terms_delay() -> u64 {
    1500
}

fn default_status() -> String {
    "PENDING_INTERNAL_SETUP".into()
}
fn default_country() -> String {
    "BR".into()
}
fn default_code_life() -> u64 {
    30
}

#[derive(Debug, Serialize, Deserialize)]
pub struct SignupResponse {
    pub code: String,
    pub business_id: String,
    pub waba_id: String,
    pub phone_number_id: String,
}

const STORE_FAILED: &str = "the simulator could not store the signup";

fn unavailable<E>(_: E) -> TesterError {
    TesterError::unavailable(STORE_FAILED)
}

/// `POST /sandbox/api/signups`: what the admin does in Meta's popup, as one request.
pub async fn create_signup(
    State(state): State<SandboxState>,
    TesterJson(request): TesterJson<SignupRequest>,
) -> TesterResult<Json<SignupResponse>> {
    check(&request)?;
    let (business, new_business) = business_for(&state, &request).await?;
    let (waba, phone) = waba_and_phone(&request, &business);
    let (access_token, token) = ids::system_user_token(
        &state.app_id,
        &[model::WHATSAPP_MANAGEMENT, model::WHATSAPP_MESSAGING],
        std::slice::from_ref(&waba.id),
    );
    let code_text = ids::random_text(200);
    let code = Code {
        app_id: state.app_id.clone(),
        access_token: access_token.clone(),
        expires_at: now_millis() + (request.code_lifetime_seconds as i64) * 1000,
        used: false,
    };
    let writes = [
        (
            model::BUSINESS,
            business.id.clone(),
            None,
            to_json(&business)?,
        ),
        (
            model::WABA,
            waba.id.clone(),
            Some(business.id.clone()),
            to_json(&waba)?,
        ),
        (
            model::PHONE,
            phone.id.clone(),
            Some(waba.id.clone()),
            to_json(&phone)?,
        ),
        (
            model::TOKEN,
            token_key(&access_token),
            Some(business.id.clone()),
            to_json(&token)?,
        ),
        (model::CODE, code_text.clone(), None, to_json(&code)?),
    ];
    // An existing business (`business_id`) is already stored.
    let skip = usize::from(!new_business);
    for (kind, id, parent, data) in writes.iter().skip(skip) {
        state
            .store
            .sandbox_insert(kind, id, parent.as_deref(), data)
            .await
            .map_err(unavailable)?;
    }
    for (name, category, status) in model::DEFAULT_TEMPLATES {
        let template = model::MessageTemplate {
            id: graph_id(),
            waba_id: waba.id.clone(),
            name: name.into(),
            language: "en_US".into(),
            category: category.into(),
            status: status.into(),
        };
        state
            .store
            .sandbox_insert(
                model::MESSAGE_TEMPLATE,
                &template.id,
                Some(&waba.id),
                &to_json(&template)?,
            )
            .await
            .map_err(unavailable)?;
    }
    Ok(Json(SignupResponse {
        code: code_text,
        business_id: business.id,
        waba_id: waba.id,
        phone_number_id: phone.id,
    }))
}

/// The request's own checks: a business name, 8 to 15 digits, a known onboarding status.
fn check(request: &SignupRequest) -> TesterResult<()> {
    if request.business_name.trim().is_empty() {
        return Err(TesterError::bad_request("business_name is required"));
    }
    let digits = request
        .phone_number
        .chars()
        .filter(char::is_ascii_digit)
        .count();
    if !(8..=15).contains(&digits) {
        return Err(TesterError::bad_request(
            "phone_number must have 8 to 15 digits",
        ));
    }
    if !ONBOARDING_STATUSES.contains(&request.onboarding_status.as_str()) {
        return Err(TesterError::bad_request(format!(
            "onboarding_status must be one of {}",
            ONBOARDING_STATUSES.join(", ")
        )));
    }
    Ok(())
}

/// The existing business the request names (`business_id`), or a new one; `true` when new.
async fn business_for(
    state: &SandboxState,
    request: &SignupRequest,
) -> TesterResult<(Business, bool)> {
    let Some(id) = &request.business_id else {
        let business = Business {
            id: graph_id(),
            name: request.business_name.trim().to_string(),
        };
        return Ok((business, true));
    };
    let stored = state
        .store
        .sandbox_get(model::BUSINESS, id)
        .await
        .map_err(unavailable)?
        .ok_or_else(|| TesterError::bad_request("business_id is not a known business"))?;
    let business = serde_json::from_str::<Business>(&stored.data).map_err(unavailable)?;
    Ok((business, false))
}

/// The new WABA of `business` and its phone number, as the popup's answers set them.
fn waba_and_phone(request: &SignupRequest, business: &Business) -> (Waba, Phone) {
    let waba = Waba {
        id: graph_id(),
        name: request
            .waba_name
            .clone()
            .unwrap_or_else(|| business.name.clone()),
        owner_business_id: business.id.clone(),
        currency: "USD".into(),
        timezone_id: "1".into(),
        country: request.country.clone(),
        account_review_status: "APPROVED".into(),
        marketing_messages_onboarding_status: request.onboarding_status.clone(),
        mm_terms_accepted: request.accept_mm_terms,
        terms_delay_ms: request.terms_delay_ms,
        terms_due_at: None,
        connection: None,
        insights_enabled: false,
    };
    let phone = Phone {
        id: graph_id(),
        waba_id: waba.id.clone(),
        display_phone_number: request.phone_number.trim().to_string(),
        verified_name: business.name.clone(),
        code_verification_status: "VERIFIED".into(),
        quality_rating: "GREEN".into(),
        platform_type: "NOT_APPLICABLE".into(),
        coexistence: request.coexistence,
        registrations: Vec::new(),
        pin: None,
        app_data_syncs: Vec::new(),
    };
    (waba, phone)
}

fn to_json<T: Serialize>(value: &T) -> TesterResult<String> {
    serde_json::to_string(value).map_err(unavailable)
}
