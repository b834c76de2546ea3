//! Server functions of the partner API's keys. Admins only, checked on the server for every
//! call; a new key's secret is in the one answer that makes it (never cached: server-function
//! answers carry `Cache-Control: no-store`).

use leptos::prelude::*;

use crate::api_keys::port::{ApiKeyView, NewKey};
#[cfg(feature = "ssr")]
use crate::api_keys::port::{ApiKeysPort, Scope};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::staff::guard::guarded;
#[cfg(feature = "ssr")]
use crate::staff::port::StaffRole;

#[server(prefix = "/api", endpoint = "api_keys")]
pub async fn api_keys() -> Result<Vec<ApiKeyView>, AppError> {
    guarded::<dyn ApiKeysPort, _, _>(StaffRole::Admin, |_, port| async move { port.list().await })
        .await
}

/// Makes a key with the ticked scopes (one checkbox per scope, each field present when ticked).
#[server(prefix = "/api", endpoint = "create_api_key")]
#[allow(clippy::too_many_arguments)]
pub async fn create_api_key(
    name: String,
    wabas_read: Option<String>,
    signups_read: Option<String>,
    signups_write: Option<String>,
    intents_write: Option<String>,
    tokens_read: Option<String>,
    events_manage: Option<String>,
) -> Result<NewKey, AppError> {
    let ticked = [
        (Scope::WabasRead, wabas_read),
        (Scope::SignupsRead, signups_read),
        (Scope::SignupsWrite, signups_write),
        (Scope::IntentsWrite, intents_write),
        (Scope::TokensRead, tokens_read),
        (Scope::EventsManage, events_manage),
    ];
    let scopes: Vec<Scope> = ticked
        .into_iter()
        .filter(|(_, on)| on.is_some())
        .map(|(scope, _)| scope)
        .collect();
    guarded::<dyn ApiKeysPort, _, _>(StaffRole::Admin, |staff, port| async move {
        if scopes.is_empty() {
            return Err(AppError::Invalid(
                "Tick at least one scope: a key without one can do nothing.".into(),
            ));
        }
        port.create(&staff, name, scopes).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "revoke_api_key")]
pub async fn revoke_api_key(id: i64) -> Result<(), AppError> {
    guarded::<dyn ApiKeysPort, _, _>(StaffRole::Admin, |staff, port| async move {
        port.revoke(&staff, id).await
    })
    .await
}

/// A new key for key `id`; the old one keeps working for `grace_hours`.
#[server(prefix = "/api", endpoint = "rotate_api_key")]
pub async fn rotate_api_key(id: i64, grace_hours: i64) -> Result<NewKey, AppError> {
    guarded::<dyn ApiKeysPort, _, _>(StaffRole::Admin, |staff, port| async move {
        port.rotate(&staff, id, grace_hours).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "token_handoff")]
pub async fn token_handoff() -> Result<bool, AppError> {
    guarded::<dyn ApiKeysPort, _, _>(StaffRole::Admin, |_, port| async move {
        port.token_handoff().await
    })
    .await
}

/// Turns the token hand-off on (`on` = `true`) or off.
#[server(prefix = "/api", endpoint = "set_token_handoff")]
pub async fn set_token_handoff(on: bool) -> Result<bool, AppError> {
    guarded::<dyn ApiKeysPort, _, _>(StaffRole::Admin, |staff, port| async move {
        port.set_token_handoff(&staff, on).await?;
        Ok(on)
    })
    .await
}
