//! The port of this feature between the UI and the server: the data shapes that cross the
//! wire and (server only) the trait the server implements. MM operations: discovery, the Intent API and test sends.

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::staff::port::StaffIdentity;
#[cfg(feature = "ssr")]
use crate::wabas::port::WabaFilter;

/// A test send staff asked for on a WABA page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestSendRequest {
    pub to: String,
    pub template: String,
    pub language: String,
    /// Time to live in hours (MM API only), empty for Meta's default.
    pub ttl_hours: Option<u32>,
    pub activity_sharing: bool,
    /// `CLOUD_API_FALLBACK`, `STRICT` or empty.
    pub product_policy: String,
}

/// Progress of one bulk Intent API send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntentBatch {
    pub batch: String,
    pub queued: i64,
    pub sent: i64,
    pub failed: i64,
    pub cancelled: i64,
}

/// What a bulk Intent API run over a filtered list would do, shown before it is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntentPreview {
    /// WABAs matching the filter (at most [`IntentPreview::LIMIT`] are looked at).
    pub matched: i64,
    pub truncated: bool,
    /// Businesses that would be asked (a business with several WABAs is asked once).
    pub eligible: i64,
    /// WABAs left out, grouped by why, largest group first.
    pub skipped: Vec<SkippedGroup>,
}

impl IntentPreview {
    pub const LIMIT: i64 = 100_000;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedGroup {
    pub reason: String,
    pub count: i64,
    /// A few business names, to recognise the group.
    pub examples: Vec<String>,
}

/// The MM operations page: discovery and the Intent API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Operations {
    /// Businesses with an ELIGIBLE WABA and no live Intent API request.
    pub candidates: i64,
    pub latest_batch: Option<IntentBatch>,
    pub rate_per_second: f64,
    /// Whether the partner's business id and token are configured.
    pub partner_configured: bool,
}

/// MM operations for existing Cloud API customers: discovery, the Intent API (one business,
/// all eligible ones, a filtered selection, batches) and test sends.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait OperationsPort: Send + Sync + 'static {
    async fn operations(&self) -> Result<Operations, crate::error::AppError>;
    /// Queues a discovery run.
    async fn discover(&self, staff: &StaffIdentity) -> Result<String, crate::error::AppError>;
    /// Intent API request for the business of one WABA.
    async fn invite(
        &self,
        staff: &StaffIdentity,
        waba_id: i64,
    ) -> Result<String, crate::error::AppError>;
    /// Intent API requests for every candidate business, paced.
    async fn invite_eligible(
        &self,
        staff: &StaffIdentity,
    ) -> Result<String, crate::error::AppError>;
    /// Which businesses of the WABAs matching `filter` an Intent API run would ask, and why
    /// the others would be skipped.
    async fn intent_preview(
        &self,
        filter: WabaFilter,
    ) -> Result<IntentPreview, crate::error::AppError>;
    /// Queues Intent API requests for the eligible businesses of `filter`'s WABAs.
    async fn invite_filtered(
        &self,
        staff: &StaffIdentity,
        filter: WabaFilter,
    ) -> Result<String, crate::error::AppError>;
    async fn cancel_batch(
        &self,
        staff: &StaffIdentity,
        batch: &str,
    ) -> Result<String, crate::error::AppError>;
    /// Queues a batch's cancelled requests again.
    async fn resume_batch(
        &self,
        staff: &StaffIdentity,
        batch: &str,
    ) -> Result<String, crate::error::AppError>;
    /// Sends one marketing template from this WABA's number (operators and admins).
    async fn test_send(
        &self,
        staff: &StaffIdentity,
        waba_id: i64,
        request: TestSendRequest,
    ) -> Result<String, crate::error::AppError>;
}
