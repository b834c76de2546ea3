//! Encryption of secrets at rest (Meta tokens, registration PINs): AES-256-GCM.
//!
//! Keys come from `TOKEN_ENCRYPTION_KEY` as `id:base64key[,id:base64key…]`. The first key seals
//! new secrets; every listed key can open old ones, so a key is rotated by putting the new one
//! first and keeping the old one until nothing sealed with it remains. The key id is stored
//! beside each ciphertext, and bound into it as associated data together with the slot it was
//! sealed for, so a ciphertext copied to another row does not open.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};

use crate::db::{SealedSecret, SecretSlot};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    #[error("TOKEN_ENCRYPTION_KEY is empty")]
    NoKeys,
    #[error("TOKEN_ENCRYPTION_KEY entry {0} is not `id:base64-of-32-bytes`")]
    MalformedKey(usize),
    #[error("TOKEN_ENCRYPTION_KEY lists key id `{0}` twice")]
    DuplicateKeyId(String),
    #[error("no key with id `{0}` is configured; it may have been rotated out too early")]
    UnknownKeyId(String),
    #[error("a stored secret could not be decrypted (wrong key or tampered data)")]
    Decrypt,
}

/// The configured keys; the first one seals.
pub struct KeyRing {
    keys: Vec<(String, Aes256Gcm)>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<&str> = self.keys.iter().map(|(id, _)| id.as_str()).collect();
        f.debug_struct("KeyRing").field("key_ids", &ids).finish()
    }
}

impl KeyRing {
    /// Parses `id:base64key[,id:base64key…]`.
    pub fn parse(spec: &SecretString) -> Result<Self, CryptoError> {
        let mut keys: Vec<(String, Aes256Gcm)> = Vec::new();
        for (index, entry) in spec.expose_secret().split(',').enumerate() {
            let entry = entry.trim();
            if entry.is_empty() {
                continue;
            }
            let (id, encoded) = entry
                .split_once(':')
                .ok_or(CryptoError::MalformedKey(index + 1))?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(encoded.trim())
                .map_err(|_| CryptoError::MalformedKey(index + 1))?;
            if id.trim().is_empty() || bytes.len() != 32 {
                return Err(CryptoError::MalformedKey(index + 1));
            }
            let id = id.trim().to_string();
            if keys.iter().any(|(existing, _)| *existing == id) {
                return Err(CryptoError::DuplicateKeyId(id));
            }
            let cipher = Aes256Gcm::new_from_slice(&bytes)
                .map_err(|_| CryptoError::MalformedKey(index + 1))?;
            keys.push((id, cipher));
        }
        if keys.is_empty() {
            return Err(CryptoError::NoKeys);
        }
        Ok(Self { keys })
    }

    /// A fresh random key in the `id:base64` form, for `TOKEN_ENCRYPTION_KEY`.
    pub fn generate_spec(id: &str) -> SecretString {
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        let encoded = base64::engine::general_purpose::STANDARD.encode(key);
        SecretString::from(format!("{id}:{encoded}"))
    }

    pub fn active_key_id(&self) -> &str {
        &self.keys[0].0
    }

    pub fn seal(&self, slot: &SecretSlot, plaintext: &SecretString) -> SealedSecret {
        let (key_id, cipher) = &self.keys[0];
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let aad = associated_data(key_id, slot);
        let ciphertext = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext.expose_secret().as_bytes(),
                    aad: &aad,
                },
            )
            .expect("AES-GCM encryption of an in-memory buffer cannot fail");
        SealedSecret {
            key_id: key_id.clone(),
            nonce: nonce.to_vec(),
            ciphertext,
        }
    }

    pub fn open(
        &self,
        slot: &SecretSlot,
        sealed: &SealedSecret,
    ) -> Result<SecretString, CryptoError> {
        let (key_id, cipher) = self
            .keys
            .iter()
            .find(|(id, _)| *id == sealed.key_id)
            .ok_or_else(|| CryptoError::UnknownKeyId(sealed.key_id.clone()))?;
        if sealed.nonce.len() != 12 {
            return Err(CryptoError::Decrypt);
        }
        let aad = associated_data(key_id, slot);
        let plaintext = cipher
            .decrypt(
                Nonce::from_slice(&sealed.nonce),
                Payload {
                    msg: &sealed.ciphertext,
                    aad: &aad,
                },
            )
            .map_err(|_| CryptoError::Decrypt)?;
        String::from_utf8(plaintext)
            .map(SecretString::from)
            .map_err(|_| CryptoError::Decrypt)
    }
}

fn associated_data(key_id: &str, slot: &SecretSlot) -> Vec<u8> {
    format!(
        "{key_id}\u{1f}{}\u{1f}{}\u{1f}{}",
        slot.owner_kind, slot.owner_id, slot.purpose
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(owner: &str) -> SecretSlot {
        SecretSlot {
            owner_kind: "waba".into(),
            owner_id: owner.into(),
            purpose: "business_token".into(),
        }
    }

    #[test]
    fn round_trips_and_hides_plaintext() {
        let ring = KeyRing::parse(&KeyRing::generate_spec("k1")).unwrap();
        let secret = SecretString::from("EAAG-very-secret-token");
        let sealed = ring.seal(&slot("1"), &secret);
        assert_eq!(sealed.key_id, "k1");
        assert!(!sealed.ciphertext.windows(6).any(|w| w == b"secret"));
        let opened = ring.open(&slot("1"), &sealed).unwrap();
        assert_eq!(opened.expose_secret(), "EAAG-very-secret-token");
    }

    #[test]
    fn a_ciphertext_moved_to_another_slot_does_not_open() {
        let ring = KeyRing::parse(&KeyRing::generate_spec("k1")).unwrap();
        let sealed = ring.seal(&slot("1"), &SecretString::from("token"));
        assert_eq!(
            ring.open(&slot("2"), &sealed).unwrap_err(),
            CryptoError::Decrypt
        );
    }

    #[test]
    fn rotation_keeps_old_secrets_readable() {
        let old = KeyRing::generate_spec("old");
        let new = KeyRing::generate_spec("new");
        let before = KeyRing::parse(&old).unwrap();
        let sealed = before.seal(&slot("1"), &SecretString::from("token"));
        let both = SecretString::from(format!("{},{}", new.expose_secret(), old.expose_secret()));
        let after = KeyRing::parse(&both).unwrap();
        assert_eq!(after.active_key_id(), "new");
        assert_eq!(
            after.open(&slot("1"), &sealed).unwrap().expose_secret(),
            "token"
        );
        let only_new = KeyRing::parse(&new).unwrap();
        assert_eq!(
            only_new.open(&slot("1"), &sealed).unwrap_err(),
            CryptoError::UnknownKeyId("old".into())
        );
    }

    #[test]
    fn malformed_specs_are_named() {
        let parse = |s: &str| KeyRing::parse(&SecretString::from(s)).unwrap_err();
        assert_eq!(parse(""), CryptoError::NoKeys);
        assert_eq!(parse("nokey"), CryptoError::MalformedKey(1));
        assert_eq!(parse("k1:c2hvcnQ="), CryptoError::MalformedKey(1));
        let good = KeyRing::generate_spec("a");
        let twice = format!("{},{}", good.expose_secret(), good.expose_secret());
        assert_eq!(parse(&twice), CryptoError::DuplicateKeyId("a".into()));
    }
}
