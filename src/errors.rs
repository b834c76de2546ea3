//! The one way a service turns a failure staff cannot act on into an answer: the cause goes
//! to the log, the person gets a short reference to quote (never the cause, which may name a
//! table, a token or a host).

use app::error::AppError;

/// Logs `error` and returns [`AppError::Internal`] with a fresh reference.
pub fn internal(error: impl std::fmt::Display) -> AppError {
    let reference = uuid::Uuid::new_v4().simple().to_string()[..8].to_string();
    tracing::error!(%error, reference, "staff request failed");
    AppError::Internal(reference)
}
