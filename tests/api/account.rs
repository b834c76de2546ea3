//! Staff change their own password, over real HTTP against an in-process sandbox portal, on
//! SQLite and on PostgreSQL: the current password is proven (and wrong guesses throttled like
//! sign-ins), the new one follows the policy, the session that asked survives under a new id
//! while every other session of the account ends, and an admin-chosen password is flagged
//! until its owner replaces it.

use crate::support;
use mm_portal::db::prelude::*;

use mm_portal::db::Role;
use mm_portal::staff::throttle::MAX_FAILURES;

use crate::support::{create_staff as create, SandboxPortal, StaffClient as Staff};

const NEW_PASSWORD: &str = "four random words, mine alone";

/// Signs in with `password`: where the portal sent the browser, and the client of the new
/// session when it opened one.
async fn sign_in(base: &str, email: &str, password: &str) -> (String, Option<Staff>) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = http
        .post(format!("{base}auth/login"))
        .header("origin", base.trim_end_matches('/'))
        .form(&[("email", email), ("password", password), ("next", "/wabas")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap().to_string();
    let cookie = session_cookie(&response);
    let client = cookie.map(|cookie| Staff {
        http,
        base: base.to_string(),
        cookie,
    });
    (location, client)
}

/// The `mm_session=…` pair a response sets, if any.
fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("mm_session=") && !v.starts_with("mm_session=;"))
        .map(|v| v.split(';').next().unwrap().to_string())
}

fn change<'a>(current: &'a str, new: &'a str, confirm: &'a str) -> [(&'a str, &'a str); 3] {
    [
        ("current_password", current),
        ("new_password", new),
        ("confirm_password", confirm),
    ]
}

/// The JSON string a server function answered with.
fn text(body: &str) -> String {
    serde_json::from_str(body).unwrap_or_else(|_| panic!("not a JSON string: {body}"))
}

