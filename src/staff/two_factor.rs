//! Two-factor sign-in for staff (the port [`app::staff::port::TwoFactorPort`], and the second
//! step of sign-in in `super::routes`): a TOTP secret per account, sealed like every other
//! secret, and ten one-time recovery codes stored as hashes.
//!
//! Every code typed is counted by the sign-in throttle before it is checked, against the same
//! keys as passwords (the account, the client address), and refunded only when right; so five
//! wrong codes lock the account like five wrong passwords. A TOTP code is accepted once: the
//! newest accepted time step is stored and a code of that step or an older one is refused
//! (one conditional `UPDATE`, so two requests racing with one code cannot both pass). A
//! recovery code is spent by one conditional `UPDATE` too. Secrets, codes and recovery codes
//! never reach a log, an error or the audit trail; the audit trail records each event.

use std::net::IpAddr;
use std::sync::Arc;

use app::error::AppError;
use app::staff::port::{
    StaffIdentity, TwoFactorEnrolment, TwoFactorOverview, TwoFactorPort, TwoFactorStatus,
    TypedPassword,
};
use async_trait::async_trait;
use secrecy::SecretString;

use super::throttle::{self, Throttle};
use super::{password, totp};
use crate::crypto::KeyRing;
use crate::db::{NewAuditEntry, SecretSlot};
use crate::errors::internal;

/// The stores this module reads and writes.
pub trait Stores:
    crate::db::StaffStore + crate::db::TwoFactorStore + crate::db::AuditStore + crate::db::SettingStore
{
}
impl<T> Stores for T where
    T: crate::db::StaffStore
        + crate::db::TwoFactorStore
        + crate::db::AuditStore
        + crate::db::SettingStore
{
}

/// The run-time setting (JSON `true`/`false`) that requires two-factor sign-in of everyone.
pub const REQUIRED_SETTING: &str = "staff.require_two_factor";

/// Which second factor proved a sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Factor {
    Code,
    RecoveryCode,
}

impl Factor {
    pub fn as_str(self) -> &'static str {
        match self {
            Factor::Code => "code",
            Factor::RecoveryCode => "recovery_code",
        }
    }
}

/// Why a second factor was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Too many wrong attempts: wait this long.
    Throttled(std::time::Duration),
    /// Wrong, used already (a replay), or no second factor is enabled.
    Wrong,
}

/// Who is proving a second factor (a signed-in account, or one half-way through sign-in).
pub struct Prover<'a> {
    pub staff_id: i64,
    pub email: &'a str,
    pub ip: Option<IpAddr>,
}

pub struct TwoFactor {
    store: Arc<dyn Stores>,
    keys: Arc<KeyRing>,
    throttle: Arc<Throttle>,
}

fn slot(staff_id: i64) -> SecretSlot {
    SecretSlot {
        owner_kind: "staff".into(),
        owner_id: staff_id.to_string(),
        purpose: "totp".into(),
    }
}

fn throttled(wait: std::time::Duration) -> AppError {
    let minutes = throttle::wait_minutes(wait);
    AppError::Invalid(format!(
        "Too many wrong codes or passwords for this account. For your security, try again in \
         {minutes} minute{}.",
        if minutes == 1 { "" } else { "s" }
    ))
}

fn wrong_code() -> AppError {
    AppError::Invalid(
        "That code is not right, or was used already. Enter the current code from your \
         authenticator app."
            .into(),
    )
}

impl TwoFactor {
    pub fn new(store: Arc<dyn Stores>, keys: Arc<KeyRing>, throttle: Arc<Throttle>) -> Self {
        Self {
            store,
            keys,
            throttle,
        }
    }

    /// Whether an admin requires two-factor sign-in of every account.
    pub async fn required(&self) -> bool {
        matches!(
            self.store.setting_get(REQUIRED_SETTING).await,
            Ok(Some(value)) if value.trim() == "true"
        )
    }

    /// Whether the account signs in with a second factor.
    pub async fn enabled(&self, staff_id: i64) -> Result<bool, crate::db::DbError> {
        Ok(self
            .store
            .two_factor(staff_id)
            .await?
            .is_some_and(|row| row.enabled_at.is_some()))
    }

    async fn audit(&self, who: &Prover<'_>, action: &str, detail: Option<String>) {
        let entry = NewAuditEntry {
            staff_id: Some(who.staff_id),
            actor: who.email.to_string(),
            action: action.into(),
            target_kind: Some("staff".into()),
            target_id: Some(who.email.to_string()),
            detail,
            ip: who.ip.map(|ip| ip.to_string()),
        };
        if let Err(error) = self.store.append_audit(&entry).await {
            tracing::error!(%error, action, "audit entry lost");
        }
    }

    /// The account's TOTP, from its sealed secret (enabled or still enrolling).
    async fn account_totp(
        &self,
        staff_id: i64,
        email: &str,
    ) -> Result<Option<(totp_rs::TOTP, bool)>, AppError> {
        let Some(row) = self.store.two_factor(staff_id).await.map_err(internal)? else {
            return Ok(None);
        };
        let secret = self
            .keys
            .open(&slot(staff_id), &row.sealed)
            .map_err(internal)?;
        let totp = totp::totp(&secret, email).map_err(internal)?;
        Ok(Some((totp, row.enabled_at.is_some())))
    }

