//! Graph's error responses, as the simulator sends them.
//!
//! Graph answers most errors with HTTP 400 and the `ErrorResponse` object; clients must read
//! the body, not the status (the portal's `graph::GraphError::reaction` does). Messages follow
//! what Graph returns for each case; `fbtrace_id` is random per response, like Meta's.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::config::SANDBOX_PARTNER_BUSINESS_ID;
use crate::graph::{GraphError, GraphErrorBody};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimError {
    pub status: StatusCode,
    /// Boxed: handlers return `Result<_, SimError>` everywhere, and the error is rare.
    pub error: Box<GraphError>,
    /// For rate limits: sent as `estimated_time_to_regain_access` (minutes) in an
    /// `X-Business-Use-Case-Usage` header, like Meta's throttled answers.
    pub regain_access_minutes: Option<u32>,
    /// For rate limits: whose usage the headers report (default: the sandbox partner's
    /// `whatsapp_business_management` usage, no `X-App-Usage`).
    pub usage_scope: Option<Box<UsageScope>>,
}

/// Whose usage a throttled answer's headers report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageScope {
    /// The key of `X-Business-Use-Case-Usage`: the throttled business.
    pub business_id: String,
    /// The usage's `type` (`whatsapp_business_management` or `whatsapp_business_messaging`).
    pub usage_type: &'static str,
    /// Also send `X-App-Usage` (app-level limits, code 4).
    pub app_level: bool,
}

/// `X-Business-Use-Case-Usage` as Meta formats it: a JSON object from business id to a list
/// of usages, counts in percent of the allowance (100 = exhausted), the wait in minutes.
pub fn business_use_case_usage(scope: Option<&UsageScope>, regain_access_minutes: u32) -> String {
    let (business_id, usage_type) = match scope {
        Some(scope) => (scope.business_id.as_str(), scope.usage_type),
        None => (SANDBOX_PARTNER_BUSINESS_ID, "whatsapp_business_management"),
    };
    serde_json::json!({ business_id: [{
        "type": usage_type,
        "call_count": 100,
        "total_cputime": 5,
        "total_time": 5,
        "estimated_time_to_regain_access": regain_access_minutes,
    }]})
    .to_string()
}

impl IntoResponse for SimError {
    fn into_response(self) -> Response {
        let mut response =
            (self.status, Json(GraphErrorBody { error: *self.error })).into_response();
        if let Some(minutes) = self.regain_access_minutes {
            let scope = self.usage_scope.as_deref();
            let headers = response.headers_mut();
            if let Ok(value) = HeaderValue::from_str(&business_use_case_usage(scope, minutes)) {
                headers.insert("x-business-use-case-usage", value);
            }
            if scope.is_some_and(|s| s.app_level) {
                headers.insert(
                    "x-app-usage",
                    HeaderValue::from_static(
                        r#"{"call_count":100,"total_cputime":5,"total_time":5}"#,
                    ),
                );
            }
        }
        response
    }
}

fn error(
    status: StatusCode,
    kind: &str,
    code: i64,
    subcode: Option<i64>,
    message: String,
) -> SimError {
    SimError {
        status,
        error: Box::new(GraphError {
            message,
            kind: kind.to_string(),
            code,
            error_subcode: subcode,
            fbtrace_id: Some(fbtrace_id()),
            is_transient: Some(false),
            error_user_title: None,
            error_user_msg: None,
        }),
        regain_access_minutes: None,
        usage_scope: None,
    }
}

fn fbtrace_id() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    super::ids::random_from(ALPHABET, 23)
}

pub fn missing_parameter(name: &str) -> SimError {
    error(
        StatusCode::BAD_REQUEST,
        "OAuthException",
        100,
        None,
        format!("(#100) The parameter {name} is required"),
    )
}

pub fn no_access_token() -> SimError {
    error(
        StatusCode::BAD_REQUEST,
        "OAuthException",
        2500,
        None,
        "An active access token must be used to query information about the current user.".into(),
    )
}

pub fn invalid_token() -> SimError {
    error(
        StatusCode::BAD_REQUEST,
        "OAuthException",
        190,
        None,
        "Invalid OAuth access token - Cannot parse access token".into(),
    )
}

