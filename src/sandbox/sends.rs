//! `POST /{PHONE_NUMBER_ID}/marketing_messages`: one marketing template through the MM API,
//! answered like Graph, followed by the status webhooks Meta would send for it.
//!
//! Sources: the request fields, the answer and the status webhook are seed 002 (and the
//! shared OpenAPI file's `MarketingMessageRequestPayload`, which also lists `product_policy`
//! `CLOUD_API_FALLBACK` / `STRICT`); per-send `message_activity_sharing` is seed 001 (~line
//! 155); the error codes are DESIGN.md §5.5 (the seeds name none of them; see
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
//! - No templates are stored: any other name counts as an approved marketing template.

use std::collections::HashMap;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Json;
use rand::Rng;
use serde_json::{json, Value};

use super::errors::{self, SimError};
use super::graph::{authenticate, check_version, load};
use super::model::{self, Phone, Waba};
use super::outbound::{self, MessageOrigin};
use super::waba_ops::post_params;
use super::{faults, SandboxState};

type Params = Query<HashMap<String, String>>;

/// A validated send request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendRequest {
    /// `to` as given (echoed as `contacts[0].input`).
    pub input: String,
    /// `to`'s digits (the recipient's WhatsApp id).
    pub wa_id: String,
    pub template: String,
    pub activity_sharing: bool,
    pub ttl_seconds: Option<i64>,
    pub strict: bool,
}

fn required<'a>(params: &'a HashMap<String, String>, name: &str) -> Result<&'a str, SimError> {
    params
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| errors::missing_parameter(name))
}

/// Checks the body the way Graph does, first problem first (code 100).
pub fn validate(params: &HashMap<String, String>) -> Result<SendRequest, SimError> {
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
    if required(params, "type")? != "template" {
        return Err(errors::invalid_parameter("Param type must be template"));
    }
    let template: Value = serde_json::from_str(required(params, "template")?)
        .ok()
        .filter(Value::is_object)
        .ok_or_else(|| errors::invalid_parameter("Param template must be a JSON object"))?;
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
        input: input.to_string(),
        wa_id: digits.to_string(),
        template: name.to_string(),
        activity_sharing,
        ttl_seconds,
        strict,
    })
}

/// The tester's template triggers; `Ok(fallback)` tells whether the message went out through
/// the Cloud API instead of the MM API.
fn template_outcome(request: &SendRequest) -> Result<bool, SimError> {
    match request.template.as_str() {
        model::TEMPLATE_STRICT_FAIL if request.strict => Err(errors::mm_strict_policy()),
        model::TEMPLATE_STRICT_FAIL => Ok(true),
        model::TEMPLATE_SYNCING => Err(errors::mm_template_syncing()),
        model::TEMPLATE_UNSUPPORTED => Err(errors::mm_template_unsupported()),
        model::TEMPLATE_BAD_PARAMS => Err(errors::template_parameter_issue()),
        _ => Ok(false),
    }
}

fn random_text(alphabet: &[u8], length: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..length)
        .map(|_| alphabet[rng.gen_range(0..alphabet.len())] as char)
        .collect()
}

const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const HEX: &[u8] = b"0123456789abcdef";

/// A message id shaped like Meta's (`wamid.` and base64 text, seed 002).
fn message_id() -> String {
    format!("wamid.HBgL{}", random_text(BASE64, 48))
}

/// `POST /{PHONE_NUMBER_ID}/marketing_messages`.
pub async fn marketing_messages(
    State(state): State<SandboxState>,
    Path((version, phone_id)): Path<(String, String)>,
    Query(query): Params,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, SimError> {
    check_version(&version)?;
    let params = post_params(&query, &body);
    let token = authenticate(&state, &headers, &params).await?;
    let phone = match load::<Phone>(&state, model::PHONE, &phone_id).await? {
        Some((phone, _)) if token.covers(&phone.waba_id) => phone,
        _ => return Err(errors::unsupported_post(&phone_id)),
    };
    let request = validate(&params)?;
    faults::take(&state, "send").await?;
    let (waba, _) = load::<Waba>(&state, model::WABA, &phone.waba_id)
        .await?
        .ok_or_else(errors::internal)?;
    // A due simulated onboarding completes on this read too, as on `GET /{WABA}`.
    let waba = super::waba_ops::complete_due_onboarding(&state, waba).await;
    if waba.marketing_messages_onboarding_status != "ONBOARDED" {
        return Err(errors::mm_not_onboarded());
    }
    if phone.platform_type != "CLOUD_API" && !phone.coexistence {
        return Err(errors::mm_phone_not_eligible());
    }
    let fallback = template_outcome(&request)?;
    let id = message_id();
    let origin = MessageOrigin {
        waba_id: waba.id.clone(),
        display_phone_number: phone.display_phone_number.clone(),
        phone_number_id: phone.id.clone(),
    };
    spawn_status_webhooks(&state, origin, id.clone(), request.clone(), fallback);
    Ok(Json(json!({
        "messaging_product": "whatsapp",
        "contacts": [{"input": request.input, "wa_id": request.wa_id}],
        "messages": [{"id": id}],
    })))
}

/// Sends the message's life in the background: `sent`, `delivered`, `read` (+ a click), or one
/// `failed` for recipients ending in `model::FAILING_RECIPIENT_SUFFIX`.
fn spawn_status_webhooks(
    state: &SandboxState,
    origin: MessageOrigin,
    id: String,
    request: SendRequest,
    fallback: bool,
) {
    let state = state.clone();
    tokio::spawn(async move {
        let step = Duration::from_millis(model::STATUS_STEP_MS);
        tokio::time::sleep(step).await;
        let recipient = request.wa_id.as_str();
        if recipient.ends_with(model::FAILING_RECIPIENT_SUFFIX) {
            let status = outbound::failed_status(
                &id,
                recipient,
                model::ECOSYSTEM_ERROR_CODE,
                model::ECOSYSTEM_ERROR_TITLE,
            );
            outbound::deliver(
                &state,
                outbound::messages_delivery(&origin, "statuses", vec![status]),
            );
            return;
        }
        // A Cloud API fallback is priced as an ordinary marketing message, and Meta shares no
        // MM API click activity for it.
        let category = if fallback {
            "marketing"
        } else {
            "marketing_lite"
        };
        let conversation = random_text(HEX, 32);
        for (n, status) in ["sent", "delivered", "read"].into_iter().enumerate() {
            if n > 0 {
                tokio::time::sleep(step).await;
            }
            let status = outbound::message_status(&id, status, recipient, &conversation, category);
            outbound::deliver(
                &state,
                outbound::messages_delivery(&origin, "statuses", vec![status]),
            );
        }
        if request.activity_sharing && !fallback {
            tokio::time::sleep(step).await;
            let click = outbound::link_click(&random_text(HEX, 32));
            outbound::deliver(
                &state,
                outbound::messages_delivery(&origin, "user_actions", vec![click]),
            );
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(request.template, "promo");
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
}
