//! The simulator's objects, stored as JSON documents (`SandboxStore`). Field names are Graph's.

use serde::{Deserialize, Serialize};

pub const BUSINESS: &str = "business";
pub const WABA: &str = "waba";
pub const PHONE: &str = "phone";
pub const TOKEN: &str = "token";
pub const CODE: &str = "code";
pub const SUBSCRIPTION: &str = "subscription";
pub const MESSAGE_TEMPLATE: &str = "message_template";
pub const TEMPLATE_METRIC: &str = "template_metric";

/// Every `marketing_messages_onboarding_status` value Meta documents (docs/PRODUCT.md §"Meta facts beyond the seeds").
pub const ONBOARDING_STATUSES: &[&str] = &[
    "INELIGIBLE_ON_BEHALF_OF_WABA",
    "INELIGIBLE_INACTIVE_OR_RESTRICTED",
    "INELIGIBLE_COUNTRY_NOT_SUPPORTED",
    "INELIGIBLE_USING_WHATSAPP_BUSINESS_APP",
    "ELIGIBLE",
    "PENDING_VALID_PAYMENT_METHOD",
    "PENDING_INTERNAL_SETUP",
    "ONBOARDED",
];

/// An app's webhook subscription to a WABA (`POST /{WABA}/subscribed_apps`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    pub app_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub override_callback_uri: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Business {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waba {
    pub id: String,
    pub name: String,
    pub owner_business_id: String,
    pub currency: String,
    pub timezone_id: String,
    pub country: String,
    pub account_review_status: String,
    /// One of the values in docs/PRODUCT.md §"Meta facts beyond the seeds" (INELIGIBLE_…, ELIGIBLE, PENDING_…, ONBOARDED).
    pub marketing_messages_onboarding_status: String,
    /// The admin accepted the MM API terms in the Embedded Signup popup: once the app
    /// subscribes to the WABA, the simulator "completes backend onboarding" after
    /// `terms_delay_ms` (status → ONBOARDED, one `MM_LITE_TERMS_SIGNED` webhook).
    #[serde(default)]
    pub mm_terms_accepted: bool,
    #[serde(default)]
    pub terms_delay_ms: u64,
    /// When the simulated backend onboarding completes (Unix millis), once subscribed. Kept in
    /// the store so a restarted simulator still completes it (on the next read of the WABA).
    #[serde(default)]
    pub terms_due_at: Option<i64>,
    /// What the last lifecycle event the tester sent said of the WABA's connection to the
    /// partner (`removed`, `uninstalled`, `deleted`, `offboarded`; `None` = connected).
    /// Removed, uninstalled or deleted: business tokens on it are refused like Meta's (190).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<String>,
    /// Template analytics confirmed (`POST /{WABA}?is_enabled_for_insights=true`; once on,
    /// never off, as Meta says).
    #[serde(default)]
    pub insights_enabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone {
    pub id: String,
    pub waba_id: String,
    pub display_phone_number: String,
    pub verified_name: String,
    pub code_verification_status: String,
    pub quality_rating: String,
    /// `CLOUD_API` once registered, `NOT_APPLICABLE` before.
    pub platform_type: String,
    /// Connected through the WhatsApp Business app (coexistence): never registered.
    pub coexistence: bool,
    /// When `register` succeeded (Unix millis), for the 10-per-72-hours limit.
    #[serde(default)]
    pub registrations: Vec<i64>,
    /// The two-step verification PIN set by `register`.
    #[serde(default)]
    pub pin: Option<String>,
    /// The `smb_app_data` syncs asked for (`smb_app_state_sync`, `history`): once each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub app_data_syncs: Vec<String>,
}

/// The permissions the simulator checks (Meta's names).
pub const BUSINESS_MANAGEMENT: &str = "business_management";
pub const WHATSAPP_MANAGEMENT: &str = "whatsapp_business_management";
pub const WHATSAPP_MESSAGING: &str = "whatsapp_business_messaging";

