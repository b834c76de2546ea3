//! `/api/v1/signup-links`: the partner's systems make a signup link for one of their
//! customers (their own `customer_id`, a campaign, Meta's pre-fill, an expiry, single use or
//! not), list and revoke them; `GET /api/v1/signups/{id}` reads what a signup's status page
//! shows.

use app::api_keys::port::Scope;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Caller;
use super::input::{StrictJson, StrictQuery};
use super::page::{
    decode_cursor, encode_cursor, limit, optional_timestamp, parse_timestamp, timestamp,
};
use super::problem::{ApiResult, Problem};
use super::ApiState;
use crate::db::{now_millis, Signup, SignupLinkRow};
use crate::signup_links::prefill::Prefill;
use crate::signup_links::{Actor, LinkRequest};

pub fn router() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new()
        .routes(routes!(create_link, list_links))
        .routes(routes!(get_link, revoke_link))
        .routes(routes!(get_signup))
}

/// A new signup link.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSignupLink {
    /// Your own id for the customer (≤ 128 characters): the signups and the WABA connected
    /// through the link carry it.
    pub customer_id: Option<String>,
    /// At most 64 letters, digits, `-`, `_` or `.`.
    pub campaign: Option<String>,
    /// What Meta's Embedded Signup form opens filled in with: Meta's `extras.setup`.
    pub prefill: Option<Prefill>,
    /// RFC 3339; default 30 days from now, at most 365.
    pub expires_at: Option<String>,
    /// Only one signup through the link may connect an account (default `true`).
    #[serde(default = "yes")]
    pub single_use: bool,
}

fn yes() -> bool {
    true
}

/// A signup link.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignupLink {
    pub id: i64,
    /// The address to send the business.
    pub url: String,
    pub customer_id: Option<String>,
    pub campaign: Option<String>,
    pub prefill: Option<Prefill>,
    pub single_use: bool,
    /// `active`, `used` (single use, a signup connected), `expired`, `revoked`.
    pub state: String,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
    pub used_at: Option<String>,
    pub created_at: String,
    /// Signups started through the link, and those that connected a WABA.
    pub signups: i64,
    pub connected: i64,
    /// The newest signup started through the link: follow it at `GET /signups/{id}`.
    pub last_signup_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SignupLinkList {
    pub data: Vec<SignupLink>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SignupLinkQuery {
    /// Only this customer's links.
    pub customer_id: Option<String>,
    /// 1–100, default 50.
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

fn link(state: &ApiState, row: &SignupLinkRow) -> SignupLink {
    let now = now_millis();
    SignupLink {
        id: row.id,
        url: state.links.url(row),
        customer_id: row.customer_id.clone(),
        campaign: row.campaign.clone(),
        prefill: row
            .prefill
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok()),
        single_use: row.single_use,
        state: crate::signup_links::state(row, now).as_str().into(),
        expires_at: optional_timestamp(row.expires_at),
        revoked_at: optional_timestamp(row.revoked_at),
        used_at: optional_timestamp(row.used_at),
        created_at: timestamp(row.created_at),
        signups: row.signups,
        connected: row.connected,
        last_signup_id: row.last_signup_id,
    }
}

fn actor(caller: &Caller, peer: std::net::SocketAddr) -> Actor {
    Actor {
        name: caller.actor(),
        staff_id: None,
        ip: Some(peer.ip().to_string()),
    }
}

#[utoipa::path(post, path = "/signup-links", tag = "signups",
    request_body = NewSignupLink,
    security(("api_key" = ["signups:write"])),
    responses(
        (status = 201, body = SignupLink, description = "Made; send `url` to the business"),
        (status = 400, body = Problem, content_type = "application/problem+json",
         description = "A field is malformed or unknown; `detail` names it"),
    ))]
async fn create_link(
    State(state): State<ApiState>,
    caller: Caller,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    StrictJson(body): StrictJson<NewSignupLink>,
) -> ApiResult<(StatusCode, Json<SignupLink>)> {
    caller.require(Scope::SignupsWrite)?;
    let expires_at = body
        .expires_at
        .as_deref()
        .map(|t| parse_timestamp("expires_at", t))
        .transpose()?;
    let row = state
        .links
        .create(
            LinkRequest {
                customer_id: body.customer_id,
                campaign: body.campaign,
                prefill: body.prefill,
                expires_at,
                single_use: body.single_use,
            },
            &actor(&caller, peer),
            now_millis(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(link(&state, &row))))
}

#[utoipa::path(get, path = "/signup-links", tag = "signups",
    params(SignupLinkQuery),
    security(("api_key" = ["signups:read"])),
    responses((status = 200, body = SignupLinkList, description = "Newest first")))]
