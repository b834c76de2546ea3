//! `POST /{PHONE_NUMBER_ID}/marketing_messages`: one marketing template through the MM API,
//! and `POST /{PHONE_NUMBER_ID}/messages`: one template or text message through the Cloud API;
//! each answered like Graph and followed by the status webhooks Meta would send for it.
//! Both share the caller checks (token covering the phone's WABA plus `appsecret_proof`), the
//! common body fields, the answer and the webhook schedule; they differ in what they accept,
//! the state they require, and how the message is priced.
//!
//! Sources: the request fields, the answer and the status webhook are seed 002 (and the
//! OpenAPI file's `MarketingMessageRequestPayload` (docs/meta/openapi.md), which also lists `product_policy`
//! `CLOUD_API_FALLBACK` / `STRICT`); per-send `message_activity_sharing` is seed 001 (docs/meta/001-mm-api-onboarding.md
//! §"Event activity sharing"); the error codes are docs/PRODUCT.md §"Test sends" (the seeds name none of them; see
//! `errors::mm_*`). Where the sources are silent the simulator chooses, and says so here:
//!
//! - Parameters come from a JSON body (a form or the query also work, as elsewhere in Graph;
//!   `template` is then JSON text). Validation errors are code 100, checked in this order:
//!   `messaging_product` (= `whatsapp`), `recipient_type` (optional, as on the Cloud API;
//!   if given, `individual`), `to` (8–15 digits, an optional leading `+`), `type`
//!   (= `template`), `template` (an object with a non-empty `name` and `language.code`;
//!   `language.policy`, if given, `deterministic`), `message_activity_sharing` (a boolean),
//!   `message_send_ttl_seconds` (an integer within `model::MIN_SEND_TTL_SECONDS` ..
//!   `MAX_SEND_TTL_SECONDS`, 12 hours to 30 days), `product_policy`.
//! - Then the `send` fault, then the state checks: WABA not `ONBOARDED` → 131055; phone
//!   neither registered (`platform_type == CLOUD_API`) nor coexistence → 134100; then the
//!   tester's template triggers (`model::TEMPLATE_*`): `strict_fail` with `STRICT` → 131063
//!   (without `STRICT` it "falls back to the Cloud API": accepted, priced `marketing`),
//!   `syncing_template` → 134101, `unsupported_template` → 134102, `bad_params` → 132018.
//! - Accepted: `{"messaging_product":"whatsapp","contacts":[{"input","wa_id"}],
//!   "messages":[{"id":"wamid.…"}]}`; then, `model::STATUS_STEP_MS` apart, signed `messages`
//!   webhooks `sent`, `delivered`, `read` (+ one `marketing_messages_link_click` when
//!   `message_activity_sharing` is true). A recipient ending in `0000` gets one `failed`
//!   status with 131049 instead. Webhooks go out whether or not the app subscribed to the
//!   WABA (the simulator does not model per-WABA webhook routing for messages).
//! - The stored templates (`templates.rs`) are not consulted: any other name counts as an
//!   approved marketing template (the portal checks readiness before it sends).
//!
//! `POST /{PHONE_NUMBER_ID}/messages` (Cloud API; the OpenAPI file's `sendMessage`):
//!
//! - The same caller checks and the same `messaging_product`, `recipient_type` and `to`
//!   checks; then `type` `template` (as above) or `text` (`text.body` a non-empty string of
//!   at most 4096 characters, `text.preview_url` a boolean if given); other types → 100.
//!   MM-only fields (`message_activity_sharing`, `message_send_ttl_seconds`,
//!   `product_policy`) are ignored, as the Cloud API has none of them.
//! - Then the `messages` fault, then: phone neither registered nor coexistence → 133010
//!   ("Account not registered"); the MM API onboarding status does not matter; of the
//!   tester's template names only `bad_params` (132018) applies.
//! - The template's category comes from its name (`model::template_category`):
//!   `utility_…` → `utility`, `authentication_…` → `authentication`, anything else →
//!   `marketing`; a text message is `service` (unbillable). Status webhooks carry that
//!   category in `pricing` and `conversation.origin.type`, so the portal tells Cloud API
//!   sends from MM API (`marketing_lite`) ones. No click webhooks (they are an MM API
//!   feature). A recipient ending in `0000` fails with 131049 for marketing only.
//! - The answer is the MM one plus `messages[0].message_status: "accepted"` for templates, as
//!   in the OpenAPI file's example.

