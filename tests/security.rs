//! Issue 16, "Security hardening": each attack from the issue, replayed over real HTTP (or
//! against the binary) on an in-process sandbox portal. Every test here failed on the code
//! before its fix; docs/SECURITY.md names the test of each defence.

mod support;

use mm_portal::db;

use support::SandboxPortal;

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
