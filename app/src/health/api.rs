//! Server functions of the portal's health.

use leptos::prelude::*;

use crate::error::AppError;
#[allow(unused_imports)]
use crate::health::port::*;

#[cfg(feature = "ssr")]
fn port() -> Result<std::sync::Arc<dyn HealthPort>, AppError> {
    crate::staff::guard::context_port("health-context")
}

/// Current health of this instance and its database: for signed-in staff and callers on this
/// host only (mode, version, backend and queue depth tell an outsider too much).
#[server(prefix = "/api", endpoint = "system_health")]
pub async fn system_health() -> Result<HealthReport, AppError> {
    let local = use_context::<http::request::Parts>().is_some_and(|parts| {
        parts
            .extensions
            .get::<crate::staff::port::LoopbackCaller>()
            .is_some()
    });
    if !local && crate::staff::guard::current_staff().is_none() {
        return crate::error::with_status(Err(AppError::Unauthorized));
    }
    Ok(port()?.health().await)
}
