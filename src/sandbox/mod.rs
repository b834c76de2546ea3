//! The Meta simulator (sandbox mode): a stateful stand-in for the parts of Meta the portal
//! uses, served under `/sandbox/…` and reached over real HTTP. Design: docs/SIMULATOR.md.
//!
//! Built so far: the Graph endpoints for the code exchange (`oauth/access_token`),
//! `debug_token`, reading a WABA / phone / business with `fields=`, a WABA's `phone_numbers`,
//! Graph's error objects, and access-token plus `appsecret_proof` checks; and the tester API
//! that the Embedded Signup popup will call to create a business, WABA, phone and code.

pub mod errors;
pub mod faults;
pub mod graph;
pub mod model;
pub mod outbound;
pub mod partner;
pub mod popup;
pub mod rate_limit;
pub mod seed;
pub mod sends;
pub mod tester;
pub mod waba_ops;

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;
use secrecy::SecretString;
use url::Url;

use crate::db::SandboxStore;

#[derive(Clone)]
pub struct SandboxState {
    pub store: Arc<dyn SandboxStore>,
    /// The simulated Meta app (the portal's `META_APP_ID` / `META_APP_SECRET`).
    pub app_id: String,
    pub app_secret: Arc<SecretString>,
    /// Where the simulator sends Meta's webhooks: the portal's `/webhooks/meta`.
    pub webhook_url: Option<Url>,
    pub http: reqwest::Client,
}

/// The partner's business id in sandbox mode (`entry.id` of partner-level webhooks).
pub const SANDBOX_PARTNER_BUSINESS_ID: &str = "300000000000003";

pub fn routes(state: SandboxState) -> Router {
    let graph = Router::new()
        .route("/{version}/oauth/access_token", get(graph::access_token))
        .route("/{version}/debug_token", get(graph::debug_token))
        .route("/{version}/{id}", get(graph::object))
        .route("/{version}/{id}/phone_numbers", get(graph::phone_numbers))
        .route(
            "/{version}/{id}/subscribed_apps",
            get(waba_ops::list_subscriptions)
                .post(waba_ops::subscribe)
                .delete(waba_ops::unsubscribe),
        )
        .route("/{version}/{id}/register", post(waba_ops::register))
        .route(
            "/{version}/{id}/marketing_messages",
            post(sends::marketing_messages),
        )
        .route("/{version}/{id}/messages", post(sends::messages))
        .route(
            "/{version}/{id}/client_whatsapp_business_accounts",
            get(partner::client_whatsapp_business_accounts),
        )
        .route(
            "/{version}/{id}/onboard_partners_to_mm_lite",
            post(partner::onboard_partners_to_mm_lite),
        )
        .route(
            "/{version}/{id}/system_user_access_tokens",
            post(partner::system_user_access_tokens),
        )
        // Unknown paths and methods answer like Graph, not with axum's empty 404/405.
        .fallback(graph::unsupported)
        .method_not_allowed_fallback(graph::unsupported);
    Router::new()
        .nest("/sandbox/graph", graph)
        .route("/sandbox/api/signups", post(tester::create_signup))
        .route(
            "/sandbox/api/partner-token",
            post(partner::create_partner_token),
        )
        .route(
            "/sandbox/api/businesses/{business_id}/mm-onboarding",
            post(partner::configure_onboarding),
        )
        .route(
            "/sandbox/api/rate-limits",
            post(rate_limit::set).delete(rate_limit::clear),
        )
        .route("/sandbox/api/stats/intents", get(rate_limit::stats))
        .route(
            "/sandbox/api/graph-settings",
            post(partner::set_graph_settings).delete(partner::clear_graph_settings),
        )
        .route(
            "/sandbox/api/faults",
            post(faults::arm).delete(faults::clear),
        )
        .route("/sandbox/sdk.js", get(popup::sdk))
        .route("/sandbox/embedded-signup", get(popup::page))
        .with_state(state)
}
