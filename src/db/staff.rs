//! Staff accounts and their passwords (migration 000012): the password state each staff request is checked against, and a password replacement that ends the account's other sessions in the same transaction.

use async_trait::async_trait;

use super::engine::{query, query_as, query_scalar};
use super::*;

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

/// Staff accounts and passwords.
#[async_trait]
pub trait StaffStore: Send + Sync + 'static {
    async fn create_staff_user(&self, user: &NewStaffUser) -> DbResult<StaffUser>;
    async fn staff_user_by_email(&self, email: &str) -> DbResult<Option<StaffUser>>;
    async fn staff_user_by_id(&self, id: i64) -> DbResult<Option<StaffUser>>;
    async fn count_staff_users(&self) -> DbResult<i64>;
    async fn record_login(&self, id: i64) -> DbResult<()>;
    /// Every staff account, by email.
    async fn list_staff_users(&self) -> DbResult<Vec<StaffUser>>;
    /// Sets an account's role and whether it is disabled, unless that would leave no other
    /// enabled admin (checked in the statement itself). Returns whether the account changed.
    async fn set_staff_access(&self, id: i64, role: Role, disabled: bool) -> DbResult<bool>;
    async fn set_staff_password(&self, id: i64, password_hash: &str) -> DbResult<bool>;
    async fn staff_credentials(&self, id: i64) -> DbResult<Option<StaffCredentials>>;
    /// Stores a new password hash (flagged `must_change` when an admin chose it) and, in the
    /// same transaction, deletes every session of the account except `keep_session` (the
    /// stored key of the session that asked, when its owner changed their own password).
    /// `None` when there is no such account.
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

#[async_trait]
impl StaffStore for SqlStore {
    async fn create_staff_user(&self, user: &NewStaffUser) -> DbResult<StaffUser> {
        Ok(query_as(
            "INSERT INTO staff_users (email, display_name, password_hash, role, created_at)
                 VALUES ($1, $2, $3, $4, $5)
                 RETURNING id, email, display_name, password_hash, role, disabled,
                           created_at, last_login_at",
        )
        .bind(user.email.trim().to_lowercase())
        .bind(&user.display_name)
        .bind(&user.password_hash)
        .bind(user.role.as_str())
        .bind(now_millis())
        .fetch_one(&self.pool)
        .await?)
    }

    async fn staff_user_by_email(&self, email: &str) -> DbResult<Option<StaffUser>> {
        Ok(query_as(
            "SELECT id, email, display_name, password_hash, role, disabled,
                        created_at, last_login_at
                 FROM staff_users WHERE email = $1",
        )
        .bind(email.trim().to_lowercase())
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn staff_user_by_id(&self, id: i64) -> DbResult<Option<StaffUser>> {
        Ok(query_as(
            "SELECT id, email, display_name, password_hash, role, disabled,
                        created_at, last_login_at
                 FROM staff_users WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn count_staff_users(&self) -> DbResult<i64> {
        Ok(query_scalar("SELECT COUNT(*) FROM staff_users")
            .fetch_one(&self.pool)
            .await?)
    }

    async fn record_login(&self, id: i64) -> DbResult<()> {
        query("UPDATE staff_users SET last_login_at = $1 WHERE id = $2")
            .bind(now_millis())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn list_staff_users(&self) -> DbResult<Vec<StaffUser>> {
        Ok(query_as(
            "SELECT id, email, display_name, password_hash, role, disabled,
                        created_at, last_login_at
                 FROM staff_users ORDER BY email",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    async fn set_staff_access(&self, id: i64, role: Role, disabled: bool) -> DbResult<bool> {
        // The account keeps (or gets) admin rights, or another enabled admin exists.
        let keeps_admin = role == Role::Admin && !disabled;
        let done = query(
            "UPDATE staff_users SET role = $1, disabled = $2
                 WHERE id = $3
                   AND ($4 OR EXISTS (SELECT 1 FROM staff_users o
                                      WHERE o.id <> $3 AND o.role = 'admin'
                                        AND NOT o.disabled))",
        )
        .bind(role.as_str())
        .bind(disabled)
        .bind(id)
        .bind(keeps_admin)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_staff_password(&self, id: i64, password_hash: &str) -> DbResult<bool> {
        let done = query("UPDATE staff_users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn staff_credentials(&self, id: i64) -> DbResult<Option<StaffCredentials>> {
        Ok(query_as(
            "SELECT id, email, display_name, password_hash, role, disabled,
                        created_at, last_login_at, must_change_password, password_changed_at
                 FROM staff_users WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
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
        let mut tx = self.pool.begin().await?;
        let updated = query(
            "UPDATE staff_users
                 SET password_hash = $1, must_change_password = $2, password_changed_at = $3
                 WHERE id = $4",
        )
        .bind(password_hash)
        .bind(must_change)
        .bind(changed_at)
        .bind(id)
        .execute(&mut tx)
        .await?;
        if updated.rows_affected() != 1 {
            return Ok(None);
        }
        // Session keys are never empty, so "" keeps none.
        let sql = format!(
            "DELETE FROM staff_sessions WHERE {} AND id_hash <> $2",
            self.dialect().same_staff
        );
        let ended = query(sql)
            .bind(id)
            .bind(keep_session.unwrap_or(""))
            .execute(&mut tx)
            .await?;
        tx.commit().await?;
        Ok(Some(PasswordReplaced {
            changed_at,
            sessions_ended: ended.rows_affected(),
        }))
    }

    async fn require_password_change(&self, id: i64) -> DbResult<bool> {
        let done = query("UPDATE staff_users SET must_change_password = TRUE WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