use std::collections::HashMap;
use std::time::Duration;

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::sandbox::core::caller::Authenticated;
use crate::sandbox::core::errors::{self, SimError};
use crate::sandbox::core::ids::random_from as random_text;
use crate::sandbox::core::store::load;
use crate::sandbox::core::SandboxState;
use crate::sandbox::model::{self, Phone, Waba};
use crate::sandbox::webhooks::{self, MessageOrigin};
use crate::sandbox::{faults, onboarding};

pub fn router() -> Router<SandboxState> {
    Router::new()
        .route(
            "/{version}/{id}/marketing_messages",
            post(marketing_messages),
        )
        .route("/{version}/{id}/messages", post(messages))
}

/// A validated send request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendRequest {
    /// `to` as given (echoed as `contacts[0].input`).
    pub input: String,
    /// `to`'s digits (the recipient's WhatsApp id).
    pub wa_id: String,
    /// The template's name; `None` for a text message (Cloud API only).
    pub template: Option<String>,
    pub activity_sharing: bool,
    pub ttl_seconds: Option<i64>,
    pub strict: bool,
}

impl SendRequest {
    fn template_name(&self) -> &str {
        self.template.as_deref().unwrap_or("")
    }
}

fn required<'a>(params: &'a HashMap<String, String>, name: &str) -> Result<&'a str, SimError> {
    params
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| errors::missing_parameter(name))
}

/// A parameter that must be a JSON object (sent as JSON, or as JSON text in a form).
fn object_param(params: &HashMap<String, String>, name: &str) -> Result<Value, SimError> {
    serde_json::from_str(required(params, name)?)
        .ok()
        .filter(Value::is_object)
        .ok_or_else(|| errors::invalid_parameter(&format!("Param {name} must be a JSON object")))
}

/// The fields both send endpoints check first: `messaging_product`, `recipient_type`, `to`.
/// Returns `to` as given and its digits.
fn validate_recipient(params: &HashMap<String, String>) -> Result<(String, String), SimError> {
    if required(params, "messaging_product")? != "whatsapp" {
        return Err(errors::invalid_parameter(
            "Param messaging_product must be whatsapp",
        ));
    }
    if let Some(kind) = params.get("recipient_type") {
        if kind != "individual" {
            return Err(errors::invalid_parameter(
                "Param recipient_type must be individual",
            ));
        }
    }
    let input = required(params, "to")?;
    let digits = input.strip_prefix('+').unwrap_or(input);
    if !(8..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(errors::invalid_parameter(
            "Param to must be a phone number of 8 to 15 digits in international format",
        ));
    }
    Ok((input.to_string(), digits.to_string()))
}

/// `template`: an object with a non-empty `name` and `language.code` (`language.policy`, if
/// given, `deterministic`). Returns the name.
fn validate_template(params: &HashMap<String, String>) -> Result<String, SimError> {
    let template = object_param(params, "template")?;
    let name = template
        .get("name")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| errors::missing_parameter("template[name]"))?;
    template
        .pointer("/language/code")
        .and_then(Value::as_str)
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(|| errors::missing_parameter("template[language][code]"))?;
    if let Some(policy) = template.pointer("/language/policy") {
        if policy != "deterministic" {
            return Err(errors::invalid_parameter(
                "Param template[language][policy] must be deterministic",
            ));
        }
    }
    Ok(name.to_string())
}

/// The longest text message body the Cloud API accepts.
pub const MAX_TEXT_BODY_CHARS: usize = 4096;

/// `text`: an object with a non-empty `body` of at most 4096 characters and an optional
/// boolean `preview_url`.
fn validate_text(params: &HashMap<String, String>) -> Result<(), SimError> {
    let text = object_param(params, "text")?;
    let body = text
        .get("body")
        .and_then(Value::as_str)
        .filter(|b| !b.trim().is_empty())
        .ok_or_else(|| errors::missing_parameter("text[body]"))?;
    if body.chars().count() > MAX_TEXT_BODY_CHARS {
        return Err(errors::invalid_parameter(&format!(
            "Param text[body] must be at most {MAX_TEXT_BODY_CHARS} characters"
        )));
    }
    if text.get("preview_url").is_some_and(|p| !p.is_boolean()) {
        return Err(errors::invalid_parameter(
            "Param text[preview_url] must be a boolean",
        ));
    }
    Ok(())
}

