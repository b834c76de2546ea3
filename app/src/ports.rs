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

/// The Embedded Signup settings staff can change (admins, on `/settings`). Empty
/// `feature_type` is Meta's default flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EsSettings {
    pub partner_name: String,
    pub config_id: String,
    pub feature_type: String,
    pub es_version: String,
    pub solution_id: Option<String>,
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
    async fn config(&self) -> SignupConfig;
    /// A new signup session; returns its nonce.
    async fn start(&self, campaign: Option<String>) -> Result<String, crate::error::AppError>;
    async fn launched(&self, nonce: &str) -> Result<(), crate::error::AppError>;
    async fn event(&self, nonce: &str, payload: &str) -> Result<(), crate::error::AppError>;
    async fn abandoned(&self, nonce: &str) -> Result<(), crate::error::AppError>;
    /// Exchanges the code; returns the status page key.
    async fn complete(&self, nonce: &str, code: &str) -> Result<String, crate::error::AppError>;
    async fn status(&self, status_key: &str) -> Result<SignupStatusView, crate::error::AppError>;
}

/// A staff member's role. Checked on the server for every staff server function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StaffRole {
    Viewer,
    Operator,
    Admin,
}

impl StaffRole {
    pub fn parse(text: &str) -> Option<StaffRole> {
        match text {
            "viewer" => Some(StaffRole::Viewer),
            "operator" => Some(StaffRole::Operator),
            "admin" => Some(StaffRole::Admin),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            StaffRole::Viewer => "Viewer",
            StaffRole::Operator => "Operator",
            StaffRole::Admin => "Admin",
        }
    }

    /// Whether this role may do what `required` may (admin ⊇ operator ⊇ viewer).
    pub fn allows(self, required: StaffRole) -> bool {
        self >= required
    }
}

/// The signed-in staff member, as the server resolved it from the session for this request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffIdentity {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: StaffRole,
    /// The password was set by an admin (new account, reset): the layout asks its owner to
    /// choose their own on the account page.
    #[serde(default)]
    pub must_change_password: bool,
    /// The client address of this request, for the audit log (never sent to the browser).
    #[serde(skip)]
    pub ip: Option<String>,
}

/// Put in a request's extensions by the server when it comes from this host (loopback, after
/// trusted proxies): such callers, like staff, may read the instance's health details.
#[derive(Debug, Clone, Copy)]
pub struct LoopbackCaller;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Funnel {
    pub started: i64,
    pub launched: i64,
    pub finished: i64,
    pub exchanged: i64,
    pub onboarded: i64,
    pub cancelled: i64,
    pub failed: i64,
    pub cancel_steps: Vec<(String, i64)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    /// `(status, count)`; `None` status is shown as "Unknown".
    pub status_counts: Vec<(Option<String>, i64)>,
    pub total_wabas: i64,
    /// The last 30 days.
    pub funnel: Funnel,
    pub failed_pipelines: i64,
    pub parked_webhooks: i64,
    pub restricted_wabas: i64,
    /// Signups per UTC day (`YYYY-MM-DD`, count), the last 30 days, days without any included.
    pub signups_per_day: Vec<(String, i64)>,
    /// Message statuses of every WABA, the last 14 days.
    pub metrics: Vec<DayMetrics>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WabaListRow {
    pub id: i64,
    pub meta_waba_id: String,
    pub name: String,
    pub business_name: String,
    pub onboarding_status: Option<String>,
    pub coexistence: bool,
    pub country: Option<String>,
    pub account_health: Option<String>,
    pub terms_signed: bool,
    pub needs_attention: bool,
    pub phone: Option<String>,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WabaPage {
    pub rows: Vec<WabaListRow>,
    /// Pass as the filter's `after` for the next page; `None` on the last page.
    pub next_after: Option<String>,
}

/// The staff list's filters, sort and page, as carried in the page's address (so a filtered
/// view can be bookmarked, shared and exported).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WabaFilter {
    pub text: Option<String>,
    pub status: Option<String>,
    pub needs_attention: bool,
    /// ISO 3166 alpha-2, as Meta reports a WABA's country.
    pub country: Option<String>,
    pub coexistence: Option<bool>,
    /// `YYYY-MM-DD` (UTC), inclusive: when the portal first saw the WABA.
    pub added_from: Option<String>,
    pub added_to: Option<String>,
    pub sort: WabaSort,
    /// Where the page starts: [`WabaCursor::encode`] of the previous page's last row.
    pub after: Option<String>,
}

impl WabaFilter {
    /// Reads the filter from query parameters (`q`, `status`, `attention=1`, `country`,
    /// `coexistence=yes|no`, `from`, `to`, `sort`, `after`); empty values mean "no filter".
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        let some = |key: &str| {
            get(key)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        WabaFilter {
            text: some("q"),
            status: some("status"),
            needs_attention: some("attention").as_deref() == Some("1"),
            country: some("country").map(|c| c.to_ascii_uppercase()),
            coexistence: match some("coexistence").as_deref() {
                Some("yes") => Some(true),
                Some("no") => Some(false),
                _ => None,
            },
            added_from: some("from"),
            added_to: some("to"),
            sort: some("sort")
                .and_then(|s| WabaSort::parse(&s))
                .unwrap_or_default(),
            after: some("after"),
        }
    }

