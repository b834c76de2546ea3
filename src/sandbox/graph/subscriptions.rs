//! A WABA's webhook subscriptions: `GET`, `POST` and `DELETE /{WABA}/subscribed_apps`.
//!
//! Shapes from the OpenAPI file (docs/meta/openapi.md): `POST` answers `{"success": true}`; `GET` lists
//! `{"data": [{"whatsapp_business_api_data": {id, name, link}}]}`. Rules the simulator
//! enforces (docs/PRODUCT.md §"Onboarding pipeline"): `override_callback_uri` is refused unless the app already has a
//! plain subscription. The first plain subscription of a WABA whose admin accepted the MM
//! terms starts the simulated backend onboarding (`onboarding.rs`).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::db::{DbError, SandboxObject};
use crate::sandbox::core::caller::{Authenticated, Params};
use crate::sandbox::core::errors::{self, SimError};
use crate::sandbox::core::store::encode;
use crate::sandbox::core::SandboxState;
use crate::sandbox::model::{self, Subscription};
use crate::sandbox::{faults, onboarding};

pub fn router() -> Router<SandboxState> {
    Router::new().route(
        "/{version}/{id}/subscribed_apps",
        get(list_subscriptions).post(subscribe).delete(unsubscribe),
    )
}

fn subscription_id(waba_id: &str, app_id: &str) -> String {
    format!("{waba_id}:{app_id}")
}

/// `GET /{WABA}/subscribed_apps`.
pub async fn list_subscriptions(
    State(state): State<SandboxState>,
    caller: Authenticated,
) -> Result<Json<Value>, SimError> {
    let (waba, _) = caller.waba(&state).await?;
    let stored = state
        .store
        .sandbox_list(model::SUBSCRIPTION, Some(&waba.id), None, 100)
        .await
        .map_err(errors::store)?;
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
    caller: Authenticated,
) -> Result<Json<Value>, SimError> {
    let (waba, _) = caller.waba(&state).await?;
    faults::take(&state, "subscribe").await?;
    let id = subscription_id(&waba.id, &caller.token.app_id);
    let existing = state
        .store
        .sandbox_get(model::SUBSCRIPTION, &id)
        .await
        .map_err(errors::store)?;
    let subscription = Subscription {
        app_id: caller.token.app_id.clone(),
        override_callback_uri: override_uri(&caller.request.params, existing.as_ref())?,
    };
    let data = encode(&subscription)?;
    match existing {
        Some(object) => {
            state
                .store
                .sandbox_update(model::SUBSCRIPTION, &id, &data, object.version)
                .await
                .map_err(errors::store)?;
        }
        None => {
            match state
                .store
                .sandbox_insert(model::SUBSCRIPTION, &id, Some(&waba.id), &data)
                .await
            {
                // A concurrent identical subscribe: the result is the same.
                Ok(()) | Err(DbError::Conflict) => {}
                Err(e) => return Err(errors::store(e)),
            }
            if waba.mm_terms_accepted && waba.marketing_messages_onboarding_status != "ONBOARDED" {
                onboarding::schedule_terms_signed(&state, waba).await?;
            }
        }
    }
    Ok(Json(json!({"success": true})))
}

/// The `override_callback_uri` asked for, if any, checked: only on top of a plain
/// subscription (`existing`), with a `verify_token`, and an https URL.
fn override_uri(
    params: &Params,
    existing: Option<&SandboxObject>,
) -> Result<Option<String>, SimError> {
    let Some(uri) = params
        .get("override_callback_uri")
        .filter(|u| !u.is_empty())
    else {
        return Ok(None);
    };
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
    Ok(Some(uri.clone()))
}

/// `DELETE /{WABA}/subscribed_apps`.
pub async fn unsubscribe(
    State(state): State<SandboxState>,
    caller: Authenticated,
) -> Result<Json<Value>, SimError> {
    let (waba, _) = caller.waba(&state).await?;
    state
        .store
        .sandbox_delete(
            model::SUBSCRIPTION,
            &subscription_id(&waba.id, &caller.token.app_id),
        )
        .await
        .map_err(errors::store)?;
    Ok(Json(json!({"success": true})))
}