/// Checks an MM API body the way Graph does, first problem first (code 100).
pub fn validate(params: &HashMap<String, String>) -> Result<SendRequest, SimError> {
    let (input, wa_id) = validate_recipient(params)?;
    if required(params, "type")? != "template" {
        return Err(errors::invalid_parameter("Param type must be template"));
    }
    let template = validate_template(params)?;
    let activity_sharing = match params.get("message_activity_sharing").map(String::as_str) {
        None => false,
        Some("true") => true,
        Some("false") => false,
        Some(_) => {
            return Err(errors::invalid_parameter(
                "Param message_activity_sharing must be a boolean",
            ))
        }
    };
    let ttl_seconds = match params.get("message_send_ttl_seconds") {
        None => None,
        Some(text) => {
            let ttl = text.parse::<i64>().ok().filter(|ttl| {
                (model::MIN_SEND_TTL_SECONDS..=model::MAX_SEND_TTL_SECONDS).contains(ttl)
            });
            Some(ttl.ok_or_else(|| {
                errors::invalid_parameter(&format!(
                    "Param message_send_ttl_seconds must be an integer between {} and {}",
                    model::MIN_SEND_TTL_SECONDS,
                    model::MAX_SEND_TTL_SECONDS
                ))
            })?)
        }
    };
    let strict = match params.get("product_policy").map(String::as_str) {
        None | Some("CLOUD_API_FALLBACK") => false,
        Some("STRICT") => true,
        Some(_) => {
            return Err(errors::invalid_parameter(
                "Param product_policy must be one of {CLOUD_API_FALLBACK, STRICT}",
            ))
        }
    };
    Ok(SendRequest {
        input,
        wa_id,
        template: Some(template),
        activity_sharing,
        ttl_seconds,
        strict,
    })
}

/// Checks a Cloud API `/messages` body (code 100): a template or a text message.
pub fn validate_cloud(params: &HashMap<String, String>) -> Result<SendRequest, SimError> {
    let (input, wa_id) = validate_recipient(params)?;
    let template = match required(params, "type")? {
        "template" => Some(validate_template(params)?),
        "text" => {
            validate_text(params)?;
            None
        }
        _ => {
            return Err(errors::invalid_parameter(
                "Param type must be one of {template, text} in the simulator",
            ))
        }
    };
    Ok(SendRequest {
        input,
        wa_id,
        template,
        activity_sharing: false,
        ttl_seconds: None,
        strict: false,
    })
}

/// The tester's template triggers on the MM API; `Ok(fallback)` tells whether the message
/// went out through the Cloud API instead of the MM API.
fn template_outcome(request: &SendRequest) -> Result<bool, SimError> {
    match request.template_name() {
        model::TEMPLATE_STRICT_FAIL if request.strict => Err(errors::mm_strict_policy()),
        model::TEMPLATE_STRICT_FAIL => Ok(true),
        model::TEMPLATE_SYNCING => Err(errors::mm_template_syncing()),
        model::TEMPLATE_UNSUPPORTED => Err(errors::mm_template_unsupported()),
        model::TEMPLATE_BAD_PARAMS => Err(errors::template_parameter_issue()),
        _ => Ok(false),
    }
}

const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const HEX: &[u8] = b"0123456789abcdef";

/// A message id shaped like Meta's (`wamid.` and base64 text, seed 002).
fn message_id() -> String {
    format!("wamid.HBgL{}", random_text(BASE64, 48))
}

fn is_registered(phone: &Phone) -> bool {
    phone.platform_type == "CLOUD_API" || phone.coexistence
}

/// How an accepted message is priced and what follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Pricing {
    /// `pricing.category` and `conversation.origin.type`.
    category: &'static str,
    billable: bool,
    /// Send a click after `read` (MM API with `message_activity_sharing`).
    click: bool,
    /// Recipients ending in `model::FAILING_RECIPIENT_SUFFIX` fail with 131049 (marketing).
    marketing_limit: bool,
}

