//! Server functions. Each stays thin: find the port, call it, map the error.

use leptos::prelude::*;

use crate::error::AppError;
use crate::ports::HealthReport;

#[cfg(feature = "ssr")]
fn portal() -> Result<std::sync::Arc<dyn crate::ports::Portal>, AppError> {
    use_context::<std::sync::Arc<dyn crate::ports::Portal>>()
        .ok_or_else(|| AppError::Internal("portal-context".into()))
}

/// Current health of this instance and its database: for signed-in staff and callers on this
/// host only (mode, version, backend and queue depth tell an outsider too much).
#[server(prefix = "/api", endpoint = "system_health")]
pub async fn system_health() -> Result<HealthReport, AppError> {
    let local = use_context::<http::request::Parts>().is_some_and(|parts| {
        parts
            .extensions
            .get::<crate::ports::LoopbackCaller>()
            .is_some()
    });
    if !local && crate::dashboard_api::current_staff().is_none() {
        return with_status(Err(AppError::Unauthorized));
    }
    Ok(portal()?.health().await)
}

/// Gives a failed server function the HTTP status its error deserves (400 for bad input, 404,
/// 503), instead of the default 500 that monitoring would count as our fault.
#[cfg(feature = "ssr")]
pub(crate) fn with_status<T>(result: Result<T, AppError>) -> Result<T, AppError> {
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
        };
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(status);
        }
    }
    result
}

#[cfg(feature = "ssr")]
fn signup_port() -> Result<std::sync::Arc<dyn crate::ports::SignupPort>, AppError> {
    use_context::<std::sync::Arc<dyn crate::ports::SignupPort>>()
        .ok_or_else(|| AppError::Internal("signup-context".into()))
}

/// The public settings the signup page launches Embedded Signup with.
#[server(prefix = "/api", endpoint = "signup_config")]
pub async fn signup_config() -> Result<crate::ports::SignupConfig, AppError> {
    Ok(signup_port()?.config().await)
}

/// A new signup session for this visit; returns its nonce. Called by `public/signup.js`.
#[server(prefix = "/api", endpoint = "signup_start")]
pub async fn signup_start(campaign: Option<String>) -> Result<String, AppError> {
    with_status(signup_port()?.start(campaign).await)
}

/// The admin pressed the button and the Embedded Signup popup opened.
#[server(prefix = "/api", endpoint = "signup_launched")]
pub async fn signup_launched(nonce: String) -> Result<(), AppError> {
    with_status(signup_port()?.launched(&nonce).await)
}

/// One `WA_EMBEDDED_SIGNUP` session-info message, as the page received it.
#[server(prefix = "/api", endpoint = "signup_event")]
pub async fn signup_event(nonce: String, payload: String) -> Result<(), AppError> {
    with_status(signup_port()?.event(&nonce, &payload).await)
}

/// The popup closed without a code.
#[server(prefix = "/api", endpoint = "signup_abandoned")]
pub async fn signup_abandoned(nonce: String) -> Result<(), AppError> {
    with_status(signup_port()?.abandoned(&nonce).await)
}

/// Exchanges the code from `FB.login` on the server; returns the status page key. The token
/// never leaves the server.
#[server(prefix = "/api", endpoint = "signup_complete")]
pub async fn signup_complete(nonce: String, code: String) -> Result<String, AppError> {
    with_status(signup_port()?.complete(&nonce, &code).await)
}

/// The public status checklist of one signup.
#[server(prefix = "/api", endpoint = "signup_status")]
pub async fn signup_status(key: String) -> Result<crate::ports::SignupStatusView, AppError> {
    with_status(signup_port()?.status(&key).await)
}
