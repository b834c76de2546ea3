//! The simulator's own API (not Meta's): what a tester does inside the Embedded Signup popup,
//! as a request. `POST /sandbox/api/signups` creates a client business, a WABA and a phone
//! number, grants a business integration token on the WABA, and returns the one-time code
//! `FB.login` would hand to the page.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use rand::Rng;
use serde::{Deserialize, Serialize};

use super::graph::token_key;
use super::model::{self, Business, Code, GranularScope, Phone, Token, Waba};
use super::SandboxState;
use crate::db::now_millis;

/// Every `marketing_messages_onboarding_status` value Meta documents (DESIGN.md §8).
pub const ONBOARDING_STATUSES: &[&str] = &[
    "INELIGIBLE_ON_BEHALF_OF_WABA",
    "INELIGIBLE_INACTIVE_OR_RESTRICTED",
    "INELIGIBLE_COUNTRY_NOT_SUPPORTED",
    "INELIGIBLE_USING_WHATSAPP_BUSINESS_APP",
    "ELIGIBLE",
    "PENDING_VALID_PAYMENT_METHOD",
    "PENDING_INTERNAL_SETUP",
    "ONBOARDED",
];

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

#[derive(Debug, Serialize)]
pub struct ApiError {
    pub error: String,
}

type ApiResult<T> = Result<Json<T>, (StatusCode, Json<ApiError>)>;

fn bad_request(message: impl Into<String>) -> (StatusCode, Json<ApiError>) {
    (
        StatusCode::BAD_REQUEST,
        Json(ApiError {
            error: message.into(),
        }),
    )
}

fn unavailable() -> (StatusCode, Json<ApiError>) {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(ApiError {
            error: "the simulator could not store the signup".into(),
        }),
    )
}

/// A random numeric id shaped like Meta's.
pub fn graph_id() -> String {
    let mut rng = rand::thread_rng();
    format!(
        "{}{:014}",
        rng.gen_range(1..10),
        rng.gen_range(0..100_000_000_000_000u64)
    )
}

/// Random letters and digits, for codes and tokens.
pub(super) fn random_text(length: usize) -> String {
    random_from(
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        length,
    )
}

/// `length` random characters of `alphabet` (ASCII).
pub(super) fn random_from(alphabet: &[u8], length: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..length)
        .map(|_| alphabet[rng.gen_range(0..alphabet.len())] as char)
        .collect()
}

pub async fn create_signup(
    State(state): State<SandboxState>,
    Json(request): Json<SignupRequest>,
) -> ApiResult<SignupResponse> {
    if request.business_name.trim().is_empty() {
        return Err(bad_request("business_name is required"));
    }
    let digits: String = request
        .phone_number
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    if !(8..=15).contains(&digits.len()) {
        return Err(bad_request("phone_number must have 8 to 15 digits"));
    }
    if !ONBOARDING_STATUSES.contains(&request.onboarding_status.as_str()) {
        return Err(bad_request(format!(
            "onboarding_status must be one of {}",
            ONBOARDING_STATUSES.join(", ")
        )));
    }
    let existing_business = match &request.business_id {
        Some(id) => {
            let stored = state
                .store
                .sandbox_get(model::BUSINESS, id)
                .await
                .map_err(|_| unavailable())?
                .ok_or_else(|| bad_request("business_id is not a known business"))?;
            Some(serde_json::from_str::<Business>(&stored.data).map_err(|_| unavailable())?)
        }
        None => None,
    };
    let new_business = existing_business.is_none();
    let business = existing_business.unwrap_or_else(|| Business {
        id: graph_id(),
        name: request.business_name.trim().to_string(),
    });
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
    };
    let access_token = format!("EAAS{}", random_text(120));
    let now = now_millis();
    let token = Token {
        app_id: state.app_id.clone(),
        user_id: graph_id(),
        kind: "SYSTEM_USER".into(),
        granular_scopes: [
            "whatsapp_business_management",
            "whatsapp_business_messaging",
        ]
        .iter()
        .map(|scope| GranularScope {
            scope: scope.to_string(),
            target_ids: vec![waba.id.clone()],
        })
        .collect(),
        issued_at: now / 1000,
        expires_at: 0,
    };
    let code_text = random_text(200);
    let code = Code {
        app_id: state.app_id.clone(),
        access_token: access_token.clone(),
        expires_at: now + (request.code_lifetime_seconds as i64) * 1000,
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
            .map_err(|_| unavailable())?;
    }
    Ok(Json(SignupResponse {
        code: code_text,
        business_id: business.id,
        waba_id: waba.id,
        phone_number_id: phone.id,
    }))
}

fn to_json<T: Serialize>(value: &T) -> Result<String, (StatusCode, Json<ApiError>)> {
    serde_json::to_string(value).map_err(|_| unavailable())
}
