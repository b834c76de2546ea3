//! Partner-level Graph endpoints of the simulator, and the tester calls that feed them.
//!
//! - `GET /{PARTNER_BUSINESS_ID}/client_whatsapp_business_accounts`: the WABAs shared with
//!   the partner (in the simulator, every WABA the tester API created), with `fields=`,
//!   `filtering=`, `limit` and cursor paging. Seed 001: "For partners discovering eligible
//!   WABAs across many customers in one call, use the Client WABAs endpoint with a filter:
//!   `…/client_whatsapp_business_accounts?filtering=[{"field":"marketing_messages_onboarding_status","operator":"IN","value":["ELIGIBLE"]}]`".
//! - `POST /{END_BUSINESS_ID}/onboard_partners_to_mm_lite` (the Intent API, seed 004):
//!   answers `{"request_id": "…"}`; "If a pending request already exists between the same
//!   partner and end business, the existing request ID is returned instead of creating a
//!   duplicate." After the business's sign delay, its WABAs become ONBOARDED and "an
//!   account_update webhook will be sent for each WABA under the BMID" (seed 000).
//! - `POST /{CLIENT_BUSINESS_ID}/system_user_access_tokens?fetch_only=true` (seed 000, "Fetch
//!   an updated Business Integration System User Access Token (BISUAT)"): `{"access_token"}`.
//! - Tester API: `POST /sandbox/api/partner-token` mints a partner system-user token;
//!   `POST /sandbox/api/businesses/{id}/mm-onboarding` sets how a business answers the
//!   Intent API (sign delay, OBO mobility failure); `POST /sandbox/api/graph-settings
//!   {"legacy_status_only": true}` makes `client_whatsapp_business_accounts` answer like the
//!   Graph versions that only had the legacy `marketing_messages_lite_api_status` (up to
//!   v23.0, where the simulator serves that field; requesting or filtering on
//!   `marketing_messages_onboarding_status` is then Graph's "nonexisting field" error; seed
//!   001 dates only the legacy field's deprecation, 24.0, not the new field's introduction, so
//!   this is a setting, not a version number). `DELETE` restores the default. The sustained
//!   Intent API rate limit and its call counts are in `rate_limit.rs`.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::errors::store as store_err;
use super::errors::{self, SimError};
use super::graph::{authenticate, check_version, field_list, load, token_key};
use super::model::{
    self, Bisuat, Business, GranularScope, MmOnboardingRequest, MmOnboardingSettings, Token, Waba,
};
use super::tester::{graph_id, random_text, ONBOARDING_STATUSES};
use super::waba_ops::post_params;
use super::{faults, rate_limit, waba_ops, SandboxState, SANDBOX_PARTNER_BUSINESS_ID};
use crate::db::{now_millis, DbError};

type Params = Query<HashMap<String, String>>;

const BUSINESS_MANAGEMENT: &str = "business_management";
const WHATSAPP_MANAGEMENT: &str = "whatsapp_business_management";
const WHATSAPP_MESSAGING: &str = "whatsapp_business_messaging";

/// The Intent API's name for faults and rate limits.
const OPERATION: &str = "onboard_partners_to_mm_lite";

/// Default and largest page of `client_whatsapp_business_accounts` (OpenAPI: "Default is 25,
/// maximum is 100").
const DEFAULT_LIMIT: usize = 25;
const MAX_LIMIT: usize = 100;

/// Seed 001, prerequisites: "a tax country and an owner business country that are not in
/// sanctioned regions (Cuba, Iran, North Korea, Syria, Crimea, Donetsk, Luhansk)". The regions
/// without an ISO country code of their own cannot be expressed with the simulator's
/// `country` field.
const SANCTIONED_COUNTRIES: &[&str] = &["CU", "IR", "KP", "SY"];

fn is_numeric(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

fn has_scope_on(token: &Token, scope: &str, object_id: &str) -> bool {
    token
        .granular_scopes
        .iter()
        .any(|s| s.scope == scope && s.target_ids.iter().any(|t| t == object_id))
}

/// Every stored WABA (of one owner business, when given), by id.
async fn list_wabas(state: &SandboxState, owner: Option<&str>) -> Result<Vec<Waba>, SimError> {
    const BATCH: i64 = 100;
    let mut wabas = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let batch = state
            .store
            .sandbox_list(model::WABA, owner, after.as_deref(), BATCH)
            .await
            .map_err(store_err)?;
        for object in &batch {
            wabas.push(serde_json::from_str::<Waba>(&object.data).map_err(|_| errors::internal())?);
        }
        match batch.last() {
            Some(last) if batch.len() as i64 == BATCH => after = Some(last.id.clone()),
            _ => return Ok(wabas),
        }
    }
}