async fn list_links(
    State(state): State<ApiState>,
    caller: Caller,
    StrictQuery(query): StrictQuery<SignupLinkQuery>,
) -> ApiResult<Json<SignupLinkList>> {
    caller.require(Scope::SignupsRead)?;
    let page = limit(query.limit)?;
    let before = match query.cursor.as_deref() {
        Some(cursor) => Some(
            decode_cursor(cursor)?
                .parse::<i64>()
                .map_err(|_| Problem::invalid("`cursor` is not one this API handed out."))?,
        ),
        None => None,
    };
    let customer = query.customer_id.filter(|c| !c.is_empty());
    let mut rows = state
        .links
        .page(customer.as_deref(), before, page + 1)
        .await?;
    let next_cursor = if rows.len() as i64 > page {
        rows.truncate(page as usize);
        rows.last().map(|last| encode_cursor(&last.id.to_string()))
    } else {
        None
    };
    Ok(Json(SignupLinkList {
        data: rows.iter().map(|row| link(&state, row)).collect(),
        next_cursor,
    }))
}

fn no_link(id: i64) -> Problem {
    Problem::not_found(format!("There is no signup link {id}."))
}

async fn link_or_404(state: &ApiState, id: i64) -> ApiResult<SignupLinkRow> {
    state.links.get(id).await?.ok_or_else(|| no_link(id))
}

#[utoipa::path(get, path = "/signup-links/{id}", tag = "signups",
    params(("id" = i64, Path, description = "The link's id")),
    security(("api_key" = ["signups:read"])),
    responses(
        (status = 200, body = SignupLink),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
async fn get_link(
    State(state): State<ApiState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<SignupLink>> {
    caller.require(Scope::SignupsRead)?;
    let row = link_or_404(&state, id).await?;
    Ok(Json(link(&state, &row)))
}

#[utoipa::path(delete, path = "/signup-links/{id}", tag = "signups",
    params(("id" = i64, Path, description = "The link's id")),
    security(("api_key" = ["signups:write"])),
    responses(
        (status = 200, body = SignupLink, description = "Revoked (again: unchanged)"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
async fn revoke_link(
    State(state): State<ApiState>,
    caller: Caller,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    Path(id): Path<i64>,
) -> ApiResult<Json<SignupLink>> {
    caller.require(Scope::SignupsWrite)?;
    // The service reads the link before revoking it; its NotFound gets this API's words.
    let row = state
        .links
        .revoke(id, &actor(&caller, peer), now_millis())
        .await
        .map_err(|error| match error {
            app::error::AppError::NotFound => no_link(id),
            other => other.into(),
        })?;
    Ok(Json(link(&state, &row)))
}

/// One line of a signup's status checklist.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusItem {
    /// `connected`, `webhooks`, `number`, `terms`, `ready`.
    pub key: String,
    pub label: String,
    /// `done`, `working`, `waiting`, `action_needed`, `failed`, `pending`.
    pub state: String,
    pub detail: String,
}

/// A signup, as its status page shows it to the business.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignupStatus {
    pub id: i64,
    /// `started`, `cancelled`, `errored`, `finished`, `exchanging`, `exchanged`, `failed`.
    pub stage: String,
    pub link_id: Option<i64>,
    pub customer_id: Option<String>,
    pub campaign: Option<String>,
    /// Meta's WABA id, once connected.
    pub waba_id: Option<String>,
    pub headline: String,
    pub ready: bool,
    pub items: Vec<StatusItem>,
    pub created_at: String,
    pub updated_at: String,
}

#[utoipa::path(get, path = "/signups/{id}", tag = "signups",
    params(("id" = i64, Path, description = "The signup's id")),
    security(("api_key" = ["signups:read"])),
    responses(
        (status = 200, body = SignupStatus),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
async fn get_signup(
    State(state): State<ApiState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<SignupStatus>> {
    caller.require(Scope::SignupsRead)?;
    let signup: Signup = state
        .signups
        .store()
        .signup_by_id(id)
        .await
        .map_err(crate::errors::internal)?
        .ok_or_else(|| Problem::not_found(format!("There is no signup {id}.")))?;
    let view = state
        .signups
        .status_view(&signup, app::i18n::Lang::En)
        .await?;
    Ok(Json(SignupStatus {
        id: signup.id,
        stage: signup.stage.clone(),
        link_id: signup.link_id,
        customer_id: signup.customer_id.clone(),
        campaign: signup.campaign.clone(),
        waba_id: signup
            .meta_waba_id
            .clone()
            .filter(|_| signup.waba_id.is_some()),
        headline: view.headline,
        ready: view.ready,
        items: view
            .items
            .into_iter()
            .map(|i| StatusItem {
                key: i.key,
                label: i.label,
                state: i.state.as_str().into(),
                detail: i.detail,
            })
            .collect(),
        created_at: timestamp(signup.created_at),
        updated_at: timestamp(signup.updated_at),
    }))
}
