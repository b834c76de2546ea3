//! Reading the nodes a token was granted: `GET /{id}?fields=…` for a WABA or a phone number,
//! and `GET /{WABA}/phone_numbers` (one page, with Graph's cursor object).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine;
use serde_json::{json, Value};

use super::fields::{phone_fields, select, waba_fields};
use crate::db::SandboxObject;
use crate::sandbox::core::caller::Authenticated;
use crate::sandbox::core::errors::{self, SimError};
use crate::sandbox::core::store::load;
use crate::sandbox::core::SandboxState;
use crate::sandbox::model::{self, Phone, Waba};
use crate::sandbox::{faults, onboarding};

pub fn router() -> Router<SandboxState> {
    Router::new()
        .route("/{version}/{id}", get(object))
        .route("/{version}/{id}/phone_numbers", get(phone_numbers))
}

/// `GET /{id}?fields=…` for a WABA or a phone number the token was granted.
pub async fn object(
    State(state): State<SandboxState>,
    caller: Authenticated,
) -> Result<Json<Value>, SimError> {
    let Authenticated { request, token } = &caller;
    let id = &request.id;
    if let Some((waba, _)) = load::<Waba>(&state, model::WABA, id).await? {
        if !token.covers(&waba.id) {
            return Err(errors::unsupported_get(id));
        }
        caller.still_authorized(&state, &waba)?;
        let waba = onboarding::complete_due_onboarding(&state, waba).await;
        faults::take(&state, "waba").await?;
        let (all, defaults) = waba_fields(&waba, &request.version);
        let mut selected = select(
            &all,
            defaults,
            request.param("fields"),
            "WhatsAppBusinessAccount",
        )?;
        // Graph leaves `owner_business_info` out when the app may not see the owner (an empty
        // owner id here).
        if waba.owner_business_id.is_empty() {
            if let Value::Object(fields) = &mut selected {
                fields.remove("owner_business_info");
            }
        }
        return Ok(Json(selected));
    }
    if let Some((phone, _)) = load::<Phone>(&state, model::PHONE, id).await? {
        if !token.covers(&phone.waba_id) {
            return Err(errors::unsupported_get(id));
        }
        if let Some((waba, _)) = load::<Waba>(&state, model::WABA, &phone.waba_id).await? {
            caller.still_authorized(&state, &waba)?;
        }
        let (all, defaults) = phone_fields(&phone);
        return select(
            &all,
            defaults,
            request.param("fields"),
            "WhatsAppBusinessPhoneNumber",
        )
        .map(Json);
    }
    Err(errors::unsupported_get(id))
}

/// `GET /{WABA}/phone_numbers`: the WABA's numbers, one page, with Graph's cursor object.
pub async fn phone_numbers(
    State(state): State<SandboxState>,
    caller: Authenticated,
) -> Result<Json<Value>, SimError> {
    let (waba, _) = caller.waba(&state).await?;
    faults::take(&state, "phone_numbers").await?;
    let stored = state
        .store
        .sandbox_list(model::PHONE, Some(&waba.id), None, 100)
        .await
        .map_err(errors::store)?;
    let mut data = Vec::new();
    for object in &stored {
        let phone: Phone = serde_json::from_str(&object.data).map_err(|_| errors::internal())?;
        let (all, defaults) = phone_fields(&phone);
        data.push(select(
            &all,
            defaults,
            caller.request.param("fields"),
            "WhatsAppBusinessPhoneNumber",
        )?);
    }
    let cursor = |object: Option<&SandboxObject>| {
        object.map(|o| base64::engine::general_purpose::STANDARD.encode(&o.id))
    };
    let mut body = json!({ "data": data });
    if !stored.is_empty() {
        body["paging"] = json!({
            "cursors": { "before": cursor(stored.first()), "after": cursor(stored.last()) }
        });
    }
    Ok(Json(body))
}