/// A repeated `smb_app_data` sync (code 4, the simulator's reading: Meta documents none).
pub fn sync_already_requested() -> SimError {
    error(
        StatusCode::BAD_REQUEST,
        "OAuthException",
        4,
        None,
        "(#4) Application request limit reached: this sync was already requested".into(),
    )
}

/// Meta's answer to a token of a business that removed the partner, uninstalled its app or
/// deleted the WABA.
pub fn app_not_authorized(app_id: &str) -> SimError {
    error(
        StatusCode::BAD_REQUEST,
        "OAuthException",
        190,
        Some(458),
        format!("Error validating access token: The user has not authorized application {app_id}."),
    )
}

pub fn expired_token() -> SimError {
    error(
        StatusCode::BAD_REQUEST,
        "OAuthException",
        190,
        Some(463),
        "Error validating access token: Session has expired.".into(),
    )
}

pub fn appsecret_proof_missing() -> SimError {
    error(
        StatusCode::BAD_REQUEST,
        "GraphMethodException",
        100,
        None,
        "API calls from the server require an appsecret_proof argument".into(),
    )
}

pub fn appsecret_proof_invalid() -> SimError {
    error(
        StatusCode::BAD_REQUEST,
        "GraphMethodException",
        100,
        None,
        "Invalid appsecret_proof provided in the API argument".into(),
    )
}

pub fn invalid_application_id() -> SimError {
    error(
        StatusCode::BAD_REQUEST,
        "OAuthException",
        101,
        None,
        "Error validating application. Invalid application ID.".into(),
    )
}

pub fn invalid_client_secret() -> SimError {
    error(
        StatusCode::BAD_REQUEST,
        "OAuthException",
        1,
        None,
        "Error validating client secret.".into(),
    )
}

pub fn code_invalid() -> SimError {
    error(
        StatusCode::BAD_REQUEST,
        "OAuthException",
        100,
        Some(36008),
        "Invalid verification code format.".into(),
    )
}

pub fn code_used() -> SimError {
    error(
        StatusCode::BAD_REQUEST,
        "OAuthException",
        100,
        Some(36009),
        "This authorization code has been used.".into(),
    )
}

pub fn code_expired() -> SimError {
    error(
        StatusCode::BAD_REQUEST,
        "OAuthException",
        100,
        Some(36007),
        "This authorization code has expired.".into(),
    )
}

pub fn unsupported_get(id: &str) -> SimError {
    unsupported("get", id)
}

/// Graph's answer for an object that does not exist or the caller cannot reach, in a
/// `get` or a `post` request.
fn unsupported(method: &str, id: &str) -> SimError {
    error(
        StatusCode::BAD_REQUEST,
        "GraphMethodException",
        100,
        Some(33),
        format!(
            "Unsupported {method} request. Object with ID '{id}' does not exist, cannot be \
             loaded due to missing permissions, or does not support this operation. Please \
             read the Graph API documentation at https://developers.facebook.com/docs/graph-api"
        ),
    )
}

pub fn unknown_path(path: &str) -> SimError {
    error(
        StatusCode::BAD_REQUEST,
        "OAuthException",
        2500,
        None,
        format!("Unknown path components: /{path}"),
    )
}

pub fn nonexisting_field(field: &str, node: &str) -> SimError {
    error(
        StatusCode::BAD_REQUEST,
        "OAuthException",
        100,
        None,
        format!("(#100) Tried accessing nonexisting field ({field}) on node type ({node})"),
    )
}

/// The simulator's own storage failed: Graph's transient "unexpected error".
pub fn store(_: crate::db::DbError) -> SimError {
    internal()
}

pub fn internal() -> SimError {
    let mut e = error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "OAuthException",
        2,
        None,
        "An unexpected error has occurred. Please retry your request later.".into(),
    );
    e.error.is_transient = Some(true);
    e
}

/// `POST /{PHONE}/register` more than 10 times in 72 hours.
pub fn registration_limit() -> SimError {
    error(
        StatusCode::BAD_REQUEST,
        "OAuthException",
        133016,
        None,
        "Account register deregister rate limit exceeded".into(),
    )
}

