//! The signup session and the code exchange.
//!
//! The admin's browser holds a server-issued nonce from page load; session-info events and the
//! code are sent with it. The code is exchanged here, on the server, inside its ~30 s life:
//! `oauth/access_token` (client id + secret, no redirect_uri for the popup flow), then
//! `debug_token` to learn which WABAs the token was granted on. The token is sealed with the
//! key ring before it touches the database and is never returned, logged or put in an error.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use rand::RngCore;

use super::pipeline::{self, Step};
use super::session_info::{self, InfoEvent};
use super::token_slot;
use crate::crypto::KeyRing;
use crate::db::{
    now_millis, Millis, NewBusiness, NewSignup, NewTimelineEvent, Signup, SignupEvent, SignupStage,
    WabaUpsert,
};
use crate::graph::{GraphCallError, GraphClient, Reaction};
use app::signup::port::AdminContact;

/// The stores this module reads and writes.
pub trait Stores:
    crate::db::SecretStore
    + crate::db::SignupStore
    + crate::db::TimelineStore
    + crate::db::WabaStore
    + crate::db::JobStore
    + crate::db::StepStore
    + crate::db::SettingStore
    + crate::db::SignupLimitStore
    + crate::db::SignupLinkStore
    + crate::db::MailStore
{
}
impl<
        T: crate::db::SecretStore
            + crate::db::SignupStore
            + crate::db::TimelineStore
            + crate::db::WabaStore
            + crate::db::JobStore
            + crate::db::StepStore
            + crate::db::SettingStore
            + crate::db::SignupLimitStore
            + crate::db::SignupLinkStore
            + crate::db::MailStore,
    > Stores for T
{
}

/// The scopes an MM API onboarding needs on the WABA.
pub const REQUIRED_SCOPES: &[&str] = &[
    "whatsapp_business_management",
    "whatsapp_business_messaging",
];

/// How long a signup session (its nonce) may be used: events and the code exchange after this
/// are refused. The page starts a fresh session on every visit, so only a tab left open for a
/// day meets it.
pub const SESSION_LIFETIME_MS: Millis = 24 * 3600 * 1000;
/// Unfinished sessions (no code exchange) are deleted this long after they started: the staff
/// overview's funnel covers 30 days, and nothing else reads them.
pub const UNFINISHED_RETENTION_MS: Millis = 31 * 24 * 3600 * 1000;
/// Most events one signup session holds (a real one has fewer than ten); the browser's further
/// events are refused and not stored.
pub const MAX_EVENTS_PER_SIGNUP: i64 = 32;
/// Each instance purges old sessions and rate-limit rows at most this often, from `start`.
const PURGE_EVERY_MS: Millis = 60_000;
/// Most unfinished sessions one purge deletes (the rest wait for the next).
const PURGE_BATCH: i64 = 500;

/// Why a signup step failed, in words for the business admin. Never holds a token or a code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignupError {
    #[error("This signup session is not known. Reload the page and start again.")]
    UnknownSession,
    #[error("This signup was already completed. Reload the page to start a new one.")]
    AlreadyUsed,
    #[error("The event from the signup window could not be read.")]
    MalformedEvent,
    #[error(
        "This signup session expired (sessions last 24 hours). Reload the page to start again."
    )]
    Expired,
    #[error(
        "This signup session has recorded all the events it may. Reload the page to start again."
    )]
    TooManyEvents,
    #[error("Too many attempts from your network. Please try again in {0} s.")]
    RateLimited(u64),
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
    #[error("This email address does not look right. Correct it or leave the field empty.")]
    BadEmail,
    /// The signup link may not start or complete a signup (expired, withdrawn, used).
    #[error("{}", .0.message())]
    Link(crate::signup_links::Refusal),
    #[error("Something went wrong on our side; nothing was lost. Please try again.")]
    Internal,
}

