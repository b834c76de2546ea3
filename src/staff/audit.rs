//! The audit trail of staff actions: one entry per action, written by the service that acted.

use app::error::AppError;
use app::staff::port::StaffIdentity;

use crate::db::{AuditStore, NewAuditEntry};
use crate::errors::internal;

/// Records that `staff` did `action` (to `target`: kind and id), with `detail` as JSON text.
pub async fn record(
    store: &dyn AuditStore,
    staff: &StaffIdentity,
    action: &str,
    target: Option<(&str, &str)>,
    detail: Option<String>,
) -> Result<(), AppError> {
    store
        .append_audit(&NewAuditEntry {
            staff_id: Some(staff.id),
            actor: staff.email.clone(),
            action: action.into(),
            target_kind: target.map(|t| t.0.to_string()),
            target_id: target.map(|t| t.1.to_string()),
            detail,
            ip: staff.ip.clone(),
        })
        .await
        .map_err(internal)?;
    Ok(())
}
