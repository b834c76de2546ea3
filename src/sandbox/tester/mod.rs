//! The simulator's own API for testers (`/sandbox/api/*`), not Meta's: create signups, mint a
//! partner token, arm faults, set rate limits and Graph settings, read call counts. Its
//! errors are not Graph's: every refusal is one shape, `{"error": "…"}` with a status
//! (`errors::TesterError`), body rejections included (`errors::TesterJson`).

mod errors;
mod faults;
mod partner;
mod rate_limits;
mod signups;

use axum::routing::{get, post};
use axum::Router;

use crate::sandbox::core::SandboxState;

pub fn router() -> Router<SandboxState> {
    Router::new()
        .route("/sandbox/api/signups", post(signups::create_signup))
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
            post(rate_limits::set).delete(rate_limits::clear),
        )
        .route("/sandbox/api/stats/intents", get(rate_limits::stats))
        .route(
            "/sandbox/api/graph-settings",
            post(partner::set_graph_settings).delete(partner::clear_graph_settings),
        )
        .route(
            "/sandbox/api/faults",
            post(faults::arm).delete(faults::clear),
        )
}
