//! The arithmetic of two-factor sign-in, without storage: TOTP secrets and codes (RFC 6238:
//! HMAC-SHA1, 6 digits, 30-second steps, the form every authenticator app reads), and
//! recovery codes. The service in `super::two_factor` stores and checks them.

use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, Secret, TOTP};

/// Digits of a code, and seconds of a time step.
pub const DIGITS: usize = 6;
pub const STEP_SECONDS: u64 = 30;
/// Codes of the step before and after the current one are accepted too (a clock a little off,
/// a code typed as it rolled over).
const SKEW_STEPS: u64 = 1;
/// The issuer authenticator apps show next to the account.
const ISSUER: &str = "MM Portal";
/// Recovery codes handed out at once.
pub const RECOVERY_CODES: usize = 10;

/// A new random shared secret: 160 bits (RFC 4226's recommendation), as base32.
pub fn new_secret() -> SecretString {
    use rand::RngCore;
    let mut bytes = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret = Secret::Raw(bytes.to_vec()).to_encoded().to_string();
    SecretString::from(secret)
}

/// The TOTP of `secret` (base32) for the account `email`.
pub fn totp(secret: &SecretString, email: &str) -> Result<TOTP, String> {
    let bytes = Secret::Encoded(secret.expose_secret().to_string())
        .to_bytes()
        .map_err(|_| "the stored two-factor secret is not base32".to_string())?;
    // The issuer and account name end up in the otpauth URI; neither may contain ':'.
    TOTP::new(
        Algorithm::SHA1,
        DIGITS,
        0,
        STEP_SECONDS,
        bytes,
        Some(ISSUER.into()),
        email.replace(':', ""),
    )
    .map_err(|e| e.to_string())
}

/// What an authenticator app is given: the `otpauth://` URI (in a QR code or pasted).
pub fn otpauth_uri(totp: &TOTP) -> String {
    totp.get_url()
}

/// The URI as a QR code: an `<svg>` element (a path, no script), for the page to inline.
pub fn qr_svg(uri: &str) -> Option<String> {
    let code = qrcode::QrCode::new(uri.as_bytes()).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // Without the XML declaration, which means nothing inside HTML.
    svg.find("<svg").map(|start| svg[start..].to_string())
}

/// Whether `input` has the shape of a TOTP code (6 digits, spaces allowed), not of a
/// recovery code.
pub fn looks_like_code(input: &str) -> bool {
    let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    digits.len() == DIGITS && digits.bytes().all(|b| b.is_ascii_digit())
}

/// The time step (`now_secs / 30`) whose code `input` is, within the accepted skew; `None`
/// when it matches none. Compared in constant time.
pub fn matching_step(totp: &TOTP, input: &str, now_secs: u64) -> Option<i64> {
    let typed: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    if !looks_like_code(&typed) {
        return None;
    }
    let current = now_secs / STEP_SECONDS;
    let mut found = None;
    for step in current.saturating_sub(SKEW_STEPS)..=current + SKEW_STEPS {
        let expected = totp.generate(step * STEP_SECONDS);
        if bool::from(expected.as_bytes().ct_eq(typed.as_bytes())) {
            found = Some(step as i64);
        }
    }
    found
}

/// The current Unix time in seconds.
pub fn now_secs() -> u64 {
    (crate::db::now_millis() / 1000).max(0) as u64
}

/// The alphabet of recovery codes: lower-case letters and digits without the look-alikes
/// 0/o, 1/l/i (31 symbols, almost 5 bits each).
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// [`RECOVERY_CODES`] new recovery codes, `xxxx-xxxx-xxxx-xxxx` (79 random bits each, so a
/// plain SHA-256 of them cannot be reversed by trying).
pub fn new_recovery_codes() -> Vec<String> {
    use rand::Rng;
    let mut rng = rand::rngs::OsRng;
    (0..RECOVERY_CODES)
        .map(|_| {
            let chars: Vec<char> = (0..16)
                .map(|_| RECOVERY_ALPHABET[rng.gen_range(0..RECOVERY_ALPHABET.len())] as char)
                .collect();
            chars
                .chunks(4)
                .map(|c| c.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect()
}

/// What is stored of a recovery code: the SHA-256 of its 16 symbols (case, spaces and dashes
/// as typed do not matter), as hex.
pub fn recovery_hash(code: &str) -> String {
    use sha2::{Digest, Sha256};
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    hex::encode(Sha256::digest(normal.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_their_step_and_the_neighbours_only() {
        let secret = new_secret();
        let totp = totp(&secret, "a@b.c").unwrap();
        let now = 1_800_000_000;
        let code = totp.generate(now);
        let step = (now / STEP_SECONDS) as i64;
        assert_eq!(matching_step(&totp, &code, now), Some(step));
        assert_eq!(matching_step(&totp, &code, now + 30), Some(step));
        assert_eq!(matching_step(&totp, &code, now - 30), Some(step));
        assert_eq!(matching_step(&totp, &code, now + 90), None);
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(matching_step(&totp, &spaced, now), Some(step));
        assert_eq!(matching_step(&totp, "abcdef", now), None);
    }

    #[test]
    fn rfc_6238_test_vector() {
        // RFC 6238, appendix B: the SHA-1 secret "12345678901234567890" at 59 s → 94287082
        // (8 digits; the 6-digit code is its last six).
        let raw = Secret::Raw(b"12345678901234567890".to_vec())
            .to_encoded()
            .to_string();
        let totp = totp(&SecretString::from(raw), "a@b.c").unwrap();
        assert_eq!(totp.generate(59), "287082");
    }

    #[test]
    fn recovery_codes_are_distinct_and_hash_as_typed() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let unique: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), RECOVERY_CODES);
        let code = &codes[0];
        assert_eq!(code.len(), 19);
        assert_eq!(
            recovery_hash(code),
            recovery_hash(&code.to_uppercase().replace('-', " "))
        );
        assert_ne!(recovery_hash(code), recovery_hash(&codes[1]));
    }

    #[test]
    fn the_uri_names_the_issuer_and_account() {
        let totp = totp(&new_secret(), "a@b.c").unwrap();
        let uri = otpauth_uri(&totp);
        assert!(
            uri.starts_with("otpauth://totp/MM%20Portal:a%40b.c?"),
            "{uri}"
        );
        let svg = qr_svg(&uri).unwrap();
        assert!(svg.starts_with("<svg") && !svg.contains("script"), "{svg}");
    }
}
