//! Making and running destinations, for both doors: the partner API (`/relay-destinations`,
//! `/event-endpoints`) and Settings → Your platform ([`RelayPort`]). The rules live here once:
//! which URLs are refused, which fields and event types exist, how secrets are made, sealed and
//! rotated. Every change through the settings page is in the audit log (the API audits its
//! own calls, with the key).

use std::sync::Arc;

use app::error::AppError;
use app::relay::port::{DeliveryView, DestinationView, Kind, MadeDestination, RelayPort};
use app::staff::port::StaffIdentity;
use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::{check_url, secret_slot, standard_webhooks, Fields, Signing};
use crate::crypto::KeyRing;
use crate::db::{
    now_millis, EventEndpointRow, NewEventEndpoint, NewRelayDestination, RelayDestinationRow,
};
use crate::errors::internal;
use crate::events::{parse_types, ROTATION_OVERLAP};
use crate::staff::audit::record;

/// The stores destinations are kept in.
pub trait Stores:
    crate::db::RelayStore + crate::db::EventStore + crate::db::SecretStore + crate::db::AuditStore
{
}
impl<
        T: crate::db::RelayStore
            + crate::db::EventStore
            + crate::db::SecretStore
            + crate::db::AuditStore,
    > Stores for T
{
}

/// What destination URLs are checked against.
#[derive(Clone)]
pub struct RelaySettings {
    /// Every address the portal answers on: a destination there would loop.
    pub portal_origins: Arc<Vec<Url>>,
    /// Loopback destinations (and the sandbox's sink) are allowed in sandbox mode only.
    pub sandbox: bool,
}

pub struct RelayService {
    store: Arc<dyn Stores>,
    keys: Arc<KeyRing>,
    settings: RelaySettings,
}

/// How many of the newest delivery attempts the settings page shows.
const LOG_ROWS: i64 = 20;

impl RelayService {
    pub fn new(store: Arc<dyn Stores>, keys: Arc<KeyRing>, settings: RelaySettings) -> Self {
        Self {
            store,
            keys,
            settings,
        }
    }

    fn url(&self, text: &str) -> Result<Url, AppError> {
        check_url(text, &self.settings.portal_origins, self.settings.sandbox)
            .map_err(AppError::Invalid)
    }

    /// A new secret, sealed in `slot`; returned for the one answer that shows it.
    async fn new_secret(&self, slot: &crate::db::SecretSlot) -> Result<String, AppError> {
        let secret = standard_webhooks::new_secret();
        let sealed = self.keys.seal(slot, &SecretString::from(secret.clone()));
        self.store
            .put_secret(slot, &sealed)
            .await
            .map_err(internal)?;
        Ok(secret)
    }

    /// A relay destination; its own secret when `signing` is `own`.
    pub async fn create_destination(
        &self,
        url: &str,
        fields: &[String],
        signing: &str,
        created_by: &str,
    ) -> Result<(RelayDestinationRow, Option<String>), AppError> {
        let url = self.url(url)?;
        let fields = Fields::parse(fields).map_err(AppError::Invalid)?;
        let signing = Signing::parse(signing)
            .ok_or_else(|| AppError::Invalid("`signing` is \"meta\" or \"own\".".into()))?;
        let row = self
            .store
            .create_relay_destination(&NewRelayDestination {
                url: url.to_string(),
                fields: fields.to_json(),
                signing: signing.as_str().into(),
                created_by: created_by.into(),
            })
            .await
            .map_err(internal)?;
        let secret = match signing {
            Signing::Own => Some(self.new_secret(&secret_slot(row.id)).await?),
            Signing::Meta => None,
        };
        Ok((row, secret))
    }

    /// An event endpoint and its secret.
    pub async fn create_endpoint(
        &self,
        url: &str,
        events: &[String],
        created_by: &str,
    ) -> Result<(EventEndpointRow, String), AppError> {
        let url = self.url(url)?;
        let types = parse_types(events).map_err(AppError::Invalid)?;
        let row = self
            .store
            .create_event_endpoint(&NewEventEndpoint {
                url: url.to_string(),
                events: serde_json::to_string(&types).map_err(internal)?,
                created_by: created_by.into(),
            })
            .await
            .map_err(internal)?;
        let secret = self
            .new_secret(&crate::events::secret_slot(row.id, false))
            .await?;
        Ok((row, secret))
    }

