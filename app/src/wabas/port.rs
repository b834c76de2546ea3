//! The port of this feature between the UI and the server: the data shapes that cross the
//! wire and (server only) the trait the server implements. The staff dashboard of customer WABAs: the overview, the list with its filter in the address bar, one WABA.

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::staff::port::StaffIdentity;

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
    /// Relay destinations and event endpoints paused: the partner's platform is not fed.
    pub paused_feeds: i64,
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
    /// One of [`super::connection::CONNECTIONS`].
    pub connection: String,
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
    /// One of [`super::connection::CONNECTIONS`].
    pub connection: Option<String>,
    /// `YYYY-MM-DD` (UTC), inclusive: when the portal first saw the WABA.
    pub added_from: Option<String>,
    pub added_to: Option<String>,
    pub sort: WabaSort,
    /// Where the page starts: [`WabaCursor::encode`] of the previous page's last row.
    pub after: Option<String>,
}

impl WabaFilter {
    /// Reads the filter from query parameters (`q`, `status`, `attention=1`, `country`,
    /// `coexistence=yes|no`, `connection`, `from`, `to`, `sort`, `after`); empty values mean
    /// "no filter".
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
            connection: some("connection"),
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
        push("connection", self.connection.clone());
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

/// Meta's own MM API metrics (template analytics) of one template over the stored days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateMetricsView {
    pub meta_template_id: String,
    /// The template's name, when the portal knows it.
    pub name: Option<String>,
    pub sent: i64,
    pub delivered: i64,
    pub read: i64,
    pub clicked: i64,
    /// Meta's conversion metrics by name, summed and written out (e.g.
    /// `("website_purchases", "3")`).
    pub conversions: Vec<(String, String)>,
}

/// What the WABA page shows of Meta's metrics.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MmMetricsView {
    pub fetched_at: Option<i64>,
    pub error: Option<String>,
    /// Per day, all templates together (category `meta_mm_api`), for the chart.
    pub days: Vec<DayMetrics>,
    pub templates: Vec<TemplateMetricsView>,
}

/// A coexistence number's sync of the WhatsApp Business app's contacts and chat history
/// (Meta: within 24 hours of onboarding, each asked for once), and what came back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoexistenceView {
    /// When the 24 hours started and end (Unix millis); `None` if the portal did not start it.
    pub started_at: Option<i64>,
    pub deadline: Option<i64>,
    pub contacts_requested_at: Option<i64>,
    pub history_requested_at: Option<i64>,
    pub contact_webhooks: i64,
    pub contacts: i64,
    pub history_webhooks: i64,
    pub history_messages: i64,
    /// Meta's `progress` (0–100) of the history sync.
    pub history_progress: Option<i64>,
    /// Meta's refusal, e.g. the business turned history sharing off (2593109).
    pub history_error: Option<String>,
    pub echoes: i64,
}

/// One message template of the WABA, and whether a test send may use it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateView {
    pub meta_template_id: String,
    pub name: String,
    pub language: String,
    pub category: String,
    pub status: String,
    /// When the MM API's ad sync is done (Unix millis).
    pub ready_at: i64,
    /// Approved, marketing and synced: the test send offers it.
    pub ready: bool,
    /// Why not, when not ready.
    pub reason: Option<String>,
    /// A recategorisation Meta announced: the future category and when.
    pub correct_category: Option<(String, i64)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WabaDetail {
    pub metrics: Vec<DayMetrics>,
    pub failures: Vec<FailureCount>,
    pub row: WabaListRow,
    pub meta_business_id: String,
    pub currency: Option<String>,
    pub phones: Vec<PhoneView>,
    pub templates: Vec<TemplateView>,
    /// Coexistence WABAs: the Business app sync; `None` for the others.
    pub coexistence_sync: Option<CoexistenceView>,
    /// Meta's own MM API metrics (template analytics).
    pub mm_metrics: MmMetricsView,
    /// When the templates were last listed from Meta; `None`: not yet.
    pub templates_synced_at: Option<i64>,
    pub steps: Vec<StepView>,
    pub timeline: Vec<TimelineView>,
    pub status_page: Option<String>,
    /// The partner's own id for the customer, from the signup link it connected through.
    pub customer_id: Option<String>,
    pub signup_link_id: Option<i64>,
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
    /// List the WABA's message templates from Meta again.
    SyncTemplates,
    /// Fetch Meta's template analytics (MM API metrics) now.
    FetchMetrics,
}

impl WabaAction {
    pub const ALL: [WabaAction; 5] = [
        WabaAction::Resubscribe,
        WabaAction::Recheck,
        WabaAction::RefetchToken,
        WabaAction::SyncTemplates,
        WabaAction::FetchMetrics,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WabaAction::Resubscribe => "resubscribe",
            WabaAction::Recheck => "recheck",
            WabaAction::RefetchToken => "refetch_token",
            WabaAction::SyncTemplates => "sync_templates",
            WabaAction::FetchMetrics => "fetch_metrics",
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
            WabaAction::SyncTemplates => "Sync templates",
            WabaAction::FetchMetrics => "Fetch Meta metrics",
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
            WabaAction::SyncTemplates => {
                "Lists the WABA's message templates from Meta again (new ones sync for the MM API for up to 10 minutes)"
            }
            WabaAction::FetchMetrics => {
                "Reads Meta's template analytics for the MM API now (they are also read every few hours)"
            }
        }
    }
}

/// The staff dashboard of every customer WABA: the overview, the list, one WABA and what
/// operators ask again for it. Every method is called with the signed-in staff member; the
/// server functions check the role before calling.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait WabasPort: Send + Sync + 'static {
    async fn overview(&self) -> Result<Overview, crate::error::AppError>;
    async fn wabas(&self, filter: WabaFilter) -> Result<WabaPage, crate::error::AppError>;
    async fn waba(&self, id: i64) -> Result<WabaDetail, crate::error::AppError>;
    /// Restarts a stopped pipeline; returns what was resumed, in words.
    async fn resume(
        &self,
        staff: &StaffIdentity,
        id: i64,
    ) -> Result<String, crate::error::AppError>;
    /// Runs one maintenance action on a WABA; returns what was started, in words.
    async fn waba_action(
        &self,
        staff: &StaffIdentity,
        id: i64,
        action: WabaAction,
    ) -> Result<String, crate::error::AppError>;
}

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
            connection: Some("offboarded".into()),
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
