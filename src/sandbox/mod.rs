//! The Meta simulator (sandbox mode): a stateful stand-in for the parts of Meta the portal
//! uses, served under `/sandbox/…` and reached over real HTTP. Design and layout:
//! docs/SIMULATOR.md.
//!
//! Layers, each using only the ones below it: [`core`] (state, store access, caller checks,
//! Meta's errors, ids); the shared behaviour Graph calls run into ([`faults`],
//! [`rate_limit`], [`onboarding`], [`webhooks`] out to the portal); the endpoint families
//! ([`graph`], each with its own router) and the tester API ([`tester`]); the SDK stand-in and
//! popup ([`sdk`]). [`model`] holds the stored objects; [`seed`] bulk-loads customers.

pub mod core;
pub mod faults;
pub mod graph;
pub mod model;
pub mod onboarding;
pub mod rate_limit;
pub mod sdk;
pub mod seed;
pub mod sink;
pub mod tester;
pub mod webhooks;

use axum::Router;

pub use self::core::SandboxState;
/// Defined in the configuration (which must not depend on the simulator); also the
/// simulator's, so its users name it here.
pub use crate::config::SANDBOX_PARTNER_BUSINESS_ID;

/// Every simulator route: Graph under `/sandbox/graph`, the tester API under `/sandbox/api`,
/// the SDK and popup.
pub fn routes(state: SandboxState) -> Router {
    Router::new()
        .nest("/sandbox/graph", graph::router())
        .merge(tester::router())
        .merge(sdk::router())
        .route("/sandbox/sink/{name}", axum::routing::post(sink::receive))
        .with_state(state)
        // Meta's side of the world: `bench pages` does not count its statements as the
        // portal's (a worker's Graph call lands here during an unrelated timed request).
        .layer(axum::middleware::from_fn(
            |request: axum::extract::Request, next: axum::middleware::Next| {
                crate::db::profile::background(next.run(request))
            },
        ))
}
