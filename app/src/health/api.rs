//! Server functions of the portal's health.

use leptos::prelude::*;

use crate::error::AppError;
#[allow(unused_imports)]
use crate::health::port::*;

#[cfg(feature = "ssr")]
fn port() -> Result<std::sync::Arc<dyn HealthPort>, AppError> {
    crate::staff::guard::context_port("health-context")
}

/// Current health of this instance and its database.
#[server(prefix = "/api", endpoint = "system_health")]
pub async fn system_health() -> Result<HealthReport, AppError> {
    Ok(port()?.health().await)
}