// ---- Field selection: the WABA's fields come from `graph.rs` (one definition of what a WABA
// node has); this edge has its own defaults and fills a page, so its `select` is its own.

fn waba_fields(waba: &Waba, version: &str, legacy_only: bool) -> Map<String, Value> {
    let mut fields = super::graph::waba_fields(waba, version).0;
    // An older Graph version, as the tester asked: only the legacy status field exists.
    if legacy_only && fields.contains_key(LEGACY_STATUS_FIELD) {
        fields.remove("marketing_messages_onboarding_status");
    }
    fields
}

/// Seed 001: "A legacy field marketing_messages_lite_api_status exists for the same purpose but
/// is being deprecated in version 24.0." (`graph.rs` serves it up to v23.0.)
const LEGACY_STATUS_FIELD: &str = "marketing_messages_lite_api_status";
/// Store kind of the simulator's Graph settings (id = setting name).
const GRAPH_SETTING: &str = "graph_setting";
const LEGACY_ONLY: &str = "legacy_status_only";

/// Whether the tester asked for the Graph of older versions, before
/// `marketing_messages_onboarding_status` existed (`POST /sandbox/api/graph-settings`).
async fn legacy_status_only(state: &SandboxState) -> Result<bool, SimError> {
    Ok(state
        .store
        .sandbox_get(GRAPH_SETTING, LEGACY_ONLY)
        .await
        .map_err(store_err)?
        .is_some_and(|object| object.data == "true"))
}

/// The edge's default fields. OpenAPI, `client_whatsapp_business_accounts`: "If not
/// specified, default fields will be returned (id, name, currency, timezone_id)."
const EDGE_DEFAULT_FIELDS: &[&str] = &["id", "name", "currency", "timezone_id"];

/// The `fields=` list, checked against the fields a WABA has (so an unknown field is an
/// error even when the page is empty).
fn requested_fields<'a>(
    requested: Option<&'a String>,
    available: &Map<String, Value>,
) -> Result<Vec<&'a str>, SimError> {
    let wanted = field_list(requested, EDGE_DEFAULT_FIELDS);
    for field in &wanted {
        if !available.contains_key(*field) {
            return Err(errors::nonexisting_field(field, "WhatsAppBusinessAccount"));
        }
    }
    Ok(wanted)
}

fn select(all: &Map<String, Value>, wanted: &[&str]) -> Value {
    let mut out = Map::new();
    for field in wanted {
        if let Some(value) = all.get(*field) {
            out.insert(field.to_string(), value.clone());
        }
    }
    out.entry("id")
        .or_insert_with(|| all.get("id").cloned().unwrap_or(Value::Null));
    Value::Object(out)
}

/// A WABA with every field set, to know which fields (and filterable fields) the node has.
fn template_waba() -> Waba {
    Waba {
        id: "0".into(),
        name: String::new(),
        owner_business_id: "0".into(),
        currency: String::new(),
        timezone_id: String::new(),
        country: String::new(),
        account_review_status: String::new(),
        marketing_messages_onboarding_status: String::new(),
        mm_terms_accepted: false,
        terms_delay_ms: 0,
        terms_due_at: None,
    }
}

// ---- `filtering`: a JSON list of `{"field", "operator", "value"}` (seed 001's example uses
// `IN` with a list; the OpenAPI file's phone-number example uses `EQUAL` with a string).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operator {
    In,
    NotIn,
    Equal,
    NotEqual,
}

#[derive(Debug, Clone)]
struct Filter {
    field: String,
    operator: Operator,
    values: Vec<String>,
}

impl Filter {
    fn matches(&self, fields: &Map<String, Value>) -> bool {
        let value = fields
            .get(&self.field)
            .and_then(Value::as_str)
            .unwrap_or("");
        let found = self.values.iter().any(|v| v == value);
        match self.operator {
            Operator::In | Operator::Equal => found,
            Operator::NotIn | Operator::NotEqual => !found,
        }
    }
}

