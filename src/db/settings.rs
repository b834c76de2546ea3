//! Run-time settings staff saved (JSON text by key), applied on every instance.

use async_trait::async_trait;

use super::engine::{query, query_scalar};
use super::*;

/// Run-time settings.
#[async_trait]
pub trait SettingStore: Send + Sync + 'static {
    /// A run-time setting (JSON text), if staff saved one.
    async fn setting_get(&self, key: &str) -> DbResult<Option<String>>;
    async fn setting_put(&self, key: &str, value: &str, updated_by: &str) -> DbResult<()>;
}

#[async_trait]
impl SettingStore for SqlStore {
    async fn setting_get(&self, key: &str) -> DbResult<Option<String>> {
        Ok(
            query_scalar("SELECT value FROM portal_settings WHERE key = $1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn setting_put(&self, key: &str, value: &str, updated_by: &str) -> DbResult<()> {
        query(
            "INSERT INTO portal_settings (key, value, updated_by, updated_at)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value,
                    updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(key)
        .bind(value)
        .bind(updated_by)
        .bind(now_millis())
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
