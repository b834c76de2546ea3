//! Server functions of the admin settings: Embedded Signup settings and the webhook verify
//! token. Admins only, checked on the server for every call.

use leptos::prelude::*;

use crate::error::AppError;
#[allow(unused_imports)]
use crate::settings::port::*;
#[cfg(feature = "ssr")]
use crate::staff::guard::guarded;
#[cfg(feature = "ssr")]
use crate::staff::port::StaffRole;

#[server(prefix = "/api", endpoint = "es_settings")]
pub async fn es_settings() -> Result<crate::settings::port::EsSettings, AppError> {
    guarded::<dyn SettingsPort, _, _>(StaffRole::Admin, |_, port| async move {
        port.es_settings().await
    })
    .await
}

/// Saves the Embedded Signup settings (admins).
#[server(prefix = "/api", endpoint = "save_es_settings")]
pub async fn save_es_settings(
    partner_name: String,
    config_id: String,
    feature_type: String,
    es_version: String,
    solution_id: String,
) -> Result<String, AppError> {
    let settings = crate::settings::port::EsSettings {
        partner_name,
        config_id,
        feature_type,
        es_version,
        solution_id: Some(solution_id),
    };
    guarded::<dyn SettingsPort, _, _>(StaffRole::Admin, |staff, port| async move {
        port.save_es_settings(&staff, settings).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "webhook_token")]
pub async fn webhook_token() -> Result<WebhookTokenStatus, AppError> {
    guarded::<dyn SettingsPort, _, _>(StaffRole::Admin, |_, port| async move {
        port.webhook_token().await
    })
    .await
}

/// Draws a new webhook verify token; returns it (shown once).
#[server(prefix = "/api", endpoint = "rotate_webhook_token")]
pub async fn rotate_webhook_token() -> Result<String, AppError> {
    guarded::<dyn SettingsPort, _, _>(StaffRole::Admin, |staff, port| async move {
        port.rotate_webhook_token(&staff).await
    })
    .await
}
