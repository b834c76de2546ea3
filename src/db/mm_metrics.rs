//! Meta's own MM API metrics per template and day (migration 000027, docs/meta/mm-metrics.md),
//! as the scheduled `template_analytics` fetch writes them, and which WABAs are due a fetch.

use async_trait::async_trait;

use super::engine::{query, query_as, query_scalar};
use super::*;

/// One template's metrics for one UTC day, as Meta reports them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct TemplateMetricsDay {
    pub meta_template_id: String,
    /// `YYYY-MM-DD`.
    pub day: String,
    pub sent: i64,
    pub delivered: i64,
    pub read: i64,
    pub clicked: i64,
    /// Meta's other numeric keys (the conversion metrics), a JSON object.
    pub conversions: String,
    pub amount_spent: Option<String>,
}

/// The WABA's fetch state.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct TemplateMetricsFetch {
    pub insights_enabled_at: Option<Millis>,
    pub fetched_at: Option<Millis>,
    pub error: Option<String>,
}

/// Meta's template analytics.
#[async_trait]
pub trait MmMetricsStore: Send + Sync + 'static {
    /// The WABA's fetch state (default when never fetched).
    async fn mm_metrics_fetch_state(&self, waba_id: i64) -> DbResult<TemplateMetricsFetch>;
    /// Template analytics are confirmed on the WABA (`is_enabled_for_insights`).
    async fn metrics_insights_enabled(&self, waba_id: i64, now: Millis) -> DbResult<()>;
    /// Writes a fetch's days (replacing the same template and day) and marks it fetched;
    /// `error` records a failed fetch instead (the days already stored stay).
    async fn metrics_save(
        &self,
        waba_id: i64,
        days: &[TemplateMetricsDay],
        error: Option<&str>,
        now: Millis,
    ) -> DbResult<()>;
    /// Every stored day of the WABA, oldest first.
    async fn mm_metrics_for_waba(&self, waba_id: i64) -> DbResult<Vec<TemplateMetricsDay>>;
    /// Up to `limit` WABAs that have approved marketing templates, are onboarded and were
    /// not fetched since `before` (never fetched first).
    async fn metrics_due(&self, before: Millis, limit: i64) -> DbResult<Vec<i64>>;
}

#[async_trait]
impl MmMetricsStore for SqlStore {
    async fn mm_metrics_fetch_state(&self, waba_id: i64) -> DbResult<TemplateMetricsFetch> {
        Ok(query_as(
            "SELECT insights_enabled_at, fetched_at, error FROM template_metrics_fetches
              WHERE waba_id = $1",
        )
        .bind(waba_id)
        .fetch_optional(&self.pool)
        .await?
        .unwrap_or_default())
    }

    async fn metrics_insights_enabled(&self, waba_id: i64, now: Millis) -> DbResult<()> {
        query(
            "INSERT INTO template_metrics_fetches (waba_id, insights_enabled_at, updated_at)
                 VALUES ($1, $2, $2)
             ON CONFLICT (waba_id) DO UPDATE SET
                insights_enabled_at = COALESCE(template_metrics_fetches.insights_enabled_at,
                                               excluded.insights_enabled_at),
                updated_at = excluded.updated_at",
        )
        .bind(waba_id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn metrics_save(
        &self,
        waba_id: i64,
        days: &[TemplateMetricsDay],
        error: Option<&str>,
        now: Millis,
    ) -> DbResult<()> {
        let mut tx = self.pool.begin().await?;
        for day in days {
            query(
                "INSERT INTO template_metrics_daily (waba_id, meta_template_id, day, sent,
                        delivered, read, clicked, conversions, amount_spent, fetched_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 ON CONFLICT (waba_id, meta_template_id, day) DO UPDATE SET
                    sent = excluded.sent, delivered = excluded.delivered,
                    read = excluded.read, clicked = excluded.clicked,
                    conversions = excluded.conversions, amount_spent = excluded.amount_spent,
                    fetched_at = excluded.fetched_at",
            )
            .bind(waba_id)
            .bind(&day.meta_template_id)
            .bind(&day.day)
            .bind(day.sent)
            .bind(day.delivered)
            .bind(day.read)
            .bind(day.clicked)
            .bind(&day.conversions)
            .bind(&day.amount_spent)
            .bind(now)
            .execute(&mut tx)
            .await?;
        }
        query(
            "INSERT INTO template_metrics_fetches (waba_id, fetched_at, error, updated_at)
                 VALUES ($1, $2, $3, $2)
             ON CONFLICT (waba_id) DO UPDATE SET
                fetched_at = excluded.fetched_at, error = excluded.error,
                updated_at = excluded.updated_at",
        )
        .bind(waba_id)
        .bind(now)
        .bind(error)
        .execute(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn mm_metrics_for_waba(&self, waba_id: i64) -> DbResult<Vec<TemplateMetricsDay>> {
        Ok(query_as(
            "SELECT meta_template_id, day, sent, delivered, read, clicked, conversions,
                    amount_spent
               FROM template_metrics_daily WHERE waba_id = $1
              ORDER BY day, meta_template_id",
        )
        .bind(waba_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn metrics_due(&self, before: Millis, limit: i64) -> DbResult<Vec<i64>> {
        Ok(query_scalar(
            "SELECT w.id FROM wabas w
               LEFT JOIN template_metrics_fetches f ON f.waba_id = w.id
              WHERE w.onboarding_status = 'ONBOARDED'
                AND (f.fetched_at IS NULL OR f.fetched_at < $1)
                AND EXISTS (SELECT 1 FROM message_templates t
                             WHERE t.waba_id = w.id AND t.category = 'MARKETING'
                               AND t.status = 'APPROVED')
              ORDER BY f.fetched_at IS NOT NULL, f.fetched_at, w.id
              LIMIT $2",
        )
        .bind(before)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }
}
