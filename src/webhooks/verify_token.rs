//! The webhook verify token Meta echoes in the subscription handshake
//! (`GET /webhooks/meta?hub.mode=subscribe&hub.verify_token=…`).
//!
//! It starts as the configured `WEBHOOK_VERIFY_TOKEN` (or the sandbox's generated one). An
//! admin can rotate it from the settings page: the portal draws a new random token, shows it
//! once so it can be pasted into the App Dashboard's webhook settings, and keeps accepting the
//! previous one for [`GRACE`] so that there is no moment where Meta's re-verification fails.
//! Meta only sends the handshake when the callback URL or token is saved in the App Dashboard,
//! so the first handshake with the new token is recorded as the proof the change reached Meta.
//!
//! Both tokens are sealed with the portal's key ring (like business tokens); the metadata
//! (when, who, grace end, last handshake) is a portal setting, so every instance sharing the
//! database agrees.

use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use crate::crypto::KeyRing;
use crate::db::{now_millis, DbError, Millis, SecretSlot};

/// The stores this module reads and writes.
pub trait Stores: crate::db::SecretStore + crate::db::SettingStore {}
impl<T: crate::db::SecretStore + crate::db::SettingStore> Stores for T {}

/// How long the previous token is still accepted after a rotation.
pub const GRACE: Millis = 24 * 3_600_000;
const SETTING: &str = "webhook_verify_token";

fn slot(purpose: &str) -> SecretSlot {
    SecretSlot {
        owner_kind: "portal".into(),
        owner_id: "webhooks".into(),
        purpose: purpose.into(),
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotationState {
    /// The sealed slot of the current token; `None` (never rotated): the configured token.
    pub current: Option<String>,
    /// The previous token's slot, or [`CONFIGURED`].
    pub previous: Option<String>,
    pub rotated_at: Option<Millis>,
    pub rotated_by: Option<String>,
    /// The previous token is accepted until then.
    pub previous_until: Option<Millis>,
    /// The last successful handshake with the current token.
    pub last_verified_at: Option<Millis>,
}

/// Names the configured token where a slot name is expected.
const CONFIGURED: &str = "configured";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenMatch {
    Current,
    /// The token before the last rotation, within its grace period.
    Previous,
    No,
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyTokenError {
    #[error("the verify token store failed: {0}")]
    Database(#[from] DbError),
    #[error("a stored verify token could not be opened (was the encryption key changed?)")]
    Sealed,
}

pub struct VerifyTokens {
    configured: SecretString,
    store: Arc<dyn Stores>,
    keys: Arc<KeyRing>,
}

impl VerifyTokens {
    pub fn new(configured: SecretString, store: Arc<dyn Stores>, keys: Arc<KeyRing>) -> Self {
        Self {
            configured,
            store,
            keys,
        }
    }

    pub async fn state(&self) -> Result<RotationState, VerifyTokenError> {
        Ok(self
            .store
            .setting_get(SETTING)
            .await?
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default())
    }

    /// The token kept under `purpose` (`None` or [`CONFIGURED`]: the configured one).
    async fn token(&self, purpose: Option<&str>) -> Result<SecretString, VerifyTokenError> {
        let Some(purpose) = purpose.filter(|p| *p != CONFIGURED) else {
            return Ok(self.configured.clone());
        };
        let slot = slot(purpose);
        let sealed = self
            .store
            .get_secret(&slot)
            .await?
            .ok_or(VerifyTokenError::Sealed)?;
        self.keys
            .open(&slot, &sealed)
            .map_err(|_| VerifyTokenError::Sealed)
    }

    /// Compares `given` with the current token and, within the grace period, the previous
    /// one, in constant time.
    pub async fn check(&self, given: &str) -> Result<TokenMatch, VerifyTokenError> {
        let state = self.state().await?;
        let equal = |token: &SecretString| {
            bool::from(given.as_bytes().ct_eq(token.expose_secret().as_bytes()))
        };
        if equal(&self.token(state.current.as_deref()).await?) {
            return Ok(TokenMatch::Current);
        }
        let in_grace = state
            .previous_until
            .is_some_and(|until| now_millis() < until);
        if let (true, Some(previous)) = (in_grace, state.previous.as_deref()) {
            if equal(&self.token(Some(previous)).await?) {
                return Ok(TokenMatch::Previous);
            }
        }
        Ok(TokenMatch::No)
    }

    /// Notes that Meta completed a handshake with the current token.
    pub async fn record_verified(&self) -> Result<(), VerifyTokenError> {
        let mut state = self.state().await?;
        state.last_verified_at = Some(now_millis());
        self.save(&state, "meta").await
    }

    /// Draws a new token, keeps the current one as the previous for [`GRACE`], and returns
    /// the new one (to be shown once).
    pub async fn rotate(&self, by: &str) -> Result<SecretString, VerifyTokenError> {
        let state = self.state().await?;
        let now = now_millis();
        let fresh = SecretString::from(crate::config::random_hex(24));
        // A new slot per rotation: the switch is the one setting write below, so a crash
        // before it leaves the tokens as they were.
        let purpose = format!("verify_token_{now}");
        let fresh_slot = slot(&purpose);
        self.store
            .put_secret(&fresh_slot, &self.keys.seal(&fresh_slot, &fresh))
            .await?;
        let rotated = RotationState {
            previous: Some(state.current.unwrap_or_else(|| CONFIGURED.to_string())),
            current: Some(purpose),
            rotated_at: Some(now),
            rotated_by: Some(by.to_string()),
            previous_until: Some(now + GRACE),
            last_verified_at: None,
        };
        self.save(&rotated, by).await?;
        Ok(fresh)
    }

    async fn save(&self, state: &RotationState, by: &str) -> Result<(), VerifyTokenError> {
        let json = serde_json::to_string(state).expect("plain struct serializes");
        self.store.setting_put(SETTING, &json, by).await?;
        Ok(())
    }
}
