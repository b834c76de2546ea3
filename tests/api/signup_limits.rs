//! Issue 16, item 3: the public signup server functions have limits. Per client address (after
//! trusted proxies) a burst then a steady rate, shared by every instance on one database; a
//! cap of events per signup session; events parsed into known fields, anything else refused
//! and never stored, counted or shown; sessions that expire.

use crate::support;

use mm_portal::db::prelude::*;
use mm_portal::db::{self, Role};
use serde_json::json;

use crate::support::{create_staff, SandboxPortal, StaffClient};

/// One answer of a server function: status, `Retry-After` (if any) and body.
struct Answer {
    status: u16,
    retry_after: Option<String>,
    body: String,
}

/// Calls a public server function the way `public/signup.js` does, from `client` (the portals
/// here trust 127.0.0.1 as their proxy, so `X-Forwarded-For` names the client).
async fn call(base: &str, name: &str, args: &[(&str, &str)], client: &str) -> Answer {
    let response = reqwest::Client::new()
        .post(format!("{base}api/{name}"))
        .header("x-forwarded-for", client)
        .form(args)
        .send()
        .await
        .unwrap();
    Answer {
        status: response.status().as_u16(),
        retry_after: response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_string()),
        body: response.text().await.unwrap(),
    }
}

async fn portal_on(database_url: Option<&str>) -> SandboxPortal {
    let mut args = vec!["--trusted-proxies", "127.0.0.1"];
    if let Some(url) = database_url {
        args.extend(["--database-url", url]);
    }
    support::sandbox_portal_with(&args).await
}

fn base(portal: &SandboxPortal) -> String {
    portal.portal.url.to_string()
}

async fn start(base: &str, client: &str) -> String {
    let answer = call(base, "signup_start", &[], client).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    serde_json::from_str(&answer.body).unwrap()
}

async fn count(portal: &SandboxPortal, sql: &str) -> i64 {
    support::count(&portal.portal.database, sql).await
}

/// `(events, bytes of detail)` stored for the signup of `nonce`.
async fn stored(portal: &SandboxPortal, nonce: &str) -> (i64, i64) {
    let sql = format!(
        "SELECT COUNT(*) FROM signup_events e JOIN signups s ON s.id = e.signup_id \
         WHERE s.nonce = '{nonce}'"
    );
    let events = count(portal, &sql).await;
    let sql = format!(
        "SELECT CAST(COALESCE(SUM(LENGTH(e.detail)), 0) AS BIGINT) FROM signup_events e \
         JOIN signups s ON s.id = e.signup_id WHERE s.nonce = '{nonce}'"
    );
    (events, count(portal, &sql).await)
}

fn cancel_at(step: &str) -> String {
    json!({"type": "WA_EMBEDDED_SIGNUP", "event": "CANCEL", "data": {"current_step": step}})
        .to_string()
}

