//! The one error type the UI layer sees. It carries what a person may be shown and nothing
//! else: internal causes (SQL errors, Graph responses, tokens) are logged on the server and
//! replaced by a short, safe message before they cross into this type.

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please sign in to continue.")]
    Unauthorized,
    #[error("Your role does not allow this action.")]
    Forbidden,
    #[error("Not found.")]
    NotFound,
    #[error("{0}")]
    Invalid(String),
    #[error("The service is temporarily unavailable: {0}")]
    Unavailable(String),
    #[error("Something went wrong on our side (reference {0}).")]
    Internal(String),
    #[error("Could not reach the server: {0}")]
    Transport(String),
    /// Too many calls from this client address: try again in this many seconds (429 with
    /// `Retry-After`).
    #[error("Too many attempts from your network. Please try again in {0} s.")]
    RateLimited(u64),
    /// The request conflicts with the state of what it addresses (409).
    #[error("{0}")]
    Conflict(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        // On the server these are the caller's mistakes (arguments that do not parse, a body
        // over the limit): 400 and 413, not the 500 that says the portal failed.
        #[cfg(feature = "ssr")]
        {
            use http::StatusCode;
            let status = match &value {
                ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => {
                    Some(StatusCode::BAD_REQUEST)
                }
                // Reading the request body: over the limit, or broken.
                ServerFnErrorErr::Deserialization(message) => {
                    Some(if message.contains("length limit exceeded") {
                        StatusCode::PAYLOAD_TOO_LARGE
                    } else {
                        StatusCode::BAD_REQUEST
                    })
                }
                _ => None,
            };
            if let (Some(status), Some(response)) = (
                status,
                leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
            ) {
                response.set_status(status);
            }
        }
        AppError::Transport(value.to_string())
    }
}

/// Gives a failed server function the HTTP status its error deserves (400 for bad input, 404,
/// 503), instead of the default 500 that monitoring would count as our fault.
#[cfg(feature = "ssr")]
pub fn with_status<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(error) = &result {
        let status = match error {
            AppError::Invalid(_) => http::StatusCode::BAD_REQUEST,
            AppError::NotFound => http::StatusCode::NOT_FOUND,
            AppError::Unauthorized => http::StatusCode::UNAUTHORIZED,
            AppError::Forbidden => http::StatusCode::FORBIDDEN,
            AppError::Unavailable(_) => http::StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) | AppError::Transport(_) => {
                http::StatusCode::INTERNAL_SERVER_ERROR
            }
            AppError::RateLimited(_) => http::StatusCode::TOO_MANY_REQUESTS,
            AppError::Conflict(_) => http::StatusCode::CONFLICT,
        };
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(status);
            if let AppError::RateLimited(seconds) = error {
                response
                    .insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(*seconds));
            }
        }
    }
    result
}
