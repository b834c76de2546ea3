//! `POST /auth/login` and `POST /auth/logout`: form posts that answer with a redirect.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::response::Redirect;
use axum::routing::post;
use axum::{Form, Router};
use secrecy::SecretString;
use serde::Deserialize;
use tower_sessions::Session;

use super::{password, throttle, AuthState, PASSWORD_STAMP, SIGNED_IN_AT, STAFF_ID};
use crate::db::{now_millis, NewAuditEntry};

/// The largest sign-in form accepted (413 beyond): the fields' limits below, with room.
const MAX_FORM_BYTES: usize = 16 * 1024;
/// The longest email address (RFC 5321's path limit) and password tried at sign-in; longer
/// ones are refused before any lookup, hash or audit entry.
const MAX_EMAIL_CHARS: usize = 254;
const MAX_PASSWORD_CHARS: usize = 1024;

pub fn routes(state: AuthState) -> Router {
    Router::new()
        .route("/auth/login", post(login))
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
    let audit = |action: &str, staff_id: Option<i64>| NewAuditEntry {
        staff_id,
        actor: email.clone(),
        action: action.into(),
        target_kind: None,
        target_id: None,
        detail: None,
        ip: Some(peer.ip().to_string()),
    };
    match user {
        Some(user) if matches && !user.disabled => {
            auth.throttle.succeed(attempt);
            // The password this session is opened under (see `identify`).
            let Ok(Some(credentials)) = auth.store.staff_credentials(user.id).await else {
                return login_page("unavailable", &next);
            };
            // A new session id at sign-in: a session id planted before cannot be promoted.
            if session.cycle_id().await.is_err()
                || session.insert(STAFF_ID, user.id).await.is_err()
                || session.insert(SIGNED_IN_AT, now_millis()).await.is_err()
                || session
                    .insert(PASSWORD_STAMP, credentials.password_stamp())
                    .await
                    .is_err()
            {
                return login_page("unavailable", &next);
            }
            let _ = auth.store.record_login(user.id).await;
            let _ = auth
                .store
                .append_audit(&audit("staff.sign_in", Some(user.id)))
                .await;
            // Where they were going; first to their account page when an admin chose this
            // password (until it is replaced nothing else opens: `must_change_first`).
            if credentials.must_change_password {
                Redirect::to(&super::account_page(&next))
            } else {
                Redirect::to(&next)
            }
        }
        _ => {
            // The attempt stays counted.
            drop(attempt);
            let _ = auth
                .store
                .append_audit(&audit("staff.sign_in_failed", None))
                .await;
            login_page("invalid", &next)
        }
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
