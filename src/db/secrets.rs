//! Sealed secrets (business tokens, PINs, the verify token): sealed by `crate::crypto`, so the database never sees plaintext.

use async_trait::async_trait;

use super::engine::{query, query_as};
use super::*;

/// Sealed secrets by slot.
#[async_trait]
pub trait SecretStore: Send + Sync + 'static {
    async fn put_secret(&self, slot: &SecretSlot, sealed: &SealedSecret) -> DbResult<()>;
    async fn get_secret(&self, slot: &SecretSlot) -> DbResult<Option<SealedSecret>>;
}

#[async_trait]
impl SecretStore for SqlStore {
    async fn put_secret(&self, slot: &SecretSlot, sealed: &SealedSecret) -> DbResult<()> {
        query(
            "INSERT INTO encrypted_secrets (owner_kind, owner_id, purpose, key_id, nonce,
                                                ciphertext, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
                 ON CONFLICT (owner_kind, owner_id, purpose) DO UPDATE SET
                    key_id = excluded.key_id,
                    nonce = excluded.nonce,
                    ciphertext = excluded.ciphertext,
                    updated_at = excluded.updated_at",
        )
        .bind(&slot.owner_kind)
        .bind(&slot.owner_id)
        .bind(&slot.purpose)
        .bind(&sealed.key_id)
        .bind(&sealed.nonce)
        .bind(&sealed.ciphertext)
        .bind(now_millis())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn get_secret(&self, slot: &SecretSlot) -> DbResult<Option<SealedSecret>> {
        Ok(query_as(
            "SELECT key_id, nonce, ciphertext FROM encrypted_secrets
                 WHERE owner_kind = $1 AND owner_id = $2 AND purpose = $3",
        )
        .bind(&slot.owner_kind)
        .bind(&slot.owner_id)
        .bind(&slot.purpose)
        .fetch_optional(&self.pool)
        .await?)
    }
}
