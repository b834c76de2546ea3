//! Two-factor sign-in for staff (issue 16, item 8): set up on the account page with a TOTP
//! secret and recovery codes, a second sign-in step that opens the session only after the
//! code, counted by the sign-in throttle, bound to the browser and short-lived; codes and
//! recovery codes that work once; an admin rule that holds accounts without it back; turning
//! it off. Over real HTTP against in-process sandbox portals.

use crate::support::{self, create_staff as create, SandboxPortal, StaffClient as Staff};
use mm_portal::db::prelude::*;
use mm_portal::db::{self, Role};
use mm_portal::staff::throttle::MAX_FAILURES;
use mm_portal::staff::totp;
use secrecy::SecretString;

/// An account's authenticator app: its secret and the account it is for.
struct App {
    secret: SecretString,
    email: String,
}

impl App {
    /// The code shown `offset` seconds from now.
    fn code(&self, offset: i64) -> String {
        let totp = totp::totp(&self.secret, &self.email).unwrap();
        totp.generate((totp::now_secs() as i64 + offset) as u64)
    }
}

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {body}"))
}

/// Sets up two-factor sign-in for the signed-in `staff` (confirmed with the code of the step
/// before the current one, so that the current and the next step remain to sign in with);
/// returns the app and the recovery codes.
async fn enrol(staff: &Staff, email: &str) -> (App, Vec<String>) {
    let (status, body) = staff.post("api/two_factor_begin", &[]).await;
    assert_eq!(status, 200, "{body}");
    let started = json(&body);
    let secret = started["secret"].as_str().unwrap().to_string();
    let uri = started["uri"].as_str().unwrap();
    assert!(
        uri.starts_with("otpauth://totp/") && uri.contains(&secret),
        "{uri}"
    );
    assert!(started["qr_svg"].as_str().unwrap().starts_with("<svg"));
    let app = App {
        secret: SecretString::from(secret),
        email: email.to_string(),
    };
    let (status, body) = staff
        .post("api/two_factor_confirm", &[("code", &app.code(-30))])
        .await;
    assert_eq!(status, 200, "{body}");
    let codes: Vec<String> = serde_json::from_str(&body).unwrap();
    assert_eq!(codes.len(), 10);
    (app, codes)
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_string()
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

/// The password step: where it sent the browser, and the browser (with the session cookie it
/// got, if any).
async fn password_step(base: &str, email: &str) -> (String, Staff) {
    let http = client();
    let response = http
        .post(format!("{base}auth/login"))
        .header("origin", base.trim_end_matches('/'))
        .form(&[
            ("email", email),
            ("password", support::STAFF_PASSWORD),
            ("next", "/wabas"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let cookie = session_cookie(&response).unwrap_or_default();
    let browser = Staff {
        http,
        base: base.to_string(),
        cookie,
    };
    (location(&response), browser)
}

/// The code step in `browser`: where it went, and the signed-in browser when it opened a
/// session.
async fn code_step(browser: &Staff, code: &str) -> (String, Option<Staff>) {
    let response = browser
        .http
        .post(format!("{}auth/two-factor", browser.base))
        .header("cookie", &browser.cookie)
        .header("origin", browser.base.trim_end_matches('/'))
        .form(&[("code", code), ("next", "/wabas")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let signed_in = session_cookie(&response).map(|cookie| Staff {
        http: client(),
        base: browser.base.clone(),
        cookie,
    });
    (location(&response), signed_in)
}

/// Both steps; the signed-in browser.
async fn sign_in(base: &str, email: &str, code: &str) -> Staff {
    let (to, browser) = password_step(base, email).await;
    assert_eq!(to, "/login/two-factor?next=%2Fwabas");
    let (to, staff) = code_step(&browser, code).await;
    assert_eq!(to, "/wabas");
    staff.unwrap()
}

async fn whoami(staff: &Staff) -> serde_json::Value {
    let (status, body) = staff.post("api/whoami", &[]).await;
    assert_eq!(status, 200, "{body}");
    json(&body)
}

async fn audit_actions(portal: &SandboxPortal) -> Vec<(String, Option<String>, Option<String>)> {
    portal
        .portal
        .database
        .store
        .list_audit(None, 500)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.detail, e.ip))
        .collect()
}

async fn sign_in_asks_for_a_code_after_the_password(portal: SandboxPortal) {
    let base = portal.portal.url.to_string();
    create(&portal, "two@partner.test", Role::Operator).await;
    let staff = Staff::sign_in(&base, "two@partner.test").await;
    let (status, body) = staff.post("api/two_factor_status", &[]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["enabled"], false);
    let (app, _) = enrol(&staff, "two@partner.test").await;
    let (_, body) = staff.post("api/two_factor_status", &[]).await;
    assert_eq!(json(&body)["enabled"], true);
    assert_eq!(json(&body)["recovery_codes_left"], 10);
    // The secret is sealed at rest: no column holds it.
    let secret = secrecy::ExposeSecret::expose_secret(&app.secret).to_string();
    let rows = support::count(
        &portal.portal.database,
        &format!("SELECT COUNT(*) FROM staff_two_factor WHERE key_id LIKE '%{secret}%'"),
    )
    .await;
    assert_eq!(rows, 0);

    // The password alone opens nothing: the browser holds only a pending step.
    let (to, pending) = password_step(&base, "two@partner.test").await;
    assert_eq!(to, "/login/two-factor?next=%2Fwabas");
    assert_eq!(whoami(&pending).await, serde_json::Value::Null);
    let (status, _) = pending.post("api/dashboard_overview", &[]).await;
    assert_eq!(status, 401);
    assert_eq!(pending.get("wabas.csv").await.status(), 401);
    // With the code, a session under yet another id.
    let (to, staff) = code_step(&pending, &app.code(0)).await;
    assert_eq!(to, "/wabas");
    let staff = staff.unwrap();
    assert_ne!(staff.cookie, pending.cookie);
    assert_eq!(whoami(&staff).await["email"], "two@partner.test");
    let (status, _) = staff.post("api/dashboard_overview", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(whoami(&pending).await, serde_json::Value::Null);

    let audit = audit_actions(&portal).await;
    assert!(audit
        .iter()
        .any(|(a, _, ip)| a == "staff.two_factor_enabled" && ip.as_deref() == Some("127.0.0.1")));
    assert!(audit
        .iter()
        .any(|(a, d, _)| a == "staff.sign_in"
            && d.as_deref() == Some("{\"second_factor\":\"code\"}")));
    for (action, detail, _) in &audit {
        let detail = detail.clone().unwrap_or_default();
        assert!(!action.contains(&secret) && !detail.contains(&secret));
    }
    portal.portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_sign_in_asks_for_a_code_after_the_password() {
    sign_in_asks_for_a_code_after_the_password(support::sandbox_portal().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_sign_in_asks_for_a_code_after_the_password() {
    let url = support::fresh_postgres_url().await;
    sign_in_asks_for_a_code_after_the_password(
        support::sandbox_portal_with(&["--database-url", &url]).await,
    )
    .await;
}

/// A 6-digit code that is not `code`.
fn wrong(code: &str) -> String {
    let first = code.as_bytes()[0] - b'0';
    format!("{}{}", (first + 1) % 10, &code[1..])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_codes_count_in_the_sign_in_throttle() {
    let portal = support::sandbox_portal().await;
    let base = portal.portal.url.to_string();
    create(&portal, "guess@partner.test", Role::Viewer).await;
    let (app, _) = enrol(
        &Staff::sign_in(&base, "guess@partner.test").await,
        "guess@partner.test",
    )
    .await;
    let (_, pending) = password_step(&base, "guess@partner.test").await;
    for _ in 0..MAX_FAILURES {
        let (to, staff) = code_step(&pending, &wrong(&app.code(0))).await;
        assert_eq!(to, "/login/two-factor?error=invalid&next=%2Fwabas");
        assert!(staff.is_none());
    }
    // Locked now: even the right code is not tried, and neither is the password.
    let (to, staff) = code_step(&pending, &app.code(0)).await;
    assert!(
        to.starts_with("/login/two-factor?error=throttled%3A"),
        "{to}"
    );
    assert!(staff.is_none());
    let (to, _) = password_step(&base, "guess@partner.test").await;
    assert!(to.starts_with("/login?error=throttled"), "{to}");
    let failed = audit_actions(&portal)
        .await
        .into_iter()
        .filter(|(a, _, ip)| a == "staff.two_factor_failed" && ip.as_deref() == Some("127.0.0.1"))
        .count();
    assert_eq!(failed, MAX_FAILURES);
    portal.portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_is_accepted_once() {
    let portal = support::sandbox_portal().await;
    let base = portal.portal.url.to_string();
    create(&portal, "once@partner.test", Role::Viewer).await;
    let (app, _) = enrol(
        &Staff::sign_in(&base, "once@partner.test").await,
        "once@partner.test",
    )
    .await;
    let code = app.code(0);
    sign_in(&base, "once@partner.test", &code).await;
    // Replayed in another browser within its window: refused; so is the older enrolment code.
    let (_, other) = password_step(&base, "once@partner.test").await;
    let (to, staff) = code_step(&other, &code).await;
    assert_eq!(to, "/login/two-factor?error=invalid&next=%2Fwabas");
    assert!(staff.is_none());
    let (to, _) = code_step(&other, &app.code(-30)).await;
    assert_eq!(to, "/login/two-factor?error=invalid&next=%2Fwabas");
    // The next step's code still works.
    let (to, staff) = code_step(&other, &app.code(30)).await;
    assert_eq!(to, "/wabas");
    assert!(staff.is_some());
    portal.portal.shutdown().await;
}

async fn a_recovery_code_signs_in_once(portal: SandboxPortal) {
    let base = portal.portal.url.to_string();
    create(&portal, "lost@partner.test", Role::Viewer).await;
    let staff = Staff::sign_in(&base, "lost@partner.test").await;
    let (app, codes) = enrol(&staff, "lost@partner.test").await;
    // As typed from paper: upper case, spaces for dashes.
    let typed = codes[0].to_uppercase().replace('-', " ");
    let signed_in = sign_in(&base, "lost@partner.test", &typed).await;
    let (_, body) = signed_in.post("api/two_factor_status", &[]).await;
    assert_eq!(json(&body)["recovery_codes_left"], 9);
    let (_, again) = password_step(&base, "lost@partner.test").await;
    let (to, _) = code_step(&again, &codes[0]).await;
    assert_eq!(to, "/login/two-factor?error=invalid&next=%2Fwabas");
    assert!(audit_actions(&portal)
        .await
        .iter()
        .any(|(a, d, _)| a == "staff.two_factor_recovery_used"
            && d.as_deref() == Some("{\"recovery_codes_left\":9}")));
    // New codes replace the old ones (a current code needed).
    let (status, _) = signed_in
        .post("api/two_factor_recovery_codes", &[("code", "000000x")])
        .await;
    assert_eq!(status, 400);
    let (status, body) = signed_in
        .post("api/two_factor_recovery_codes", &[("code", &app.code(0))])
        .await;
    assert_eq!(status, 200, "{body}");
    let fresh: Vec<String> = serde_json::from_str(&body).unwrap();
    assert_eq!(fresh.len(), 10);
    let (to, _) = code_step(&again, &codes[1]).await;
    assert_eq!(to, "/login/two-factor?error=invalid&next=%2Fwabas");
    let (to, staff) = code_step(&again, &fresh[0]).await;
    assert_eq!(to, "/wabas");
    assert!(staff.is_some());
    portal.portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_recovery_code_signs_in_once() {
    a_recovery_code_signs_in_once(support::sandbox_portal().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_recovery_code_signs_in_once() {
    let url = support::fresh_postgres_url().await;
    a_recovery_code_signs_in_once(support::sandbox_portal_with(&["--database-url", &url]).await)
        .await;
}

fn sqlite(portal: &SandboxPortal) -> &sqlx::SqlitePool {
    match &portal.portal.database.pool {
        db::Pool::Sqlite(pool) => pool,
        db::Pool::Postgres(_) => unreachable!("a SQLite portal"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_second_step_expires_and_stays_in_its_browser() {
    let portal = support::sandbox_portal().await;
    let base = portal.portal.url.to_string();
    create(&portal, "slow@partner.test", Role::Viewer).await;
    let (app, _) = enrol(
        &Staff::sign_in(&base, "slow@partner.test").await,
        "slow@partner.test",
    )
    .await;
    let (_, pending) = password_step(&base, "slow@partner.test").await;
    // Another browser (no cookie, or another session's) cannot finish it.
    let stranger = Staff {
        http: client(),
        base: base.clone(),
        cookie: String::new(),
    };
    let (to, staff) = code_step(&stranger, &app.code(0)).await;
    assert_eq!(to, "/login?error=expired&next=%2Fwabas");
    assert!(staff.is_none());
    // Six minutes later the step has expired, right code or not.
    sqlx::query(
        "UPDATE staff_sessions SET data = json_set(data, '$.pending_at', $1)
         WHERE json_extract(data, '$.pending_staff_id') IS NOT NULL",
    )
    .bind(db::now_millis() - 6 * 60 * 1000)
    .execute(sqlite(&portal))
    .await
    .unwrap();
    let (to, staff) = code_step(&pending, &app.code(0)).await;
    assert_eq!(to, "/login?error=expired&next=%2Fwabas");
    assert!(staff.is_none());
    // And it is gone: the code is still unused, so a fresh sign-in takes it.
    let (to, _) = code_step(&pending, &app.code(0)).await;
    assert_eq!(to, "/login?error=expired&next=%2Fwabas");
    sign_in(&base, "slow@partner.test", &app.code(0)).await;
    portal.portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
// Over 80 lines on purpose: one story, from switching the rule on to removing a factor.
async fn requiring_two_factor_holds_accounts_back_until_they_enrol() {
    let portal = support::sandbox_portal().await;
    let base = portal.portal.url.to_string();
    create(&portal, "boss@partner.test", Role::Admin).await;
    create(&portal, "late@partner.test", Role::Operator).await;
    let admin = Staff::sign_in(&base, "boss@partner.test").await;
    // Not before the admin has it: they would hold themselves back.
    let (status, body) = admin
        .post("api/require_two_factor", &[("required", "true")])
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("your own account"), "{body}");
    let (boss_app, _) = enrol(&admin, "boss@partner.test").await;
    let (status, body) = admin
        .post("api/require_two_factor", &[("required", "true")])
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, body) = admin.post("api/two_factor_overview", &[]).await;
    assert_eq!(json(&body)["required"], true);

    // Without two-factor, sign-in lands on the account page and nothing else opens.
    let response = client()
        .post(format!("{base}auth/login"))
        .header("origin", base.trim_end_matches('/'))
        .form(&[
            ("email", "late@partner.test"),
            ("password", support::STAFF_PASSWORD),
            ("next", "/wabas"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&response), "/account?next=%2Fwabas");
    let late = Staff {
        http: client(),
        base: base.clone(),
        cookie: session_cookie(&response).unwrap(),
    };
    assert_eq!(whoami(&late).await["must_enroll_two_factor"], true);
    let (status, body) = late.post("api/dashboard_overview", &[]).await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("two-factor"), "{body}");
    assert_eq!(late.get("wabas.csv").await.status(), 403);
    let page = late.get("wabas").await;
    assert_eq!(page.status(), 303);
    assert_eq!(location(&page), "/account?next=%2Fwabas");
    assert_eq!(late.get("account").await.status(), 200);
    let (status, _) = late.post("api/account_info", &[]).await;
    assert_eq!(status, 200);
    // Operators cannot change the rule.
    let (status, _) = late
        .post("api/require_two_factor", &[("required", "false")])
        .await;
    assert_eq!(status, 403);
    // Once enrolled, everything the role allows, in the same session.
    let (late_app, _) = enrol(&late, "late@partner.test").await;
    let (status, _) = late.post("api/dashboard_overview", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(whoami(&late).await["must_enroll_two_factor"], false);

    // An admin removes it (a lost phone): the account signs in with its password and is
    // held back again until it enrols anew.
    let id = portal
        .portal
        .database
        .store
        .staff_user_by_email("late@partner.test")
        .await
        .unwrap()
        .unwrap()
        .id;
    let (status, body) = admin
        .post("api/remove_two_factor", &[("id", &id.to_string())])
        .await;
    assert_eq!(status, 200, "{body}");
    let (to, _) = password_step(&base, "late@partner.test").await;
    assert_eq!(to, "/account?next=%2Fwabas");
    let (status, _) = late.post("api/dashboard_overview", &[]).await;
    assert_eq!(status, 403);
    let _ = (boss_app, late_app);
    let audit = audit_actions(&portal).await;
    assert!(audit
        .iter()
        .any(|(a, d, _)| a == "settings.require_two_factor"
            && d.as_deref() == Some("{\"required\":true}")));
    assert!(audit
        .iter()
        .any(|(a, d, ip)| a == "staff.two_factor_removed"
            && d.as_deref() == Some("{\"was_enabled\":true}")
            && ip.as_deref() == Some("127.0.0.1")));
    portal.portal.shutdown().await;
}

async fn turning_two_factor_off_needs_the_password_and_a_code(portal: SandboxPortal) {
    let base = portal.portal.url.to_string();
    create(&portal, "off@partner.test", Role::Viewer).await;
    let (app, _) = enrol(
        &Staff::sign_in(&base, "off@partner.test").await,
        "off@partner.test",
    )
    .await;
    let staff = sign_in(&base, "off@partner.test", &app.code(0)).await;
    let (status, body) = staff
        .post(
            "api/two_factor_disable",
            &[
                ("password", "not the password at all"),
                ("code", &app.code(30)),
            ],
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = staff
        .post(
            "api/two_factor_disable",
            &[
                ("password", support::STAFF_PASSWORD),
                ("code", &wrong(&app.code(30))),
            ],
        )
        .await;
    assert_eq!(status, 400, "{body}");
    // The wrong password did not spend the code: it still turns two-factor off.
    let (status, body) = staff
        .post(
            "api/two_factor_disable",
            &[
                ("password", support::STAFF_PASSWORD),
                ("code", &app.code(30)),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, body) = staff.post("api/two_factor_status", &[]).await;
    assert_eq!(json(&body)["enabled"], false);
    let (to, _) = password_step(&base, "off@partner.test").await;
    assert_eq!(to, "/wabas");
    let audit = audit_actions(&portal).await;
    assert!(audit
        .iter()
        .any(|(a, _, _)| a == "staff.two_factor_disabled"));
    assert_eq!(
        audit
            .iter()
            .filter(|(a, _, _)| a == "staff.two_factor_disable_refused")
            .count(),
        2
    );
    portal.portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_turning_two_factor_off_needs_the_password_and_a_code() {
    turning_two_factor_off_needs_the_password_and_a_code(support::sandbox_portal().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_turning_two_factor_off_needs_the_password_and_a_code() {
    let url = support::fresh_postgres_url().await;
    turning_two_factor_off_needs_the_password_and_a_code(
        support::sandbox_portal_with(&["--database-url", &url]).await,
    )
    .await;
}
