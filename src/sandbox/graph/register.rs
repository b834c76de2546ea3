//! `POST /{PHONE}/register` with `messaging_product=whatsapp` and a 6-digit `pin`: answers
//! `{"success": true}` (the OpenAPI file, docs/meta/openapi.md). Rules the simulator enforces (docs/PRODUCT.md §"Meta facts beyond the seeds"):
//! a 6-digit PIN, coexistence numbers refused, 133016 after 10 registrations in 72 hours.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::db::now_millis;
use crate::sandbox::core::caller::{Authenticated, GraphRequest};
use crate::sandbox::core::errors::{self, SimError};
use crate::sandbox::core::store::encode;
use crate::sandbox::core::SandboxState;
use crate::sandbox::faults;
use crate::sandbox::model::{self, Phone};

const REGISTRATIONS_PER_WINDOW: usize = 10;
const REGISTRATION_WINDOW_MS: i64 = 72 * 3600 * 1000;

pub fn router() -> Router<SandboxState> {
    Router::new().route("/{version}/{id}/register", post(register))
}

/// `POST /{PHONE}/register`.
pub async fn register(
    State(state): State<SandboxState>,
    caller: Authenticated,
) -> Result<Json<Value>, SimError> {
    let (mut phone, phone_version) = caller.phone(&state, errors::unsupported_get).await?;
    let pin = checked_pin(&caller.request, &phone)?;
    faults::take(&state, "register").await?;
    let now = now_millis();
    phone
        .registrations
        .retain(|at| now - at < REGISTRATION_WINDOW_MS);
    if phone.registrations.len() >= REGISTRATIONS_PER_WINDOW {
        return Err(errors::registration_limit());
    }
    phone.registrations.push(now);
    phone.pin = Some(pin);
    phone.platform_type = "CLOUD_API".into();
    if !state
        .store
        .sandbox_update(model::PHONE, &phone.id, &encode(&phone)?, phone_version)
        .await
        .map_err(errors::store)?
    {
        // Someone registered the same number at the same moment: Graph would answer 5xx-ish.
        return Err(errors::internal());
    }
    Ok(Json(json!({"success": true})))
}

/// The request's checks, in Graph's order: `messaging_product`, the PIN, then whether the
/// number may be registered at all (not a coexistence number). Returns the PIN.
fn checked_pin(request: &GraphRequest, phone: &Phone) -> Result<String, SimError> {
    if request.param("messaging_product").map(String::as_str) != Some("whatsapp") {
        return Err(errors::invalid_parameter(
            "The parameter messaging_product is required and must be whatsapp",
        ));
    }
    let pin = request
        .param("pin")
        .ok_or_else(|| errors::missing_parameter("pin"))?;
    if pin.len() != 6 || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(errors::invalid_parameter("pin must be a 6-digit number"));
    }
    if phone.coexistence {
        return Err(errors::invalid_parameter(
            "This phone number is in use on the WhatsApp Business app (coexistence) and cannot be registered",
        ));
    }
    Ok(pin.clone())
}