    /// A new secret for an endpoint; the previous one keeps signing for
    /// [`ROTATION_OVERLAP`].
    pub async fn rotate_endpoint_secret(
        &self,
        id: i64,
    ) -> Result<(EventEndpointRow, String), AppError> {
        self.endpoint(id).await?;
        let current = crate::events::secret_slot(id, false);
        let previous = crate::events::secret_slot(id, true);
        if let Some(sealed) = self.store.get_secret(&current).await.map_err(internal)? {
            let old = self.keys.open(&current, &sealed).map_err(internal)?;
            let resealed = self.keys.seal(
                &previous,
                &SecretString::from(old.expose_secret().to_string()),
            );
            self.store
                .put_secret(&previous, &resealed)
                .await
                .map_err(internal)?;
        }
        let until = now_millis() + ROTATION_OVERLAP.as_millis() as i64;
        self.store
            .set_previous_secret_until(id, Some(until))
            .await
            .map_err(internal)?;
        let secret = self.new_secret(&current).await?;
        Ok((self.endpoint(id).await?, secret))
    }

    pub async fn endpoint(&self, id: i64) -> Result<EventEndpointRow, AppError> {
        self.store
            .event_endpoint(id)
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)
    }
}

fn relay_view(row: &RelayDestinationRow) -> DestinationView {
    DestinationView {
        kind: Kind::Relay,
        id: row.id,
        url: row.url.clone(),
        topics: Fields::from_json(&row.fields).list(),
        signing: row.signing.clone(),
        state: row.state.clone(),
        paused_reason: row.paused_reason.clone(),
        delivered: row.delivered,
        failed_attempts: row.failed_attempts,
        waiting_retries: row.waiting_retries,
        last_error: row.last_error.clone(),
        last_success_at: row.last_success_at,
        lag_ms: row.last_lag_ms,
        created_at: row.created_at,
    }
}

fn endpoint_view(row: &EventEndpointRow) -> DestinationView {
    DestinationView {
        kind: Kind::Events,
        id: row.id,
        url: row.url.clone(),
        topics: serde_json::from_str(&row.events).unwrap_or_default(),
        signing: "standard".into(),
        state: row.state.clone(),
        paused_reason: row.paused_reason.clone(),
        delivered: row.delivered,
        failed_attempts: row.failed_attempts,
        waiting_retries: row.waiting_retries,
        last_error: row.last_error.clone(),
        last_success_at: row.last_success_at,
        lag_ms: row.last_lag_ms,
        created_at: row.created_at,
    }
}

/// A comma-separated list from the settings form.
fn list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

fn target(kind: Kind, id: i64) -> (&'static str, String) {
    let kind = match kind {
        Kind::Relay => "relay_destination",
        Kind::Events => "event_endpoint",
    };
    (kind, id.to_string())
}

#[async_trait]
impl RelayPort for RelayService {
    async fn list(&self) -> Result<Vec<DestinationView>, AppError> {
        let relay = self.store.relay_destinations().await.map_err(internal)?;
        let events = self.store.event_endpoints().await.map_err(internal)?;
        Ok(relay
            .iter()
            .map(relay_view)
            .chain(events.iter().map(endpoint_view))
            .collect())
    }

    async fn create(
        &self,
        staff: &StaffIdentity,
        kind: Kind,
        url: String,
        topics: String,
        signing: String,
    ) -> Result<MadeDestination, AppError> {
        let (destination, secret) = match kind {
            Kind::Relay => {
                let (row, secret) = self
                    .create_destination(&url, &list(&topics), &signing, &staff.email)
                    .await?;
                (relay_view(&row), secret)
            }
            Kind::Events => {
                let (row, secret) = self
                    .create_endpoint(&url, &list(&topics), &staff.email)
                    .await?;
                (endpoint_view(&row), Some(secret))
            }
        };
        let (kind_name, id) = target(kind, destination.id);
        let detail = serde_json::json!({ "url": destination.url, "topics": destination.topics });
        record(
            self.store.as_ref(),
            staff,
            &format!("{}.destination_created", kind.as_str()),
            Some((kind_name, &id)),
            Some(detail.to_string()),
        )
        .await?;
        Ok(MadeDestination {
            destination,
            secret,
        })
    }

