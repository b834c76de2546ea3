//! `/api/v1/event-endpoints` and `/api/v1/events`: where the portal's events go
//! (`crate::events`), their delivery log and replay, and the events themselves for a partner
//! that reconciles by reading.

use app::api_keys::port::Scope;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Caller;
use super::input::StrictJson;
use super::page::{
    decode_cursor, encode_cursor, limit, optional_timestamp, parse_timestamp, timestamp,
};
use super::problem::{ApiResult, Problem};
use super::ApiState;
use crate::db::{now_millis, EventEndpointRow, EventRow};
use crate::errors::internal;
use crate::relay::dispatcher::settled_len;

pub fn router() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new()
        .routes(routes!(create_endpoint, list_endpoints))
        .routes(routes!(get_endpoint, delete_endpoint))
        .routes(routes!(pause_endpoint))
        .routes(routes!(resume_endpoint))
        .routes(routes!(rotate_secret))
        .routes(routes!(list_deliveries))
        .routes(routes!(replay))
        .routes(routes!(list_events))
}

/// A new event endpoint.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEndpoint {
    /// Where events are POSTed (http or https).
    pub url: String,
    /// Event types (`waba.ready`), groups (`waba.*`), or `["*"]`.
    pub events: Vec<String>,
}

/// An event endpoint and how it is doing.
#[derive(Debug, Serialize, ToSchema)]
pub struct Endpoint {
    pub id: i64,
    pub url: String,
    pub events: Vec<String>,
    /// `active` or `paused`.
    pub state: String,
    pub paused_reason: Option<String>,
    pub delivered: i64,
    pub failed_attempts: i64,
    /// Events waiting for another attempt.
    pub waiting_retries: i64,
    pub last_error: Option<String>,
    pub last_success_at: Option<String>,
    /// Milliseconds from the change to the endpoint accepting its event, for the last round.
    pub lag_ms: Option<i64>,
    /// After a rotation, the previous secret signs too until then.
    pub previous_secret_expires_at: Option<String>,
    pub created_at: String,
    /// In the answer to the request that made it (or rotated it) only: the Standard Webhooks
    /// secret (`whsec_…`). It is never shown again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointList {
    pub data: Vec<Endpoint>,
    /// Always `null`: every endpoint fits one page.
    pub next_cursor: Option<String>,
}

fn endpoint(row: &EventEndpointRow) -> Endpoint {
    Endpoint {
        id: row.id,
        url: row.url.clone(),
        events: serde_json::from_str(&row.events).unwrap_or_default(),
        state: row.state.clone(),
        paused_reason: row.paused_reason.clone(),
        delivered: row.delivered,
        failed_attempts: row.failed_attempts,
        waiting_retries: row.waiting_retries,
        last_error: row.last_error.clone(),
        last_success_at: optional_timestamp(row.last_success_at),
        lag_ms: row.last_lag_ms,
        previous_secret_expires_at: optional_timestamp(
            row.previous_secret_until
                .filter(|until| *until > now_millis()),
        ),
        created_at: timestamp(row.created_at),
        secret: None,
    }
}

#[utoipa::path(post, path = "/event-endpoints", tag = "events",
    request_body = NewEndpoint,
    security(("api_key" = ["events:manage"])),
    responses(
        (status = 201, body = Endpoint, description = "Made, with its `secret` (shown once); it gets every event from now on"),
        (status = 400, body = Problem, content_type = "application/problem+json",
         description = "A field is malformed, unknown, or the URL is refused; `detail` says why"),
    ))]
async fn create_endpoint(
    State(state): State<ApiState>,
    caller: Caller,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    StrictJson(body): StrictJson<NewEndpoint>,
) -> ApiResult<(StatusCode, Json<Endpoint>)> {
    caller.require(Scope::EventsManage)?;
    let (row, secret) = state
        .relay
        .create_endpoint(&body.url, &body.events, &caller.actor())
        .await?;
    let mut made = endpoint(&row);
    made.secret = Some(secret);
    super::audit(
        &state,
        &caller,
        peer.ip(),
        "events.endpoint_created",
        ("event_endpoint", &row.id.to_string()),
        serde_json::json!({ "url": row.url, "events": made.events }),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(made)))
}

#[utoipa::path(get, path = "/event-endpoints", tag = "events",
    security(("api_key" = ["events:manage"])),
    responses((status = 200, body = EndpointList, description = "Oldest first")))]
async fn list_endpoints(
    State(state): State<ApiState>,
    caller: Caller,
) -> ApiResult<Json<EndpointList>> {
    caller.require(Scope::EventsManage)?;
    let rows = state.store.event_endpoints().await.map_err(internal)?;
    Ok(Json(EndpointList {
        data: rows.iter().map(endpoint).collect(),
        next_cursor: None,
    }))
}

async fn endpoint_or_404(state: &ApiState, id: i64) -> ApiResult<EventEndpointRow> {
    state
        .store
        .event_endpoint(id)
        .await
        .map_err(internal)?
        .ok_or_else(|| Problem::not_found(format!("There is no event endpoint {id}.")))
}

