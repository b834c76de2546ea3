//! Rows and inputs of the repository. Plain data: no behaviour, no database types.
//!
//! Timestamps are Unix milliseconds (`i64`) in both backends so that one set of queries serves
//! SQLite and PostgreSQL alike.

pub use app::wabas::port::{WabaCursor, WabaSort};
use serde::Serialize;

/// Unix time in milliseconds.
pub type Millis = i64;

/// A phone number's digits only (`+55 (11) 91234-5678` → `5511912345678`), the form the
/// staff search matches on.
pub fn phone_digits(display: &str) -> String {
    display.chars().filter(char::is_ascii_digit).collect()
}

/// Current Unix time in milliseconds.
pub fn now_millis() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBusiness {
    pub meta_business_id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Business {
    pub id: i64,
    pub meta_business_id: String,
    pub name: String,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// Everything the portal knows about a WABA, written as a whole (insert or update by Meta id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WabaUpsert {
    pub meta_waba_id: String,
    pub business_id: i64,
    pub name: String,
    pub currency: Option<String>,
    pub country: Option<String>,
    /// Meta's `marketing_messages_onboarding_status`, kept as text: unknown values are data.
    pub onboarding_status: Option<String>,
    pub coexistence: bool,
    /// The business connected it just now (a completed signup): its connection becomes
    /// `connected` again, whatever an older `account_update` had said (a business that
    /// removed the partner and signs up once more).
    pub connected_now: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Waba {
    pub id: i64,
    pub meta_waba_id: String,
    pub business_id: i64,
    pub name: String,
    pub currency: Option<String>,
    pub country: Option<String>,
    pub onboarding_status: Option<String>,
    /// When `onboarding_status` last changed value.
    pub status_changed_at: Option<Millis>,
    pub coexistence: bool,
    pub created_at: Millis,
    pub updated_at: Millis,
    /// From account_update events: `connected`, `disconnected`, `offboarded`, `deleted`, …
    pub connection_state: Option<String>,
    pub connection_changed_at: Option<Millis>,
    /// From account_update events: `active`, `restricted`, `violation`, `disabled`, …
    pub account_health: Option<String>,
    pub health_changed_at: Option<Millis>,
    /// When Meta said the business signed the MM API terms (`MM_LITE_TERMS_SIGNED`).
    pub mm_terms_signed_at: Option<Millis>,
}

/// A page request over WABAs, newest first, continuing below `before_id` (keyset pagination).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WabaQuery {
    pub status: Option<String>,
    pub before_id: Option<i64>,
    pub limit: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneUpsert {
    pub meta_phone_id: String,
    pub waba_id: i64,
    pub display_phone_number: String,
    pub verified_name: Option<String>,
    pub registered: bool,
    pub coexistence: bool,
    pub quality_rating: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Phone {
    pub id: i64,
    pub meta_phone_id: String,
    pub waba_id: i64,
    pub display_phone_number: String,
    pub verified_name: Option<String>,
    pub registered: bool,
    pub coexistence: bool,
    pub quality_rating: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTimelineEvent {
    pub waba_id: Option<i64>,
    pub kind: String,
    pub summary: String,
    /// JSON text with the event's details (a Graph error, a webhook change, …).
    pub detail: Option<String>,
    /// `system`, `meta`, or a staff email.
    pub actor: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct TimelineEvent {
    pub id: i64,
    pub waba_id: Option<i64>,
    pub kind: String,
    pub summary: String,
    pub detail: Option<String>,
    pub actor: String,
    pub occurred_at: Millis,
}

/// Who a secret belongs to and what it is for; together they name one secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretSlot {
    pub owner_kind: String,
    pub owner_id: String,
    pub purpose: String,
}

/// A sealed secret as stored: never the plaintext.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SealedSecret {
    pub key_id: String,
    pub nonce: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    pub kind: String,
    /// JSON text understood by the job's handler.
    pub payload: String,
    pub run_at: Millis,
    pub max_attempts: i64,
    /// When set, a second job with the same key is not enqueued while the first exists.
    pub dedupe_key: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    Queued,
    Running,
    Done,
    Failed,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub status: String,
    /// Attempts started so far, including the current one once claimed.
    pub attempts: i64,
    pub max_attempts: i64,
    pub run_at: Millis,
    pub locked_by: Option<String>,
    pub locked_until: Option<Millis>,
    pub last_error: Option<String>,
}

/// How a claimed job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobResult {
    Done,
    /// Try again at the given time (if attempts remain).
    Retry {
        error: String,
        at: Millis,
    },
    /// Stop for good.
    Failed {
        error: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InboxRow {
    pub id: i64,
    pub received_at: Millis,
    pub body: Vec<u8>,
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Operator,
    Viewer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Operator => "operator",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "admin" => Some(Role::Admin),
            "operator" => Some(Role::Operator),
            "viewer" => Some(Role::Viewer),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStaffUser {
    pub email: String,
    pub display_name: String,
    /// A PHC string (argon2id); never a plaintext password.
    pub password_hash: String,
    pub role: Role,
}

#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StaffUser {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub disabled: bool,
    pub created_at: Millis,
    pub last_login_at: Option<Millis>,
}

impl std::fmt::Debug for StaffUser {
    // The hash stays out of debug output and therefore out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaffUser")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("role", &self.role)
            .field("disabled", &self.disabled)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEntry {
    pub staff_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
    pub detail: Option<String>,
    pub ip: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AuditEntry {
    pub id: i64,
    pub staff_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
    pub detail: Option<String>,
    pub ip: Option<String>,
    pub occurred_at: Millis,
}

/// Which message counter a status webhook moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    Sent,
    Delivered,
    Read,
    Failed,
    Clicked,
}

/// What applying a webhook change does to the portal's state, besides recording it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeEffect {
    /// Recorded (and shown on the timeline) only.
    None,
    /// `MM_LITE_TERMS_SIGNED`: the WABA is onboarded to MM API.
    TermsSigned,
    /// Partner sharing / app install / offboarding: the WABA's connection to this partner.
    Connection(String),
    /// `ACCOUNT_RECONNECTED`: connected again, and the onboarding that stopped while the WABA
    /// was offboarded resumes (a [`super::changes::RECONNECTED_JOB`] queued in the same
    /// transaction, so a crash cannot lose it).
    Reconnected,
    /// Restrictions, violations, bans: the WABA's account health.
    Health(String),
    /// `message_template_status_update`: the template's status and category (created when
    /// the portal had not listed it yet).
    TemplateStatus(super::TemplateSeen),
    /// `template_category_update`: `category` is the template's category now; an impending
    /// change also names the category it will get and when (`correct`).
    TemplateCategory {
        meta_template_id: String,
        name: String,
        language: String,
        category: String,
        correct: Option<(String, Millis)>,
    },
    /// `smb_app_state_sync`, `history`, `smb_message_echoes`: counted on the WABA's
    /// coexistence sync.
    Coexistence(super::CoexistenceWebhook),
    /// `BUSINESS_PRIMARY_LOCATION_COUNTRY_UPDATE`.
    Country(String),
    /// A `messages` status or click, counted per day and pricing category.
    Message {
        day: String,
        category: String,
        counter: Counter,
        error_code: Option<i64>,
    },
}

/// One change from a webhook delivery, ready to apply exactly once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChange {
    pub inbox_id: i64,
    pub dedupe_key: String,
    pub field: String,
    pub meta_waba_id: Option<String>,
    /// Owner business of the WABA, when the payload names it (used to create a WABA the
    /// portal has not seen yet, e.g. on `PARTNER_ADDED`).
    pub owner_business_id: Option<String>,
    pub event: Option<String>,
    /// When Meta says it happened (entry `time` or status `timestamp`), Unix millis.
    pub event_time: Millis,
    /// The change's JSON, kept raw.
    pub payload: String,
    pub flagged: bool,
    pub effect: ChangeEffect,
    /// Timeline entry `(kind, summary)`, if this change belongs on the WABA's timeline.
    pub timeline: Option<(String, String)>,
}

/// One day of message counts for one WABA and pricing category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct DailyMetrics {
    pub meta_waba_id: String,
    pub day: String,
    pub category: String,
    pub sent: i64,
    pub delivered: i64,
    pub read: i64,
    pub failed: i64,
    pub clicked: i64,
}

/// A new Embedded Signup session (the admin pressed the button).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSignup {
    pub nonce: String,
    pub status_key: String,
    pub campaign: Option<String>,
    pub feature_type: String,
    /// The signup link the visit came through, and its customer id.
    pub link_id: Option<i64>,
    pub customer_id: Option<String>,
}

/// Where a signup is in the funnel. Later stages never go back to earlier ones (events can
/// arrive out of order: the session-info message and the login callback race).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignupStage {
    Started,
    Cancelled,
    Errored,
    Finished,
    Exchanging,
    Exchanged,
    Failed,
}

