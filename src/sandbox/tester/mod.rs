//! The simulator's own API for testers (`/sandbox/api/*`), not Meta's: create signups, mint a
//! partner token, arm faults, set rate limits and Graph settings, read call counts. Its
//! errors are not Graph's: every refusal is one shape, `{"error": "…"}` with a status
//! (`errors::TesterError`), body rejections included (`errors::TesterJson`). Every POST must
//! say `Content-Type: application/json` ([`require_json`], 415 otherwise): a form or a
//! `text/plain` body is what a foreign web page can send without the browser asking this
//! server first, so such a page can neither mint tokens nor arm faults.

mod echoes;
mod errors;
mod faults;
mod lifecycle;
mod partner;
mod rate_limits;
mod signups;
mod templates;

use axum::extract::Request;
use axum::http::{header, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use self::errors::TesterError;
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
            "/sandbox/api/wabas/{waba_id}/account-update",
            post(lifecycle::account_update),
        )
        .route(
            "/sandbox/api/wabas/{waba_id}/templates",
            post(templates::create),
        )
        .route(
            "/sandbox/api/templates/{id}/status",
            post(templates::status),
        )
        .route(
            "/sandbox/api/templates/{id}/category",
            post(templates::category),
        )
        .route("/sandbox/api/phones/{phone_id}/echo", post(echoes::echo))
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
        .route(
            "/sandbox/api/sinks/{name}",
            post(crate::sandbox::sink::configure)
                .get(crate::sandbox::sink::show)
                .delete(crate::sandbox::sink::forget),
        )
        .route_layer(middleware::from_fn(require_json))
}

/// Whether a `Content-Type` value is JSON: exactly the media type `application/json`
/// (any case), parameters such as `charset` allowed.
pub fn is_json_content_type(value: &str) -> bool {
    let media_type = value.split(';').next().unwrap_or("").trim();
    media_type.eq_ignore_ascii_case("application/json")
}

/// Refuses a POST whose body is not declared `application/json`: 415 in the tester's shape.
async fn require_json(request: Request, next: Next) -> Response {
    let declared_json = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(is_json_content_type);
    if request.method() == Method::POST && !declared_json {
        return TesterError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "the tester API takes JSON: send Content-Type: application/json",
        )
        .into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::is_json_content_type;

    #[test]
    fn only_the_json_media_type_is_json() {
        for value in [
            "application/json",
            "Application/JSON",
            "application/json; charset=utf-8",
            " application/json ;charset=UTF-8",
        ] {
            assert!(is_json_content_type(value), "{value}");
        }
        for value in [
            "",
            "text/plain",
            "text/plain; application/json",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/jsonp",
            "application/json-patch+json",
            "application/vnd.api+json",
        ] {
            assert!(!is_json_content_type(value), "{value}");
        }
    }
}
