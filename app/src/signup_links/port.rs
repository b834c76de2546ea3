//! The port of signup links between the UI and the server: a link as staff see it, the form
//! that makes one, what the public signup page needs from a link, and (server only) the trait.

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::staff::port::StaffIdentity;

/// Where a link is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkState {
    /// Opens the signup page.
    Active,
    /// Single use, and a signup through it connected an account.
    Used,
    Expired,
    Revoked,
}

impl LinkState {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkState::Active => "active",
            LinkState::Used => "used",
            LinkState::Expired => "expired",
            LinkState::Revoked => "revoked",
        }
    }
}

/// One link in the staff list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignupLinkView {
    pub id: i64,
    pub url: String,
    pub customer_id: Option<String>,
    pub campaign: Option<String>,
    /// The pre-filled business name, if any.
    pub business_name: Option<String>,
    pub single_use: bool,
    pub state: LinkState,
    pub expires_at: Option<i64>,
    pub created_at: i64,
    pub created_by: String,
    /// Signups started through it, and those that connected a WABA.
    pub signups: i64,
    pub connected: i64,
}

/// The staff form that makes a link (every field optional but the lifetime).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewLinkForm {
    pub customer_id: String,
    pub campaign: String,
    pub business_name: String,
    pub business_email: String,
    pub business_website: String,
    /// Country calling code and national number of the business phone, digits.
    pub phone_code: String,
    pub phone_number: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub expires_in_days: u32,
    pub single_use: bool,
}

/// What the public signup page launches Embedded Signup with when opened through a link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkLaunch {
    pub campaign: Option<String>,
    /// Meta's `extras.setup` as JSON text (business, phone), or nothing.
    pub prefill: Option<String>,
}

/// Signup links, as the staff page and the public signup page use them.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait SignupLinksPort: Send + Sync + 'static {
    /// The newest links (below id `before`), of one customer when given.
    async fn list(
        &self,
        customer_id: Option<String>,
        before: Option<i64>,
    ) -> Result<Vec<SignupLinkView>, crate::error::AppError>;
    async fn create(
        &self,
        staff: &StaffIdentity,
        form: NewLinkForm,
    ) -> Result<SignupLinkView, crate::error::AppError>;
    async fn revoke(
        &self,
        staff: &StaffIdentity,
        id: i64,
    ) -> Result<SignupLinkView, crate::error::AppError>;
    /// For the public page: the link's launch data, or `Conflict` with the reason for the
    /// business (expired, withdrawn, used) and `NotFound` for an unknown token.
    /// `lang`: the language of the refusal's reason, for the business's page.
    async fn launch(
        &self,
        token: &str,
        lang: crate::i18n::Lang,
    ) -> Result<LinkLaunch, crate::error::AppError>;
}