/// A scope and the objects it was granted on (Embedded Signup grants per WABA).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GranularScope {
    pub scope: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub target_ids: Vec<String>,
}

/// An access token. Stored under the SHA-256 of the token string, never the string itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token {
    pub app_id: String,
    pub user_id: String,
    /// `SYSTEM_USER` for business integration system user tokens.
    #[serde(rename = "type")]
    pub kind: String,
    pub granular_scopes: Vec<GranularScope>,
    /// Unix seconds.
    pub issued_at: i64,
    /// Unix seconds; 0 = never (business integration tokens do not expire).
    pub expires_at: i64,
}

impl Token {
    /// Expired at `now` (Unix millis); tokens with `expires_at` 0 never expire.
    pub fn is_expired(&self, now: i64) -> bool {
        self.expires_at != 0 && self.expires_at * 1000 < now
    }

    pub fn covers(&self, object_id: &str) -> bool {
        self.granular_scopes
            .iter()
            .any(|s| s.target_ids.iter().any(|t| t == object_id))
    }

    /// Whether the token has `scope` granted on `object_id`.
    pub fn has_scope_on(&self, scope: &str, object_id: &str) -> bool {
        self.granular_scopes
            .iter()
            .any(|s| s.scope == scope && s.target_ids.iter().any(|t| t == object_id))
    }
}

/// An authorization code from `FB.login`: single use, short lived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Code {
    pub app_id: String,
    /// The token this code exchanges for (simulator-side secret, like Meta's own records).
    pub access_token: String,
    /// Unix millis.
    pub expires_at: i64,
    pub used: bool,
}

/// A pending or completed Intent API request (`onboard_partners_to_mm_lite`), one per end
/// business (id = the end business id, parent = the partner business).
pub const MM_ONBOARDING_REQUEST: &str = "mm_onboarding_request";
/// Tester settings for how an end business answers the Intent API (id = business id).
pub const MM_ONBOARDING_SETTINGS: &str = "mm_onboarding_settings";
/// The business integration system user token `system_user_access_tokens?fetch_only=true`
/// returns for a client business (id = business id).
pub const BISUAT: &str = "bisuat";

/// The one WhatsApp Business Solution the simulated partner owns; any other `solution_id`
/// is "not found or not accessible".
pub const SANDBOX_SOLUTION_ID: &str = "400000000000005";
/// How long an end business takes to "sign" after `onboard_partners_to_mm_lite`, by default.
pub const DEFAULT_SIGN_DELAY_MS: u64 = 2000;

/// `onboard_partners_to_mm_lite`'s business agreement request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MmOnboardingRequest {
    pub request_id: String,
    pub business_id: String,
    pub partner_business_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub solution_id: Option<String>,
    /// The WABAs that were ELIGIBLE when the request was made; each became due at `due_at`.
    pub waba_ids: Vec<String>,
    /// Unix millis.
    pub created_at: i64,
    /// When the business "signs" (Unix millis). Pending until then.
    pub due_at: i64,
}

/// Per-business tester settings for the Intent API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MmOnboardingSettings {
    pub sign_delay_ms: u64,
    /// Answer 422 "Failed to set OBO mobility intent…" instead of creating the request.
    #[serde(default)]
    pub obo_mobility_error: bool,
}

/// A client business's BISUAT, kept (like [`Code::access_token`]) so that repeated
/// `fetch_only=true` calls return the same token; its `Token` is stored by hash as usual.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bisuat {
    pub access_token: String,
    /// Unix millis.
    pub issued_at: i64,
}

// ---- Sends (`POST /{PHONE}/marketing_messages`, `sends.rs`).

/// The shortest `message_send_ttl_seconds` the simulator accepts: 12 hours. Meta documents
/// the MM API's marketing TTL as "12 hours to 30 days"; the seeds only say the field exists
/// (seed 002), so the bounds are the simulator's reading of Meta's docs, not seed text.
pub const MIN_SEND_TTL_SECONDS: i64 = 43_200;
/// The longest `message_send_ttl_seconds` the simulator accepts: 30 days (see above).
pub const MAX_SEND_TTL_SECONDS: i64 = 2_592_000;

