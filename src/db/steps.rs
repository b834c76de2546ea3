//! The onboarding pipeline's steps per WABA (see `crate::signup::pipeline`).

use async_trait::async_trait;

use super::engine::{query_as, query_scalar};
use super::*;

/// Onboarding pipeline steps.
#[async_trait]
pub trait StepStore: Send + Sync + 'static {
    async fn put_step(&self, update: &StepUpdate) -> DbResult<OnboardingStep>;
    async fn steps_for_waba(&self, waba_id: i64) -> DbResult<Vec<OnboardingStep>>;
    /// WABAs whose pipeline stopped on a failed step.
    async fn count_failed_pipelines(&self) -> DbResult<i64>;
}

#[async_trait]
impl StepStore for SqlStore {
    async fn put_step(&self, update: &StepUpdate) -> DbResult<OnboardingStep> {
        let attempt: i64 = if update.attempt { 1 } else { 0 };
        Ok(query_as(
            "INSERT INTO onboarding_steps (waba_id, step, state, attempts, detail,
                                               error_code, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (waba_id, step) DO UPDATE SET
                    state = excluded.state,
                    attempts = onboarding_steps.attempts + excluded.attempts,
                    detail = excluded.detail,
                    error_code = excluded.error_code,
                    updated_at = excluded.updated_at
                 RETURNING waba_id, step, state, attempts, detail, error_code, updated_at",
        )
        .bind(update.waba_id)
        .bind(&update.step)
        .bind(&update.state)
        .bind(attempt)
        .bind(&update.detail)
        .bind(update.error_code)
        .bind(now_millis())
        .fetch_one(&self.pool)
        .await?)
    }

    async fn steps_for_waba(&self, waba_id: i64) -> DbResult<Vec<OnboardingStep>> {
        Ok(query_as(
            "SELECT waba_id, step, state, attempts, detail, error_code, updated_at
                 FROM onboarding_steps WHERE waba_id = $1",
        )
        .bind(waba_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn count_failed_pipelines(&self) -> DbResult<i64> {
        // `failed_steps` is kept on the WABA row by triggers, with a partial index (migration
        // list_columns): no scan of every step.
        Ok(
            query_scalar("SELECT COUNT(*) FROM wabas WHERE failed_steps > 0")
                .fetch_one(&self.pool)
                .await?,
        )
    }
}
