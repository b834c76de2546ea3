//! `GET /{PARTNER_BUSINESS_ID}/client_whatsapp_business_accounts`: the WABAs shared with the
//! partner (in the simulator, every WABA in the store), with `fields=`, `filtering=`, `limit`
//! and cursor paging. Seed 001: "For partners discovering eligible WABAs across many
//! customers in one call, use the Client WABAs endpoint with a filter:
//! `…/client_whatsapp_business_accounts?filtering=[{"field":"marketing_messages_onboarding_status","operator":"IN","value":["ELIGIBLE"]}]`".
//!
//! The tester can make it answer like the Graph versions that only had the legacy
//! `marketing_messages_lite_api_status` ([`set_legacy_status_only`], `POST
//! /sandbox/api/graph-settings {"legacy_status_only": true}`; up to v23.0, where the simulator
//! serves that field; requesting or filtering on `marketing_messages_onboarding_status` is
//! then Graph's "nonexisting field" error; seed 001 dates only the legacy field's
//! deprecation, 24.0, not the new field's introduction, so this is a setting, not a version
//! number).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine;
use serde_json::{json, Map, Value};

use super::fields::{checked_fields, pick, waba_fields, LEGACY_STATUS_FIELD};
use super::filtering::{parse_filtering, Filter};
use crate::config::SANDBOX_PARTNER_BUSINESS_ID;
use crate::db::DbError;
use crate::sandbox::core::caller::{is_numeric, GraphRequest, Params};
use crate::sandbox::core::errors::{self, SimError};
use crate::sandbox::core::store::{list_decoded, load, replace};
use crate::sandbox::core::SandboxState;
use crate::sandbox::model::{self, Business, Waba};
use crate::sandbox::onboarding;

/// Default and largest page (OpenAPI: "Default is 25, maximum is 100").
const DEFAULT_LIMIT: usize = 25;
const MAX_LIMIT: usize = 100;

/// The edge's default fields. OpenAPI, `client_whatsapp_business_accounts`: "If not
/// specified, default fields will be returned (id, name, currency, timezone_id)."
const EDGE_DEFAULT_FIELDS: &[&str] = &["id", "name", "currency", "timezone_id"];

/// Store kind of the simulator's Graph settings (id = setting name).
const GRAPH_SETTING: &str = "graph_setting";
const LEGACY_ONLY: &str = "legacy_status_only";

pub fn router() -> Router<SandboxState> {
    Router::new().route(
        "/{version}/{id}/client_whatsapp_business_accounts",
        get(client_whatsapp_business_accounts),
    )
}

/// Whether the tester asked for the Graph of older versions, before
/// `marketing_messages_onboarding_status` existed.
async fn legacy_status_only(state: &SandboxState) -> Result<bool, SimError> {
    Ok(state
        .store
        .sandbox_get(GRAPH_SETTING, LEGACY_ONLY)
        .await
        .map_err(errors::store)?
        .is_some_and(|object| object.data == "true"))
}

/// The tester's switch between the current Graph and the legacy-status-only one.
pub async fn set_legacy_status_only(state: &SandboxState, on: bool) -> Result<(), DbError> {
    if on {
        replace(state, GRAPH_SETTING, LEGACY_ONLY, None, "true").await
    } else {
        state
            .store
            .sandbox_delete(GRAPH_SETTING, LEGACY_ONLY)
            .await
            .map(|_| ())
    }
}

/// A WABA's fields on this edge: the node's, without the new status field when the tester
/// asked for the legacy-only Graph.
fn edge_fields(waba: &Waba, version: &str, legacy_only: bool) -> Map<String, Value> {
    let mut fields = waba_fields(waba, version).0;
    if legacy_only && fields.contains_key(LEGACY_STATUS_FIELD) {
        fields.remove("marketing_messages_onboarding_status");
    }
    fields
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
        connection: None,
        insights_enabled: false,
    }
}

pub(super) fn encode_cursor(id: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(id)
}

pub(super) fn decode_cursor(name: &str, cursor: &str) -> Result<String, SimError> {
    base64::engine::general_purpose::STANDARD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| errors::invalid_parameter(&format!("The {name} cursor is invalid")))
}

pub(super) fn parse_limit(raw: Option<&String>) -> Result<usize, SimError> {
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

/// What the caller asked for, checked before any WABA is read (so an unknown field is an
/// error even when the page would be empty).
pub(super) struct PageQuery<'a> {
    pub legacy_only: bool,
    pub wanted: Vec<&'a str>,
    pub filters: Vec<Filter>,
    pub limit: usize,
    pub after: Option<String>,
    pub before: Option<String>,
}

