//! The simulator's Graph API, served under `/sandbox/graph/{version}/…`: one module per
//! endpoint family, each with its own router, merged here with Graph's answer for anything
//! else. Every handler opens with the `core::caller` extractors.

pub mod analytics;
pub mod bisuat;
pub mod client_wabas;
pub mod fields;
pub mod filtering;
pub mod intent;
pub mod oauth;
pub mod objects;
pub mod register;
pub mod sends;
pub mod smb_app_data;
pub mod subscriptions;
pub mod templates;

use axum::http::Uri;
use axum::Router;

use crate::sandbox::core::errors::{self, SimError};
use crate::sandbox::core::SandboxState;

pub fn router() -> Router<SandboxState> {
    Router::new()
        .merge(oauth::router())
        .merge(objects::router())
        .merge(subscriptions::router())
        .merge(register::router())
        .merge(sends::router())
        .merge(client_wabas::router())
        .merge(intent::router())
        .merge(bisuat::router())
        .merge(templates::router())
        .merge(smb_app_data::router())
        .merge(analytics::router())
        // Unknown paths and methods answer like Graph, not with axum's empty 404/405.
        .fallback(unsupported)
        .method_not_allowed_fallback(unsupported)
}

/// Anything else under `/sandbox/graph/`: Graph's answer for paths it does not know.
pub async fn unsupported(uri: Uri) -> SimError {
    // Nested under /sandbox/graph, so the path here starts at the version.
    let path = uri
        .path()
        .trim_start_matches("/sandbox/graph")
        .trim_start_matches('/');
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match segments.as_slice() {
        [version, id, ..] if crate::config::is_graph_version(version) => {
            errors::unsupported_get(id)
        }
        _ => errors::unknown_path(path),
    }
}
