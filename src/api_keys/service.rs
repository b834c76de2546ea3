//! The admins' side of the keys ([`ApiKeysPort`]): make, list, rotate, revoke, and the token
//! hand-off switch. Every change is audited; the secret is in the one answer that makes it.

use std::sync::Arc;

use app::api_keys::port::{ApiKeyView, ApiKeysPort, NewKey, Scope, TOKEN_HANDOFF_SETTING};
use app::error::AppError;
use app::staff::port::StaffIdentity;
use async_trait::async_trait;
use secrecy::ExposeSecret;

use crate::db::{now_millis, NewApiKey};
use crate::errors::internal;
use crate::staff::audit::record;

/// The stores this service reads and writes.
pub trait Stores: crate::db::ApiKeyStore + crate::db::AuditStore + crate::db::SettingStore {}
impl<T: crate::db::ApiKeyStore + crate::db::AuditStore + crate::db::SettingStore> Stores for T {}

const MAX_NAME: usize = 100;
/// The longest grace period a rotation may give the old key (30 days).
pub const MAX_GRACE_HOURS: i64 = 24 * 30;

pub struct ApiKeysService {
    store: Arc<dyn Stores>,
}

/// Checks a key's name: what staff will recognise it by in the list and the audit log.
pub fn valid_name(name: &str) -> Result<String, AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control) {
        return Err(AppError::Invalid(format!(
            "A key needs a name of 1 to {MAX_NAME} characters, such as “CRM production”."
        )));
    }
    Ok(name.to_string())
}

impl ApiKeysService {
    pub fn new(store: Arc<dyn Stores>) -> Self {
        Self { store }
    }

    /// Makes a key for `created_by` (a staff email, or `cli` for the command line).
    pub async fn make(
        &self,
        name: &str,
        scopes: &[Scope],
        created_by: &str,
    ) -> Result<NewKey, AppError> {
        let name = valid_name(name)?;
        if scopes.is_empty() {
            return Err(AppError::Invalid("A key needs at least one scope.".into()));
        }
        let drawn = super::draw_key();
        let row = self
            .store
            .create_api_key(&NewApiKey {
                name,
                prefix: drawn.prefix.clone(),
                secret_hash: drawn.secret_hash.clone(),
                scopes: super::join_scopes(scopes),
                created_by: created_by.to_string(),
            })
            .await
            .map_err(internal)?;
        Ok(NewKey {
            key: super::view(&row, now_millis()),
            secret: drawn.key.expose_secret().to_string(),
        })
    }

    pub async fn revoke_key(&self, id: i64) -> Result<ApiKeyView, AppError> {
        let row = self
            .store
            .api_key_by_id(id)
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)?;
        if !self
            .store
            .revoke_api_key(id, now_millis())
            .await
            .map_err(internal)?
        {
            return Err(AppError::Invalid(format!(
                "The key “{}” was already revoked.",
                row.name
            )));
        }
        let row = self.store.api_key_by_id(id).await.map_err(internal)?;
        Ok(super::view(&row.ok_or(AppError::NotFound)?, now_millis()))
    }

    pub async fn rotate_key(
        &self,
        id: i64,
        grace_hours: i64,
        created_by: &str,
    ) -> Result<NewKey, AppError> {
        if !(0..=MAX_GRACE_HOURS).contains(&grace_hours) {
            return Err(AppError::Invalid(format!(
                "The grace period is 0 to {MAX_GRACE_HOURS} hours."
            )));
        }
        let old = self
            .store
            .api_key_by_id(id)
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)?;
        let drawn = super::draw_key();
        let now = now_millis();
        let new = self
            .store
            .rotate_api_key(
                id,
                now + grace_hours * 3_600_000,
                &NewApiKey {
                    name: old.name.clone(),
                    prefix: drawn.prefix.clone(),
                    secret_hash: drawn.secret_hash.clone(),
                    scopes: old.scopes.clone(),
                    created_by: created_by.to_string(),
                },
            )
            .await
            .map_err(internal)?
            .ok_or_else(|| {
                AppError::Invalid(format!(
                    "The key “{}” was revoked or already rotated: rotate its newest key.",
                    old.name
                ))
            })?;
        Ok(NewKey {
            key: super::view(&new, now),
            secret: drawn.key.expose_secret().to_string(),
        })
    }

    pub async fn keys(&self) -> Result<Vec<ApiKeyView>, AppError> {
        let now = now_millis();
        let rows = self.store.list_api_keys().await.map_err(internal)?;
        Ok(rows.iter().map(|row| super::view(row, now)).collect())
    }
}

fn key_target(key: &ApiKeyView) -> String {
    key.id.to_string()
}

#[async_trait]
impl ApiKeysPort for ApiKeysService {
    async fn list(&self) -> Result<Vec<ApiKeyView>, AppError> {
        self.keys().await
    }

    async fn create(
        &self,
        staff: &StaffIdentity,
        name: String,
        scopes: Vec<Scope>,
    ) -> Result<NewKey, AppError> {
        let made = self.make(&name, &scopes, &staff.email).await?;
        let detail = serde_json::json!({"name": made.key.name, "prefix": made.key.prefix,
                                        "scopes": made.key.scopes});
        let target = key_target(&made.key);
        record(
            self.store.as_ref(),
            staff,
            "api_key.create",
            Some(("api_key", &target)),
            Some(detail.to_string()),
        )
        .await?;
        Ok(made)
    }

    async fn revoke(&self, staff: &StaffIdentity, id: i64) -> Result<(), AppError> {
        let key = self.revoke_key(id).await?;
        let detail = serde_json::json!({"name": key.name, "prefix": key.prefix});
        record(
            self.store.as_ref(),
            staff,
            "api_key.revoke",
            Some(("api_key", &key_target(&key))),
            Some(detail.to_string()),
        )
        .await
    }

    async fn rotate(
        &self,
        staff: &StaffIdentity,
        id: i64,
        grace_hours: i64,
    ) -> Result<NewKey, AppError> {
        let made = self.rotate_key(id, grace_hours, &staff.email).await?;
        let detail = serde_json::json!({"replaced": id, "prefix": made.key.prefix,
                                        "grace_hours": grace_hours});
        record(
            self.store.as_ref(),
            staff,
            "api_key.rotate",
            Some(("api_key", &key_target(&made.key))),
            Some(detail.to_string()),
        )
        .await?;
        Ok(made)
    }

    async fn token_handoff(&self) -> Result<bool, AppError> {
        token_handoff_on(self.store.as_ref()).await
    }

    async fn set_token_handoff(&self, staff: &StaffIdentity, on: bool) -> Result<(), AppError> {
        self.store
            .setting_put(
                TOKEN_HANDOFF_SETTING,
                if on { "true" } else { "false" },
                &staff.email,
            )
            .await
            .map_err(internal)?;
        record(
            self.store.as_ref(),
            staff,
            if on {
                "api.token_handoff.on"
            } else {
                "api.token_handoff.off"
            },
            None,
            None,
        )
        .await
    }
}

/// Whether an admin turned the token hand-off on (off unless they did).
pub async fn token_handoff_on(store: &dyn crate::db::SettingStore) -> Result<bool, AppError> {
    Ok(store
        .setting_get(TOKEN_HANDOFF_SETTING)
        .await
        .map_err(internal)?
        .as_deref()
        == Some("true"))
}
