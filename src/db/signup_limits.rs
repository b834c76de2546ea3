//! Rate limits of the public signup server functions, shared by every portal instance.

use async_trait::async_trait;

use super::engine::{query, query_scalar};
use super::*;

/// One limit: a burst of `burst` calls, then one call per `interval_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub burst: i64,
    pub interval_ms: Millis,
}

/// Token buckets keyed by (kind of call, client address), in the GCRA form: one
/// "theoretical arrival time" per key (see the migration `…_signup_limits.sql`).
#[async_trait]
pub trait SignupLimitStore: Send + Sync + 'static {
    /// Takes one call from `key`'s bucket at `now`: `None` when admitted, else how many
    /// milliseconds until the next call would be. Atomic: concurrent callers, on any instance,
    /// cannot take more than the bucket holds.
    async fn take_signup_call(
        &self,
        key: &str,
        rate: Rate,
        now: Millis,
    ) -> DbResult<Option<Millis>>;
    /// Deletes the buckets that are full again at `now` (the same as having no row).
    async fn purge_signup_limits(&self, now: Millis) -> DbResult<u64>;
}

#[async_trait]
impl SignupLimitStore for SqlStore {
    async fn take_signup_call(
        &self,
        key: &str,
        rate: Rate,
        now: Millis,
    ) -> DbResult<Option<Millis>> {
        // The bucket allows a call when, after it, tat is at most `burst` intervals ahead.
        // One statement (an upsert whose update is conditional), so no read-modify-write race.
        let tolerance = rate.burst * rate.interval_ms;
        let admitted: Option<Millis> = query_scalar(
            "INSERT INTO signup_limits (key, tat) VALUES ($1, $2 + $3)
             ON CONFLICT (key) DO UPDATE
                SET tat = (CASE WHEN signup_limits.tat > $2 THEN signup_limits.tat ELSE $2 END) + $3
              WHERE (CASE WHEN signup_limits.tat > $2 THEN signup_limits.tat ELSE $2 END) + $3
                    <= $2 + $4
             RETURNING tat",
        )
        .bind(key)
        .bind(now)
        .bind(rate.interval_ms)
        .bind(tolerance)
        .fetch_optional(&self.pool)
        .await?;
        if admitted.is_some() {
            return Ok(None);
        }
        let tat: Option<Millis> = query_scalar("SELECT tat FROM signup_limits WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(Some(tat.map_or(rate.interval_ms, |tat| {
            (tat + rate.interval_ms - tolerance - now).max(1)
        })))
    }

    async fn purge_signup_limits(&self, now: Millis) -> DbResult<u64> {
        Ok(query("DELETE FROM signup_limits WHERE tat < $1")
            .bind(now)
            .execute(&self.pool)
            .await?
            .rows_affected())
    }
}
