//! `GET /api/v1/wabas`, `GET /api/v1/wabas/{waba_id}` and its timeline: every customer WABA
//! as the partner's systems need it, addressed by Meta's WABA id.

use app::api_keys::port::Scope;
use app::wabas::connection::{connection_of, CONNECTIONS};
use app::wabas::port::{WabaCursor, WabaSort};
use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Caller;
use super::input::StrictQuery;
use super::page::{
    decode_cursor, encode_cursor, limit, optional_timestamp, parse_timestamp, timestamp,
};
use super::problem::{ApiResult, Problem};
use super::ApiState;
use crate::db::{Waba, WabaRow, WabaSearch};
use crate::errors::internal;

pub fn router() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new()
        .routes(routes!(list_wabas))
        .routes(routes!(get_waba))
        .routes(routes!(waba_timeline))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BusinessRef {
    /// Meta's business portfolio id.
    pub business_id: String,
    pub name: String,
}

/// One WABA in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct WabaSummary {
    /// Meta's WhatsApp Business Account id.
    pub waba_id: String,
    pub name: String,
    pub business: BusinessRef,
    /// Meta's MM API onboarding status: `ONBOARDED`, `ELIGIBLE`, `PENDING_…`, `INELIGIBLE`…
    pub onboarding_status: Option<String>,
    pub coexistence: bool,
    /// The WABA's connection to you, from Meta's account_update webhooks: `connected`,
    /// `offboarded` (a device change; Meta reconnects it), `removed` (unshared from you),
    /// `uninstalled` (your app's access revoked) or `deleted`. Only `connected` WABAs have
    /// their business token used.
    pub connection: String,
    /// ISO 3166 alpha-2.
    pub country: Option<String>,
    /// From Meta's account_update webhooks: `active`, `restricted`, …
    pub account_health: Option<String>,
    pub terms_signed: bool,
    /// A pipeline step stopped and needs someone.
    pub needs_attention: bool,
    /// The first phone number, as Meta displays it.
    pub phone: Option<String>,
    pub updated_at: String,
    /// Your customer id, from the signup link the WABA connected through.
    pub customer_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WabaList {
    pub data: Vec<WabaSummary>,
    /// Pass as `cursor` for the next page; `null` on the last one.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WabaListQuery {
    /// Meta's onboarding status, e.g. `ONBOARDED`.
    status: Option<String>,
    /// ISO 3166 alpha-2, e.g. `BR`.
    country: Option<String>,
    /// Your customer id, as given to the signup link the WABA connected through.
    customer_id: Option<String>,
    /// `true` or `false`.
    #[param(value_type = Option<bool>)]
    coexistence: Option<String>,
    /// `connected`, `offboarded`, `removed`, `uninstalled` or `deleted`.
    connection: Option<String>,
    /// `true`: only WABAs whose onboarding stopped on a failed step.
    #[param(value_type = Option<bool>)]
    needs_attention: Option<String>,
    /// RFC 3339: only WABAs changed at or after this moment (use with `sort=updated`).
    updated_since: Option<String>,
    /// `newest` (default), `oldest`, `updated` (most recently changed first), `name`.
    sort: Option<String>,
    /// 1–100, default 50.
    limit: Option<u32>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

fn summary(row: WabaRow) -> WabaSummary {
    WabaSummary {
        waba_id: row.meta_waba_id,
        name: row.name,
        business: BusinessRef {
            business_id: row.meta_business_id,
            name: row.business_name,
        },
        onboarding_status: row.onboarding_status,
        coexistence: row.coexistence,
        connection: connection_of(row.connection_state.as_deref()).to_string(),
        country: row.country,
        account_health: row.account_health,
        terms_signed: row.mm_terms_signed_at.is_some(),
        needs_attention: row.failed_steps > 0,
        phone: row.phone,
        updated_at: timestamp(row.updated_at),
        customer_id: row.customer_id,
    }
}

/// A `true`/`false` query parameter, or a 400 naming it (the query parser's own message
/// does not say which parameter was wrong).
fn flag(name: &str, value: Option<&str>) -> Result<Option<bool>, Problem> {
    match value {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(_) => Err(Problem::invalid(format!("`{name}` must be true or false."))),
    }
}

fn search(query: WabaListQuery) -> Result<WabaSearch, Problem> {
    let sort = match query.sort.as_deref() {
        None => WabaSort::Newest,
        Some(text) => WabaSort::parse(text)
            .ok_or_else(|| Problem::invalid("`sort` must be newest, oldest, updated or name."))?,
    };
    let country = super::page::country("country", query.country)?;
    let after = match query.cursor.as_deref() {
        None => None,
        Some(cursor) => Some(
            WabaCursor::decode(&decode_cursor(cursor)?, sort)
                .ok_or_else(|| Problem::invalid("`cursor` belongs to another `sort` order."))?,
        ),
    };
    let connection = match query.connection.as_deref() {
        None | Some("") => None,
        Some(word) if CONNECTIONS.contains(&word) => Some(word.to_string()),
        Some(_) => {
            return Err(Problem::invalid(format!(
                "`connection` must be one of {}.",
                CONNECTIONS.join(", ")
            )))
        }
    };
    Ok(WabaSearch {
        status: query.status.filter(|s| !s.is_empty()),
        connection,
        country,
        customer_id: query.customer_id.filter(|c| !c.is_empty()),
        coexistence: flag("coexistence", query.coexistence.as_deref())?,
        needs_attention: flag("needs_attention", query.needs_attention.as_deref())?
            .unwrap_or(false),
        updated_since: query
            .updated_since
            .map(|t| parse_timestamp("updated_since", &t))
            .transpose()?,
        sort,
        after,
        // One more than asked tells whether there is a next page.
        limit: limit(query.limit)? + 1,
        ..Default::default()
    })
}

/// Every customer WABA, filtered, a page at a time.
#[utoipa::path(get, path = "/wabas", tag = "wabas",
    params(WabaListQuery),
    security(("api_key" = ["wabas:read"])),
    responses(
        (status = 200, body = WabaList),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 429, body = Problem, content_type = "application/problem+json"),
    ))]
