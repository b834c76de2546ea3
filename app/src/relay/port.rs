//! The port of Settings → Your platform: the relay destinations (Meta's webhooks forwarded)
//! and event endpoints (the portal's events) the partner's systems get, how each is doing,
//! and (server only) the trait.

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::staff::port::StaffIdentity;

/// Which kind of destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    /// Meta's webhooks, byte for byte.
    Relay,
    /// The portal's events (Standard Webhooks).
    Events,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Relay => "relay",
            Kind::Events => "events",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        match text {
            "relay" => Some(Kind::Relay),
            "events" => Some(Kind::Events),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DestinationView {
    pub kind: Kind,
    pub id: i64,
    pub url: String,
    /// Meta's webhook fields (relay) or event types (events); `*` for everything.
    pub topics: Vec<String>,
    /// `meta` or `own` (relay); `standard` (events).
    pub signing: String,
    /// `active` or `paused`.
    pub state: String,
    pub paused_reason: Option<String>,
    pub delivered: i64,
    pub failed_attempts: i64,
    pub waiting_retries: i64,
    pub last_error: Option<String>,
    pub last_success_at: Option<i64>,
    pub lag_ms: Option<i64>,
    pub created_at: i64,
}

/// A destination just made (or an endpoint's secret just rotated): the one answer that
/// carries its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MadeDestination {
    pub destination: DestinationView,
    pub secret: Option<String>,
}

/// One attempt in an event endpoint's delivery log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryView {
    pub event_id: String,
    pub event_type: String,
    pub attempted_at: i64,
    pub error: Option<String>,
}

/// Admins only (checked by the server functions).
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait RelayPort: Send + Sync + 'static {
    /// Every destination of both kinds, relay first, oldest first.
    async fn list(&self) -> Result<Vec<DestinationView>, crate::error::AppError>;
    /// `topics`: comma-separated fields or event types; `signing` for relay destinations.
    async fn create(
        &self,
        staff: &StaffIdentity,
        kind: Kind,
        url: String,
        topics: String,
        signing: String,
    ) -> Result<MadeDestination, crate::error::AppError>;
    async fn set_paused(
        &self,
        staff: &StaffIdentity,
        kind: Kind,
        id: i64,
        paused: bool,
    ) -> Result<(), crate::error::AppError>;
    async fn delete(
        &self,
        staff: &StaffIdentity,
        kind: Kind,
        id: i64,
    ) -> Result<(), crate::error::AppError>;
    /// Sends again everything stored in the last `hours`; how many items that covers.
    async fn replay(
        &self,
        staff: &StaffIdentity,
        kind: Kind,
        id: i64,
        hours: i64,
    ) -> Result<u64, crate::error::AppError>;
    /// An event endpoint's newest delivery attempts.
    async fn deliveries(&self, id: i64) -> Result<Vec<DeliveryView>, crate::error::AppError>;
    async fn rotate_secret(
        &self,
        staff: &StaffIdentity,
        id: i64,
    ) -> Result<MadeDestination, crate::error::AppError>;
}
