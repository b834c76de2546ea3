//! The port between the UI and the server: data shapes that cross the wire, and (server only)
//! the trait the server implements. Keeping it here means `app` never depends on sqlx or
//! reqwest, and tests can hand the UI any implementation.

use serde::{Deserialize, Serialize};

/// Whether the portal talks to the built-in simulator or to Meta.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Sandbox,
    Live,
}

impl Mode {
    pub fn label(self) -> &'static str {
        match self {
            Mode::Sandbox => "Sandbox",
            Mode::Live => "Live",
        }
    }
}

/// Reachability of the database, as shown on the status card and returned by `/healthz`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatabaseHealth {
    /// `sqlite` or `postgres`.
    pub backend: String,
    pub reachable: bool,
    /// Round-trip time of a trivial query, in milliseconds.
    pub latency_ms: f64,
}

/// A snapshot of the portal's health.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HealthReport {
    pub mode: Mode,
    pub version: String,
    pub database: DatabaseHealth,
    /// Seconds since this instance started.
    pub uptime_seconds: u64,
    /// Jobs waiting in the durable queue (all instances).
    pub queued_jobs: i64,
}

/// What the server offers the UI. Implemented in the server crate; handed to Leptos through
/// context as `Arc<dyn Portal>`.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait Portal: Send + Sync + 'static {
    async fn health(&self) -> HealthReport;
}

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

/// The public Embedded Signup flow, as the signup and status pages use it.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait SignupPort: Send + Sync + 'static {
    fn config(&self) -> SignupConfig;
    /// A new signup session; returns its nonce.
    async fn start(&self, campaign: Option<String>) -> Result<String, crate::error::AppError>;
    async fn launched(&self, nonce: &str) -> Result<(), crate::error::AppError>;
    async fn event(&self, nonce: &str, payload: &str) -> Result<(), crate::error::AppError>;
    async fn abandoned(&self, nonce: &str) -> Result<(), crate::error::AppError>;
    /// Exchanges the code; returns the status page key.
    async fn complete(&self, nonce: &str, code: &str) -> Result<String, crate::error::AppError>;
    async fn status(&self, status_key: &str) -> Result<SignupStatusView, crate::error::AppError>;
}
