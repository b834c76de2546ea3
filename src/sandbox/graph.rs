//! Graph endpoints of the simulator.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Uri};
use axum::Json;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::errors::{self, SimError};
use super::model::{self, Code, Phone, Token, Waba};
use super::SandboxState;
use crate::db::now_millis;
use crate::graph::appsecret_proof;

type Params = Query<HashMap<String, String>>;

/// The store key of a token: its SHA-256, so the simulator's tables hold no usable token.
pub fn token_key(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub(super) async fn load<T: DeserializeOwned>(
    state: &SandboxState,
    kind: &str,
    id: &str,
) -> Result<Option<(T, i64)>, SimError> {
    let stored = state
        .store
        .sandbox_get(kind, id)
        .await
        .map_err(|_| errors::internal())?;
    match stored {
        Some(object) => serde_json::from_str(&object.data)
            .map(|value| Some((value, object.version)))
            .map_err(|_| errors::internal()),
        None => Ok(None),
    }
}

pub(super) fn check_version(version: &str) -> Result<(), SimError> {
    if crate::config::is_graph_version(version) {
        Ok(())
    } else {
        Err(errors::unknown_path(version))
    }
}

/// `GET /oauth/access_token?client_id&client_secret&code`: exchanges an Embedded Signup code
/// (single use, 30 s life) for the business integration system user token.
pub async fn access_token(
    State(state): State<SandboxState>,
    Path(version): Path<String>,
    Query(params): Params,
) -> Result<Json<Value>, SimError> {
    check_version(&version)?;
    let param = |name: &str| {
        params
            .get(name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| errors::missing_parameter(name))
    };
    let client_id = param("client_id")?;
    let client_secret = param("client_secret")?;
    let code = param("code")?;
    if *client_id != state.app_id {
        return Err(errors::invalid_application_id());
    }
    let secret_matches = client_secret
        .as_bytes()
        .ct_eq(state.app_secret.expose_secret().as_bytes());
    if !bool::from(secret_matches) {
        return Err(errors::invalid_client_secret());
    }
    super::faults::take(&state, "exchange").await?;
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
    let data = serde_json::to_string(&stored).map_err(|_| errors::internal())?;
    // Two exchanges racing on one code: exactly one wins the version check.
    let won = state
        .store
        .sandbox_update(model::CODE, code, &data, version)
        .await
        .map_err(|_| errors::internal())?;
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
    Path(version): Path<String>,
    Query(params): Params,
) -> Result<Json<Value>, SimError> {
    check_version(&version)?;
    let input = params
        .get("input_token")
        .filter(|v| !v.is_empty())
        .ok_or_else(|| errors::missing_parameter("input_token"))?;
    let caller = params
        .get("access_token")
        .ok_or_else(errors::no_access_token)?;
    super::faults::take(&state, "debug_token").await?;
    let app_token = format!("{}|{}", state.app_id, state.app_secret.expose_secret());
    let caller_is_app = bool::from(caller.as_bytes().ct_eq(app_token.as_bytes()));
    if !caller_is_app
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
    let expired = token.expires_at != 0 && token.expires_at * 1000 < now_millis();
    let scopes: Vec<&str> = token
        .granular_scopes
        .iter()
        .map(|s| s.scope.as_str())
        .collect();
    Ok(Json(json!({
        "data": {
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
        }
    })))
}

/// The caller's token, checked the way Graph checks it: present, known, not expired, and
/// accompanied by a correct `appsecret_proof` (the sandbox app requires proofs).
pub(super) async fn authenticate(
    state: &SandboxState,
    headers: &HeaderMap,
    params: &HashMap<String, String>,
) -> Result<Token, SimError> {
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    let token = bearer
        .or_else(|| params.get("access_token").cloned())
        .ok_or_else(errors::no_access_token)?;
    let (stored, _) = load::<Token>(state, model::TOKEN, &token_key(&token))
        .await?
        .ok_or_else(errors::invalid_token)?;
    if stored.expires_at != 0 && stored.expires_at * 1000 < now_millis() {
        return Err(errors::expired_token());
    }
    let proof = params
        .get("appsecret_proof")
        .ok_or_else(errors::appsecret_proof_missing)?;
    let expected = appsecret_proof(&SecretString::from(token), &state.app_secret);
    if !bool::from(
        proof
            .to_ascii_lowercase()
            .as_bytes()
            .ct_eq(expected.as_bytes()),
    ) {
        return Err(errors::appsecret_proof_invalid());
    }
    Ok(stored)
}

/// The fields a node type has, in Graph's JSON, and the ones returned without `fields=`.
pub(super) fn waba_fields(
    waba: &Waba,
    version: &str,
) -> (Map<String, Value>, &'static [&'static str]) {
    let mut fields = match serde_json::to_value(waba) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    fields.remove("owner_business_id");
    // Simulator bookkeeping, not Graph fields.
    fields.remove("mm_terms_accepted");
    fields.remove("terms_delay_ms");
    fields.remove("terms_due_at");
    fields.insert(
        "owner_business_info".into(),
        json!({"id": waba.owner_business_id}),
    );
    if legacy_status_available(version) {
        let legacy = if waba.marketing_messages_onboarding_status == "ONBOARDED" {
            "ONBOARDED"
        } else {
            "NOT_ONBOARDED"
        };
        fields.insert("marketing_messages_lite_api_status".into(), json!(legacy));
    }
    (fields, &["id", "name"])
}

