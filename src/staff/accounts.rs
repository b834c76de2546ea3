//! The staff port ([`app::staff::port::StaffPort`]): the audit log, and staff accounts managed
//! from the settings page. Every change is written to the audit log.
//!
//! New accounts and password resets get a random initial password that the admin hands over
//! (shown once, never stored in clear, never logged): the portal sends no email, and an admin
//! typing someone else's password would know it. Because the admin knows it, such a password
//! is flagged: its owner is asked to choose their own (see `crate::staff::account`) after signing in.

use std::sync::Arc;

use app::error::AppError;
use app::staff::port::{AuditRow, StaffPort};
use app::staff::port::{StaffAccount, StaffIdentity, StaffRole};
use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};

use crate::db::{DbError, NewAuditEntry, NewStaffUser, Role};
use crate::errors::internal;
use crate::staff::password;

/// The stores this module reads and writes.
pub trait Stores: crate::db::AuditStore + crate::db::StaffStore {}
impl<T: crate::db::AuditStore + crate::db::StaffStore> Stores for T {}

pub struct AdminService {
    store: Arc<dyn Stores>,
}

impl AdminService {
    pub fn new(store: Arc<dyn Stores>) -> Self {
        Self { store }
    }

    /// Writes an audit entry about staff account `target` (`None`: a portal setting).
    async fn audit(
        &self,
        by: &StaffIdentity,
        action: &str,
        target: Option<&str>,
        detail: Option<String>,
    ) {
        let entry = NewAuditEntry {
            staff_id: Some(by.id),
            actor: by.email.clone(),
            action: action.into(),
            target_kind: target.map(|_| "staff".into()),
            target_id: target.map(Into::into),
            detail,
            ip: by.ip.clone(),
        };
        if let Err(error) = self.store.append_audit(&entry).await {
            tracing::error!(%error, action, "audit entry lost");
        }
    }

    async fn account(&self, id: i64) -> Result<crate::db::StaffUser, AppError> {
        self.store
            .staff_user_by_id(id)
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)
    }
}

fn db_role(role: StaffRole) -> Role {
    match role {
        StaffRole::Admin => Role::Admin,
        StaffRole::Operator => Role::Operator,
        StaffRole::Viewer => Role::Viewer,
    }
}

/// 18 random bytes as 24 URL-safe characters: 144 bits, easy to paste, nothing to misread.
fn initial_password() -> SecretString {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 18];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    SecretString::from(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

async fn hash(secret: &SecretString) -> Result<String, AppError> {
    let secret = secret.clone();
    tokio::task::spawn_blocking(move || password::hash(&secret))
        .await
        .map_err(internal)
}

#[async_trait]
impl StaffPort for AdminService {
    async fn audit(&self, before: Option<i64>) -> Result<Vec<AuditRow>, AppError> {
        let entries = self.store.list_audit(before, 100).await.map_err(internal)?;
        Ok(entries
            .into_iter()
            .map(|e| AuditRow {
                id: e.id,
                actor: e.actor,
                action: e.action,
                target: match (e.target_kind, e.target_id) {
                    (Some(kind), Some(id)) => Some(format!("{kind} {id}")),
                    (Some(kind), None) => Some(kind),
                    _ => None,
                },
                detail: e.detail,
                ip: e.ip,
                occurred_at: e.occurred_at,
            })
            .collect())
    }

    async fn staff_accounts(&self) -> Result<Vec<StaffAccount>, AppError> {
        let users = self.store.list_staff_users().await.map_err(internal)?;
        Ok(users
            .into_iter()
            .map(|u| StaffAccount {
                id: u.id,
                role: StaffRole::parse(&u.role).unwrap_or(StaffRole::Viewer),
                email: u.email,
                display_name: u.display_name,
                disabled: u.disabled,
                created_at: u.created_at,
                last_login_at: u.last_login_at,
            })
            .collect())
    }

    async fn create_staff(
        &self,
        by: &StaffIdentity,
        email: &str,
        name: &str,
        role: StaffRole,
    ) -> Result<String, AppError> {
        let email = email.trim().to_lowercase();
        let valid = email.len() <= 254
            && email
                .split_once('@')
                .is_some_and(|(user, domain)| !user.is_empty() && domain.contains('.'));
        if !valid {
            return Err(AppError::Invalid(format!(
                "“{email}” is not an email address."
            )));
        }
        let name = match name.trim() {
            "" => email.clone(),
            name if name.chars().count() > 100 => {
                return Err(AppError::Invalid(
                    "The name is longer than 100 characters.".into(),
                ))
            }
            name => name.to_string(),
        };
        let secret = initial_password();
        let user = NewStaffUser {
            email: email.clone(),
            display_name: name,
            password_hash: hash(&secret).await?,
            role: db_role(role),
        };
        let created = match self.store.create_staff_user(&user).await {
            Ok(created) => created,
            Err(DbError::Conflict) => {
                return Err(AppError::Invalid(format!(
                    "An account for {email} exists already."
                )))
            }
            Err(error) => return Err(internal(error)),
        };
        // The admin knows this password: its owner is asked for their own after signing in.
        // The account is usable either way, so a failure here is logged, not fatal.
        if let Err(error) = self.store.require_password_change(created.id).await {
            tracing::warn!(%error, "new account not flagged to change its password");
        }
        self.audit(
            by,
            "staff.create",
            Some(&email),
            Some(format!("{{\"role\":\"{}\"}}", db_role(role).as_str())),
        )
        .await;
        Ok(secret.expose_secret().to_string())
    }

    async fn set_staff_access(
        &self,
        by: &StaffIdentity,
        id: i64,
        role: StaffRole,
        disabled: bool,
    ) -> Result<String, AppError> {
        let account = self.account(id).await?;
        if id == by.id && disabled {
            return Err(AppError::Invalid(
                "You cannot disable your own account.".into(),
            ));
        }
        let changed = self
            .store
            .set_staff_access(id, db_role(role), disabled)
            .await
            .map_err(internal)?;
        if !changed {
            return Err(AppError::Invalid(
                "At least one enabled admin must remain: make someone else an admin first.".into(),
            ));
        }
        let state = if disabled { "disabled" } else { "enabled" };
        self.audit(
            by,
            "staff.access",
            Some(&account.email),
            Some(format!(
                "{{\"role\":\"{}\",\"disabled\":{disabled}}}",
                db_role(role).as_str()
            )),
        )
        .await;
        Ok(format!(
            "{} is now {} ({state}).",
            account.email,
            role.label().to_lowercase()
        ))
    }

    async fn reset_staff_password(&self, by: &StaffIdentity, id: i64) -> Result<String, AppError> {
        let account = self.account(id).await?;
        let secret = initial_password();
        // A reset is also how an admin locks out whoever may know the old password: every
        // session of the account ends, and its owner is asked for a password of their own.
        let replaced = self
            .store
            .replace_staff_password(id, &hash(&secret).await?, true, None)
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)?;
        self.audit(
            by,
            "staff.reset_password",
            Some(&account.email),
            Some(format!(
                "{{\"sessions_signed_out\":{}}}",
                replaced.sessions_ended
            )),
        )
        .await;
        Ok(secret.expose_secret().to_string())
    }
}
