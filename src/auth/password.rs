//! Staff passwords: argon2id with OWASP's recommended parameters (19 MiB memory, 2 passes,
//! 1 lane), stored as PHC strings. Verification runs on the blocking pool: it takes tens of
//! milliseconds of CPU by design.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret, SecretString};

/// Shortest password accepted for a staff account.
pub const MIN_LENGTH: usize = 12;

fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Why a new password is refused, in words.
pub fn check_strength(password: &SecretString) -> Result<(), String> {
    let text = password.expose_secret();
    if text.chars().count() < MIN_LENGTH {
        return Err(format!(
            "the password must have at least {MIN_LENGTH} characters"
        ));
    }
    if text.trim().is_empty() {
        return Err("the password must not be blank".into());
    }
    Ok(())
}

pub fn hash(password: &SecretString) -> String {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.expose_secret().as_bytes(), &salt)
        .expect("argon2 hashing of an in-memory password cannot fail")
        .to_string()
}

pub fn verify(password: &SecretString, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => hasher()
            .verify_password(password.expose_secret().as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash to verify against when the account does not exist, so that a wrong email takes as
/// long as a wrong password (no account enumeration by timing).
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash(&SecretString::from("decoy password that matches nothing")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_with_owasp_parameters_and_verify() {
        let password = SecretString::from("correct horse battery".to_string());
        let phc = hash(&password);
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify(&password, &phc));
        assert!(!verify(
            &SecretString::from("wrong horse battery".to_string()),
            &phc
        ));
        assert!(!verify(&password, "not a phc string"));
        assert_ne!(hash(&password), phc, "salted");
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(check_strength(&SecretString::from("short".to_string())).is_err());
        assert!(check_strength(&SecretString::from("long enough pass".to_string())).is_ok());
    }
}
