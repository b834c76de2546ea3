//! The simulator's core, shared by every endpoint family and the tester API and depending on
//! none of them: the state handlers get ([`SandboxState`]), access to the simulator's store
//! ([`store`]), who is calling and with what ([`caller`]: the opening every Graph handler
//! shares, token and `appsecret_proof` checks), Meta's error objects ([`errors`]) and the
//! ids and secrets Meta would mint ([`ids`]).

pub mod caller;
pub mod errors;
pub mod ids;
pub mod store;

use std::sync::Arc;

use secrecy::SecretString;
use url::Url;

use crate::db::SandboxStore;

#[derive(Clone)]
pub struct SandboxState {
    pub store: Arc<dyn SandboxStore>,
    /// The simulated Meta app (the portal's `META_APP_ID` / `META_APP_SECRET`).
    pub app_id: String,
    pub app_secret: Arc<SecretString>,
    /// Where the simulator sends Meta's webhooks: the portal's `/webhooks/meta`.
    pub webhook_url: Option<Url>,
    pub http: reqwest::Client,
    /// The built-in receivers for relay destinations and event endpoints.
    pub sinks: Arc<crate::sandbox::sink::Sinks>,
}
