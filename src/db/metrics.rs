//! Daily message counts per WABA and pricing category, from Meta's status webhooks.

use async_trait::async_trait;

use super::engine::query_as;
use super::*;

/// Daily message metrics.
#[async_trait]
pub trait MetricsStore: Send + Sync + 'static {
    /// Daily message counts of one WABA, oldest day first.
    async fn metrics_for_waba(&self, meta_waba_id: &str) -> DbResult<Vec<DailyMetrics>>;
    /// Failed sends of one WABA per `(day, error code)`.
    async fn failures_for_waba(&self, meta_waba_id: &str) -> DbResult<Vec<(String, i64, i64)>>;
    /// Message statuses of every WABA per day and pricing category, from `since_day`
    /// (`YYYY-MM-DD`) on.
    async fn metrics_by_day(&self, since_day: &str) -> DbResult<Vec<DailyMetrics>>;
}

#[async_trait]
impl MetricsStore for SqlStore {
    async fn metrics_for_waba(&self, meta_waba_id: &str) -> DbResult<Vec<DailyMetrics>> {
        Ok(query_as(
            "SELECT meta_waba_id, day, category, sent, delivered, read, failed, clicked
                 FROM message_metrics_daily WHERE meta_waba_id = $1 ORDER BY day, category",
        )
        .bind(meta_waba_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn failures_for_waba(&self, meta_waba_id: &str) -> DbResult<Vec<(String, i64, i64)>> {
        Ok(query_as(
            "SELECT day, error_code, failures FROM message_failures_daily
                 WHERE meta_waba_id = $1 ORDER BY day, error_code",
        )
        .bind(meta_waba_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn metrics_by_day(&self, since_day: &str) -> DbResult<Vec<DailyMetrics>> {
        Ok(query_as(
            "SELECT '' AS meta_waba_id, day, category,
                        CAST(SUM(sent) AS BIGINT) AS sent,
                        CAST(SUM(delivered) AS BIGINT) AS delivered,
                        CAST(SUM(read) AS BIGINT) AS read,
                        CAST(SUM(failed) AS BIGINT) AS failed,
                        CAST(SUM(clicked) AS BIGINT) AS clicked
                 FROM message_metrics_daily WHERE day >= $1
                 GROUP BY day, category ORDER BY day, category",
        )
        .bind(since_day)
        .fetch_all(&self.pool)
        .await?)
    }
}