/// Checks a limited answer: 429, a `Retry-After` of 1–10 s, and the wait in words.
fn assert_limited(answer: &Answer) {
    assert_eq!(answer.status, 429, "{}", answer.body);
    let wait: u64 = answer
        .retry_after
        .as_deref()
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((1..=10).contains(&wait), "{wait}");
    assert!(
        answer.body.contains("RateLimited"),
        "the page reads the wait from the error: {}",
        answer.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_starts_from_one_address_are_limited_and_another_address_still_starts() {
    let portal = portal_on(None).await;
    let base = base(&portal);
    let mut admitted = 0;
    let mut limited = Vec::new();
    for _ in 0..100 {
        let answer = call(&base, "signup_start", &[], "198.51.100.7").await;
        match answer.status {
            200 => admitted += 1,
            _ => limited.push(answer),
        }
    }
    // The burst of 20 (and one more if the test took over 10 s).
    assert!((20..=21).contains(&admitted), "{admitted}");
    limited.iter().for_each(assert_limited);
    assert_eq!(
        count(&portal, "SELECT COUNT(*) FROM signups").await,
        admitted
    );
    // Another client is not held back by the first; nor are the other kinds of call.
    start(&base, "203.0.113.9").await;
    let answer = call(&base, "signup_config", &[], "198.51.100.7").await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    portal.portal.shutdown().await;
}

/// Two instances on one database count against one budget per address.
async fn two_instances_share_the_limit(database_url: &str) {
    let first = portal_on(Some(database_url)).await;
    let second = portal_on(Some(database_url)).await;
    let bases = [base(&first), base(&second)];
    let mut admitted = 0;
    for i in 0..40 {
        let answer = call(&bases[i % 2], "signup_start", &[], "198.51.100.8").await;
        if answer.status == 200 {
            admitted += 1;
        } else {
            assert_limited(&answer);
        }
    }
    assert!((20..=21).contains(&admitted), "{admitted}");
    start(&bases[1], "2001:db8:7::1").await;
    second.portal.shutdown().await;
    first.portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_sqlite_database_share_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("shared.db").display());
    two_instances_share_the_limit(&url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_postgres_database_share_the_limit() {
    two_instances_share_the_limit(&support::fresh_postgres_url().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_beyond_the_cap_are_refused_and_what_is_stored_stays_small() {
    let portal = portal_on(None).await;
    let base = base(&portal);
    let nonce = start(&base, "198.51.100.9").await;
    // Well-formed messages padded with a field the portal does not read, to ~1.9 KB each.
    let padded = json!({
        "type": "WA_EMBEDDED_SIGNUP", "event": "CANCEL",
        "data": {"current_step": "PHONE_NUMBER_SETUP", "session_id": "a".repeat(1900)},
    })
    .to_string();
    let mut statuses = Vec::new();
    for _ in 0..50 {
        let answer = call(
            &base,
            "signup_event",
            &[("nonce", &nonce), ("payload", &padded)],
            "198.51.100.9",
        )
        .await;
        if answer.status != 200 {
            assert_eq!(answer.status, 409, "{}", answer.body);
            assert!(
                answer.body.contains("all the events it may"),
                "{}",
                answer.body
            );
        }
        statuses.push(answer.status);
    }
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 31);
    let (events, bytes) = stored(&portal, &nonce).await;
    assert_eq!(events, 32, "the cap counts the `started` event too");
    assert!(
        bytes < 32 * 128,
        "only parsed fields are stored: {bytes} bytes"
    );
    // The other browser-reported events are capped too.
    let answer = call(
        &base,
        "signup_launched",
        &[("nonce", &nonce)],
        "198.51.100.9",
    )
    .await;
    assert_eq!(answer.status, 409, "{}", answer.body);
    portal.portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_or_garbage_events_are_refused_with_400_and_nothing_is_stored() {
    let portal = portal_on(None).await;
    let base = base(&portal);
    let nonce = start(&base, "198.51.100.10").await;
    let eight_kb = json!({
        "type": "WA_EMBEDDED_SIGNUP", "event": "FINISH",
        "data": {"waba_id": "123", "note": "x".repeat(8000)},
    })
    .to_string();
    assert!(eight_kb.len() < 8 * 1024, "under the old limit");
    for payload in [
        eight_kb,
        "garbage".to_string(),
        json!({"type": "WA_EMBEDDED_SIGNUP", "event": "HELLO"}).to_string(),
        json!({"type": "WA_EMBEDDED_SIGNUP", "event": "FINISH", "data": {"waba_id": "12<b>"}})
            .to_string(),
        json!({"type": "WA_EMBEDDED_SIGNUP", "event": "FINISH", "data": {"waba_id": "1".repeat(40)}})
            .to_string(),
        json!({"type": "WA_EMBEDDED_SIGNUP", "event": "FINISH", "data": "text"}).to_string(),
        cancel_at("<img src=x onerror=alert(1)>"),
    ] {
        let answer = call(
            &base,
            "signup_event",
            &[("nonce", &nonce), ("payload", &payload)],
            "198.51.100.10",
        )
        .await;
        assert_eq!(answer.status, 400, "{payload:.80}: {}", answer.body);
        assert!(answer.body.contains("could not be read"), "{}", answer.body);
    }
    assert_eq!(stored(&portal, &nonce).await.0, 1, "only `started`");
    let signup = portal
        .portal
        .database
        .store
        .signup_by_nonce(&nonce)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(signup.stage, "started");
    assert_eq!(signup.meta_waba_id, None);
    portal.portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_step_text_never_reaches_the_funnel_or_the_overview_page() {
    let portal = portal_on(None).await;
    let base = base(&portal);
    create_staff(&portal, "viewer@partner.test", Role::Viewer).await;
    let markup = start(&base, "198.51.100.11").await;
    let invented = start(&base, "198.51.100.11").await;
    let known = start(&base, "198.51.100.11").await;
    let answer = call(
        &base,
        "signup_event",
        &[
            ("nonce", &markup),
            ("payload", &cancel_at("<i>INJECTED</i>")),
        ],
        "198.51.100.11",
    )
    .await;
    assert_eq!(answer.status, 400, "{}", answer.body);
    for (nonce, step) in [(&invented, "INVENTED_SCREEN"), (&known, "WABA_SELECTION")] {
        let answer = call(
            &base,
            "signup_event",
            &[("nonce", nonce), ("payload", &cancel_at(step))],
            "198.51.100.11",
        )
        .await;
        assert_eq!(answer.status, 200, "{}", answer.body);
    }
    let error = json!({
        "type": "WA_EMBEDDED_SIGNUP", "event": "ERROR",
        "data": {"error_message": "BROWSER_TEXT in an error", "error_id": "524126"},
    })
    .to_string();
    let answer = call(
        &base,
        "signup_event",
        &[("nonce", &markup), ("payload", &error)],
        "198.51.100.11",
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);

    let staff = StaffClient::sign_in(&base, "viewer@partner.test").await;
    let (status, overview) = staff.post("api/dashboard_overview", &[]).await;
    assert_eq!(status, 200, "{overview}");
    let overview: serde_json::Value = serde_json::from_str(&overview).unwrap();
    let steps = &overview["funnel"]["cancel_steps"];
    assert_eq!(
        steps,
        &json!([["UNKNOWN", 1], ["WABA_SELECTION", 1]]),
        "{steps}"
    );
    assert_eq!(overview["funnel"]["cancelled"], 2);
    let page = staff.get("").await.text().await.unwrap();
    let details: Vec<Option<String>> = match &portal.portal.database.pool {
        db::Pool::Sqlite(pool) => sqlx::query_scalar("SELECT detail FROM signup_events")
            .fetch_all(pool)
            .await
            .unwrap(),
        db::Pool::Postgres(_) => unreachable!("SQLite portal"),
    };
    let errors: Vec<Option<String>> = match &portal.portal.database.pool {
        db::Pool::Sqlite(pool) => sqlx::query_scalar("SELECT error FROM signups")
            .fetch_all(pool)
            .await
            .unwrap(),
        db::Pool::Postgres(_) => unreachable!("SQLite portal"),
    };
    let stored = format!("{details:?} {errors:?}");
    for text in ["INJECTED", "INVENTED_SCREEN", "BROWSER_TEXT"] {
        assert!(!page.contains(text), "{text} reached the overview page");
        assert!(!stored.contains(text), "{text} was stored: {stored}");
    }
    portal.portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_session_is_refused_at_the_code_exchange_and_for_events() {
    let portal = portal_on(None).await;
    let base = base(&portal);
    let nonce = start(&base, "198.51.100.12").await;
    let created = crate::support::sandbox_signup(&base, "Late Ltd", "+55 11 90000 7777").await;
    let day_ago = db::now_millis() - 25 * 3600 * 1000;
    match &portal.portal.database.pool {
        db::Pool::Sqlite(pool) => sqlx::query("UPDATE signups SET created_at = $1")
            .bind(day_ago)
            .execute(pool)
            .await
            .unwrap(),
        db::Pool::Postgres(_) => unreachable!("SQLite portal"),
    };
    let code = created["code"].as_str().unwrap();
    let answer = call(
        &base,
        "signup_complete",
        &[("nonce", &nonce), ("code", code)],
        "198.51.100.12",
    )
    .await;
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert!(answer.body.contains("expired"), "{}", answer.body);
    let answer = call(
        &base,
        "signup_event",
        &[("nonce", &nonce), ("payload", &cancel_at("PERMISSIONS"))],
        "198.51.100.12",
    )
    .await;
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert!(answer.body.contains("expired"), "{}", answer.body);
    let signup = portal
        .portal
        .database
        .store
        .signup_by_nonce(&nonce)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(signup.exchange_started_at, None, "no exchange was claimed");
    assert_eq!(count(&portal, "SELECT COUNT(*) FROM wabas").await, 0);
    portal.portal.shutdown().await;
}
