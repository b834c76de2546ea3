//! The bookkeeping both kinds of destination share (relay destinations, event endpoints): a
//! round's progress and its failures, recorded in one transaction (`crate::relay::feed`).

use super::Millis;

/// One attempt that failed: when to try again and why.
#[derive(Debug, Clone)]
pub struct FeedFailure {
    pub item_id: i64,
    pub next_at: Millis,
    pub error: String,
}

/// What one round sent. The cursor moves from `from` to `through` in the same transaction that
/// records the failures, so a crash before it resends (at least once) and never skips; and only
/// if it is still at `from`, so a replay that moved it back meanwhile is kept.
#[derive(Debug, Clone, Default)]
pub struct FeedProgress {
    pub from: i64,
    pub through: i64,
    /// The ids that went through, for a feed that keeps a delivery log.
    pub delivered: Vec<i64>,
    pub failures: Vec<FeedFailure>,
    pub last_lag_ms: Option<i64>,
    pub at: Millis,
}

/// The tables of one kind of destination: its rows, its retries, and (events only) its
/// delivery log. Names are constants of this module, never input.
pub(super) struct Tables {
    pub destinations: &'static str,
    pub retries: &'static str,
    /// The retries' column naming the destination.
    pub owner: &'static str,
    /// The retries' column naming the item (an inbox id, an event id).
    pub item: &'static str,
    pub cursor: &'static str,
    /// One row per attempt (`endpoint_id`, `event_id`, `attempted_at`, `error`).
    pub log: Option<&'static str>,
}

pub(super) const RELAY: Tables = Tables {
    destinations: "relay_destinations",
    retries: "relay_retries",
    owner: "destination_id",
    item: "inbox_id",
    cursor: "relayed_through",
    log: None,
};

pub(super) const EVENTS: Tables = Tables {
    destinations: "event_endpoints",
    retries: "event_retries",
    owner: "endpoint_id",
    item: "event_id",
    cursor: "delivered_through",
    log: Some("event_deliveries"),
};

use super::engine::{query, query_scalar, Tx};
use super::{DbResult, SqlStore};