    /// The query string (without `?`) that [`from_query`](Self::from_query) reads back;
    /// with the page cursor or without it (for "first page" and the CSV export).
    pub fn to_query(&self, with_cursor: bool) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        let mut push = |key, value: Option<String>| {
            if let Some(value) = value {
                pairs.push((key, value));
            }
        };
        push("q", self.text.clone());
        push("status", self.status.clone());
        push("attention", self.needs_attention.then(|| "1".to_string()));
        push("country", self.country.clone());
        push(
            "coexistence",
            self.coexistence
                .map(|c| if c { "yes" } else { "no" }.to_string()),
        );
        push("from", self.added_from.clone());
        push("to", self.added_to.clone());
        push(
            "sort",
            (self.sort != WabaSort::default()).then(|| self.sort.as_str().to_string()),
        );
        if with_cursor {
            push("after", self.after.clone());
        }
        pairs
            .iter()
            .map(|(key, value)| format!("{key}={}", percent_encode(value)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Whether `path` is a path on this site, safe to send a browser to after sign-in (no open
/// redirect through a crafted link): it starts with one `/`, and has no backslash, no
/// whitespace and no control character anywhere (browsers drop tabs and newlines from URLs,
/// so `/<TAB>/evil.example` would become `//evil.example`, another site). At most 2,000
/// characters.
pub fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && path.len() <= 2000
        && !path
            .chars()
            .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
}

/// The staff list's orders; each reads an index in order, so every page is a short range scan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum WabaSort {
    #[default]
    Newest,
    Oldest,
    RecentlyUpdated,
    Name,
}

impl WabaSort {
    pub const ALL: [WabaSort; 4] = [
        WabaSort::Newest,
        WabaSort::Oldest,
        WabaSort::RecentlyUpdated,
        WabaSort::Name,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WabaSort::Newest => "newest",
            WabaSort::Oldest => "oldest",
            WabaSort::RecentlyUpdated => "updated",
            WabaSort::Name => "name",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            WabaSort::Newest => "Newest first",
            WabaSort::Oldest => "Oldest first",
            WabaSort::RecentlyUpdated => "Recently updated",
            WabaSort::Name => "WABA name A–Z",
        }
    }
}

/// Where a page of the staff list starts: the sort key and id of the previous page's last row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WabaCursor {
    /// Newest and oldest first.
    Id(i64),
    /// Recently updated: `(updated_at, id)`.
    Updated(i64, i64),
    /// By name: `(name, id)`.
    Name(String, i64),
}

impl WabaCursor {
    /// The cursor after the row `(id, updated_at, name)` in `sort` order.
    pub fn after(sort: WabaSort, id: i64, updated_at: i64, name: &str) -> Self {
        match sort {
            WabaSort::Newest | WabaSort::Oldest => WabaCursor::Id(id),
            WabaSort::RecentlyUpdated => WabaCursor::Updated(updated_at, id),
            WabaSort::Name => WabaCursor::Name(name.to_string(), id),
        }
    }

