//! Staff two-factor sign-in (migration 000014): each account's sealed TOTP secret, the newest
//! time step it accepted (so no code works twice) and its one-time recovery codes, by hash.
//! Every "use" is one conditional statement, so two requests racing with one code or one
//! recovery code cannot both succeed.

use async_trait::async_trait;

use super::engine::{query, query_as, query_scalar};
use super::*;

/// An account's two-factor state (the secret still sealed).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TwoFactorRow {
    pub staff_id: i64,
    #[sqlx(flatten)]
    pub sealed: SealedSecret,
    /// `None`: enrolment started, waiting for its first code.
    pub enabled_at: Option<Millis>,
    pub last_step: i64,
}

/// Two-factor secrets and recovery codes.
#[async_trait]
pub trait TwoFactorStore: Send + Sync + 'static {
    async fn two_factor(&self, staff_id: i64) -> DbResult<Option<TwoFactorRow>>;
    /// Starts (or restarts) an enrolment with a new sealed secret; `false` when two-factor
    /// sign-in is already enabled for the account (it must be disabled first).
    async fn two_factor_begin(&self, staff_id: i64, sealed: &SealedSecret) -> DbResult<bool>;
    /// Enables the enrolment started, having accepted a code of time step `step`, and stores
    /// the recovery codes' hashes, in one transaction; `false` when there was no enrolment
    /// waiting.
    async fn two_factor_enable(
        &self,
        staff_id: i64,
        step: i64,
        code_hashes: &[String],
    ) -> DbResult<bool>;
    /// Records that a code of time step `step` signed in, unless one of that step or a later
    /// one already did: `false` then (a replay).
    async fn two_factor_accept_step(&self, staff_id: i64, step: i64) -> DbResult<bool>;
    /// Uses up an unused recovery code; `false` when there is no such unused code.
    async fn two_factor_use_recovery(&self, staff_id: i64, code_hash: &str) -> DbResult<bool>;
    /// Replaces every recovery code of the account.
    async fn two_factor_replace_recovery(
        &self,
        staff_id: i64,
        code_hashes: &[String],
    ) -> DbResult<()>;
    async fn two_factor_recovery_left(&self, staff_id: i64) -> DbResult<i64>;
    /// Removes the account's secret and recovery codes; whether it had two-factor enabled.
    async fn two_factor_remove(&self, staff_id: i64) -> DbResult<bool>;
    /// The accounts with two-factor sign-in enabled.
    async fn two_factor_enabled_ids(&self) -> DbResult<Vec<i64>>;
}

async fn insert_codes(tx: &mut engine::Tx, staff_id: i64, code_hashes: &[String]) -> DbResult<()> {
    query("DELETE FROM staff_recovery_codes WHERE staff_id = $1")
        .bind(staff_id)
        .execute(&mut *tx)
        .await?;
    for hash in code_hashes {
        query("INSERT INTO staff_recovery_codes (staff_id, code_hash) VALUES ($1, $2)")
            .bind(staff_id)
            .bind(hash)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

#[async_trait]
impl TwoFactorStore for SqlStore {
    async fn two_factor(&self, staff_id: i64) -> DbResult<Option<TwoFactorRow>> {
        Ok(query_as(
            "SELECT staff_id, key_id, nonce, ciphertext, enabled_at, last_step
                 FROM staff_two_factor WHERE staff_id = $1",
        )
        .bind(staff_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn two_factor_begin(&self, staff_id: i64, sealed: &SealedSecret) -> DbResult<bool> {
        let done = query(
            "INSERT INTO staff_two_factor (staff_id, key_id, nonce, ciphertext, created_at)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (staff_id) DO UPDATE SET key_id = excluded.key_id,
                    nonce = excluded.nonce, ciphertext = excluded.ciphertext,
                    created_at = excluded.created_at, last_step = 0
                 WHERE staff_two_factor.enabled_at IS NULL",
        )
        .bind(staff_id)
        .bind(&sealed.key_id)
        .bind(&sealed.nonce)
        .bind(&sealed.ciphertext)
        .bind(now_millis())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn two_factor_enable(
        &self,
        staff_id: i64,
        step: i64,
        code_hashes: &[String],
    ) -> DbResult<bool> {
        let mut tx = self.pool.begin().await?;
        let done = query(
            "UPDATE staff_two_factor SET enabled_at = $1, last_step = $2
                 WHERE staff_id = $3 AND enabled_at IS NULL",
        )
        .bind(now_millis())
        .bind(step)
        .bind(staff_id)
        .execute(&mut tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        insert_codes(&mut tx, staff_id, code_hashes).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn two_factor_accept_step(&self, staff_id: i64, step: i64) -> DbResult<bool> {
        let done = query(
            "UPDATE staff_two_factor SET last_step = $1
                 WHERE staff_id = $2 AND enabled_at IS NOT NULL AND last_step < $1",
        )
        .bind(step)
        .bind(staff_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn two_factor_use_recovery(&self, staff_id: i64, code_hash: &str) -> DbResult<bool> {
        let done = query(
            "UPDATE staff_recovery_codes SET used_at = $1
                 WHERE staff_id = $2 AND code_hash = $3 AND used_at IS NULL",
        )
        .bind(now_millis())
        .bind(staff_id)
        .bind(code_hash)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn two_factor_replace_recovery(
        &self,
        staff_id: i64,
        code_hashes: &[String],
    ) -> DbResult<()> {
        let mut tx = self.pool.begin().await?;
        insert_codes(&mut tx, staff_id, code_hashes).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn two_factor_recovery_left(&self, staff_id: i64) -> DbResult<i64> {
        Ok(query_scalar(
            "SELECT COUNT(*) FROM staff_recovery_codes WHERE staff_id = $1 AND used_at IS NULL",
        )
        .bind(staff_id)
        .fetch_one(&self.pool)
        .await?)
    }

    async fn two_factor_remove(&self, staff_id: i64) -> DbResult<bool> {
        let mut tx = self.pool.begin().await?;
        query("DELETE FROM staff_recovery_codes WHERE staff_id = $1")
            .bind(staff_id)
            .execute(&mut tx)
            .await?;
        let enabled: Option<i64> =
            query_scalar("DELETE FROM staff_two_factor WHERE staff_id = $1 RETURNING enabled_at")
                .bind(staff_id)
                .fetch_optional(&mut tx)
                .await?
                .flatten();
        tx.commit().await?;
        Ok(enabled.is_some())
    }

    async fn two_factor_enabled_ids(&self) -> DbResult<Vec<i64>> {
        Ok(query_scalar(
            "SELECT staff_id FROM staff_two_factor WHERE enabled_at IS NOT NULL ORDER BY staff_id",
        )
        .fetch_all(&self.pool)
        .await?)
    }
}
