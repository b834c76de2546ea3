//! Server functions of the webhook inbox, role-checked on the server.

use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::staff::guard::guarded;
#[cfg(feature = "ssr")]
use crate::staff::port::StaffRole;
#[allow(unused_imports)]
use crate::webhooks::port::*;

/// Webhook deliveries that could not be processed (viewers and up).
#[server(prefix = "/api", endpoint = "parked_webhooks")]
pub async fn parked_webhooks() -> Result<Vec<ParkedDelivery>, AppError> {
    guarded::<dyn WebhooksPort, _, _>(
        StaffRole::Viewer,
        |_, port| async move { port.parked().await },
    )
    .await
}

/// Puts a parked delivery back in line (operators and admins).
#[server(prefix = "/api", endpoint = "replay_webhook")]
pub async fn replay_webhook(id: i64) -> Result<String, AppError> {
    guarded::<dyn WebhooksPort, _, _>(StaffRole::Operator, |staff, port| async move {
        port.replay(&staff, id).await
    })
    .await
}
