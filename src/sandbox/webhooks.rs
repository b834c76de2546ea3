//! Webhooks the simulator sends to the portal, signed with the app secret like Meta's
//! (`X-Hub-Signature-256`), retried with backoff until the portal answers 2xx.
//!
//! Meta retries failed deliveries for days; the simulator retries for about two minutes and
//! keeps its queue in memory (a simulator restart drops undelivered webhooks — a Meta outage
//! in miniature, which the portal's status re-checks must survive anyway). Webhook faults
//! (`faults.rs`: drop, duplicate, reorder) are applied here, before sending; the bodies of the
//! webhooks the simulator sends are built here too.

use std::time::Duration;

use serde_json::{json, Value};

use crate::sandbox::core::SandboxState;
use crate::sandbox::faults;
use crate::webhooks::signature;

const ATTEMPTS: u32 = 8;

/// Sends `body` to the portal's webhook endpoint in the background, under the armed webhook
/// fault if any (`faults::plan_webhook`: dropped, sent twice, or held back for the next one).
pub fn deliver(state: &SandboxState, body: Value) {
    let state = state.clone();
    tokio::spawn(async move {
        let bodies = faults::plan_webhook(&state, body).await;
        send_all(&state, bodies).await;
    });
}

/// Sends `bodies` in order in the background, bypassing webhook faults.
pub fn send_now(state: &SandboxState, bodies: Vec<Value>) {
    let state = state.clone();
    tokio::spawn(async move { send_all(&state, bodies).await });
}

/// Each body in turn, the next one only after the previous was accepted (or given up on).
async fn send_all(state: &SandboxState, bodies: Vec<Value>) {
    for body in bodies {
        send_one(state, &body).await;
    }
}

async fn send_one(state: &SandboxState, body: &Value) {
    let Some(target) = state.webhook_url.clone() else {
        tracing::warn!("sandbox webhook not sent: no callback URL configured");
        return;
    };
    let bytes = body.to_string().into_bytes();
    let header = signature::sign(&state.app_secret, &bytes);
    let mut delay = Duration::from_millis(250);
    for attempt in 1..=ATTEMPTS {
        let sent = state
            .http
            .post(target.clone())
            .header("content-type", "application/json")
            .header("x-hub-signature-256", &header)
            .body(bytes.clone())
            .send()
            .await;
        match sent {
            Ok(response) if response.status().is_success() => return,
            Ok(response) => {
                tracing::info!(
                    attempt,
                    status = response.status().as_u16(),
                    "sandbox webhook refused; retrying"
                )
            }
            Err(_) => tracing::info!(attempt, "sandbox webhook not delivered; retrying"),
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(30));
    }
    tracing::warn!("sandbox webhook dropped after {ATTEMPTS} attempts");
}

/// The `account_update` / `MM_LITE_TERMS_SIGNED` delivery for one WABA. `entry.id` is the
/// partner's business (Meta sends it to the partner), the WABA is in `waba_info`.
pub fn terms_signed(partner_business_id: &str, waba_id: &str, owner_business_id: &str) -> Value {
    json!({
        "object": "whatsapp_business_account",
        "entry": [{
            "id": partner_business_id,
            "time": crate::db::now_millis() / 1000,
            "changes": [{
                "field": "account_update",
                "value": {
                    "event": "MM_LITE_TERMS_SIGNED",
                    "waba_info": {"waba_id": waba_id, "owner_business_id": owner_business_id}
                }
            }]
        }]
    })
}

/// An `account_update` lifecycle event for `waba`, as Meta's examples print them
/// (docs/meta/offboarding.md): `PARTNER_*` events go to the partner's business (`entry.id`)
/// and name the WABA in `waba_info` (with `partner_app_id` for the app events);
/// `ACCOUNT_*` events carry only `event`, with the WABA as `entry.id`.
pub fn account_update(
    partner_business_id: &str,
    app_id: &str,
    waba: &crate::sandbox::model::Waba,
    event: &str,
) -> Value {
    let (entry_id, value) = if event.starts_with("PARTNER_") {
        let mut waba_info = json!({
            "waba_id": waba.id,
            "owner_business_id": waba.owner_business_id,
        });
        if event.starts_with("PARTNER_APP_") {
            waba_info["partner_app_id"] = json!(app_id);
        }
        (
            partner_business_id.to_string(),
            json!({"event": event, "waba_info": waba_info}),
        )
    } else {
        (waba.id.clone(), json!({"event": event}))
    };
    json!({
        "object": "whatsapp_business_account",
        "entry": [{
            "id": entry_id,
            "time": crate::db::now_millis() / 1000,
            "changes": [{"field": "account_update", "value": value}]
        }]
    })
}

