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

/// Longest password accepted when staff choose their own: argon2 hashes any length, but
/// nobody types more, and a megabyte "password" would only cost the server time.
pub const MAX_LENGTH: usize = 256;

/// The lowest zxcvbn score a new password needs: "safely unguessable", about 10^10 guesses
/// for an attacker who knows the common passwords, words, names, keyboard walks, dates and
/// the account's own email address.
const MIN_SCORE: zxcvbn::Score = zxcvbn::Score::Three;

/// The portal's one password policy, as the end of a sentence about the password: at least
/// [`MIN_LENGTH`] characters, not blank ([`basic_weakness`]), and not guessable
/// ([`guessable`]).
fn weakness(text: &str, context: &[&str]) -> Option<String> {
    basic_weakness(text).or_else(|| guessable(text, context))
}

fn basic_weakness(text: &str) -> Option<String> {
    if text.chars().count() < MIN_LENGTH {
        return Some(format!("must have at least {MIN_LENGTH} characters"));
    }
    if text.trim().is_empty() {
        return Some("must not be blank".into());
    }
    None
}

/// Refused by the zxcvbn strength estimator: common passwords, repeats, sequences, keyboard
/// walks, dictionary words and `context` (the email address and name of the account).
fn guessable(text: &str, context: &[&str]) -> Option<String> {
    // zxcvbn's cost grows with the length; anything longer than this is long enough.
    if text.chars().count() > 100 {
        return None;
    }
    let estimate = zxcvbn::zxcvbn(text, context);
    if estimate.score() >= MIN_SCORE {
        return None;
    }
    let hint = estimate
        .feedback()
        .and_then(|f| f.warning())
        .map(|w| format!(" ({})", w.to_string().trim_end_matches('.')))
        .unwrap_or_default();
    Some(format!(
        "is too easy to guess{hint}: add a few more unrelated words"
    ))
}

/// Why a new password is refused, in words. `context` is what an attacker knows of the
/// account (its email address, name).
pub fn check_strength(password: &SecretString, context: &[&str]) -> Result<(), String> {
    let text = password.expose_secret();
    if text.chars().count() > MAX_LENGTH {
        return Err(format!(
            "the password must have at most {MAX_LENGTH} characters"
        ));
    }
    match weakness(text, context) {
        Some(problem) => Err(format!("the password {problem}")),
        None => Ok(()),
    }
}

/// Why a staff member's choice of a new password is refused, as a sentence naming the field:
/// the policy of [`check_strength`], at most [`MAX_LENGTH`] characters, not the current
/// password, not their email address, and typed the same twice.
pub fn check_new_password(
    new: &SecretString,
    confirm: &SecretString,
    current: &SecretString,
    email: &str,
) -> Result<(), String> {
    let text = new.expose_secret();
    if let Some(problem) = basic_weakness(text) {
        return Err(format!("The new password {problem}."));
    }
    if text.chars().count() > MAX_LENGTH {
        return Err(format!(
            "The new password must have at most {MAX_LENGTH} characters."
        ));
    }
    if text.trim().eq_ignore_ascii_case(email.trim()) {
        return Err("The new password must not be your email address.".into());
    }
    if text == current.expose_secret() {
        return Err("The new password must differ from the current one.".into());
    }
    if text != confirm.expose_secret() {
        return Err("The confirmation does not match the new password: type it again.".into());
    }
    let local_part = email.split('@').next().unwrap_or_default();
    if let Some(problem) = guessable(text, &[email, local_part]) {
        return Err(format!("The new password {problem}."));
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

/// Password checks and hashes running at once, each holding argon2's 19 MiB: more wait their
/// turn, so a flood of sign-ins (from many addresses) queues instead of exhausting memory.
fn slots() -> std::sync::Arc<tokio::sync::Semaphore> {
    static SLOTS: std::sync::OnceLock<std::sync::Arc<tokio::sync::Semaphore>> =
        std::sync::OnceLock::new();
    SLOTS
        .get_or_init(|| {
            let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
            std::sync::Arc::new(tokio::sync::Semaphore::new(cores.clamp(2, 8)))
        })
        .clone()
}

/// [`verify`] on the blocking pool, at most a few at once (see [`slots`]); without a stored
/// hash (no such account), against the [`decoy_hash`], made there too so its first use does
/// not stall the async workers. The slot is held until the hash is done, even when the
/// request that asked is dropped.
pub async fn verify_bounded(password: SecretString, phc: Option<String>) -> bool {
    let Ok(slot) = slots().acquire_owned().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        verify(&password, phc.as_deref().unwrap_or_else(|| decoy_hash()))
    })
    .await
    .unwrap_or(false)
}

/// [`hash`] on the blocking pool, within the same bound as [`verify_bounded`].
pub async fn hash_bounded(password: SecretString) -> Result<String, tokio::task::JoinError> {
    let slot = slots().acquire_owned().await.ok();
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        hash(&password)
    })
    .await
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
    fn short_and_guessable_passwords_are_refused() {
        let check = |text: &str| check_strength(&SecretString::from(text.to_string()), &[]);
        assert!(check("short").is_err());
        for guessable in [
            "aaaaaaaaaaaa",
            "password1234",
            "qwertyuiop123",
            "123456789012",
        ] {
            let refusal = check(guessable).unwrap_err();
            assert!(
                refusal.contains("too easy to guess"),
                "{guessable}: {refusal}"
            );
        }
        // Passphrases the tests and the browser tests use.
        for fine in [
            "four random words, mine alone",
            "e2e staff password 42",
            "vera picks purple kites",
        ] {
            assert_eq!(check(fine), Ok(()), "{fine}");
        }
        assert!(check(&"x".repeat(MAX_LENGTH + 1))
            .unwrap_err()
            .contains("at most"));
        // What is known of the account counts as guessable.
        let refusal = check_strength(
            &SecretString::from("ada.lovelace2024".to_string()),
            &["ada.lovelace@partner.test", "ada.lovelace"],
        );
        assert!(refusal.is_err(), "{refusal:?}");
    }

    #[test]
    fn a_new_password_follows_the_policy_and_the_messages_name_the_field() {
        let secret = |text: &str| SecretString::from(text.to_string());
        let check = |new: &str, confirm: &str| {
            check_new_password(
                &secret(new),
                &secret(confirm),
                &secret("the current password"),
                "ada@partner.test",
            )
        };
        assert_eq!(
            check("short", "short").unwrap_err(),
            "The new password must have at least 12 characters."
        );
        assert_eq!(
            check("            ", "            ").unwrap_err(),
            "The new password must not be blank."
        );
        let long = "x".repeat(MAX_LENGTH + 1);
        assert!(check(&long, &long).unwrap_err().contains("at most 256"));
        assert!(check("Ada@Partner.test", "Ada@Partner.test")
            .unwrap_err()
            .contains("email address"));
        assert!(check("the current password", "the current password")
            .unwrap_err()
            .contains("differ from the current one"));
        assert!(check("a brand new password", "a brand new passw0rd")
            .unwrap_err()
            .contains("confirmation does not match"));
        assert_eq!(
            check("a brand new password", "a brand new password"),
            Ok(())
        );
        // The sign-in policy's wording is unchanged for `mm-portal admin create`.
        assert_eq!(
            check_strength(&secret("short"), &[]).unwrap_err(),
            "the password must have at least 12 characters"
        );
    }
}
