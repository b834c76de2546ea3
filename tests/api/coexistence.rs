//! Coexistence onboarding on both engines, over real HTTP (docs/meta/coexistence-sync.md):
//! the pipeline asks Meta (the simulator) for the Business app's contacts and chat history,
//! once each; the three coexistence webhooks are stored and counted; a business that does not
//! share its history is said so; and once the 24 hours have passed the step stops with
//! Meta's rule instead of asking.

use mm_portal::db::engine::query;
use mm_portal::db::{now_millis, CoexistenceStore, CoexistenceSync, StepStore, WabaStore};
use mm_portal::signup::pipeline::{repeat, resume, Step};
use serde_json::{json, Value};

use crate::signup_links::{complete, server_fn};
use crate::support::{self, eventually_some, on_both_engines, SandboxPortal};

async fn tester(portal: &SandboxPortal, path: &str, body: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}sandbox/api/{path}", portal.portal.url))
        .json(&body)
        .send()
        .await
        .unwrap();
    (
        response.status().as_u16(),
        response.json().await.unwrap_or(Value::Null),
    )
}

/// A coexistence business signs up; its WABA's id and Meta's ids.
async fn coexistence_signup(portal: &SandboxPortal, name: &str) -> (i64, Value) {
    let (status, created) = tester(
        portal,
        "signups",
        json!({"business_name": name, "phone_number": "+55 11 96666 0101", "coexistence": true}),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let (_, body) = server_fn(portal, "signup_start", &[]).await;
    let nonce: String = serde_json::from_str(&body).unwrap();
    let (status, answer) = complete(portal, &nonce, created["code"].as_str().unwrap()).await;
    assert_eq!(status, 200, "{answer}");
    let store = portal.portal.database.store.clone();
    let meta = created["waba_id"].as_str().unwrap().to_string();
    let waba = eventually_some(|| async { store.waba_by_meta_id(&meta).await.ok()? }).await;
    (waba.id, created)
}

async fn sync_until(
    portal: &SandboxPortal,
    waba: i64,
    done: impl Fn(&CoexistenceSync) -> bool,
) -> CoexistenceSync {
    let store = portal.portal.database.store.clone();
    eventually_some(|| async {
        store
            .coexistence_get(waba)
            .await
            .ok()
            .flatten()
            .filter(|s| done(s))
    })
    .await
}

async fn step(portal: &SandboxPortal, waba: i64, state: &str) -> String {
    let store = portal.portal.database.store.clone();
    eventually_some(|| async {
        store
            .steps_for_waba(waba)
            .await
            .ok()?
            .into_iter()
            .find(|s| s.step == Step::SyncAppData.as_str() && s.state == state)
            .map(|s| s.detail.unwrap_or_default())
    })
    .await
}

// Long on purpose: the whole sync, its webhooks, a repeat and the deadline.
async fn the_business_apps_contacts_and_history_are_synced_once_within_24_hours(engine: &str) {
    let portal = support::sandbox_portal_on(engine).await;
    let (waba, created) = coexistence_signup(&portal, "Coexistence Café").await;
    step(&portal, waba, "done").await;
    // Both requests accepted, and Meta's webhooks counted.
    let synced = sync_until(&portal, waba, |s| {
        s.contacts == 3 && s.history_progress == Some(100)
    })
    .await;
    let started = synced.started_at.unwrap();
    assert!(synced.contacts_request_id.is_some() && synced.history_request_id.is_some());
    assert_eq!((synced.contact_webhooks, synced.history_webhooks), (1, 2));
    assert_eq!(synced.history_messages, 2);
    assert!(synced.history_error.is_none());
    assert!(now_millis() - started < 60_000);

    // A message sent from the Business app is counted too.
    let phone = created["phone_number_id"].as_str().unwrap();
    let (status, _) = tester(
        &portal,
        &format!("phones/{phone}/echo"),
        json!({"to": "+1 650 555 1234", "text": "Here's the info you requested"}),
    )
    .await;
    assert_eq!(status, 202);
    sync_until(&portal, waba, |s| s.echoes == 1).await;

    // Running the step again asks Meta nothing more: the requests are recorded.
    let store = portal.portal.database.store.clone();
    repeat(store.as_ref(), waba, Step::SyncAppData, "test")
        .await
        .unwrap();
    step(&portal, waba, "done").await;
    let again = sync_until(&portal, waba, |_| true).await;
    assert_eq!(again.contacts_request_id, synced.contacts_request_id);
    assert_eq!(again.contact_webhooks, 1, "no second contact sync");

    // A Cloud API number has nothing to sync.
    let plain = support::sandbox_signup(
        portal.portal.url.as_str(),
        "Plain Pies",
        "+55 11 95555 0199",
    )
    .await;
    let (_, body) = server_fn(&portal, "signup_start", &[]).await;
    let nonce: String = serde_json::from_str(&body).unwrap();
    complete(&portal, &nonce, plain["code"].as_str().unwrap()).await;
    let meta = plain["waba_id"].as_str().unwrap().to_string();
    let plain = eventually_some(|| async { store.waba_by_meta_id(&meta).await.ok()? }).await;
    assert!(step(&portal, plain.id, "skipped")
        .await
        .contains("nothing to sync"));
}

async fn declined_history_and_the_deadline_are_told(engine: &str) {
    let portal = support::sandbox_portal_on(engine).await;
    let (waba, _) = coexistence_signup(&portal, "Private Bakery (no history)").await;
    let declined = sync_until(&portal, waba, |s| s.history_error.is_some()).await;
    assert!(
        declined
            .history_error
            .as_deref()
            .unwrap()
            .contains("2593109"),
        "{declined:?}"
    );

    // Meta refuses the first request; by the time staff resume, the 24 hours have passed.
    let (status, _) = tester(
        &portal,
        "faults",
        json!({"operation": "smb_app_data", "kind": "permanent", "count": 1}),
    )
    .await;
    assert_eq!(status, 204);
    let (late, _) = coexistence_signup(&portal, "Late Lanterns").await;
    step(&portal, late, "failed").await;
    query("UPDATE coexistence_syncs SET started_at = $1 WHERE waba_id = $2")
        .bind(now_millis() - 25 * 3600 * 1000)
        .bind(late)
        .execute(portal.portal.database.store.pool())
        .await
        .unwrap();
    let store = portal.portal.database.store.clone();
    resume(store.as_ref(), late, "test").await.unwrap();
    let detail = eventually_some(|| async {
        let steps = store.steps_for_waba(late).await.ok()?;
        steps
            .into_iter()
            .find(|s| {
                s.step == Step::SyncAppData.as_str()
                    && s.detail.as_deref().is_some_and(|d| d.contains("24 hours"))
            })
            .map(|s| (s.state, s.detail.unwrap()))
    })
    .await;
    assert_eq!(detail.0, "failed");
    assert!(detail.1.contains("offboard"), "{}", detail.1);
    let sync = store.coexistence_get(late).await.unwrap().unwrap();
    assert!(
        sync.contacts_request_id.is_none(),
        "nothing asked after the window"
    );
}

on_both_engines!(
    the_business_apps_contacts_and_history_are_synced_once_within_24_hours,
    declined_history_and_the_deadline_are_told
);
