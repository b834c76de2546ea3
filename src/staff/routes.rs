//! `POST /auth/login`, `POST /auth/two-factor` and `POST /auth/logout`: form posts that
//! answer with a redirect.
//!
//! An account with two-factor sign-in is not signed in by its password: the password step
//! gives the browser a new session id holding only a pending state (which account, when, under
//! which password), which `super::identify` ignores. The code step must follow in the same
//! browser (the pending state lives in its session) within [`PENDING_TTL_MS`]; only then is
//! the signed-in session opened, under another new id.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::response::Redirect;
use axum::routing::post;
use axum::{Form, Router};
use secrecy::SecretString;
use serde::Deserialize;
use tower_sessions::Session;

use super::two_factor::{Factor, Prover, Refused};
use super::{password, throttle, AuthState, PASSWORD_STAMP, SIGNED_IN_AT, STAFF_ID};
use crate::db::{now_millis, NewAuditEntry, StaffCredentials};

/// The largest sign-in form accepted (413 beyond): the fields' limits below, with room.
const MAX_FORM_BYTES: usize = 16 * 1024;
/// The longest email address (RFC 5321's path limit) and password tried at sign-in; longer
/// ones are refused before any lookup, hash or audit entry.
const MAX_EMAIL_CHARS: usize = 254;
const MAX_PASSWORD_CHARS: usize = 1024;
/// The longest second-factor input looked at (a recovery code is 19 characters).
const MAX_CODE_CHARS: usize = 64;

/// Session keys of a sign-in waiting for its second factor: the account, when its password
/// was proven, and the password stamp it was proven under.
const PENDING_STAFF_ID: &str = "pending_staff_id";
const PENDING_AT: &str = "pending_at";
const PENDING_STAMP: &str = "pending_stamp";
/// How long the second step may take after the password.
pub const PENDING_TTL_MS: i64 = 5 * 60 * 1000;

pub fn routes(state: AuthState) -> Router {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/two-factor", post(second_factor))
        .route("/auth/logout", post(logout))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_FORM_BYTES))
        .with_state(state)
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    #[serde(default)]
    next: Option<String>,
}

/// Only local paths: an open redirect would let a phishing link send staff anywhere.
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(path) if app::staff::port::is_local_path(path) => path,
        _ => "/",
    }
}

fn login_page(error: &str, next: &str) -> Redirect {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("error", error)
        .append_pair("next", next)
        .finish();
    Redirect::to(&format!("/login?{query}"))
}

/// The second step's page, with `error` when the last code was refused.
fn code_page(error: Option<&str>, next: &str) -> Redirect {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if let Some(error) = error {
        query.append_pair("error", error);
    }
    let query = query.append_pair("next", next).finish();
    Redirect::to(&format!("/login/two-factor?{query}"))
}

/// The audit entry of a sign-in event of `email` from `peer`.
fn sign_in_entry(
    action: &str,
    email: &str,
    staff_id: Option<i64>,
    peer: SocketAddr,
    detail: Option<String>,
) -> NewAuditEntry {
    NewAuditEntry {
        staff_id,
        actor: email.to_string(),
        action: action.into(),
        target_kind: None,
        target_id: None,
        detail,
        ip: Some(peer.ip().to_string()),
    }
}

/// Opens the signed-in session of `credentials` (every factor proven): a new session id (a
/// session id planted before cannot be promoted), the account and the password it signed in
/// under; then where the person was going, first to their account page when it asks for
/// something (a password of their own, two-factor set-up; see `super::identify`).
async fn open_session(
    auth: &AuthState,
    session: &Session,
    credentials: &StaffCredentials,
    peer: SocketAddr,
    factor: Option<Factor>,
    next: &str,
) -> Redirect {
    let user = &credentials.user;
    if session.cycle_id().await.is_err()
        || session.insert(STAFF_ID, user.id).await.is_err()
        || session.insert(SIGNED_IN_AT, now_millis()).await.is_err()
        || session
            .insert(PASSWORD_STAMP, credentials.password_stamp())
            .await
            .is_err()
    {
        return login_page("unavailable", next);
    }
    let _ = auth.store.record_login(user.id).await;
    let detail = factor.map(|f| format!("{{\"second_factor\":\"{}\"}}", f.as_str()));
    let _ = auth
        .store
        .append_audit(&sign_in_entry(
            "staff.sign_in",
            &user.email,
            Some(user.id),
            peer,
            detail,
        ))
        .await;
    let enroll_first = factor.is_none() && auth.two_factor.required().await;
    if credentials.must_change_password || enroll_first {
        Redirect::to(&super::account_page(next))
    } else {
        Redirect::to(next)
    }
}

/// Forgets a pending second step that succeeded (the session goes on, signed in).
async fn forget_pending(session: &Session) {
    for key in [PENDING_STAFF_ID, PENDING_AT, PENDING_STAMP] {
        let _ = session.remove_value(key).await;
    }
}

