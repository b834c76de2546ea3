//! MM operations' port ([`app::operations::port::OperationsPort`]): discovery, the Intent API
//! for one business, every eligible one or a previewed selection (paced batches that can be
//! cancelled and resumed), and test sends.

use std::sync::Arc;

use app::error::AppError;
use app::operations::port::{IntentBatch, IntentPreview, Operations, TestSendRequest};
use app::staff::port::StaffIdentity;
use app::wabas::port::WabaFilter;
use async_trait::async_trait;

use crate::db::now_millis;

use crate::errors::internal;
use app::operations::port::OperationsPort;

/// The stores this service reads and writes.
pub trait Stores:
    crate::db::AuditStore
    + crate::db::IntentStore
    + crate::db::JobStore
    + crate::db::WabaListStore
    + crate::db::WabaStore
    + crate::db::TimelineStore
    + crate::db::SecretStore
    + crate::db::SettingStore
{
}
impl<
        T: crate::db::AuditStore
            + crate::db::IntentStore
            + crate::db::JobStore
            + crate::db::WabaListStore
            + crate::db::WabaStore
            + crate::db::TimelineStore
            + crate::db::SecretStore
            + crate::db::SettingStore,
    > Stores for T
{
}

pub struct OperationsService {
    store: Arc<dyn Stores>,
    /// Intent API pacing for bulk sends.
    pub intent_rate_per_second: f64,
    pub partner_configured: bool,
    pub sender: Option<Arc<crate::operations::send::TestSender>>,
}

impl OperationsService {
    pub fn new(store: Arc<dyn Stores>) -> Self {
        Self {
            store,
            intent_rate_per_second: 5.0,
            partner_configured: false,
            sender: None,
        }
    }

    /// Queues one paced Intent API batch for `businesses` and audits it (`filter`: the list
    /// selection it came from, if any).
    async fn queue_bulk(
        &self,
        staff: &StaffIdentity,
        businesses: &[(i64, String)],
        filter: Option<String>,
    ) -> Result<String, AppError> {
        let batch = format!("bulk-{}", now_millis());
        let queued = crate::operations::intent::queue(
            self.store.as_ref(),
            &batch,
            businesses,
            self.intent_rate_per_second,
        )
        .await
        .map_err(internal)?;
        let detail = serde_json::json!({ "queued": queued, "filter": filter }).to_string();
        crate::staff::audit::record(
            self.store.as_ref(),
            staff,
            "intent.bulk",
            Some(("batch", &batch)),
            Some(detail),
        )
        .await?;
        Ok(format!(
            "{queued} Intent API requests queued, sent at {} per second.",
            self.intent_rate_per_second
        ))
    }

    async fn batch(&self, batch: &str) -> Result<IntentBatch, AppError> {
        let counts = self.store.intent_counts(batch).await.map_err(internal)?;
        let count = |state: &str| {
            counts
                .iter()
                .find(|(s, _)| s == state)
                .map(|(_, n)| *n)
                .unwrap_or(0)
        };
        Ok(IntentBatch {
            batch: batch.to_string(),
            queued: count("queued"),
            sent: count("sent"),
            failed: count("failed"),
            cancelled: count("cancelled"),
        })
    }
}

#[async_trait]
impl OperationsPort for OperationsService {
    async fn operations(&self) -> Result<Operations, AppError> {
        let candidates = self
            .store
            .count_intent_candidates()
            .await
            .map_err(internal)?;
        let latest_batch = match self.store.intent_latest_batch().await.map_err(internal)? {
            Some(batch) => Some(self.batch(&batch).await?),
            None => None,
        };
        Ok(Operations {
            candidates,
            latest_batch,
            rate_per_second: self.intent_rate_per_second,
            partner_configured: self.partner_configured,
        })
    }

    async fn discover(&self, staff: &StaffIdentity) -> Result<String, AppError> {
        let queued = crate::operations::discovery::enqueue(self.store.as_ref())
            .await
            .map_err(internal)?;
        crate::staff::audit::record(self.store.as_ref(), staff, "discovery.start", None, None)
            .await?;
        Ok(if queued {
            "Discovery started: every WABA shared with you is being read from Meta.".into()
        } else {
            "A discovery run is already under way.".into()
        })
    }

