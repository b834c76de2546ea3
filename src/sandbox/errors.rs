//! Graph's error responses, as the simulator sends them.
//!
//! Graph answers most errors with HTTP 400 and the `ErrorResponse` object; clients must read
//! the body, not the status (the portal's `graph::GraphError::reaction` does). Messages follow
//! what Graph returns for each case; `fbtrace_id` is random per response, like Meta's.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::graph::{GraphError, GraphErrorBody};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimError {
    pub status: StatusCode,
    /// Boxed: handlers return `Result<_, SimError>` everywhere, and the error is rare.
    pub error: Box<GraphError>,
}

impl IntoResponse for SimError {
    fn into_response(self) -> Response {
        (self.status, Json(GraphErrorBody { error: *self.error })).into_response()
    }
}

fn error(
    status: StatusCode,
    kind: &str,
    code: i64,
    subcode: Option<i64>,
    message: String,
) -> SimError {
    SimError {
        status,
        error: Box::new(GraphError {
            message,
            kind: kind.to_string(),
            code,
            error_subcode: subcode,
            fbtrace_id: Some(fbtrace_id()),
            is_transient: Some(false),
            error_user_title: None,
            error_user_msg: None,
        }),
    }
}

fn fbtrace_id() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    let mut rng = rand::thread_rng();
    (0..23)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

pub fn missing_parameter(name: &str) -> SimError {
    error(
        StatusCode::BAD_REQUEST,
        "OAuthException",
        100,
        None,
        format!("(#100) The parameter {name} is required"),
    )
}

pub fn no_access_token() -> SimError {
    error(
        StatusCode::BAD_REQUEST,
        "OAuthException",
        2500,
        None,
        "An active access token must be used to query information about the current user.".into(),
    )
}

pub fn invalid_token() -> SimError {
    error(
        StatusCode::BAD_REQUEST,
        "OAuthException",
        190,
        None,
        "Invalid OAuth access token - Cannot parse access token".into(),
    )
}

pub fn expired_token() -> SimError {
    error(
        StatusCode::BAD_REQUEST,
        "OAuthException",
        190,
        Some(463),
        "Error validating access token: Session has expired.".into(),
    )
}

pub fn appsecret_proof_missing() -> SimError {
    error(
        StatusCode::BAD_REQUEST,
        "GraphMethodException",
        100,
        None,
        "API calls from the server require an appsecret_proof argument".into(),
    )
}

pub fn appsecret_proof_invalid() -> SimError {
    error(
        StatusCode::BAD_REQUEST,
        "GraphMethodException",
        100,
        None,
        "Invalid appsecret_proof provided in the API argument".into(),
    )
}

pub fn invalid_application_id() -> SimError {
    error(
        StatusCode::BAD_REQUEST,
        "OAuthException",
        101,
        None,
        "Error validating application. Invalid application ID.".into(),
    )
}

pub fn invalid_client_secret() -> SimError {
    error(
        StatusCode::BAD_REQUEST,
        "OAuthException",
        1,
        None,
        "Error validating client secret.".into(),
    )
}

pub fn code_invalid() -> SimError {
    error(
        StatusCode::BAD_REQUEST,
        "OAuthException",
        100,
        Some(36008),
        "Invalid verification code format.".into(),
    )
}

pub fn code_used() -> SimError {
    error(
        StatusCode::BAD_REQUEST,
        "OAuthException",
        100,
        Some(36009),
        "This authorization code has been used.".into(),
    )
}

pub fn code_expired() -> SimError {
    error(
        StatusCode::BAD_REQUEST,
        "OAuthException",
        100,
        Some(36007),
        "This authorization code has expired.".into(),
    )
}

pub fn unsupported_get(id: &str) -> SimError {
    error(
        StatusCode::BAD_REQUEST,
        "GraphMethodException",
        100,
        Some(33),
        format!(
            "Unsupported get request. Object with ID '{id}' does not exist, cannot be loaded due \
             to missing permissions, or does not support this operation. Please read the Graph \
             API documentation at https://developers.facebook.com/docs/graph-api"
        ),
    )
}

pub fn unknown_path(path: &str) -> SimError {
    error(
        StatusCode::BAD_REQUEST,
        "OAuthException",
        2500,
        None,
        format!("Unknown path components: /{path}"),
    )
}

pub fn nonexisting_field(field: &str, node: &str) -> SimError {
    error(
        StatusCode::BAD_REQUEST,
        "OAuthException",
        100,
        None,
        format!("(#100) Tried accessing nonexisting field ({field}) on node type ({node})"),
    )
}

pub fn internal() -> SimError {
    let mut e = error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "OAuthException",
        2,
        None,
        "An unexpected error has occurred. Please retry your request later.".into(),
    );
    e.error.is_transient = Some(true);
    e
}
