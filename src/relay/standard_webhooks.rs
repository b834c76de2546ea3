//! Standard Webhooks signatures (the specification at standardwebhooks.com, v1): a secret is
//! `whsec_` followed by the base64 of its key bytes; a message is signed as the base64 of
//! HMAC-SHA256(key, "{webhook-id}.{webhook-timestamp}.{body}") and sent as
//! `webhook-signature: v1,<signature>`, several space-separated while a secret rotates.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

pub const ID: &str = "webhook-id";
pub const TIMESTAMP: &str = "webhook-timestamp";
pub const SIGNATURE: &str = "webhook-signature";
const PREFIX: &str = "whsec_";

/// A new secret: 32 random bytes.
pub fn new_secret() -> String {
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    format!("{PREFIX}{}", STANDARD.encode(key))
}

/// The key bytes of a `whsec_` secret; `None` if it is not one.
pub fn key(secret: &str) -> Option<Vec<u8>> {
    STANDARD.decode(secret.strip_prefix(PREFIX)?).ok()
}

/// `v1,<signature>` for one message.
pub fn sign(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// Whether any `v1` signature of a `webhook-signature` header matches the message (constant
/// time per signature). Used by the sandbox sink and the tests' receiver.
pub fn verify(key: &[u8], id: &str, timestamp: i64, body: &[u8], header: &str) -> bool {
    header.split(' ').any(|part| {
        let Some(encoded) = part.strip_prefix("v1,") else {
            return false;
        };
        let Ok(given) = STANDARD.decode(encoded) else {
            return false;
        };
        let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
        mac.update(format!("{id}.{timestamp}.").as_bytes());
        mac.update(body);
        mac.verify_slice(&given).is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the specification's reference libraries (standard-webhooks, the
    /// `Webhook.sign` test vector): this secret, id, timestamp and payload sign to this value.
    #[test]
    fn signs_the_reference_vector() {
        let key = key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            sign(&key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn verifies_one_of_several_signatures_and_refuses_a_changed_body() {
        let secret = new_secret();
        let key = key(&secret).unwrap();
        let header = format!("v1,bm90IGl0 {}", sign(&key, "evt_1", 10, b"{}"));
        assert!(verify(&key, "evt_1", 10, b"{}", &header));
        assert!(!verify(&key, "evt_1", 10, b"{ }", &header));
        assert!(!verify(&key, "evt_1", 11, b"{}", &header));
        assert!(key.len() == 32 && secret.starts_with("whsec_"));
    }
}