pub fn invalid_parameter(message: &str) -> SimError {
    error(
        StatusCode::BAD_REQUEST,
        "OAuthException",
        100,
        None,
        format!("(#100) {message}"),
    )
}

/// `override_callback_uri` on a WABA the app has not subscribed to plainly first.
pub fn override_before_subscribe() -> SimError {
    invalid_parameter(
        "override_callback_uri can only be set after the app has subscribed to the WABA",
    )
}

/// An injected rate limit (WABA-level, 80007) with the usage header: HTTP 400, as Graph
/// sends WhatsApp Business Account errors (`sandbox::rate_limit` relies on this shape).
pub fn rate_limited(regain_access_minutes: u32) -> SimError {
    let mut e = error(
        StatusCode::BAD_REQUEST,
        "OAuthException",
        80007,
        None,
        "(#80007) Rate limit issues on the WhatsApp Business Account".into(),
    );
    e.regain_access_minutes = Some(regain_access_minutes);
    e
}

/// The rate limits the simulator can inject: Graph's app-level limit (4), the WhatsApp
/// Business Account limit (80007) and the Cloud API's throughput limit (130429).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub enum RateLimitCode {
    App,
    Business,
    Throughput,
}

impl RateLimitCode {
    pub const ALL: [RateLimitCode; 3] = [Self::App, Self::Business, Self::Throughput];

    pub fn code(self) -> i64 {
        match self {
            Self::App => 4,
            Self::Business => 80007,
            Self::Throughput => 130429,
        }
    }
}

impl From<RateLimitCode> for i64 {
    fn from(code: RateLimitCode) -> i64 {
        code.code()
    }
}

impl TryFrom<i64> for RateLimitCode {
    type Error = String;

    fn try_from(code: i64) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|c| c.code() == code)
            .ok_or_else(|| format!("rate-limit code must be 4, 80007 or 130429, not {code}"))
    }
}

/// An injected rate limit with its usage headers: `X-Business-Use-Case-Usage` keyed by
/// `business_id` (default: the sandbox partner), announcing `estimated_time_to_regain_access`
/// minutes, as Meta formats it. Per code:
///
/// - 4 (app-level): HTTP 429, subcode 2446079, `is_transient: true` (docs/meta/openapi.md: the OpenAPI
///   file's rate-limit example), plus `X-App-Usage` (Meta's app-level usage header).
/// - 80007 (WhatsApp Business Account): [`rate_limited`], HTTP 400.
/// - 130429 (Cloud API throughput): HTTP 400 like other WhatsApp errors, `(#130429) Rate
///   limit hit`, `is_transient: true`, the usage typed `whatsapp_business_messaging`.
pub fn rate_limit(
    code: RateLimitCode,
    regain_access_minutes: u32,
    business_id: Option<&str>,
) -> SimError {
    let mut e = match code {
        RateLimitCode::Business => rate_limited(regain_access_minutes),
        RateLimitCode::App => {
            let mut e = error(
                StatusCode::TOO_MANY_REQUESTS,
                "OAuthException",
                4,
                Some(2446079),
                "(#4) Application request limit reached".into(),
            );
            e.error.is_transient = Some(true);
            e
        }
        RateLimitCode::Throughput => {
            let mut e = whatsapp_error(
                130429,
                "Rate limit hit",
                "Cloud API message throughput has been reached. Try again later or lower the \
                 send rate.",
            );
            e.error.is_transient = Some(true);
            e
        }
    };
    e.regain_access_minutes = Some(regain_access_minutes);
    e.usage_scope = Some(Box::new(UsageScope {
        business_id: business_id
            .unwrap_or(SANDBOX_PARTNER_BUSINESS_ID)
            .to_string(),
        usage_type: if code == RateLimitCode::Throughput {
            "whatsapp_business_messaging"
        } else {
            "whatsapp_business_management"
        },
        app_level: code == RateLimitCode::App,
    }));
    e
}