impl SignupStage {
    pub fn as_str(self) -> &'static str {
        match self {
            SignupStage::Started => "started",
            SignupStage::Cancelled => "cancelled",
            SignupStage::Errored => "errored",
            SignupStage::Finished => "finished",
            SignupStage::Exchanging => "exchanging",
            SignupStage::Exchanged => "exchanged",
            SignupStage::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<SignupStage> {
        [
            SignupStage::Started,
            SignupStage::Cancelled,
            SignupStage::Errored,
            SignupStage::Finished,
            SignupStage::Exchanging,
            SignupStage::Exchanged,
            SignupStage::Failed,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }

    /// Whether moving from `self` to `next` is progress. A cancelled or errored signup may
    /// still finish (the admin retried in the same popup); failure ends everything but a
    /// completed exchange.
    pub fn may_become(self, next: SignupStage) -> bool {
        match (self, next) {
            (SignupStage::Exchanged, _) => false,
            (_, SignupStage::Failed) => true,
            (SignupStage::Failed, _) => false,
            (current, next) => next >= current,
        }
    }
}

/// The Embedded Signup screen an admin left Meta's window at (`CANCEL`'s `data.current_step`):
/// the steps the portal knows (those the simulator's popup offers), and [`CancelStep::Unknown`]
/// for a missing or any other well-formed step name, so text a browser made up is never
/// stored, counted or shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CancelStep {
    BusinessAccountSelection,
    WabaSelection,
    PhoneNumberSetup,
    PhoneNumberVerification,
    Permissions,
    Unknown,
}

impl CancelStep {
    pub const ALL: [CancelStep; 6] = [
        CancelStep::BusinessAccountSelection,
        CancelStep::WabaSelection,
        CancelStep::PhoneNumberSetup,
        CancelStep::PhoneNumberVerification,
        CancelStep::Permissions,
        CancelStep::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CancelStep::BusinessAccountSelection => "BUSINESS_ACCOUNT_SELECTION",
            CancelStep::WabaSelection => "WABA_SELECTION",
            CancelStep::PhoneNumberSetup => "PHONE_NUMBER_SETUP",
            CancelStep::PhoneNumberVerification => "PHONE_NUMBER_VERIFICATION",
            CancelStep::Permissions => "PERMISSIONS",
            CancelStep::Unknown => "UNKNOWN",
        }
    }

