//! Server functions of the WABA dashboard. Each checks the signed-in staff member's role on
//! the server before calling the port: hiding a button is never the only guard.

use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::staff::guard::guarded;
#[cfg(feature = "ssr")]
use crate::staff::port::StaffRole;
#[allow(unused_imports)]
use crate::wabas::port::*;

#[server(prefix = "/api", endpoint = "dashboard_overview")]
pub async fn dashboard_overview() -> Result<Overview, AppError> {
    guarded::<dyn WabasPort, _, _>(
        StaffRole::Viewer,
        |_, port| async move { port.overview().await },
    )
    .await
}

#[server(prefix = "/api", endpoint = "dashboard_wabas")]
pub async fn dashboard_wabas(filter: WabaFilter) -> Result<WabaPage, AppError> {
    guarded::<dyn WabasPort, _, _>(StaffRole::Viewer, |_, port| async move {
        port.wabas(filter).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "dashboard_waba")]
pub async fn dashboard_waba(id: i64) -> Result<WabaDetail, AppError> {
    guarded::<dyn WabasPort, _, _>(
        StaffRole::Viewer,
        |_, port| async move { port.waba(id).await },
    )
    .await
}

/// Runs a maintenance action on one WABA (operators and admins).
#[server(prefix = "/api", endpoint = "waba_action")]
pub async fn waba_action(id: i64, action: String) -> Result<String, AppError> {
    guarded::<dyn WabasPort, _, _>(StaffRole::Operator, |staff, port| async move {
        let action = crate::wabas::port::WabaAction::parse(&action)
            .ok_or_else(|| AppError::Invalid(format!("Unknown action “{action}”.")))?;
        port.waba_action(&staff, id, action).await
    })
    .await
}

/// Restarts a stopped onboarding pipeline from its failed step (operators and admins).
#[server(prefix = "/api", endpoint = "resume_onboarding")]
pub async fn resume_onboarding(id: i64) -> Result<String, AppError> {
    guarded::<dyn WabasPort, _, _>(StaffRole::Operator, |staff, port| async move {
        port.resume(&staff, id).await
    })
    .await
}
