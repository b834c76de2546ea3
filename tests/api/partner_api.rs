//! The partner API (`/api/v1`) over HTTP, on both engines: keys and scopes, the WABA list with
//! its filters and pages, one WABA and its timeline, the token hand-off, the record of uses,
//! the rate limit, strict input and the OpenAPI document.

use std::time::Duration;

use app::api_keys::port::Scope;
use mm_portal::api_keys::service::ApiKeysService;
use mm_portal::db::prelude::*;
use reqwest::StatusCode;
use serde_json::Value;

use crate::support::{self, SandboxPortal};

/// A sandbox portal on `engine` with `wabas` synthetic customers.
async fn portal(engine: &str, wabas: usize, extra: &[&str]) -> SandboxPortal {
    let mut args: Vec<String> = extra.iter().map(|a| a.to_string()).collect();
    if engine == "postgres" {
        args.push("--database-url".into());
        args.push(support::fresh_postgres_url().await);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let portal = support::sandbox_portal_with(&args).await;
    mm_portal::seed::seed(portal.portal.database.store.as_ref(), wabas, |_| {})
        .await
        .unwrap();
    portal
}

async fn key(portal: &SandboxPortal, scopes: &[Scope]) -> String {
    support::api_key(portal, scopes).await
}

fn base(portal: &SandboxPortal) -> String {
    format!("{}api/v1", portal.portal.url)
}

async fn get(portal: &SandboxPortal, key: Option<&str>, path: &str) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new().get(format!("{}{path}", base(portal)));
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The problem's `type` fragment and `detail`, checking the media type.
async fn problem(response: reqwest::Response) -> (StatusCode, String, String) {
    let status = response.status();
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json",
        "{status}"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], status.as_u16());
    (
        status,
        body["type"]
            .as_str()
            .unwrap()
            .rsplit('-')
            .next()
            .unwrap()
            .to_string(),
        body["detail"].as_str().unwrap().to_string(),
    )
}

async fn keys_and_scopes_decide_who_gets_in(engine: &str) {
    let portal = portal(engine, 3, &[]).await;
    let http = reqwest::Client::new();
    let wabas = format!("{}/wabas", base(&portal));

    let response = http.get(&wabas).send().await.unwrap();
    assert_eq!(
        response.headers()["www-authenticate"],
        "Bearer realm=\"mm-portal\""
    );
    let (status, _, detail) = problem(response).await;
    assert_eq!(status, 401);
    assert!(detail.contains("Authorization"), "{detail}");

    for bad in [
        "Basic abc",
        "Bearer nonsense",
        "Bearer mmp_AAAAAAAA_0123456789abcdef0123456789abcdef",
    ] {
        let response = http
            .get(&wabas)
            .header("authorization", bad)
            .send()
            .await
            .unwrap();
        assert_eq!(problem(response).await.0, 401, "{bad}");
    }

    let reader = key(&portal, &[Scope::WabasRead]).await;
    let (status, body) = get(&portal, Some(&reader), "/wabas").await;
    assert_eq!(status, 200);
    assert_eq!(body["data"].as_array().unwrap().len(), 3);

    // One character off is another key.
    let mut forged = reader.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == 'a' { 'b' } else { 'a' });
    assert_eq!(get(&portal, Some(&forged), "/wabas").await.0, 401);

    let signer = key(&portal, &[Scope::SignupsWrite]).await;
    let response = http.get(&wabas).bearer_auth(&signer).send().await.unwrap();
    let (status, kind, detail) = problem(response).await;
    assert_eq!((status.as_u16(), kind.as_str()), (403, "scope"));
    assert!(detail.contains("wabas:read"), "{detail}");

    // Rotation: both work during the grace period; revoking ends a key at once.
    let service = ApiKeysService::new(portal.portal.database.store.clone());
    let keys = service.keys().await.unwrap();
    let reader_id = keys
        .iter()
        .find(|k| reader.starts_with(&k.prefix))
        .unwrap()
        .id;
    let rotated = service.rotate_key(reader_id, 1, "tests").await.unwrap();
    assert_eq!(get(&portal, Some(&reader), "/wabas").await.0, 200);
    assert_eq!(get(&portal, Some(&rotated.secret), "/wabas").await.0, 200);
    let again = service.rotate_key(reader_id, 1, "tests").await;
    assert!(
        again.is_err(),
        "a rotated key is rotated through its newest key"
    );
    service.revoke_key(rotated.key.id).await.unwrap();
    let response = http
        .get(&wabas)
        .bearer_auth(&rotated.secret)
        .send()
        .await
        .unwrap();
    let (status, _, detail) = problem(response).await;
    assert_eq!(status, 401);
    assert!(detail.contains("revoked"), "{detail}");
    let zero_grace = key(&portal, &[Scope::WabasRead]).await;
    let id = service
        .keys()
        .await
        .unwrap()
        .into_iter()
        .find(|k| zero_grace.starts_with(&k.prefix))
        .unwrap()
        .id;
    service.rotate_key(id, 0, "tests").await.unwrap();
    assert_eq!(get(&portal, Some(&zero_grace), "/wabas").await.0, 401);
}