    /// Checks `input` (a TOTP code or a recovery code) against the account's enabled second
    /// factor and spends it; no throttle, no audit (the callers do both).
    async fn spend(&self, who: &Prover<'_>, input: &str) -> Result<Option<Factor>, AppError> {
        if totp::looks_like_code(input) {
            let Some((totp, true)) = self.account_totp(who.staff_id, who.email).await? else {
                return Ok(None);
            };
            let Some(step) = totp::matching_step(&totp, input, totp::now_secs()) else {
                return Ok(None);
            };
            let fresh = self
                .store
                .two_factor_accept_step(who.staff_id, step)
                .await
                .map_err(internal)?;
            Ok(fresh.then_some(Factor::Code))
        } else {
            if input.chars().count() > 64 || !self.enabled(who.staff_id).await.map_err(internal)? {
                return Ok(None);
            }
            let spent = self
                .store
                .two_factor_use_recovery(who.staff_id, &totp::recovery_hash(input))
                .await
                .map_err(internal)?;
            Ok(spent.then_some(Factor::RecoveryCode))
        }
    }

    /// Proves the account's second factor with `input`, counted by the sign-in throttle before
    /// it is checked and refunded when right. Wrong codes and used recovery codes are audited.
    pub async fn prove(&self, who: &Prover<'_>, input: &str) -> Result<Factor, Refused> {
        let keys = throttle::password_keys(who.email, who.ip);
        let attempt = self.throttle.begin(&keys).map_err(Refused::Throttled)?;
        match self.spend(who, input).await {
            Ok(Some(factor)) => {
                self.throttle.succeed(attempt);
                if factor == Factor::RecoveryCode {
                    let left = self
                        .store
                        .two_factor_recovery_left(who.staff_id)
                        .await
                        .unwrap_or(0);
                    self.audit(
                        who,
                        "staff.two_factor_recovery_used",
                        Some(format!("{{\"recovery_codes_left\":{left}}}")),
                    )
                    .await;
                }
                Ok(factor)
            }
            Ok(None) | Err(_) => {
                drop(attempt);
                self.audit(who, "staff.two_factor_failed", None).await;
                Err(Refused::Wrong)
            }
        }
    }

    async fn new_codes(&self) -> (Vec<String>, Vec<String>) {
        let codes = totp::new_recovery_codes();
        let hashes = codes.iter().map(|c| totp::recovery_hash(c)).collect();
        (codes, hashes)
    }

    fn prover<'a>(me: &'a StaffIdentity) -> Prover<'a> {
        Prover {
            staff_id: me.id,
            email: &me.email,
            ip: me.ip.as_deref().and_then(|ip| ip.parse().ok()),
        }
    }

    /// [`Self::prove`] with the refusal as the message for the account page.
    async fn prove_for_page(&self, me: &StaffIdentity, code: &str) -> Result<Factor, AppError> {
        self.prove(&Self::prover(me), code)
            .await
            .map_err(|refused| match refused {
                Refused::Throttled(wait) => throttled(wait),
                Refused::Wrong => wrong_code(),
            })
    }
}

#[async_trait]
impl TwoFactorPort for TwoFactor {
    async fn status(&self, me: &StaffIdentity) -> Result<TwoFactorStatus, AppError> {
        let row = self.store.two_factor(me.id).await.map_err(internal)?;
        let enabled_at = row.and_then(|row| row.enabled_at);
        let left = match enabled_at {
            Some(_) => self
                .store
                .two_factor_recovery_left(me.id)
                .await
                .map_err(internal)?,
            None => 0,
        };
        Ok(TwoFactorStatus {
            enabled: enabled_at.is_some(),
            enabled_at,
            recovery_codes_left: left,
            required: self.required().await,
        })
    }

    async fn begin(&self, me: &StaffIdentity) -> Result<TwoFactorEnrolment, AppError> {
        let secret: SecretString = totp::new_secret();
        let totp = totp::totp(&secret, &me.email).map_err(internal)?;
        let sealed = self.keys.seal(&slot(me.id), &secret);
        let started = self
            .store
            .two_factor_begin(me.id, &sealed)
            .await
            .map_err(internal)?;
        if !started {
            return Err(AppError::Invalid(
                "Two-factor sign-in is on already; turn it off first to set up a new app.".into(),
            ));
        }
        let uri = totp::otpauth_uri(&totp);
        Ok(TwoFactorEnrolment {
            secret: totp.get_secret_base32(),
            qr_svg: totp::qr_svg(&uri),
            uri,
        })
    }