/// Template names that make a send fail the way Meta's MM API can (tester triggers; a real
/// template's state is Meta's, the simulator keeps no templates).
/// With `product_policy: STRICT` → 131063; otherwise the message falls back to the Cloud API.
pub const TEMPLATE_STRICT_FAIL: &str = "strict_fail";
/// → 134101 (template still syncing to the MM API, about 10 minutes; seed 001).
pub const TEMPLATE_SYNCING: &str = "syncing_template";
/// → 134102 (template not supported by the MM API).
pub const TEMPLATE_UNSUPPORTED: &str = "unsupported_template";
/// → 132018 (a problem with the template's parameters).
pub const TEMPLATE_BAD_PARAMS: &str = "bad_params";
/// A recipient ending in this is accepted, then reported `failed` with 131049.
pub const FAILING_RECIPIENT_SUFFIX: &str = "0000";
/// The per-user marketing limit error in a `failed` status.
pub const ECOSYSTEM_ERROR_CODE: i64 = 131049;
pub const ECOSYSTEM_ERROR_TITLE: &str =
    "This message was not delivered to maintain healthy ecosystem engagement.";
/// How far apart the simulated `sent`, `delivered`, `read` (and click) webhooks go out.
pub const STATUS_STEP_MS: u64 = 200;

/// The category a Cloud API (`/messages`) template is priced in, from its name (the simulator
/// keeps no templates): `utility_…` → `utility`, `authentication_…` → `authentication`,
/// anything else → `marketing`.
pub fn template_category(name: &str) -> &'static str {
    if name.starts_with(TEMPLATE_UTILITY_PREFIX) {
        "utility"
    } else if name.starts_with(TEMPLATE_AUTHENTICATION_PREFIX) {
        "authentication"
    } else {
        "marketing"
    }
}

/// Cloud API templates whose name starts with this are priced `utility`.
pub const TEMPLATE_UTILITY_PREFIX: &str = "utility_";
/// Cloud API templates whose name starts with this are priced `authentication`.
pub const TEMPLATE_AUTHENTICATION_PREFIX: &str = "authentication_";

/// A message template of a WABA (`GET /{WABA}/message_templates`, docs/meta/templates.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageTemplate {
    pub id: String,
    pub waba_id: String,
    pub name: String,
    pub language: String,
    /// `MARKETING`, `UTILITY` or `AUTHENTICATION`.
    pub category: String,
    /// `APPROVED`, `PENDING`, `REJECTED`, `PAUSED`, …
    pub status: String,
}

/// A business name (the number's verified name) containing this declines to share its chat
/// history: `smb_app_data` with `history` is answered by the 2593109 `history` webhook.
pub const HISTORY_DECLINED_MARK: &str = "(no history)";

/// The templates every signup's WABA starts with: (name, category, status). Ready marketing
/// ones, one the simulator answers 134101 for by its name (`TEMPLATE_SYNCING`), a utility
/// template and one still in review, so each reason the portal gives can be seen.
pub const DEFAULT_TEMPLATES: [(&str, &str, &str); 5] = [
    ("marketing_text_no_param", "MARKETING", "APPROVED"),
    ("spring_sale", "MARKETING", "APPROVED"),
    ("syncing_template", "MARKETING", "APPROVED"),
    ("order_update", "UTILITY", "APPROVED"),
    ("new_arrivals", "MARKETING", "PENDING"),
];

/// One template's MM API traffic on one UTC day, counted by the simulator's sends (what
/// `template_analytics` answers). Every accepted MM send is sent, delivered and read (the
/// simulator's status webhooks), clicked when activity sharing is on; one in two clicks is
/// simulated as a website purchase, so conversions show up.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateMetric {
    pub template_id: String,
    /// Unix seconds of the day's start (00:00 UTC).
    pub start: i64,
    pub sent: i64,
    pub delivered: i64,
    pub read: i64,
    pub clicked: i64,
    pub website_purchases: i64,
}
