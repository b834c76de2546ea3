//! Signup links: the partner (its CRM through the API, or staff on /signup-links) makes a link
//! for one customer — the partner's own `customer_id`, a campaign, what Meta's form should be
//! pre-filled with, an expiry, single use or not. The business opens `/signup/link/<token>`,
//! the signup it starts remembers the link and the customer id, and so does the WABA it
//! connects: the partner's systems find their customer's WABA by their own id.
//!
//! Single use means one completed signup: a business may open the link, close Meta's window
//! and come back as often as it likes, but only the first code exchange through the link
//! counts (claimed atomically, `SignupLinkStore::use_signup_link`). Expiry and revocation end
//! the link for new visits; a signup already in Meta's window may still finish (its session
//! has its own 24 h lifetime).

pub mod port;
pub mod prefill;

use std::sync::Arc;

use rand::RngCore;
use url::Url;

use crate::db::{Millis, NewAuditEntry, NewSignupLink, SignupLinkRow};
use crate::errors::internal;
use app::error::AppError;
use app::signup_links::port::LinkState;
use prefill::Prefill;

/// The stores this feature reads and writes.
pub trait Stores: crate::db::SignupLinkStore + crate::db::AuditStore {}
impl<T: crate::db::SignupLinkStore + crate::db::AuditStore> Stores for T {}

/// A link lives 30 days unless its maker says otherwise, a year at most.
pub const DEFAULT_LIFETIME_MS: Millis = 30 * 24 * 3600 * 1000;
pub const MAX_LIFETIME_MS: Millis = 365 * 24 * 3600 * 1000;
const MAX_CUSTOMER_ID: usize = 128;

/// What a new link is made with (already parsed; checked by [`SignupLinksService::create`]).
#[derive(Debug, Clone, Default)]
pub struct LinkRequest {
    pub customer_id: Option<String>,
    pub campaign: Option<String>,
    pub prefill: Option<Prefill>,
    /// Unix millis; `None` for [`DEFAULT_LIFETIME_MS`] from now.
    pub expires_at: Option<Millis>,
    pub single_use: bool,
}

/// Who made or revoked a link, for the audit log.
#[derive(Debug, Clone)]
pub struct Actor {
    /// `staff:<email>` or `api:<key prefix>`.
    pub name: String,
    pub staff_id: Option<i64>,
    pub ip: Option<String>,
}

/// Why a link does not start a signup, in words for the business that opened it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Unknown,
    Expired,
    Revoked,
    Used,
}

impl Refusal {
    /// The business-facing text's Fluent id (`app/locales/*/public.ftl`).
    pub fn key(self) -> &'static str {
        match self {
            Refusal::Unknown => "link-refused-invalid",
            Refusal::Expired => "link-refused-expired",
            Refusal::Revoked => "link-refused-revoked",
            Refusal::Used => "link-refused-used",
        }
    }

    /// In English, for the partner API and the logs.
    pub fn message(self) -> &'static str {
        match self {
            Refusal::Unknown => {
                "This signup link is not valid. Check that you copied all of it, or ask your partner for a new one."
            }
            Refusal::Expired => "This signup link has expired. Ask your partner for a new one.",
            Refusal::Revoked => {
                "This signup link was withdrawn by your partner. Ask them for a new one."
            }
            Refusal::Used => {
                "This signup link was already used to connect an account. Ask your partner for a new one if you need to connect another."
            }
        }
    }
}

/// A link's state at `now`.
pub fn state(link: &SignupLinkRow, now: Millis) -> LinkState {
    if link.revoked_at.is_some() {
        LinkState::Revoked
    } else if link.single_use && link.used_at.is_some() {
        LinkState::Used
    } else if link.expires_at.is_some_and(|at| at <= now) {
        LinkState::Expired
    } else {
        LinkState::Active
    }
}

pub struct SignupLinksService {
    store: Arc<dyn Stores>,
    /// The portal's address as businesses reach it; links are absolute.
    base_url: Url,
}

impl SignupLinksService {
    pub fn new(store: Arc<dyn Stores>, base_url: Url) -> Self {
        Self { store, base_url }
    }

    /// The address a business opens.
    pub fn url(&self, link: &SignupLinkRow) -> String {
        self.base_url
            .join(&format!("signup/link/{}", link.token))
            .map(String::from)
            .unwrap_or_else(|_| format!("/signup/link/{}", link.token))
    }