    async fn confirm(&self, me: &StaffIdentity, code: &str) -> Result<Vec<String>, AppError> {
        let who = Self::prover(me);
        let keys = throttle::password_keys(&me.email, who.ip);
        let attempt = self.throttle.begin(&keys).map_err(throttled)?;
        let step = match self.account_totp(me.id, &me.email).await? {
            Some((totp, false)) => totp::matching_step(&totp, code, totp::now_secs()),
            Some((_, true)) => {
                self.throttle.succeed(attempt);
                return Err(AppError::Invalid(
                    "Two-factor sign-in is on already.".into(),
                ));
            }
            None => {
                self.throttle.succeed(attempt);
                return Err(AppError::Invalid("Start the set-up first.".into()));
            }
        };
        let Some(step) = step else {
            drop(attempt);
            self.audit(
                &who,
                "staff.two_factor_failed",
                Some("{\"during\":\"enrolment\"}".into()),
            )
            .await;
            return Err(wrong_code());
        };
        let (codes, hashes) = self.new_codes().await;
        let enabled = self
            .store
            .two_factor_enable(me.id, step, &hashes)
            .await
            .map_err(internal)?;
        self.throttle.succeed(attempt);
        if !enabled {
            return Err(AppError::Invalid(
                "Two-factor sign-in is on already.".into(),
            ));
        }
        self.audit(&who, "staff.two_factor_enabled", None).await;
        Ok(codes)
    }

    async fn disable(
        &self,
        me: &StaffIdentity,
        password: TypedPassword,
        code: &str,
    ) -> Result<String, AppError> {
        let who = Self::prover(me);
        let typed = SecretString::from(password.into_inner());
        let keys = throttle::password_keys(&me.email, who.ip);
        let attempt = self.throttle.begin(&keys).map_err(throttled)?;
        let account = self
            .store
            .staff_credentials(me.id)
            .await
            .map_err(internal)?
            .ok_or(AppError::Unauthorized)?;
        let password_ok = password::verify_bounded(typed, Some(account.user.password_hash)).await;
        // The code is spent only with the right password: a wrong password wastes no code.
        let factor = match password_ok {
            true => self.spend(&who, code).await?,
            false => None,
        };
        if factor.is_none() {
            drop(attempt);
            self.audit(&who, "staff.two_factor_disable_refused", None)
                .await;
            return Err(match self.throttle.check(&keys) {
                Err(wait) => throttled(wait),
                Ok(()) => AppError::Invalid(
                    "The password or the code is not right (a code works once).".into(),
                ),
            });
        }
        self.throttle.succeed(attempt);
        self.store
            .two_factor_remove(me.id)
            .await
            .map_err(internal)?;
        self.audit(&who, "staff.two_factor_disabled", None).await;
        Ok("Two-factor sign-in is off. Your authenticator app's entry and the recovery codes no longer work.".into())
    }

    async fn regenerate(&self, me: &StaffIdentity, code: &str) -> Result<Vec<String>, AppError> {
        self.prove_for_page(me, code).await?;
        let (codes, hashes) = self.new_codes().await;
        self.store
            .two_factor_replace_recovery(me.id, &hashes)
            .await
            .map_err(internal)?;
        self.audit(
            &Self::prover(me),
            "staff.two_factor_recovery_regenerated",
            None,
        )
        .await;
        Ok(codes)
    }

    async fn overview(&self) -> Result<TwoFactorOverview, AppError> {
        Ok(TwoFactorOverview {
            required: self.required().await,
            enabled: self
                .store
                .two_factor_enabled_ids()
                .await
                .map_err(internal)?,
        })
    }

    async fn set_required(&self, by: &StaffIdentity, required: bool) -> Result<String, AppError> {
        // Otherwise the admin who asked would at once be held back to their account page too.
        if required && !self.enabled(by.id).await.map_err(internal)? {
            return Err(AppError::Invalid(
                "Set up two-factor sign-in for your own account (My account) first.".into(),
            ));
        }
        self.store
            .setting_put(
                REQUIRED_SETTING,
                if required { "true" } else { "false" },
                &by.email,
            )
            .await
            .map_err(internal)?;
        let entry = NewAuditEntry {
            staff_id: Some(by.id),
            actor: by.email.clone(),
            action: "settings.require_two_factor".into(),
            target_kind: None,
            target_id: None,
            detail: Some(format!("{{\"required\":{required}}}")),
            ip: by.ip.clone(),
        };
        if let Err(error) = self.store.append_audit(&entry).await {
            tracing::error!(%error, "audit entry lost");
        }
        Ok(if required {
            "Two-factor sign-in is now required: accounts without it can only open My account until they set it up.".into()
        } else {
            "Two-factor sign-in is now optional.".into()
        })
    }

    async fn remove(&self, by: &StaffIdentity, id: i64) -> Result<String, AppError> {
        let account = self
            .store
            .staff_user_by_id(id)
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)?;
        let had = self.store.two_factor_remove(id).await.map_err(internal)?;
        let entry = NewAuditEntry {
            staff_id: Some(by.id),
            actor: by.email.clone(),
            action: "staff.two_factor_removed".into(),
            target_kind: Some("staff".into()),
            target_id: Some(account.email.clone()),
            detail: Some(format!("{{\"was_enabled\":{had}}}")),
            ip: by.ip.clone(),
        };
        if let Err(error) = self.store.append_audit(&entry).await {
            tracing::error!(%error, "audit entry lost");
        }
        Ok(format!(
            "Two-factor sign-in of {} was removed; they sign in with their password and can set it up again.",
            account.email
        ))
    }
}
