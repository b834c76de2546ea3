//! Server functions. Each stays thin: find the port, call it, map the error.

use leptos::prelude::*;

use crate::error::AppError;
use crate::ports::HealthReport;

#[cfg(feature = "ssr")]
fn portal() -> Result<std::sync::Arc<dyn crate::ports::Portal>, AppError> {
    use_context::<std::sync::Arc<dyn crate::ports::Portal>>()
        .ok_or_else(|| AppError::Internal("portal-context".into()))
}

/// Current health of this instance and its database.
#[server(prefix = "/api", endpoint = "system_health")]
pub async fn system_health() -> Result<HealthReport, AppError> {
    Ok(portal()?.health().await)
}
