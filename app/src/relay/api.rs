//! Server functions of Settings → Your platform. Admins only, checked on the server for every
//! call; a new secret is in the one answer that makes it (server-function answers carry
//! `Cache-Control: no-store`). `kind` is `relay` or `events`.

use leptos::prelude::*;

use crate::error::AppError;
use crate::relay::port::{DeliveryView, DestinationView, MadeDestination};
#[cfg(feature = "ssr")]
use crate::relay::port::{Kind, RelayPort};
#[cfg(feature = "ssr")]
use crate::staff::guard::guarded;
#[cfg(feature = "ssr")]
use crate::staff::port::StaffRole;

#[cfg(feature = "ssr")]
fn kind(text: &str) -> Result<Kind, AppError> {
    Kind::parse(text).ok_or_else(|| AppError::Invalid("`kind` is relay or events.".into()))
}

#[server(prefix = "/api", endpoint = "relay_destinations")]
pub async fn relay_destinations() -> Result<Vec<DestinationView>, AppError> {
    guarded::<dyn RelayPort, _, _>(StaffRole::Admin, |_, port| async move { port.list().await })
        .await
}

#[server(prefix = "/api", endpoint = "create_relay_destination")]
pub async fn create_relay_destination(
    kind: String,
    url: String,
    topics: String,
    signing: Option<String>,
) -> Result<MadeDestination, AppError> {
    guarded::<dyn RelayPort, _, _>(StaffRole::Admin, |staff, port| async move {
        let kind = self::kind(&kind)?;
        port.create(&staff, kind, url, topics, signing.unwrap_or_default())
            .await
    })
    .await
}

/// Pauses (`paused` = `true`) or resumes a destination.
#[server(prefix = "/api", endpoint = "pause_relay_destination")]
pub async fn pause_relay_destination(kind: String, id: i64, paused: bool) -> Result<(), AppError> {
    guarded::<dyn RelayPort, _, _>(StaffRole::Admin, |staff, port| async move {
        port.set_paused(&staff, self::kind(&kind)?, id, paused)
            .await
    })
    .await
}

#[server(prefix = "/api", endpoint = "delete_relay_destination")]
pub async fn delete_relay_destination(kind: String, id: i64) -> Result<(), AppError> {
    guarded::<dyn RelayPort, _, _>(StaffRole::Admin, |staff, port| async move {
        port.delete(&staff, self::kind(&kind)?, id).await
    })
    .await
}

/// Sends again what was stored in the last `hours`; answers how many items.
#[server(prefix = "/api", endpoint = "replay_relay_destination")]
pub async fn replay_relay_destination(kind: String, id: i64, hours: i64) -> Result<u64, AppError> {
    guarded::<dyn RelayPort, _, _>(StaffRole::Admin, |staff, port| async move {
        port.replay(&staff, self::kind(&kind)?, id, hours).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "event_deliveries")]
pub async fn event_deliveries(id: i64) -> Result<Vec<DeliveryView>, AppError> {
    guarded::<dyn RelayPort, _, _>(StaffRole::Admin, |_, port| async move {
        port.deliveries(id).await
    })
    .await
}

#[server(prefix = "/api", endpoint = "rotate_event_secret")]
pub async fn rotate_event_secret(id: i64) -> Result<MadeDestination, AppError> {
    guarded::<dyn RelayPort, _, _>(StaffRole::Admin, |staff, port| async move {
        port.rotate_secret(&staff, id).await
    })
    .await
}
