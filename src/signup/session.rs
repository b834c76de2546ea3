//! The signup session and the code exchange.
//!
//! The admin's browser holds a server-issued nonce from page load; session-info events and the
//! code are sent with it. The code is exchanged here, on the server, inside its ~30 s life:
//! `oauth/access_token` (client id + secret, no redirect_uri for the popup flow), then
//! `debug_token` to learn which WABAs the token was granted on. The token is sealed with the
//! key ring before it touches the database and is never returned, logged or put in an error.

use std::sync::Arc;

use rand::RngCore;
use serde_json::Value;

use super::pipeline::{self, Step};
use super::token_slot;
use crate::crypto::KeyRing;
use crate::db::{
    NewBusiness, NewSignup, NewTimelineEvent, Signup, SignupEvent, SignupStage, WabaUpsert,
};
use crate::graph::{GraphCallError, GraphClient, Reaction};

/// The stores this module reads and writes.
pub trait Stores:
    crate::db::SecretStore
    + crate::db::SignupStore
    + crate::db::TimelineStore
    + crate::db::WabaStore
    + crate::db::JobStore
    + crate::db::StepStore
    + crate::db::SettingStore
{
}
impl<
        T: crate::db::SecretStore
            + crate::db::SignupStore
            + crate::db::TimelineStore
            + crate::db::WabaStore
            + crate::db::JobStore
            + crate::db::StepStore
            + crate::db::SettingStore,
    > Stores for T
{
}

/// The scopes an MM API onboarding needs on the WABA.
pub const REQUIRED_SCOPES: &[&str] = &[
    "whatsapp_business_management",
    "whatsapp_business_messaging",
];

/// Longest session-info payload accepted (Meta's are a few hundred bytes).
const MAX_EVENT_BYTES: usize = 8 * 1024;

/// Why a signup step failed, in words for the business admin. Never holds a token or a code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignupError {
    #[error("This signup session is not known. Reload the page and start again.")]
    UnknownSession,
    #[error("This signup was already completed. Reload the page to start a new one.")]
    AlreadyUsed,
    #[error("The event from the signup window could not be read.")]
    MalformedEvent,
    #[error("Meta's authorization expired before we could use it (it lives about 30 seconds). Please connect again.")]
    CodeExpired,
    #[error("Meta did not accept the authorization ({0}). Please connect again.")]
    CodeRejected(String),
    #[error("You did not grant the permissions we need: {0}. Please connect again and keep them selected.")]
    MissingPermissions(String),
    #[error("No WhatsApp Business Account was shared with us. Please connect again and select or create one.")]
    NoWaba,
    #[error("Meta is not reachable right now. Please try again in a minute.")]
    MetaUnavailable,
    #[error("Something went wrong on our side; nothing was lost. Please try again.")]
    Internal,
}

/// The public settings the signup page launches Embedded Signup with.
#[derive(Debug, Clone)]
pub struct LaunchSettings {
    pub app_id: String,
    pub config_id: String,
    pub graph_version: String,
    pub sdk_url: String,
    /// Empty for the default flow; `whatsapp_business_app_onboarding` (coexistence) or
    /// `only_waba_sharing`.
    pub feature_type: String,
    /// `v3` (extras carry the features) or `v4`.
    pub es_version: String,
    pub solution_id: Option<String>,
    /// Exact origins whose `message` events are accepted; empty = the page's own origin
    /// (sandbox mode, where the simulator's popup is served by this server).
    pub origins: Vec<String>,
    pub partner_name: String,
    pub sandbox: bool,
}

pub struct SignupService {
    store: Arc<dyn Stores>,
    /// Where admins' run-time settings live (see `super::settings`).
    settings: Arc<dyn crate::db::SettingStore>,
    graph: GraphClient,
    keys: Arc<KeyRing>,
    pub launch: LaunchSettings,
}

/// What `start` hands the page.
pub struct Started {
    pub nonce: String,
}

fn random_key(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, buf)
}