impl SignupError {
    /// The business-facing text in `lang` (`app/locales/*/public.ftl`); the `Display` text is
    /// the English one, for logs and the partner API.
    pub fn in_lang(&self, lang: app::i18n::Lang) -> String {
        use app::i18n::{t, t_args};
        match self {
            SignupError::UnknownSession => t(lang, "error-unknown-session"),
            SignupError::AlreadyUsed => t(lang, "error-already-used"),
            SignupError::MalformedEvent => t(lang, "error-malformed-event"),
            SignupError::Expired => t(lang, "error-expired"),
            SignupError::TooManyEvents => t(lang, "error-too-many-events"),
            SignupError::RateLimited(seconds) => t_args(
                lang,
                "error-rate-limited",
                &[("seconds", &seconds.to_string())],
            ),
            SignupError::CodeExpired => t(lang, "error-code-expired"),
            // Meta's or our technical words, quoted inside the translated sentence.
            SignupError::CodeRejected(reason) => {
                t_args(lang, "error-code-rejected", &[("reason", reason)])
            }
            SignupError::MissingPermissions(scopes) => {
                t_args(lang, "error-missing-permissions", &[("reason", scopes)])
            }
            SignupError::NoWaba => t(lang, "error-no-waba"),
            SignupError::MetaUnavailable => t(lang, "error-meta-unavailable"),
            SignupError::BadEmail => t(lang, "error-bad-email"),
            SignupError::Link(refusal) => t(lang, refusal.key()),
            SignupError::Internal => t(lang, "error-internal"),
        }
    }
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
    /// When this instance last purged old sessions and rate-limit rows (Unix millis).
    purged_at: AtomicI64,
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
            purged_at: AtomicI64::new(0),
        }
    }

    /// Counts a public server function call against its client address's limit.
    pub async fn admit(
        &self,
        call: app::signup::port::PublicCall,
        client: Option<app::signup::port::ClientAddress>,
    ) -> Result<(), SignupError> {
        super::limits::admit(self.store.as_ref(), call, client, now_millis())
            .await
            .map_err(internal)?
            .map_err(SignupError::RateLimited)
    }

    /// Deletes unfinished sessions past their retention and full rate-limit buckets, at most
    /// once a minute per instance, so neither table grows without bound. Failures are logged
    /// only: the next start tries again.
    async fn purge(&self, now: Millis) {
        let last = self.purged_at.load(Ordering::Relaxed);
        if now - last < PURGE_EVERY_MS
            || self
                .purged_at
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        let sessions = self
            .store
            .purge_unfinished_signups(now - UNFINISHED_RETENTION_MS, PURGE_BATCH)
            .await;
        let limits = self.store.purge_signup_limits(now).await;
        if let (Err(error), _) | (_, Err(error)) = (&sessions, &limits) {
            tracing::warn!(%error, "purging old signup sessions or limits failed");
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

    /// A new signup session for one visit of the signup page; through a signup link
    /// (`link`, its token) the session takes the link's campaign and customer id, and a link
    /// that may no longer start signups is refused with its reason.
    pub async fn start(
        &self,
        campaign: Option<String>,
        link: Option<String>,
    ) -> Result<Started, SignupError> {
        let mut campaign = campaign.as_deref().and_then(campaign_name);
        let (mut link_id, mut customer_id) = (None, None);
        if let Some(token) = link.filter(|t| !t.is_empty()) {
            let found = crate::signup_links::resolve(self.store.as_ref(), &token, now_millis())
                .await
                .map_err(internal)?
                .map_err(SignupError::Link)?;
            campaign = found.campaign;
            link_id = Some(found.id);
            customer_id = found.customer_id;
        }
        let signup = self
            .store
            .create_signup(&NewSignup {
                nonce: random_key(24),
                status_key: random_key(18),
                campaign,
                feature_type: self.current_launch().await.feature_type,
                link_id,
                customer_id,
            })
            .await
            .map_err(internal)?;
        self.purge(signup.created_at).await;
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

    /// The signup of `nonce` if it is still within its lifetime.
    async fn live_by_nonce(&self, nonce: &str) -> Result<Signup, SignupError> {
        let signup = self.by_nonce(nonce).await?;
        if now_millis() - signup.created_at > SESSION_LIFETIME_MS {
            return Err(SignupError::Expired);
        }
        Ok(signup)
    }

    /// Records an event the browser reported, within the per-session cap.
    async fn record_reported(
        &self,
        signup: &Signup,
        event: &SignupEvent,
    ) -> Result<(), SignupError> {
        self.store
            .record_capped_signup_event(signup.id, event, MAX_EVENTS_PER_SIGNUP)
            .await
            .map_err(internal)?
            .map(|_| ())
            .ok_or(SignupError::TooManyEvents)
    }

    /// The admin pressed the button (the popup opened).
    pub async fn launched(&self, nonce: &str) -> Result<(), SignupError> {
        let signup = self.live_by_nonce(nonce).await?;
        self.record_reported(
            &signup,
            &SignupEvent {
                event: "launched".into(),
                ..Default::default()
            },
        )
        .await
    }

    /// Records one `WA_EMBEDDED_SIGNUP` session-info message: only the fields it parses into
    /// (see [`session_info`]); one that does not parse is refused and nothing is stored.
    pub async fn record_event(&self, nonce: &str, raw: &str) -> Result<(), SignupError> {
        let signup = self.live_by_nonce(nonce).await?;
        let info = session_info::parse(raw).map_err(|_| SignupError::MalformedEvent)?;
        let mut event = SignupEvent {
            event: info.event.as_str().into(),
            detail: Some(info.detail()),
            ..Default::default()
        };
        if info.event.is_finish() {
            event.stage = Some(SignupStage::Finished);
            event.meta_business_id = info.business_id;
            event.meta_waba_id = info.waba_id;
            event.meta_phone_id = info.phone_number_id;
            event.coexistence = Some(info.event == InfoEvent::FinishCoexistence);
        } else if info.error {
            event.stage = Some(SignupStage::Errored);
            event.error = Some(match info.error_id {
                Some(id) => format!("Meta reported a problem in the signup window (error {id})."),
                None => "Meta reported a problem in the signup window.".into(),
            });
        } else if let Some(step) = info.current_step {
            event.stage = Some(SignupStage::Cancelled);
            event.cancel_step = Some(step.as_str().into());
        }
        self.record_reported(&signup, &event).await
    }

    /// The popup closed without a code (closed, cancelled or blocked).
    pub async fn abandoned(&self, nonce: &str) -> Result<(), SignupError> {
        let signup = self.live_by_nonce(nonce).await?;
        self.record_reported(
            &signup,
            &SignupEvent {
                event: "closed_without_code".into(),
                stage: Some(SignupStage::Cancelled),
                ..Default::default()
            },
        )
        .await
    }

    /// Exchanges the code for the business token, records the business and WABA, and starts
    /// the onboarding pipeline. Returns the status page key.
    /// `contact`: the admin's optional email and the page's language, kept on the signup
    /// before the exchange so the mail that follows it (MAIL.md) finds them.
    pub async fn complete(
        &self,
        nonce: &str,
        code: &str,
        contact: &AdminContact,
    ) -> Result<String, SignupError> {
        let started = std::time::Instant::now();
        // An expired session is refused before its one exchange is claimed (a used one says
        // so, whatever its age).
        let known = self.by_nonce(nonce).await?;
        if known.exchange_started_at.is_some() {
            return Err(SignupError::AlreadyUsed);
        }
        if now_millis() - known.created_at > SESSION_LIFETIME_MS {
            return Err(SignupError::Expired);
        }
        let email = match contact.email.as_deref() {
            Some(email) => Some(checked_email(email)?),
            None => None,
        };
        self.store
            .signup_set_contact(nonce, email.as_deref(), contact.lang.code())
            .await
            .map_err(internal)?;
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
        // Only now, with Meta's answers in hand: a code Meta refused, or Meta being down,
        // must not use up a single-use link.
        if let Some(link_id) = signup.link_id {
            self.use_link(link_id).await?;
        }
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
                connected_now: true,
            })
            .await
            .map_err(internal)?;
        if let Some(link_id) = signup.link_id {
            self.store
                .attach_waba_customer(waba.id, link_id, signup.customer_id.as_deref())
                .await
                .map_err(internal)?;
        }
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

/// An email address as a mail server takes it: one `@`, no spaces or angle brackets, at most
/// 254 characters (RFC 5321's limit on a path).
fn checked_email(email: &str) -> Result<String, SignupError> {
    let email = email.trim();
    let valid = email.len() <= 254
        && email.parse::<lettre::Address>().is_ok()
        && !email.contains(['<', '>', ' ']);
    if valid {
        Ok(email.to_string())
    } else {
        Err(SignupError::BadEmail)
    }
}

impl SignupService {
    /// Claims the signup's link for this exchange: of two signups through one single-use
    /// link, only the first to get here connects; a link withdrawn meanwhile connects none.
    async fn use_link(&self, link_id: i64) -> Result<(), SignupError> {
        if self
            .store
            .use_signup_link(link_id, now_millis())
            .await
            .map_err(internal)?
        {
            return Ok(());
        }
        let link = self.store.signup_link(link_id).await.map_err(internal)?;
        Err(SignupError::Link(match link {
            Some(link) if link.revoked_at.is_some() => crate::signup_links::Refusal::Revoked,
            Some(_) => crate::signup_links::Refusal::Used,
            None => crate::signup_links::Refusal::Unknown,
        }))
    }
}

/// The campaign of a signup link (`/signup/<campaign>`), kept only when it looks like one: at
/// most 64 letters, digits, `-`, `_` or `.`. Anyone can call `signup_start` with any text, and
/// the campaign reaches the staff's timeline, so anything else is dropped.
pub(crate) fn campaign_name(text: &str) -> Option<String> {
    let text = text.trim();
    ((1..=64).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')))
    .then(|| text.to_string())
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
    fn campaigns_are_names_or_nothing() {
        assert_eq!(
            campaign_name(" spring-sale_2026.q1 ").as_deref(),
            Some("spring-sale_2026.q1")
        );
        for text in ["", "<b>x</b>", "two words", &"a".repeat(65)] {
            assert_eq!(campaign_name(text), None, "{text}");
        }
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
