//! `POST /sandbox/api/phones/{phone_id}/echo` `{"to": "16505551234", "text": "…"}`: the
//! business sent a message from the WhatsApp Business app on a coexistence number, and Meta
//! tells the partner with an `smb_message_echoes` webhook (docs/meta/coexistence-sync.md).
//! 202; 404 for an unknown number; 400 when it is not a coexistence number or `to` is not a
//! phone number.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::json;

use super::errors::{TesterError, TesterJson, TesterResult};
use crate::sandbox::core::ids;
use crate::sandbox::core::store::load;
use crate::sandbox::core::SandboxState;
use crate::sandbox::model::{self, Phone};
use crate::sandbox::webhooks;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Echo {
    to: String,
    text: String,
}

pub async fn echo(
    State(state): State<SandboxState>,
    Path(phone_id): Path<String>,
    TesterJson(request): TesterJson<Echo>,
) -> TesterResult<StatusCode> {
    let Some((phone, _)) = load::<Phone>(&state, model::PHONE, &phone_id)
        .await
        .map_err(|_| TesterError::unavailable("the simulator could not read it"))?
    else {
        return Err(TesterError::new(
            StatusCode::NOT_FOUND,
            "no such phone number",
        ));
    };
    if !phone.coexistence {
        return Err(TesterError::bad_request(
            "echoes come from the WhatsApp Business app: this is not a coexistence number",
        ));
    }
    let to: String = request.to.chars().filter(char::is_ascii_digit).collect();
    if !(8..=15).contains(&to.len()) {
        return Err(TesterError::bad_request(
            "to must be a phone number (8 to 15 digits)",
        ));
    }
    let from: String = phone
        .display_phone_number
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let body = json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": phone.waba_id, "changes": [{"field": "smb_message_echoes", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": from, "phone_number_id": phone.id},
            "message_echoes": [{
                "from": from,
                "to": to,
                "id": format!("wamid.{}", ids::random_text(24)),
                "timestamp": (crate::db::now_millis() / 1000).to_string(),
                "type": "text",
                "text": {"body": request.text}
            }]
        }}]}]
    });
    webhooks::deliver(&state, body);
    Ok(StatusCode::ACCEPTED)
}
