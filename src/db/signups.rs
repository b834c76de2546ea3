//! Embedded Signup sessions and their funnel events.

use async_trait::async_trait;

use super::engine::{query, query_as, query_scalar};
use super::*;

/// Embedded Signup sessions and the funnel.
#[async_trait]
pub trait SignupStore: Send + Sync + 'static {
    async fn create_signup(&self, signup: &NewSignup) -> DbResult<Signup>;
    async fn signup_by_nonce(&self, nonce: &str) -> DbResult<Option<Signup>>;
    async fn signup_by_status_key(&self, status_key: &str) -> DbResult<Option<Signup>>;
    async fn signup_by_id(&self, id: i64) -> DbResult<Option<Signup>>;
    /// The newest signup that led to this WABA.
    async fn signup_for_waba(&self, waba_id: i64) -> DbResult<Option<Signup>>;
    /// Records a funnel event and applies its changes to the signup in one transaction. The
    /// stage only moves forward (see [`SignupStage::may_become`]).
    async fn record_signup_event(&self, signup_id: i64, event: &SignupEvent) -> DbResult<Signup>;
    /// [`SignupStore::record_signup_event`] for an event a browser reported: `None`, and
    /// nothing stored, when the signup already holds `max_events` events (of any kind). The
    /// count and the insert are one transaction behind the signup's row lock, so concurrent
    /// calls cannot overshoot.
    async fn record_capped_signup_event(
        &self,
        signup_id: i64,
        event: &SignupEvent,
        max_events: i64,
    ) -> DbResult<Option<Signup>>;
    /// Deletes up to `limit` signups created before `before` whose code exchange never
    /// started, with their events; returns how many.
    async fn purge_unfinished_signups(&self, before: Millis, limit: i64) -> DbResult<u64>;
    /// Claims the one code exchange a signup allows: `Some` for the first caller, `None` for
    /// every later one (a replayed nonce) and for unknown nonces.
    async fn claim_signup_exchange(&self, nonce: &str) -> DbResult<Option<Signup>>;
    /// Oldest first.
    async fn signup_events(&self, signup_id: i64) -> DbResult<Vec<SignupEventRow>>;
    /// Signups created since `since` (Unix millis), per funnel stage.
    async fn signup_funnel(&self, since: Millis) -> DbResult<FunnelCounts>;
    /// Signups created since `since`, per UTC day: `(days since 1970-01-01, count)`.
    async fn signups_per_day(&self, since: Millis) -> DbResult<Vec<(i64, i64)>>;
}

#[async_trait]
impl SignupStore for SqlStore {
    async fn create_signup(&self, signup: &NewSignup) -> DbResult<Signup> {
        let now = now_millis();
        let mut tx = self.pool.begin().await?;
        let created: Signup = query_as(concat!(
            "INSERT INTO signups (nonce, status_key, campaign, feature_type, stage,
                                      created_at, updated_at, link_id, customer_id)
                 VALUES ($1, $2, $3, $4, 'started', $5, $5, $6, $7) RETURNING ",
            signup_columns!()
        ))
        .bind(&signup.nonce)
        .bind(&signup.status_key)
        .bind(&signup.campaign)
        .bind(&signup.feature_type)
        .bind(now)
        .bind(signup.link_id)
        .bind(&signup.customer_id)
        .fetch_one(&mut tx)
        .await?;
        query(
            "INSERT INTO signup_events (signup_id, event, detail, occurred_at)
                 VALUES ($1, 'started', NULL, $2)",
        )
        .bind(created.id)
        .bind(now)
        .execute(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(created)
    }

