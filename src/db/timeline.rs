//! The per-WABA timeline staff read on the WABA page.

use async_trait::async_trait;

use super::engine::{query_as, query_scalar};
use super::*;

/// The per-WABA timeline.
#[async_trait]
pub trait TimelineStore: Send + Sync + 'static {
    async fn append_timeline(&self, event: &NewTimelineEvent) -> DbResult<i64>;
    /// Newest first.
    async fn timeline_for_waba(&self, waba_id: i64, limit: i64) -> DbResult<Vec<TimelineEvent>>;
    /// Newest first, continuing below `before_id` (the partner API's pages).
    async fn timeline_page(
        &self,
        waba_id: i64,
        before_id: Option<i64>,
        limit: i64,
    ) -> DbResult<Vec<TimelineEvent>>;
}

#[async_trait]
impl TimelineStore for SqlStore {
    async fn append_timeline(&self, event: &NewTimelineEvent) -> DbResult<i64> {
        Ok(query_scalar(
            "INSERT INTO timeline_events (waba_id, kind, summary, detail, actor, occurred_at)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(event.waba_id)
        .bind(&event.kind)
        .bind(&event.summary)
        .bind(&event.detail)
        .bind(&event.actor)
        .bind(now_millis())
        .fetch_one(&self.pool)
        .await?)
    }

    async fn timeline_page(
        &self,
        waba_id: i64,
        before_id: Option<i64>,
        limit: i64,
    ) -> DbResult<Vec<TimelineEvent>> {
        query_as(
            "SELECT id, waba_id, kind, summary, detail, actor, occurred_at
                 FROM timeline_events WHERE waba_id = $1 AND ($2 IS NULL OR id < $2)
                 ORDER BY id DESC LIMIT $3",
        )
        .bind(waba_id)
        .bind(before_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
    }

    async fn timeline_for_waba(&self, waba_id: i64, limit: i64) -> DbResult<Vec<TimelineEvent>> {
        Ok(query_as(
            "SELECT id, waba_id, kind, summary, detail, actor, occurred_at
                 FROM timeline_events WHERE waba_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(waba_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }
}
