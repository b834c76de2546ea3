//! The partner API (`/api/v1`): the partner's own systems read every WABA, make signup links,
//! ask for onboarding and take over business tokens, with scoped keys (`crate::api_keys`).
//!
//! One module per resource, each with its own `router()` whose routes are registered with
//! their OpenAPI description (`utoipa_axum::routes!`), so the document at
//! `/api/v1/openapi.json` lists exactly the routes served. Errors are RFC 9457 problem details
//! ([`problem`]); input is strict ([`input`]); lists share [`page`].

pub mod auth;
pub mod events;
pub mod input;
pub mod intents;
pub mod page;
pub mod problem;
pub mod reference;
pub mod relay;
pub mod signup_links;
pub mod tokens;
pub mod wabas;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::crypto::KeyRing;

/// The stores the API reads and writes.
pub trait Stores:
    crate::db::WabaListStore
    + crate::db::WabaStore
    + crate::db::StepStore
    + crate::db::TimelineStore
    + crate::db::SecretStore
    + crate::db::SettingStore
    + crate::db::AuditStore
    + crate::db::IntentStore
    + crate::db::JobStore
    + crate::db::SignupLinkStore
    + crate::db::RelayStore
    + crate::db::EventStore
{
}
impl<
        T: crate::db::WabaListStore
            + crate::db::WabaStore
            + crate::db::StepStore
            + crate::db::TimelineStore
            + crate::db::SecretStore
            + crate::db::SettingStore
            + crate::db::AuditStore
            + crate::db::IntentStore
            + crate::db::JobStore
            + crate::db::SignupLinkStore
            + crate::db::RelayStore
            + crate::db::EventStore,
    > Stores for T
{
}

#[derive(Clone)]
pub struct ApiState {
    pub store: Arc<dyn Stores>,
    /// Opens sealed business tokens (the hand-off).
    pub keys: Arc<KeyRing>,
    /// Intent API requests per second (`INTENT_RATE_PER_SECOND`).
    pub intent_rate_per_second: f64,
    pub links: Arc<crate::signup_links::SignupLinksService>,
    /// The status page's view of a signup (`GET /signups/{id}`).
    pub signups: Arc<crate::signup::session::SignupService>,
    /// Makes destinations and endpoints, with the same rules as the settings page.
    pub relay: Arc<crate::relay::service::RelayService>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "MM Portal partner API",
        description = "Read every customer WABA, make signup links, ask for onboarding and take \
                       over business tokens. Authenticate with `Authorization: Bearer <key>`; \
                       keys are made by admins (Settings → Partner API, or `mm-portal api-key \
                       create`). Errors are RFC 9457 problem details.",
        version = "1"
    ),
    servers((url = "/api/v1")),
    modifiers(&BearerKeys),
    tags(
        (name = "wabas", description = "Customer WhatsApp Business Accounts"),
        (name = "tokens", description = "Business tokens for sending"),
        (name = "intents", description = "Meta's Intent API: ask businesses to onboard"),
        (name = "signups", description = "Signup links for your customers, and their signups"),
        (name = "relay", description = "Meta's webhooks forwarded to your systems"),
        (name = "events", description = "The portal's events, signed (Standard Webhooks), sent to your endpoints"),
    )
)]
struct ApiDoc;

struct BearerKeys;

impl Modify for BearerKeys {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("mmp_<prefix>_<secret>")
                    .build(),
            ),
        );
    }
}

/// Every resource's routes with their descriptions.
fn resources() -> OpenApiRouter<ApiState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(wabas::router())
        .merge(tokens::router())
        .merge(intents::router())
        .merge(signup_links::router())
        .merge(relay::router())
        .merge(events::router())
}

/// The OpenAPI document of the API, as served.
pub fn openapi() -> utoipa::openapi::OpenApi {
    resources().into_openapi()
}

/// `/api/v1`: the resources behind the key check, the document and its reference page open.
pub fn router(state: ApiState, auth: auth::AuthState) -> Router {
    let (routes, document) = resources().split_for_parts();
    let document = Arc::new(document);
    let json = serde_json::to_string_pretty(document.as_ref()).unwrap_or_default();
    let page = reference::page(&document);
    let api = routes
        .route_layer(axum::middleware::from_fn_with_state(
            auth,
            auth::require_key,
        ))
        .layer(DefaultBodyLimit::max(input::BODY_LIMIT))
        .with_state(state);
    let open = Router::new()
        .route(
            "/openapi.json",
            get(move || async move {
                (
                    [(axum::http::header::CONTENT_TYPE, "application/json")],
                    json,
                )
                    .into_response()
            }),
        )
        .route(
            "/docs",
            get(move || async move { axum::response::Html(page).into_response() }),
        );
    Router::new().nest(
        "/api/v1",
        open.merge(api).fallback(|| async {
            problem::Problem::not_found(
                "No such route in the partner API; /api/v1/docs lists them.",
            )
        }),
    )
}

/// Writes what a key did to the staff audit log, before the answer leaves (the actions that
/// matter more than a read: token hand-offs, Intent API requests).
pub(crate) async fn audit(
    state: &ApiState,
    caller: &auth::Caller,
    ip: std::net::IpAddr,
    action: &str,
    target: (&str, &str),
    detail: serde_json::Value,
) -> Result<(), problem::Problem> {
    state
        .store
        .append_audit(&crate::db::NewAuditEntry {
            staff_id: None,
            actor: caller.actor(),
            action: action.into(),
            target_kind: Some(target.0.into()),
            target_id: Some(target.1.into()),
            detail: Some(detail.to_string()),
            ip: Some(ip.to_string()),
        })
        .await
        .map_err(crate::errors::internal)?;
    Ok(())
}
