//! The port of this feature between the UI and the server: the data shapes that cross the
//! wire and (server only) the trait the server implements. Staff: roles, the signed-in identity, accounts, the audit log and one's own account.

use serde::{Deserialize, Serialize};

/// A staff member's role. Checked on the server for every staff server function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StaffRole {
    Viewer,
    Operator,
    Admin,
}

impl StaffRole {
    pub fn parse(text: &str) -> Option<StaffRole> {
        match text {
            "viewer" => Some(StaffRole::Viewer),
            "operator" => Some(StaffRole::Operator),
            "admin" => Some(StaffRole::Admin),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            StaffRole::Viewer => "Viewer",
            StaffRole::Operator => "Operator",
            StaffRole::Admin => "Admin",
        }
    }

    /// Whether this role may do what `required` may (admin ⊇ operator ⊇ viewer).
    pub fn allows(self, required: StaffRole) -> bool {
        self >= required
    }
}

/// The signed-in staff member, as the server resolved it from the session for this request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffIdentity {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: StaffRole,
    /// The password was set by an admin (new account, reset): the layout asks its owner to
    /// choose their own on the account page.
    #[serde(default)]
    pub must_change_password: bool,
    /// An admin requires two-factor sign-in of every account and this one has none yet: the
    /// layout asks its owner to set it up on the account page.
    #[serde(default)]
    pub must_enroll_two_factor: bool,
    /// The client address of this request, for the audit log (never sent to the browser).
    #[serde(skip)]
    pub ip: Option<String>,
}

/// Put in a request's extensions by the server when it comes from this host (loopback, after
/// trusted proxies): such callers, like staff, may read the instance's health details.
#[derive(Debug, Clone, Copy)]
pub struct LoopbackCaller;

/// Whether `path` is a path on this site, safe to send a browser to after sign-in (no open
/// redirect through a crafted link): it starts with one `/`, and has no backslash, no
/// whitespace and no control character anywhere (browsers drop tabs and newlines from URLs,
/// so `/<TAB>/evil.example` would become `//evil.example`, another site). At most 2,000
/// characters.
pub fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && path.len() <= 2000
        && !path
            .chars()
            .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub id: i64,
    pub actor: String,
    pub action: String,
    pub target: Option<String>,
    pub detail: Option<String>,
    pub ip: Option<String>,
    pub occurred_at: i64,
}

/// A staff account as admins see it (never its password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffAccount {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: StaffRole,
    pub disabled: bool,
    pub created_at: i64,
    pub last_login_at: Option<i64>,
}

/// The signed-in staff member's own account, as the account page shows it (never a hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyAccount {
    pub email: String,
    pub display_name: String,
    pub role: StaffRole,
    pub must_change_password: bool,
    /// `None`: not changed since the account was made.
    pub password_changed_at: Option<i64>,
    pub created_at: i64,
    pub last_login_at: Option<i64>,
    /// Alert mail (a WABA needs attention) wanted; only admins and operators get it.
    pub mail_alerts: bool,
}

/// A password as typed into a form. Sent as the plain string it is, but its `Debug` prints
/// nothing: the argument struct a server function generates derives `Debug`, and a password
/// must not reach a log or a panic message through it.
#[derive(Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct TypedPassword(String);

impl TypedPassword {
    pub fn new(typed: impl Into<String>) -> Self {
        Self(typed.into())
    }

    /// The typed text, for the server to wrap in a secret at once.
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl std::fmt::Debug for TypedPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TypedPassword(..)")
    }
}

/// What a staff member typed to change their own password. Only on the server, and its
/// `Debug` shows no field, so it cannot end up in a log or a panic message.
#[cfg(feature = "ssr")]
pub struct PasswordChange {
    pub current: String,
    pub new: String,
    pub confirm: String,
}

#[cfg(feature = "ssr")]
impl std::fmt::Debug for PasswordChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordChange { .. }")
    }
}