/// An injected permanent failure: a permission Meta says is missing.
pub fn permission_denied() -> SimError {
    error(
        StatusCode::FORBIDDEN,
        "OAuthException",
        200,
        None,
        "(#200) Permissions error".into(),
    )
}

// ---- Partner-level endpoints (`client_whatsapp_business_accounts`,
// `onboard_partners_to_mm_lite`, `system_user_access_tokens`). Statuses are the ones seed 004
// lists ("Select status code 200 400 401 403 404 422 500"); codes and messages are the
// examples the OpenAPI file (docs/meta/openapi.md) gives for those statuses
// (`/{Version}/{Business-ID}/onboard_partners_to_mm_lite`, `…/client_whatsapp_business_accounts`).

/// A token error answered with 401, as seed 004 lists it ("401 Unauthorized - Invalid or
/// missing access token"); other errors pass through unchanged.
pub fn as_unauthorized(mut e: SimError) -> SimError {
    if matches!(e.error.code, 190 | 2500) {
        e.status = StatusCode::UNAUTHORIZED;
    }
    e
}

/// 400, OpenAPI example `invalid_business_id`.
pub fn business_id_not_numeric() -> SimError {
    error(
        StatusCode::BAD_REQUEST,
        "OAuthException",
        100,
        None,
        "Invalid parameter: business_id must be a valid numeric string".into(),
    )
}

/// 400, OpenAPI example `invalid_solution_id`.
pub fn solution_id_not_numeric() -> SimError {
    error(
        StatusCode::BAD_REQUEST,
        "OAuthException",
        100,
        None,
        "Invalid parameter: solution_id must be a valid numeric string".into(),
    )
}

/// 400, OpenAPI example `no_eligible_wabas`.
pub fn no_eligible_wabas() -> SimError {
    error(
        StatusCode::BAD_REQUEST,
        "GraphMethodException",
        100,
        None,
        "No eligible WhatsApp Business Accounts found for MM Lite onboarding".into(),
    )
}

fn permission_error(message: &str) -> SimError {
    let mut e = error(
        StatusCode::FORBIDDEN,
        "OAuthException",
        200,
        Some(1349174),
        message.into(),
    );
    e.error.error_user_title = Some("Permission Denied".into());
    e.error.error_user_msg =
        Some("Your app doesn't have permission to access this resource".into());
    e
}

/// 403, OpenAPI example `missing_permissions` of `onboard_partners_to_mm_lite`.
pub fn missing_management_permission() -> SimError {
    permission_error("Your app doesn't have the required whatsapp_business_management permission")
}

/// 403, the OpenAPI 403 example of `client_whatsapp_business_accounts`.
pub fn client_wabas_forbidden() -> SimError {
    permission_error(
        "Your app doesn't have permission to access client WhatsApp Business Accounts for this business",
    )
}

/// 403, OpenAPI example `business_not_eligible`.
pub fn business_not_eligible() -> SimError {
    error(
        StatusCode::FORBIDDEN,
        "GraphMethodException",
        200,
        None,
        "End business is not eligible for MM Lite onboarding".into(),
    )
}

/// 403, OpenAPI example `duplicate_request`.
pub fn duplicate_agreement_request() -> SimError {
    error(
        StatusCode::FORBIDDEN,
        "GraphMethodException",
        100,
        None,
        "A business agreement request already exists between these parties".into(),
    )
}

/// 404, the OpenAPI 404 example.
pub fn business_not_found() -> SimError {
    error(
        StatusCode::NOT_FOUND,
        "GraphMethodException",
        803,
        None,
        "Business not found".into(),
    )
}

/// 422, OpenAPI example `obo_mobility_error`.
pub fn obo_mobility_failed() -> SimError {
    error(
        StatusCode::UNPROCESSABLE_ENTITY,
        "GraphMethodException",
        100,
        None,
        "Failed to set OBO mobility intent on one or more WhatsApp Business Accounts".into(),
    )
}

/// 422, OpenAPI example `solution_not_found`.
pub fn solution_not_found() -> SimError {
    error(
        StatusCode::UNPROCESSABLE_ENTITY,
        "GraphMethodException",
        803,
        None,
        "WhatsApp Business Solution not found or not accessible".into(),
    )
}

