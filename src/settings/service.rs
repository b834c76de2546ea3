//! The admin settings' port ([`app::settings::port::SettingsPort`]): the Embedded Signup
//! settings (stored, applied at once on every instance) and the webhook verify token's
//! rotation. Every change is audited.

use std::sync::Arc;

use app::error::AppError;
use app::settings::port::EsSettings;
use app::staff::port::StaffIdentity;
use async_trait::async_trait;
use secrecy::ExposeSecret;

use crate::errors::internal;
use crate::webhooks::VerifyTokens;
use app::settings::port::{SettingsPort, WebhookTokenStatus};

/// The stores this service reads and writes.
pub trait Stores: crate::db::AuditStore + crate::db::SettingStore {}
impl<T: crate::db::AuditStore + crate::db::SettingStore> Stores for T {}

pub struct SettingsService {
    store: Arc<dyn Stores>,
    /// The environment's Embedded Signup settings, shown until an admin saves others.
    pub es_defaults: EsSettings,
    verify_tokens: Arc<VerifyTokens>,
    callback_url: String,
}

impl SettingsService {
    pub fn new(
        store: Arc<dyn Stores>,
        es_defaults: EsSettings,
        verify_tokens: Arc<VerifyTokens>,
        callback_url: String,
    ) -> Self {
        Self {
            store,
            es_defaults,
            verify_tokens,
            callback_url,
        }
    }
}

#[async_trait]
impl SettingsPort for SettingsService {
    async fn es_settings(&self) -> Result<EsSettings, AppError> {
        Ok(crate::signup::settings::effective(self.store.as_ref(), &self.es_defaults).await)
    }

    async fn save_es_settings(
        &self,
        staff: &StaffIdentity,
        settings: EsSettings,
    ) -> Result<String, AppError> {
        let settings = EsSettings {
            partner_name: settings.partner_name.trim().to_string(),
            config_id: settings.config_id.trim().to_string(),
            feature_type: settings.feature_type.trim().to_string(),
            es_version: settings.es_version.trim().to_string(),
            solution_id: settings
                .solution_id
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
        };
        let problems = crate::signup::settings::problems(&settings);
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems.join(" ")));
        }
        let json =
            serde_json::to_string(&settings).map_err(|e| AppError::Internal(e.to_string()))?;
        self.store
            .setting_put(crate::signup::settings::KEY, &json, &staff.email)
            .await
            .map_err(internal)?;
        crate::staff::audit::record(
            self.store.as_ref(),
            staff,
            "settings.embedded_signup",
            None,
            Some(json),
        )
        .await?;
        Ok("Saved. The signup page uses these settings from now on.".into())
    }

    async fn webhook_token(&self) -> Result<WebhookTokenStatus, AppError> {
        let state = self.verify_tokens.state().await.map_err(internal)?;
        Ok(WebhookTokenStatus {
            callback_url: self.callback_url.clone(),
            rotated_at: state.rotated_at,
            rotated_by: state.rotated_by,
            previous_until: state.previous_until,
            last_verified_at: state.last_verified_at,
        })
    }

    async fn rotate_webhook_token(&self, by: &StaffIdentity) -> Result<String, AppError> {
        let fresh = self
            .verify_tokens
            .rotate(&by.email)
            .await
            .map_err(internal)?;
        // As before the split: a lost audit entry is logged, never a failed rotation.
        let _ = crate::staff::audit::record(
            self.store.as_ref(),
            by,
            "webhooks.rotate_verify_token",
            None,
            None,
        )
        .await;
        Ok(fresh.expose_secret().to_string())
    }
}