fn parse_filtering(
    raw: Option<&String>,
    available: &Map<String, Value>,
) -> Result<Vec<Filter>, SimError> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    let parsed: Value = serde_json::from_str(raw).map_err(|_| errors::invalid_filtering(None))?;
    let Value::Array(items) = parsed else {
        return Err(errors::invalid_filtering(Some(
            "must be a list of {field, operator, value} objects",
        )));
    };
    let mut filters = Vec::new();
    for item in items {
        let (Some(field), Some(operator), Some(value)) = (
            item.get("field").and_then(Value::as_str),
            item.get("operator").and_then(Value::as_str),
            item.get("value"),
        ) else {
            return Err(errors::invalid_filtering(Some(
                "must be a list of {field, operator, value} objects",
            )));
        };
        // Filterable: the WABA's text fields.
        if !available.get(field).is_some_and(Value::is_string) {
            return Err(errors::invalid_filtering(Some(&format!(
                "field {field} is not supported"
            ))));
        }
        let operator_kind = match operator.to_ascii_uppercase().as_str() {
            "IN" => Operator::In,
            "NOT_IN" => Operator::NotIn,
            "EQUAL" => Operator::Equal,
            "NOT_EQUAL" => Operator::NotEqual,
            _ => {
                return Err(errors::invalid_filtering(Some(&format!(
                    "operator {operator} is not supported; use IN, NOT_IN, EQUAL or NOT_EQUAL"
                ))))
            }
        };
        let values: Vec<String> = match (operator_kind, value) {
            (Operator::In | Operator::NotIn, Value::Array(list)) => list
                .iter()
                .map(|v| v.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| {
                    errors::invalid_filtering(Some(&format!(
                        "operator {operator} needs a list of strings as value"
                    )))
                })?,
            (Operator::Equal | Operator::NotEqual, Value::String(text)) => vec![text.clone()],
            (Operator::In | Operator::NotIn, _) => {
                return Err(errors::invalid_filtering(Some(&format!(
                    "operator {operator} needs a list of strings as value"
                ))))
            }
            _ => {
                return Err(errors::invalid_filtering(Some(&format!(
                    "operator {operator} needs a string value"
                ))))
            }
        };
        if field == "marketing_messages_onboarding_status" {
            if let Some(unknown) = values
                .iter()
                .find(|v| !ONBOARDING_STATUSES.contains(&v.as_str()))
            {
                return Err(errors::invalid_filtering(Some(&format!(
                    "value {unknown} is not a valid marketing_messages_onboarding_status"
                ))));
            }
        }
        filters.push(Filter {
            field: field.to_string(),
            operator: operator_kind,
            values,
        });
    }
    Ok(filters)
}

fn encode_cursor(id: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(id)
}

fn decode_cursor(name: &str, cursor: &str) -> Result<String, SimError> {
    base64::engine::general_purpose::STANDARD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| errors::invalid_parameter(&format!("The {name} cursor is invalid")))
}

fn parse_limit(raw: Option<&String>) -> Result<usize, SimError> {
    match raw {
        None => Ok(DEFAULT_LIMIT),
        Some(text) => match text.parse::<usize>() {
            Ok(0) | Err(_) => Err(errors::invalid_parameter(
                "Param limit must be a positive integer",
            )),
            Ok(n) => Ok(n.min(MAX_LIMIT)),
        },
    }
}

/// The URL of another page: the same request with `after` or `before` replaced. The access
/// token and `appsecret_proof` are left out (Meta's `next` links carry `access_token`; the
/// simulator keeps tokens out of URLs, and the caller authenticates the follow-up call).
fn page_url(
    headers: &HeaderMap,
    state: &SandboxState,
    path: &str,
    params: &HashMap<String, String>,
    limit: usize,
    cursor: (&str, String),
) -> Option<String> {
    let base = match headers.get("host").and_then(|h| h.to_str().ok()) {
        Some(host) => url::Url::parse(&format!("http://{host}/")).ok()?,
        None => state.webhook_url.clone()?,
    };
    let mut url = base.join(path).ok()?;
    let mut keys: Vec<&String> = params
        .keys()
        .filter(|k| {
            !matches!(
                k.as_str(),
                "access_token" | "appsecret_proof" | "after" | "before" | "limit"
            )
        })
        .collect();
    keys.sort();
    {
        let mut query = url.query_pairs_mut();
        for key in keys {
            query.append_pair(key, &params[key]);
        }
        query.append_pair("limit", &limit.to_string());
        query.append_pair(cursor.0, &cursor.1);
    }
    Some(url.to_string())
}

