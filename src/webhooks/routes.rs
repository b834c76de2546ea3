//! `GET /webhooks/meta` (verification handshake) and `POST /webhooks/meta` (deliveries).

use std::sync::Arc;

use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use secrecy::SecretString;
use serde::de::IgnoredAny;
use serde::Deserialize;
use tower::limit::ConcurrencyLimitLayer;

use super::inbox::Inbox;
use super::signature::{self, SignatureError};
use super::verify_token::{TokenMatch, VerifyTokens};

/// Meta sends payloads of up to 3 MB; anything larger is refused with 413 before it is read
/// whole.
pub const MAX_BODY_BYTES: usize = 3 * 1024 * 1024 + 64 * 1024;
/// Deliveries read at once; more wait for a slot, which bounds memory to about
/// `MAX_CONCURRENT × MAX_BODY_BYTES` in the worst case.
const MAX_CONCURRENT: usize = 512;
/// How long a delivery's body may take to arrive (408 after): a slot is not held by a sender
/// that trickles bytes. Meta's 3 MB arrive in well under a second.
pub const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

#[derive(Clone)]
pub struct WebhookState {
    pub app_secret: Arc<SecretString>,
    pub verify_tokens: Arc<VerifyTokens>,
    pub inbox: Arc<dyn Inbox>,
    /// Deliveries by outcome, for `/metrics`.
    pub counters: crate::monitoring::Counters,
}

pub fn routes(state: WebhookState) -> Router {
    Router::new()
        .route("/webhooks/meta", get(verify_subscription).post(receive))
        .layer(ConcurrencyLimitLayer::new(MAX_CONCURRENT))
        .with_state(state)
}

#[derive(Deserialize)]
struct Handshake {
    #[serde(rename = "hub.mode")]
    mode: Option<String>,
    #[serde(rename = "hub.verify_token")]
    verify_token: Option<String>,
    #[serde(rename = "hub.challenge")]
    challenge: Option<String>,
}

/// Meta calls this when the callback URL is saved in the App Dashboard and echoes the
/// challenge only if the verify token matches.
async fn verify_subscription(
    State(state): State<WebhookState>,
    Query(query): Query<Handshake>,
) -> Response {
    let matched = match query.verify_token.as_deref() {
        None => TokenMatch::No,
        Some(given) => match state.verify_tokens.check(given).await {
            Ok(matched) => matched,
            Err(error) => {
                tracing::error!(%error, "webhook verification could not read the verify token");
                return (StatusCode::SERVICE_UNAVAILABLE, "try again later").into_response();
            }
        },
    };
    match (query.mode.as_deref(), matched, query.challenge) {
        (Some("subscribe"), TokenMatch::Current | TokenMatch::Previous, Some(challenge)) => {
            if matched == TokenMatch::Current {
                if let Err(error) = state.verify_tokens.record_verified().await {
                    tracing::warn!(%error, "could not record the webhook handshake");
                }
            } else {
                tracing::warn!(
                    "webhook verified with the previous verify token: paste the new one into \
                     the App Dashboard before the grace period ends"
                );
            }
            ([(header::CONTENT_TYPE, "text/plain")], challenge).into_response()
        }
        _ => {
            tracing::warn!("webhook verification refused: wrong mode, token or challenge");
            (StatusCode::FORBIDDEN, "verification failed").into_response()
        }
    }
}

/// What every delivery must look like before it is stored; the fields are skipped, not kept.
#[derive(Deserialize)]
struct Envelope {
    #[allow(dead_code)]
    object: IgnoredAny,
    entry: Vec<IgnoredAny>,
}

/// `application/json`, with parameters or not, in any case: not a type that merely starts so.
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

async fn receive(State(state): State<WebhookState>, request: Request) -> Response {
    let (outcome, response) = answer(&state, request).await;
    state.counters.webhook_answered(outcome);
    response
}

/// The answer to one delivery, and the outcome `/metrics` counts it under.
async fn answer(state: &WebhookState, request: Request) -> (&'static str, Response) {
    let (parts, body) = request.into_parts();
    let headers = parts.headers;
    // What needs no body is refused before the body is read.
    let digest = match signature::parse_header(headers.get(signature::HEADER).map(|v| v.as_bytes()))
    {
        Ok(digest) => digest,
        Err(error) => return ("bad_signature", refused(error, None)),
    };
    if !is_json(&headers) {
        let response = (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "webhook deliveries must be application/json",
        );
        return ("not_json", response.into_response());
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > MAX_BODY_BYTES) {
        return ("too_large", too_large());
    }
    let body = match tokio::time::timeout(BODY_TIMEOUT, axum::body::to_bytes(body, MAX_BODY_BYTES))
        .await
    {
        Ok(Ok(body)) => body,
        // Over the limit (a chunked body), or the sender went away.
        Ok(Err(_)) => return ("too_large", too_large()),
        Err(_) => {
            tracing::warn!("webhook body did not arrive in time");
            let response = (StatusCode::REQUEST_TIMEOUT, "the body took too long");
            return ("body_timeout", response.into_response());
        }
    };
    if let Err(error) = signature::verify_digest(&state.app_secret, &digest, &body) {
        return ("bad_signature", refused(error, Some(body.len())));
    }
    let envelope: Envelope = match serde_json::from_slice(&body) {
        Ok(envelope) => envelope,
        Err(_) => {
            tracing::warn!(
                bytes = body.len(),
                "signed webhook body is not a notification"
            );
            let response = (
                StatusCode::BAD_REQUEST,
                "body is not a webhook notification ({\"object\": …, \"entry\": […]})",
            );
            return ("not_a_notification", response.into_response());
        }
    };
    if envelope.entry.is_empty() {
        // Signed but carries nothing to process: acknowledge so Meta does not retry.
        return ("empty", StatusCode::OK.into_response());
    }
    match state.inbox.store(body).await {
        Ok(()) => ("stored", StatusCode::OK.into_response()),
        // Meta retries non-200 answers, so a delivery that could not be stored is not lost.
        Err(error) => (
            "store_failed",
            (StatusCode::SERVICE_UNAVAILABLE, error.to_string()).into_response(),
        ),
    }
}

fn refused(error: SignatureError, bytes: Option<usize>) -> Response {
    tracing::warn!(%error, bytes, "webhook refused");
    let status = match error {
        SignatureError::Missing => StatusCode::UNAUTHORIZED,
        SignatureError::Malformed | SignatureError::Mismatch => StatusCode::FORBIDDEN,
    };
    (status, error.to_string()).into_response()
}

fn too_large() -> Response {
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        "webhook deliveries are at most 3 MB",
    )
        .into_response()
}
