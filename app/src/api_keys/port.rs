//! The port of the partner API's keys between the settings page and the server: what a key
//! looks like in the list, the one answer that carries a new key, and (server only) the trait.

use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::staff::port::StaffIdentity;

/// What a key may do. Each route of `/api/v1` needs exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Scope {
    WabasRead,
    SignupsRead,
    SignupsWrite,
    IntentsWrite,
    TokensRead,
    EventsManage,
}

impl Scope {
    pub const ALL: [Scope; 6] = [
        Scope::WabasRead,
        Scope::SignupsRead,
        Scope::SignupsWrite,
        Scope::IntentsWrite,
        Scope::TokensRead,
        Scope::EventsManage,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::WabasRead => "wabas:read",
            Scope::SignupsRead => "signups:read",
            Scope::SignupsWrite => "signups:write",
            Scope::IntentsWrite => "intents:write",
            Scope::TokensRead => "tokens:read",
            Scope::EventsManage => "events:manage",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text.trim())
    }

    /// What the scope allows, in words (the settings page and `api-key create --help`).
    pub fn help(self) -> &'static str {
        match self {
            Scope::WabasRead => "read every WABA, its phones, pipeline steps and timeline",
            Scope::SignupsRead => "read signup links and what a signup's status page shows",
            Scope::SignupsWrite => "make and revoke signup links",
            Scope::IntentsWrite => "ask businesses to onboard through the Intent API",
            Scope::TokensRead => {
                "take a WABA's business token for sending (also needs the admin setting)"
            }
            Scope::EventsManage => "manage relay destinations and event endpoints",
        }
    }

    /// Parses `wabas:read,tokens:read`; an unknown name is an error naming it.
    pub fn parse_list(text: &str) -> Result<Vec<Scope>, String> {
        let mut scopes = Vec::new();
        for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let scope = Scope::parse(name).ok_or_else(|| {
                format!(
                    "unknown scope `{name}`; scopes are {}",
                    Scope::ALL.map(Scope::as_str).join(", ")
                )
            })?;
            if !scopes.contains(&scope) {
                scopes.push(scope);
            }
        }
        if scopes.is_empty() {
            return Err("a key needs at least one scope".into());
        }
        Ok(scopes)
    }
}

/// Where a key is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyState {
    Active,
    /// Rotated: works until `expires_at`.
    Expiring,
    Expired,
    Revoked,
}

impl KeyState {
    pub fn label(self) -> &'static str {
        match self {
            KeyState::Active => "Active",
            KeyState::Expiring => "Rotated, still working",
            KeyState::Expired => "Expired",
            KeyState::Revoked => "Revoked",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyView {
    pub id: i64,
    pub name: String,
    /// The public start of the key (`mmp_<prefix>_…`), to tell keys apart.
    pub prefix: String,
    pub scopes: Vec<String>,
    pub created_by: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub state: KeyState,
}

/// A key just made: the only answer that ever carries the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewKey {
    pub key: ApiKeyView,
    pub secret: String,
}

/// Whether the token hand-off (`POST /api/v1/wabas/{waba_id}/token`) is on.
pub const TOKEN_HANDOFF_SETTING: &str = "api.token_handoff";

/// The partner API's keys and its admin switches. Admins only (checked by the server
/// functions).
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait ApiKeysPort: Send + Sync + 'static {
    async fn list(&self) -> Result<Vec<ApiKeyView>, crate::error::AppError>;
    async fn create(
        &self,
        staff: &StaffIdentity,
        name: String,
        scopes: Vec<Scope>,
    ) -> Result<NewKey, crate::error::AppError>;
    async fn revoke(&self, staff: &StaffIdentity, id: i64) -> Result<(), crate::error::AppError>;
    /// A new key with the same name and scopes; the old one works for `grace_hours` more.
    async fn rotate(
        &self,
        staff: &StaffIdentity,
        id: i64,
        grace_hours: i64,
    ) -> Result<NewKey, crate::error::AppError>;
    async fn token_handoff(&self) -> Result<bool, crate::error::AppError>;
    async fn set_token_handoff(
        &self,
        staff: &StaffIdentity,
        on: bool,
    ) -> Result<(), crate::error::AppError>;
}
