//! Security headers on every response.
//!
//! - `Content-Security-Policy`: scripts only from this origin and the configured Facebook SDK
//!   origin, plus, on pages Leptos renders, its inline hydration and streaming scripts, which
//!   carry a fresh random nonce per response (Leptos adds `nonce="…"` to every inline
//!   `<script>` it writes when a [`leptos::nonce::Nonce`] is in the context: see
//!   [`SecurityHeaders::provide_nonce`]). `'wasm-unsafe-eval'` lets the page compile its
//!   WebAssembly (it allows no JavaScript `eval`). No page may be framed
//!   (`frame-ancestors 'none'`), no plugin runs, forms post only here.
//! - `X-Content-Type-Options: nosniff`.
//! - `Referrer-Policy: same-origin`, and `no-referrer` on `/status/…`, whose URL holds the
//!   status key.
//! - `Strict-Transport-Security` when the portal is served over https.
//! - `Cache-Control: no-store` on server-function answers, sign-in and the CSV export.
//!
//! Responses that set their own policy (the simulator's popup) keep it.

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;

/// What the portal's policies allow besides its own origin.
#[derive(Clone, Debug)]
pub struct SecurityHeaders {
    /// Origins scripts may come from besides `'self'` (the Facebook SDK's in live mode).
    script_origins: Vec<String>,
    /// Origins the SDK frames and talks to (Meta's Embedded Signup origins in live mode).
    meta_origins: Vec<String>,
    https: bool,
}

impl SecurityHeaders {
    /// `sdk_url`: the Facebook SDK, when not served by this portal; `es_origins`: where
    /// Embedded Signup runs; `https`: whether people reach the portal over https.
    pub fn new(sdk_url: Option<&url::Url>, es_origins: &[String], https: bool) -> Self {
        let script_origins = sdk_url
            .map(|url| url.origin().ascii_serialization())
            .filter(|origin| origin != "null")
            .into_iter()
            .collect::<Vec<_>>();
        let mut meta_origins = script_origins.clone();
        meta_origins.extend(es_origins.iter().cloned());
        // Meta's SDK talks to its popup through frames on other facebook.com hosts
        // (staticxx.…): allow the domain when Embedded Signup runs there. (Live mode; the
        // sandbox serves everything itself.)
        if es_origins.iter().any(|o| o.ends_with(".facebook.com")) {
            meta_origins.push("https://*.facebook.com".into());
        }
        Self {
            script_origins,
            meta_origins,
            https,
        }
    }

    /// The policy of a response; `nonce` for a page with Leptos' inline scripts.
    pub fn policy(&self, nonce: Option<&str>) -> String {
        let join = |origins: &[String]| origins.iter().map(|o| format!(" {o}")).collect::<String>();
        let nonce = nonce.map(|n| format!(" 'nonce-{n}'")).unwrap_or_default();
        format!(
            "default-src 'self'; script-src 'self'{nonce} 'wasm-unsafe-eval'{scripts}; \
             style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
             connect-src 'self'{meta}; frame-src 'self'{meta}; object-src 'none'; \
             base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            scripts = join(&self.script_origins),
            meta = join(&self.meta_origins),
        )
    }

    /// For the Leptos render context of one response: a fresh nonce for its inline scripts,
    /// and the policy naming it on the response.
    pub fn provide_nonce(&self) {
        let nonce = leptos::nonce::Nonce::new();
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            if let Ok(value) = HeaderValue::from_str(&self.policy(Some(&nonce))) {
                response.insert_header(header::CONTENT_SECURITY_POLICY, value);
            }
        }
        leptos::prelude::provide_context(nonce);
    }

    /// `router` with the headers on every response.
    pub fn apply(&self, router: Router) -> Router {
        let policy = HeaderValue::from_str(&self.policy(None)).expect("ASCII policy");
        let router = router
            .layer(axum::middleware::from_fn(no_referrer_on_status_pages))
            .layer(axum::middleware::from_fn(no_store_for_private_answers))
            .layer(SetResponseHeaderLayer::if_not_present(
                header::CONTENT_SECURITY_POLICY,
                policy,
            ))
            .layer(SetResponseHeaderLayer::overriding(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ))
            .layer(SetResponseHeaderLayer::if_not_present(
                header::REFERRER_POLICY,
                HeaderValue::from_static("same-origin"),
            ));
        if self.https {
            router.layer(SetResponseHeaderLayer::overriding(
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static("max-age=31536000"),
            ))
        } else {
            router
        }
    }
}

/// A status page's URL is its key: it goes to no other site, nor into this one's logs.
async fn no_referrer_on_status_pages(request: Request, next: Next) -> Response {
    let status_page = request.uri().path().starts_with("/status/");
    let mut response = next.run(request).await;
    if status_page {
        response.headers_mut().insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
    }
    response
}

/// Server-function answers (among them one-time secrets: a new staff member's initial
/// password, a rotated verify token), sign-in redirects and the CSV export are never kept by a
/// browser or a proxy cache.
async fn no_store_for_private_answers(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let private = path.starts_with("/api/") || path.starts_with("/auth/") || path == "/wabas.csv";
    let mut response = next.run(request).await;
    if private && !response.headers().contains_key(header::CACHE_CONTROL) {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_mode_allows_meta_s_sdk_and_origins_only() {
        let sdk = url::Url::parse("https://connect.facebook.net/en_US/sdk.js").unwrap();
        let headers =
            SecurityHeaders::new(Some(&sdk), &["https://www.facebook.com".to_string()], true);
        let policy = headers.policy(Some("abc"));
        assert!(policy.contains(
            "script-src 'self' 'nonce-abc' 'wasm-unsafe-eval' https://connect.facebook.net;"
        ));
        assert!(policy.contains(
            "frame-src 'self' https://connect.facebook.net https://www.facebook.com https://*.facebook.com;"
        ));
        assert!(
            !policy.contains("'unsafe-eval'") && !policy.contains("script-src 'unsafe-inline'")
        );
        let sandbox = SecurityHeaders::new(None, &[], false).policy(None);
        assert!(
            sandbox.contains("script-src 'self' 'wasm-unsafe-eval';"),
            "{sandbox}"
        );
    }
}