/// `GET /{PARTNER_BUSINESS_ID}/client_whatsapp_business_accounts?fields&filtering&limit&after&before`.
///
/// Answers `{"data": [WABA…], "paging": {"cursors": {"before", "after"}, "next"?, "previous"?}}`
/// (`{"data": []}` when nothing matches), WABAs in id order; cursors are the base64 of a WABA
/// id. Needs a token with `whatsapp_business_management` on the partner business (the tester
/// API's `partner-token`). Token errors answer 401, the business id not being numeric 400,
/// another known business 403, an unknown business 404 (the OpenAPI file's statuses).
pub async fn client_whatsapp_business_accounts(
    State(state): State<SandboxState>,
    Path((version, business_id)): Path<(String, String)>,
    Query(params): Params,
    headers: HeaderMap,
) -> Result<Json<Value>, SimError> {
    check_version(&version)?;
    let token = authenticate(&state, &headers, &params)
        .await
        .map_err(errors::as_unauthorized)?;
    if !is_numeric(&business_id) {
        return Err(errors::business_id_not_numeric());
    }
    if business_id != SANDBOX_PARTNER_BUSINESS_ID {
        let known = load::<Business>(&state, model::BUSINESS, &business_id)
            .await?
            .is_some();
        return Err(if known {
            errors::client_wabas_forbidden()
        } else {
            errors::business_not_found()
        });
    }
    if !has_scope_on(&token, WHATSAPP_MANAGEMENT, SANDBOX_PARTNER_BUSINESS_ID) {
        return Err(errors::client_wabas_forbidden());
    }
    let legacy_only = legacy_status_only(&state).await?;
    let available = waba_fields(&template_waba(), &version, legacy_only);
    let wanted = requested_fields(params.get("fields"), &available)?;
    let filters = parse_filtering(params.get("filtering"), &available)?;
    let limit = parse_limit(params.get("limit"))?;
    let after = params
        .get("after")
        .map(|c| decode_cursor("after", c))
        .transpose()?;
    let before = params
        .get("before")
        .map(|c| decode_cursor("before", c))
        .transpose()?;

    // Requests whose sign time passed complete here too (after a simulator restart, nothing
    // else would until each WABA is read).
    complete_due_requests(&state).await?;
    let mut rows: Vec<(String, Map<String, Value>)> = Vec::new();
    for waba in list_wabas(&state, None).await? {
        let waba = waba_ops::complete_due_onboarding(&state, waba).await;
        let fields = waba_fields(&waba, &version, legacy_only);
        if filters.iter().all(|f| f.matches(&fields)) {
            rows.push((waba.id, fields));
        }
    }
    let (start, end) = match (&after, &before) {
        (Some(after), _) => {
            let start = rows.partition_point(|(id, _)| id.as_str() <= after.as_str());
            (start, (start + limit).min(rows.len()))
        }
        (None, Some(before)) => {
            let end = rows.partition_point(|(id, _)| id.as_str() < before.as_str());
            (end.saturating_sub(limit), end)
        }
        (None, None) => (0, limit.min(rows.len())),
    };
    let page = &rows[start..end];
    let data: Vec<Value> = page.iter().map(|(_, all)| select(all, &wanted)).collect();
    let mut body = json!({ "data": data });
    if let (Some((first, _)), Some((last, _))) = (page.first(), page.last()) {
        let path =
            format!("/sandbox/graph/{version}/{business_id}/client_whatsapp_business_accounts");
        let mut paging = json!({
            "cursors": { "before": encode_cursor(first), "after": encode_cursor(last) }
        });
        if end < rows.len() {
            if let Some(url) = page_url(
                &headers,
                &state,
                &path,
                &params,
                limit,
                ("after", encode_cursor(last)),
            ) {
                paging["next"] = json!(url);
            }
        }
        if start > 0 {
            if let Some(url) = page_url(
                &headers,
                &state,
                &path,
                &params,
                limit,
                ("before", encode_cursor(first)),
            ) {
                paging["previous"] = json!(url);
            }
        }
        body["paging"] = paging;
    }
    Ok(Json(body))
}

// ---- The Intent API.

