//! The Embedded Signup code exchange as what it is: an OAuth 2.0 authorization-code grant
//! (RFC 6749 §4.1.3) at Graph's `oauth/access_token`, with the app's id and secret as client
//! credentials in the request body, through the `oauth2` crate.
//!
//! The crate builds and reads the grant (`grant_type=authorization_code`, the code, the
//! credentials; the token answer with `access_token` and `token_type`) and sends it through
//! the portal's own reqwest client, so timeouts and transport errors are the Graph client's.
//! No `redirect_uri`: the JS SDK's popup flow uses none (docs/meta/es-v4.md). Meta's failures
//! come back as Graph's error object, not RFC 6749's `{"error": "invalid_grant"}`, so the
//! crate is told to read that shape ([`GraphOAuthError`]); the HTTP status is kept beside it
//! (the crate does not pass it on), because how to react to an error depends on it. The
//! 30-second window and single use are the signup session's (`crate::signup::session`).

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::Arc;

use oauth2::basic::{
    BasicRevocationErrorResponse, BasicTokenIntrospectionResponse, BasicTokenType,
};
use oauth2::{
    AuthType, AuthorizationCode, Client, ClientId, ClientSecret, EmptyExtraTokenFields,
    EndpointNotSet, EndpointSet, HttpRequest, HttpResponse, RequestTokenError,
    StandardRevocableToken, StandardTokenResponse, TokenResponse, TokenUrl,
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use url::Url;

use super::error::transport_kind;
use super::GraphError;

/// Graph's error body (`{"error": {"message", "type", "code", …}}`) as the `oauth2` crate's
/// error response.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GraphOAuthError {
    error: GraphError,
}

impl std::fmt::Display for GraphOAuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.error.staff_message())
    }
}

impl oauth2::ErrorResponse for GraphOAuthError {}

/// A client of Graph's token endpoint only.
type TokenClient = Client<
    GraphOAuthError,
    StandardTokenResponse<EmptyExtraTokenFields, BasicTokenType>,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// Why the request could not be sent or its answer not read (the kind only: reqwest's own
/// messages hold the URL).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Transport(String);

/// Why the exchange failed (the Graph client turns it into its `GraphCallError`).
#[derive(Debug)]
pub enum Refused {
    /// Graph's error object, with the HTTP status it came with.
    Graph { status: u16, error: Box<GraphError> },
    /// No answer (the kind of failure only).
    Transport(String),
    /// An answer that is not a token (never quoting it).
    Unexpected(String),
}

/// Exchanges `code` at `token_url` for the business token.
pub async fn exchange_code(
    http: &reqwest::Client,
    token_url: Url,
    app_id: &str,
    app_secret: &SecretString,
    code: &str,
) -> Result<SecretString, Refused> {
    let client: TokenClient = Client::new(ClientId::new(app_id.to_string()))
        .set_client_secret(ClientSecret::new(app_secret.expose_secret().to_string()))
        .set_auth_type(AuthType::RequestBody)
        .set_token_uri(TokenUrl::from_url(token_url));
    let status = Arc::new(AtomicU16::new(0));
    let send = {
        let (http, status) = (http.clone(), status.clone());
        move |request: HttpRequest| {
            // Owned by the future: the signup's server function must stay `Send`.
            let (http, status) = (http.clone(), status.clone());
            async move {
                let response = send(&http, request).await?;
                status.store(response.status().as_u16(), Ordering::Relaxed);
                Ok::<_, Transport>(response)
            }
        }
    };
    let answer = client
        .exchange_code(AuthorizationCode::new(code.to_string()))
        .request_async(&send)
        .await;
    match answer {
        Ok(token) => Ok(SecretString::from(token.access_token().secret().clone())),
        Err(RequestTokenError::ServerResponse(refused)) => Err(Refused::Graph {
            status: status.load(Ordering::Relaxed),
            error: Box::new(refused.error),
        }),
        Err(RequestTokenError::Request(error)) => Err(Refused::Transport(error.to_string())),
        // Never the body or serde's message: either may quote the token.
        Err(RequestTokenError::Parse(error, _)) => Err(Refused::Unexpected(format!(
            "the token answer could not be read (at `{}`)",
            error.path()
        ))),
        Err(RequestTokenError::Other(_)) => Err(Refused::Transport(format!(
            "HTTP {} without a Graph error body",
            status.load(Ordering::Relaxed)
        ))),
    }
}

/// One request of the `oauth2` crate, through the portal's reqwest client.
async fn send(http: &reqwest::Client, request: HttpRequest) -> Result<HttpResponse, Transport> {
    let (parts, body) = request.into_parts();
    let response = http
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await
        .map_err(|e| Transport(transport_kind(&e)))?;
    let mut answer = oauth2::http::Response::builder().status(response.status());
    if let Some(headers) = answer.headers_mut() {
        *headers = response.headers().clone();
    }
    let body = response
        .bytes()
        .await
        .map_err(|e| Transport(transport_kind(&e)))?;
    answer
        .body(body.to_vec())
        .map_err(|_| Transport("the answer could not be read".into()))
}
