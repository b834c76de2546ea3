//! The webhook inbox's port ([`app::webhooks::port::WebhooksPort`]): deliveries the processor
//! set aside, and their replay (audited).

use std::sync::Arc;

use app::error::AppError;
use app::staff::port::StaffIdentity;
use app::webhooks::port::ParkedDelivery;
use async_trait::async_trait;

use crate::db::NewAuditEntry;

use crate::errors::internal;
use app::webhooks::port::WebhooksPort;

/// The stores this service reads and writes.
pub trait Stores: crate::db::AuditStore + crate::db::InboxStore {}
impl<T: crate::db::AuditStore + crate::db::InboxStore> Stores for T {}

pub struct WebhooksService {
    store: Arc<dyn Stores>,
}

impl WebhooksService {
    pub fn new(store: Arc<dyn Stores>) -> Self {
        Self { store }
    }
}

#[async_trait]
impl WebhooksPort for WebhooksService {
    async fn parked(&self) -> Result<Vec<ParkedDelivery>, AppError> {
        let rows = self.store.parked_webhooks(200).await.map_err(internal)?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let text = String::from_utf8_lossy(&row.body);
                ParkedDelivery {
                    id: row.id,
                    received_at: row.received_at,
                    attempts: row.attempts,
                    error: row.last_error,
                    preview: text.chars().take(400).collect(),
                    size: row.body.len(),
                }
            })
            .collect())
    }

    async fn replay(&self, staff: &StaffIdentity, id: i64) -> Result<String, AppError> {
        if !self.store.replay_webhook(id).await.map_err(internal)? {
            return Err(AppError::Invalid(
                "This delivery is not parked (already replayed or processed).".into(),
            ));
        }
        self.store
            .append_audit(&NewAuditEntry {
                staff_id: Some(staff.id),
                actor: staff.email.clone(),
                action: "webhook.replay".into(),
                target_kind: Some("webhook".into()),
                target_id: Some(id.to_string()),
                detail: None,
                ip: staff.ip.clone(),
            })
            .await
            .map_err(internal)?;
        Ok(format!("Delivery {id} is back in the processing queue."))
    }
}
