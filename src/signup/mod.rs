//! Onboarding a business through Embedded Signup (docs/PRODUCT.md §"Embedded Signup", §"Onboarding pipeline").
//!
//! - [`session`]: the signup session (nonce), its funnel events, and the server-side code
//!   exchange that ends with the business token sealed in the database; [`session_info`]
//!   parses the browser's session-info messages into known fields; [`limits`] rate-limits
//!   the public server functions per client address;
//! - [`pipeline`]: the durable, idempotent steps that follow (subscribe webhooks, read the
//!   account, register the number, read eligibility, wait for the terms webhook);
//! - [`status`]: the truthful checklist the business admin sees on the public status page.

pub mod limits;
pub mod pipeline;
pub mod port;
pub mod session;
pub mod session_info;
pub mod settings;
pub mod status;

use crate::db::SecretSlot;

/// Where the business token of a WABA is kept (sealed).
pub fn token_slot(meta_waba_id: &str) -> SecretSlot {
    SecretSlot {
        owner_kind: "waba".into(),
        owner_id: meta_waba_id.into(),
        purpose: "business_token".into(),
    }
}

/// Where the two-step verification PIN the portal chose for a number is kept (sealed).
pub fn pin_slot(meta_phone_id: &str) -> SecretSlot {
    SecretSlot {
        owner_kind: "phone".into(),
        owner_id: meta_phone_id.into(),
        purpose: "registration_pin".into(),
    }
}

/// The business token of a WABA, opened from its sealed copy.
pub async fn business_token(
    repo: &dyn crate::db::SecretStore,
    keys: &crate::crypto::KeyRing,
    meta_waba_id: &str,
) -> Option<secrecy::SecretString> {
    let slot = token_slot(meta_waba_id);
    let sealed = repo.get_secret(&slot).await.ok()??;
    keys.open(&slot, &sealed).ok()
}