    async fn invite(&self, staff: &StaffIdentity, waba_id: i64) -> Result<String, AppError> {
        let waba = crate::wabas::service::waba_or_not_found(self.store.as_ref(), waba_id).await?;
        let business = self
            .store
            .business_by_id(waba.business_id)
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)?;
        let batch = format!("single-{}", now_millis());
        let queued = crate::operations::intent::queue(
            self.store.as_ref(),
            &batch,
            &[(business.id, business.meta_business_id.clone())],
            self.intent_rate_per_second,
        )
        .await
        .map_err(internal)?;
        if queued == 0 {
            return Err(AppError::Invalid(
                "This business already has an Intent API request queued or sent.".into(),
            ));
        }
        crate::staff::audit::record(
            self.store.as_ref(),
            staff,
            "intent.send",
            Some(("business", &business.meta_business_id)),
            None,
        )
        .await?;
        Ok(format!(
            "Intent API request queued for {}: Meta will email its admins.",
            business.name
        ))
    }

    async fn invite_eligible(&self, staff: &StaffIdentity) -> Result<String, AppError> {
        let candidates = self
            .store
            .intent_candidates(100_000)
            .await
            .map_err(internal)?;
        if candidates.is_empty() {
            return Err(AppError::Invalid(
                "No eligible business is waiting for an Intent API request.".into(),
            ));
        }
        self.queue_bulk(staff, &candidates, None).await
    }

    async fn intent_preview(&self, filter: WabaFilter) -> Result<IntentPreview, AppError> {
        let search = crate::wabas::search::waba_search(&filter, 1)?;
        crate::operations::selection::preview(self.store.as_ref(), &search)
            .await
            .map_err(internal)
    }

    async fn invite_filtered(
        &self,
        staff: &StaffIdentity,
        filter: WabaFilter,
    ) -> Result<String, AppError> {
        let search = crate::wabas::search::waba_search(&filter, 1)?;
        let selection = crate::operations::selection::select(self.store.as_ref(), &search)
            .await
            .map_err(internal)?;
        if selection.eligible.is_empty() {
            return Err(AppError::Invalid(
                "No business in this selection can be asked now: see the reasons listed.".into(),
            ));
        }
        self.queue_bulk(staff, &selection.eligible, Some(filter.to_query(false)))
            .await
    }

    async fn cancel_batch(&self, staff: &StaffIdentity, batch: &str) -> Result<String, AppError> {
        let cancelled = self.store.intent_cancel(batch).await.map_err(internal)?;
        crate::staff::audit::record(
            self.store.as_ref(),
            staff,
            "intent.cancel",
            Some(("batch", batch)),
            None,
        )
        .await?;
        Ok(format!(
            "{cancelled} queued requests cancelled; sent ones stay sent."
        ))
    }

    async fn resume_batch(&self, staff: &StaffIdentity, batch: &str) -> Result<String, AppError> {
        let members = self
            .store
            .intent_batch_members(batch, "cancelled")
            .await
            .map_err(internal)?;
        let queued = crate::operations::intent::queue(
            self.store.as_ref(),
            batch,
            &members,
            self.intent_rate_per_second,
        )
        .await
        .map_err(internal)?;
        crate::staff::audit::record(
            self.store.as_ref(),
            staff,
            "intent.resume",
            Some(("batch", batch)),
            None,
        )
        .await?;
        Ok(format!("{queued} requests queued again."))
    }

    async fn test_send(
        &self,
        staff: &StaffIdentity,
        waba_id: i64,
        request: TestSendRequest,
    ) -> Result<String, AppError> {
        let sender = self
            .sender
            .clone()
            .ok_or_else(|| AppError::Unavailable("sending is not configured".into()))?;
        let waba = crate::wabas::service::waba_or_not_found(self.store.as_ref(), waba_id).await?;
        let send = crate::operations::send::TestSend {
            to: request.to,
            template: request.template,
            language: if request.language.trim().is_empty() {
                "en".into()
            } else {
                request.language
            },
            ttl_seconds: request.ttl_hours.map(|h| h.saturating_mul(3600)),
            activity_sharing: request.activity_sharing,
            product_policy: Some(request.product_policy).filter(|p| !p.is_empty()),
        };
        crate::staff::audit::record(
            self.store.as_ref(),
            staff,
            "send.test",
            Some(("waba", &waba.meta_waba_id)),
            None,
        )
        .await?;
        sender
            .send(&waba, &send, &staff.email)
            .await
            .map_err(AppError::Invalid)
    }
}
