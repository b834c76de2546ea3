//! The port of this feature between the UI and the server: the data shapes that cross the
//! wire and (server only) the trait the server implements. The public Embedded Signup flow: what the signup page needs to launch it, and the status page.

use serde::{Deserialize, Serialize};

/// What the public signup page needs to launch Embedded Signup. All of it is public: it is
/// what Meta's own snippet puts in the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignupConfig {
    pub partner_name: String,
    pub app_id: String,
    pub config_id: String,
    pub graph_version: String,
    pub sdk_url: String,
    /// Empty for Meta's default flow.
    pub feature_type: String,
    pub es_version: String,
    pub solution_id: Option<String>,
    /// Exact origins whose `message` events count; empty = the page's own origin (sandbox).
    pub origins: Vec<String>,
    pub sandbox: bool,
}

/// The state of one line of the status checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckState {
    Done,
    /// We are working on it right now (including automatic retries).
    Working,
    /// Waiting for Meta.
    Waiting,
    /// The business must do something; the detail says what.
    ActionNeeded,
    /// Stopped on an error; our team has to look.
    Failed,
    /// Not started yet.
    Pending,
}

impl CheckState {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckState::Done => "done",
            CheckState::Working => "working",
            CheckState::Waiting => "waiting",
            CheckState::ActionNeeded => "action_needed",
            CheckState::Failed => "failed",
            CheckState::Pending => "pending",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckItem {
    pub key: String,
    pub label: String,
    pub state: CheckState,
    pub detail: String,
}

/// The public status page of one signup: only this business's own data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignupStatusView {
    pub business_name: Option<String>,
    pub waba_name: Option<String>,
    pub phone_numbers: Vec<String>,
    pub headline: String,
    pub ready: bool,
    pub items: Vec<CheckItem>,
}

/// The business admin's optional email (given on the signup page) and the page's language:
/// the status link and "action needed" mail go there, in that language (MAIL.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminContact {
    pub email: Option<String>,
    pub lang: crate::i18n::Lang,
}

/// The kinds of public signup server function, each with its own rate limit per client
/// address (`src/signup/limits.rs` has the numbers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicCall {
    /// `signup_start`: a new signup session (a database row).
    Start,
    /// `signup_launched`, `signup_event`, `signup_abandoned`: funnel events.
    Event,
    /// `signup_complete`: the code exchange (calls Meta).
    Exchange,
    /// `signup_config`, `signup_status`: reads (the status page polls every 2 s).
    Read,
}

/// The client address of a request (after trusted proxies), put in its extensions by the
/// server for the public server functions' rate limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub std::net::IpAddr);

/// The public Embedded Signup flow, as the signup and status pages use it.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait SignupPort: Send + Sync + 'static {
    /// Counts one `call` from `client` against its rate limit: `AppError::RateLimited` with
    /// the seconds to wait when over it. Every public server function asks first.
    async fn admit(
        &self,
        call: PublicCall,
        client: Option<ClientAddress>,
    ) -> Result<(), crate::error::AppError>;
    async fn config(&self) -> SignupConfig;
    /// A new signup session; returns its nonce.
    /// `link`: the token of the signup link the page was opened through.
    /// `lang`: the language of a refusal's reason.
    async fn start(
        &self,
        campaign: Option<String>,
        link: Option<String>,
        lang: crate::i18n::Lang,
    ) -> Result<String, crate::error::AppError>;
    async fn launched(&self, nonce: &str) -> Result<(), crate::error::AppError>;
    async fn event(&self, nonce: &str, payload: &str) -> Result<(), crate::error::AppError>;
    async fn abandoned(&self, nonce: &str) -> Result<(), crate::error::AppError>;
    /// Exchanges the code; returns the status page key. `contact`: where the business admin
    /// wants the status link and Meta's requests, and in which language.
    async fn complete(
        &self,
        nonce: &str,
        code: &str,
        contact: AdminContact,
    ) -> Result<String, crate::error::AppError>;
    /// The status checklist, its texts in `lang`.
    async fn status(
        &self,
        status_key: &str,
        lang: crate::i18n::Lang,
    ) -> Result<SignupStatusView, crate::error::AppError>;
}
