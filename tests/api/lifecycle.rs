//! The offboarding and reconnect lifecycle on both engines, end to end over real HTTP: a
//! business signs up through a link, then the simulator plays Meta's `account_update` events
//! (docs/meta/offboarding.md). The WABA's `connection` follows them in the partner API (and
//! its filter), the public status page says it in plain words, a step that ran while Meta had
//! offboarded the WABA stops without using the token and resumes by itself on
//! `ACCOUNT_RECONNECTED`, and a removed WABA's token is no longer handed out.

use app::api_keys::port::{Scope, TOKEN_HANDOFF_SETTING};
use mm_portal::db::engine::query_scalar;
use mm_portal::db::{SettingStore, StepStore, TimelineStore, WabaStore};
use mm_portal::signup::pipeline::{repeat, Step};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::signup_links::{complete, make_link, sandbox_code, start, token};
use crate::support::{self, eventually_some, on_both_engines, SandboxPortal};

fn api(portal: &SandboxPortal, path: &str) -> String {
    format!("{}api/v1{path}", portal.portal.url)
}

async fn get(portal: &SandboxPortal, key: &str, path: &str) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .get(api(portal, path))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    (
        response.status(),
        response.json().await.unwrap_or(Value::Null),
    )
}

/// Plays `event` for `waba` in the simulator (202), which sends the webhook.
async fn play(portal: &SandboxPortal, waba: &str, event: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!(
            "{}sandbox/api/wabas/{waba}/account-update",
            portal.portal.url
        ))
        .json(&json!({ "event": event }))
        .send()
        .await
        .unwrap();
    (
        response.status().as_u16(),
        response.json().await.unwrap_or(Value::Null),
    )
}

/// Waits until the partner API shows `connection` for `waba`; the WABA object.
async fn connection_becomes(
    portal: &SandboxPortal,
    key: &str,
    waba: &str,
    connection: &str,
) -> Value {
    eventually_some(|| async {
        let (_, body) = get(portal, key, &format!("/wabas/{waba}")).await;
        (body["connection"] == connection).then_some(body)
    })
    .await
}

async fn ids_with(portal: &SandboxPortal, key: &str, connection: &str) -> Vec<String> {
    let (status, page) = get(portal, key, &format!("/wabas?connection={connection}")).await;
    assert_eq!(status, 200, "{page}");
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["waba_id"].as_str().unwrap().to_string())
        .collect()
}

async fn step_state(portal: &SandboxPortal, waba: i64, step: Step) -> Option<(String, String)> {
    let steps = portal
        .portal
        .database
        .store
        .steps_for_waba(waba)
        .await
        .unwrap();
    steps
        .into_iter()
        .find(|s| s.step == step.as_str())
        .map(|s| (s.state, s.detail.unwrap_or_default()))
}

async fn events_of(portal: &SandboxPortal, kind: &str, waba: i64) -> i64 {
    query_scalar("SELECT COUNT(*) FROM events WHERE type = $1 AND waba_id = $2")
        .bind(kind)
        .bind(waba)
        .fetch_one(portal.portal.database.store.pool())
        .await
        .unwrap()
}