async fn the_waba_list_filters_and_pages(engine: &str) {
    let portal = portal(engine, 120, &[]).await;
    let key = key(&portal, &[Scope::WabasRead]).await;
    // Every WABA once, pages of 50, 50, 20.
    let mut seen = std::collections::HashSet::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/wabas?limit=50&cursor={c}"),
            None => "/wabas?limit=50".to_string(),
        };
        let (status, body) = get(&portal, Some(&key), &path).await;
        assert_eq!(status, 200, "{body}");
        pages += 1;
        for waba in body["data"].as_array().unwrap() {
            assert!(seen.insert(waba["waba_id"].as_str().unwrap().to_string()));
            assert!(waba["business"]["business_id"].as_str().unwrap().len() > 5);
        }
        match body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    assert_eq!((seen.len(), pages), (120, 3));

    let (_, brazil) = get(&portal, Some(&key), "/wabas?country=br&limit=100").await;
    let brazil = brazil["data"].as_array().unwrap();
    assert_eq!(brazil.len(), 12);
    assert!(brazil.iter().all(|w| w["country"] == "BR"));
    let (_, onboarded) = get(&portal, Some(&key), "/wabas?status=ONBOARDED&limit=100").await;
    assert!(onboarded["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|w| w["onboarding_status"] == "ONBOARDED"));
    let (_, coexistence) = get(&portal, Some(&key), "/wabas?coexistence=true&limit=100").await;
    assert!(coexistence["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|w| w["coexistence"] == true));
    let (_, future) = get(
        &portal,
        Some(&key),
        "/wabas?sort=updated&updated_since=2999-01-01T00:00:00Z",
    )
    .await;
    assert_eq!(future["data"].as_array().unwrap().len(), 0);
    assert_eq!(future["next_cursor"], Value::Null);
    let (_, recent) = get(
        &portal,
        Some(&key),
        "/wabas?sort=updated&updated_since=2000-01-01T00:00:00Z&limit=5",
    )
    .await;
    assert_eq!(recent["data"].as_array().unwrap().len(), 5);

    for (path, names) in [
        ("/wabas?limit=101", "limit"),
        ("/wabas?limt=5", "limt"),
        ("/wabas?country=Brazil", "country"),
        ("/wabas?updated_since=yesterday", "updated_since"),
        ("/wabas?sort=random", "sort"),
        ("/wabas?cursor=%21%21", "cursor"),
        ("/wabas?coexistence=maybe", "coexistence"),
    ] {
        let response = reqwest::Client::new()
            .get(format!("{}{path}", base(&portal)))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap();
        let (status, _, detail) = problem(response).await;
        assert_eq!(status, 400, "{path}");
        assert!(detail.contains(names), "{path}: {detail}");
    }
}

async fn one_waba_and_its_timeline(engine: &str) {
    let portal = portal(engine, 5, &[]).await;
    let key = key(&portal, &[Scope::WabasRead]).await;
    let (_, list) = get(&portal, Some(&key), "/wabas?limit=1").await;
    let waba_id = list["data"][0]["waba_id"].as_str().unwrap().to_string();
    let (status, waba) = get(&portal, Some(&key), &format!("/wabas/{waba_id}")).await;
    assert_eq!(status, 200, "{waba}");
    assert_eq!(waba["waba_id"], waba_id.as_str());
    assert_eq!(waba["phones"].as_array().unwrap().len(), 1);
    assert_eq!(waba["token_held"], false);
    assert_eq!(waba["ready"], false, "no token, no terms");
    let (status, missing) = get(&portal, Some(&key), "/wabas/123456789").await;
    assert_eq!(status, 404, "{missing}");
    assert!(missing["detail"].as_str().unwrap().contains("123456789"));

    let store = portal.portal.database.store.clone();
    let id = store.waba_by_meta_id(&waba_id).await.unwrap().unwrap().id;
    for n in 0..7 {
        store
            .append_timeline(&mm_portal::db::NewTimelineEvent {
                waba_id: Some(id),
                kind: "test.event".into(),
                summary: format!("event {n}"),
                detail: None,
                actor: "system".into(),
            })
            .await
            .unwrap();
    }
    let path = format!("/wabas/{waba_id}/timeline?limit=4");
    let (_, first) = get(&portal, Some(&key), &path).await;
    assert_eq!(first["data"][0]["summary"], "event 6", "newest first");
    let cursor = first["next_cursor"].as_str().unwrap();
    let (_, second) = get(&portal, Some(&key), &format!("{path}&cursor={cursor}")).await;
    assert_eq!(second["data"].as_array().unwrap().len(), 3);
    assert_eq!(second["next_cursor"], Value::Null);
    assert_eq!(get(&portal, Some(&key), "/wabas/1/timeline").await.0, 404);
}

async fn the_token_hand_off_is_off_until_an_admin_turns_it_on(engine: &str) {
    let portal = portal(engine, 2, &[]).await;
    let key = key(&portal, &[Scope::TokensRead, Scope::WabasRead]).await;
    let reader = self::key(&portal, &[Scope::WabasRead]).await;
    let store = portal.portal.database.store.clone();
    let waba = store
        .list_wabas(&mm_portal::db::WabaQuery {
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap()[0]
        .clone();
    let path = format!("{}/wabas/{}/token", base(&portal), waba.meta_waba_id);
    let http = reqwest::Client::new();
    let take = |key: String| {
        let http = http.clone();
        let path = path.clone();
        async move { http.post(&path).bearer_auth(key).send().await.unwrap() }
    };
    let (status, kind, _) = problem(take(key.clone()).await).await;
    assert_eq!((status.as_u16(), kind.as_str()), (403, "off"));
    store
        .setting_put(
            app::api_keys::port::TOKEN_HANDOFF_SETTING,
            "true",
            "admin@example.com",
        )
        .await
        .unwrap();
    assert_eq!(
        problem(take(reader).await).await.0,
        403,
        "needs tokens:read"
    );
    assert_eq!(
        problem(take(key.clone()).await).await.0,
        409,
        "no token yet"
    );

    let slot = mm_portal::signup::token_slot(&waba.meta_waba_id);
    let token = secrecy::SecretString::from("EAAG-business-token-for-tests".to_string());
    let config = support::sandbox_config(portal.dir.path(), &[]);
    store
        .put_secret(&slot, &config.keys.seal(&slot, &token))
        .await
        .unwrap();
    let response = take(key.clone()).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["access_token"], "EAAG-business-token-for-tests");
    assert_eq!(body["kind"], "embedded_signup");
    let audit = store.list_audit(None, 10).await.unwrap();
    let handoff = audit
        .iter()
        .find(|a| a.action == "api.token_handoff")
        .unwrap();
    assert!(
        handoff.actor.starts_with("api-key:mmp_"),
        "{}",
        handoff.actor
    );
    assert_eq!(
        handoff.target_id.as_deref(),
        Some(waba.meta_waba_id.as_str())
    );
    assert_eq!(handoff.ip.as_deref(), Some("127.0.0.1"));
    assert!(!handoff.detail.clone().unwrap_or_default().contains("EAAG"));
}

async fn every_use_is_recorded_with_scope_route_and_address(engine: &str) {
    let portal = portal(engine, 2, &[]).await;
    let key = key(&portal, &[Scope::WabasRead]).await;
    assert_eq!(get(&portal, Some(&key), "/wabas").await.0, 200);
    assert_eq!(get(&portal, Some(&key), "/wabas/999/timeline").await.0, 404);
    let store = portal.portal.database.store.clone();
    let id = ApiKeysService::new(store.clone()).keys().await.unwrap()[0].id;
    let mut uses = Vec::new();
    for _ in 0..50 {
        uses = store.api_key_uses(id, 10).await.unwrap();
        if uses.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(uses.len(), 2, "{uses:?}");
    assert_eq!(uses[1].route, "/api/v1/wabas");
    assert_eq!(uses[1].scope.as_deref(), Some("wabas:read"));
    assert_eq!(uses[1].status, 200);
    assert_eq!(uses[1].ip.as_deref(), Some("127.0.0.1"));
    assert_eq!(uses[0].route, "/api/v1/wabas/{waba_id}/timeline");
    assert_eq!(uses[0].status, 404);
    assert!(store
        .api_key_by_id(id)
        .await
        .unwrap()
        .unwrap()
        .last_used_at
        .is_some());
}

async fn a_key_over_its_rate_gets_429_with_retry_after(engine: &str) {
    let portal = portal(engine, 1, &["--api-rate-per-key", "1"]).await;
    let key = key(&portal, &[Scope::WabasRead]).await;
    let other = self::key(&portal, &[Scope::WabasRead]).await;
    let http = reqwest::Client::new();
    let url = format!("{}/wabas", base(&portal));
    let mut limited = None;
    for _ in 0..5 {
        let response = http.get(&url).bearer_auth(&key).send().await.unwrap();
        if response.status() == 429 {
            limited = Some(response);
            break;
        }
    }
    let response = limited.expect("a burst of 2 at 1/s is limited by the 5th request");
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry), "{retry}");
    assert_eq!(problem(response).await.1, "limited");
    assert_eq!(
        http.get(&url)
            .bearer_auth(&other)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

async fn post_json(portal: &SandboxPortal, key: &str, path: &str, body: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}{path}", base(portal)))
        .bearer_auth(key)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

async fn intents_ask_eligible_businesses_and_refuse_the_rest_with_the_reason(engine: &str) {
    let portal = portal(engine, 120, &[]).await;
    // The same customers on Meta's side, so the Intent API requests succeed.
    mm_portal::sandbox::seed::seed_customers(&portal.portal.database, 120, |_| {})
        .await
        .unwrap();
    let key = key(&portal, &[Scope::IntentsWrite]).await;
    let reader = self::key(&portal, &[Scope::WabasRead]).await;
    let database = &portal.portal.database;
    let http = reqwest::Client::new();
    let ask = |business: String, key: String| {
        let http = http.clone();
        let url = format!("{}/businesses/{business}/intent", base(&portal));
        async move { http.post(url).bearer_auth(key).send().await.unwrap() }
    };
    // Customer 3 is ELIGIBLE, customer 0 ONBOARDED (see seed::synthetic).
    let eligible = mm_portal::seed::synthetic(3, 0).meta_business_id;
    let onboarded = mm_portal::seed::synthetic(0, 0).meta_business_id;
    assert_eq!(
        problem(ask(eligible.clone(), reader.clone()).await).await.0,
        403
    );
    let (status, kind, detail) = problem(ask(onboarded.clone(), key.clone()).await).await;
    assert_eq!((status.as_u16(), kind.as_str()), (409, "eligible"));
    assert!(detail.contains("onboarded"), "{detail}");
    assert_eq!(problem(ask("999".into(), key.clone()).await).await.0, 404);
    assert_eq!(
        support::count(database, "SELECT COUNT(*) FROM intent_requests").await,
        0
    );

    let response = ask(eligible.clone(), key.clone()).await;
    assert_eq!(response.status(), 202);
    let queued: Value = response.json().await.unwrap();
    assert_eq!(queued["state"], "queued");
    assert_eq!(queued["business_id"], eligible.as_str());
    let (status, _, detail) = problem(ask(eligible.clone(), key.clone()).await).await;
    assert_eq!(status, 409, "asked twice");
    assert!(detail.contains("already"), "{detail}");
    let (status, state) = get(
        &portal,
        Some(&key),
        &format!("/businesses/{eligible}/intent"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        ["queued", "sending", "sent"].contains(&state["state"].as_str().unwrap()),
        "{state}"
    );
    let never = format!("/businesses/{onboarded}/intent");
    assert_eq!(get(&portal, Some(&key), &never).await.0, 404);

    // Bad bodies change nothing.
    let before = support::count(database, "SELECT COUNT(*) FROM intent_requests").await;
    let unknown = post_json(
        &portal,
        &key,
        "/intents",
        r#"{"filter": {"staus": "ELIGIBLE"}}"#,
    )
    .await;
    let (status, _, detail) = problem(unknown).await;
    assert_eq!(status, 400);
    assert!(detail.contains("staus"), "{detail}");
    let (status, _, _) = problem(post_json(&portal, &key, "/intents", "{\"filter\": ").await).await;
    assert_eq!(status, 400);
    let plain = http
        .post(format!("{}/intents", base(&portal)))
        .bearer_auth(&key)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(plain).await.0, 415);
    let huge = format!(r#"{{"filter": {{"status": "{}"}}}}"#, "E".repeat(100_000));
    assert_eq!(
        problem(post_json(&portal, &key, "/intents", &huge).await)
            .await
            .0,
        413
    );
    assert_eq!(
        support::count(database, "SELECT COUNT(*) FROM intent_requests").await,
        before
    );

    let response = post_json(
        &portal,
        &key,
        "/intents",
        r#"{"filter": {"status": "ELIGIBLE"}}"#,
    )
    .await;
    assert_eq!(response.status(), 202);
    let bulk: Value = response.json().await.unwrap();
    assert_eq!(bulk["matched"], 12);
    assert_eq!(
        bulk["queued"], 11,
        "the one already asked is skipped: {bulk}"
    );
    // "A request is already queued…" or, once the sender got to it, "Already asked…".
    assert!(
        bulk["skipped"][0]["reason"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("already"),
        "{bulk}"
    );
    let batch = bulk["batch"].as_str().unwrap();
    let (status, progress) = get(&portal, Some(&key), &format!("/intents/{batch}")).await;
    assert_eq!(status, 200);
    let total: i64 = ["queued", "sending", "sent", "failed", "cancelled"]
        .iter()
        .map(|s| progress[s].as_i64().unwrap())
        .sum();
    assert_eq!(total, 11, "{progress}");
    assert_eq!(get(&portal, Some(&key), "/intents/nope").await.0, 404);
    let none = post_json(
        &portal,
        &key,
        "/intents",
        r#"{"filter": {"status": "ONBOARDED"}}"#,
    )
    .await;
    assert_eq!(problem(none).await.0, 409);
    let audit = database.store.list_audit(None, 20).await.unwrap();
    assert!(audit
        .iter()
        .any(|a| a.action == "intent.bulk" && a.actor.starts_with("api-key:")));
}

crate::support::on_both_engines!(
    keys_and_scopes_decide_who_gets_in,
    the_waba_list_filters_and_pages,
    one_waba_and_its_timeline,
    the_token_hand_off_is_off_until_an_admin_turns_it_on,
    every_use_is_recorded_with_scope_route_and_address,
    a_key_over_its_rate_gets_429_with_retry_after,
    intents_ask_eligible_businesses_and_refuse_the_rest_with_the_reason,
);

/// The document is OpenAPI 3.1, and every route it lists is served (behind the key check,
/// not a 404), and a route it does not list is not.
#[tokio::test]
async fn the_openapi_document_is_3_1_and_lists_every_route() {
    let portal = portal("sqlite", 0, &[]).await;
    let http = reqwest::Client::new();
    let doc: Value = http
        .get(format!("{}/openapi.json", base(&portal)))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    assert_eq!(doc["servers"][0]["url"], "/api/v1");
    let served = mm_portal::partner_api::openapi();
    let served = serde_json::to_value(&served).unwrap();
    assert_eq!(served["paths"], doc["paths"]);
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            operations += 1;
            let concrete = path
                .replace("{waba_id}", "1")
                .replace("{business_id}", "1")
                .replace("{id}", "1")
                .replace("{batch}", "1");
            let url = format!("{}{concrete}", base(&portal));
            let request = http.request(method.to_uppercase().parse().unwrap(), &url);
            let status = request.send().await.unwrap().status();
            assert_eq!(
                status, 401,
                "{method} {path} is documented but not served behind the key check"
            );
            let security = &item[method]["security"][0]["api_key"];
            let scope = security[0].as_str().unwrap_or_default();
            assert!(
                Scope::parse(scope).is_some(),
                "{method} {path} names its scope"
            );
        }
    }
    assert!(operations >= 4, "{operations}");
    let response = http
        .get(format!("{}/nowhere", base(&portal)))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(response).await.0, 404);
    let page = http
        .get(format!("{}/docs", base(&portal)))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("/wabas/{waba_id}/token"));
    assert!(page.contains("id=\"problem-missing-scope\""));
}
