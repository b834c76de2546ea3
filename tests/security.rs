//! Issue 16, "Security hardening": each attack from the issue, replayed over real HTTP (or
//! against the binary) on an in-process sandbox portal. Every test here failed on the code
//! before its fix; docs/SECURITY.md names the test of each defence.

mod support;

use std::time::Duration;

use mm_portal::db::{self, Role};

use support::{create_staff as create, SandboxPortal, StaffClient as Staff, STAFF_PASSWORD};

// ---- 13. Browser-reported ids never decide ownership ------------------------------------------

fn sqlite(portal: &SandboxPortal) -> &sqlx::SqlitePool {
    match &portal.portal.database.pool {
        db::Pool::Sqlite(pool) => pool,
        db::Pool::Postgres(_) => panic!("these tests run on SQLite"),
    }
}

/// The JSON string a server function answered with.
fn text(body: &str) -> String {
    serde_json::from_str(body).unwrap_or_else(|_| panic!("not a JSON string: {body}"))
}

async fn server_fn(base: &str, name: &str, args: &[(&str, &str)]) -> (u16, String) {
    let response = reqwest::Client::new()
        .post(format!("{base}api/{name}"))
        .form(args)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// One Embedded Signup through the simulator; `prepare` runs before the code exchange with
/// what the simulator created, and `reported_business` is what the browser claims.
async fn signup(
    portal: &SandboxPortal,
    business_name: &str,
    phone: &str,
    reported_business: Option<&str>,
    hide_owner: bool,
) -> serde_json::Value {
    let base = portal.portal.url.to_string();
    let (_, nonce) = server_fn(&base, "signup_start", &[]).await;
    let nonce = text(&nonce);
    let created: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}sandbox/api/signups"))
        .json(&serde_json::json!({"business_name": business_name, "phone_number": phone}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    if hide_owner {
        // Graph leaves out `owner_business_info` when the app may not see the owner.
        sqlx::query(
            "UPDATE sandbox_objects SET data = json_set(data, '$.owner_business_id', '') \
             WHERE kind = 'waba' AND id = $1",
        )
        .bind(created["waba_id"].as_str().unwrap())
        .execute(sqlite(portal))
        .await
        .unwrap();
    }
    let event = serde_json::json!({
        "type": "WA_EMBEDDED_SIGNUP",
        "event": "FINISH",
        "data": {
            "waba_id": created["waba_id"],
            "phone_number_id": created["phone_number_id"],
            "business_id": reported_business.map(serde_json::Value::from).unwrap_or(created["business_id"].clone()),
        },
        "version": 3
    })
    .to_string();
    let (status, body) = server_fn(
        &base,
        "signup_event",
        &[("nonce", &nonce), ("payload", &event)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = server_fn(
        &base,
        "signup_complete",
        &[
            ("nonce", &nonce),
            ("code", created["code"].as_str().unwrap()),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    created
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_reported_business_id_cannot_take_over_another_business() {
    let portal = support::sandbox_portal().await;
    let victim = signup(&portal, "Victim Ltd", "+55 11 90000 2222", None, false).await;
    let victim_business = victim["business_id"].as_str().unwrap().to_string();
    let repo = portal.portal.database.repo.clone();
    let before = sqlx::query_as::<_, (i64, String)>(
        "SELECT id, name FROM businesses WHERE meta_business_id = $1",
    )
    .bind(&victim_business)
    .fetch_one(sqlite(&portal))
    .await
    .unwrap();
    // The attacker's own signup, whose WABA's owner Graph does not show, claims the victim's
    // business in the browser's session-info event.
    let attacker = signup(
        &portal,
        "Attacker Ltd",
        "+55 11 90000 3333",
        Some(&victim_business),
        true,
    )
    .await;
    let after = sqlx::query_as::<_, (i64, String)>(
        "SELECT id, name FROM businesses WHERE meta_business_id = $1",
    )
    .bind(&victim_business)
    .fetch_one(sqlite(&portal))
    .await
    .unwrap();
    assert_eq!(after, before, "the victim's business is unchanged");
    let waba = repo
        .waba_by_meta_id(attacker["waba_id"].as_str().unwrap())
        .await
        .unwrap()
        .expect("the attacker's WABA is recorded");
    assert_ne!(waba.business_id, before.0, "and not attached to the victim");
    portal.portal.shutdown().await;
}

// ---- 14. + 18. Webhooks: the header before the body, a body timeout, the exact type ---------------

/// Sends `head` on a raw connection and reads the status line, within `limit`.
async fn raw_status(base: &str, head: String, limit: Duration) -> Option<String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 256];
    let read = tokio::time::timeout(limit, stream.read(&mut buf))
        .await
        .ok()?;
    let n = read.ok()?;
    let text = String::from_utf8_lossy(&buf[..n]).to_string();
    text.lines().next().map(str::to_string)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_without_a_signature_are_refused_before_the_body_is_read() {
    let portal = support::sandbox_portal().await;
    let base = portal.portal.url.to_string();
    let head = |signature: &str| {
        format!(
            "POST /webhooks/meta HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
             {signature}Content-Length: 3000000\r\n\r\n{{\"object\""
        )
    };
    let missing = raw_status(&base, head(""), Duration::from_secs(3)).await;
    assert_eq!(missing.as_deref(), Some("HTTP/1.1 401 Unauthorized"));
    let malformed = raw_status(
        &base,
        head("X-Hub-Signature-256: md5=abc\r\n"),
        Duration::from_secs(3),
    )
    .await;
    assert_eq!(malformed.as_deref(), Some("HTTP/1.1 403 Forbidden"));
    let wrong_type = raw_status(
        &base,
        format!(
            "POST /webhooks/meta HTTP/1.1\r\nHost: x\r\nContent-Type: application/json-evil\r\n\
             X-Hub-Signature-256: sha256={}\r\nContent-Length: 3000000\r\n\r\n{{",
            "0".repeat(64)
        ),
        Duration::from_secs(3),
    )
    .await;
    assert_eq!(
        wrong_type.as_deref(),
        Some("HTTP/1.1 415 Unsupported Media Type")
    );
    // A well-formed header with a body that never arrives times out.
    let started = std::time::Instant::now();
    let slow = raw_status(
        &base,
        head(&format!(
            "X-Hub-Signature-256: sha256={}\r\n",
            "0".repeat(64)
        )),
        Duration::from_secs(20),
    )
    .await;
    assert_eq!(slow.as_deref(), Some("HTTP/1.1 408 Request Timeout"));
    assert!(started.elapsed() < Duration::from_secs(15));
    portal.portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_content_types_match_exactly() {
    let portal = support::sandbox_portal().await;
    let body = br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[]}]}"#;
    let post = |content_type: &'static str| {
        let url = portal.portal.url.join("webhooks/meta").unwrap();
        let signed = mm_portal::webhooks::signature::sign(&portal.app_secret, body);
        async move {
            reqwest::Client::new()
                .post(url)
                .header("content-type", content_type)
                .header("x-hub-signature-256", signed)
                .body(body.to_vec())
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(post("application/json-evil").await, 415);
    assert_eq!(post("application/jsonp").await, 415);
    assert_eq!(post("application/json").await, 200);
    assert_eq!(post("application/json; charset=utf-8").await, 200);
    assert_eq!(post("Application/JSON").await, 200);
    portal.portal.shutdown().await;
}

// ---- 16. Bad server-function input is the client's fault ------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_or_oversized_server_function_calls_answer_4xx() {
    let portal = support::sandbox_portal().await;
    let base = portal.portal.url.to_string();
    create(&portal, "op@partner.test", Role::Operator).await;
    let operator = Staff::sign_in(&base, "op@partner.test").await;
    let (status, body) = operator
        .post("api/replay_webhook", &[("id", "not-a-number")])
        .await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = server_fn(&base, "signup_status", &[]).await;
    assert_eq!(status, 400, "{body}");
    let huge = "x".repeat(3 * 1024 * 1024);
    let (status, _) = server_fn(&base, "signup_start", &[("campaign", &huge)]).await;
    assert_eq!(status, 413);
    portal.portal.shutdown().await;
}

// ---- 8. Guessable passwords are refused -------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessable_new_passwords_are_refused() {
    let portal = support::sandbox_portal().await;
    let base = portal.portal.url.to_string();
    create(&portal, "weak@partner.test", Role::Viewer).await;
    let staff = Staff::sign_in(&base, "weak@partner.test").await;
    for weak in [
        "aaaaaaaaaaaa",
        "password1234",
        "qwertyuiop12",
        "weak@partner.test1",
    ] {
        let (status, body) = staff
            .post(
                "api/change_password",
                &[
                    ("current_password", STAFF_PASSWORD),
                    ("new_password", weak),
                    ("confirm_password", weak),
                ],
            )
            .await;
        assert_eq!(status, 400, "{weak}: {body}");
        assert!(body.contains("guess"), "{weak}: {body}");
    }
    let (status, body) = staff
        .post(
            "api/change_password",
            &[
                ("current_password", STAFF_PASSWORD),
                ("new_password", "four random words, mine alone"),
                ("confirm_password", "four random words, mine alone"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    portal.portal.shutdown().await;
}

#[test]
fn admin_create_refuses_a_guessable_password() {
    let dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_mm-portal"))
        .args(["admin", "create", "--email", "boss@partner.test"])
        .env_remove("DATABASE_URL")
        .env_remove("META_MODE")
        .env("PORTAL_DATA_DIR", dir.path())
        .env("ADMIN_PASSWORD", "aaaaaaaaaaaa")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains("guess"), "{stderr}");
    assert!(!stderr.contains("aaaaaaaaaaaa"), "{stderr}");
}