async fn settings_for(
    state: &SandboxState,
    business_id: &str,
) -> Result<MmOnboardingSettings, SimError> {
    Ok(
        load::<MmOnboardingSettings>(state, model::MM_ONBOARDING_SETTINGS, business_id)
            .await?
            .map(|(settings, _)| settings)
            .unwrap_or(MmOnboardingSettings {
                sign_delay_ms: model::DEFAULT_SIGN_DELAY_MS,
                obo_mobility_error: false,
            }),
    )
}

/// Makes each of the request's WABAs due at the request's sign time (stored in the WABA, like
/// the Embedded Signup path: `waba_ops::complete_due_onboarding` and every read of the WABA
/// then finish it, also after a restart). An earlier due time already set is kept.
async fn schedule_wabas(state: &SandboxState, request: &MmOnboardingRequest) {
    for waba_id in &request.waba_ids {
        for _ in 0..8 {
            let Ok(Some((mut waba, version))) = load::<Waba>(state, model::WABA, waba_id).await
            else {
                break;
            };
            if waba.marketing_messages_onboarding_status == "ONBOARDED"
                || waba.terms_due_at.is_some_and(|at| at <= request.due_at)
            {
                break;
            }
            waba.terms_due_at = Some(request.due_at);
            let Ok(data) = serde_json::to_string(&waba) else {
                break;
            };
            if let Ok(true) = state
                .store
                .sandbox_update(model::WABA, waba_id, &data, version)
                .await
            {
                break;
            }
        }
    }
}

/// If the business has "signed" (the request's due time passed): each WABA of the request
/// becomes ONBOARDED with one `MM_LITE_TERMS_SIGNED` webhook (the WABA's version check makes
/// it exactly once, whoever gets here first).
async fn complete_if_due(state: &SandboxState, request: &MmOnboardingRequest) {
    if request.due_at > now_millis() {
        return;
    }
    schedule_wabas(state, request).await;
    for waba_id in &request.waba_ids {
        if let Ok(Some((waba, _))) = load::<Waba>(state, model::WABA, waba_id).await {
            waba_ops::complete_due_onboarding(state, waba).await;
        }
    }
}

async fn complete_due_requests(state: &SandboxState) -> Result<(), SimError> {
    let mut after: Option<String> = None;
    loop {
        let batch = state
            .store
            .sandbox_list(
                model::MM_ONBOARDING_REQUEST,
                Some(SANDBOX_PARTNER_BUSINESS_ID),
                after.as_deref(),
                100,
            )
            .await
            .map_err(store_err)?;
        for object in &batch {
            if let Ok(request) = serde_json::from_str::<MmOnboardingRequest>(&object.data) {
                complete_if_due(state, &request).await;
            }
        }
        match batch.last() {
            Some(last) if batch.len() == 100 => after = Some(last.id.clone()),
            _ => return Ok(()),
        }
    }
}

