//! Strict input: JSON bodies and query strings whose unknown fields are refused with a 400
//! naming the field (a typo such as `customerid` must not be silently ignored), bodies over the
//! limit get 413, and a body that is not `application/json` gets 415.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;

use super::problem::Problem;

/// The largest request body the API reads.
pub const BODY_LIMIT: usize = 64 * 1024;

/// A JSON body parsed into `T` (which should `deny_unknown_fields`).
pub struct StrictJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for StrictJson<T> {
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Problem> {
        let json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
        if !json {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Send the body as JSON with `Content-Type: application/json`.",
            ));
        }
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    Problem::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "too-large",
                        format!("The body is over {} KiB.", BODY_LIMIT / 1024),
                    )
                } else {
                    Problem::invalid(format!("The body could not be read: {rejection}"))
                }
            })?;
        serde_json::from_slice(&bytes)
            .map(StrictJson)
            .map_err(|error| Problem::invalid(format!("The JSON body is not valid: {error}.")))
    }
}

/// A query string parsed into `T` (which should `deny_unknown_fields`).
pub struct StrictQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for StrictQuery<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Problem> {
        let query = parts.uri.query().unwrap_or_default();
        serde_urlencoded::from_str(query)
            .map(StrictQuery)
            .map_err(|error| Problem::invalid(format!("The query string is not valid: {error}.")))
    }
}
