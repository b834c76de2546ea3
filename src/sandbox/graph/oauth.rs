//! The token endpoints: `GET /oauth/access_token` (the Embedded Signup code exchange) and
//! `GET /debug_token` (what a token grants). Neither takes a user token: the exchange is
//! authorised by the app's id and secret, `debug_token` by the app token `APP_ID|APP_SECRET`
//! (or any valid token).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use secrecy::ExposeSecret;
use serde_json::{json, Value};

use crate::db::now_millis;
use crate::sandbox::core::caller::{is_app_secret, secret_eq, GraphRequest};
use crate::sandbox::core::errors::{self, SimError};
use crate::sandbox::core::store::{encode, load, token_key};
use crate::sandbox::core::SandboxState;
use crate::sandbox::faults;
use crate::sandbox::model::{self, Code, Token};

pub fn router() -> Router<SandboxState> {
    Router::new()
        .route(
            "/{version}/oauth/access_token",
            get(access_token).post(access_token),
        )
        .route("/{version}/debug_token", get(debug_token))
}

/// `GET` or `POST /oauth/access_token` with `client_id`, `client_secret` and `code` (query or
/// form body; `grant_type`, when given, must be `authorization_code`): exchanges an Embedded
/// Signup code (single use, 30 s life) for the business integration system user token.
pub async fn access_token(
    State(state): State<SandboxState>,
    request: GraphRequest,
) -> Result<Json<Value>, SimError> {
    let client_id = request.required("client_id")?;
    let client_secret = request.required("client_secret")?;
    let code = request.required("code")?;
    if let Some(grant) = request.param("grant_type") {
        if grant != "authorization_code" {
            return Err(errors::invalid_parameter(&format!(
                "Unsupported grant_type: {grant}"
            )));
        }
    }
    if *client_id != state.app_id {
        return Err(errors::invalid_application_id());
    }
    if !is_app_secret(&state, client_secret) {
        return Err(errors::invalid_client_secret());
    }
    faults::take(&state, "exchange").await?;
    let (mut stored, version): (Code, i64) = load(&state, model::CODE, code)
        .await?
        .ok_or_else(errors::code_invalid)?;
    if stored.app_id != state.app_id {
        return Err(errors::code_invalid());
    }
    if stored.used {
        return Err(errors::code_used());
    }
    if now_millis() > stored.expires_at {
        return Err(errors::code_expired());
    }
    stored.used = true;
    // Two exchanges racing on one code: exactly one wins the version check.
    let won = state
        .store
        .sandbox_update(model::CODE, code, &encode(&stored)?, version)
        .await
        .map_err(errors::store)?;
    if !won {
        return Err(errors::code_used());
    }
    Ok(Json(json!({
        "access_token": stored.access_token,
        "token_type": "bearer",
    })))
}

/// `GET /debug_token?input_token=…&access_token=APP_ID|APP_SECRET`.
/// An unknown input token is not an HTTP error: Graph answers 200 with `is_valid: false`.
pub async fn debug_token(
    State(state): State<SandboxState>,
    request: GraphRequest,
) -> Result<Json<Value>, SimError> {
    let input = request.required("input_token")?;
    let caller = request
        .param("access_token")
        .ok_or_else(errors::no_access_token)?;
    faults::take(&state, "debug_token").await?;
    let app_token = format!("{}|{}", state.app_id, state.app_secret.expose_secret());
    if !secret_eq(caller, &app_token)
        && load::<Token>(&state, model::TOKEN, &token_key(caller))
            .await?
            .is_none()
    {
        return Err(errors::invalid_token());
    }
    let Some((token, _)) = load::<Token>(&state, model::TOKEN, &token_key(input)).await? else {
        return Ok(Json(json!({
            "data": {
                "error": {"code": 190, "message": "Invalid OAuth access token."},
                "is_valid": false,
                "scopes": [],
            }
        })));
    };
    Ok(Json(json!({ "data": token_data(&token) })))
}

/// What `debug_token` says about a known token.
fn token_data(token: &Token) -> Value {
    let expired = token.is_expired(now_millis());
    let scopes: Vec<&str> = token
        .granular_scopes
        .iter()
        .map(|s| s.scope.as_str())
        .collect();
    json!({
        "app_id": token.app_id,
        "type": token.kind,
        "application": "MM Portal Sandbox",
        "data_access_expires_at": 0,
        "expires_at": token.expires_at,
        "is_valid": !expired,
        "issued_at": token.issued_at,
        "scopes": scopes,
        "granular_scopes": token.granular_scopes,
        "user_id": token.user_id,
    })
}
