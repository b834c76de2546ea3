//! The port of this feature between the UI and the server: the data shapes that cross the
//! wire and (server only) the trait the server implements. The portal's health, as the status card and `/healthz` show it.

use serde::{Deserialize, Serialize};

/// Whether the portal talks to the built-in simulator or to Meta.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Sandbox,
    Live,
}

impl Mode {
    pub fn label(self) -> &'static str {
        match self {
            Mode::Sandbox => "Sandbox",
            Mode::Live => "Live",
        }
    }
}

/// Reachability of the database, as shown on the status card and returned by `/healthz`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatabaseHealth {
    /// `sqlite` or `postgres`.
    pub backend: String,
    pub reachable: bool,
    /// Round-trip time of a trivial query, in milliseconds.
    pub latency_ms: f64,
}

/// A snapshot of the portal's health.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HealthReport {
    pub mode: Mode,
    pub version: String,
    pub database: DatabaseHealth,
    /// Seconds since this instance started.
    pub uptime_seconds: u64,
    /// Jobs waiting in the durable queue (all instances).
    pub queued_jobs: i64,
}

/// What the server offers the UI. Implemented in the server crate; handed to Leptos through
/// context as `Arc<dyn Portal>`.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait HealthPort: Send + Sync + 'static {
    async fn health(&self) -> HealthReport;
}
