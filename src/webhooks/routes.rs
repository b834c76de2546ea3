//! `GET /webhooks/meta` (verification handshake) and `POST /webhooks/meta` (deliveries).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, State};
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

#[derive(Clone)]
pub struct WebhookState {
    pub app_secret: Arc<SecretString>,
    pub verify_tokens: Arc<VerifyTokens>,
    pub inbox: Arc<dyn Inbox>,
}

pub fn routes(state: WebhookState) -> Router {
    Router::new()
        .route("/webhooks/meta", get(verify_subscription).post(receive))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
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

async fn receive(State(state): State<WebhookState>, headers: HeaderMap, body: Bytes) -> Response {
    let signature = headers.get(signature::HEADER).map(|v| v.as_bytes());
    if let Err(error) = signature::verify(&state.app_secret, signature, &body) {
        tracing::warn!(%error, bytes = body.len(), "webhook refused");
        let status = match error {
            SignatureError::Missing => StatusCode::UNAUTHORIZED,
            SignatureError::Malformed | SignatureError::Mismatch => StatusCode::FORBIDDEN,
        };
        return (status, error.to_string()).into_response();
    }
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"));
    if !is_json {
        return (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "webhook deliveries must be application/json",
        )
            .into_response();
    }
    let envelope: Envelope = match serde_json::from_slice(&body) {
        Ok(envelope) => envelope,
        Err(_) => {
            tracing::warn!(
                bytes = body.len(),
                "signed webhook body is not a notification"
            );
            return (
                StatusCode::BAD_REQUEST,
                "body is not a webhook notification ({\"object\": …, \"entry\": […]})",
            )
                .into_response();
        }
    };
    if envelope.entry.is_empty() {
        // Signed but carries nothing to process: acknowledge so Meta does not retry.
        return StatusCode::OK.into_response();
    }
    match state.inbox.store(body).await {
        Ok(()) => StatusCode::OK.into_response(),
        // Meta retries non-200 answers, so a delivery that could not be stored is not lost.
        Err(error) => (StatusCode::SERVICE_UNAVAILABLE, error.to_string()).into_response(),
    }
}
