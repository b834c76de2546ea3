//! The port of this feature between the UI and the server: the data shapes that cross the
//! wire and (server only) the trait the server implements. Admin settings: Embedded Signup settings and the webhook verify token.

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::staff::port::StaffIdentity;

/// The Embedded Signup settings staff can change (admins, on `/settings`). Empty
/// `feature_type` is Meta's default flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EsSettings {
    pub partner_name: String,
    pub config_id: String,
    pub feature_type: String,
    pub es_version: String,
    pub solution_id: Option<String>,
}

/// The webhook verify token's state (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookTokenStatus {
    /// The callback URL to enter in the App Dashboard.
    pub callback_url: String,
    pub rotated_at: Option<i64>,
    pub rotated_by: Option<String>,
    /// Until then the token before the last rotation is accepted too.
    pub previous_until: Option<i64>,
    /// The last handshake Meta completed with the current token.
    pub last_verified_at: Option<i64>,
}

/// Admin settings: the Embedded Signup settings and the webhook verify token.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait SettingsPort: Send + Sync + 'static {
    async fn es_settings(&self) -> Result<EsSettings, crate::error::AppError>;
    async fn save_es_settings(
        &self,
        staff: &StaffIdentity,
        settings: EsSettings,
    ) -> Result<String, crate::error::AppError>;
    async fn webhook_token(&self) -> Result<WebhookTokenStatus, crate::error::AppError>;
    /// Draws a new verify token; returns it (shown once).
    async fn rotate_webhook_token(
        &self,
        by: &StaffIdentity,
    ) -> Result<String, crate::error::AppError>;
}
