//! Graph operations on a WABA and its numbers: webhook subscriptions and phone registration.
//!
//! Shapes from the shared OpenAPI file: `POST /{WABA}/subscribed_apps` and
//! `POST /{PHONE}/register` answer `{"success": true}`; `GET /{WABA}/subscribed_apps` lists
//! `{"data": [{"whatsapp_business_api_data": {id, name, link}}]}`.
//! Rules the simulator enforces (DESIGN.md §5.2, §8): `override_callback_uri` is refused
//! unless the app already has a plain subscription; `register` needs a 6-digit PIN, refuses
//! coexistence numbers, and answers 133016 after 10 registrations in 72 hours.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Json;
use serde_json::{json, Value};

use super::errors::{self, store as store_err, SimError};
use super::graph::{authenticate, check_version, load};
use super::model::{self, Phone, Subscription, Token, Waba};
use super::{faults, outbound, SandboxState};
use crate::db::now_millis;

type Params = Query<HashMap<String, String>>;

const REGISTRATIONS_PER_WINDOW: usize = 10;
const REGISTRATION_WINDOW_MS: i64 = 72 * 3600 * 1000;

/// Graph takes POST parameters from the query string, a form body or a JSON body.
pub(super) fn post_params(
    query: &HashMap<String, String>,
    body: &Bytes,
) -> HashMap<String, String> {
    let mut params = query.clone();
    if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) {
        for (key, value) in map {
            let text = match value {
                Value::String(s) => s,
                other => other.to_string(),
            };
            params.insert(key, text);
        }
    } else if let Ok(form) = serde_urlencoded::from_bytes::<HashMap<String, String>>(body) {
        params.extend(form);
    }
    params
}

async fn waba_for(
    state: &SandboxState,
    token: &Token,
    waba_id: &str,
) -> Result<(Waba, i64), SimError> {
    match load::<Waba>(state, model::WABA, waba_id).await? {
        Some(found) if token.covers(waba_id) => Ok(found),
        _ => Err(errors::unsupported_get(waba_id)),
    }
}

fn subscription_id(waba_id: &str, app_id: &str) -> String {
    format!("{waba_id}:{app_id}")
}

/// `GET /{WABA}/subscribed_apps`.
pub async fn list_subscriptions(
    State(state): State<SandboxState>,
    Path((version, waba_id)): Path<(String, String)>,
    Query(params): Params,
    headers: HeaderMap,
) -> Result<Json<Value>, SimError> {
    check_version(&version)?;
    let token = authenticate(&state, &headers, &params).await?;
    waba_for(&state, &token, &waba_id).await?;
    let stored = state
        .store
        .sandbox_list(model::SUBSCRIPTION, Some(&waba_id), None, 100)
        .await
        .map_err(store_err)?;
    let mut data = Vec::new();
    for object in stored {
        let subscription: Subscription =
            serde_json::from_str(&object.data).map_err(|_| errors::internal())?;
        let mut entry = json!({"whatsapp_business_api_data": {
            "id": subscription.app_id,
            "name": "MM Portal Sandbox",
            "link": format!("https://www.facebook.com/games/?app_id={}", subscription.app_id),
        }});
        if let Some(uri) = subscription.override_callback_uri {
            entry["override_callback_uri"] = json!(uri);
        }
        data.push(entry);
    }
    Ok(Json(json!({ "data": data })))
}