async fn list_wabas(
    State(state): State<ApiState>,
    caller: Caller,
    StrictQuery(query): StrictQuery<WabaListQuery>,
) -> ApiResult<Json<WabaList>> {
    caller.require(Scope::WabasRead)?;
    let search = search(query)?;
    let page = search.limit - 1;
    let mut rows = state.store.partner_page(&search).await.map_err(internal)?;
    let next_cursor = if rows.len() as i64 > page {
        rows.truncate(page as usize);
        rows.last().map(|last| {
            encode_cursor(
                &WabaCursor::after(search.sort, last.id, last.updated_at, &last.name).encode(),
            )
        })
    } else {
        None
    };
    Ok(Json(WabaList {
        data: rows.into_iter().map(summary).collect(),
        next_cursor,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PhoneNumber {
    /// Meta's phone number id.
    pub phone_number_id: String,
    pub display_phone_number: String,
    pub verified_name: Option<String>,
    /// Registered for Cloud API by the portal's pipeline.
    pub registered: bool,
    /// Also used in the WhatsApp Business app (coexistence).
    pub coexistence: bool,
    pub quality_rating: Option<String>,
}

/// One step of the onboarding pipeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct PipelineStep {
    /// `subscribe_webhooks`, `fetch_account`, `register_phone`, `sync_app_data` (coexistence
    /// numbers: the Business app's contacts and history), `check_eligibility`, `await_terms`.
    pub step: String,
    /// `running`, `retrying`, `done`, `skipped`, `waiting`, `failed`.
    pub state: String,
    pub attempts: i64,
    /// What happened, with Meta's error message when Meta refused.
    pub detail: Option<String>,
    /// Meta's error code when Meta refused.
    pub meta_error_code: Option<i64>,
    pub updated_at: String,
}

/// One WABA, whole.
#[derive(Debug, Serialize, ToSchema)]
pub struct WabaDetail {
    pub waba_id: String,
    pub name: String,
    pub business: BusinessRef,
    pub currency: Option<String>,
    pub country: Option<String>,
    pub onboarding_status: Option<String>,
    pub status_changed_at: Option<String>,
    /// The WABA's connection to you, from Meta's account_update webhooks: `connected`,
    /// `offboarded` (a device change; Meta reconnects it), `removed` (unshared from you),
    /// `uninstalled` (your app's access revoked) or `deleted`. Only `connected` WABAs have
    /// their business token used.
    pub connection: String,
    pub account_health: Option<String>,
    pub coexistence: bool,
    pub phones: Vec<PhoneNumber>,
    pub steps: Vec<PipelineStep>,
    /// When Meta said the business accepted the MM API terms.
    pub terms_signed_at: Option<String>,
    /// The portal holds a business token for this WABA.
    pub token_held: bool,
    /// Terms signed, a registered number, a token held, connected and no restriction:
    /// messages can go (the same rule as the `waba.ready` event).
    pub ready: bool,
    /// Your customer id, and the signup link, the WABA connected through.
    pub customer_id: Option<String>,
    pub signup_link_id: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

/// The WABA with Meta id `waba_id`, or a 404 saying so.
pub(crate) async fn waba_or_404(state: &ApiState, waba_id: &str) -> Result<Waba, Problem> {
    state
        .store
        .waba_by_meta_id(waba_id)
        .await
        .map_err(internal)?
        .ok_or_else(|| Problem::not_found(format!("No WABA with id {waba_id} is known here.")))
}

/// One WABA: its business, phones, pipeline steps with Meta's errors, terms and readiness.
#[utoipa::path(get, path = "/wabas/{waba_id}", tag = "wabas",
    params(("waba_id" = String, Path, description = "Meta's WABA id")),
    security(("api_key" = ["wabas:read"])),
    responses(
        (status = 200, body = WabaDetail),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
async fn get_waba(
    State(state): State<ApiState>,
    caller: Caller,
    Path(waba_id): Path<String>,
) -> ApiResult<Json<WabaDetail>> {
    caller.require(Scope::WabasRead)?;
    let waba = waba_or_404(&state, &waba_id).await?;
    let store = &state.store;
    let business = store
        .business_by_id(waba.business_id)
        .await
        .map_err(internal)?;
    let phones = store.phones_for_waba(waba.id).await.map_err(internal)?;
    let steps = store.steps_for_waba(waba.id).await.map_err(internal)?;
    let customer = store.waba_customer(waba.id).await.map_err(internal)?;
    let token_held = store
        .get_secret(&crate::signup::token_slot(&waba.meta_waba_id))
        .await
        .map_err(internal)?
        .is_some();
    let restricted = waba
        .account_health
        .as_deref()
        .is_some_and(|h| h != "active");
    let connected = app::wabas::connection::token_usable(waba.connection_state.as_deref()).is_ok();
    let ready = waba.mm_terms_signed_at.is_some()
        && phones.iter().any(|p| p.registered)
        && token_held
        && connected
        && !restricted;
    Ok(Json(WabaDetail {
        business: BusinessRef {
            business_id: business
                .as_ref()
                .map(|b| b.meta_business_id.clone())
                .unwrap_or_default(),
            name: business.map(|b| b.name).unwrap_or_default(),
        },
        currency: waba.currency,
        country: waba.country,
        onboarding_status: waba.onboarding_status,
        status_changed_at: optional_timestamp(waba.status_changed_at),
        connection: connection_of(waba.connection_state.as_deref()).to_string(),
        account_health: waba.account_health,
        coexistence: waba.coexistence,
        phones: phones
            .into_iter()
            .map(|p| PhoneNumber {
                phone_number_id: p.meta_phone_id,
                display_phone_number: p.display_phone_number,
                verified_name: p.verified_name,
                registered: p.registered,
                coexistence: p.coexistence,
                quality_rating: p.quality_rating,
            })
            .collect(),
        steps: steps
            .into_iter()
            .map(|s| PipelineStep {
                step: s.step,
                state: s.state,
                attempts: s.attempts,
                detail: s.detail,
                meta_error_code: s.error_code,
                updated_at: timestamp(s.updated_at),
            })
            .collect(),
        terms_signed_at: optional_timestamp(waba.mm_terms_signed_at),
        token_held,
        ready,
        customer_id: customer.as_ref().and_then(|c| c.customer_id.clone()),
        signup_link_id: customer.and_then(|c| c.signup_link_id),
        created_at: timestamp(waba.created_at),
        updated_at: timestamp(waba.updated_at),
        waba_id: waba.meta_waba_id,
        name: waba.name,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineEntry {
    /// e.g. `signup.exchanged`, `webhook.account_update`, `intent.sent`.
    pub kind: String,
    pub summary: String,
    /// `system`, `meta`, a staff email or an API key.
    pub actor: String,
    pub occurred_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Timeline {
    pub data: Vec<TimelineEntry>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 1–100, default 50.
    limit: Option<u32>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
}

/// What happened to one WABA, newest first.
#[utoipa::path(get, path = "/wabas/{waba_id}/timeline", tag = "wabas",
    params(("waba_id" = String, Path, description = "Meta's WABA id"), PageQuery),
    security(("api_key" = ["wabas:read"])),
    responses(
        (status = 200, body = Timeline),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
async fn waba_timeline(
    State(state): State<ApiState>,
    caller: Caller,
    Path(waba_id): Path<String>,
    StrictQuery(query): StrictQuery<PageQuery>,
) -> ApiResult<Json<Timeline>> {
    caller.require(Scope::WabasRead)?;
    let limit = limit(query.limit)?;
    let before = match query.cursor.as_deref() {
        None => None,
        Some(cursor) => Some(
            decode_cursor(cursor)?
                .strip_prefix('t')
                .and_then(|id| id.parse::<i64>().ok())
                .ok_or_else(|| Problem::invalid("`cursor` is not a timeline cursor."))?,
        ),
    };
    let waba = waba_or_404(&state, &waba_id).await?;
    let mut events = state
        .store
        .timeline_page(waba.id, before, limit + 1)
        .await
        .map_err(internal)?;
    let next_cursor = if events.len() as i64 > limit {
        events.truncate(limit as usize);
        events.last().map(|e| encode_cursor(&format!("t{}", e.id)))
    } else {
        None
    };
    Ok(Json(Timeline {
        data: events
            .into_iter()
            .map(|e| TimelineEntry {
                kind: e.kind,
                summary: e.summary,
                actor: e.actor,
                occurred_at: timestamp(e.occurred_at),
            })
            .collect(),
        next_cursor,
    }))
}
