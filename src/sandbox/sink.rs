//! The sandbox's sink: a receiver for relay destinations and event endpoints, built in, so the
//! relay and the events can be tried and tested offline (`POST /sandbox/sink/{name}` is the
//! URL to give them). It records what it gets, checks signatures — Meta's
//! `X-Hub-Signature-256` with the sandbox app secret, Standard Webhooks with the secret the
//! tester gave it — and misbehaves on request: fail the next N requests with a status, answer
//! slowly.
//!
//! The tester's side (`/sandbox/api/sinks/{name}`): `POST` sets it up (`{"secret": "whsec_…",
//! "fail": 2, "status": 500, "delay_ms": 0}`, every field optional), `GET` reads what it got
//! (newest first), `DELETE` forgets it. Kept in memory, the last 1,000 requests per sink: a
//! sandbox tool, not a store.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::{Deserialize, Serialize};

use super::core::SandboxState;
use crate::db::now_millis;
use crate::relay::standard_webhooks;

const KEPT: usize = 1_000;
const MAX_DELAY_MS: u64 = 30_000;

#[derive(Default)]
pub struct Sinks {
    sinks: Mutex<HashMap<String, Sink>>,
}

#[derive(Default)]
struct Sink {
    config: SinkConfig,
    received: VecDeque<Record>,
    total: u64,
}

/// How a sink behaves; every field optional.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SinkConfig {
    /// The Standard Webhooks secret (`whsec_…`) to check `webhook-signature` with.
    #[serde(default, skip_serializing)]
    pub secret: Option<String>,
    /// Answer the next this many requests with `status`.
    #[serde(default)]
    pub fail: u32,
    /// The failing status (default 500).
    #[serde(default)]
    pub status: Option<u16>,
    /// Wait this long before every answer (at most 30 s).
    #[serde(default)]
    pub delay_ms: u64,
}

/// One request the sink got.
#[derive(Debug, Clone, Serialize)]
pub struct Record {
    pub received_at: i64,
    /// What it answered.
    pub status: u16,
    /// `valid`, `invalid`, `unsigned`, or `unchecked` (Standard Webhooks headers but no secret
    /// set up).
    pub signature: &'static str,
    pub webhook_id: Option<String>,
    pub body: String,
}

#[derive(Serialize)]
struct SinkView {
    name: String,
    received: u64,
    config: SinkConfig,
    requests: Vec<Record>,
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn bad_name() -> (StatusCode, Json<serde_json::Value>) {
    (
        StatusCode::BAD_REQUEST,
        Json(serde_json::json!({"error": "a sink's name is 1 to 64 letters, digits, - or _"})),
    )
}

/// Checks whichever signature the request carries.
fn signature(
    state: &SandboxState,
    secret: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> &'static str {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(meta) = headers.get(crate::webhooks::signature::HEADER) {
        return match crate::webhooks::signature::verify(
            &state.app_secret,
            Some(meta.as_bytes()),
            body,
        ) {
            Ok(()) => "valid",
            Err(_) => "invalid",
        };
    }
    let (Some(id), Some(timestamp), Some(given)) = (
        header(standard_webhooks::ID),
        header(standard_webhooks::TIMESTAMP),
        header(standard_webhooks::SIGNATURE),
    ) else {
        return "unsigned";
    };
    let Some(key) = secret.and_then(standard_webhooks::key) else {
        return "unchecked";
    };
    match timestamp.parse::<i64>() {
        Ok(seconds)
            if (now_millis() / 1000 - seconds).abs() <= 300
                && standard_webhooks::verify(&key, id, seconds, body, given) =>
        {
            "valid"
        }
        _ => "invalid",
    }
}

/// `POST /sandbox/sink/{name}`: records the request and answers as the sink is set up.
pub async fn receive(
    State(state): State<SandboxState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    if !valid_name(&name) {
        return StatusCode::BAD_REQUEST;
    }
    let (status, delay) = {
        let mut sinks = state.sinks.sinks.lock().expect("sink lock");
        let sink = sinks.entry(name).or_default();
        let status = if sink.config.fail > 0 {
            sink.config.fail -= 1;
            StatusCode::from_u16(sink.config.status.unwrap_or(500))
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
        } else {
            StatusCode::OK
        };
        let record = Record {
            received_at: now_millis(),
            status: status.as_u16(),
            signature: signature(&state, sink.config.secret.as_deref(), &headers, &body),
            webhook_id: headers
                .get(standard_webhooks::ID)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            body: String::from_utf8_lossy(&body).into_owned(),
        };
        sink.total += 1;
        sink.received.push_front(record);
        sink.received.truncate(KEPT);
        (status, sink.config.delay_ms)
    };
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    status
}

/// `POST /sandbox/api/sinks/{name}`: sets the sink up (what it got is kept).
pub async fn configure(
    State(state): State<SandboxState>,
    Path(name): Path<String>,
    Json(config): Json<SinkConfig>,
) -> axum::response::Response {
    if !valid_name(&name) {
        return bad_name().into_response();
    }
    if config.delay_ms > MAX_DELAY_MS {
        return (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({"error": "delay_ms is at most 30000"})),
        )
            .into_response();
    }
    if config.status.is_some_and(|s| !(400..=599).contains(&s)) {
        return (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({"error": "status is a failing HTTP status, 400 to 599"})),
        )
            .into_response();
    }
    if config
        .secret
        .as_deref()
        .is_some_and(|s| standard_webhooks::key(s).is_none())
    {
        return (
            StatusCode::BAD_REQUEST,
            Json(serde_json::json!({"error": "secret is a Standard Webhooks secret: whsec_<base64>"})),
        )
            .into_response();
    }
    let mut sinks = state.sinks.sinks.lock().expect("sink lock");
    let sink = sinks.entry(name).or_default();
    sink.config = config.clone();
    Json(config).into_response()
}

/// `GET /sandbox/api/sinks/{name}`: what it got, newest first.
pub async fn show(
    State(state): State<SandboxState>,
    Path(name): Path<String>,
) -> axum::response::Response {
    if !valid_name(&name) {
        return bad_name().into_response();
    }
    let sinks = state.sinks.sinks.lock().expect("sink lock");
    let view = match sinks.get(&name) {
        Some(sink) => SinkView {
            name,
            received: sink.total,
            config: sink.config.clone(),
            requests: sink.received.iter().cloned().collect(),
        },
        None => SinkView {
            name,
            received: 0,
            config: SinkConfig::default(),
            requests: Vec::new(),
        },
    };
    Json(view).into_response()
}

/// `DELETE /sandbox/api/sinks/{name}`: forgets the sink.
pub async fn forget(State(state): State<SandboxState>, Path(name): Path<String>) -> StatusCode {
    state.sinks.sinks.lock().expect("sink lock").remove(&name);
    StatusCode::NO_CONTENT
}