/// One WABA-level change in Meta's envelope (`entry.id` the WABA).
fn waba_change(waba_id: &str, field: &str, value: Value) -> Value {
    json!({
        "object": "whatsapp_business_account",
        "entry": [{
            "id": waba_id,
            "time": crate::db::now_millis() / 1000,
            "changes": [{"field": field, "value": value}]
        }]
    })
}

/// `message_template_status_update` for `template` (docs/meta/templates.md); the id is an
/// integer, as in Meta's payloads.
pub fn template_status(template: &crate::sandbox::model::MessageTemplate, event: &str) -> Value {
    waba_change(
        &template.waba_id,
        "message_template_status_update",
        json!({
            "event": event,
            "message_template_id": template.id.parse::<u64>().map(Value::from).unwrap_or_else(|_| json!(template.id)),
            "message_template_name": template.name,
            "message_template_language": template.language,
            "reason": "NONE",
            "message_template_category": template.category,
        }),
    )
}

/// `template_category_update`: completed (`previous` given; `new_category` is the new one) or
/// a notice (`correct` and when; `new_category` is the current one).
pub fn template_category(
    template: &crate::sandbox::model::MessageTemplate,
    previous: Option<&str>,
    correct: Option<(&str, i64)>,
) -> Value {
    let mut value = json!({
        "message_template_id": template.id.parse::<u64>().map(Value::from).unwrap_or_else(|_| json!(template.id)),
        "message_template_name": template.name,
        "message_template_language": template.language,
        "new_category": template.category,
    });
    if let Some(previous) = previous {
        value["previous_category"] = json!(previous);
    }
    if let Some((correct, at)) = correct {
        value["correct_category"] = json!(correct);
        value["category_update_timestamp"] = json!(at);
    }
    waba_change(&template.waba_id, "template_category_update", value)
}

/// Where a message's events come from: its WABA (`entry.id`) and phone (`metadata`).
#[derive(Debug, Clone)]
pub struct MessageOrigin {
    pub waba_id: String,
    pub display_phone_number: String,
    pub phone_number_id: String,
}

/// A `messages` delivery (seed 002's shape): `entry.id` is the WABA, `value` carries
/// `messaging_product`, `metadata` and the `items` under `key` (`statuses` or `user_actions`).
pub fn messages_delivery(origin: &MessageOrigin, key: &str, items: Vec<Value>) -> Value {
    let mut value = json!({
        "messaging_product": "whatsapp",
        "metadata": {
            "display_phone_number": origin.display_phone_number,
            "phone_number_id": origin.phone_number_id,
        },
    });
    value[key] = Value::Array(items);
    json!({
        "object": "whatsapp_business_account",
        "entry": [{
            "id": origin.waba_id,
            "time": crate::db::now_millis() / 1000,
            "changes": [{"field": "messages", "value": value}]
        }]
    })
}

/// One priced status (`sent`, `delivered`, `read`) as in seed 002: `category` is
/// `marketing_lite` for MM API sends (also the conversation's origin type).
pub fn message_status(
    message_id: &str,
    status: &str,
    recipient: &str,
    conversation_id: &str,
    category: &str,
) -> Value {
    let now = crate::db::now_millis() / 1000;
    json!({
        "id": message_id,
        "status": status,
        "timestamp": now.to_string(),
        "recipient_id": recipient,
        "conversation": {
            "id": conversation_id,
            "expiration_timestamp": (now + 24 * 3600).to_string(),
            "origin": {"type": category},
        },
        "pricing": {"billable": true, "pricing_model": "CBP", "category": category},
    })
}

/// A `failed` status with one error (Cloud API shape: `code`, `title`, `message`,
/// `error_data.details`); unpriced, like Meta's failed statuses.
pub fn failed_status(message_id: &str, recipient: &str, code: i64, title: &str) -> Value {
    json!({
        "id": message_id,
        "status": "failed",
        "timestamp": (crate::db::now_millis() / 1000).to_string(),
        "recipient_id": recipient,
        "errors": [{
            "code": code,
            "title": title,
            "message": title,
            "error_data": {"details": title},
        }],
    })
}

/// A CTA link click, sent for MM API messages with `message_activity_sharing: true` (seed 002).
pub fn link_click(click_id: &str) -> Value {
    json!({
        "action_type": "marketing_messages_link_click",
        "timestamp": (crate::db::now_millis() / 1000).to_string(),
        "marketing_messages_link_click_data": {
            "click_component": "cta",
            "click_id": click_id,
        },
    })
}
