//! The audit log of staff actions.

use async_trait::async_trait;

use super::engine::{query_as, query_scalar};
use super::*;

/// The audit log.
#[async_trait]
pub trait AuditStore: Send + Sync + 'static {
    async fn append_audit(&self, entry: &NewAuditEntry) -> DbResult<i64>;
    /// Newest first, continuing below `before_id`.
    async fn list_audit(&self, before_id: Option<i64>, limit: i64) -> DbResult<Vec<AuditEntry>>;
}

#[async_trait]
impl AuditStore for SqlStore {
    async fn append_audit(&self, entry: &NewAuditEntry) -> DbResult<i64> {
        Ok(query_scalar(
            "INSERT INTO audit_log (staff_id, actor, action, target_kind, target_id,
                                        detail, ip, occurred_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(entry.staff_id)
        .bind(&entry.actor)
        .bind(&entry.action)
        .bind(&entry.target_kind)
        .bind(&entry.target_id)
        .bind(&entry.detail)
        .bind(&entry.ip)
        .bind(now_millis())
        .fetch_one(&self.pool)
        .await?)
    }

    async fn list_audit(&self, before_id: Option<i64>, limit: i64) -> DbResult<Vec<AuditEntry>> {
        Ok(query_as(
            "SELECT id, staff_id, actor, action, target_kind, target_id, detail, ip,
                        occurred_at
                 FROM audit_log WHERE ($1 IS NULL OR id < $1) ORDER BY id DESC LIMIT $2",
        )
        .bind(before_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }
}