    pub fn encode(&self) -> String {
        match self {
            WabaCursor::Id(id) => format!("i{id}"),
            WabaCursor::Updated(at, id) => format!("u{at}.{id}"),
            WabaCursor::Name(name, id) => format!("n{id}.{name}"),
        }
    }

    /// `None` for text this type did not write, and for a cursor of another sort order.
    pub fn decode(text: &str, sort: WabaSort) -> Option<Self> {
        let (kind, rest) = text.split_at_checked(1)?;
        let cursor = match kind {
            "i" => WabaCursor::Id(rest.parse().ok()?),
            "u" => {
                let (at, id) = rest.split_once('.')?;
                WabaCursor::Updated(at.parse().ok()?, id.parse().ok()?)
            }
            "n" => {
                let (id, name) = rest.split_once('.')?;
                WabaCursor::Name(name.to_string(), id.parse().ok()?)
            }
            _ => return None,
        };
        let fits = matches!(
            (&cursor, sort),
            (WabaCursor::Id(_), WabaSort::Newest | WabaSort::Oldest)
                | (WabaCursor::Updated(..), WabaSort::RecentlyUpdated)
                | (WabaCursor::Name(..), WabaSort::Name)
        );
        fits.then_some(cursor)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneView {
    pub meta_phone_id: String,
    pub display_phone_number: String,
    pub verified_name: Option<String>,
    pub registered: bool,
    pub coexistence: bool,
    pub quality_rating: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepView {
    pub step: String,
    pub state: String,
    pub attempts: i64,
    pub detail: Option<String>,
    pub error_code: Option<i64>,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineView {
    pub kind: String,
    pub summary: String,
    pub actor: String,
    pub occurred_at: i64,
}

/// One day of message counts for one pricing category (from status webhooks).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayMetrics {
    pub day: String,
    pub category: String,
    pub sent: i64,
    pub delivered: i64,
    pub read: i64,
    pub failed: i64,
    pub clicked: i64,
}

/// Failed sends of one day and error code, with what the code means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureCount {
    pub day: String,
    pub code: i64,
    pub count: i64,
    pub meaning: Option<String>,
}

/// A test send staff asked for on a WABA page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestSendRequest {
    pub to: String,
    pub template: String,
    pub language: String,
    /// Time to live in hours (MM API only), empty for Meta's default.
    pub ttl_hours: Option<u32>,
    pub activity_sharing: bool,
    /// `CLOUD_API_FALLBACK`, `STRICT` or empty.
    pub product_policy: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WabaDetail {
    pub metrics: Vec<DayMetrics>,
    pub failures: Vec<FailureCount>,
    pub row: WabaListRow,
    pub meta_business_id: String,
    pub currency: Option<String>,
    pub connection_state: Option<String>,
    pub phones: Vec<PhoneView>,
    pub steps: Vec<StepView>,
    pub timeline: Vec<TimelineView>,
    pub status_page: Option<String>,
}

/// What an operator can ask again for one WABA, from its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum WabaAction {
    /// `POST /{WABA}/subscribed_apps` again (webhooks stopped arriving).
    Resubscribe,
    /// Re-read the account, its phone numbers and its MM API onboarding status from Meta.
    Recheck,
    /// Fetch the business token (BISUAT) again after an Intent API onboarding.
    RefetchToken,
}

impl WabaAction {
    pub const ALL: [WabaAction; 3] = [
        WabaAction::Resubscribe,
        WabaAction::Recheck,
        WabaAction::RefetchToken,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WabaAction::Resubscribe => "resubscribe",
            WabaAction::Recheck => "recheck",
            WabaAction::RefetchToken => "refetch_token",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            WabaAction::Resubscribe => "Re-subscribe webhooks",
            WabaAction::Recheck => "Re-check status",
            WabaAction::RefetchToken => "Re-fetch business token",
        }
    }

