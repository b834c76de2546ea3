//! The Facebook JS SDK stand-in (`/sandbox/sdk.js`) and the Embedded Signup popup
//! (`/sandbox/embedded-signup`).
//!
//! The SDK keeps the real call shapes: `FB.init({appId, version, …})`, `FB.getLoginStatus(cb)`,
//! `FB.login(cb, {config_id, response_type: "code", override_default_response_type, extras})`,
//! and calls `window.fbAsyncInit` once loaded. `FB.login` opens the popup, which plays Meta's
//! part: it creates the business, WABA and phone through the tester API, posts the
//! `WA_EMBEDDED_SIGNUP` session-info event (a JSON string) to the opener, then hands the code
//! back to the SDK, which calls the login callback with
//! `{status: "connected", authResponse: {code, …}}` — or `{status: "unknown",
//! authResponse: null}` when the popup is closed, cancelled or blocked.
//!
//! Both are static files; the popup reads its parameters in the browser and renders them as
//! text, so nothing from the URL is ever interpreted as HTML.

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use crate::sandbox::core::SandboxState;

const SDK_JS: &str = include_str!("assets/sdk.js");
const POPUP_HTML: &str = include_str!("assets/embedded_signup.html");

pub fn router() -> Router<SandboxState> {
    Router::new()
        .route("/sandbox/sdk.js", get(sdk))
        .route("/sandbox/embedded-signup", get(page))
}

pub async fn sdk() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        SDK_JS,
    )
}

pub async fn page() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
            (header::CONTENT_SECURITY_POLICY, popup_policy()),
        ],
        POPUP_HTML,
    )
}

/// The popup's own Content-Security-Policy (it stands in for a page on Meta's site): its one
/// inline script by hash, its inline styles, nothing else from anywhere else.
fn popup_policy() -> &'static str {
    static POLICY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    POLICY.get_or_init(|| {
        use base64::Engine as _;
        use sha2::Digest as _;
        let script = POPUP_HTML
            .split_once("<script>")
            .and_then(|(_, rest)| rest.split_once("</script>"))
            .map_or("", |(script, _)| script);
        let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(script));
        format!(
            "default-src 'self'; script-src 'sha256-{hash}'; style-src 'unsafe-inline'; \
             img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
        )
    })
}
