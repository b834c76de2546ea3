//! Onboarding a business through Embedded Signup (docs/PRODUCT.md §"Embedded Signup", §"Onboarding pipeline").
//!
//! - [`session`]: the signup session (nonce), its funnel events, and the server-side code
//!   exchange that ends with the business token sealed in the database; [`session_info`]
//!   parses the browser's session-info messages into known fields; [`limits`] rate-limits
//!   the public server functions per client address;
//! - [`pipeline`]: the durable, idempotent steps that follow (subscribe webhooks, read the
//!   account, register the number, read eligibility, wait for the terms webhook);
//! - [`status`]: the truthful checklist the business admin sees on the public status page.

pub mod coexistence;
pub mod limits;
pub mod pipeline;
pub mod port;
pub mod reconnect;
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

/// Why a WABA's business token cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoToken {
    /// None is stored (the WABA did not connect through this portal, or not yet).
    Missing,
    /// The business removed the partner, uninstalled its app, deleted the WABA, or Meta
    /// offboarded it: the reason, for staff (`app::wabas::connection::staff_reason`).
    Disconnected(&'static str),
}

/// The business token of `waba`, opened from its sealed copy, unless its connection says it
/// must no longer be used (docs/meta/offboarding.md): every use of the token goes through
/// here, so a removed, uninstalled, deleted or offboarded WABA's token is never sent to Meta
/// nor handed to the partner.
pub async fn business_token(
    repo: &dyn crate::db::SecretStore,
    keys: &crate::crypto::KeyRing,
    waba: &crate::db::Waba,
) -> Result<secrecy::SecretString, NoToken> {
    app::wabas::connection::token_usable(waba.connection_state.as_deref())
        .map_err(NoToken::Disconnected)?;
    let slot = token_slot(&waba.meta_waba_id);
    let sealed = repo
        .get_secret(&slot)
        .await
        .ok()
        .flatten()
        .ok_or(NoToken::Missing)?;
    keys.open(&slot, &sealed).map_err(|_| NoToken::Missing)
}
