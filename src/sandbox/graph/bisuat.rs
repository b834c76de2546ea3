//! The BISUAT fetch, `POST /{CLIENT_BUSINESS_ID}/system_user_access_tokens?fetch_only=true`
//! (seed 000, "Fetch an updated Business Integration System User Access Token (BISUAT)"):
//! `{"access_token"}`, the same token on every fetch. Only fetching is simulated.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::config::SANDBOX_PARTNER_BUSINESS_ID;
use crate::db::{now_millis, DbError};
use crate::sandbox::core::caller::Authenticated;
use crate::sandbox::core::errors::{self, SimError};
use crate::sandbox::core::ids;
use crate::sandbox::core::store::{encode, list_decoded, load, token_key};
use crate::sandbox::core::SandboxState;
use crate::sandbox::model::{self, Bisuat, Business, Waba};

pub fn router() -> Router<SandboxState> {
    Router::new().route(
        "/{version}/{id}/system_user_access_tokens",
        post(system_user_access_tokens),
    )
}

/// `POST /{CLIENT_BUSINESS_ID}/system_user_access_tokens?fetch_only=true&appsecret_proof=…`
/// (seed 000), answering `{"access_token": "…"}`: the client business's business integration
/// system user token, the same one on every fetch (minted on the first). The caller's token
/// needs `business_management` on the partner business ("This access token requires the
/// business_management permission"); the proof is required like on every simulator call.
/// Only fetching is simulated: `fetch_only` other than `true` is refused.
pub async fn system_user_access_tokens(
    State(state): State<SandboxState>,
    caller: Authenticated,
) -> Result<Json<Value>, SimError> {
    if !caller
        .token
        .has_scope_on(model::BUSINESS_MANAGEMENT, SANDBOX_PARTNER_BUSINESS_ID)
    {
        return Err(errors::requires_business_management());
    }
    let business_id = &caller.request.id;
    if business_id == SANDBOX_PARTNER_BUSINESS_ID
        || load::<Business>(&state, model::BUSINESS, business_id)
            .await?
            .is_none()
    {
        return Err(errors::unsupported_post(business_id));
    }
    if caller.request.param("fetch_only").map(String::as_str) != Some("true") {
        return Err(errors::invalid_parameter(
            "fetch_only must be true: the simulator only fetches existing tokens",
        ));
    }
    if let Some((stored, _)) = load::<Bisuat>(&state, model::BISUAT, business_id).await? {
        return Ok(Json(json!({"access_token": stored.access_token})));
    }
    mint(&state, business_id).await.map(Json)
}

/// The first fetch: a token with management and messaging on the business and its WABAs,
/// stored (by hash, as every token) and recorded as the business's BISUAT.
async fn mint(state: &SandboxState, business_id: &str) -> Result<Value, SimError> {
    let mut targets: Vec<String> = list_decoded::<Waba>(state, model::WABA, Some(business_id))
        .await?
        .into_iter()
        .map(|w| w.id)
        .collect();
    targets.push(business_id.to_string());
    let (access_token, minted) = ids::system_user_token(
        &state.app_id,
        &[model::WHATSAPP_MANAGEMENT, model::WHATSAPP_MESSAGING],
        &targets,
    );
    let key = token_key(&access_token);
    state
        .store
        .sandbox_insert(model::TOKEN, &key, Some(business_id), &encode(&minted)?)
        .await
        .map_err(errors::store)?;
    let record = Bisuat {
        access_token: access_token.clone(),
        issued_at: now_millis(),
    };
    match state
        .store
        .sandbox_insert(
            model::BISUAT,
            business_id,
            Some(business_id),
            &encode(&record)?,
        )
        .await
    {
        Ok(()) => Ok(json!({"access_token": access_token})),
        // A concurrent first fetch won: answer its token, drop ours.
        Err(DbError::Conflict) => {
            let _ = state.store.sandbox_delete(model::TOKEN, &key).await;
            let (stored, _) = load::<Bisuat>(state, model::BISUAT, business_id)
                .await?
                .ok_or_else(errors::internal)?;
            Ok(json!({"access_token": stored.access_token}))
        }
        Err(e) => Err(errors::store(e)),
    }
}
