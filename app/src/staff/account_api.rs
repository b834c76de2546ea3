//! Server functions of the account page: any signed-in staff member (viewer, operator or
//! admin) sees their own account and changes their own password. Kept thin: the checks live
//! in the server's account service, behind [`crate::staff::port::AccountPort`].

use leptos::prelude::*;

use crate::error::AppError;
use crate::staff::port::{MyAccount, TypedPassword};

/// Runs `call` with the signed-in staff member and the account port bound to this request.
#[cfg(feature = "ssr")]
async fn as_signed_in<T, F>(
    call: impl FnOnce(
        crate::staff::port::StaffIdentity,
        std::sync::Arc<dyn crate::staff::port::AccountPort>,
    ) -> F,
) -> Result<T, AppError>
where
    F: std::future::Future<Output = Result<T, AppError>>,
{
    use crate::staff::port::AccountAccess;
    use crate::staff::port::StaffRole;
    // Bound to this request (see `AccountAccess`), so it comes from the request, not the
    // context.
    let port = || {
        use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<AccountAccess>().cloned())
            .map(|AccountAccess(port)| port)
            .ok_or_else(|| AppError::Internal("account-context".into()))
    };
    crate::staff::guard::as_staff(StaffRole::Viewer, port, call).await
}

/// The signed-in staff member's own account.
#[server(prefix = "/api", endpoint = "account_info")]
pub async fn account_info() -> Result<MyAccount, AppError> {
    as_signed_in(|me, port| async move { port.my_account(&me).await }).await
}

/// Changes the signed-in staff member's own password; answers with the message to show.
#[server(prefix = "/api", endpoint = "change_password")]
pub async fn change_password(
    current_password: TypedPassword,
    new_password: TypedPassword,
    confirm_password: TypedPassword,
) -> Result<String, AppError> {
    let change = crate::staff::port::PasswordChange {
        current: current_password.into_inner(),
        new: new_password.into_inner(),
        confirm: confirm_password.into_inner(),
    };
    as_signed_in(|me, port| async move { port.change_password(&me, change).await }).await
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn the_generated_arguments_never_print_a_password() {
        let typed = ChangePassword {
            current_password: TypedPassword::new("old-secret-passphrase"),
            new_password: TypedPassword::new("new-secret-passphrase"),
            confirm_password: TypedPassword::new("new-secret-passphrase"),
        };
        let printed = format!("{typed:?}");
        assert!(printed.contains("TypedPassword(..)"), "{printed}");
        assert!(!printed.contains("secret-passphrase"), "{printed}");
        assert_eq!(typed.new_password.into_inner(), "new-secret-passphrase");
    }
}

/// Turns one's own alert mail on (`alerts` present, the checkbox ticked) or off.
#[server(prefix = "/api", endpoint = "set_mail_alerts")]
pub async fn set_mail_alerts(alerts: Option<String>) -> Result<bool, AppError> {
    as_signed_in(|me, port| async move { port.set_mail_alerts(&me, alerts.is_some()).await }).await
}