    async fn signup_by_nonce(&self, nonce: &str) -> DbResult<Option<Signup>> {
        Ok(query_as(concat!(
            "SELECT ",
            signup_columns!(),
            " FROM signups WHERE nonce = $1"
        ))
        .bind(nonce)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn signup_by_status_key(&self, status_key: &str) -> DbResult<Option<Signup>> {
        Ok(query_as(concat!(
            "SELECT ",
            signup_columns!(),
            " FROM signups WHERE status_key = $1"
        ))
        .bind(status_key)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn signup_by_id(&self, id: i64) -> DbResult<Option<Signup>> {
        Ok(query_as(concat!(
            "SELECT ",
            signup_columns!(),
            " FROM signups WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn signup_for_waba(&self, waba_id: i64) -> DbResult<Option<Signup>> {
        Ok(query_as(concat!(
            "SELECT ",
            signup_columns!(),
            " FROM signups WHERE waba_id = $1 ORDER BY id DESC LIMIT 1"
        ))
        .bind(waba_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn record_signup_event(&self, signup_id: i64, event: &SignupEvent) -> DbResult<Signup> {
        Ok(self
            .record_event(signup_id, event, None)
            .await?
            .expect("an uncapped event is always recorded"))
    }

    async fn record_capped_signup_event(
        &self,
        signup_id: i64,
        event: &SignupEvent,
        max_events: i64,
    ) -> DbResult<Option<Signup>> {
        self.record_event(signup_id, event, Some(max_events)).await
    }

    async fn purge_unfinished_signups(&self, before: Millis, limit: i64) -> DbResult<u64> {
        const OLD: &str = "SELECT id FROM signups
             WHERE exchange_started_at IS NULL AND created_at < $1 ORDER BY id LIMIT $2";
        let mut tx = self.pool.begin().await?;
        query(format!(
            "DELETE FROM signup_events WHERE signup_id IN ({OLD})"
        ))
        .bind(before)
        .bind(limit)
        .execute(&mut tx)
        .await?;
        let deleted = query(format!("DELETE FROM signups WHERE id IN ({OLD})"))
            .bind(before)
            .bind(limit)
            .execute(&mut tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(deleted)
    }

    async fn claim_signup_exchange(&self, nonce: &str) -> DbResult<Option<Signup>> {
        let now = now_millis();
        let mut tx = self.pool.begin().await?;
        let claimed: Option<Signup> = query_as(concat!(
            "UPDATE signups SET exchange_started_at = $2, updated_at = $2,
                    stage = CASE WHEN stage IN ('exchanged', 'failed') THEN stage
                                 ELSE 'exchanging' END
                 WHERE nonce = $1 AND exchange_started_at IS NULL RETURNING ",
            signup_columns!()
        ))
        .bind(nonce)
        .bind(now)
        .fetch_optional(&mut tx)
        .await?;
        if let Some(signup) = &claimed {
            query(
                "INSERT INTO signup_events (signup_id, event, detail, occurred_at)
                     VALUES ($1, 'code_received', NULL, $2)",
            )
            .bind(signup.id)
            .bind(now)
            .execute(&mut tx)
            .await?;
        }
        tx.commit().await?;
        Ok(claimed)
    }

    async fn signup_events(&self, signup_id: i64) -> DbResult<Vec<SignupEventRow>> {
        Ok(query_as(
            "SELECT id, signup_id, event, detail, occurred_at FROM signup_events
                 WHERE signup_id = $1 ORDER BY id",
        )
        .bind(signup_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn signup_funnel(&self, since: Millis) -> DbResult<FunnelCounts> {
        let by_event: Vec<(String, i64)> = query_as(
            "SELECT e.event, COUNT(DISTINCT e.signup_id) FROM signup_events e
                 JOIN signups s ON s.id = e.signup_id
                 WHERE s.created_at >= $1 GROUP BY e.event",
        )
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        let count = |names: &[&str]| {
            by_event
                .iter()
                .filter(|(e, _)| names.contains(&e.as_str()))
                .map(|(_, n)| *n)
                .sum::<i64>()
        };
        let onboarded: i64 = query_scalar(
            "SELECT COUNT(*) FROM signups s JOIN wabas w ON w.id = s.waba_id
                 WHERE s.created_at >= $1 AND w.onboarding_status = 'ONBOARDED'",
        )
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        let stored: Vec<(String, i64)> = query_as(
            "SELECT cancel_step, COUNT(*) FROM signups
                 WHERE created_at >= $1 AND cancel_step IS NOT NULL
                 GROUP BY cancel_step",
        )
        .bind(since)
        .fetch_all(&self.pool)
        .await?;
        // Only Meta's known step names, whatever a row holds: anything else counts as UNKNOWN.
        let mut cancel_steps: Vec<(String, i64)> = CancelStep::ALL
            .into_iter()
            .map(|step| {
                let n = stored
                    .iter()
                    .filter(|(s, _)| CancelStep::parse(s) == step)
                    .map(|(_, n)| *n)
                    .sum::<i64>();
                (step.as_str().to_string(), n)
            })
            .filter(|(_, n)| *n > 0)
            .collect();
        cancel_steps.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(FunnelCounts {
            started: count(&["started"]),
            launched: count(&["launched"]),
            finished: count(&[
                "FINISH",
                "FINISH_ONLY_WABA",
                "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING",
            ]),
            exchanged: count(&["exchanged"]),
            onboarded,
            cancelled: count(&["CANCEL", "closed_without_code"]),
            failed: count(&["exchange_failed"]),
            cancel_steps,
        })
    }

    async fn signups_per_day(&self, since: Millis) -> DbResult<Vec<(i64, i64)>> {
        Ok(query_as(
            "SELECT CAST(created_at / 86400000 AS BIGINT) AS day, COUNT(*)
                 FROM signups WHERE created_at >= $1
                 GROUP BY CAST(created_at / 86400000 AS BIGINT) ORDER BY day",
        )
        .bind(since)
        .fetch_all(&self.pool)
        .await?)
    }
}

impl SqlStore {
    /// Records `event` on its signup unless `max_events` is given and already reached.
    async fn record_event(
        &self,
        signup_id: i64,
        event: &SignupEvent,
        max_events: Option<i64>,
    ) -> DbResult<Option<Signup>> {
        let now = now_millis();
        let mut tx = self.pool.begin().await?;
        // Write first: on SQLite a transaction that reads before writing cannot take the
        // write lock if another writer committed meanwhile (SQLITE_BUSY); an UPDATE as
        // the first statement takes it up front (and waits for it, busy_timeout). On
        // PostgreSQL it locks the signup's row, so the count below is this signup's alone.
        let current: String =
            query_scalar("UPDATE signups SET updated_at = $2 WHERE id = $1 RETURNING stage")
                .bind(signup_id)
                .bind(now)
                .fetch_one(&mut tx)
                .await?;
        if let Some(max) = max_events {
            let held: i64 = query_scalar("SELECT COUNT(*) FROM signup_events WHERE signup_id = $1")
                .bind(signup_id)
                .fetch_one(&mut tx)
                .await?;
            if held >= max {
                // Dropping the transaction rolls the touch of updated_at back.
                return Ok(None);
            }
        }
        let stage = match (event.stage, SignupStage::parse(&current)) {
            (Some(next), Some(now_at)) if now_at.may_become(next) => next.as_str(),
            (Some(next), None) => next.as_str(),
            _ => current.as_str(),
        };
        let exchanged = event.stage == Some(SignupStage::Exchanged);
        let exchanging = event.stage == Some(SignupStage::Exchanging);
        query(
            "INSERT INTO signup_events (signup_id, event, detail, occurred_at)
                 VALUES ($1, $2, $3, $4)",
        )
        .bind(signup_id)
        .bind(&event.event)
        .bind(&event.detail)
        .bind(now)
        .execute(&mut tx)
        .await?;
        let updated: Signup = query_as(concat!(
            "UPDATE signups SET
                    stage = $2,
                    meta_business_id = COALESCE($3, meta_business_id),
                    meta_waba_id = COALESCE($4, meta_waba_id),
                    meta_phone_id = COALESCE($5, meta_phone_id),
                    coexistence = COALESCE($6, coexistence),
                    cancel_step = COALESCE($7, cancel_step),
                    error = COALESCE($8, error),
                    waba_id = COALESCE($9, waba_id),
                    exchange_started_at = CASE WHEN $10 THEN $12 ELSE exchange_started_at END,
                    exchanged_at = CASE WHEN $11 THEN $12 ELSE exchanged_at END,
                    updated_at = $12
                 WHERE id = $1 RETURNING ",
            signup_columns!()
        ))
        .bind(signup_id)
        .bind(stage)
        .bind(&event.meta_business_id)
        .bind(&event.meta_waba_id)
        .bind(&event.meta_phone_id)
        .bind(event.coexistence)
        .bind(&event.cancel_step)
        .bind(&event.error)
        .bind(event.waba_id)
        .bind(exchanging)
        .bind(exchanged)
        .bind(now)
        .fetch_one(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(Some(updated))
    }
}
