//! Staff members' own accounts (the port [`app::staff::port::AccountPort`]): what the account page
//! shows, and changing one's own password.
//!
//! A password change proves the current password the way sign-in does (argon2, and wrong
//! guesses count against the same per-account throttle, so a left-open session is no way
//! around it), holds the new one to the sign-in policy, then in one transaction stores it and
//! deletes the account's other sessions. The session that asked stays signed in under a new id
//! and the new password's stamp; any other session that escaped the delete (saved again by a
//! request in flight) is signed out by `crate::staff::identify` for its old stamp. No password
//! ever reaches a log, an error or the audit trail.

use std::net::IpAddr;
use std::sync::Arc;

use app::error::AppError;
use app::staff::port::{AccountPort, MyAccount, PasswordChange, StaffIdentity, StaffRole};
use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use tower_sessions::Session;

use crate::db::NewAuditEntry;
use crate::errors::internal;
use crate::staff::throttle::{self, Throttle};
use crate::staff::{password, AuthState, Stores};

/// The account port of one signed-in request (built by `crate::staff::identify`).
pub struct SessionAccount {
    store: Arc<dyn Stores>,
    throttle: Arc<Throttle>,
    session: Session,
    ip: Option<IpAddr>,
}

impl SessionAccount {
    pub fn new(auth: &AuthState, session: Session, ip: Option<IpAddr>) -> Self {
        Self {
            store: auth.store.clone(),
            throttle: auth.throttle.clone(),
            session,
            ip,
        }
    }

    async fn audit(&self, me: &StaffIdentity, action: &str, detail: Option<String>) {
        let entry = NewAuditEntry {
            staff_id: Some(me.id),
            actor: me.email.clone(),
            action: action.into(),
            target_kind: Some("staff".into()),
            target_id: Some(me.email.clone()),
            detail,
            ip: self.ip.map(|ip| ip.to_string()),
        };
        if let Err(error) = self.store.append_audit(&entry).await {
            tracing::error!(%error, action, "audit entry lost");
        }
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn throttled(wait: std::time::Duration) -> AppError {
    let minutes = throttle::wait_minutes(wait);
    AppError::Invalid(format!(
        "Too many wrong passwords for this account. For your security, try again in {}.",
        plural(minutes, "minute", "minutes")
    ))
}

#[async_trait]
impl AccountPort for SessionAccount {
    async fn my_account(&self, me: &StaffIdentity) -> Result<MyAccount, AppError> {
        let account = self
            .store
            .staff_credentials(me.id)
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)?;
        Ok(MyAccount {
            role: StaffRole::parse(&account.user.role).unwrap_or(StaffRole::Viewer),
            email: account.user.email,
            display_name: account.user.display_name,
            must_change_password: account.must_change_password,
            password_changed_at: account.password_changed_at,
            created_at: account.user.created_at,
            last_login_at: account.user.last_login_at,
            mail_alerts: self
                .store
                .staff_mail_alerts(me.id)
                .await
                .map_err(internal)?,
        })
    }

    async fn set_mail_alerts(&self, me: &StaffIdentity, on: bool) -> Result<bool, AppError> {
        self.store
            .set_staff_mail_alerts(me.id, on)
            .await
            .map_err(internal)?;
        Ok(on)
    }

    async fn change_password(
        &self,
        me: &StaffIdentity,
        change: PasswordChange,
    ) -> Result<String, AppError> {
        let current = SecretString::from(change.current);
        let new = SecretString::from(change.new);
        let confirm = SecretString::from(change.confirm);
        if current.expose_secret().is_empty() {
            return Err(AppError::Invalid("Enter your current password.".into()));
        }
        let keys = throttle::password_keys(&me.email, self.ip);
        self.throttle.check(&keys).map_err(throttled)?;
        // The policy first: it needs no argon2 run and tells nothing about the current one.
        password::check_new_password(&new, &confirm, &current, &me.email)
            .map_err(AppError::Invalid)?;

        let account = self
            .store
            .staff_credentials(me.id)
            .await
            .map_err(internal)?
            .ok_or(AppError::Unauthorized)?;
        let stored = account.user.password_hash.clone();
        // Counted before the verification, so concurrent guesses cannot all get through.
        let attempt = self.throttle.begin(&keys).map_err(throttled)?;
        let matches = password::verify_bounded(current, Some(stored)).await;
        if !matches {
            drop(attempt);
            self.audit(me, "staff.change_own_password_refused", None)
                .await;
            return Err(match self.throttle.check(&keys) {
                Err(wait) => throttled(wait),
                Ok(()) => AppError::Invalid("The current password is not correct.".into()),
            });
        }
        self.throttle.succeed(attempt);

        let hash = password::hash_bounded(new).await.map_err(internal)?;
        let this_session = self.session.id().map(|id| super::sessions::stored_key(&id));
        let replaced = self
            .store
            .replace_staff_password(me.id, &hash, false, this_session.as_deref())
            .await
            .map_err(internal)?
            .ok_or(AppError::Unauthorized)?;
        // This session goes on under the new password, with a new id (the old one may have
        // been seen by whoever made the change necessary).
        if let Err(error) = crate::staff::restamp(&self.session, replaced.changed_at).await {
            return Err(internal(error));
        }
        if let Err(error) = self.session.cycle_id().await {
            return Err(internal(error));
        }
        let others = replaced.sessions_ended;
        self.audit(
            me,
            "staff.change_own_password",
            Some(format!("{{\"other_sessions_signed_out\":{others}}}")),
        )
        .await;
        let elsewhere = match others {
            0 => "no other session of your account was open.".to_string(),
            n => format!(
                "{} of your account {} signed out.",
                plural(n, "other session", "other sessions"),
                if n == 1 { "was" } else { "were" }
            ),
        };
        Ok(format!(
            "Your password was changed. You stay signed in here; {elsewhere}"
        ))
    }
}
