//! The HTTP surface: one router per resource, assembled here with the cross-cutting layers
//! (request ids, tracing) and the Leptos pages and server functions.

mod health;

use std::sync::Arc;

use app::ports::{Portal, SignupPort};
use axum::extract::FromRef;
use axum::http::{HeaderName, Request};
use axum::Router;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::sandbox::SandboxState;
use crate::webhooks::WebhookState;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub portal: Arc<dyn Portal>,
    pub signup: Arc<dyn SignupPort>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The portal's router. `sandbox` is the Meta simulator, mounted in sandbox mode only.
pub fn router(state: AppState, webhooks: WebhookState, sandbox: Option<SandboxState>) -> Router {
    let routes = generate_route_list(app::App);
    let portal = state.portal.clone();
    let signup = state.signup.clone();
    let provide_portal = move || {
        provide_context(portal.clone());
        provide_context(signup.clone());
    };

    Router::new()
        .merge(health::routes())
        .leptos_routes_with_context(&state, routes, provide_portal.clone(), {
            let options = state.leptos_options.clone();
            move || app::shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(provide_portal, app::shell))
        .with_state(state)
        .merge(crate::webhooks::routes(webhooks))
        .merge(sandbox.map(crate::sandbox::routes).unwrap_or_default())
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                let request_id = request
                    .headers()
                    .get(REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!(
                    "request",
                    method = %request.method(),
                    path = %request.uri().path(),
                    request_id = %request_id,
                )
            }),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}
