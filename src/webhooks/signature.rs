//! `X-Hub-Signature-256`: `sha256=` followed by the lowercase hex HMAC-SHA256 of the raw request
//! body, keyed with the app secret (Meta's "Validating payloads" rule). The comparison is
//! constant time (`Mac::verify_slice`).

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

pub const HEADER: &str = "x-hub-signature-256";

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the X-Hub-Signature-256 header is missing")]
    Missing,
    #[error("the X-Hub-Signature-256 header is not `sha256=<hex>`")]
    Malformed,
    #[error("the X-Hub-Signature-256 signature does not match the body")]
    Mismatch,
}

/// The header value Meta would send for `body`.
pub fn sign(app_secret: &SecretString, body: &[u8]) -> String {
    let mut mac = mac(app_secret);
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// The digest a header (the raw value, if any) carries: checked before the body is read, so a
/// request without a well-formed signature costs no body.
pub fn parse_header(header: Option<&[u8]>) -> Result<[u8; 32], SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let hex_digest = header
        .strip_prefix(b"sha256=")
        .ok_or(SignatureError::Malformed)?;
    let mut digest = [0u8; 32];
    hex::decode_to_slice(hex_digest, &mut digest).map_err(|_| SignatureError::Malformed)?;
    Ok(digest)
}

/// Checks a digest from [`parse_header`] against `body`, in constant time.
pub fn verify_digest(
    app_secret: &SecretString,
    digest: &[u8; 32],
    body: &[u8],
) -> Result<(), SignatureError> {
    let mut mac = mac(app_secret);
    mac.update(body);
    mac.verify_slice(digest)
        .map_err(|_| SignatureError::Mismatch)
}

/// Checks `header` (the raw header value, if any) against `body`.
pub fn verify(
    app_secret: &SecretString,
    header: Option<&[u8]>,
    body: &[u8],
) -> Result<(), SignatureError> {
    verify_digest(app_secret, &parse_header(header)?, body)
}

fn mac(app_secret: &SecretString) -> HmacSha256 {
    HmacSha256::new_from_slice(app_secret.expose_secret().as_bytes())
        .expect("HMAC accepts keys of any length")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> SecretString {
        SecretString::from("0123456789abcdef0123456789abcdef")
    }

    #[test]
    fn a_signature_made_for_the_body_verifies() {
        let body = br#"{"object":"whatsapp_business_account","entry":[]}"#;
        let header = sign(&secret(), body);
        assert!(header.starts_with("sha256="));
        assert_eq!(header.len(), 7 + 64);
        assert_eq!(verify(&secret(), Some(header.as_bytes()), body), Ok(()));
        // Hex case does not matter.
        let upper = format!("sha256={}", header[7..].to_uppercase());
        assert_eq!(verify(&secret(), Some(upper.as_bytes()), body), Ok(()));
    }

    #[test]
    fn known_vector() {
        // HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog")
        let header = sign(
            &SecretString::from("key"),
            b"The quick brown fox jumps over the lazy dog",
        );
        assert_eq!(
            header,
            "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
    }

    #[test]
    fn wrong_missing_and_malformed_signatures_are_told_apart() {
        let body = b"{}";
        let other = sign(&secret(), b"{ }");
        assert_eq!(verify(&secret(), None, body), Err(SignatureError::Missing));
        assert_eq!(
            verify(&secret(), Some(other.as_bytes()), body),
            Err(SignatureError::Mismatch)
        );
        let wrong_key = sign(&SecretString::from("another secret"), body);
        assert_eq!(
            verify(&secret(), Some(wrong_key.as_bytes()), body),
            Err(SignatureError::Mismatch)
        );
        for bad in [&b"sha1=abcd"[..], b"sha256=zz", b"sha256=abcd", b""] {
            assert_eq!(
                verify(&secret(), Some(bad), body),
                Err(SignatureError::Malformed)
            );
        }
    }
}
