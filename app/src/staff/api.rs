//! Server functions of staff: who is signed in, the audit log, staff accounts (admins only,
//! checked on the server for every call).

use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::staff::guard::guarded;
#[cfg(feature = "ssr")]
use crate::staff::port::StaffRole;
#[allow(unused_imports)]
use crate::staff::port::*;

/// Who is signed in (`None` when nobody is).
#[server(prefix = "/api", endpoint = "whoami")]
pub async fn whoami() -> Result<Option<StaffIdentity>, AppError> {
    Ok(crate::staff::guard::current_staff())
}

#[server(prefix = "/api", endpoint = "audit_log")]
pub async fn audit_log(before: Option<i64>) -> Result<Vec<AuditRow>, AppError> {
    guarded::<dyn StaffPort, _, _>(StaffRole::Admin, |_, port| async move {
        port.audit(before).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "staff_accounts")]
pub async fn staff_accounts() -> Result<Vec<StaffAccount>, AppError> {
    guarded::<dyn StaffPort, _, _>(StaffRole::Admin, |_, port| async move {
        port.staff_accounts().await
    })
    .await
}

/// Creates a staff account; returns its initial password (shown once).
#[server(prefix = "/api", endpoint = "create_staff")]
pub async fn create_staff(email: String, name: String, role: String) -> Result<String, AppError> {
    guarded::<dyn StaffPort, _, _>(StaffRole::Admin, |staff, port| async move {
        port.create_staff(&staff, &email, &name, crate::staff::guard::role(&role)?)
            .await
    })
    .await
}

/// Changes an account's role, or disables / enables it.
#[server(prefix = "/api", endpoint = "set_staff_access")]
pub async fn set_staff_access(id: i64, role: String, disabled: bool) -> Result<String, AppError> {
    guarded::<dyn StaffPort, _, _>(StaffRole::Admin, |staff, port| async move {
        port.set_staff_access(&staff, id, crate::staff::guard::role(&role)?, disabled)
            .await
    })
    .await
}

/// Gives an account a new initial password (shown once).
#[server(prefix = "/api", endpoint = "reset_staff_password")]
pub async fn reset_staff_password(id: i64) -> Result<String, AppError> {
    guarded::<dyn StaffPort, _, _>(StaffRole::Admin, |staff, port| async move {
        port.reset_staff_password(&staff, id).await
    })
    .await
}
