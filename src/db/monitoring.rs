//! What `/metrics` reads from the database at each scrape: queue depths and ages, each
//! built on an index (at 100,000 WABAs a scrape stays a few milliseconds).

use async_trait::async_trait;

use super::engine::{query_as, query_scalar};
use super::*;

/// The database's side of the operators' metrics, read at once.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MonitoringSnapshot {
    /// Verified webhook deliveries stored but not processed yet, and when the oldest came.
    pub inbox_pending: i64,
    pub inbox_oldest_pending_at: Option<Millis>,
    /// Deliveries the processor gave up on (staff replay them from /inbox).
    pub inbox_parked: i64,
    /// Jobs by status (`queued`, `running`, `failed`; done jobs are not counted).
    pub jobs: Vec<(String, i64)>,
    /// When the oldest job that is due now became due.
    pub oldest_due_job_at: Option<Millis>,
    /// WABAs whose onboarding pipeline stopped on a failed step.
    pub stopped_pipelines: i64,
    /// WABAs by Meta's MM onboarding status (`UNKNOWN` when not read yet).
    pub wabas: Vec<(String, i64)>,
    /// Each relay destination and event endpoint: feed (`relay`, `events`), id, state and how
    /// many rows of its feed it has not been sent yet.
    pub backlogs: Vec<(String, i64, String, i64)>,
}

#[async_trait]
pub trait MonitoringStore: Send + Sync + 'static {
    async fn monitoring_snapshot(&self, now: Millis) -> DbResult<MonitoringSnapshot>;
    /// Relay destinations and event endpoints paused (by staff, or after 72 hours of
    /// failures): the partner's platform gets nothing from them until someone acts.
    async fn count_paused_feeds(&self) -> DbResult<i64>;
}

#[async_trait]
impl MonitoringStore for SqlStore {
    async fn count_paused_feeds(&self) -> DbResult<i64> {
        Ok(query_scalar(
            "SELECT (SELECT COUNT(*) FROM relay_destinations
                      WHERE state = 'paused' AND deleted_at IS NULL)
                  + (SELECT COUNT(*) FROM event_endpoints
                      WHERE state = 'paused' AND deleted_at IS NULL)",
        )
        .fetch_one(&self.pool)
        .await?)
    }

    async fn monitoring_snapshot(&self, now: Millis) -> DbResult<MonitoringSnapshot> {
        let inbox_pending: i64 =
            query_scalar("SELECT COUNT(*) FROM webhook_inbox WHERE state = 'pending'")
                .fetch_one(&self.pool)
                .await?;
        // Ids follow arrival: the first pending id on the (state, id) index is the oldest.
        let inbox_oldest_pending_at: Option<Millis> = query_scalar(
            "SELECT received_at FROM webhook_inbox WHERE state = 'pending' ORDER BY id LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        let inbox_parked = InboxStore::count_parked_webhooks(self).await?;
        let jobs: Vec<(String, i64)> = query_as(
            "SELECT status, COUNT(*) FROM jobs WHERE status IN ('queued', 'running', 'failed')
              GROUP BY status ORDER BY status",
        )
        .fetch_all(&self.pool)
        .await?;
        let oldest_due_job_at: Option<Millis> =
            query_scalar("SELECT MIN(run_at) FROM jobs WHERE status = 'queued' AND run_at <= $1")
                .bind(now)
                .fetch_one(&self.pool)
                .await?;
        // The overview's own counts: the same numbers on the page and in the scrape.
        let stopped_pipelines = StepStore::count_failed_pipelines(self).await?;
        let wabas = WabaStore::count_wabas_by_status(self)
            .await?
            .into_iter()
            .map(|(status, n)| (status.unwrap_or_else(|| "UNKNOWN".into()), n))
            .collect();
        let backlogs: Vec<(String, i64, String, i64)> = query_as(
            "SELECT 'relay', d.id, d.state,
                    (SELECT COALESCE(MAX(id), 0) FROM webhook_inbox) - d.relayed_through
               FROM relay_destinations d WHERE d.deleted_at IS NULL
             UNION ALL
             SELECT 'events', e.id, e.state,
                    (SELECT COALESCE(MAX(id), 0) FROM events) - e.delivered_through
               FROM event_endpoints e WHERE e.deleted_at IS NULL
             ORDER BY 1, 2",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(MonitoringSnapshot {
            inbox_pending,
            inbox_oldest_pending_at,
            inbox_parked,
            jobs,
            oldest_due_job_at,
            stopped_pipelines,
            wabas,
            backlogs,
        })
    }
}
