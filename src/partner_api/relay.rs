//! `/api/v1/relay-destinations`: where the portal forwards Meta's webhooks (`crate::relay`),
//! made, listed, paused, resumed and removed by the partner's systems.

use app::api_keys::port::Scope;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Caller;
use super::input::StrictJson;
use super::page::parse_timestamp;
use super::page::{optional_timestamp, timestamp};
use super::problem::{ApiResult, Problem};
use super::ApiState;
use crate::db::{now_millis, RelayDestinationRow};
use crate::errors::internal;
use crate::relay::Fields;

pub fn router() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new()
        .routes(routes!(create_destination, list_destinations))
        .routes(routes!(get_destination, delete_destination))
        .routes(routes!(pause_destination))
        .routes(routes!(resume_destination))
        .routes(routes!(replay_destination))
}

/// A new relay destination.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDestination {
    /// Where deliveries are POSTed (http or https).
    pub url: String,
    /// Meta's webhook fields to forward (`["messages", "account_update"]`), or `["*"]`.
    pub fields: Vec<String>,
    /// `meta`: `X-Hub-Signature-256` with the app secret, over the exact bytes, so an existing
    /// Meta webhook handler works unchanged; `own`: Standard Webhooks headers with a secret of
    /// the destination's, returned once in `secret`.
    pub signing: String,
}

/// A relay destination and how it is doing.
#[derive(Debug, Serialize, ToSchema)]
pub struct Destination {
    pub id: i64,
    pub url: String,
    pub fields: Vec<String>,
    pub signing: String,
    /// `active` or `paused`.
    pub state: String,
    /// Why it is paused (by a caller, or after 72 hours of failures).
    pub paused_reason: Option<String>,
    /// Deliveries it accepted, and failed attempts.
    pub delivered: i64,
    pub failed_attempts: i64,
    /// Deliveries waiting for another attempt.
    pub waiting_retries: i64,
    pub last_error: Option<String>,
    pub last_success_at: Option<String>,
    /// Milliseconds from the portal storing a delivery to the destination accepting it, for
    /// the last round.
    pub lag_ms: Option<i64>,
    pub created_at: String,
    /// `own` signing only, in the answer to the request that made it: the Standard Webhooks
    /// secret (`whsec_…`). It is never shown again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DestinationList {
    pub data: Vec<Destination>,
    /// Always `null`: every destination fits one page.
    pub next_cursor: Option<String>,
}

fn destination(row: &RelayDestinationRow) -> Destination {
    Destination {
        id: row.id,
        url: row.url.clone(),
        fields: Fields::from_json(&row.fields).list(),
        signing: row.signing.clone(),
        state: row.state.clone(),
        paused_reason: row.paused_reason.clone(),
        delivered: row.delivered,
        failed_attempts: row.failed_attempts,
        waiting_retries: row.waiting_retries,
        last_error: row.last_error.clone(),
        last_success_at: optional_timestamp(row.last_success_at),
        lag_ms: row.last_lag_ms,
        created_at: timestamp(row.created_at),
        secret: None,
    }
}

#[utoipa::path(post, path = "/relay-destinations", tag = "relay",
    request_body = NewDestination,
    security(("api_key" = ["events:manage"])),
    responses(
        (status = 201, body = Destination, description = "Made; it gets every delivery stored from now on"),
        (status = 400, body = Problem, content_type = "application/problem+json",
         description = "A field is malformed, unknown, or the URL is refused; `detail` says why"),
    ))]
async fn create_destination(
    State(state): State<ApiState>,
    caller: Caller,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    StrictJson(body): StrictJson<NewDestination>,
) -> ApiResult<(StatusCode, Json<Destination>)> {
    caller.require(Scope::EventsManage)?;
    let (row, secret) = state
        .relay
        .create_destination(&body.url, &body.fields, &body.signing, &caller.actor())
        .await?;
    let mut made = destination(&row);
    made.secret = secret;
    super::audit(
        &state,
        &caller,
        peer.ip(),
        "relay.destination_created",
        ("relay_destination", &row.id.to_string()),
        serde_json::json!({ "url": row.url, "fields": made.fields, "signing": row.signing }),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(made)))
}

#[utoipa::path(get, path = "/relay-destinations", tag = "relay",
    security(("api_key" = ["events:manage"])),
    responses((status = 200, body = DestinationList, description = "Oldest first")))]