/// Operations on one's own account, for every signed-in staff member whatever their role.
///
/// Unlike the other ports this one is bound to a request: changing a password must cycle the
/// session id of the request that asked and sign out the account's other sessions, so the
/// server's sign-in layer builds one per signed-in request and puts it, as an
/// [`AccountAccess`], into the request's extensions next to the [`StaffIdentity`].
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait AccountPort: Send + Sync + 'static {
    async fn my_account(&self, me: &StaffIdentity) -> Result<MyAccount, crate::error::AppError>;
    /// Checks the current password and the new one; on success stores it, keeps this session
    /// (under a new id), ends every other session of the account and answers with what to
    /// tell the person.
    async fn change_password(
        &self,
        me: &StaffIdentity,
        change: PasswordChange,
    ) -> Result<String, crate::error::AppError>;
    /// Turns the alert mail on or off for oneself; the new setting.
    async fn set_mail_alerts(
        &self,
        me: &StaffIdentity,
        on: bool,
    ) -> Result<bool, crate::error::AppError>;
}

/// The [`AccountPort`] of the current request (see there).
#[cfg(feature = "ssr")]
#[derive(Clone)]
pub struct AccountAccess(pub std::sync::Arc<dyn AccountPort>);

/// Admin-only staff operations: the audit log and staff accounts.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait StaffPort: Send + Sync + 'static {
    async fn audit(&self, before: Option<i64>) -> Result<Vec<AuditRow>, crate::error::AppError>;
    async fn staff_accounts(&self) -> Result<Vec<StaffAccount>, crate::error::AppError>;
    /// Creates an account; returns a one-time password for the admin to hand over.
    async fn create_staff(
        &self,
        by: &StaffIdentity,
        email: &str,
        name: &str,
        role: StaffRole,
    ) -> Result<String, crate::error::AppError>;
    async fn set_staff_access(
        &self,
        by: &StaffIdentity,
        id: i64,
        role: StaffRole,
        disabled: bool,
    ) -> Result<String, crate::error::AppError>;
    /// A new one-time password for an account.
    async fn reset_staff_password(
        &self,
        by: &StaffIdentity,
        id: i64,
    ) -> Result<String, crate::error::AppError>;
}

/// The signed-in staff member's two-factor sign-in, as the account page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorStatus {
    pub enabled: bool,
    pub enabled_at: Option<i64>,
    /// Unused recovery codes.
    pub recovery_codes_left: i64,
    /// An admin requires two-factor sign-in for every account.
    pub required: bool,
}

/// A started enrolment: what the authenticator app needs. Shown once, on the account page of
/// the person enrolling (server-function answers are never cached).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorEnrolment {
    /// The shared secret, base32, for typing in.
    pub secret: String,
    /// `otpauth://totp/…`, what the QR code holds.
    pub uri: String,
    /// The QR code, an SVG document the server drew (paths only), if it could.
    pub qr_svg: Option<String>,
}

impl std::fmt::Debug for TwoFactorEnrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TwoFactorEnrolment { .. }")
    }
}

/// Who must use two-factor sign-in, as the staff accounts page shows it (admins).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorOverview {
    pub required: bool,
    /// The accounts with two-factor sign-in enabled.
    pub enabled: Vec<i64>,
}

/// Two-factor sign-in: one's own (every role) and, for admins, the rule for everyone and the
/// removal of an account's second factor (it lost its phone).
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait TwoFactorPort: Send + Sync + 'static {
    async fn status(&self, me: &StaffIdentity) -> Result<TwoFactorStatus, crate::error::AppError>;
    /// A new secret for the account (replacing an enrolment not confirmed yet).
    async fn begin(&self, me: &StaffIdentity)
        -> Result<TwoFactorEnrolment, crate::error::AppError>;
    /// Confirms the enrolment with a current code; answers with the recovery codes, shown once.
    async fn confirm(
        &self,
        me: &StaffIdentity,
        code: &str,
    ) -> Result<Vec<String>, crate::error::AppError>;
    /// Turns two-factor sign-in off, with the current password and a code.
    async fn disable(
        &self,
        me: &StaffIdentity,
        password: TypedPassword,
        code: &str,
    ) -> Result<String, crate::error::AppError>;
    /// New recovery codes (the old ones stop working), with a current code.
    async fn regenerate(
        &self,
        me: &StaffIdentity,
        code: &str,
    ) -> Result<Vec<String>, crate::error::AppError>;
    async fn overview(&self) -> Result<TwoFactorOverview, crate::error::AppError>;
    async fn set_required(
        &self,
        by: &StaffIdentity,
        required: bool,
    ) -> Result<String, crate::error::AppError>;
    /// Removes an account's second factor (admins, audited).
    async fn remove(&self, by: &StaffIdentity, id: i64) -> Result<String, crate::error::AppError>;
}