/// A session-info message, as far as the portal reads it. Everything is optional: partial
/// payloads are recorded, not rejected.
struct SessionInfo {
    event: String,
    data: Value,
}

fn parse_session_info(raw: &str) -> Result<SessionInfo, SignupError> {
    if raw.len() > MAX_EVENT_BYTES {
        return Err(SignupError::MalformedEvent);
    }
    let value: Value = serde_json::from_str(raw).map_err(|_| SignupError::MalformedEvent)?;
    if value.get("type").and_then(Value::as_str) != Some("WA_EMBEDDED_SIGNUP") {
        return Err(SignupError::MalformedEvent);
    }
    let event = value
        .get("event")
        .and_then(Value::as_str)
        .filter(|e| !e.is_empty() && e.len() <= 64)
        .ok_or(SignupError::MalformedEvent)?
        .to_string();
    let data = value.get("data").cloned().unwrap_or(Value::Null);
    Ok(SessionInfo { event, data })
}

fn text(data: &Value, key: &str) -> Option<String> {
    match data.get(key) {
        Some(Value::String(s)) if !s.is_empty() && s.len() <= 128 => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

impl SignupService {
    pub fn new(
        store: Arc<dyn Stores>,
        settings: Arc<dyn crate::db::SettingStore>,
        graph: GraphClient,
        keys: Arc<KeyRing>,
        launch: LaunchSettings,
    ) -> Self {
        Self {
            store,
            settings,
            graph,
            keys,
            launch,
        }
    }

    /// The environment's Embedded Signup settings (what admins' saved settings override).
    pub fn default_settings(&self) -> app::settings::port::EsSettings {
        app::settings::port::EsSettings {
            partner_name: self.launch.partner_name.clone(),
            config_id: self.launch.config_id.clone(),
            feature_type: self.launch.feature_type.clone(),
            es_version: self.launch.es_version.clone(),
            solution_id: self.launch.solution_id.clone(),
        }
    }

    /// The launch settings in force now: saved settings over the environment's.
    pub async fn current_launch(&self) -> LaunchSettings {
        let saved =
            super::settings::effective(self.settings.as_ref(), &self.default_settings()).await;
        LaunchSettings {
            partner_name: saved.partner_name,
            config_id: saved.config_id,
            feature_type: saved.feature_type,
            es_version: saved.es_version,
            solution_id: saved.solution_id,
            ..self.launch.clone()
        }
    }

    /// The stores, for the port's reads (`onboarding::port`).
    pub fn store(&self) -> &dyn Stores {
        self.store.as_ref()
    }

    /// The business's name by internal id (for the status page).
    pub async fn business_name(&self, business_id: i64) -> Option<String> {
        self.store
            .business_by_id(business_id)
            .await
            .ok()
            .flatten()
            .map(|b| b.name)
    }

    /// A new signup session for one visit of the signup page.
    pub async fn start(&self, campaign: Option<String>) -> Result<Started, SignupError> {
        let campaign = campaign
            .map(|c| c.trim().chars().take(64).collect::<String>())
            .filter(|c| !c.is_empty());
        let signup = self
            .store
            .create_signup(&NewSignup {
                nonce: random_key(24),
                status_key: random_key(18),
                campaign,
                feature_type: self.current_launch().await.feature_type,
            })
            .await
            .map_err(internal)?;
        Ok(Started {
            nonce: signup.nonce,
        })
    }

    async fn by_nonce(&self, nonce: &str) -> Result<Signup, SignupError> {
        self.store
            .signup_by_nonce(nonce)
            .await
            .map_err(internal)?
            .ok_or(SignupError::UnknownSession)
    }

    /// The admin pressed the button (the popup opened).
    pub async fn launched(&self, nonce: &str) -> Result<(), SignupError> {
        let signup = self.by_nonce(nonce).await?;
        self.store
            .record_signup_event(
                signup.id,
                &SignupEvent {
                    event: "launched".into(),
                    ..Default::default()
                },
            )
            .await
            .map_err(internal)?;
        Ok(())
    }

    /// Records one `WA_EMBEDDED_SIGNUP` session-info message, as received.
    pub async fn record_event(&self, nonce: &str, raw: &str) -> Result<(), SignupError> {
        let signup = self.by_nonce(nonce).await?;
        let info = parse_session_info(raw)?;
        let data = &info.data;
        let mut event = SignupEvent {
            event: info.event.clone(),
            detail: Some(raw.to_string()),
            ..Default::default()
        };
        let is_error = data.get("error_message").is_some() || info.event == "ERROR";
        match info.event.as_str() {
            "FINISH" | "FINISH_ONLY_WABA" | "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING" => {
                event.stage = Some(SignupStage::Finished);
                event.meta_business_id = text(data, "business_id");
                event.meta_waba_id = text(data, "waba_id");
                event.meta_phone_id = text(data, "phone_number_id");
                event.coexistence = Some(info.event == "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING");
            }
            _ if is_error => {
                event.stage = Some(SignupStage::Errored);
                event.error = Some(match text(data, "error_message") {
                    Some(message) => format!("Meta reported a problem: {message}"),
                    None => "Meta reported a problem in the signup window.".into(),
                });
            }
            "CANCEL" => {
                event.stage = Some(SignupStage::Cancelled);
                event.cancel_step = text(data, "current_step").or(Some("UNKNOWN".into()));
            }
            _ => {}
        }
        self.store
            .record_signup_event(signup.id, &event)
            .await
            .map_err(internal)?;
        Ok(())
    }

    /// The popup closed without a code (closed, cancelled or blocked).
    pub async fn abandoned(&self, nonce: &str) -> Result<(), SignupError> {
        let signup = self.by_nonce(nonce).await?;
        self.store
            .record_signup_event(
                signup.id,
                &SignupEvent {
                    event: "closed_without_code".into(),
                    stage: Some(SignupStage::Cancelled),
                    ..Default::default()
                },
            )
            .await
            .map_err(internal)?;
        Ok(())
    }

    /// Exchanges the code for the business token, records the business and WABA, and starts
    /// the onboarding pipeline. Returns the status page key.
    pub async fn complete(&self, nonce: &str, code: &str) -> Result<String, SignupError> {
        let started = std::time::Instant::now();
        let signup = match self
            .store
            .claim_signup_exchange(nonce)
            .await
            .map_err(internal)?
        {
            Some(signup) => signup,
            None => {
                // Unknown, or the one exchange this nonce allows already happened.
                self.by_nonce(nonce).await?;
                return Err(SignupError::AlreadyUsed);
            }
        };
        match self.exchange(&signup, code).await {
            Ok(status_key) => {
                tracing::info!(
                    signup = signup.id,
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "Embedded Signup code exchanged; onboarding pipeline started"
                );
                Ok(status_key)
            }
            Err(error) => {
                tracing::warn!(signup = signup.id, %error, "Embedded Signup exchange failed");
                let _ = self
                    .store
                    .record_signup_event(
                        signup.id,
                        &SignupEvent {
                            event: "exchange_failed".into(),
                            detail: Some(
                                serde_json::json!({"error": error.to_string()}).to_string(),
                            ),
                            stage: Some(SignupStage::Failed),
                            error: Some(error.to_string()),
                            ..Default::default()
                        },
                    )
                    .await;
                Err(error)
            }
        }
    }

    // Long on purpose: the code exchange is one ordered transaction with Meta (code → token →
    // debug_token → WABA → seal → pipeline), each step failing with its own message for the
    // admin.
    async fn exchange(&self, signup: &Signup, code: &str) -> Result<String, SignupError> {
        if code.is_empty() || code.len() > 2048 {
            return Err(SignupError::CodeRejected("the code is malformed".into()));
        }
        let token = self
            .graph
            .exchange_code(code)
            .await
            .map_err(exchange_error)?;
        let info = self.graph.debug_token(&token).await.map_err(graph_error)?;
        if !info.is_valid {
            return Err(SignupError::CodeRejected("the token is not valid".into()));
        }
        let missing: Vec<&str> = REQUIRED_SCOPES
            .iter()
            .copied()
            .filter(|scope| info.targets_of(scope).is_empty())
            .collect();
        if !missing.is_empty() {
            return Err(SignupError::MissingPermissions(missing.join(", ")));
        }
        let granted = info.targets_of("whatsapp_business_management");
        // The WABA the popup reported, if the token covers it; else the first one granted.
        let waba_id = signup
            .meta_waba_id
            .clone()
            .filter(|id| granted.contains(id))
            .or_else(|| granted.first().cloned())
            .ok_or(SignupError::NoWaba)?;
        let waba_info = self
            .graph
            .waba(&token, &waba_id)
            .await
            .map_err(graph_error)?;
        let name = waba_info.name.clone().unwrap_or_else(|| waba_id.clone());
        let existing = self
            .store
            .waba_by_meta_id(&waba_id)
            .await
            .map_err(internal)?;
        // Who owns the WABA is Graph's word only: the business id in the browser's
        // session-info event is whatever the page (or anyone calling `signup_event`) sent, and
        // trusting it would let one customer attach their WABA to, and rename, another's
        // business. Without `owner_business_info` a known WABA keeps its business; a new one
        // gets a placeholder business of its own.
        let known_business = match (&waba_info.owner_business_info, &existing) {
            (None, Some(waba)) => self
                .store
                .business_by_id(waba.business_id)
                .await
                .map_err(internal)?,
            _ => None,
        };
        let business = match known_business {
            Some(business) => business,
            None => self
                .store
                .upsert_business(&NewBusiness {
                    meta_business_id: waba_info
                        .owner_business_info
                        .as_ref()
                        .map(|o| o.id.clone())
                        .unwrap_or_else(|| format!("unknown-{waba_id}")),
                    name: waba_info
                        .owner_business_info
                        .as_ref()
                        .and_then(|o| o.name.clone())
                        .unwrap_or_else(|| name.clone()),
                })
                .await
                .map_err(internal)?,
        };
        let owner = business.meta_business_id.clone();
        let coexistence =
            signup.coexistence || signup.feature_type == "whatsapp_business_app_onboarding";
        let waba = self
            .store
            .upsert_waba(&WabaUpsert {
                meta_waba_id: waba_id.clone(),
                business_id: business.id,
                name,
                currency: waba_info.currency.clone(),
                country: waba_info
                    .country
                    .clone()
                    .or_else(|| existing.as_ref().and_then(|w| w.country.clone())),
                // A terms webhook may have arrived first: never step back from ONBOARDED.
                onboarding_status: match existing.as_ref().and_then(|w| w.onboarding_status.clone())
                {
                    Some(status) if status == "ONBOARDED" => Some(status),
                    _ => waba_info.marketing_messages_onboarding_status.clone(),
                },
                coexistence,
            })
            .await
            .map_err(internal)?;
        let sealed = self.keys.seal(&token_slot(&waba_id), &token);
        self.store
            .put_secret(&token_slot(&waba_id), &sealed)
            .await
            .map_err(internal)?;
        drop(token);
        self.store
            .append_timeline(&NewTimelineEvent {
                waba_id: Some(waba.id),
                kind: "signup.connected".into(),
                summary: format!(
                    "Connected through Embedded Signup{}",
                    signup
                        .campaign
                        .as_ref()
                        .map(|c| format!(" (campaign {c})"))
                        .unwrap_or_default()
                ),
                detail: None,
                actor: "system".into(),
            })
            .await
            .map_err(internal)?;
        let updated = self
            .store
            .record_signup_event(
                signup.id,
                &SignupEvent {
                    event: "exchanged".into(),
                    stage: Some(SignupStage::Exchanged),
                    meta_waba_id: Some(waba_id.clone()),
                    meta_business_id: Some(owner),
                    coexistence: Some(coexistence),
                    waba_id: Some(waba.id),
                    ..Default::default()
                },
            )
            .await
            .map_err(internal)?;
        pipeline::enqueue(self.store.as_ref(), waba.id, Step::first(), signup.id)
            .await
            .map_err(internal)?;
        Ok(updated.status_key)
    }
}

fn internal(error: impl std::fmt::Display) -> SignupError {
    tracing::error!(%error, "signup failed on our side");
    SignupError::Internal
}

fn graph_error(error: GraphCallError) -> SignupError {
    match error.reaction() {
        Reaction::Retry { .. } => SignupError::MetaUnavailable,
        Reaction::Stop => SignupError::CodeRejected(error.to_string()),
    }
}

/// Graph's answers to a bad code: 100 with subcode 36007 (expired) or 36009 (used).
fn exchange_error(error: GraphCallError) -> SignupError {
    if let GraphCallError::Graph { error: e, .. } = &error {
        match e.error_subcode {
            Some(36007) => return SignupError::CodeExpired,
            Some(36009) => return SignupError::AlreadyUsed,
            _ => {}
        }
    }
    graph_error(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_info_is_read_from_meta_s_json_string() {
        let info = parse_session_info(
            r#"{"type":"WA_EMBEDDED_SIGNUP","event":"FINISH","data":{"waba_id":"123","phone_number_id":456,"business_id":"789"},"version":3}"#,
        )
        .unwrap();
        assert_eq!(info.event, "FINISH");
        assert_eq!(text(&info.data, "waba_id").as_deref(), Some("123"));
        assert_eq!(
            text(&info.data, "phone_number_id").as_deref(),
            Some("456"),
            "numbers too"
        );
        assert_eq!(text(&info.data, "missing"), None);
        // Partial payloads are still events.
        let partial =
            parse_session_info(r#"{"type":"WA_EMBEDDED_SIGNUP","event":"CANCEL"}"#).unwrap();
        assert_eq!(partial.event, "CANCEL");
        assert!(partial.data.is_null());
    }

    #[test]
    fn anything_else_is_refused() {
        for raw in [
            "not json",
            r#"{"type":"SOMETHING_ELSE","event":"FINISH"}"#,
            r#"{"type":"WA_EMBEDDED_SIGNUP"}"#,
            r#"{"type":"WA_EMBEDDED_SIGNUP","event":""}"#,
            r#"["WA_EMBEDDED_SIGNUP"]"#,
        ] {
            assert_eq!(
                parse_session_info(raw).err(),
                Some(SignupError::MalformedEvent),
                "{raw}"
            );
        }
        let huge = format!(
            r#"{{"type":"WA_EMBEDDED_SIGNUP","event":"FINISH","data":{{"x":"{}"}}}}"#,
            "a".repeat(MAX_EVENT_BYTES)
        );
        assert_eq!(
            parse_session_info(&huge).err(),
            Some(SignupError::MalformedEvent)
        );
    }

    #[test]
    fn expired_and_used_codes_get_their_own_messages() {
        let graph = |subcode| GraphCallError::Graph {
            status: 400,
            error: Box::new(crate::graph::GraphError {
                message: "m".into(),
                kind: "OAuthException".into(),
                code: 100,
                error_subcode: Some(subcode),
                fbtrace_id: None,
                is_transient: None,
                error_user_title: None,
                error_user_msg: None,
            }),
            regain_access_after: None,
        };
        assert_eq!(exchange_error(graph(36007)), SignupError::CodeExpired);
        assert_eq!(exchange_error(graph(36009)), SignupError::AlreadyUsed);
        assert!(matches!(
            exchange_error(graph(36008)),
            SignupError::CodeRejected(_)
        ));
        assert_eq!(
            exchange_error(GraphCallError::Transport("timed out".into())),
            SignupError::MetaUnavailable
        );
    }
}