async fn list_destinations(
    State(state): State<ApiState>,
    caller: Caller,
) -> ApiResult<Json<DestinationList>> {
    caller.require(Scope::EventsManage)?;
    let rows = state.store.relay_destinations().await.map_err(internal)?;
    Ok(Json(DestinationList {
        data: rows.iter().map(destination).collect(),
        next_cursor: None,
    }))
}

async fn destination_or_404(state: &ApiState, id: i64) -> ApiResult<RelayDestinationRow> {
    state
        .store
        .relay_destination(id)
        .await
        .map_err(internal)?
        .ok_or_else(|| Problem::not_found(format!("There is no relay destination {id}.")))
}

#[utoipa::path(get, path = "/relay-destinations/{id}", tag = "relay",
    params(("id" = i64, Path, description = "The destination's id")),
    security(("api_key" = ["events:manage"])),
    responses(
        (status = 200, body = Destination),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
async fn get_destination(
    State(state): State<ApiState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Destination>> {
    caller.require(Scope::EventsManage)?;
    Ok(Json(destination(&destination_or_404(&state, id).await?)))
}

#[utoipa::path(delete, path = "/relay-destinations/{id}", tag = "relay",
    params(("id" = i64, Path, description = "The destination's id")),
    security(("api_key" = ["events:manage"])),
    responses(
        (status = 204, description = "Removed: nothing more is sent to it"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
async fn delete_destination(
    State(state): State<ApiState>,
    caller: Caller,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    caller.require(Scope::EventsManage)?;
    let deleted = state
        .store
        .delete_relay_destination(id, now_millis())
        .await
        .map_err(internal)?;
    if !deleted {
        return Err(Problem::not_found(format!(
            "There is no relay destination {id}."
        )));
    }
    super::audit(
        &state,
        &caller,
        peer.ip(),
        "relay.destination_deleted",
        ("relay_destination", &id.to_string()),
        serde_json::json!({}),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/relay-destinations/{id}/pause", tag = "relay",
    params(("id" = i64, Path, description = "The destination's id")),
    security(("api_key" = ["events:manage"])),
    responses(
        (status = 200, body = Destination, description = "Paused: deliveries wait for it"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
async fn pause_destination(
    State(state): State<ApiState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Destination>> {
    set_paused(
        &state,
        &caller,
        id,
        Some(&format!("paused by {}", caller.actor())),
    )
    .await
}

#[utoipa::path(post, path = "/relay-destinations/{id}/resume", tag = "relay",
    params(("id" = i64, Path, description = "The destination's id")),
    security(("api_key" = ["events:manage"])),
    responses(
        (status = 200, body = Destination, description = "Active again: what waited is sent, oldest first"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
async fn resume_destination(
    State(state): State<ApiState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Destination>> {
    set_paused(&state, &caller, id, None).await
}

async fn set_paused(
    state: &ApiState,
    caller: &Caller,
    id: i64,
    reason: Option<&str>,
) -> ApiResult<Json<Destination>> {
    caller.require(Scope::EventsManage)?;
    let found = state
        .store
        .set_relay_paused(id, reason)
        .await
        .map_err(internal)?;
    if !found {
        return Err(Problem::not_found(format!(
            "There is no relay destination {id}."
        )));
    }
    Ok(Json(destination(&destination_or_404(state, id).await?)))
}

/// From when to send again.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplaySince {
    /// RFC 3339: every delivery stored from then on.
    pub since: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Replayed {
    /// How many stored deliveries that covers (at most: only those the destination's fields
    /// match are sent).
    pub replayed: u64,
}

#[utoipa::path(post, path = "/relay-destinations/{id}/replay", tag = "relay",
    params(("id" = i64, Path, description = "The destination's id")),
    request_body = ReplaySince,
    security(("api_key" = ["events:manage"])),
    responses(
        (status = 202, body = Replayed, description = "Queued: sent again from the inbox, with their original `webhook-id`s"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
async fn replay_destination(
    State(state): State<ApiState>,
    caller: Caller,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    Path(id): Path<i64>,
    StrictJson(body): StrictJson<ReplaySince>,
) -> ApiResult<(StatusCode, Json<Replayed>)> {
    caller.require(Scope::EventsManage)?;
    let since = parse_timestamp("since", &body.since)?;
    destination_or_404(&state, id).await?;
    let replayed = state
        .store
        .replay_relay_since(id, since)
        .await
        .map_err(internal)?;
    super::audit(
        &state,
        &caller,
        peer.ip(),
        "relay.replayed",
        ("relay_destination", &id.to_string()),
        serde_json::json!({ "since": body.since, "replayed": replayed }),
    )
    .await?;
    Ok((StatusCode::ACCEPTED, Json(Replayed { replayed })))
}