/// A `filtering` parameter that is not a list of `{field, operator, value}` the edge accepts.
/// The JSON case is the OpenAPI's own example message.
pub fn invalid_filtering(detail: Option<&str>) -> SimError {
    let message = match detail {
        None => "Invalid parameter: filtering must be valid JSON".to_string(),
        Some(detail) => format!("Invalid parameter: filtering {detail}"),
    };
    error(
        StatusCode::BAD_REQUEST,
        "OAuthException",
        100,
        None,
        message,
    )
}

/// `POST` on an object that does not exist or the caller cannot reach (Graph's wording for
/// POSTs mirrors [`unsupported_get`]).
pub fn unsupported_post(id: &str) -> SimError {
    unsupported("post", id)
}

/// A call that needs `business_management` on the partner business (seed 000: "This access
/// token requires the business_management permission").
pub fn requires_business_management() -> SimError {
    error(
        StatusCode::FORBIDDEN,
        "OAuthException",
        200,
        None,
        "(#200) Requires business_management permission to manage the object".into(),
    )
}

// ---- MM API send errors (`POST /{PHONE}/marketing_messages`). The codes are the ones
// docs/PRODUCT.md §"Test sends" lists; the seeds name none of them, so titles and details are the
// simulator's plain wording (132018's title is the Cloud API's). Graph sends WhatsApp errors
// with HTTP 400, type `OAuthException` and `(#code) title` as the message; the detail that
// Meta puts in `error_data.details` is in `error_user_msg` here (`GraphError` has no
// `error_data`).

fn whatsapp_error(code: i64, title: &str, details: &str) -> SimError {
    let mut e = error(
        StatusCode::BAD_REQUEST,
        "OAuthException",
        code,
        None,
        format!("(#{code}) {title}"),
    );
    e.error.error_user_title = Some(title.into());
    e.error.error_user_msg = Some(details.into());
    e
}

/// 131055: the WABA is not ONBOARDED to the MM API (terms not accepted or still pending).
pub fn mm_not_onboarded() -> SimError {
    whatsapp_error(
        131055,
        "Method not allowed",
        "This WhatsApp Business Account is not onboarded to the Marketing Messages API: the \
         business must accept the MM API terms first.",
    )
}

/// 134100: the phone number cannot send through the MM API (not registered for the Cloud
/// API and not a coexistence number).
pub fn mm_phone_not_eligible() -> SimError {
    whatsapp_error(
        134100,
        "Phone number not eligible for the Marketing Messages API",
        "Register the phone number for the Cloud API before sending marketing messages.",
    )
}

/// 131063: the MM API could not send it and `product_policy: STRICT` forbids the Cloud API
/// fallback.
pub fn mm_strict_policy() -> SimError {
    whatsapp_error(
        131063,
        "Message could not be sent through the Marketing Messages API",
        "The message could not be sent through the MM API and product_policy STRICT does not \
         allow falling back to the Cloud API.",
    )
}

/// 134101: the template is still being synced to the MM API (about 10 minutes, seed 001).
pub fn mm_template_syncing() -> SimError {
    whatsapp_error(
        134101,
        "Template not yet available for the Marketing Messages API",
        "The template is still being set up for the MM API, which takes about 10 minutes. Try \
         again later.",
    )
}

/// 134102: the template cannot be sent through the MM API.
pub fn mm_template_unsupported() -> SimError {
    whatsapp_error(
        134102,
        "Template not supported by the Marketing Messages API",
        "This template's type or category cannot be sent through the MM API.",
    )
}

/// 132018: the template's parameters do not fit the template.
pub fn template_parameter_issue() -> SimError {
    whatsapp_error(
        132018,
        "There was an issue with the parameters in your template.",
        "The parameters sent do not match what the template expects.",
    )
}

/// 133010 on the Cloud API's `/messages`: the sending number is not registered (and not a
/// coexistence number).
pub fn cloud_phone_not_registered() -> SimError {
    whatsapp_error(
        133010,
        "Account not registered",
        "The phone number is not registered for the Cloud API: register it (POST \
         /{PHONE_NUMBER_ID}/register) before sending messages.",
    )
}