/// The simulator serves the legacy `marketing_messages_lite_api_status` field up to v23.0;
/// newer versions only have `marketing_messages_onboarding_status`. (Meta has not published
/// the removal version; this is the simulator's stated choice, see docs/SIMULATOR.md.)
fn legacy_status_available(version: &str) -> bool {
    version
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|major| major.parse::<u32>().ok())
        .is_some_and(|major| major <= 23)
}

fn phone_fields(phone: &Phone) -> (Map<String, Value>, &'static [&'static str]) {
    let mut fields = match serde_json::to_value(phone) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    fields.remove("waba_id");
    fields.remove("coexistence");
    fields.remove("registrations");
    fields.remove("pin");
    fields.insert("throughput".into(), json!({"level": "STANDARD"}));
    fields.insert("is_on_biz_app".into(), json!(phone.coexistence));
    (
        fields,
        &[
            "verified_name",
            "code_verification_status",
            "display_phone_number",
            "quality_rating",
            "platform_type",
            "throughput",
            "id",
        ],
    )
}

/// The names in a `fields=` parameter (comma-separated, blanks ignored), or `defaults`
/// when the caller named none.
pub(super) fn field_list<'a>(requested: Option<&'a String>, defaults: &[&'a str]) -> Vec<&'a str> {
    match requested {
        Some(list) => list
            .split(',')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .collect(),
        None => defaults.to_vec(),
    }
}

/// Picks `fields=` from `all` (or the defaults), refusing fields the node does not have.
fn select(
    all: &Map<String, Value>,
    defaults: &[&str],
    requested: Option<&String>,
    node: &str,
) -> Result<Value, SimError> {
    let wanted = field_list(requested, defaults);
    let mut out = Map::new();
    for field in wanted {
        let value = all
            .get(field)
            .ok_or_else(|| errors::nonexisting_field(field, node))?;
        out.insert(field.to_string(), value.clone());
    }
    out.entry("id")
        .or_insert_with(|| all.get("id").cloned().unwrap_or(Value::Null));
    Ok(Value::Object(out))
}

/// `GET /{id}?fields=…` for a WABA or a phone number the token was granted.
pub async fn object(
    State(state): State<SandboxState>,
    Path((version, id)): Path<(String, String)>,
    Query(params): Params,
    headers: HeaderMap,
) -> Result<Json<Value>, SimError> {
    check_version(&version)?;
    let token = authenticate(&state, &headers, &params).await?;
    if let Some((waba, _)) = load::<Waba>(&state, model::WABA, &id).await? {
        if !token.covers(&waba.id) {
            return Err(errors::unsupported_get(&id));
        }
        let waba = super::waba_ops::complete_due_onboarding(&state, waba).await;
        super::faults::take(&state, "waba").await?;
        let (all, defaults) = waba_fields(&waba, &version);
        let mut selected = select(
            &all,
            defaults,
            params.get("fields"),
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
    if let Some((phone, _)) = load::<Phone>(&state, model::PHONE, &id).await? {
        if !token.covers(&phone.waba_id) {
            return Err(errors::unsupported_get(&id));
        }
        let (all, defaults) = phone_fields(&phone);
        return select(
            &all,
            defaults,
            params.get("fields"),
            "WhatsAppBusinessPhoneNumber",
        )
        .map(Json);
    }
    Err(errors::unsupported_get(&id))
}

/// `GET /{WABA}/phone_numbers`: the WABA's numbers, one page, with Graph's cursor object.
pub async fn phone_numbers(
    State(state): State<SandboxState>,
    Path((version, waba_id)): Path<(String, String)>,
    Query(params): Params,
    headers: HeaderMap,
) -> Result<Json<Value>, SimError> {
    check_version(&version)?;
    let token = authenticate(&state, &headers, &params).await?;
    if load::<Waba>(&state, model::WABA, &waba_id).await?.is_none() || !token.covers(&waba_id) {
        return Err(errors::unsupported_get(&waba_id));
    }
    super::faults::take(&state, "phone_numbers").await?;
    let stored = state
        .store
        .sandbox_list(model::PHONE, Some(&waba_id), None, 100)
        .await
        .map_err(|_| errors::internal())?;
    let mut data = Vec::new();
    for object in &stored {
        let phone: Phone = serde_json::from_str(&object.data).map_err(|_| errors::internal())?;
        let (all, defaults) = phone_fields(&phone);
        data.push(select(
            &all,
            defaults,
            params.get("fields"),
            "WhatsAppBusinessPhoneNumber",
        )?);
    }
    let cursor = |object: Option<&crate::db::SandboxObject>| {
        object.map(|o| base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &o.id))
    };
    let mut body = json!({ "data": data });
    if !stored.is_empty() {
        body["paging"] = json!({
            "cursors": { "before": cursor(stored.first()), "after": cursor(stored.last()) }
        });
    }
    Ok(Json(body))
}

/// Anything else under `/sandbox/graph/`: Graph's answer for paths it does not know.
pub async fn unsupported(uri: Uri) -> SimError {
    // Nested under /sandbox/graph, so the path here starts at the version.
    let path = uri
        .path()
        .trim_start_matches("/sandbox/graph")
        .trim_start_matches('/');
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match segments.as_slice() {
        [version, id, ..] if crate::config::is_graph_version(version) => {
            errors::unsupported_get(id)
        }
        _ => errors::unknown_path(path),
    }
}
