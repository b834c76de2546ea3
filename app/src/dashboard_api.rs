//! Server functions of the partner dashboard. Each checks the signed-in staff member's role
//! on the server before calling the port: hiding a button is never the only guard.

use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::ports::StaffRole;
use crate::ports::{
    AuditRow, Overview, ParkedDelivery, StaffIdentity, WabaDetail, WabaFilter, WabaPage,
};

/// The staff member the server resolved from this request's session, if any.
#[cfg(feature = "ssr")]
pub fn current_staff() -> Option<StaffIdentity> {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<StaffIdentity>().cloned())
}

/// The signed-in staff member, if their role allows `role`.
#[cfg(feature = "ssr")]
pub(crate) fn require(role: StaffRole) -> Result<StaffIdentity, AppError> {
    let staff = current_staff().ok_or(AppError::Unauthorized)?;
    if staff.role.allows(role) {
        Ok(staff)
    } else {
        Err(AppError::Forbidden)
    }
}

/// The port of type `P` the server put into the context; `reference` names it in the
/// internal error when it is missing.
#[cfg(feature = "ssr")]
pub(crate) fn context_port<P: ?Sized + Send + Sync + 'static>(
    reference: &'static str,
) -> Result<std::sync::Arc<P>, AppError> {
    use_context::<std::sync::Arc<P>>().ok_or_else(|| AppError::Internal(reference.into()))
}

