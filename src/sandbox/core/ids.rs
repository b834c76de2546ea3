//! Ids, codes and tokens shaped like the ones Meta mints, for every part of the simulator that
//! creates objects (tester signups, partner tokens, BISUATs, Intent API requests, messages).

use rand::Rng;

use crate::sandbox::model::{GranularScope, Token};

/// A random numeric id shaped like Meta's.
pub fn graph_id() -> String {
    let mut rng = rand::thread_rng();
    format!(
        "{}{:014}",
        rng.gen_range(1..10),
        rng.gen_range(0..100_000_000_000_000u64)
    )
}

/// Random letters and digits, for codes and tokens.
pub fn random_text(length: usize) -> String {
    random_from(
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        length,
    )
}

/// `length` random characters of `alphabet` (ASCII).
pub fn random_from(alphabet: &[u8], length: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..length)
        .map(|_| alphabet[rng.gen_range(0..alphabet.len())] as char)
        .collect()
}

/// A business integration system user token's text.
fn access_token() -> String {
    format!("EAAS{}", random_text(120))
}

/// A new business integration system user token of the app `app_id`, granting each of
/// `scopes` on `targets`: the token's text and its stored form.
pub fn system_user_token<S: ToString>(
    app_id: &str,
    scopes: &[S],
    targets: &[String],
) -> (String, Token) {
    let token = Token {
        app_id: app_id.to_string(),
        user_id: graph_id(),
        kind: "SYSTEM_USER".into(),
        granular_scopes: scopes
            .iter()
            .map(|scope| GranularScope {
                scope: scope.to_string(),
                target_ids: targets.to_vec(),
            })
            .collect(),
        issued_at: crate::db::now_millis() / 1000,
        expires_at: 0,
    };
    (access_token(), token)
}