/// Answers an accepted send and schedules its status webhooks.
fn accept(
    state: &SandboxState,
    phone: &Phone,
    request: &SendRequest,
    pricing: Pricing,
    message_status: Option<&str>,
) -> Json<Value> {
    let id = message_id();
    let origin = MessageOrigin {
        waba_id: phone.waba_id.clone(),
        display_phone_number: phone.display_phone_number.clone(),
        phone_number_id: phone.id.clone(),
    };
    spawn_status_webhooks(state, origin, id.clone(), request.wa_id.clone(), pricing);
    let mut message = json!({ "id": id });
    if let Some(status) = message_status {
        message["message_status"] = json!(status);
    }
    Json(json!({
        "messaging_product": "whatsapp",
        "contacts": [{"input": request.input, "wa_id": request.wa_id}],
        "messages": [message],
    }))
}

/// `POST /{PHONE_NUMBER_ID}/marketing_messages`.
///
/// Both send endpoints open alike: a token (with `appsecret_proof`) covering the phone's
/// WABA; another business's (or an unknown) phone is Graph's "Unsupported post request".
pub async fn marketing_messages(
    State(state): State<SandboxState>,
    caller: Authenticated,
) -> Result<Json<Value>, SimError> {
    let (phone, _) = caller.phone(&state, errors::unsupported_post).await?;
    let request = validate(&caller.request.params)?;
    faults::take(&state, "send").await?;
    let (waba, _) = load::<Waba>(&state, model::WABA, &phone.waba_id)
        .await?
        .ok_or_else(errors::internal)?;
    // A due simulated onboarding completes on this read too, as on `GET /{WABA}`.
    let waba = onboarding::complete_due_onboarding(&state, waba).await;
    if waba.marketing_messages_onboarding_status != "ONBOARDED" {
        return Err(errors::mm_not_onboarded());
    }
    if !is_registered(&phone) {
        return Err(errors::mm_phone_not_eligible());
    }
    let fallback = template_outcome(&request)?;
    // A Cloud API fallback is priced as an ordinary marketing message, and Meta shares no
    // MM API click activity for it.
    let pricing = Pricing {
        category: if fallback {
            "marketing"
        } else {
            "marketing_lite"
        },
        billable: true,
        click: request.activity_sharing && !fallback,
        marketing_limit: true,
    };
    if !fallback {
        super::analytics::count_send(&state, &phone, request.template_name(), pricing.click)
            .await?;
    }
    Ok(accept(&state, &phone, &request, pricing, None))
}

/// `POST /{PHONE_NUMBER_ID}/messages` (Cloud API).
pub async fn messages(
    State(state): State<SandboxState>,
    caller: Authenticated,
) -> Result<Json<Value>, SimError> {
    let (phone, _) = caller.phone(&state, errors::unsupported_post).await?;
    let request = validate_cloud(&caller.request.params)?;
    faults::take(&state, "messages").await?;
    if !is_registered(&phone) {
        return Err(errors::cloud_phone_not_registered());
    }
    let category = match &request.template {
        Some(name) if name == model::TEMPLATE_BAD_PARAMS => {
            return Err(errors::template_parameter_issue())
        }
        Some(name) => model::template_category(name),
        None => "service",
    };
    let pricing = Pricing {
        category,
        billable: category != "service",
        click: false,
        marketing_limit: category == "marketing",
    };
    let status = request.template.is_some().then_some("accepted");
    Ok(accept(&state, &phone, &request, pricing, status))
}

/// Sends the message's life in the background: `sent`, `delivered`, `read` (+ a click), or one
/// `failed` for marketing recipients ending in `model::FAILING_RECIPIENT_SUFFIX`.
fn spawn_status_webhooks(
    state: &SandboxState,
    origin: MessageOrigin,
    id: String,
    recipient: String,
    pricing: Pricing,
) {
    let state = state.clone();
    tokio::spawn(async move {
        let step = Duration::from_millis(model::STATUS_STEP_MS);
        tokio::time::sleep(step).await;
        let recipient = recipient.as_str();
        if pricing.marketing_limit && recipient.ends_with(model::FAILING_RECIPIENT_SUFFIX) {
            let status = webhooks::failed_status(
                &id,
                recipient,
                model::ECOSYSTEM_ERROR_CODE,
                model::ECOSYSTEM_ERROR_TITLE,
            );
            webhooks::deliver(
                &state,
                webhooks::messages_delivery(&origin, "statuses", vec![status]),
            );
            return;
        }
        let conversation = random_text(HEX, 32);
        for (n, status) in ["sent", "delivered", "read"].into_iter().enumerate() {
            if n > 0 {
                tokio::time::sleep(step).await;
            }
            let mut status =
                webhooks::message_status(&id, status, recipient, &conversation, pricing.category);
            status["pricing"]["billable"] = json!(pricing.billable);
            webhooks::deliver(
                &state,
                webhooks::messages_delivery(&origin, "statuses", vec![status]),
            );
        }
        if pricing.click {
            tokio::time::sleep(step).await;
            let click = webhooks::link_click(&random_text(HEX, 32));
            webhooks::deliver(
                &state,
                webhooks::messages_delivery(&origin, "user_actions", vec![click]),
            );
        }
    });
}