async fn page_query<'a>(
    state: &SandboxState,
    request: &'a GraphRequest,
) -> Result<PageQuery<'a>, SimError> {
    let legacy_only = legacy_status_only(state).await?;
    let available = edge_fields(&template_waba(), &request.version, legacy_only);
    let wanted = checked_fields(
        &available,
        EDGE_DEFAULT_FIELDS,
        request.param("fields"),
        "WhatsAppBusinessAccount",
    )?;
    let cursor = |name: &str| {
        request
            .param(name)
            .map(|c| decode_cursor(name, c))
            .transpose()
    };
    Ok(PageQuery {
        legacy_only,
        filters: parse_filtering(request.param("filtering"), &available)?,
        limit: parse_limit(request.param("limit"))?,
        after: cursor("after")?,
        before: cursor("before")?,
        wanted,
    })
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
    request: GraphRequest,
) -> Result<Json<Value>, SimError> {
    check_partner_caller(&state, &request).await?;
    let query = page_query(&state, &request).await?;
    // Requests whose sign time passed complete here too (after a simulator restart, nothing
    // else would until each WABA is read).
    onboarding::complete_due_requests(&state).await?;
    let mut rows: Vec<(String, Map<String, Value>)> = Vec::new();
    for waba in list_decoded::<Waba>(&state, model::WABA, None).await? {
        let waba = onboarding::complete_due_onboarding(&state, waba).await;
        let fields = edge_fields(&waba, &request.version, query.legacy_only);
        if query.filters.iter().all(|f| f.matches(&fields)) {
            rows.push((waba.id, fields));
        }
    }
    Ok(Json(page_body(
        &state,
        &request,
        "client_whatsapp_business_accounts",
        &query,
        &rows,
    )))
}

/// The token (401 for token errors), the business id (400 when not numeric, 403 for another
/// known business, 404 for an unknown one) and the token's scope on the partner (403).
async fn check_partner_caller(
    state: &SandboxState,
    request: &GraphRequest,
) -> Result<(), SimError> {
    let token = request
        .caller(state)
        .await
        .map_err(errors::as_unauthorized)?;
    let business_id = &request.id;
    if !is_numeric(business_id) {
        return Err(errors::business_id_not_numeric());
    }
    if business_id != SANDBOX_PARTNER_BUSINESS_ID {
        let known = load::<Business>(state, model::BUSINESS, business_id)
            .await?
            .is_some();
        return Err(if known {
            errors::client_wabas_forbidden()
        } else {
            errors::business_not_found()
        });
    }
    if !token.has_scope_on(model::WHATSAPP_MANAGEMENT, SANDBOX_PARTNER_BUSINESS_ID) {
        return Err(errors::client_wabas_forbidden());
    }
    Ok(())
}

/// One page of `rows` (every matching object of the `edge`, in id order) with its cursors and
/// links.
pub(super) fn page_body(
    state: &SandboxState,
    request: &GraphRequest,
    edge: &str,
    query: &PageQuery,
    rows: &[(String, Map<String, Value>)],
) -> Value {
    let limit = query.limit;
    let (start, end) = match (&query.after, &query.before) {
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
    let data: Vec<Value> = page
        .iter()
        .map(|(_, all)| pick(all, &query.wanted))
        .collect();
    let mut body = json!({ "data": data });
    let (Some((first, _)), Some((last, _))) = (page.first(), page.last()) else {
        return body;
    };
    let path = format!("/sandbox/graph/{}/{}/{edge}", request.version, request.id);
    let link = |cursor: (&str, String)| page_url(request, state, &path, limit, cursor);
    let mut paging = json!({
        "cursors": { "before": encode_cursor(first), "after": encode_cursor(last) }
    });
    if end < rows.len() {
        if let Some(url) = link(("after", encode_cursor(last))) {
            paging["next"] = json!(url);
        }
    }
    if start > 0 {
        if let Some(url) = link(("before", encode_cursor(first))) {
            paging["previous"] = json!(url);
        }
    }
    body["paging"] = paging;
    body
}

/// The URL of another page: the same request with `after` or `before` replaced. The access
/// token and `appsecret_proof` are left out (Meta's `next` links carry `access_token`; the
/// simulator keeps tokens out of URLs, and the caller authenticates the follow-up call).
fn page_url(
    request: &GraphRequest,
    state: &SandboxState,
    path: &str,
    limit: usize,
    cursor: (&str, String),
) -> Option<String> {
    let base = match request.headers.get("host").and_then(|h| h.to_str().ok()) {
        Some(host) => url::Url::parse(&format!("http://{host}/")).ok()?,
        None => state.webhook_url.clone()?,
    };
    let mut url = base.join(path).ok()?;
    let params: &Params = &request.params;
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
