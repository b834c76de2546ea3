//! Server functions of the public signup and status pages. Anonymous by design: each one is
//! bound to a signup nonce or a status key, never to a staff session.

use leptos::prelude::*;

use crate::error::AppError;
#[allow(unused_imports)]
use crate::signup::port::*;

#[cfg(feature = "ssr")]
fn signup_port() -> Result<std::sync::Arc<dyn SignupPort>, AppError> {
    crate::staff::guard::context_port("signup-context")
}

/// The public settings the signup page launches Embedded Signup with.
#[server(prefix = "/api", endpoint = "signup_config")]
pub async fn signup_config() -> Result<crate::signup::port::SignupConfig, AppError> {
    Ok(signup_port()?.config().await)
}

/// A new signup session for this visit; returns its nonce. Called by `public/signup.js`.
#[server(prefix = "/api", endpoint = "signup_start")]
pub async fn signup_start(campaign: Option<String>) -> Result<String, AppError> {
    crate::error::with_status(signup_port()?.start(campaign).await)
}

/// The admin pressed the button and the Embedded Signup popup opened.
#[server(prefix = "/api", endpoint = "signup_launched")]
pub async fn signup_launched(nonce: String) -> Result<(), AppError> {
    crate::error::with_status(signup_port()?.launched(&nonce).await)
}

/// One `WA_EMBEDDED_SIGNUP` session-info message, as the page received it.
#[server(prefix = "/api", endpoint = "signup_event")]
pub async fn signup_event(nonce: String, payload: String) -> Result<(), AppError> {
    crate::error::with_status(signup_port()?.event(&nonce, &payload).await)
}

/// The popup closed without a code.
#[server(prefix = "/api", endpoint = "signup_abandoned")]
pub async fn signup_abandoned(nonce: String) -> Result<(), AppError> {
    crate::error::with_status(signup_port()?.abandoned(&nonce).await)
}

/// Exchanges the code from `FB.login` on the server; returns the status page key. The token
/// never leaves the server.
#[server(prefix = "/api", endpoint = "signup_complete")]
pub async fn signup_complete(nonce: String, code: String) -> Result<String, AppError> {
    crate::error::with_status(signup_port()?.complete(&nonce, &code).await)
}

/// The public status checklist of one signup.
#[server(prefix = "/api", endpoint = "signup_status")]
pub async fn signup_status(key: String) -> Result<crate::signup::port::SignupStatusView, AppError> {
    crate::error::with_status(signup_port()?.status(&key).await)
}