#[utoipa::path(get, path = "/event-endpoints/{id}", tag = "events",
    params(("id" = i64, Path, description = "The endpoint's id")),
    security(("api_key" = ["events:manage"])),
    responses(
        (status = 200, body = Endpoint),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
async fn get_endpoint(
    State(state): State<ApiState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Endpoint>> {
    caller.require(Scope::EventsManage)?;
    Ok(Json(endpoint(&endpoint_or_404(&state, id).await?)))
}

#[utoipa::path(delete, path = "/event-endpoints/{id}", tag = "events",
    params(("id" = i64, Path, description = "The endpoint's id")),
    security(("api_key" = ["events:manage"])),
    responses(
        (status = 204, description = "Removed: nothing more is sent to it"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
async fn delete_endpoint(
    State(state): State<ApiState>,
    caller: Caller,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    caller.require(Scope::EventsManage)?;
    let deleted = state
        .store
        .delete_event_endpoint(id, now_millis())
        .await
        .map_err(internal)?;
    if !deleted {
        return Err(Problem::not_found(format!(
            "There is no event endpoint {id}."
        )));
    }
    super::audit(
        &state,
        &caller,
        peer.ip(),
        "events.endpoint_deleted",
        ("event_endpoint", &id.to_string()),
        serde_json::json!({}),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/event-endpoints/{id}/pause", tag = "events",
    params(("id" = i64, Path, description = "The endpoint's id")),
    security(("api_key" = ["events:manage"])),
    responses(
        (status = 200, body = Endpoint, description = "Paused: events wait for it"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
async fn pause_endpoint(
    State(state): State<ApiState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Endpoint>> {
    let reason = format!("paused by {}", caller.actor());
    set_paused(&state, &caller, id, Some(&reason)).await
}

#[utoipa::path(post, path = "/event-endpoints/{id}/resume", tag = "events",
    params(("id" = i64, Path, description = "The endpoint's id")),
    security(("api_key" = ["events:manage"])),
    responses(
        (status = 200, body = Endpoint, description = "Active again: what waited is sent, oldest first"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
async fn resume_endpoint(
    State(state): State<ApiState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Endpoint>> {
    set_paused(&state, &caller, id, None).await
}

async fn set_paused(
    state: &ApiState,
    caller: &Caller,
    id: i64,
    reason: Option<&str>,
) -> ApiResult<Json<Endpoint>> {
    caller.require(Scope::EventsManage)?;
    let store = &state.store;
    if !store
        .set_event_endpoint_paused(id, reason)
        .await
        .map_err(internal)?
    {
        return Err(Problem::not_found(format!(
            "There is no event endpoint {id}."
        )));
    }
    Ok(Json(endpoint(&endpoint_or_404(state, id).await?)))
}

#[utoipa::path(post, path = "/event-endpoints/{id}/rotate-secret", tag = "events",
    params(("id" = i64, Path, description = "The endpoint's id")),
    security(("api_key" = ["events:manage"])),
    responses(
        (status = 200, body = Endpoint, description = "A new `secret` (shown once). For 24 hours (`previous_secret_expires_at`) requests carry a signature with each secret, so receivers can switch without losing an event"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
async fn rotate_secret(
    State(state): State<ApiState>,
    caller: Caller,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    Path(id): Path<i64>,
) -> ApiResult<Json<Endpoint>> {
    caller.require(Scope::EventsManage)?;
    endpoint_or_404(&state, id).await?;
    let (row, secret) = state.relay.rotate_endpoint_secret(id).await?;
    let mut rotated = endpoint(&row);
    super::audit(
        &state,
        &caller,
        peer.ip(),
        "events.secret_rotated",
        ("event_endpoint", &id.to_string()),
        serde_json::json!({ "previous_secret_expires_at": rotated.previous_secret_expires_at }),
    )
    .await?;
    rotated.secret = Some(secret);
    Ok(Json(rotated))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// 1–100, default 50.
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// One attempt to deliver an event.
#[derive(Debug, Serialize, ToSchema)]
pub struct Delivery {
    /// The event's `evt_…` id (its `webhook-id`).
    pub event_id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    pub attempted_at: String,
    /// The endpoint answered 2xx.
    pub ok: bool,
    /// Why it failed: the status it answered, a timeout, a refused connection.
    pub error: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryList {
    pub data: Vec<Delivery>,
    pub next_cursor: Option<String>,
}

fn cursor_id(cursor: Option<&str>) -> ApiResult<Option<i64>> {
    cursor
        .map(|c| {
            decode_cursor(c)?.parse::<i64>().map_err(|_| {
                Problem::invalid(
                    "`cursor` is not one this API handed out: pass `next_cursor` as it came.",
                )
            })
        })
        .transpose()
}

#[utoipa::path(get, path = "/event-endpoints/{id}/deliveries", tag = "events",
    params(("id" = i64, Path, description = "The endpoint's id"), PageQuery),
    security(("api_key" = ["events:manage"])),
    responses(
        (status = 200, body = DeliveryList, description = "Every attempt, newest first"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
async fn list_deliveries(
    State(state): State<ApiState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(page): Query<PageQuery>,
) -> ApiResult<Json<DeliveryList>> {
    caller.require(Scope::EventsManage)?;
    let limit = limit(page.limit)?;
    let before = cursor_id(page.cursor.as_deref())?;
    endpoint_or_404(&state, id).await?;
    let rows = state
        .store
        .event_deliveries(id, before, limit + 1)
        .await
        .map_err(internal)?;
    let next_cursor = (rows.len() as i64 > limit)
        .then(|| encode_cursor(&rows[limit as usize - 1].id.to_string()));
    Ok(Json(DeliveryList {
        data: rows
            .into_iter()
            .take(limit as usize)
            .map(|row| Delivery {
                event_id: row.public_id,
                event_type: row.event_type,
                attempted_at: timestamp(row.attempted_at),
                ok: row.error.is_none(),
                error: row.error,
            })
            .collect(),
        next_cursor,
    }))
}

/// What to send again: chosen events, or everything from a point in time.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplayRequest {
    /// `evt_…` ids (at most 100).
    pub event_ids: Option<Vec<String>>,
    /// RFC 3339: every event from then on.
    pub since: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReplayAnswer {
    /// How many events will be sent again.
    pub replayed: u64,
}

#[utoipa::path(post, path = "/event-endpoints/{id}/replay", tag = "events",
    params(("id" = i64, Path, description = "The endpoint's id")),
    request_body = ReplayRequest,
    security(("api_key" = ["events:manage"])),
    responses(
        (status = 202, body = ReplayAnswer, description = "Queued: they are sent again with their original ids (deduplicate on `webhook-id`)"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
async fn replay(
    State(state): State<ApiState>,
    caller: Caller,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    Path(id): Path<i64>,
    StrictJson(body): StrictJson<ReplayRequest>,
) -> ApiResult<(StatusCode, Json<ReplayAnswer>)> {
    caller.require(Scope::EventsManage)?;
    endpoint_or_404(&state, id).await?;
    let replayed = match (&body.event_ids, &body.since) {
        (Some(ids), None) if !ids.is_empty() && ids.len() <= 100 => state
            .store
            .replay_events(id, ids, now_millis())
            .await
            .map_err(internal)?,
        (None, Some(since)) => {
            let since = parse_timestamp("since", since)?;
            state
                .store
                .replay_events_since(id, since)
                .await
                .map_err(internal)?
        }
        _ => {
            return Err(Problem::invalid(
                "Give either `event_ids` (1 to 100 `evt_…` ids) or `since` (an RFC 3339 time).",
            ))
        }
    };
    super::audit(
        &state,
        &caller,
        peer.ip(),
        "events.replayed",
        ("event_endpoint", &id.to_string()),
        serde_json::json!({ "replayed": replayed, "since": body.since }),
    )
    .await?;
    Ok((StatusCode::ACCEPTED, Json(ReplayAnswer { replayed })))
}

/// An event as it was sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct Event {
    /// `evt_…`: the `webhook-id` it is delivered with.
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    pub timestamp: String,
    /// As in the delivered body (with `sequence` for a WABA's events).
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventList {
    pub data: Vec<Event>,
    /// Pass it as `cursor` for the next events; it is also handed out on the last page, so a
    /// client polls with it for what happens next.
    pub next_cursor: Option<String>,
}

fn event(row: &EventRow) -> Event {
    let body: serde_json::Value =
        serde_json::from_slice(&crate::events::body(row)).unwrap_or_default();
    Event {
        id: row.public_id.clone(),
        event_type: row.event_type.clone(),
        timestamp: timestamp(row.occurred_at),
        data: body.get("data").cloned().unwrap_or_default(),
    }
}

#[utoipa::path(get, path = "/events", tag = "events",
    params(PageQuery),
    security(("api_key" = ["events:manage"])),
    responses((status = 200, body = EventList, description = "Oldest first, after `cursor`")))]
async fn list_events(
    State(state): State<ApiState>,
    caller: Caller,
    Query(page): Query<PageQuery>,
) -> ApiResult<Json<EventList>> {
    caller.require(Scope::EventsManage)?;
    let limit = limit(page.limit)?;
    let after = cursor_id(page.cursor.as_deref())?.unwrap_or(0);
    let mut rows = state
        .store
        .event_batch(after, limit)
        .await
        .map_err(internal)?;
    // An id not visible yet may be a transaction still committing: stop before it, as the
    // dispatcher does, so a poller never skips an event.
    let settled = settled_len(
        after,
        rows.iter().map(|r| (r.id, r.occurred_at)),
        now_millis(),
    );
    rows.truncate(settled);
    let last = rows.last().map_or(after, |row| row.id);
    Ok(Json(EventList {
        data: rows.iter().map(event).collect(),
        next_cursor: Some(encode_cursor(&last.to_string())),
    }))
}