impl SqlStore {
    /// Marks a destination deleted and drops what waited for it; `false` if there was none.
    pub(super) async fn feed_delete(&self, t: &Tables, id: i64, at: Millis) -> DbResult<bool> {
        let mut tx = self.pool.begin().await?;
        let done = query(format!(
            "UPDATE {} SET deleted_at = $2, state = 'deleted'
              WHERE id = $1 AND deleted_at IS NULL",
            t.destinations
        ))
        .bind(id)
        .bind(at)
        .execute(&mut tx)
        .await?;
        query(format!("DELETE FROM {} WHERE {} = $1", t.retries, t.owner))
            .bind(id)
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Takes (or keeps) the lease of every active destination no other instance holds.
    pub(super) async fn feed_lease(
        &self,
        t: &Tables,
        owner: &str,
        until: Millis,
        now: Millis,
    ) -> DbResult<Vec<i64>> {
        let mut ids: Vec<i64> = query(format!(
            "UPDATE {} SET leased_by = $1, leased_until = $2
              WHERE state = 'active' AND deleted_at IS NULL
                AND (leased_until < $3 OR leased_by = $1)
              RETURNING id",
            t.destinations
        ))
        .bind(owner)
        .bind(until)
        .bind(now)
        .column()
        .fetch_all(&self.pool)
        .await?;
        ids.sort_unstable();
        Ok(ids)
    }

    /// One round's outcome, in one transaction: failures become retries, attempts go to the
    /// log, the cursor moves (only if still where the round found it) and the counters add up.
    pub(super) async fn feed_record(
        &self,
        t: &Tables,
        id: i64,
        progress: &FeedProgress,
    ) -> DbResult<()> {
        let mut tx = self.pool.begin().await?;
        for failure in &progress.failures {
            query(format!(
                "INSERT INTO {retries} ({owner}, {item}, attempts, first_failed_at, next_at,
                                        last_error)
                 VALUES ($1, $2, 1, $3, $4, $5)
                 ON CONFLICT ({owner}, {item}) DO NOTHING",
                retries = t.retries,
                owner = t.owner,
                item = t.item
            ))
            .bind(id)
            .bind(failure.item_id)
            .bind(progress.at)
            .bind(failure.next_at)
            .bind(&failure.error)
            .execute(&mut tx)
            .await?;
            log_attempt(
                &mut tx,
                t,
                id,
                failure.item_id,
                progress.at,
                Some(&failure.error),
            )
            .await?;
        }
        for item in &progress.delivered {
            log_attempt(&mut tx, t, id, *item, progress.at, None).await?;
        }
        let last_error = progress.failures.last().map(|f| f.error.as_str());
        query(format!(
            "UPDATE {destinations} SET
                {cursor} = CASE WHEN {cursor} = $8 THEN $2 ELSE {cursor} END,
                delivered = delivered + $3,
                failed_attempts = failed_attempts + $4,
                last_error = COALESCE($5, last_error),
                last_success_at = CASE WHEN $3 > 0 THEN $6 ELSE last_success_at END,
                last_lag_ms = COALESCE($7, last_lag_ms)
              WHERE id = $1",
            destinations = t.destinations,
            cursor = t.cursor
        ))
        .bind(id)
        .bind(progress.through)
        .bind(progress.delivered.len() as i64)
        .bind(progress.failures.len() as i64)
        .bind(last_error)
        .bind(progress.at)
        .bind(progress.last_lag_ms)
        .bind(progress.from)
        .execute(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A retried item went through (`None`: its retry is dropped) or failed again.
    pub(super) async fn feed_finish_retry(
        &self,
        t: &Tables,
        id: i64,
        item: i64,
        failure: Option<&FeedFailure>,
        at: Millis,
    ) -> DbResult<()> {
        let mut tx = self.pool.begin().await?;
        match failure {
            None => {
                query(format!(
                    "DELETE FROM {} WHERE {} = $1 AND {} = $2",
                    t.retries, t.owner, t.item
                ))
                .bind(id)
                .bind(item)
                .execute(&mut tx)
                .await?;
                query(format!(
                    "UPDATE {} SET delivered = delivered + 1, last_success_at = $2 WHERE id = $1",
                    t.destinations
                ))
                .bind(id)
                .bind(at)
                .execute(&mut tx)
                .await?;
            }
            Some(failure) => {
                query(format!(
                    "UPDATE {} SET attempts = attempts + 1, next_at = $3, last_error = $4
                      WHERE {} = $1 AND {} = $2",
                    t.retries, t.owner, t.item
                ))
                .bind(id)
                .bind(item)
                .bind(failure.next_at)
                .bind(&failure.error)
                .execute(&mut tx)
                .await?;
                query(format!(
                    "UPDATE {} SET failed_attempts = failed_attempts + 1, last_error = $2
                      WHERE id = $1",
                    t.destinations
                ))
                .bind(id)
                .bind(&failure.error)
                .execute(&mut tx)
                .await?;
            }
        }
        log_attempt(&mut tx, t, id, item, at, failure.map(|f| f.error.as_str())).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Pauses (`Some(reason)`) or resumes (`None`); `false` if there is no such destination.
    pub(super) async fn feed_set_paused(
        &self,
        t: &Tables,
        id: i64,
        reason: Option<&str>,
    ) -> DbResult<bool> {
        let done = query(format!(
            "UPDATE {}
                SET state = CASE WHEN $2 IS NULL THEN 'active' ELSE 'paused' END,
                    paused_reason = $2, leased_until = 0
              WHERE id = $1 AND deleted_at IS NULL",
            t.destinations
        ))
        .bind(id)
        .bind(reason)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Moves the cursor back to `first - 1` (never forward); the cursor it was moved to.
    pub(super) async fn feed_rewind(&self, t: &Tables, id: i64, first: i64) -> DbResult<i64> {
        let mut tx = self.pool.begin().await?;
        let cursor: i64 = query_scalar(format!(
            "SELECT {} FROM {} WHERE id = $1",
            t.cursor, t.destinations
        ))
        .bind(id)
        .fetch_one(&mut tx)
        .await?;
        let back_to = (first - 1).min(cursor);
        query(format!(
            "UPDATE {} SET {} = $2 WHERE id = $1",
            t.destinations, t.cursor
        ))
        .bind(id)
        .bind(back_to)
        .execute(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(back_to)
    }
}

async fn log_attempt(
    tx: &mut Tx,
    t: &Tables,
    endpoint: i64,
    item: i64,
    at: Millis,
    error: Option<&str>,
) -> DbResult<()> {
    let Some(log) = t.log else {
        return Ok(());
    };
    query(format!(
        "INSERT INTO {log} (endpoint_id, event_id, attempted_at, error) VALUES ($1, $2, $3, $4)"
    ))
    .bind(endpoint)
    .bind(item)
    .bind(at)
    .bind(error)
    .execute(&mut *tx)
    .await?;
    Ok(())
}