/// `POST /{WABA}/subscribed_apps`: idempotent; the first plain subscription of a WABA whose
/// admin accepted the MM terms starts the simulated backend onboarding.
pub async fn subscribe(
    State(state): State<SandboxState>,
    Path((version, waba_id)): Path<(String, String)>,
    Query(query): Params,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, SimError> {
    check_version(&version)?;
    let params = post_params(&query, &body);
    let token = authenticate(&state, &headers, &params).await?;
    let (waba, _) = waba_for(&state, &token, &waba_id).await?;
    faults::take(&state, "subscribe").await?;
    let id = subscription_id(&waba_id, &token.app_id);
    let existing = state
        .store
        .sandbox_get(model::SUBSCRIPTION, &id)
        .await
        .map_err(store_err)?;
    let override_uri = params
        .get("override_callback_uri")
        .filter(|u| !u.is_empty())
        .cloned();
    if let Some(uri) = &override_uri {
        if existing.is_none() {
            return Err(errors::override_before_subscribe());
        }
        if !params.contains_key("verify_token") {
            return Err(errors::missing_parameter("verify_token"));
        }
        if url::Url::parse(uri)
            .map(|u| u.scheme() != "https")
            .unwrap_or(true)
        {
            return Err(errors::invalid_parameter(
                "override_callback_uri must be a valid https URL",
            ));
        }
    }
    let subscription = Subscription {
        app_id: token.app_id.clone(),
        override_callback_uri: override_uri,
    };
    let data = serde_json::to_string(&subscription).map_err(|_| errors::internal())?;
    match existing {
        Some(object) => {
            state
                .store
                .sandbox_update(model::SUBSCRIPTION, &id, &data, object.version)
                .await
                .map_err(store_err)?;
        }
        None => {
            match state
                .store
                .sandbox_insert(model::SUBSCRIPTION, &id, Some(&waba_id), &data)
                .await
            {
                // A concurrent identical subscribe: the result is the same.
                Ok(()) | Err(crate::db::DbError::Conflict) => {}
                Err(e) => return Err(store_err(e)),
            }
            if waba.mm_terms_accepted && waba.marketing_messages_onboarding_status != "ONBOARDED" {
                schedule_terms_signed(&state, waba).await?;
            }
        }
    }
    Ok(Json(json!({"success": true})))
}

/// `DELETE /{WABA}/subscribed_apps`.
pub async fn unsubscribe(
    State(state): State<SandboxState>,
    Path((version, waba_id)): Path<(String, String)>,
    Query(params): Params,
    headers: HeaderMap,
) -> Result<Json<Value>, SimError> {
    check_version(&version)?;
    let token = authenticate(&state, &headers, &params).await?;
    waba_for(&state, &token, &waba_id).await?;
    state
        .store
        .sandbox_delete(
            model::SUBSCRIPTION,
            &subscription_id(&waba_id, &token.app_id),
        )
        .await
        .map_err(store_err)?;
    Ok(Json(json!({"success": true})))
}

/// Starts the simulated backend onboarding: due after the WABA's delay; a timer completes it
/// then, and so does any later read of the WABA (if the simulator restarted in between).
async fn schedule_terms_signed(state: &SandboxState, waba: Waba) -> Result<(), SimError> {
    let (mut current, version) = load::<Waba>(state, model::WABA, &waba.id)
        .await?
        .ok_or_else(errors::internal)?;
    current.terms_due_at = Some(now_millis() + waba.terms_delay_ms as i64);
    let data = serde_json::to_string(&current).map_err(|_| errors::internal())?;
    state
        .store
        .sandbox_update(model::WABA, &waba.id, &data, version)
        .await
        .map_err(store_err)?;
    let state = state.clone();
    tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(waba.terms_delay_ms)).await;
        if let Ok(Some((waba, _))) = load::<Waba>(&state, model::WABA, &waba.id).await {
            complete_due_onboarding(&state, waba).await;
        }
    });
    Ok(())
}

/// If the WABA's simulated onboarding is due, marks it ONBOARDED and sends the
/// `MM_LITE_TERMS_SIGNED` webhook (exactly once: the version check picks one winner).
pub async fn complete_due_onboarding(state: &SandboxState, waba: Waba) -> Waba {
    let due = waba.terms_due_at.is_some_and(|at| at <= now_millis());
    if !due || waba.marketing_messages_onboarding_status == "ONBOARDED" {
        return waba;
    }
    for _ in 0..8 {
        let Ok(Some((mut current, version))) = load::<Waba>(state, model::WABA, &waba.id).await
        else {
            return waba;
        };
        if current.marketing_messages_onboarding_status == "ONBOARDED" {
            return current;
        }
        current.marketing_messages_onboarding_status = "ONBOARDED".into();
        let Ok(data) = serde_json::to_string(&current) else {
            return waba;
        };
        if let Ok(true) = state
            .store
            .sandbox_update(model::WABA, &waba.id, &data, version)
            .await
        {
            let body = outbound::terms_signed(
                super::SANDBOX_PARTNER_BUSINESS_ID,
                &current.id,
                &current.owner_business_id,
            );
            outbound::deliver(state, body);
            return current;
        }
    }
    waba
}

/// `POST /{PHONE}/register` with `messaging_product=whatsapp` and a 6-digit `pin`.
pub async fn register(
    State(state): State<SandboxState>,
    Path((version, phone_id)): Path<(String, String)>,
    Query(query): Params,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, SimError> {
    check_version(&version)?;
    let params = post_params(&query, &body);
    let token = authenticate(&state, &headers, &params).await?;
    let (mut phone, phone_version) = match load::<Phone>(&state, model::PHONE, &phone_id).await? {
        Some((phone, v)) if token.covers(&phone.waba_id) => (phone, v),
        _ => return Err(errors::unsupported_get(&phone_id)),
    };
    if params.get("messaging_product").map(String::as_str) != Some("whatsapp") {
        return Err(errors::invalid_parameter(
            "The parameter messaging_product is required and must be whatsapp",
        ));
    }
    let pin = params
        .get("pin")
        .ok_or_else(|| errors::missing_parameter("pin"))?;
    if pin.len() != 6 || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(errors::invalid_parameter("pin must be a 6-digit number"));
    }
    if phone.coexistence {
        return Err(errors::invalid_parameter(
            "This phone number is in use on the WhatsApp Business app (coexistence) and cannot be registered",
        ));
    }
    faults::take(&state, "register").await?;
    let now = now_millis();
    phone
        .registrations
        .retain(|at| now - at < REGISTRATION_WINDOW_MS);
    if phone.registrations.len() >= REGISTRATIONS_PER_WINDOW {
        return Err(errors::registration_limit());
    }
    phone.registrations.push(now);
    phone.pin = Some(pin.clone());
    phone.platform_type = "CLOUD_API".into();
    let data = serde_json::to_string(&phone).map_err(|_| errors::internal())?;
    if !state
        .store
        .sandbox_update(model::PHONE, &phone_id, &data, phone_version)
        .await
        .map_err(store_err)?
    {
        // Someone registered the same number at the same moment: Graph would answer 5xx-ish.
        return Err(errors::internal());
    }
    Ok(Json(json!({"success": true})))
}