async fn who(staff: &Staff) -> serde_json::Value {
    let (status, body) = staff.post("api/whoami", &[]).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

async fn sessions(portal: &SandboxPortal) -> i64 {
    support::count(
        &portal.portal.database,
        "SELECT COUNT(*) FROM staff_sessions",
    )
    .await
}

async fn staff_change_their_own_password(portal: SandboxPortal) {
    let base = portal.portal.url.to_string();
    create(&portal, "boss@partner.test", Role::Admin).await;
    create(&portal, "op@partner.test", Role::Operator).await;
    let admin = Staff::sign_in(&base, "boss@partner.test").await;
    let operator = Staff::sign_in(&base, "op@partner.test").await;

    // Nobody signed in, nothing to change; a cross-site post is refused before the handler.
    let anonymous = reqwest::Client::new()
        .post(format!("{base}api/change_password"))
        .form(&change("x", NEW_PASSWORD, NEW_PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let forged = operator
        .http
        .post(format!("{base}api/change_password"))
        .header("cookie", &operator.cookie)
        .header("origin", "https://evil.example")
        .form(&change(support::STAFF_PASSWORD, NEW_PASSWORD, NEW_PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);

    // An account an admin creates is asked, once signed in, for a password of its own.
    let (status, body) = admin
        .post(
            "api/create_staff",
            &[
                ("email", "ada@partner.test"),
                ("name", "Ada"),
                ("role", "viewer"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let initial = text(&body);
    let (location, here) = sign_in(&base, "ada@partner.test", &initial).await;
    assert_eq!(location, "/account?next=%2Fwabas", "its own page first");
    let here = here.expect("signed in");
    assert_eq!(who(&here).await["must_change_password"], true);
    let (status, info) = here.post("api/account_info", &[]).await;
    assert_eq!(status, 200, "{info}");
    let info: serde_json::Value = serde_json::from_str(&info).unwrap();
    assert_eq!(info["email"], "ada@partner.test");
    assert_eq!(info["role"], "viewer");
    assert_eq!(info["must_change_password"], true);
    assert!(info["password_changed_at"].is_null());
    assert!(!info.to_string().contains("argon2"));
    // Accounts made with `mm-portal admin create` chose their own password.
    assert_eq!(who(&operator).await["must_change_password"], false);
    // Ada is signed in elsewhere too.
    let (_, elsewhere) = sign_in(&base, "ada@partner.test", &initial).await;
    let elsewhere = elsewhere.expect("signed in");
    assert_eq!(who(&elsewhere).await["email"], "ada@partner.test");
    let open_sessions = sessions(&portal).await;
    assert_eq!(open_sessions, 4, "admin, operator and Ada twice");

    // The policy, with messages that name the field; none of this counts as a guess.
    for (current, new, confirm, expected) in [
        (
            "",
            NEW_PASSWORD,
            NEW_PASSWORD,
            "Enter your current password.",
        ),
        (
            initial.as_str(),
            "too short",
            "too short",
            "The new password must have at least 12 characters.",
        ),
        (
            initial.as_str(),
            "ADA@partner.test",
            "ADA@partner.test",
            "The new password must not be your email address.",
        ),
        (
            initial.as_str(),
            initial.as_str(),
            initial.as_str(),
            "The new password must differ from the current one.",
        ),
        (
            initial.as_str(),
            NEW_PASSWORD,
            "four random words, mine",
            "The confirmation does not match the new password",
        ),
    ] {
        let (status, body) = here
            .post("api/change_password", &change(current, new, confirm))
            .await;
        assert_eq!(status, 400, "{body}");
        assert!(body.contains(expected), "{expected}: {body}");
    }
    // A wrong current password is refused plainly.
    let (status, body) = here
        .post(
            "api/change_password",
            &change("a wrong guess at it", NEW_PASSWORD, NEW_PASSWORD),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("The current password is not correct."),
        "{body}"
    );

    // The change: this session goes on under a new id, the other one ends.
    let response = here
        .http
        .post(format!("{base}api/change_password"))
        .header("cookie", &here.cookie)
        .header("origin", base.trim_end_matches('/'))
        .form(&change(&initial, NEW_PASSWORD, NEW_PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let renewed = Staff {
        http: here.http.clone(),
        base: base.clone(),
        cookie: session_cookie(&response).expect("a new session id"),
    };
    assert_ne!(renewed.cookie, here.cookie);
    let message = text(&response.text().await.unwrap());
    assert_eq!(
        message,
        "Your password was changed. You stay signed in here; \
         1 other session of your account was signed out."
    );
    let me = who(&renewed).await;
    assert_eq!(me["email"], "ada@partner.test");
    assert_eq!(me["must_change_password"], false);
    assert!(
        who(&here).await.is_null(),
        "the old session id is worthless"
    );
    assert!(who(&elsewhere).await.is_null(), "the other session ended");
    assert_eq!(sessions(&portal).await, open_sessions - 1);
    assert_eq!(who(&operator).await["email"], "op@partner.test");
    assert_eq!(who(&admin).await["email"], "boss@partner.test");
    let (_, info) = renewed.post("api/account_info", &[]).await;
    let info: serde_json::Value = serde_json::from_str(&info).unwrap();
    assert_eq!(info["must_change_password"], false);
    assert!(info["password_changed_at"].as_i64().unwrap() > 0);

    // The old password no longer signs in; the new one does.
    let (location, refused) = sign_in(&base, "ada@partner.test", &initial).await;
    assert!(location.starts_with("/login?error=invalid"), "{location}");
    assert!(refused.is_none());
    let (location, _) = sign_in(&base, "ada@partner.test", NEW_PASSWORD).await;
    assert_eq!(location, "/wabas");

    // The audit trail has the change and the refused guess, and no password at all.
    let audit = portal
        .portal
        .database
        .store
        .list_audit(None, 100)
        .await
        .unwrap();
    let changed = audit
        .iter()
        .find(|e| e.action == "staff.change_own_password")
        .expect("the change is audited");
    assert_eq!(changed.actor, "ada@partner.test");
    assert_eq!(changed.target_id.as_deref(), Some("ada@partner.test"));
    assert_eq!(
        changed.detail.as_deref(),
        Some("{\"other_sessions_signed_out\":1}")
    );
    assert!(changed.ip.is_some());
    let refused = |e: &&mm_portal::db::AuditEntry| e.action == "staff.change_own_password_refused";
    assert_eq!(
        audit.iter().find(refused).map(|e| e.actor.as_str()),
        Some("ada@partner.test")
    );
    let logged = format!("{audit:?}");
    for secret in [initial.as_str(), NEW_PASSWORD, "a wrong guess at it"] {
        assert!(!logged.contains(secret), "a password in the audit log");
    }

    // An admin's reset signs the account out everywhere and flags it again.
    let (_, list) = admin.post("api/staff_accounts", &[]).await;
    let accounts: Vec<serde_json::Value> = serde_json::from_str(&list).unwrap();
    let ada = accounts
        .iter()
        .find(|a| a["email"] == "ada@partner.test")
        .unwrap()["id"]
        .to_string();
    let (status, body) = admin
        .post("api/reset_staff_password", &[("id", &ada)])
        .await;
    assert_eq!(status, 200, "{body}");
    let fresh = text(&body);
    assert!(who(&renewed).await.is_null(), "a reset ends every session");
    let (location, again) = sign_in(&base, "ada@partner.test", &fresh).await;
    assert_eq!(location, "/account?next=%2Fwabas");
    assert_eq!(
        who(&again.unwrap()).await["must_change_password"],
        true,
        "flagged again"
    );

    portal.portal.shutdown().await;
}

/// Wrong current passwords count against the account's sign-in throttle: after five, neither
/// the form nor the sign-in page accepts the account's password for a while.
async fn wrong_current_passwords_are_throttled(portal: SandboxPortal) {
    let base = portal.portal.url.to_string();
    create(&portal, "locked@partner.test", Role::Operator).await;
    create(&portal, "other@partner.test", Role::Viewer).await;
    let locked = Staff::sign_in(&base, "locked@partner.test").await;
    for n in 1..MAX_FAILURES {
        let guess = format!("wrong guess number {n}");
        let (status, body) = locked
            .post(
                "api/change_password",
                &change(&guess, NEW_PASSWORD, NEW_PASSWORD),
            )
            .await;
        assert_eq!(status, 400);
        assert!(body.contains("not correct"), "{body}");
    }
    let (status, body) = locked
        .post(
            "api/change_password",
            &change("the last wrong guess", NEW_PASSWORD, NEW_PASSWORD),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        body.contains("Too many wrong passwords for this account")
            && body.contains("try again in 15 minutes"),
        "{body}"
    );
    // Even the right password is not tried now, here or at sign-in.
    let (status, body) = locked
        .post(
            "api/change_password",
            &change(support::STAFF_PASSWORD, NEW_PASSWORD, NEW_PASSWORD),
        )
        .await;
    assert_eq!(status, 400);
    assert!(body.contains("Too many wrong passwords"), "{body}");
    let (location, _) = sign_in(&base, "locked@partner.test", support::STAFF_PASSWORD).await;
    assert!(location.starts_with("/login?error=throttled"), "{location}");
    // The password did not change, the session goes on, and other accounts are not locked.
    assert_eq!(who(&locked).await["email"], "locked@partner.test");
    Staff::sign_in(&base, "other@partner.test").await;
    portal.portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_staff_change_their_own_password() {
    staff_change_their_own_password(support::sandbox_portal().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_staff_change_their_own_password() {
    let url = support::fresh_postgres_url().await;
    staff_change_their_own_password(support::sandbox_portal_with(&["--database-url", &url]).await)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_wrong_current_passwords_are_throttled() {
    wrong_current_passwords_are_throttled(support::sandbox_portal().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_wrong_current_passwords_are_throttled() {
    let url = support::fresh_postgres_url().await;
    wrong_current_passwords_are_throttled(
        support::sandbox_portal_with(&["--database-url", &url]).await,
    )
    .await;
}