    pub fn help(self) -> &'static str {
        match self {
            WabaAction::Resubscribe => "Subscribes the portal's app to this WABA's webhooks again",
            WabaAction::Recheck => {
                "Reads the account, its numbers and its MM API status from Meta now"
            }
            WabaAction::RefetchToken => {
                "Fetches the business token again through system_user_access_tokens (Intent API onboardings)"
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub id: i64,
    pub actor: String,
    pub action: String,
    pub target: Option<String>,
    pub detail: Option<String>,
    pub ip: Option<String>,
    pub occurred_at: i64,
}

/// A webhook delivery set aside because it could not be processed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParkedDelivery {
    pub id: i64,
    pub received_at: i64,
    pub attempts: i64,
    pub error: Option<String>,
    /// The start of the raw body, as text (escaped when rendered).
    pub preview: String,
    pub size: usize,
}

/// Progress of one bulk Intent API send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntentBatch {
    pub batch: String,
    pub queued: i64,
    pub sent: i64,
    pub failed: i64,
    pub cancelled: i64,
}

/// What a bulk Intent API run over a filtered list would do, shown before it is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntentPreview {
    /// WABAs matching the filter (at most [`IntentPreview::LIMIT`] are looked at).
    pub matched: i64,
    pub truncated: bool,
    /// Businesses that would be asked (a business with several WABAs is asked once).
    pub eligible: i64,
    /// WABAs left out, grouped by why, largest group first.
    pub skipped: Vec<SkippedGroup>,
}

impl IntentPreview {
    pub const LIMIT: i64 = 100_000;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedGroup {
    pub reason: String,
    pub count: i64,
    /// A few business names, to recognise the group.
    pub examples: Vec<String>,
}

/// The MM operations page: discovery and the Intent API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Operations {
    /// Businesses with an ELIGIBLE WABA and no live Intent API request.
    pub candidates: i64,
    pub latest_batch: Option<IntentBatch>,
    pub rate_per_second: f64,
    /// Whether the partner's business id and token are configured.
    pub partner_configured: bool,
}

