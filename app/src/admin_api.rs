//! Server functions of the admin settings: staff accounts and the webhook verify token.
//! Admins only, checked on the server for every call.

use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::ports::StaffRole;
use crate::ports::{StaffAccount, WebhookTokenStatus};

/// Runs `call` with the admin port if the signed-in staff member is an admin.
#[cfg(feature = "ssr")]
async fn as_admin<T, F>(
    call: impl FnOnce(crate::ports::StaffIdentity, std::sync::Arc<dyn crate::ports::AdminPort>) -> F,
) -> Result<T, AppError>
where
    F: std::future::Future<Output = Result<T, AppError>>,
{
    crate::dashboard_api::as_staff(
        StaffRole::Admin,
        || crate::dashboard_api::context_port("admin-context"),
        call,
    )
    .await
}

#[cfg(feature = "ssr")]
fn role(text: &str) -> Result<StaffRole, AppError> {
    StaffRole::parse(text)
        .ok_or_else(|| AppError::Invalid("The role must be admin, operator or viewer.".into()))
}

#[server(prefix = "/api", endpoint = "staff_accounts")]
pub async fn staff_accounts() -> Result<Vec<StaffAccount>, AppError> {
    as_admin(|_, port| async move { port.staff_accounts().await }).await
}

/// Creates a staff account; returns its initial password (shown once).
#[server(prefix = "/api", endpoint = "create_staff")]
pub async fn create_staff(email: String, name: String, role: String) -> Result<String, AppError> {
    as_admin(|staff, port| async move {
        port.create_staff(&staff, &email, &name, self::role(&role)?)
            .await
    })
    .await
}

/// Changes an account's role, or disables / enables it.
#[server(prefix = "/api", endpoint = "set_staff_access")]
pub async fn set_staff_access(id: i64, role: String, disabled: bool) -> Result<String, AppError> {
    as_admin(|staff, port| async move {
        port.set_staff_access(&staff, id, self::role(&role)?, disabled)
            .await
    })
    .await
}

/// Gives an account a new initial password (shown once).
#[server(prefix = "/api", endpoint = "reset_staff_password")]
pub async fn reset_staff_password(id: i64) -> Result<String, AppError> {
    as_admin(|staff, port| async move { port.reset_staff_password(&staff, id).await }).await
}

#[server(prefix = "/api", endpoint = "webhook_token")]
pub async fn webhook_token() -> Result<WebhookTokenStatus, AppError> {
    as_admin(|_, port| async move { port.webhook_token().await }).await
}

/// Draws a new webhook verify token; returns it (shown once).
#[server(prefix = "/api", endpoint = "rotate_webhook_token")]
pub async fn rotate_webhook_token() -> Result<String, AppError> {
    as_admin(|staff, port| async move { port.rotate_webhook_token(&staff).await }).await
}
