//! Staff passwords and the sessions they opened (migration 000012): the password state each
//! staff request is checked against, and a password replacement that ends the account's other
//! sessions in the same transaction.
//!
//! Kept apart from the dashboard queries: [`AccountStore`] is a supertrait of
//! [`DashboardStore`](super::DashboardStore), so everything holding a dashboard store (the
//! sign-in layer, the admin service) reaches it too.

use async_trait::async_trait;

use super::postgres::PgRepo;
use super::sqlite::SqliteRepo;
use super::{now_millis, DbResult, Millis, StaffUser};

/// A staff account with the state of its password.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StaffCredentials {
    #[sqlx(flatten)]
    pub user: StaffUser,
    /// Set by an admin (new account, reset): its owner should choose their own.
    pub must_change_password: bool,
    /// `None`: not changed since the account was made.
    pub password_changed_at: Option<Millis>,
}

impl StaffCredentials {
    /// What a session signed in under: a session whose stamp differs from its account's
    /// current one was opened with an older password and is signed out.
    pub fn password_stamp(&self) -> Millis {
        self.password_changed_at.unwrap_or(0)
    }
}

/// A stored password replacement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordReplaced {
    /// The account's new password stamp.
    pub changed_at: Millis,
    /// Sessions of the account that were deleted.
    pub sessions_ended: u64,
}

#[async_trait]
pub trait AccountStore: Send + Sync + 'static {
    async fn staff_credentials(&self, id: i64) -> DbResult<Option<StaffCredentials>>;
    /// Stores a new password hash (flagged `must_change` when an admin chose it) and, in the
    /// same transaction, deletes every session of the account except `keep_session` (the id
    /// of the session that asked, when its owner changed their own password). `None` when
    /// there is no such account.
    async fn replace_staff_password(
        &self,
        id: i64,
        password_hash: &str,
        must_change: bool,
        keep_session: Option<&str>,
    ) -> DbResult<Option<PasswordReplaced>>;
    /// Asks the owner of a new account to choose their own password after signing in.
    async fn require_password_change(&self, id: i64) -> DbResult<bool>;
}

/// `same_staff`: the condition, with the account id as `$1`, that a session row (its `data`,
/// the tower-sessions map as JSON with the `staff_id` key of `crate::auth`) belongs to the
/// account. JSON is read differently by the two engines; the rest of the SQL is shared.
macro_rules! impl_account_store {
    ($repo:ty, same_staff = $same_staff:literal) => {
        #[async_trait]
        impl AccountStore for $repo {
            async fn staff_credentials(&self, id: i64) -> DbResult<Option<StaffCredentials>> {
                Ok(sqlx::query_as(
                    "SELECT id, email, display_name, password_hash, role, disabled,
                            created_at, last_login_at, must_change_password, password_changed_at
                     FROM staff_users WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(self.pool())
                .await?)
            }

            async fn replace_staff_password(
                &self,
                id: i64,
                password_hash: &str,
                must_change: bool,
                keep_session: Option<&str>,
            ) -> DbResult<Option<PasswordReplaced>> {
                let changed_at = now_millis();
                let mut tx = self.pool().begin().await?;
                let updated = sqlx::query(
                    "UPDATE staff_users
                     SET password_hash = $1, must_change_password = $2, password_changed_at = $3
                     WHERE id = $4",
                )
                .bind(password_hash)
                .bind(must_change)
                .bind(changed_at)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                if updated.rows_affected() != 1 {
                    return Ok(None);
                }
                // Session ids are never empty, so "" keeps none.
                let ended = sqlx::query(concat!(
                    "DELETE FROM staff_sessions WHERE ",
                    $same_staff,
                    " AND id <> $2"
                ))
                .bind(id)
                .bind(keep_session.unwrap_or(""))
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(Some(PasswordReplaced {
                    changed_at,
                    sessions_ended: ended.rows_affected(),
                }))
            }

            async fn require_password_change(&self, id: i64) -> DbResult<bool> {
                let done =
                    sqlx::query("UPDATE staff_users SET must_change_password = TRUE WHERE id = $1")
                        .bind(id)
                        .execute(self.pool())
                        .await?;
                Ok(done.rows_affected() == 1)
            }
        }
    };
}

impl_account_store!(
    SqliteRepo,
    same_staff = "json_extract(data, '$.staff_id') = $1"
);
impl_account_store!(
    PgRepo,
    same_staff = "(data::jsonb -> 'staff_id') = to_jsonb($1::BIGINT)"
);