    async fn set_paused(
        &self,
        staff: &StaffIdentity,
        kind: Kind,
        id: i64,
        paused: bool,
    ) -> Result<(), AppError> {
        let reason = format!("paused by {}", staff.email);
        let reason = paused.then_some(reason.as_str());
        let found = match kind {
            Kind::Relay => self.store.set_relay_paused(id, reason).await,
            Kind::Events => self.store.set_event_endpoint_paused(id, reason).await,
        }
        .map_err(internal)?;
        if !found {
            return Err(AppError::NotFound);
        }
        let (kind_name, id) = target(kind, id);
        let action = if paused { "paused" } else { "resumed" };
        record(
            self.store.as_ref(),
            staff,
            &format!("{}.destination_{action}", kind.as_str()),
            Some((kind_name, &id)),
            None,
        )
        .await
    }

    async fn delete(&self, staff: &StaffIdentity, kind: Kind, id: i64) -> Result<(), AppError> {
        let at = now_millis();
        let found = match kind {
            Kind::Relay => self.store.delete_relay_destination(id, at).await,
            Kind::Events => self.store.delete_event_endpoint(id, at).await,
        }
        .map_err(internal)?;
        if !found {
            return Err(AppError::NotFound);
        }
        let (kind_name, id) = target(kind, id);
        record(
            self.store.as_ref(),
            staff,
            &format!("{}.destination_deleted", kind.as_str()),
            Some((kind_name, &id)),
            None,
        )
        .await
    }

    async fn replay(
        &self,
        staff: &StaffIdentity,
        kind: Kind,
        id: i64,
        hours: i64,
    ) -> Result<u64, AppError> {
        if !(1..=72).contains(&hours) {
            return Err(AppError::Invalid("A replay covers 1 to 72 hours.".into()));
        }
        let since = now_millis() - hours * 3_600_000;
        let replayed = match kind {
            Kind::Relay => {
                self.store
                    .relay_destination(id)
                    .await
                    .map_err(internal)?
                    .ok_or(AppError::NotFound)?;
                self.store.replay_relay_since(id, since).await
            }
            Kind::Events => {
                self.endpoint(id).await?;
                self.store.replay_events_since(id, since).await
            }
        }
        .map_err(internal)?;
        let (kind_name, id) = target(kind, id);
        record(
            self.store.as_ref(),
            staff,
            &format!("{}.replayed", kind.as_str()),
            Some((kind_name, &id)),
            Some(serde_json::json!({ "hours": hours, "replayed": replayed }).to_string()),
        )
        .await?;
        Ok(replayed)
    }

    async fn deliveries(&self, id: i64) -> Result<Vec<DeliveryView>, AppError> {
        self.endpoint(id).await?;
        let rows = self
            .store
            .event_deliveries(id, None, LOG_ROWS)
            .await
            .map_err(internal)?;
        Ok(rows
            .into_iter()
            .map(|row| DeliveryView {
                event_id: row.public_id,
                event_type: row.event_type,
                attempted_at: row.attempted_at,
                error: row.error,
            })
            .collect())
    }

    async fn rotate_secret(
        &self,
        staff: &StaffIdentity,
        id: i64,
    ) -> Result<MadeDestination, AppError> {
        let (row, secret) = self.rotate_endpoint_secret(id).await?;
        let (kind_name, id) = target(Kind::Events, id);
        record(
            self.store.as_ref(),
            staff,
            "events.secret_rotated",
            Some((kind_name, &id)),
            None,
        )
        .await?;
        Ok(MadeDestination {
            destination: endpoint_view(&row),
            secret: Some(secret),
        })
    }
}