/// The shape of every staff server function: checks that the signed-in staff member's role
/// allows `role`, finds the port, runs `call`, and answers errors with their HTTP status.
#[cfg(feature = "ssr")]
pub(crate) async fn as_staff<P: ?Sized, T, F>(
    role: StaffRole,
    port: impl FnOnce() -> Result<std::sync::Arc<P>, AppError>,
    call: impl FnOnce(StaffIdentity, std::sync::Arc<P>) -> F,
) -> Result<T, AppError>
where
    F: std::future::Future<Output = Result<T, AppError>>,
{
    let result = match (require(role), port()) {
        (Ok(staff), Ok(port)) => call(staff, port).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    crate::api::with_status(result)
}

#[cfg(feature = "ssr")]
async fn guarded<T, F>(
    role: StaffRole,
    call: impl FnOnce(StaffIdentity, std::sync::Arc<dyn crate::ports::DashboardPort>) -> F,
) -> Result<T, AppError>
where
    F: std::future::Future<Output = Result<T, AppError>>,
{
    as_staff(role, || context_port("dashboard-context"), call).await
}

/// Who is signed in (`None` when nobody is).
#[server(prefix = "/api", endpoint = "whoami")]
pub async fn whoami() -> Result<Option<StaffIdentity>, AppError> {
    Ok(current_staff())
}

#[server(prefix = "/api", endpoint = "dashboard_overview")]
pub async fn dashboard_overview() -> Result<Overview, AppError> {
    guarded(
        StaffRole::Viewer,
        |_, port| async move { port.overview().await },
    )
    .await
}

#[server(prefix = "/api", endpoint = "dashboard_wabas")]
pub async fn dashboard_wabas(filter: WabaFilter) -> Result<WabaPage, AppError> {
    guarded(StaffRole::Viewer, |_, port| async move {
        port.wabas(filter).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "dashboard_waba")]
pub async fn dashboard_waba(id: i64) -> Result<WabaDetail, AppError> {
    guarded(
        StaffRole::Viewer,
        |_, port| async move { port.waba(id).await },
    )
    .await
}

/// What a bulk Intent API run over the WABAs matching `filter` would do.
#[server(prefix = "/api", endpoint = "intent_preview")]
pub async fn intent_preview(filter: WabaFilter) -> Result<crate::ports::IntentPreview, AppError> {
    guarded(StaffRole::Viewer, |_, port| async move {
        port.intent_preview(filter).await
    })
    .await
}

/// Asks the eligible businesses among the WABAs matching `filter` to onboard (operators).
#[server(prefix = "/api", endpoint = "send_intent_to_selection")]
pub async fn send_intent_to_selection(filter: WabaFilter) -> Result<String, AppError> {
    guarded(StaffRole::Operator, |staff, port| async move {
        port.invite_filtered(&staff, filter).await
    })
    .await
}

/// Runs a maintenance action on one WABA (operators and admins).
#[server(prefix = "/api", endpoint = "waba_action")]
pub async fn waba_action(id: i64, action: String) -> Result<String, AppError> {
    guarded(StaffRole::Operator, |staff, port| async move {
        let action = crate::ports::WabaAction::parse(&action)
            .ok_or_else(|| AppError::Invalid(format!("Unknown action “{action}”.")))?;
        port.waba_action(&staff, id, action).await
    })
    .await
}

/// Restarts a stopped onboarding pipeline from its failed step (operators and admins).
#[server(prefix = "/api", endpoint = "resume_onboarding")]
pub async fn resume_onboarding(id: i64) -> Result<String, AppError> {
    guarded(StaffRole::Operator, |staff, port| async move {
        port.resume(&staff, id).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "audit_log")]
pub async fn audit_log(before: Option<i64>) -> Result<Vec<AuditRow>, AppError> {
    guarded(StaffRole::Admin, |_, port| async move {
        port.audit(before).await
    })
    .await
}

/// Webhook deliveries that could not be processed (viewers and up).
#[server(prefix = "/api", endpoint = "parked_webhooks")]
pub async fn parked_webhooks() -> Result<Vec<ParkedDelivery>, AppError> {
    guarded(
        StaffRole::Viewer,
        |_, port| async move { port.parked().await },
    )
    .await
}

/// Puts a parked delivery back in line (operators and admins).
#[server(prefix = "/api", endpoint = "replay_webhook")]
pub async fn replay_webhook(id: i64) -> Result<String, AppError> {
    guarded(StaffRole::Operator, |staff, port| async move {
        port.replay(&staff, id).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "mm_operations")]
pub async fn mm_operations() -> Result<crate::ports::Operations, AppError> {
    guarded(StaffRole::Viewer, |_, port| async move {
        port.operations().await
    })
    .await
}

/// Reads every WABA shared with the partner from Meta (operators and admins).
#[server(prefix = "/api", endpoint = "start_discovery")]
pub async fn start_discovery() -> Result<String, AppError> {
    guarded(StaffRole::Operator, |staff, port| async move {
        port.discover(&staff).await
    })
    .await
}

/// Intent API request for the business of one WABA (operators and admins).
#[server(prefix = "/api", endpoint = "send_intent")]
pub async fn send_intent(waba_id: i64) -> Result<String, AppError> {
    guarded(StaffRole::Operator, |staff, port| async move {
        port.invite(&staff, waba_id).await
    })
    .await
}

/// Intent API requests for every eligible business without one (operators and admins).
#[server(prefix = "/api", endpoint = "send_intent_to_eligible")]
pub async fn send_intent_to_eligible() -> Result<String, AppError> {
    guarded(StaffRole::Operator, |staff, port| async move {
        port.invite_eligible(&staff).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "cancel_intent_batch")]
pub async fn cancel_intent_batch(batch: String) -> Result<String, AppError> {
    guarded(StaffRole::Operator, |staff, port| async move {
        port.cancel_batch(&staff, &batch).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "es_settings")]
pub async fn es_settings() -> Result<crate::ports::EsSettings, AppError> {
    guarded(StaffRole::Admin, |_, port| async move {
        port.es_settings().await
    })
    .await
}

/// Saves the Embedded Signup settings (admins).
#[server(prefix = "/api", endpoint = "save_es_settings")]
pub async fn save_es_settings(
    partner_name: String,
    config_id: String,
    feature_type: String,
    es_version: String,
    solution_id: String,
) -> Result<String, AppError> {
    let settings = crate::ports::EsSettings {
        partner_name,
        config_id,
        feature_type,
        es_version,
        solution_id: Some(solution_id),
    };
    guarded(StaffRole::Admin, |staff, port| async move {
        port.save_es_settings(&staff, settings).await
    })
    .await
}

/// Sends one marketing template from a WABA's number (operators and admins). Never retried.
#[server(prefix = "/api", endpoint = "test_send")]
pub async fn test_send(
    waba_id: i64,
    to: String,
    template: String,
    language: String,
    ttl_hours: String,
    activity_sharing: Option<String>,
    product_policy: String,
) -> Result<String, AppError> {
    let ttl_hours = match ttl_hours.trim() {
        "" => None,
        text => Some(text.parse::<u32>().map_err(|_| {
            AppError::Invalid("The time to live must be a whole number of hours.".into())
        })?),
    };
    let request = crate::ports::TestSendRequest {
        to,
        template,
        language,
        ttl_hours,
        activity_sharing: activity_sharing.is_some(),
        product_policy,
    };
    guarded(StaffRole::Operator, |staff, port| async move {
        port.test_send(&staff, waba_id, request).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "resume_intent_batch")]
pub async fn resume_intent_batch(batch: String) -> Result<String, AppError> {
    guarded(StaffRole::Operator, |staff, port| async move {
        port.resume_batch(&staff, &batch).await
    })
    .await
}