#[cfg(test)]
mod tests {
    use axum::body::Bytes;

    use super::*;
    use crate::sandbox::core::caller::post_params;

    fn params(body: Value) -> HashMap<String, String> {
        post_params(&HashMap::new(), &Bytes::from(body.to_string()))
    }

    fn base() -> Value {
        json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "5511912345678",
            "type": "template",
            "template": {"name": "promo", "language": {"code": "en", "policy": "deterministic"}},
        })
    }

    #[test]
    fn a_minimal_body_is_valid_with_defaults() {
        let request = validate(&params(base())).unwrap();
        assert_eq!(request.wa_id, "5511912345678");
        assert_eq!(request.template.as_deref(), Some("promo"));
        assert!(!request.activity_sharing && !request.strict);
        assert_eq!(request.ttl_seconds, None);
    }

    #[test]
    fn ttl_bounds_are_inclusive() {
        for (ttl, ok) in [
            (43_199, false),
            (43_200, true),
            (2_592_000, true),
            (2_592_001, false),
        ] {
            let mut body = base();
            body["message_send_ttl_seconds"] = json!(ttl);
            assert_eq!(validate(&params(body)).is_ok(), ok, "{ttl}");
        }
    }

    #[test]
    fn strict_fail_falls_back_unless_strict() {
        let mut body = base();
        body["template"]["name"] = json!("strict_fail");
        let request = validate(&params(body.clone())).unwrap();
        assert_eq!(template_outcome(&request), Ok(true));
        body["product_policy"] = json!("STRICT");
        let request = validate(&params(body)).unwrap();
        assert_eq!(template_outcome(&request).unwrap_err().error.code, 131063);
    }

    #[test]
    fn the_cloud_api_takes_templates_and_text_but_the_mm_api_only_templates() {
        let text = json!({
            "messaging_product": "whatsapp",
            "to": "+5511912345678",
            "type": "text",
            "text": {"body": "Olá!", "preview_url": false},
        });
        let request = validate_cloud(&params(text.clone())).unwrap();
        assert_eq!(
            (request.template, request.wa_id.as_str()),
            (None, "5511912345678")
        );
        assert_eq!(validate(&params(text)).unwrap_err().error.code, 100);
        let request = validate_cloud(&params(base())).unwrap();
        assert_eq!(request.template.as_deref(), Some("promo"));
    }

    #[test]
    fn bad_text_messages_are_code_100_naming_the_field() {
        let long = "x".repeat(MAX_TEXT_BODY_CHARS + 1);
        let exact = "x".repeat(MAX_TEXT_BODY_CHARS);
        for (text, fragment) in [
            (json!(null), "text"),
            (json!("hello"), "Param text must be a JSON object"),
            (json!({}), "text[body]"),
            (json!({"body": "  "}), "text[body]"),
            (json!({"body": long}), "at most 4096"),
            (json!({"body": "hi", "preview_url": "yes"}), "preview_url"),
        ] {
            let mut body = json!({"messaging_product": "whatsapp", "to": "5511912345678",
                                  "type": "text"});
            if !text.is_null() {
                body["text"] = text;
            }
            let error = validate_cloud(&params(body)).unwrap_err();
            assert_eq!(error.error.code, 100);
            assert!(
                error.error.message.contains(fragment),
                "{}",
                error.error.message
            );
        }
        let body = json!({"messaging_product": "whatsapp", "to": "5511912345678",
                          "type": "text", "text": {"body": exact}});
        assert!(validate_cloud(&params(body)).is_ok());
        let mut image = base();
        image["type"] = json!("image");
        assert_eq!(validate_cloud(&params(image)).unwrap_err().error.code, 100);
    }
}