    /// The known step of this name; `Unknown` for any other.
    pub fn parse(text: &str) -> CancelStep {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .unwrap_or(CancelStep::Unknown)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Signup {
    pub id: i64,
    pub nonce: String,
    pub status_key: String,
    pub campaign: Option<String>,
    pub feature_type: String,
    pub stage: String,
    pub meta_business_id: Option<String>,
    pub meta_waba_id: Option<String>,
    pub meta_phone_id: Option<String>,
    pub coexistence: bool,
    pub cancel_step: Option<String>,
    /// A plain-language message for the admin.
    pub error: Option<String>,
    pub waba_id: Option<i64>,
    pub exchange_started_at: Option<Millis>,
    pub exchanged_at: Option<Millis>,
    pub created_at: Millis,
    pub updated_at: Millis,
    /// The signup link the visit came through, and the partner's customer id from it.
    pub link_id: Option<i64>,
    pub customer_id: Option<String>,
}

/// One funnel event and what it changes on its signup (`None` leaves a column as it is).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignupEvent {
    /// `started`, `FINISH`, `CANCEL`, `ERROR`, `exchanged`, `exchange_failed`, …
    pub event: String,
    /// JSON text: the fields parsed from a session-info message (never the browser's text),
    /// or the failure.
    pub detail: Option<String>,
    pub stage: Option<SignupStage>,
    pub meta_business_id: Option<String>,
    pub meta_waba_id: Option<String>,
    pub meta_phone_id: Option<String>,
    pub coexistence: Option<bool>,
    pub cancel_step: Option<String>,
    pub error: Option<String>,
    pub waba_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct SignupEventRow {
    pub id: i64,
    pub signup_id: i64,
    pub event: String,
    pub detail: Option<String>,
    pub occurred_at: Millis,
}

/// The state of one onboarding pipeline step of one WABA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct OnboardingStep {
    pub waba_id: i64,
    pub step: String,
    /// `running`, `retrying`, `done`, `skipped`, `waiting`, `failed`.
    pub state: String,
    pub attempts: i64,
    pub detail: Option<String>,
    pub error_code: Option<i64>,
    pub updated_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepUpdate {
    pub waba_id: i64,
    pub step: String,
    pub state: String,
    pub detail: Option<String>,
    pub error_code: Option<i64>,
    /// Count this update as one more attempt.
    pub attempt: bool,
}

/// A filtered page of the staff WABA list (keyset pagination in the chosen order).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WabaSearch {
    /// Matches the business name, WABA name, WABA id or a phone number (case-insensitive).
    pub text: Option<String>,
    pub status: Option<String>,
    /// The partner's customer id (from the signup link the WABA connected through).
    pub customer_id: Option<String>,
    /// Only WABAs whose pipeline stopped on a failed step.
    pub needs_attention: bool,
    pub coexistence: Option<bool>,
    /// One of `app::wabas::connection::CONNECTIONS`.
    pub connection: Option<String>,
    /// ISO 3166 alpha-2.
    pub country: Option<String>,
    /// `created_at` in `[added_from, added_before)`.
    pub added_from: Option<Millis>,
    pub added_before: Option<Millis>,
    /// `updated_at >= updated_since` (the partner API's incremental sync).
    pub updated_since: Option<Millis>,
    pub sort: WabaSort,
    /// Continue after this row (keyset pagination in `sort` order).
    pub after: Option<WabaCursor>,
    pub limit: i64,
}

/// One row of the staff WABA list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct WabaRow {
    pub id: i64,
    pub meta_waba_id: String,
    pub name: String,
    pub business_name: String,
    pub meta_business_id: String,
    pub onboarding_status: Option<String>,
    pub coexistence: bool,
    pub country: Option<String>,
    pub account_health: Option<String>,
    pub mm_terms_signed_at: Option<Millis>,
    pub failed_steps: i64,
    pub phone: Option<String>,
    pub updated_at: Millis,
    pub customer_id: Option<String>,
    /// The stored connection (`None` = connected; `app::wabas::connection`).
    pub connection_state: Option<String>,
}