    /// Checks `request` (an [`AppError::Invalid`] naming the field otherwise), makes the
    /// link and audits it.
    pub async fn create(
        &self,
        request: LinkRequest,
        actor: &Actor,
        now: Millis,
    ) -> Result<SignupLinkRow, AppError> {
        let customer_id = match request.customer_id.map(|c| c.trim().to_string()) {
            Some(c) if c.is_empty() => None,
            Some(c) if c.chars().count() > MAX_CUSTOMER_ID || c.chars().any(char::is_control) => {
                return Err(AppError::Invalid(format!(
                    "customer_id: at most {MAX_CUSTOMER_ID} characters, no control characters"
                )))
            }
            other => other,
        };
        let campaign = match request.campaign.map(|c| c.trim().to_string()) {
            Some(c) if c.is_empty() => None,
            Some(c) => Some(crate::signup::session::campaign_name(&c).ok_or_else(|| {
                AppError::Invalid("campaign: at most 64 letters, digits, '-', '_' or '.'".into())
            })?),
            None => None,
        };
        let prefill = match request.prefill {
            Some(p) if p == Prefill::default() => None,
            Some(p) => {
                prefill::validate(&p).map_err(AppError::Invalid)?;
                Some(serde_json::to_string(&p).map_err(internal)?)
            }
            None => None,
        };
        let expires_at = request.expires_at.unwrap_or(now + DEFAULT_LIFETIME_MS);
        if expires_at <= now {
            return Err(AppError::Invalid(
                "expires_at: must be in the future".into(),
            ));
        }
        if expires_at > now + MAX_LIFETIME_MS {
            return Err(AppError::Invalid(
                "expires_at: at most 365 days from now".into(),
            ));
        }
        let link = self
            .store
            .create_signup_link(&NewSignupLink {
                token: random_token(),
                customer_id,
                campaign,
                prefill,
                single_use: request.single_use,
                expires_at: Some(expires_at),
                created_by: actor.name.clone(),
            })
            .await
            .map_err(internal)?;
        self.audit(actor, "signup_link.created", &link).await?;
        Ok(link)
    }

    pub async fn get(&self, id: i64) -> Result<Option<SignupLinkRow>, AppError> {
        self.store.signup_link(id).await.map_err(internal)
    }

    /// Newest first, below id `before`, of one customer when given.
    pub async fn page(
        &self,
        customer_id: Option<&str>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<SignupLinkRow>, AppError> {
        self.store
            .signup_links_page(customer_id, before, limit)
            .await
            .map_err(internal)
    }

    /// Ends the link for new visits (idempotent); `NotFound` for an unknown id.
    pub async fn revoke(
        &self,
        id: i64,
        actor: &Actor,
        now: Millis,
    ) -> Result<SignupLinkRow, AppError> {
        let before = self.get(id).await?.ok_or(AppError::NotFound)?;
        let link = self
            .store
            .revoke_signup_link(id, now)
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)?;
        if before.revoked_at.is_none() {
            self.audit(actor, "signup_link.revoked", &link).await?;
        }
        Ok(link)
    }

    /// The link behind `token` if it may start a signup now, else why not.
    pub async fn resolve(
        &self,
        token: &str,
        now: Millis,
    ) -> Result<Result<SignupLinkRow, Refusal>, AppError> {
        resolve(self.store.as_ref(), token, now)
            .await
            .map_err(internal)
    }

    async fn audit(
        &self,
        actor: &Actor,
        action: &str,
        link: &SignupLinkRow,
    ) -> Result<(), AppError> {
        self.store
            .append_audit(&NewAuditEntry {
                staff_id: actor.staff_id,
                actor: actor.name.clone(),
                action: action.into(),
                target_kind: Some("signup_link".into()),
                target_id: Some(link.id.to_string()),
                detail: Some(
                    serde_json::json!({
                        "customer_id": link.customer_id,
                        "campaign": link.campaign,
                        "single_use": link.single_use,
                    })
                    .to_string(),
                ),
                ip: actor.ip.clone(),
            })
            .await
            .map_err(internal)?;
        Ok(())
    }
}

/// The link behind `token` if it may start a signup at `now`, else why not (the signup
/// session checks again when it starts).
pub async fn resolve<S: crate::db::SignupLinkStore + ?Sized>(
    store: &S,
    token: &str,
    now: Millis,
) -> crate::db::DbResult<Result<SignupLinkRow, Refusal>> {
    if token.is_empty() || token.len() > 64 {
        return Ok(Err(Refusal::Unknown));
    }
    let Some(link) = store.signup_link_by_token(token).await? else {
        return Ok(Err(Refusal::Unknown));
    };
    Ok(match state(&link, now) {
        LinkState::Active => Ok(link),
        LinkState::Expired => Err(Refusal::Expired),
        LinkState::Revoked => Err(Refusal::Revoked),
        LinkState::Used => Err(Refusal::Used),
    })
}

/// 24 random bytes, URL-safe: the link cannot be guessed or enumerated.
fn random_token() -> String {
    let mut bytes = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, bytes)
}