/// What partner staff see and do. Every method is called with the signed-in staff member;
/// the server functions check the role before calling.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait DashboardPort: Send + Sync + 'static {
    async fn overview(&self) -> Result<Overview, crate::error::AppError>;
    async fn wabas(&self, filter: WabaFilter) -> Result<WabaPage, crate::error::AppError>;
    async fn waba(&self, id: i64) -> Result<WabaDetail, crate::error::AppError>;
    /// Restarts a stopped pipeline; returns what was resumed, in words.
    async fn resume(
        &self,
        staff: &StaffIdentity,
        id: i64,
    ) -> Result<String, crate::error::AppError>;
    /// Which businesses of the WABAs matching `filter` an Intent API run would ask, and why
    /// the others would be skipped.
    async fn intent_preview(
        &self,
        filter: WabaFilter,
    ) -> Result<IntentPreview, crate::error::AppError>;
    /// Queues Intent API requests for the eligible businesses of `filter`'s WABAs.
    async fn invite_filtered(
        &self,
        staff: &StaffIdentity,
        filter: WabaFilter,
    ) -> Result<String, crate::error::AppError>;
    /// Runs one maintenance action on a WABA; returns what was started, in words.
    async fn waba_action(
        &self,
        staff: &StaffIdentity,
        id: i64,
        action: WabaAction,
    ) -> Result<String, crate::error::AppError>;
    async fn audit(&self, before: Option<i64>) -> Result<Vec<AuditRow>, crate::error::AppError>;
    async fn parked(&self) -> Result<Vec<ParkedDelivery>, crate::error::AppError>;
    async fn operations(&self) -> Result<Operations, crate::error::AppError>;
    async fn es_settings(&self) -> Result<EsSettings, crate::error::AppError>;
    /// Sends one marketing template from this WABA's number (operators and admins).
    async fn test_send(
        &self,
        staff: &StaffIdentity,
        waba_id: i64,
        request: TestSendRequest,
    ) -> Result<String, crate::error::AppError>;
    async fn save_es_settings(
        &self,
        staff: &StaffIdentity,
        settings: EsSettings,
    ) -> Result<String, crate::error::AppError>;
    /// Queues a discovery run.
    async fn discover(&self, staff: &StaffIdentity) -> Result<String, crate::error::AppError>;
    /// Intent API request for the business of one WABA.
    async fn invite(
        &self,
        staff: &StaffIdentity,
        waba_id: i64,
    ) -> Result<String, crate::error::AppError>;
    /// Intent API requests for every candidate business, paced.
    async fn invite_eligible(
        &self,
        staff: &StaffIdentity,
    ) -> Result<String, crate::error::AppError>;
    async fn cancel_batch(
        &self,
        staff: &StaffIdentity,
        batch: &str,
    ) -> Result<String, crate::error::AppError>;
    /// Queues a batch's cancelled requests again.
    async fn resume_batch(
        &self,
        staff: &StaffIdentity,
        batch: &str,
    ) -> Result<String, crate::error::AppError>;
    /// Puts a parked delivery back in the processing queue.
    async fn replay(
        &self,
        staff: &StaffIdentity,
        id: i64,
    ) -> Result<String, crate::error::AppError>;
}

/// A staff account as admins see it (never its password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffAccount {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: StaffRole,
    pub disabled: bool,
    pub created_at: i64,
    pub last_login_at: Option<i64>,
}

/// The webhook verify token's state (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookTokenStatus {
    /// The callback URL to enter in the App Dashboard.
    pub callback_url: String,
    pub rotated_at: Option<i64>,
    pub rotated_by: Option<String>,
    /// Until then the token before the last rotation is accepted too.
    pub previous_until: Option<i64>,
    /// The last handshake Meta completed with the current token.
    pub last_verified_at: Option<i64>,
}

/// Admin-only operations: staff accounts and the webhook verify token.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait AdminPort: Send + Sync + 'static {
    async fn staff_accounts(&self) -> Result<Vec<StaffAccount>, crate::error::AppError>;
    /// Creates an account; returns a one-time password for the admin to hand over.
    async fn create_staff(
        &self,
        by: &StaffIdentity,
        email: &str,
        name: &str,
        role: StaffRole,
    ) -> Result<String, crate::error::AppError>;
    async fn set_staff_access(
        &self,
        by: &StaffIdentity,
        id: i64,
        role: StaffRole,
        disabled: bool,
    ) -> Result<String, crate::error::AppError>;
    /// A new one-time password for an account.
    async fn reset_staff_password(
        &self,
        by: &StaffIdentity,
        id: i64,
    ) -> Result<String, crate::error::AppError>;
    async fn webhook_token(&self) -> Result<WebhookTokenStatus, crate::error::AppError>;
    /// Draws a new verify token; returns it (shown once).
    async fn rotate_webhook_token(
        &self,
        by: &StaffIdentity,
    ) -> Result<String, crate::error::AppError>;
}

/// The signed-in staff member's own account, as the account page shows it (never a hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyAccount {
    pub email: String,
    pub display_name: String,
    pub role: StaffRole,
    pub must_change_password: bool,
    /// `None`: not changed since the account was made.
    pub password_changed_at: Option<i64>,
    pub created_at: i64,
    pub last_login_at: Option<i64>,
}

