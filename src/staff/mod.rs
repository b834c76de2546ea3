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
pub mod totp;
pub mod two_factor;

use std::net::SocketAddr;
use std::sync::Arc;

use app::staff::port::{AccountAccess, StaffIdentity, StaffRole};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use crate::db::now_millis;

/// The stores this module reads and writes.
pub trait Stores:
    crate::db::StaffStore + crate::db::SessionStore + crate::db::AuditStore + crate::db::MailStore
{
}
impl<
        T: crate::db::StaffStore
            + crate::db::SessionStore
            + crate::db::AuditStore
            + crate::db::MailStore,
    > Stores for T
{
}

/// Session keys. (`staff_id` is also read by SQL: `crate::db::accounts` finds an account's
/// sessions by it.)
const STAFF_ID: &str = "staff_id";
const SIGNED_IN_AT: &str = "signed_in_at";
/// The account's password stamp when this session signed in (or last changed the password):
/// a session opened under an older password is signed out.
const PASSWORD_STAMP: &str = "password_stamp";
/// When this session's idle timeout was last renewed (Unix millis).
const SEEN_AT: &str = "seen_at";
/// A request renews the idle timeout (saves the session, with a fresh expiry in the store and
/// on the cookie) when the last renewal is at least this old: the timeout slides with
/// activity, at one write a minute at most however often the pages poll.
const RENEW_EVERY_MS: i64 = 60_000;

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
    /// Second factors, with the same throttle.
    pub two_factor: Arc<two_factor::TwoFactor>,
}

/// Puts the signed-in staff member (if any) into the request's extensions, with the
/// [`AccountAccess`] their own-account server functions use. A disabled account, a session
/// past its absolute lifetime, or one opened under a password changed since, is signed out
/// here. An account that must first choose its own password, or set up two-factor sign-in
/// (an admin requires it of everyone), reaches only its account page ([`first_things_first`]).
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
        let seen_at = read(SEEN_AT).await;
        let user = if now_millis() - signed_in_at > ABSOLUTE_TIMEOUT_MS {
            None
        } else {
            auth.store.staff_credentials(id).await.ok().flatten()
        };
        match user.filter(|u| !u.user.disabled && u.password_stamp() == stamp) {
            Some(account) => {
                // tower-sessions saves (and so extends) a session only when it changed: mark it
                // changed now and then, or it would end 60 minutes after sign-in.
                let now = now_millis();
                if now - seen_at >= RENEW_EVERY_MS {
                    let _ = session.insert(SEEN_AT, now).await;
                }
                // Asked only when the password does not already hold the account back.
                let enroll_first = !account.must_change_password
                    && auth.two_factor.required().await
                    && !matches!(auth.two_factor.enabled(account.user.id).await, Ok(true));
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
                        must_enroll_two_factor: enroll_first,
                        ip: ip.map(|ip| ip.to_string()),
                    });
                    request
                        .extensions_mut()
                        .insert(AccountAccess(Arc::new(port)));
                    let first = if account.must_change_password {
                        Some(FirstThing::OwnPassword)
                    } else if enroll_first {
                        Some(FirstThing::TwoFactor)
                    } else {
                        None
                    };
                    if let Some(refusal) = first.and_then(|t| first_things_first(&request, t)) {
                        return refusal;
                    }
                }
            }
            None => {
                let _ = session.flush().await;
            }
        }
    }
    next.run(request).await
}

/// Server functions an account held back by a [`FirstThing`] may call: the account page's
/// (its password and its two-factor set-up), and the public signup page's (`/api/signup_…`).
const OPEN_UNTIL_DONE: [&str; 6] = [
    "/api/whoami",
    "/api/account_info",
    "/api/change_password",
    "/api/two_factor_status",
    "/api/two_factor_begin",
    "/api/two_factor_confirm",
];
/// The staff dashboard's pages, which send such an account to its page first.
const STAFF_PAGES: [&str; 5] = ["/wabas", "/audit", "/inbox", "/operations", "/settings"];

/// What an account must do on its page before anything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FirstThing {
    /// Replace the password an admin set (someone else has seen it).
    OwnPassword,
    /// Set up two-factor sign-in, which an admin requires of everyone.
    TwoFactor,
}

impl FirstThing {
    fn message(self) -> &'static str {
        match self {
            FirstThing::OwnPassword => {
                "Choose your own password on My account first: an admin set the one you signed \
                 in with."
            }
            FirstThing::TwoFactor => {
                "Set up two-factor sign-in on My account first: an admin requires it for every \
                 account."
            }
        }
    }
}

/// Until its owner has done `first` on the account page, the account reaches only that page,
/// what it needs, and signing out: other server functions and the CSV export answer 403,
/// dashboard pages send it to `/account?next=…`.
fn first_things_first(request: &Request, first: FirstThing) -> Option<Response> {
    let path = request.uri().path();
    if path.starts_with("/api/") {
        if OPEN_UNTIL_DONE.contains(&path) || path.starts_with("/api/signup_") {
            return None;
        }
        let error = app::error::AppError::Invalid(first.message().into());
        let body = serde_json::to_string(&error).unwrap_or_default();
        return Some(
            (
                StatusCode::FORBIDDEN,
                [(header::CONTENT_TYPE, "application/json")],
                body,
            )
                .into_response(),
        );
    }
    if path == "/wabas.csv" {
        return Some((StatusCode::FORBIDDEN, first.message()).into_response());
    }
    let staff_page = path == "/"
        || STAFF_PAGES
            .iter()
            .any(|page| path == *page || path.starts_with(&format!("{page}/")));
    if staff_page && request.method() == Method::GET {
        let wanted = request.uri().path_and_query().map_or(path, |p| p.as_str());
        return Some(Redirect::to(&account_page(wanted)).into_response());
    }
    None
}

/// The account page, with the way on to `next` once the password is changed.
pub fn account_page(next: &str) -> String {
    match next {
        "/" | "" | "/account" => "/account".into(),
        next => format!("/account?next={}", app::wabas::port::percent_encode(next)),
    }
}

/// Records in this session that it now runs under the account's password of `stamp` (after
/// its owner changed the password in it).
pub async fn restamp(session: &Session, stamp: i64) -> Result<(), tower_sessions::session::Error> {
    session.insert(PASSWORD_STAMP, stamp).await
}

/// What [`verify_origin`] compares a request's `Origin` with: the scheme people reach the
/// portal with (`https` behind a TLS-terminating proxy, whatever the proxy speaks to us).
#[derive(Clone)]
pub struct OriginPolicy {
    pub scheme: &'static str,
}

/// Paths that need a same-site `Origin` even without a session cookie: signing in from a
/// foreign page would put the browser into an account the attacker chose (login CSRF).
const ALWAYS_CHECKED: [&str; 3] = ["/auth/login", "/auth/two-factor", "/auth/logout"];

/// Refuses state-changing requests that carry the session cookie (or sign in or out) but come
/// from another site: the `Origin` (or, without it, the `Referer`) must name this scheme and
/// host. Together with `SameSite=Lax` cookies this stops cross-site request forgery on every
/// form post and server function. Other requests without the cookie (Meta's webhooks, the
/// public signup page's calls) have nothing to forge.
pub async fn verify_origin(
    State(policy): State<OriginPolicy>,
    request: Request,
    next: Next,
) -> Response {
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
    let always = ALWAYS_CHECKED.contains(&request.uri().path());
    if safe || !(has_session || always) {
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
        url.scheme() == policy.scheme && !host.is_empty() && authority.eq_ignore_ascii_case(host)
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
