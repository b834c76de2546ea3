//! Meta's Graph error object (`{"error": {message, type, code, error_subcode, fbtrace_id,
//! is_transient, error_user_title, error_user_msg}}`, the `ErrorResponse` schema of the
//! OpenAPI file, docs/meta/openapi.md) and the portal's reaction to each error.
//!
//! Retry, with backoff, on: `is_transient: true`; HTTP 5xx; and the throttling / temporary
//! codes 1 (unknown, retry), 2 (service temporarily unavailable), 4 (app rate limit), 17 (user
//! rate limit), 32 (page rate limit), 341 (application limit reached), 613 (calls exceed the
//! rate limit), 80007 / 80008 (WhatsApp Business Account rate limits), 130429 (Cloud API
//! throughput reached), 131056 (pair rate limit). Everything else is permanent: retrying cannot
//! fix a bad parameter, a missing permission or an expired token, so the pipeline stops at that
//! step and shows Meta's message to staff.

use serde::{Deserialize, Serialize};

/// The body Graph answers with on failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphErrorBody {
    pub error: GraphError,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphError {
    pub message: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub code: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_subcode: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fbtrace_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_transient: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_user_title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_user_msg: Option<String>,
}

/// Codes that mean "slow down or try again later".
pub const RETRYABLE_CODES: &[i64] = &[1, 2, 4, 17, 32, 341, 613, 80007, 80008, 130429, 131056];

/// Codes that are rate limits (as opposed to outages): back off for longer, and honour the
/// usage header's time to regain access.
pub const RATE_LIMIT_CODES: &[i64] = &[4, 17, 32, 341, 613, 80007, 80008, 130429, 131056];

/// What to do about a failed Graph call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reaction {
    /// Try again later; `rate_limited` asks for the longer, usage-header-aware delay.
    Retry { rate_limited: bool },
    /// Stop and tell a person.
    Stop,
}

impl GraphError {
    /// Reads Graph's error body; `None` if the body is not one.
    pub fn from_body(body: &[u8]) -> Option<GraphError> {
        serde_json::from_slice::<GraphErrorBody>(body)
            .ok()
            .map(|b| b.error)
    }

    /// How to react to this error, returned with HTTP status `status`.
    pub fn reaction(&self, status: u16) -> Reaction {
        let rate_limited = RATE_LIMIT_CODES.contains(&self.code) || status == 429;
        if rate_limited
            || self.is_transient == Some(true)
            || RETRYABLE_CODES.contains(&self.code)
            || status >= 500
        {
            Reaction::Retry { rate_limited }
        } else {
            Reaction::Stop
        }
    }

    /// The text to show staff: Meta's user-facing title and message when it sent them.
    pub fn staff_message(&self) -> String {
        let subcode = self
            .error_subcode
            .map(|s| format!(", subcode {s}"))
            .unwrap_or_default();
        match (&self.error_user_title, &self.error_user_msg) {
            (Some(title), Some(msg)) => {
                format!("{title}: {msg} (Graph error {}{subcode})", self.code)
            }
            _ => format!("{} (Graph error {}{subcode})", self.message, self.code),
        }
    }
}

/// The kind of a transport failure only: reqwest's own messages include the URL, which may
/// hold a code or the app secret.
pub(crate) fn transport_kind(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "timed out".into()
    } else if error.is_connect() {
        "connection failed".into()
    } else if error.is_decode() || error.is_body() {
        "the answer could not be read".into()
    } else {
        "request failed".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(code: i64, transient: Option<bool>) -> GraphError {
        GraphError {
            message: "An error".into(),
            kind: "OAuthException".into(),
            code,
            error_subcode: None,
            fbtrace_id: Some("AXsgnV2Cm3ZMGF3dF_cfYIn".into()),
            is_transient: transient,
            error_user_title: None,
            error_user_msg: None,
        }
    }

    #[test]
    fn parses_the_openapi_example_shape() {
        let body = br#"{"error":{"message":"Invalid parameter","type":"OAuthException","code":100,"error_subcode":33,"fbtrace_id":"AXsgnV2Cm3ZMGF3dF_cfYIn","is_transient":false,"error_user_title":"Permission Denied","error_user_msg":"Your app doesn't have permission to access this resource"}}"#;
        let parsed = GraphError::from_body(body).unwrap();
        assert_eq!(parsed.code, 100);
        assert_eq!(parsed.error_subcode, Some(33));
        assert_eq!(parsed.kind, "OAuthException");
        assert_eq!(
            parsed.staff_message(),
            "Permission Denied: Your app doesn't have permission to access this resource (Graph error 100, subcode 33)"
        );
        assert_eq!(parsed.reaction(400), Reaction::Stop);
        // Round trip keeps the shape (optional fields omitted when absent).
        let minimal = serde_json::to_value(GraphErrorBody {
            error: error(190, None),
        })
        .unwrap();
        assert!(minimal["error"].get("error_subcode").is_none());
        assert_eq!(minimal["error"]["type"], "OAuthException");
        assert!(GraphError::from_body(b"<html>502</html>").is_none());
    }

    #[test]
    fn rate_limits_transient_errors_and_outages_are_retried() {
        for code in RATE_LIMIT_CODES {
            assert_eq!(
                error(*code, None).reaction(400),
                Reaction::Retry { rate_limited: true }
            );
        }
        for code in [1, 2] {
            assert_eq!(
                error(code, None).reaction(500),
                Reaction::Retry {
                    rate_limited: false
                }
            );
        }
        assert_eq!(
            error(100, Some(true)).reaction(400),
            Reaction::Retry {
                rate_limited: false
            }
        );
        assert_eq!(
            error(100, None).reaction(503),
            Reaction::Retry {
                rate_limited: false
            }
        );
        assert_eq!(
            error(100, None).reaction(429),
            Reaction::Retry { rate_limited: true }
        );
    }

    #[test]
    fn bad_requests_permissions_and_tokens_stop() {
        for code in [100, 190, 200, 10, 133016, 131055] {
            assert_eq!(
                error(code, Some(false)).reaction(400),
                Reaction::Stop,
                "{code}"
            );
        }
    }
}
