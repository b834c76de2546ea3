//! `POST /{PHONE}/smb_app_data` (docs/meta/coexistence-sync.md): a coexistence number's
//! Business app contacts (`sync_type` `smb_app_state_sync`) or chat history (`history`),
//! answered `{"messaging_product": "whatsapp", "request_id"}` and then delivered as webhooks,
//! as Meta does: three `smb_app_state_sync` contacts; two `history` chunks (phase 0 at 50 %,
//! phase 2 at 100 %), or the 2593109 refusal when the tester's signup said the business does
//! not share its history. Checks: `messaging_product`, a known `sync_type`, a coexistence
//! number (the simulator's own wording: Meta documents no error for the others), and once
//! per number and type — a second request is Graph code 4 (a partner's field notes report
//! it; Meta documents none).

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::sandbox::core::caller::Authenticated;
use crate::sandbox::core::errors::{self, SimError};
use crate::sandbox::core::ids;
use crate::sandbox::core::store::encode;
use crate::sandbox::core::SandboxState;
use crate::sandbox::faults;
use crate::sandbox::model::{self, Phone};
use crate::sandbox::webhooks;

pub fn router() -> Router<SandboxState> {
    Router::new().route("/{version}/{id}/smb_app_data", post(smb_app_data))
}

pub async fn smb_app_data(
    State(state): State<SandboxState>,
    caller: Authenticated,
) -> Result<Json<Value>, SimError> {
    let (mut phone, version) = caller.phone(&state, errors::unsupported_get).await?;
    let request = &caller.request;
    if request.param("messaging_product").map(String::as_str) != Some("whatsapp") {
        return Err(errors::invalid_parameter(
            "The parameter messaging_product is required and must be whatsapp",
        ));
    }
    let sync_type = request.required("sync_type")?.clone();
    if sync_type != "smb_app_state_sync" && sync_type != "history" {
        return Err(errors::invalid_parameter(
            "Param sync_type must be one of {smb_app_state_sync, history}",
        ));
    }
    if !phone.coexistence {
        return Err(errors::invalid_parameter(
            "This phone number is not connected to the WhatsApp Business app (coexistence)",
        ));
    }
    faults::take(&state, "smb_app_data").await?;
    if phone.app_data_syncs.contains(&sync_type) {
        return Err(errors::sync_already_requested());
    }
    phone.app_data_syncs.push(sync_type.clone());
    if !state
        .store
        .sandbox_update(model::PHONE, &phone.id, &encode(&phone)?, version)
        .await
        .map_err(errors::store)?
    {
        return Err(errors::internal());
    }
    webhooks::send_now(&state, sync_webhooks(&phone, &sync_type));
    Ok(Json(json!({
        "messaging_product": "whatsapp",
        "request_id": ids::random_text(24),
    })))
}

/// What Meta sends after the request was accepted.
fn sync_webhooks(phone: &Phone, sync_type: &str) -> Vec<Value> {
    let metadata = json!({
        "display_phone_number": phone.display_phone_number.chars().filter(char::is_ascii_digit).collect::<String>(),
        "phone_number_id": phone.id,
    });
    let envelope = |field: &str, value: Value| {
        json!({
            "object": "whatsapp_business_account",
            "entry": [{"id": phone.waba_id, "changes": [{"field": field, "value": value}]}]
        })
    };
    let now = (crate::db::now_millis() / 1000).to_string();
    if sync_type == "smb_app_state_sync" {
        let contacts: Vec<Value> = [
            ("Ana Souza", "Ana", "5511987650001"),
            ("Bruno Lima", "Bruno", "5511987650002"),
            ("Carla Dias", "Carla", "5511987650003"),
        ]
        .iter()
        .map(|(full, first, number)| {
            json!({
                "type": "contact",
                "contact": {"full_name": full, "first_name": first, "phone_number": number},
                "action": "add",
                "metadata": {"timestamp": now},
            })
        })
        .collect();
        return vec![envelope(
            "smb_app_state_sync",
            json!({"messaging_product": "whatsapp", "metadata": metadata, "state_sync": contacts}),
        )];
    }
    if phone.verified_name.contains(model::HISTORY_DECLINED_MARK) {
        return vec![envelope(
            "history",
            json!({"messaging_product": "whatsapp", "metadata": metadata, "history": [{"errors": [{
                "code": 2593109,
                "title": "History sync is turned off by the business from the WhatsApp Business App",
                "message": "History sync is turned off by the business from the WhatsApp Business App",
                "error_data": {"details": "History sharing is turned off by the business"}
            }]}]}),
        )];
    }
    let chunk = |phase: i64, order: i64, progress: i64, text: &str| {
        json!({"messaging_product": "whatsapp", "metadata": metadata, "history": [{
            "metadata": {"phase": phase, "chunk_order": order, "progress": progress},
            "threads": [{"id": "5511987650001", "messages": [{
                "from": "5511987650001",
                "id": format!("wamid.{}", ids::random_text(24)),
                "timestamp": now,
                "type": "text",
                "text": {"body": text},
                "history_context": {"status": "READ"}
            }]}]
        }]})
    };
    vec![
        envelope("history", chunk(0, 1, 50, "Olá! Vocês abrem amanhã?")),
        envelope("history", chunk(2, 1, 100, "Obrigada!")),
    ]
}