/// A password as typed into a form. Sent as the plain string it is, but its `Debug` prints
/// nothing: the argument struct a server function generates derives `Debug`, and a password
/// must not reach a log or a panic message through it.
#[derive(Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct TypedPassword(String);

impl TypedPassword {
    pub fn new(typed: impl Into<String>) -> Self {
        Self(typed.into())
    }

    /// The typed text, for the server to wrap in a secret at once.
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl std::fmt::Debug for TypedPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TypedPassword(..)")
    }
}

/// What a staff member typed to change their own password. Only on the server, and its
/// `Debug` shows no field, so it cannot end up in a log or a panic message.
#[cfg(feature = "ssr")]
pub struct PasswordChange {
    pub current: String,
    pub new: String,
    pub confirm: String,
}

#[cfg(feature = "ssr")]
impl std::fmt::Debug for PasswordChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordChange { .. }")
    }
}

/// Operations on one's own account, for every signed-in staff member whatever their role.
///
/// Unlike the other ports this one is bound to a request: changing a password must cycle the
/// session id of the request that asked and sign out the account's other sessions, so the
/// server's sign-in layer builds one per signed-in request and puts it, as an
/// [`AccountAccess`], into the request's extensions next to the [`StaffIdentity`].
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait AccountPort: Send + Sync + 'static {
    async fn my_account(&self, me: &StaffIdentity) -> Result<MyAccount, crate::error::AppError>;
    /// Checks the current password and the new one; on success stores it, keeps this session
    /// (under a new id), ends every other session of the account and answers with what to
    /// tell the person.
    async fn change_password(
        &self,
        me: &StaffIdentity,
        change: PasswordChange,
    ) -> Result<String, crate::error::AppError>;
}

/// The [`AccountPort`] of the current request (see there).
#[cfg(feature = "ssr")]
#[derive(Clone)]
pub struct AccountAccess(pub std::sync::Arc<dyn AccountPort>);

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn parse(query: &str) -> WabaFilter {
        let pairs: HashMap<String, String> = query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (k.to_string(), percent_decode(v)))
            .collect();
        WabaFilter::from_query(|key| pairs.get(key).cloned())
    }

    fn percent_decode(text: &str) -> String {
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_filter_survives_the_address_bar() {
        let filter = WabaFilter {
            text: Some("Café & Co = 100%".into()),
            status: Some("ELIGIBLE".into()),
            needs_attention: true,
            country: Some("BR".into()),
            coexistence: Some(false),
            added_from: Some("2026-11-01".into()),
            added_to: Some("2026-11-26".into()),
            sort: WabaSort::Name,
            after: Some(WabaCursor::Name("Azul & Co".into(), 42).encode()),
        };
        assert_eq!(parse(&filter.to_query(true)), filter);
        let without_cursor = parse(&filter.to_query(false));
        assert_eq!(without_cursor.after, None);
        assert_eq!(parse(""), WabaFilter::default());
        assert_eq!(WabaFilter::default().to_query(true), "");
    }

    #[test]
    fn cursors_decode_only_for_their_own_order() {
        for (cursor, sort) in [
            (WabaCursor::Id(7), WabaSort::Newest),
            (WabaCursor::Id(7), WabaSort::Oldest),
            (
                WabaCursor::Updated(1_700_000_000_000, 7),
                WabaSort::RecentlyUpdated,
            ),
            (WabaCursor::Name("a.b.c".into(), 7), WabaSort::Name),
        ] {
            assert_eq!(
                WabaCursor::decode(&cursor.encode(), sort),
                Some(cursor.clone())
            );
        }
        assert_eq!(WabaCursor::decode("i7", WabaSort::Name), None);
        assert_eq!(WabaCursor::decode("x7", WabaSort::Newest), None);
        assert_eq!(WabaCursor::decode("", WabaSort::Newest), None);
        assert_eq!(WabaCursor::decode("uabc", WabaSort::RecentlyUpdated), None);
    }
}
