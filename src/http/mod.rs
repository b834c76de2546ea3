//! The HTTP surface: one router per resource, assembled here with the cross-cutting layers
//! (request ids, tracing) and the Leptos pages and server functions.

pub mod assets;
pub mod client_addr;
pub mod security_headers;

use std::sync::Arc;

use app::api_keys::port::ApiKeysPort;
use app::health::port::HealthPort;
use app::operations::port::OperationsPort;
use app::relay::port::RelayPort;
use app::settings::port::SettingsPort;
use app::signup::port::SignupPort;
use app::signup_links::port::SignupLinksPort;
use app::staff::port::{StaffPort, TwoFactorPort};
use app::wabas::port::WabasPort;
use app::webhooks::port::WebhooksPort;
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
    pub ports: Ports,
    /// The built front end's fingerprinted file names.
    pub assets: app::assets::Assets,
}

/// The port of every feature, handed to the pages and server functions through Leptos
/// context (the account port is bound to each request instead: see `crate::staff::identify`).
#[derive(Clone)]
pub struct Ports {
    pub health: Arc<dyn HealthPort>,
    pub signup: Arc<dyn SignupPort>,
    pub wabas: Arc<dyn WabasPort>,
    pub operations: Arc<dyn OperationsPort>,
    pub webhooks: Arc<dyn WebhooksPort>,
    pub settings: Arc<dyn SettingsPort>,
    pub staff: Arc<dyn StaffPort>,
    pub api_keys: Arc<dyn ApiKeysPort>,
    pub signup_links: Arc<dyn SignupLinksPort>,
    pub relay: Arc<dyn RelayPort>,
    pub two_factor: Arc<dyn TwoFactorPort>,
}

impl Ports {
    /// Puts every port into the current Leptos context.
    fn provide(&self) {
        provide_context(self.health.clone());
        provide_context(self.signup.clone());
        provide_context(self.wabas.clone());
        provide_context(self.operations.clone());
        provide_context(self.webhooks.clone());
        provide_context(self.settings.clone());
        provide_context(self.staff.clone());
        provide_context(self.api_keys.clone());
        provide_context(self.signup_links.clone());
        provide_context(self.relay.clone());
        provide_context(self.two_factor.clone());
    }
}

/// How staff sessions work.
pub struct Sessions {
    /// `Secure` cookies: on when the portal is served over https.
    pub secure: bool,
    pub auth: crate::staff::AuthState,
    pub export: crate::wabas::export::ExportState,
    /// `/metrics` for staff and scrapers on this host.
    pub monitoring: crate::monitoring::routes::MonitoringState,
    /// The live-update streams (staff pages need the session's identity).
    pub live: crate::live::routes::LiveState,
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
    partner_api: Router,
    mail: Router,
) -> Router {
    let routes = generate_route_list(app::App);
    let trusted_proxies = sessions.trusted_proxies.clone();
    let ports = state.ports.clone();
    let health = state.ports.health.clone();
    let headers = sessions.headers.clone();
    let assets = state.assets.clone();
    let provide_portal = move || {
        ports.provide();
        provide_context(assets.clone());
        headers.provide_nonce();
    };
    let site_root = std::path::PathBuf::from(state.leptos_options.site_root.as_ref());

    let pages = Router::new()
        .leptos_routes_with_context(&state, routes, provide_portal.clone(), {
            let options = state.leptos_options.clone();
            move || app::shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(provide_portal, app::shell))
        .with_state(state)
        .merge(assets::router(&site_root))
        .merge(crate::health::routes::routes(health))
        .merge(crate::monitoring::routes::routes(
            sessions.monitoring.clone(),
        ))
        .merge(crate::live::routes::routes(sessions.live.clone()))
        .merge(crate::staff::routes::routes(sessions.auth.clone()))
        .merge(
            Router::new()
                .route(
                    "/wabas.csv",
                    axum::routing::get(crate::wabas::export::wabas_csv),
                )
                .with_state(sessions.export.clone()),
        )
        .merge(sandbox.map(crate::sandbox::routes).unwrap_or_default());
    let headers = sessions.headers.clone();
    // Pages, server functions and sign-in get sessions; webhooks (Meta's servers, the hot
    // path) and the partner API (keys, not cookies) do not.
    let router = with_sessions(pages, sessions)
        .merge(crate::webhooks::routes(webhooks))
        .merge(partner_api)
        // Unsubscribe links are opened from mail, with no session; the sandbox outbox.
        .merge(mail);
    headers
        .apply(router)
        .layer(axum::middleware::from_fn(assets::cache_control))
        .layer(assets::compression())
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
        crate::staff::identify,
    ));
    let store = crate::staff::sessions::DbSessionStore::new(sessions.auth.store.clone());
    router
        .layer(session_layer(store, sessions.secure))
        .layer(axum::middleware::from_fn_with_state(
            crate::staff::OriginPolicy {
                scheme: if sessions.secure { "https" } else { "http" },
            },
            crate::staff::verify_origin,
        ))
}

fn session_layer(
    store: crate::staff::sessions::DbSessionStore,
    secure: bool,
) -> tower_sessions::SessionManagerLayer<crate::staff::sessions::DbSessionStore> {
    use tower_sessions::cookie::{time::Duration, SameSite};
    tower_sessions::SessionManagerLayer::new(store)
        .with_name(crate::staff::SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_expiry(tower_sessions::Expiry::OnInactivity(Duration::minutes(
            crate::staff::IDLE_TIMEOUT_MINUTES,
        )))
}
