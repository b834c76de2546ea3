//! Server functions of MM operations (operators act, viewers look), role-checked on the server.

use leptos::prelude::*;

use crate::error::AppError;
#[allow(unused_imports)]
use crate::operations::port::*;
#[cfg(feature = "ssr")]
use crate::staff::guard::guarded;
#[cfg(feature = "ssr")]
use crate::staff::port::StaffRole;
use crate::wabas::port::WabaFilter;

/// What a bulk Intent API run over the WABAs matching `filter` would do.
#[server(prefix = "/api", endpoint = "intent_preview")]
pub async fn intent_preview(
    filter: WabaFilter,
) -> Result<crate::operations::port::IntentPreview, AppError> {
    guarded::<dyn OperationsPort, _, _>(StaffRole::Viewer, |_, port| async move {
        port.intent_preview(filter).await
    })
    .await
}

/// Asks the eligible businesses among the WABAs matching `filter` to onboard (operators).
#[server(prefix = "/api", endpoint = "send_intent_to_selection")]
pub async fn send_intent_to_selection(filter: WabaFilter) -> Result<String, AppError> {
    guarded::<dyn OperationsPort, _, _>(StaffRole::Operator, |staff, port| async move {
        port.invite_filtered(&staff, filter).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "mm_operations")]
pub async fn mm_operations() -> Result<crate::operations::port::Operations, AppError> {
    guarded::<dyn OperationsPort, _, _>(StaffRole::Viewer, |_, port| async move {
        port.operations().await
    })
    .await
}

/// Reads every WABA shared with the partner from Meta (operators and admins).
#[server(prefix = "/api", endpoint = "start_discovery")]
pub async fn start_discovery() -> Result<String, AppError> {
    guarded::<dyn OperationsPort, _, _>(StaffRole::Operator, |staff, port| async move {
        port.discover(&staff).await
    })
    .await
}

/// Intent API request for the business of one WABA (operators and admins).
#[server(prefix = "/api", endpoint = "send_intent")]
pub async fn send_intent(waba_id: i64) -> Result<String, AppError> {
    guarded::<dyn OperationsPort, _, _>(StaffRole::Operator, |staff, port| async move {
        port.invite(&staff, waba_id).await
    })
    .await
}

/// Intent API requests for every eligible business without one (operators and admins).
#[server(prefix = "/api", endpoint = "send_intent_to_eligible")]
pub async fn send_intent_to_eligible() -> Result<String, AppError> {
    guarded::<dyn OperationsPort, _, _>(StaffRole::Operator, |staff, port| async move {
        port.invite_eligible(&staff).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "cancel_intent_batch")]
pub async fn cancel_intent_batch(batch: String) -> Result<String, AppError> {
    guarded::<dyn OperationsPort, _, _>(StaffRole::Operator, |staff, port| async move {
        port.cancel_batch(&staff, &batch).await
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
    let request = crate::operations::port::TestSendRequest {
        to,
        template,
        language,
        ttl_hours,
        activity_sharing: activity_sharing.is_some(),
        product_policy,
    };
    guarded::<dyn OperationsPort, _, _>(StaffRole::Operator, |staff, port| async move {
        port.test_send(&staff, waba_id, request).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "resume_intent_batch")]
pub async fn resume_intent_batch(batch: String) -> Result<String, AppError> {
    guarded::<dyn OperationsPort, _, _>(StaffRole::Operator, |staff, port| async move {
        port.resume_batch(&staff, &batch).await
    })
    .await
}