// Long on purpose: one business's whole lifecycle, each event checked where it shows.
async fn a_wabas_connection_follows_metas_lifecycle_events(engine: &str) {
    let portal = support::sandbox_portal_on(engine).await;
    let key = support::api_key(
        &portal,
        &[
            Scope::WabasRead,
            Scope::SignupsWrite,
            Scope::SignupsRead,
            Scope::TokensRead,
        ],
    )
    .await;
    let (status, link) = make_link(&portal, &key, json!({"customer_id": "crm-life"})).await;
    assert_eq!(status, 201, "{link}");
    let (_, nonce) = start(&portal, &token(&link)).await;
    let code = sandbox_code(&portal, "Lifecycle Shoes").await;
    let (status, answer) = complete(&portal, &nonce, &code).await;
    assert_eq!(status, 200, "{answer}");
    let status_key: String = serde_json::from_str(&answer).unwrap();

    // The pipeline finishes and the business is ready, connected.
    let ready = eventually_some(|| async {
        let (_, page) = get(&portal, &key, "/wabas?customer_id=crm-life").await;
        let id = page["data"][0]["waba_id"].as_str()?.to_string();
        let (_, waba) = get(&portal, &key, &format!("/wabas/{id}")).await;
        (waba["ready"] == true).then_some(waba)
    })
    .await;
    assert_eq!(ready["connection"], "connected");
    let waba_id = ready["waba_id"].as_str().unwrap().to_string();
    let store = portal.portal.database.store.clone();
    let local = store.waba_by_meta_id(&waba_id).await.unwrap().unwrap().id;
    assert!(ids_with(&portal, &key, "connected")
        .await
        .contains(&waba_id));

    // Offboarded (a device change): shown everywhere, announced, and not ready.
    assert_eq!(play(&portal, &waba_id, "ACCOUNT_OFFBOARDED").await.0, 202);
    let offboarded = connection_becomes(&portal, &key, &waba_id, "offboarded").await;
    assert_eq!(offboarded["ready"], false);
    assert_eq!(
        ids_with(&portal, &key, "offboarded").await,
        vec![waba_id.clone()]
    );
    assert!(!ids_with(&portal, &key, "connected")
        .await
        .contains(&waba_id));
    let page = reqwest::get(format!("{}status/{status_key}", portal.portal.url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("reconnect it"),
        "the status page tells the business what to do"
    );
    assert_eq!(events_of(&portal, "waba.offboarded", local).await, 1);

    // A step run while offboarded stops without calling Meta, and says why.
    repeat(store.as_ref(), local, Step::CheckEligibility, "test")
        .await
        .unwrap();
    let (_, detail) = eventually_some(|| async {
        step_state(&portal, local, Step::CheckEligibility)
            .await
            .filter(|(state, _)| state == "failed")
    })
    .await;
    assert!(detail.contains("ACCOUNT_OFFBOARDED"), "{detail}");

    // Reconnected: connected again and the stopped step resumed by itself.
    assert_eq!(play(&portal, &waba_id, "ACCOUNT_RECONNECTED").await.0, 202);
    connection_becomes(&portal, &key, &waba_id, "connected").await;
    eventually_some(|| async {
        step_state(&portal, local, Step::CheckEligibility)
            .await
            .filter(|(state, _)| state == "done")
    })
    .await;
    let timeline = store.timeline_for_waba(local, 50).await.unwrap();
    assert!(
        timeline
            .iter()
            .any(|t| t.kind == "pipeline.resumed" && t.actor == "Meta (ACCOUNT_RECONNECTED)"),
        "the reconnect resumed the pipeline"
    );
    // The simulator refuses a reconnect of a WABA that is not offboarded.
    assert_eq!(play(&portal, &waba_id, "ACCOUNT_RECONNECTED").await.0, 409);

    // Removed: its token is no longer handed out, and the page says so.
    store
        .setting_put(TOKEN_HANDOFF_SETTING, "true", "admin@example.com")
        .await
        .unwrap();
    let take = || {
        reqwest::Client::new()
            .post(api(&portal, &format!("/wabas/{waba_id}/token")))
            .bearer_auth(&key)
            .send()
    };
    assert_eq!(take().await.unwrap().status(), 200, "connected: handed out");
    assert_eq!(play(&portal, &waba_id, "PARTNER_REMOVED").await.0, 202);
    connection_becomes(&portal, &key, &waba_id, "removed").await;
    let refused = take().await.unwrap();
    assert_eq!(refused.status(), 409);
    let problem: Value = refused.json().await.unwrap();
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("PARTNER_REMOVED"),
        "{problem}"
    );
    assert_eq!(events_of(&portal, "waba.offboarded", local).await, 2);

    // Shared again, the app uninstalled and installed, then the WABA deleted: each event
    // leaves its word, and each disconnection is announced.
    for (event, connection) in [
        ("PARTNER_ADDED", "connected"),
        ("PARTNER_APP_UNINSTALLED", "uninstalled"),
        ("PARTNER_APP_INSTALLED", "connected"),
        ("ACCOUNT_DELETED", "deleted"),
    ] {
        assert_eq!(play(&portal, &waba_id, event).await.0, 202, "{event}");
        connection_becomes(&portal, &key, &waba_id, connection).await;
    }
    assert_eq!(events_of(&portal, "waba.offboarded", local).await, 4);
    assert_eq!(
        ids_with(&portal, &key, "deleted").await,
        vec![waba_id.clone()]
    );
    assert_eq!(
        play(&portal, &waba_id, "SOMETHING_ELSE").await.0,
        400,
        "an unknown event is refused with the list"
    );
    let (status, problem) = get(&portal, &key, "/wabas?connection=gone").await;
    assert_eq!(status, 400, "{problem}");
}

on_both_engines!(a_wabas_connection_follows_metas_lifecycle_events);
