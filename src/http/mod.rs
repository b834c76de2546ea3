//! The HTTP surface: one router per resource, assembled here with the cross-cutting layers
//! (request ids, tracing) and the Leptos pages and server functions.

pub mod client_addr;
pub mod export;
mod health;
pub mod security_headers;

use std::sync::Arc;

use app::ports::{AdminPort, DashboardPort, Portal, SignupPort};
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
    pub dashboard: Arc<dyn DashboardPort>,
    pub admin: Arc<dyn AdminPort>,
}

/// How staff sessions work.
pub struct Sessions {
    /// `Secure` cookies: on when the portal is served over https.
    pub secure: bool,
    pub auth: crate::auth::AuthState,
    pub export: export::ExportState,
    /// Where requests really come from (behind reverse proxies).
    pub trusted_proxies: client_addr::TrustedProxies,
    /// Content-Security-Policy and the other security headers.
    pub headers: security_headers::SecurityHeaders,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The portal's router. `sandbox` is the Meta simulator, mounted in sandbox mode only.
pub fn router(
    state: AppState,
    webhooks: WebhookState,
    sandbox: Option<SandboxState>,
    sessions: Sessions,
) -> Router {
    let routes = generate_route_list(app::App);
    let trusted_proxies = sessions.trusted_proxies.clone();
    let portal = state.portal.clone();
    let signup = state.signup.clone();
    let dashboard = state.dashboard.clone();
    let admin = state.admin.clone();
    let headers = sessions.headers.clone();
    let provide_portal = move || {
        provide_context(portal.clone());
        provide_context(signup.clone());
        provide_context(dashboard.clone());
        provide_context(admin.clone());
        headers.provide_nonce();
    };

    let pages = Router::new()
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
        .merge(crate::auth::routes::routes(sessions.auth.clone()))
        .merge(
            Router::new()
                .route("/wabas.csv", axum::routing::get(export::wabas_csv))
                .with_state(sessions.export.clone()),
        )
        .merge(sandbox.map(crate::sandbox::routes).unwrap_or_default());
    let headers = sessions.headers.clone();
    // Pages, server functions and sign-in get sessions; webhooks (Meta's servers, the hot
    // path) do not.
    let router = with_sessions(pages, sessions).merge(crate::webhooks::routes(webhooks));
    headers
        .apply(router)
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
        .layer(axum::middleware::from_fn_with_state(
            trusted_proxies,
            client_addr::client_addr,
        ))
}

fn with_sessions(router: Router, sessions: Sessions) -> Router {
    let router = router.layer(axum::middleware::from_fn_with_state(
        sessions.auth.clone(),
        crate::auth::identify,
    ));
    let store = crate::auth::store::DbSessionStore::new(sessions.auth.store.clone());
    router
        .layer(session_layer(store, sessions.secure))
        .layer(axum::middleware::from_fn_with_state(
            crate::auth::OriginPolicy {
                scheme: if sessions.secure { "https" } else { "http" },
            },
            crate::auth::verify_origin,
        ))
}

fn session_layer(
    store: crate::auth::store::DbSessionStore,
    secure: bool,
) -> tower_sessions::SessionManagerLayer<crate::auth::store::DbSessionStore> {
    use tower_sessions::cookie::{time::Duration, SameSite};
    tower_sessions::SessionManagerLayer::new(store)
        .with_name(crate::auth::SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_expiry(tower_sessions::Expiry::OnInactivity(Duration::minutes(
            crate::auth::IDLE_TIMEOUT_MINUTES,
        )))
}
