//! Keys of the partner API: made, listed, rotated and revoked by admins (settings page) and
//! by `mm-portal api-key`; checked on every `/api/v1` request.
//!
//! A key is `mmp_<prefix>_<secret>`: 8 + 32 random alphanumeric characters (about 238 bits).
//! Only the prefix (to find the row) and the SHA-256 of the whole key are stored. A fast hash
//! is enough here, unlike for passwords: the key is random and long, so there is nothing to
//! guess, and checking it must cost microseconds on a route that serves thousands a second.

pub mod cli;
pub mod service;
pub mod uses;

use app::api_keys::port::{ApiKeyView, KeyState, Scope};
use rand::distributions::Alphanumeric;
use rand::Rng;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::db::{ApiKeyRow, Millis};

const KEY_PREFIX: &str = "mmp_";
const PREFIX_LEN: usize = 8;
const SECRET_LEN: usize = 32;

/// A freshly drawn key: the text to hand over once, and what is stored.
pub struct DrawnKey {
    pub key: SecretString,
    pub prefix: String,
    pub secret_hash: String,
}

fn random_text(len: usize) -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

pub fn draw_key() -> DrawnKey {
    let prefix = random_text(PREFIX_LEN);
    let key = format!("{KEY_PREFIX}{prefix}_{}", random_text(SECRET_LEN));
    DrawnKey {
        secret_hash: hash_key(&key),
        key: SecretString::from(key),
        prefix,
    }
}

pub fn hash_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// The prefix of a key written the way [`draw_key`] writes them; `None` for anything else
/// (so a malformed header costs no database read).
pub fn prefix_of(key: &str) -> Option<&str> {
    let rest = key.strip_prefix(KEY_PREFIX)?;
    let (prefix, secret) = rest.split_once('_')?;
    let well_formed = prefix.len() == PREFIX_LEN
        && secret.len() == SECRET_LEN
        && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    well_formed.then_some(prefix)
}

/// Whether `key` is the key stored as `row`, and the row still lets it in at `now`.
pub fn admits(row: &ApiKeyRow, key: &SecretString, now: Millis) -> bool {
    let hash = hash_key(key.expose_secret());
    let same: bool = hash.as_bytes().ct_eq(row.secret_hash.as_bytes()).into();
    same && state(row, now) != KeyState::Expired && state(row, now) != KeyState::Revoked
}

pub fn state(row: &ApiKeyRow, now: Millis) -> KeyState {
    match (row.revoked_at, row.expires_at) {
        (Some(_), _) => KeyState::Revoked,
        (None, Some(at)) if at <= now => KeyState::Expired,
        (None, Some(_)) => KeyState::Expiring,
        (None, None) => KeyState::Active,
    }
}

/// The scopes stored for a key (unknown names, from a newer version, are dropped).
pub fn scopes(row: &ApiKeyRow) -> Vec<Scope> {
    row.scopes.split(',').filter_map(Scope::parse).collect()
}

pub fn join_scopes(scopes: &[Scope]) -> String {
    scopes
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

pub fn view(row: &ApiKeyRow, now: Millis) -> ApiKeyView {
    ApiKeyView {
        id: row.id,
        name: row.name.clone(),
        prefix: format!("{KEY_PREFIX}{}", row.prefix),
        scopes: row
            .scopes
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        created_by: row.created_by.clone(),
        created_at: row.created_at,
        last_used_at: row.last_used_at,
        expires_at: row.expires_at,
        state: state(row, now),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(key: &DrawnKey) -> ApiKeyRow {
        ApiKeyRow {
            id: 1,
            name: "crm".into(),
            prefix: key.prefix.clone(),
            secret_hash: key.secret_hash.clone(),
            scopes: "wabas:read".into(),
            created_by: "cli".into(),
            created_at: 0,
            last_used_at: None,
            expires_at: None,
            revoked_at: None,
            replaced_by: None,
        }
    }

    #[test]
    fn a_drawn_key_is_found_by_its_prefix_and_admitted_by_its_hash() {
        let key = draw_key();
        let text = key.key.expose_secret().to_string();
        assert_eq!(prefix_of(&text), Some(key.prefix.as_str()));
        assert!(admits(&row(&key), &key.key, 0));
        let other = SecretString::from(format!("{}x", &text[..text.len() - 1]));
        assert!(!admits(&row(&key), &other, 0), "one character off");
    }

    #[test]
    fn malformed_keys_have_no_prefix() {
        for text in [
            "",
            "mmp_",
            "Bearer x",
            "mmp_abcdefgh_short",
            "mmp_abcdefg_0123456789012345678901234567890",
            "mmp_abcdefgh_0123456789012345678901234567890!",
            "xyz_abcdefgh_01234567890123456789012345678901",
        ] {
            assert_eq!(prefix_of(text), None, "{text}");
        }
    }

    #[test]
    fn revoked_and_expired_keys_are_refused() {
        let key = draw_key();
        let mut revoked = row(&key);
        revoked.revoked_at = Some(5);
        assert!(!admits(&revoked, &key.key, 10));
        let mut rotated = row(&key);
        rotated.expires_at = Some(100);
        assert!(admits(&rotated, &key.key, 99), "inside the grace period");
        assert!(!admits(&rotated, &key.key, 100));
        assert_eq!(state(&rotated, 50), KeyState::Expiring);
    }

    #[test]
    fn scope_lists_name_the_unknown_one() {
        assert_eq!(
            Scope::parse_list("wabas:read, tokens:read,wabas:read").unwrap(),
            vec![Scope::WabasRead, Scope::TokensRead]
        );
        let error = Scope::parse_list("wabas:read,wabas:write").unwrap_err();
        assert!(error.contains("wabas:write"), "{error}");
        assert!(Scope::parse_list(" , ").is_err());
    }
}
