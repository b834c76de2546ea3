//! `POST /api/v1/wabas/{waba_id}/token`: the business token the portal sealed after the code
//! exchange (or fetched after an Intent API onboarding), handed to the partner's sending
//! platform. Off until an admin turns it on; needs `tokens:read`; every hand-off is in the
//! staff audit log before the token leaves; never cached.

use app::api_keys::port::Scope;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use secrecy::ExposeSecret;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::Caller;
use super::problem::{ApiResult, Problem};
use super::wabas::waba_or_404;
use super::ApiState;
use crate::errors::internal;
use crate::signup::NoToken;

pub fn router() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new().routes(routes!(take_token))
}

/// The permissions a business token from Embedded Signup or the Intent API carries.
const TOKEN_SCOPES: [&str; 2] = [
    "whatsapp_business_management",
    "whatsapp_business_messaging",
];

#[derive(Debug, Serialize, ToSchema)]
pub struct BusinessToken {
    pub waba_id: String,
    /// Send as `Authorization: Bearer …` to Meta's Graph API for this WABA.
    pub access_token: String,
    /// `embedded_signup` (from the code exchange) or `intent_api` (the BISUAT fetched after
    /// the business accepted the terms).
    pub kind: String,
    pub scopes: Vec<String>,
}

/// The WABA's business token, for the partner's sending platform.
#[utoipa::path(post, path = "/wabas/{waba_id}/token", tag = "tokens",
    params(("waba_id" = String, Path, description = "Meta's WABA id")),
    security(("api_key" = ["tokens:read"])),
    responses(
        (status = 200, body = BusinessToken, description = "Sent with `Cache-Control: no-store`"),
        (status = 403, body = Problem, content_type = "application/problem+json",
         description = "The key lacks tokens:read, or the hand-off is off"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json",
         description = "No token is held for this WABA yet, or the WABA is no longer connected (removed, uninstalled, deleted, offboarded)"),
    ))]
async fn take_token(
    State(state): State<ApiState>,
    caller: Caller,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    Path(waba_id): Path<String>,
) -> ApiResult<Response> {
    caller.require(Scope::TokensRead)?;
    if !crate::api_keys::service::token_handoff_on(state.store.as_ref()).await? {
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            "handoff-off",
            "The token hand-off is off; an admin turns it on under Settings → Partner API.",
        ));
    }
    let waba = waba_or_404(&state, &waba_id).await?;
    let token = crate::signup::business_token(state.store.as_ref(), &state.keys, &waba)
        .await
        .map_err(|refused| match refused {
            NoToken::Missing => Problem::new(
                StatusCode::CONFLICT,
                "no-token",
                "The portal holds no business token for this WABA yet: the signup or the \
                 Intent API onboarding has not finished.",
            ),
            NoToken::Disconnected(reason) => {
                Problem::new(StatusCode::CONFLICT, "disconnected", reason)
            }
        })?;
    let intent = state
        .store
        .intent_get(waba.business_id)
        .await
        .map_err(internal)?;
    let kind = match intent {
        Some(row) if row.state == "sent" => "intent_api",
        _ => "embedded_signup",
    };
    // Written before the token leaves: a hand-off that is not in the log never happened.
    super::audit(
        &state,
        &caller,
        peer.ip(),
        "api.token_handoff",
        ("waba", &waba_id),
        serde_json::json!({ "kind": kind }),
    )
    .await?;
    let mut response = Json(BusinessToken {
        waba_id,
        access_token: token.expose_secret().to_string(),
        kind: kind.into(),
        scopes: TOKEN_SCOPES.map(str::to_string).to_vec(),
    })
    .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