/// Signups per funnel stage since a moment (for the overview chart).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FunnelCounts {
    pub started: i64,
    pub launched: i64,
    pub finished: i64,
    pub exchanged: i64,
    pub onboarded: i64,
    pub cancelled: i64,
    pub failed: i64,
    /// `(step, count)` of CANCEL events by the step the admin left at.
    pub cancel_steps: Vec<(String, i64)>,
}

/// One synthetic customer for `sandbox seed` and the dashboard benchmark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedWaba {
    pub meta_business_id: String,
    pub business_name: String,
    pub meta_waba_id: String,
    pub waba_name: String,
    pub country: String,
    pub onboarding_status: String,
    pub coexistence: bool,
    pub meta_phone_id: String,
    pub phone: String,
    /// Leave a failed pipeline step behind (the "needs attention" filter).
    pub failed_step: bool,
    /// What Meta's lifecycle events said (`None`: connected; the list's connection filter).
    pub connection_state: Option<String>,
    pub created_at: Millis,
}

/// A WABA of a staff selection, with what decides whether its business may be asked to
/// onboard through the Intent API.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SelectionRow {
    pub id: i64,
    pub updated_at: Millis,
    pub name: String,
    pub business_id: i64,
    pub meta_business_id: String,
    pub business_name: String,
    pub onboarding_status: Option<String>,
    /// The business's Intent API request state, if it has one.
    pub intent_state: Option<String>,
}

