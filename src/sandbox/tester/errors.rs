//! The tester API's one error shape: every refusal is a status and `{"error": "…"}` saying
//! why ([`TesterError`]), the rejections of a JSON body included ([`TesterJson`]).

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde_json::json;

/// Every tester error: a status and `{"error": "…"}` saying why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TesterError {
    pub status: StatusCode,
    pub message: String,
}

impl TesterError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        TesterError {
            status,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// The simulator's store failed (503); `message` says what could not be done.
    pub fn unavailable(message: &str) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, message)
    }
}

impl IntoResponse for TesterError {
    fn into_response(self) -> Response {
        (self.status, Json(json!({"error": self.message}))).into_response()
    }
}

pub type TesterResult<T> = Result<T, TesterError>;

/// `Json<T>` whose rejections (unreadable or mistyped body) keep axum's status but answer in
/// the tester's error shape.
pub struct TesterJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for TesterJson<T> {
    type Rejection = TesterError;

    async fn from_request(request: Request, state: &S) -> Result<Self, TesterError> {
        Json::<T>::from_request(request, state)
            .await
            .map(|Json(value)| TesterJson(value))
            .map_err(|rejection: JsonRejection| {
                TesterError::new(rejection.status(), rejection.body_text())
            })
    }
}
