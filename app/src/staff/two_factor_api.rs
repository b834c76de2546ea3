//! Server functions of two-factor sign-in: one's own (every role, on the account page) and,
//! for admins, the rule for everyone and removing an account's second factor. Kept thin: the
//! checks live in the server's two-factor service, behind
//! [`crate::staff::port::TwoFactorPort`].

use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::staff::guard::guarded;
#[cfg(feature = "ssr")]
use crate::staff::port::StaffRole;
#[cfg(feature = "ssr")]
use crate::staff::port::TwoFactorPort;
use crate::staff::port::{TwoFactorEnrolment, TwoFactorOverview, TwoFactorStatus, TypedPassword};

#[server(prefix = "/api", endpoint = "two_factor_status")]
pub async fn my_two_factor() -> Result<TwoFactorStatus, AppError> {
    guarded::<dyn TwoFactorPort, _, _>(StaffRole::Viewer, |me, port| async move {
        port.status(&me).await
    })
    .await
}

/// Starts setting up two-factor sign-in: a new secret for the authenticator app.
#[server(prefix = "/api", endpoint = "two_factor_begin")]
pub async fn two_factor_begin() -> Result<TwoFactorEnrolment, AppError> {
    guarded::<dyn TwoFactorPort, _, _>(StaffRole::Viewer, |me, port| async move {
        port.begin(&me).await
    })
    .await
}

/// Confirms the set-up with a current code; answers with the recovery codes (shown once).
#[server(prefix = "/api", endpoint = "two_factor_confirm")]
pub async fn two_factor_confirm(code: TypedPassword) -> Result<Vec<String>, AppError> {
    guarded::<dyn TwoFactorPort, _, _>(StaffRole::Viewer, |me, port| async move {
        port.confirm(&me, &code.into_inner()).await
    })
    .await
}

/// Turns two-factor sign-in off: the current password and a code.
#[server(prefix = "/api", endpoint = "two_factor_disable")]
pub async fn two_factor_disable(
    password: TypedPassword,
    code: TypedPassword,
) -> Result<String, AppError> {
    guarded::<dyn TwoFactorPort, _, _>(StaffRole::Viewer, |me, port| async move {
        port.disable(&me, password, &code.into_inner()).await
    })
    .await
}

/// New recovery codes (the old ones stop working), with a current code.
#[server(prefix = "/api", endpoint = "two_factor_recovery_codes")]
pub async fn two_factor_recovery_codes(code: TypedPassword) -> Result<Vec<String>, AppError> {
    guarded::<dyn TwoFactorPort, _, _>(StaffRole::Viewer, |me, port| async move {
        port.regenerate(&me, &code.into_inner()).await
    })
    .await
}

/// Whether two-factor sign-in is required, and who has it (admins).
#[server(prefix = "/api", endpoint = "two_factor_overview")]
pub async fn two_factor_accounts() -> Result<TwoFactorOverview, AppError> {
    guarded::<dyn TwoFactorPort, _, _>(
        StaffRole::Admin,
        |_, port| async move { port.overview().await },
    )
    .await
}

/// Requires two-factor sign-in of every account, or makes it optional (admins).
#[server(prefix = "/api", endpoint = "require_two_factor")]
pub async fn require_two_factor(required: bool) -> Result<String, AppError> {
    guarded::<dyn TwoFactorPort, _, _>(StaffRole::Admin, |me, port| async move {
        port.set_required(&me, required).await
    })
    .await
}

/// Removes an account's second factor, e.g. after a lost phone (admins).
#[server(prefix = "/api", endpoint = "remove_two_factor")]
pub async fn remove_two_factor(id: i64) -> Result<String, AppError> {
    guarded::<dyn TwoFactorPort, _, _>(StaffRole::Admin, |me, port| async move {
        port.remove(&me, id).await
    })
    .await
}