/// `POST /{END_BUSINESS_ID}/onboard_partners_to_mm_lite`, optional `solution_id` (JSON body,
/// form or query; seed 000: `{"solution_id": "<MULTI-PARTNER_SOLUTION_ID>"}`), answers
/// `{"request_id": "…"}`.
///
/// Checks, in order, with seed 004's statuses and the OpenAPI file's codes and messages:
/// token missing/invalid/expired → 401 (190); business id not numeric → 400 (100); token
/// without `whatsapp_business_management` on the partner business → 403 (200/1349174);
/// `solution_id` not numeric → 400 (100); an armed fault (`onboard_partners_to_mm_lite`:
/// transient → 500 code 2); unknown business → 404 (803); a pending request → 200 with its
/// `request_id`; a request already signed → 403 (100, "A business agreement request already
/// exists…"); a WABA in a sanctioned country → 403 (200, "End business is not eligible…");
/// no WABA whose `marketing_messages_onboarding_status` is ELIGIBLE → 400 (100, "No eligible
/// WhatsApp Business Accounts…"); a `solution_id` other than the simulator's solution → 422
/// (803); the tester's `obo_mobility_error` → 422 (100).
pub async fn onboard_partners_to_mm_lite(
    State(state): State<SandboxState>,
    Path((version, business_id)): Path<(String, String)>,
    Query(query): Params,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, SimError> {
    check_version(&version)?;
    let params = post_params(&query, &body);
    let token = match authenticate(&state, &headers, &params).await {
        Ok(token) => token,
        Err(error) => {
            rate_limit::count_unattributed(&state).await;
            return Err(errors::as_unauthorized(error));
        }
    };
    if !is_numeric(&business_id) {
        rate_limit::count_unattributed(&state).await;
        return Err(errors::business_id_not_numeric());
    }
    // Counted (and throttled) before anything else happens: `rate_limit.rs`.
    let stored_before =
        load::<MmOnboardingRequest>(&state, model::MM_ONBOARDING_REQUEST, &business_id)
            .await?
            .is_some();
    rate_limit::admit(&state, OPERATION, &business_id, stored_before).await?;
    if !has_scope_on(&token, WHATSAPP_MANAGEMENT, SANDBOX_PARTNER_BUSINESS_ID) {
        return Err(errors::missing_management_permission());
    }
    let solution_id = params.get("solution_id").filter(|s| !s.is_empty()).cloned();
    if solution_id.as_deref().is_some_and(|s| !is_numeric(s)) {
        return Err(errors::solution_id_not_numeric());
    }
    faults::take(&state, OPERATION).await?;
    if load::<Business>(&state, model::BUSINESS, &business_id)
        .await?
        .is_none()
    {
        return Err(errors::business_not_found());
    }
    if let Some((existing, _)) =
        load::<MmOnboardingRequest>(&state, model::MM_ONBOARDING_REQUEST, &business_id).await?
    {
        if existing.due_at > now_millis() {
            schedule_wabas(&state, &existing).await;
            return Ok(Json(json!({"request_id": existing.request_id})));
        }
        complete_if_due(&state, &existing).await;
        return Err(errors::duplicate_agreement_request());
    }
    let wabas = list_wabas(&state, Some(&business_id)).await?;
    if wabas
        .iter()
        .any(|w| SANCTIONED_COUNTRIES.contains(&w.country.as_str()))
    {
        return Err(errors::business_not_eligible());
    }
    let eligible: Vec<String> = wabas
        .iter()
        .filter(|w| w.marketing_messages_onboarding_status == "ELIGIBLE")
        .map(|w| w.id.clone())
        .collect();
    if eligible.is_empty() {
        return Err(errors::no_eligible_wabas());
    }
    if solution_id
        .as_deref()
        .is_some_and(|s| s != model::SANDBOX_SOLUTION_ID)
    {
        return Err(errors::solution_not_found());
    }
    let settings = settings_for(&state, &business_id).await?;
    if settings.obo_mobility_error {
        return Err(errors::obo_mobility_failed());
    }
    let now = now_millis();
    let request = MmOnboardingRequest {
        request_id: graph_id(),
        business_id: business_id.clone(),
        partner_business_id: SANDBOX_PARTNER_BUSINESS_ID.into(),
        solution_id,
        waba_ids: eligible,
        created_at: now,
        due_at: now + settings.sign_delay_ms as i64,
    };
    let data = serde_json::to_string(&request).map_err(|_| errors::internal())?;
    match state
        .store
        .sandbox_insert(
            model::MM_ONBOARDING_REQUEST,
            &business_id,
            Some(SANDBOX_PARTNER_BUSINESS_ID),
            &data,
        )
        .await
    {
        Ok(()) => {}
        // A concurrent identical call created it first: its request is the pending one.
        Err(DbError::Conflict) => {
            let (existing, _) =
                load::<MmOnboardingRequest>(&state, model::MM_ONBOARDING_REQUEST, &business_id)
                    .await?
                    .ok_or_else(errors::internal)?;
            return Ok(Json(json!({"request_id": existing.request_id})));
        }
        Err(e) => return Err(store_err(e)),
    }
    schedule_wabas(&state, &request).await;
    let timer_state = state.clone();
    let timer_request = request.clone();
    tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(settings.sign_delay_ms)).await;
        complete_if_due(&timer_state, &timer_request).await;
    });
    Ok(Json(json!({"request_id": request.request_id})))
}

// ---- BISUAT fetch.