async fn login(
    State(auth): State<AuthState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    session: Session,
    Form(form): Form<LoginForm>,
) -> Redirect {
    let next = safe_next(form.next.as_deref()).to_string();
    if form.email.chars().count() > MAX_EMAIL_CHARS
        || form.password.chars().count() > MAX_PASSWORD_CHARS
    {
        return login_page("invalid", &next);
    }
    let email = form.email.trim().to_lowercase();
    let keys = throttle::password_keys(&email, Some(peer.ip()));
    // Counted before the (slow) verification, so concurrent guesses cannot all get through.
    let attempt = match auth.throttle.begin(&keys) {
        Ok(attempt) => attempt,
        Err(wait) => {
            let minutes = throttle::wait_minutes(wait);
            return login_page(&format!("throttled:{minutes}"), &next);
        }
    };
    let user = auth.store.staff_user_by_email(&email).await.ok().flatten();
    let password = SecretString::from(form.password);
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    let matches = password::verify_bounded(password, hash).await;
    match user {
        Some(user) if matches && !user.disabled => {
            auth.throttle.succeed(attempt);
            // The password this session is opened under (see `identify`).
            let Ok(Some(credentials)) = auth.store.staff_credentials(user.id).await else {
                return login_page("unavailable", &next);
            };
            match auth.two_factor.enabled(user.id).await {
                Ok(false) => open_session(&auth, &session, &credentials, peer, None, &next).await,
                Ok(true) => {
                    // Not signed in yet: a new id holding only the pending step (whatever this
                    // browser's session held before is gone).
                    session.clear().await;
                    if session.cycle_id().await.is_err()
                        || session.insert(PENDING_STAFF_ID, user.id).await.is_err()
                        || session.insert(PENDING_AT, now_millis()).await.is_err()
                        || session
                            .insert(PENDING_STAMP, credentials.password_stamp())
                            .await
                            .is_err()
                    {
                        return login_page("unavailable", &next);
                    }
                    code_page(None, &next)
                }
                Err(_) => login_page("unavailable", &next),
            }
        }
        _ => {
            // The attempt stays counted.
            drop(attempt);
            let _ = auth
                .store
                .append_audit(&sign_in_entry(
                    "staff.sign_in_failed",
                    &email,
                    None,
                    peer,
                    None,
                ))
                .await;
            login_page("invalid", &next)
        }
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    code: String,
    #[serde(default)]
    next: Option<String>,
}

/// The second step of sign-in: a TOTP code or a recovery code for the account whose password
/// this browser proved in the last [`PENDING_TTL_MS`], under the password it still has.
async fn second_factor(
    State(auth): State<AuthState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    session: Session,
    Form(form): Form<CodeForm>,
) -> Redirect {
    let next = safe_next(form.next.as_deref()).to_string();
    let read = |key: &'static str| {
        let session = session.clone();
        async move { session.get::<i64>(key).await.ok().flatten() }
    };
    let (Some(id), Some(at), Some(stamp)) = (
        read(PENDING_STAFF_ID).await,
        read(PENDING_AT).await,
        read(PENDING_STAMP).await,
    ) else {
        return login_page("expired", &next);
    };
    if now_millis() - at > PENDING_TTL_MS {
        // Nothing else is in a pending session: it ends, with its cookie.
        let _ = session.flush().await;
        return login_page("expired", &next);
    }
    let credentials = match auth.store.staff_credentials(id).await {
        Ok(Some(c)) if !c.user.disabled && c.password_stamp() == stamp => c,
        Ok(_) => {
            let _ = session.flush().await;
            return login_page("expired", &next);
        }
        Err(_) => return code_page(Some("unavailable"), &next),
    };
    if form.code.chars().count() > MAX_CODE_CHARS {
        return code_page(Some("invalid"), &next);
    }
    let who = Prover {
        staff_id: id,
        email: &credentials.user.email,
        ip: Some(peer.ip()),
    };
    match auth.two_factor.prove(&who, form.code.trim()).await {
        Ok(factor) => {
            forget_pending(&session).await;
            open_session(&auth, &session, &credentials, peer, Some(factor), &next).await
        }
        Err(Refused::Throttled(wait)) => {
            let minutes = throttle::wait_minutes(wait);
            code_page(Some(&format!("throttled:{minutes}")), &next)
        }
        Err(Refused::Wrong) => code_page(Some("invalid"), &next),
    }
}

async fn logout(
    State(auth): State<AuthState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    session: Session,
) -> Redirect {
    if let Ok(Some(id)) = session.get::<i64>(STAFF_ID).await {
        if let Ok(Some(user)) = auth.store.staff_user_by_id(id).await {
            let _ = auth
                .store
                .append_audit(&NewAuditEntry {
                    staff_id: Some(id),
                    actor: user.email,
                    action: "staff.sign_out".into(),
                    target_kind: None,
                    target_id: None,
                    detail: None,
                    ip: Some(peer.ip().to_string()),
                })
                .await;
        }
    }
    // flush: deletes the stored session and clears the cookie.
    let _ = session.flush().await;
    Redirect::to("/login?signed_out=1")
}
