//! Signup links over HTTP, on both engines: made through the partner API, opened by the public
//! signup page's server functions, completed through the sandbox; the signup, the funnel and
//! the WABA remember the link and the customer id; expired, revoked and used links refused
//! with their reason; strict input; scopes.

use std::time::{Duration, Instant};

use app::api_keys::port::Scope;
use mm_portal::db::prelude::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{self, SandboxPortal};

async fn portal(engine: &str) -> SandboxPortal {
    support::sandbox_portal_on(engine).await
}

async fn key(portal: &SandboxPortal, scopes: &[Scope]) -> String {
    support::api_key(portal, scopes).await
}

fn api(portal: &SandboxPortal, path: &str) -> String {
    format!("{}api/v1{path}", portal.portal.url)
}

async fn send(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

pub(crate) async fn make_link(
    portal: &SandboxPortal,
    key: &str,
    body: Value,
) -> (StatusCode, Value) {
    send(
        reqwest::Client::new()
            .post(api(portal, "/signup-links"))
            .bearer_auth(key)
            .json(&body),
    )
    .await
}

/// A public server function, as `public/signup.js` calls it.
pub(crate) async fn server_fn(
    portal: &SandboxPortal,
    name: &str,
    args: &[(&str, &str)],
) -> (u16, String) {
    let response = reqwest::Client::new()
        .post(format!("{}api/{name}", portal.portal.url))
        .form(args)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// The link's token, from its address.
pub(crate) fn token(link: &Value) -> String {
    link["url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string()
}

/// Starts a signup session through the link; the nonce.
pub(crate) async fn start(portal: &SandboxPortal, token: &str) -> (u16, String) {
    let (status, body) = server_fn(portal, "signup_start", &[("link", token)]).await;
    (
        status,
        serde_json::from_str::<String>(&body).unwrap_or(body),
    )
}

/// A business that finished Meta's window in the sandbox: its authorization code.
pub(crate) async fn sandbox_code(portal: &SandboxPortal, name: &str) -> String {
    let created =
        support::sandbox_signup(portal.portal.url.as_str(), name, "+55 11 95555 0101").await;
    created["code"].as_str().unwrap().to_string()
}

pub(crate) async fn complete(portal: &SandboxPortal, nonce: &str, code: &str) -> (u16, String) {
    server_fn(
        portal,
        "signup_complete",
        &[("nonce", nonce), ("code", code)],
    )
    .await
}

async fn a_link_carries_its_customer_id_onto_the_signup_and_the_waba(engine: &str) {
    let portal = portal(engine).await;
    let writer = key(&portal, &[Scope::SignupsWrite, Scope::SignupsRead]).await;
    let (status, link) = make_link(
        &portal,
        &writer,
        json!({
            "customer_id": "crm-4711",
            "campaign": "spring-2027",
            "prefill": {
                "business": {"name": "Acme Shoes", "email": "admin@acme.example",
                             "phone": {"code": "55", "number": "11955550101"},
                             "address": {"city": "São Paulo", "country": "BR"}},
                "phone": {"displayName": "Acme Shoes", "category": "RETAIL"}
            }
        }),
    )
    .await;
    assert_eq!(status, 201, "{link}");
    assert_eq!(link["state"], "active");
    assert_eq!(link["single_use"], true);
    assert!(link["url"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{}signup/link/", portal.portal.url)));
    assert!(token(&link).len() >= 32, "unguessable");

    // The public page reads the link's launch data: Meta's field names, as stored.
    let (status, launch) = server_fn(&portal, "signup_link", &[("token", &token(&link))]).await;
    assert_eq!(status, 200, "{launch}");
    let launch: Value = serde_json::from_str(&launch).unwrap();
    let prefill: Value = serde_json::from_str(launch["prefill"].as_str().unwrap()).unwrap();
    assert_eq!(prefill["business"]["address"]["city"], "São Paulo");
    assert_eq!(prefill["phone"]["displayName"], "Acme Shoes");

    // A code Meta refuses does not use the link up.
    let (_, failed) = start(&portal, &token(&link)).await;
    let (status, refused) = complete(&portal, &failed, "not-a-code").await;
    assert_eq!(status, 400, "{refused}");
    let (status, nonce) = start(&portal, &token(&link)).await;
    assert_eq!(status, 200, "{nonce}");
    let store = &portal.portal.database.store;
    let signup = store.signup_by_nonce(&nonce).await.unwrap().unwrap();
    assert_eq!(signup.customer_id.as_deref(), Some("crm-4711"));
    assert_eq!(signup.link_id, link["id"].as_i64());
    assert_eq!(signup.campaign.as_deref(), Some("spring-2027"));

    let code = sandbox_code(&portal, "Acme Shoes").await;
    let (status, answer) = complete(&portal, &nonce, &code).await;
    assert_eq!(status, 200, "{answer}");
    let signup = store.signup_by_nonce(&nonce).await.unwrap().unwrap();
    let waba = signup.waba_id.expect("connected");
    let customer = store.waba_customer(waba).await.unwrap().unwrap();
    assert_eq!(customer.customer_id.as_deref(), Some("crm-4711"));
    assert_eq!(customer.signup_link_id, link["id"].as_i64());
    // The CRM finds its customer's WABA by its own id, in the list and in the detail.
    let wabas_reader = key(&portal, &[Scope::WabasRead]).await;
    let (status, list) = send(
        reqwest::Client::new()
            .get(api(&portal, "/wabas?customer_id=crm-4711"))
            .bearer_auth(&wabas_reader),
    )
    .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["data"].as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list["data"][0]["customer_id"], "crm-4711");
    let waba_id = list["data"][0]["waba_id"].as_str().unwrap().to_string();
    let (_, detail) = send(
        reqwest::Client::new()
            .get(api(&portal, &format!("/wabas/{waba_id}")))
            .bearer_auth(&wabas_reader),
    )
    .await;
    assert_eq!(detail["customer_id"], "crm-4711");
    assert_eq!(detail["signup_link_id"], link["id"]);
    let (_, none) = send(
        reqwest::Client::new()
            .get(api(&portal, "/wabas?customer_id=someone-else"))
            .bearer_auth(&wabas_reader),
    )
    .await;
    assert_eq!(none["data"].as_array().unwrap().len(), 0);

    // The partner follows the signup until it is ready, as the status page shows it.
    let reader = key(&portal, &[Scope::SignupsRead]).await;
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    let view = loop {
        let (status, view) = send(
            http.get(api(&portal, &format!("/signups/{}", signup.id)))
                .bearer_auth(&reader),
        )
        .await;
        assert_eq!(status, 200, "{view}");
        if view["ready"] == true {
            break view;
        }
        assert!(Instant::now() < deadline, "never ready: {view}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(view["customer_id"], "crm-4711");
    assert_eq!(view["link_id"], link["id"]);
    assert_eq!(view["stage"], "exchanged");
    assert!(view["waba_id"].as_str().is_some());
    assert!(view["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["state"] == "done"));

    // Used: the link says so, counts its signup, and starts no other.
    let (_, again) = send(
        http.get(api(&portal, &format!("/signup-links/{}", link["id"])))
            .bearer_auth(&reader),
    )
    .await;
    assert_eq!(again["state"], "used");
    assert_eq!(
        (again["signups"].as_i64(), again["connected"].as_i64()),
        (Some(2), Some(1))
    );
    assert!(again["used_at"].as_str().is_some());
    assert_eq!(again["last_signup_id"], signup.id);
    let (status, refused) = start(&portal, &token(&link)).await;
    assert_eq!(status, 409);
    assert!(refused.contains("already used"), "{refused}");
    let (status, refused) = server_fn(&portal, "signup_link", &[("token", &token(&link))]).await;
    assert_eq!(status, 409);
    assert!(refused.contains("already used"), "{refused}");
}

async fn expired_revoked_and_unknown_links_are_refused_with_their_reason(engine: &str) {
    let portal = portal(engine).await;
    let writer = key(&portal, &[Scope::SignupsWrite, Scope::SignupsRead]).await;
    let http = reqwest::Client::new();

    let (_, revoked) = make_link(&portal, &writer, json!({"customer_id": "c-1"})).await;
    let (status, after) = send(
        http.delete(api(&portal, &format!("/signup-links/{}", revoked["id"])))
            .bearer_auth(&writer),
    )
    .await;
    assert_eq!(status, 200, "{after}");
    assert_eq!(after["state"], "revoked");
    let (status, body) = start(&portal, &token(&revoked)).await;
    assert_eq!(status, 409);
    assert!(body.contains("withdrawn"), "{body}");
    // Revoking again changes nothing.
    let (status, again) = send(
        http.delete(api(&portal, &format!("/signup-links/{}", revoked["id"])))
            .bearer_auth(&writer),
    )
    .await;
    assert_eq!(
        (status.as_u16(), again["revoked_at"].clone()),
        (200, after["revoked_at"].clone())
    );

    let (_, expiring) = make_link(&portal, &writer, json!({"customer_id": "c-2"})).await;
    mm_portal::db::engine::query("UPDATE signup_links SET expires_at = 1 WHERE id = $1")
        .bind(expiring["id"].as_i64().unwrap())
        .execute(portal.portal.database.store.pool())
        .await
        .unwrap();
    let (status, body) = server_fn(&portal, "signup_link", &[("token", &token(&expiring))]).await;
    assert_eq!(status, 409);
    assert!(body.contains("expired"), "{body}");
    let (status, body) = start(&portal, &token(&expiring)).await;
    assert_eq!(status, 409);
    assert!(body.contains("expired"), "{body}");

    let (status, _) = server_fn(&portal, "signup_link", &[("token", "nope")]).await;
    assert_eq!(status, 404);
    let (status, _) = start(&portal, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").await;
    assert_eq!(status, 409);
    let signups = support::count(&portal.portal.database, "SELECT COUNT(*) FROM signups").await;
    assert_eq!(signups, 0, "no refused start made a session");

    // The public page shows the reason, not the signup button.
    let html = http
        .get(revoked["url"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("data-testid=\"link-refused\""), "{html}");
    assert!(html.contains("withdrawn"));
    assert!(!html.contains("data-testid=\"connect\""));
}

async fn two_signups_racing_through_a_single_use_link_connect_one_account(engine: &str) {
    let portal = portal(engine).await;
    let writer = key(&portal, &[Scope::SignupsWrite]).await;
    let (_, link) = make_link(&portal, &writer, json!({"customer_id": "race"})).await;
    let (_, first) = start(&portal, &token(&link)).await;
    let (_, second) = start(&portal, &token(&link)).await;
    let (code_a, code_b) = (
        sandbox_code(&portal, "Race A").await,
        sandbox_code(&portal, "Race B").await,
    );
    let (a, b) = tokio::join!(
        complete(&portal, &first, &code_a),
        complete(&portal, &second, &code_b)
    );
    let statuses = [a.0, b.0];
    assert!(
        statuses.contains(&200) && statuses.contains(&409),
        "{a:?} {b:?}"
    );
    let refused = if a.0 == 409 { &a.1 } else { &b.1 };
    assert!(refused.contains("already used"), "{refused}");
    let connected = support::count(
        &portal.portal.database,
        "SELECT COUNT(*) FROM wabas WHERE customer_id = 'race'",
    )
    .await;
    assert_eq!(connected, 1);

    // A reusable link connects as many as come.
    let (_, reusable) = make_link(
        &portal,
        &writer,
        json!({"customer_id": "many", "single_use": false}),
    )
    .await;
    for name in ["Many A", "Many B"] {
        let (_, nonce) = start(&portal, &token(&reusable)).await;
        let code = sandbox_code(&portal, name).await;
        assert_eq!(complete(&portal, &nonce, &code).await.0, 200);
    }
    let connected = support::count(
        &portal.portal.database,
        "SELECT COUNT(*) FROM wabas WHERE customer_id = 'many'",
    )
    .await;
    assert_eq!(connected, 2);
}

async fn bad_input_and_wrong_scopes_change_nothing(engine: &str) {
    let portal = portal(engine).await;
    let writer = key(&portal, &[Scope::SignupsWrite]).await;
    let reader = key(&portal, &[Scope::SignupsRead]).await;
    let wabas_only = key(&portal, &[Scope::WabasRead]).await;
    let http = reqwest::Client::new();
    for (body, names) in [
        (json!({"customer": "x"}), "customer"),
        (json!({"prefill": {"business": {"nmae": "x"}}}), "nmae"),
        (
            json!({"prefill": {"business": {"email": "nope"}}}),
            "prefill.business.email",
        ),
        (
            json!({"prefill": {"business": {"website": "javascript:alert(1)"}}}),
            "prefill.business.website",
        ),
        (json!({"campaign": "no spaces please"}), "campaign"),
        (json!({"expires_at": "2020-01-01T00:00:00Z"}), "expires_at"),
        (json!({"expires_at": "tomorrow"}), "expires_at"),
        (json!({"customer_id": "x".repeat(200)}), "customer_id"),
    ] {
        let response = http
            .post(api(&portal, "/signup-links"))
            .bearer_auth(&writer)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{body}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let problem: Value = response.json().await.unwrap();
        assert!(
            problem["detail"].as_str().unwrap().contains(names),
            "{body} → {problem}"
        );
    }
    let (status, _) = make_link(&portal, &reader, json!({})).await;
    assert_eq!(status, 403);
    let (status, _) = send(
        http.get(api(&portal, "/signup-links"))
            .bearer_auth(&wabas_only),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = send(
        http.delete(api(&portal, "/signup-links/1"))
            .bearer_auth(&reader),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = send(http.get(api(&portal, "/signup-links"))).await;
    assert_eq!(status, 401);
    let links = support::count(&portal.portal.database, "SELECT COUNT(*) FROM signup_links").await;
    assert_eq!(links, 0, "nothing was made on any error");
    let (status, _) = send(
        http.get(api(&portal, "/signup-links/999"))
            .bearer_auth(&reader),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = send(
        http.delete(api(&portal, "/signup-links/999"))
            .bearer_auth(&writer),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = send(http.get(api(&portal, "/signups/999")).bearer_auth(&reader)).await;
    assert_eq!(status, 404);

    // Lists: newest first, a customer's own, in pages.
    for customer in ["a", "b", "a"] {
        assert_eq!(
            make_link(&portal, &writer, json!({"customer_id": customer}))
                .await
                .0,
            201
        );
    }
    let (_, page) = send(
        http.get(api(&portal, "/signup-links?customer_id=a&limit=1"))
            .bearer_auth(&reader),
    )
    .await;
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    let cursor = page["next_cursor"].as_str().unwrap().to_string();
    let (_, next) = send(
        http.get(api(
            &portal,
            &format!("/signup-links?customer_id=a&limit=1&cursor={cursor}"),
        ))
        .bearer_auth(&reader),
    )
    .await;
    assert_eq!(next["data"][0]["customer_id"], "a");
    assert!(next["data"][0]["id"].as_i64() < page["data"][0]["id"].as_i64());
    assert_eq!(next["next_cursor"], Value::Null);
    let (status, _) = send(
        http.get(api(&portal, "/signup-links?customer=a"))
            .bearer_auth(&reader),
    )
    .await;
    assert_eq!(status, 400, "an unknown parameter is named, not ignored");
}

crate::support::on_both_engines!(
    a_link_carries_its_customer_id_onto_the_signup_and_the_waba,
    expired_revoked_and_unknown_links_are_refused_with_their_reason,
    two_signups_racing_through_a_single_use_link_connect_one_account,
    bad_input_and_wrong_scopes_change_nothing,
);