/// `POST /{CLIENT_BUSINESS_ID}/system_user_access_tokens?fetch_only=true&appsecret_proof=…`
/// (seed 000), answering `{"access_token": "…"}`: the client business's business integration
/// system user token, the same one on every fetch (minted on the first). The caller's token
/// needs `business_management` on the partner business ("This access token requires the
/// business_management permission"); the proof is required like on every simulator call.
/// Only fetching is simulated: `fetch_only` other than `true` is refused.
pub async fn system_user_access_tokens(
    State(state): State<SandboxState>,
    Path((version, business_id)): Path<(String, String)>,
    Query(query): Params,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, SimError> {
    check_version(&version)?;
    let params = post_params(&query, &body);
    let token = authenticate(&state, &headers, &params).await?;
    if !has_scope_on(&token, BUSINESS_MANAGEMENT, SANDBOX_PARTNER_BUSINESS_ID) {
        return Err(errors::requires_business_management());
    }
    if business_id == SANDBOX_PARTNER_BUSINESS_ID
        || load::<Business>(&state, model::BUSINESS, &business_id)
            .await?
            .is_none()
    {
        return Err(errors::unsupported_post(&business_id));
    }
    if params.get("fetch_only").map(String::as_str) != Some("true") {
        return Err(errors::invalid_parameter(
            "fetch_only must be true: the simulator only fetches existing tokens",
        ));
    }
    if let Some((stored, _)) = load::<Bisuat>(&state, model::BISUAT, &business_id).await? {
        return Ok(Json(json!({"access_token": stored.access_token})));
    }
    let mut targets: Vec<String> = list_wabas(&state, Some(&business_id))
        .await?
        .into_iter()
        .map(|w| w.id)
        .collect();
    targets.push(business_id.clone());
    let access_token = format!("EAAS{}", random_text(120));
    let now = now_millis();
    let minted = Token {
        app_id: state.app_id.clone(),
        user_id: graph_id(),
        kind: "SYSTEM_USER".into(),
        granular_scopes: [WHATSAPP_MANAGEMENT, WHATSAPP_MESSAGING]
            .iter()
            .map(|scope| GranularScope {
                scope: scope.to_string(),
                target_ids: targets.clone(),
            })
            .collect(),
        issued_at: now / 1000,
        expires_at: 0,
    };
    let key = token_key(&access_token);
    let data = serde_json::to_string(&minted).map_err(|_| errors::internal())?;
    state
        .store
        .sandbox_insert(model::TOKEN, &key, Some(&business_id), &data)
        .await
        .map_err(store_err)?;
    let record = Bisuat {
        access_token: access_token.clone(),
        issued_at: now,
    };
    let data = serde_json::to_string(&record).map_err(|_| errors::internal())?;
    match state
        .store
        .sandbox_insert(model::BISUAT, &business_id, Some(&business_id), &data)
        .await
    {
        Ok(()) => Ok(Json(json!({"access_token": access_token}))),
        // A concurrent first fetch won: answer its token, drop ours.
        Err(DbError::Conflict) => {
            let _ = state.store.sandbox_delete(model::TOKEN, &key).await;
            let (stored, _) = load::<Bisuat>(&state, model::BISUAT, &business_id)
                .await?
                .ok_or_else(errors::internal)?;
            Ok(Json(json!({"access_token": stored.access_token})))
        }
        Err(e) => Err(store_err(e)),
    }
}

// ---- Tester API.

type TesterResult<T> = Result<T, (StatusCode, Json<Value>)>;

fn tester_error(status: StatusCode, message: &str) -> (StatusCode, Json<Value>) {
    (status, Json(json!({"error": message})))
}

fn default_partner_scopes() -> Vec<String> {
    [BUSINESS_MANAGEMENT, WHATSAPP_MANAGEMENT, WHATSAPP_MESSAGING]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

#[derive(Debug, Deserialize)]
struct PartnerTokenRequest {
    #[serde(default = "default_partner_scopes")]
    scopes: Vec<String>,
}

/// `POST /sandbox/api/partner-token`, optional body `{"scopes": [...]}` (default
/// `business_management`, `whatsapp_business_management`, `whatsapp_business_messaging`):
/// mints a partner system-user token whose scopes target the partner business, and answers
/// `{"access_token", "business_id", "scopes"}`.
pub async fn create_partner_token(
    State(state): State<SandboxState>,
    body: Bytes,
) -> TesterResult<Json<Value>> {
    let request: PartnerTokenRequest = if body.iter().all(u8::is_ascii_whitespace) {
        PartnerTokenRequest {
            scopes: default_partner_scopes(),
        }
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            tester_error(
                StatusCode::BAD_REQUEST,
                &format!("body must be {{\"scopes\": [..]}}: {e}"),
            )
        })?
    };
    if request.scopes.iter().any(|s| s.trim().is_empty()) {
        return Err(tester_error(
            StatusCode::BAD_REQUEST,
            "scopes must be non-empty strings",
        ));
    }
    let access_token = format!("EAAS{}", random_text(120));
    let now = now_millis();
    let token = Token {
        app_id: state.app_id.clone(),
        user_id: graph_id(),
        kind: "SYSTEM_USER".into(),
        granular_scopes: request
            .scopes
            .iter()
            .map(|scope| GranularScope {
                scope: scope.clone(),
                target_ids: vec![SANDBOX_PARTNER_BUSINESS_ID.to_string()],
            })
            .collect(),
        issued_at: now / 1000,
        expires_at: 0,
    };
    let data = serde_json::to_string(&token).map_err(|_| unavailable())?;
    state
        .store
        .sandbox_insert(
            model::TOKEN,
            &token_key(&access_token),
            Some(SANDBOX_PARTNER_BUSINESS_ID),
            &data,
        )
        .await
        .map_err(|_| unavailable())?;
    Ok(Json(json!({
        "access_token": access_token,
        "business_id": SANDBOX_PARTNER_BUSINESS_ID,
        "scopes": request.scopes,
    })))
}

