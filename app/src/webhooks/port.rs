//! The port of this feature between the UI and the server: the data shapes that cross the
//! wire and (server only) the trait the server implements. The webhook inbox: deliveries set aside for staff to replay.

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::staff::port::StaffIdentity;

/// A webhook delivery set aside because it could not be processed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParkedDelivery {
    pub id: i64,
    pub received_at: i64,
    pub attempts: i64,
    pub error: Option<String>,
    /// The start of the raw body, as text (escaped when rendered).
    pub preview: String,
    pub size: usize,
}

/// The webhook inbox as staff see it: deliveries set aside, and their replay.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait WebhooksPort: Send + Sync + 'static {
    async fn parked(&self) -> Result<Vec<ParkedDelivery>, crate::error::AppError>;
    /// Puts a parked delivery back in the processing queue.
    async fn replay(
        &self,
        staff: &StaffIdentity,
        id: i64,
    ) -> Result<String, crate::error::AppError>;
}