/// One Intent API request (`onboard_partners_to_mm_lite`) for an end business.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct IntentRow {
    pub business_id: i64,
    pub batch: String,
    /// `queued`, `sent`, `failed`, `cancelled`.
    pub state: String,
    pub request_id: Option<String>,
    pub error: Option<String>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// A partner API key to store: its public prefix and the hash of the whole key, never the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiKey {
    pub name: String,
    pub prefix: String,
    pub secret_hash: String,
    /// Comma-separated scope names.
    pub scopes: String,
    pub created_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ApiKeyRow {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    #[serde(skip)]
    pub secret_hash: String,
    pub scopes: String,
    pub created_by: String,
    pub created_at: Millis,
    pub last_used_at: Option<Millis>,
    pub expires_at: Option<Millis>,
    pub revoked_at: Option<Millis>,
    pub replaced_by: Option<i64>,
}

/// One authenticated request made with a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyUse {
    pub key_id: i64,
    pub scope: Option<String>,
    pub method: String,
    pub route: String,
    pub status: i64,
    pub ip: Option<String>,
    pub used_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ApiKeyUseRow {
    pub id: i64,
    pub key_id: i64,
    pub scope: Option<String>,
    pub method: String,
    pub route: String,
    pub status: i64,
    pub ip: Option<String>,
    pub used_at: Millis,
}

/// A signup link the partner made for one customer (`crate::signup_links`), with how many
/// signups it started and connected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct SignupLinkRow {
    pub id: i64,
    /// The unguessable part of the link's address.
    #[serde(skip)]
    pub token: String,
    pub customer_id: Option<String>,
    pub campaign: Option<String>,
    /// Meta's `extras.setup` (business, phone), validated JSON.
    pub prefill: Option<String>,
    pub single_use: bool,
    pub expires_at: Option<Millis>,
    pub revoked_at: Option<Millis>,
    /// When a signup through it first completed its code exchange.
    pub used_at: Option<Millis>,
    pub created_by: String,
    pub created_at: Millis,
    /// Signups started through the link, and those that connected a WABA.
    pub signups: i64,
    pub connected: i64,
    /// The newest signup through it (`GET /api/v1/signups/{id}`).
    pub last_signup_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSignupLink {
    pub token: String,
    pub customer_id: Option<String>,
    pub campaign: Option<String>,
    pub prefill: Option<String>,
    pub single_use: bool,
    pub expires_at: Option<Millis>,
    pub created_by: String,
}

/// The customer a WABA was connected for, through which link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct WabaCustomer {
    pub customer_id: Option<String>,
    pub signup_link_id: Option<i64>,
}