fn unavailable() -> (StatusCode, Json<Value>) {
    tester_error(
        StatusCode::SERVICE_UNAVAILABLE,
        "the simulator could not store it",
    )
}

fn default_sign_delay() -> u64 {
    model::DEFAULT_SIGN_DELAY_MS
}

#[derive(Debug, Deserialize)]
pub struct OnboardingSettingsRequest {
    #[serde(default = "default_sign_delay")]
    pub sign_delay_ms: u64,
    #[serde(default)]
    pub obo_mobility_error: bool,
}

/// `POST /sandbox/api/businesses/{business_id}/mm-onboarding`
/// `{"sign_delay_ms": 2000, "obo_mobility_error": false}` (both optional): how this end
/// business answers later `onboard_partners_to_mm_lite` calls. 204; 404 for an unknown business.
pub async fn configure_onboarding(
    State(state): State<SandboxState>,
    Path(business_id): Path<String>,
    Json(request): Json<OnboardingSettingsRequest>,
) -> TesterResult<StatusCode> {
    let known = state
        .store
        .sandbox_get(model::BUSINESS, &business_id)
        .await
        .map_err(|_| unavailable())?
        .is_some();
    if !known {
        return Err(tester_error(StatusCode::NOT_FOUND, "no such business"));
    }
    let settings = MmOnboardingSettings {
        sign_delay_ms: request.sign_delay_ms,
        obo_mobility_error: request.obo_mobility_error,
    };
    let data = serde_json::to_string(&settings).map_err(|_| unavailable())?;
    state
        .store
        .sandbox_delete(model::MM_ONBOARDING_SETTINGS, &business_id)
        .await
        .map_err(|_| unavailable())?;
    state
        .store
        .sandbox_insert(
            model::MM_ONBOARDING_SETTINGS,
            &business_id,
            Some(&business_id),
            &data,
        )
        .await
        .map_err(|_| unavailable())?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
pub struct GraphSettingsRequest {
    #[serde(default)]
    pub legacy_status_only: bool,
}

/// `POST /sandbox/api/graph-settings {"legacy_status_only": true}`: 204.
pub async fn set_graph_settings(
    State(state): State<SandboxState>,
    Json(request): Json<GraphSettingsRequest>,
) -> TesterResult<StatusCode> {
    state
        .store
        .sandbox_delete(GRAPH_SETTING, LEGACY_ONLY)
        .await
        .map_err(|_| unavailable())?;
    if request.legacy_status_only {
        state
            .store
            .sandbox_insert(GRAPH_SETTING, LEGACY_ONLY, None, "true")
            .await
            .map_err(|_| unavailable())?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /sandbox/api/graph-settings`: the current Graph again. 204.
pub async fn clear_graph_settings(State(state): State<SandboxState>) -> TesterResult<StatusCode> {
    state
        .store
        .sandbox_delete(GRAPH_SETTING, LEGACY_ONLY)
        .await
        .map_err(|_| unavailable())?;
    Ok(StatusCode::NO_CONTENT)
}
