//! Staff sign-in: argon2id passwords, database-backed sessions (tower-sessions' sqlx store)
//! whose id is cycled at sign-in and sign-out, idle and absolute timeouts, throttling, an
//! origin check against cross-site requests, and the audit trail of sign-ins.
//!
//! The session layer wraps every route; [`identify`] resolves the session to a
//! [`StaffIdentity`] in the request's extensions, which server functions read (through
//! Leptos' request parts) and check roles against. Sign-in and sign-out are plain form posts
//! (`/auth/login`, `/auth/logout`), so they work before the page hydrates.

pub mod account;
pub mod accounts;
pub mod audit;
pub mod cli;
pub mod password;
pub mod routes;
pub mod sessions;
pub mod throttle;

use std::net::SocketAddr;
use std::sync::Arc;

use app::staff::port::{AccountAccess, StaffIdentity, StaffRole};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use crate::db::now_millis;

/// The stores this module reads and writes.
pub trait Stores: crate::db::StaffStore + crate::db::SessionStore + crate::db::AuditStore {}
impl<T: crate::db::StaffStore + crate::db::SessionStore + crate::db::AuditStore> Stores for T {}

/// Session keys. (`staff_id` is also read by SQL: `crate::db::accounts` finds an account's
/// sessions by it.)
const STAFF_ID: &str = "staff_id";
const SIGNED_IN_AT: &str = "signed_in_at";
/// The account's password stamp when this session signed in (or last changed the password):
/// a session opened under an older password is signed out.
const PASSWORD_STAMP: &str = "password_stamp";

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "mm_session";
/// Sessions end after this long without a request…
pub const IDLE_TIMEOUT_MINUTES: i64 = 60;
/// …and this long after sign-in, whatever the activity.
pub const ABSOLUTE_TIMEOUT_MS: i64 = 12 * 3600 * 1000;

#[derive(Clone)]
pub struct AuthState {
    pub store: Arc<dyn Stores>,
    pub throttle: Arc<throttle::Throttle>,
}

/// Puts the signed-in staff member (if any) into the request's extensions, with the
/// [`AccountAccess`] their own-account server functions use. A disabled account, a session
/// past its absolute lifetime, or one opened under a password changed since, is signed out
/// here.
pub async fn identify(
    State(auth): State<AuthState>,
    session: Session,
    mut request: Request,
    next: Next,
) -> Response {
    if let Ok(Some(id)) = session.get::<i64>(STAFF_ID).await {
        let read = |key: &'static str| {
            let session = session.clone();
            async move { session.get::<i64>(key).await.ok().flatten().unwrap_or(0) }
        };
        let signed_in_at = read(SIGNED_IN_AT).await;
        let stamp = read(PASSWORD_STAMP).await;
        let user = if now_millis() - signed_in_at > ABSOLUTE_TIMEOUT_MS {
            None
        } else {
            auth.store.staff_credentials(id).await.ok().flatten()
        };
        match user.filter(|u| !u.user.disabled && u.password_stamp() == stamp) {
            Some(account) => {
                if let Some(role) = StaffRole::parse(&account.user.role) {
                    let ip = request
                        .extensions()
                        .get::<ConnectInfo<SocketAddr>>()
                        .map(|info| info.0.ip());
                    let port = account::SessionAccount::new(&auth, session.clone(), ip);
                    request.extensions_mut().insert(StaffIdentity {
                        id: account.user.id,
                        email: account.user.email,
                        display_name: account.user.display_name,
                        role,
                        must_change_password: account.must_change_password,
                    });
                    request
                        .extensions_mut()
                        .insert(AccountAccess(Arc::new(port)));
                }
            }
            None => {
                let _ = session.flush().await;
            }
        }
    }
    next.run(request).await
}

/// Records in this session that it now runs under the account's password of `stamp` (after
/// its owner changed the password in it).
pub async fn restamp(session: &Session, stamp: i64) -> Result<(), tower_sessions::session::Error> {
    session.insert(PASSWORD_STAMP, stamp).await
}

/// Refuses state-changing requests that carry the session cookie but come from another site:
/// the `Origin` (or, without it, the `Referer`) must name this host. Together with
/// `SameSite=Lax` cookies this stops cross-site request forgery on every form post and server
/// function. Requests without the cookie (Meta's webhooks, the public signup page's first
/// calls) have nothing to forge.
pub async fn verify_origin(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let has_session = request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(';').any(|c| c.trim().starts_with(SESSION_COOKIE)));
    if safe || !has_session {
        return next.run(request).await;
    }
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let source = request
        .headers()
        .get(header::ORIGIN)
        .or_else(|| request.headers().get(header::REFERER))
        .and_then(|v| v.to_str().ok())
        .and_then(|v| url::Url::parse(v).ok());
    let same_site = source.is_some_and(|url| {
        let authority = match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            _ => String::new(),
        };
        !host.is_empty() && authority.eq_ignore_ascii_case(host)
    });
    if same_site {
        next.run(request).await
    } else {
        tracing::warn!(path = %request.uri().path(), "cross-site request refused");
        (
            StatusCode::FORBIDDEN,
            "This request came from another site and was refused.",
        )
            .into_response()
    }
}
