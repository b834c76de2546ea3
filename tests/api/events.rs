//! Portal events on both engines, over real HTTP: a signup told as Standard Webhooks events to
//! a receiver written from the specification, in each WABA's sequence; the outbox holding an
//! event exactly when its change committed; failing endpoints retried, filtered, replayed and
//! their secret rotated with overlap; and every event delivered across `kill -9`.

use std::collections::{BTreeSet, HashSet};
use std::time::{Duration, Instant};

use app::api_keys::port::Scope;
use mm_portal::db::engine::{query, query_scalar};
use mm_portal::db::{now_millis, Database};
use serde_json::{json, Value};

use crate::signup_links::{complete, make_link, sandbox_code, start, token};
use crate::support::receiver::{call, standard_signature_holds, Received, Receiver, Restartable};
use crate::support::{self, on_both_engines, SandboxPortal};

async fn endpoint(portal: &SandboxPortal, key: &str, url: &str, events: Value) -> Value {
    let (status, made) = call(
        portal,
        key,
        reqwest::Method::POST,
        "/event-endpoints",
        Some(json!({"url": url, "events": events})),
    )
    .await;
    assert_eq!(status, 201, "{made}");
    assert!(made["secret"].as_str().unwrap().starts_with("whsec_"));
    made
}

fn parsed(received: &Received) -> Value {
    serde_json::from_slice(&received.body).unwrap()
}

fn header(received: &Received, name: &str) -> String {
    received.headers[name].to_str().unwrap().to_string()
}

/// A business and its WABA, written as the pipeline writes them (the insert is an event).
async fn new_waba(database: &Database, meta_id: &str) -> i64 {
    let now = now_millis();
    let business: i64 = query_scalar(
        "INSERT INTO businesses (meta_business_id, name, created_at, updated_at)
         VALUES ($1, 'Events Ltd', $2, $2) RETURNING id",
    )
    .bind(format!("b-{meta_id}"))
    .bind(now)
    .fetch_one(database.store.pool())
    .await
    .unwrap();
    query_scalar(
        "INSERT INTO wabas (meta_waba_id, business_id, name, onboarding_status, created_at,
                            updated_at)
         VALUES ($1, $2, 'Events WABA', 'PENDING_INTERNAL_SETUP', $3, $3) RETURNING id",
    )
    .bind(meta_id)
    .bind(business)
    .bind(now)
    .fetch_one(database.store.pool())
    .await
    .unwrap()
}

const SET_STATUS: &str = "UPDATE wabas SET onboarding_status = $1, updated_at = $2 WHERE id = $3";

async fn set_status(database: &Database, waba: i64, status: &str) {
    query(SET_STATUS)
        .bind(status)
        .bind(now_millis())
        .bind(waba)
        .execute(database.store.pool())
        .await
        .unwrap();
}

async fn a_signup_is_told_as_signed_events_in_each_wabas_sequence(engine: &str) {
    let portal = support::sandbox_portal_on(engine).await;
    let key = support::api_key(&portal, &[Scope::EventsManage, Scope::SignupsWrite]).await;
    let receiver = Receiver::start(0).await;
    let made = endpoint(&portal, &key, &receiver.url, json!(["*"])).await;
    let secret = made["secret"].as_str().unwrap().to_string();

    let (status, link) = make_link(&portal, &key, json!({"customer_id": "crm-9"})).await;
    assert_eq!(status, 201, "{link}");
    let (_, nonce) = start(&portal, &token(&link)).await;
    let code = sandbox_code(&portal, "Evented Shoes").await;
    let (status, answer) = complete(&portal, &nonce, &code).await;
    assert_eq!(status, 200, "{answer}");

    // Waits for waba.ready: the terms webhook, the registered number and the token.
    let deadline = Instant::now() + Duration::from_secs(30);
    let got = loop {
        let got = receiver.accepted();
        if got.iter().any(|r| parsed(r)["type"] == "waba.ready") {
            break got;
        }
        assert!(
            Instant::now() < deadline,
            "no waba.ready in {} events",
            got.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let mut ids = HashSet::new();
    for received in &got {
        assert!(
            standard_signature_holds(&secret, &received.headers, &received.body),
            "every event is signed with the endpoint's secret"
        );
        assert!(
            received.body.starts_with(br#"{"type":""#),
            "type, timestamp, data"
        );
        let event = parsed(received);
        assert!(event["timestamp"].as_str().unwrap().ends_with('Z'));
        assert!(event["data"].is_object());
        assert!(header(received, "webhook-id").starts_with("evt_"));
        ids.insert(header(received, "webhook-id"));
    }
    assert_eq!(ids.len(), got.len(), "one id per event");
    let types: BTreeSet<String> = got
        .iter()
        .map(|r| parsed(r)["type"].as_str().unwrap().to_string())
        .collect();
    for expected in [
        "signup.started",
        "signup.completed",
        "waba.status_changed",
        "waba.ready",
    ] {
        assert!(
            types.contains(expected),
            "{expected} missing from {types:?}"
        );
    }
    let started = got
        .iter()
        .map(parsed)
        .find(|e| e["type"] == "signup.started")
        .unwrap();
    assert_eq!(started["data"]["customer_id"], "crm-9");
    let ready = got
        .iter()
        .map(parsed)
        .find(|e| e["type"] == "waba.ready")
        .unwrap();
    assert_eq!(ready["data"]["customer_id"], "crm-9");
    let waba = ready["data"]["waba_id"].as_str().unwrap().to_string();

    // The WABA's events are numbered 1, 2, 3… with no gap; in that order the signup completed
    // before the WABA was ready.
    let mut of_waba: Vec<Value> = got
        .iter()
        .map(parsed)
        .filter(|e| e["data"]["waba_id"] == waba.as_str())
        .collect();
    of_waba.sort_by_key(|e| e["data"]["sequence"].as_i64().unwrap());
    let sequence: Vec<i64> = of_waba
        .iter()
        .map(|e| e["data"]["sequence"].as_i64().unwrap())
        .collect();
    assert_eq!(sequence, (1..=of_waba.len() as i64).collect::<Vec<_>>());
    let position = |kind: &str| of_waba.iter().position(|e| e["type"] == kind).unwrap();
    assert!(position("signup.completed") < position("waba.ready"));
    assert!(of_waba.iter().all(|e| e["type"] != "waba.needs_attention"));

    // What was sent is what the outbox holds, and the delivery log has each attempt (the
    // portal records an attempt after the receiver counted it: polled until they agree).
    let path = format!("/event-endpoints/{}/deliveries?limit=100", made["id"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (status, listed) = call(
            &portal,
            &key,
            reqwest::Method::GET,
            "/events?limit=100",
            None,
        )
        .await;
        assert_eq!(status, 200, "{listed}");
        let listed: HashSet<String> = listed["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_string())
            .collect();
        let sent: HashSet<String> = receiver
            .accepted()
            .iter()
            .map(|r| header(r, "webhook-id"))
            .collect();
        let (_, log) = call(&portal, &key, reqwest::Method::GET, &path, None).await;
        let log = log["data"].as_array().unwrap().clone();
        let agreed = sent == listed && log.len() == sent.len();
        if agreed || Instant::now() > deadline {
            assert_eq!(sent, listed);
            assert_eq!(log.len(), sent.len(), "one attempt each");
            assert!(log.iter().all(|d| d["ok"] == true && d["error"].is_null()));
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn an_event_exists_exactly_when_its_change_committed(engine: &str) {
    let portal = support::sandbox_portal_on(engine).await;
    let database = &portal.portal.database;
    let waba = new_waba(database, "900001").await;
    let events = || support::count(database, "SELECT COUNT(*) FROM events");
    let before = events().await;

    // Rolled back: the change and its event are both gone.
    let mut tx = database.store.pool().begin().await.unwrap();
    query(SET_STATUS)
        .bind("ELIGIBLE")
        .bind(now_millis())
        .bind(waba)
        .execute(&mut tx)
        .await
        .unwrap();
    drop(tx);
    assert_eq!(
        events().await,
        before,
        "no event for a change that did not commit"
    );

    // A transaction that fails after the change: nothing either.
    let mut tx = database.store.pool().begin().await.unwrap();
    query(SET_STATUS)
        .bind("ELIGIBLE")
        .bind(now_millis())
        .bind(waba)
        .execute(&mut tx)
        .await
        .unwrap();
    let duplicate = query(
        "INSERT INTO wabas (meta_waba_id, business_id, name, created_at, updated_at)
         VALUES ('900001', 1, 'twin', 1, 1)",
    )
    .execute(&mut tx)
    .await;
    assert!(duplicate.is_err());
    drop(tx);
    assert_eq!(events().await, before);

    // Committed: exactly one event, with the previous value.
    set_status(database, waba, "ELIGIBLE").await;
    assert_eq!(events().await, before + 1);
    // The same value again changes nothing, so it is no event.
    set_status(database, waba, "ELIGIBLE").await;
    assert_eq!(events().await, before + 1);
    let data: String = query_scalar("SELECT data FROM events ORDER BY id DESC LIMIT 1")
        .fetch_one(database.store.pool())
        .await
        .unwrap();
    let data: Value = serde_json::from_str(&data).unwrap();
    assert_eq!(data["onboarding_status"], "ELIGIBLE");
    assert_eq!(
        data["previous"]["onboarding_status"],
        "PENDING_INTERNAL_SETUP"
    );
    let types: Vec<String> = {
        let rows: Vec<(String, Option<i64>)> = mm_portal::db::engine::query_as(
            "SELECT type, waba_seq FROM events WHERE waba_id = $1 ORDER BY id",
        )
        .bind(waba)
        .fetch_all(database.store.pool())
        .await
        .unwrap();
        assert_eq!(
            rows.iter().map(|r| r.1).collect::<Vec<_>>(),
            vec![Some(1), Some(2)],
            "the WABA's sequence has no gap for the rolled-back changes"
        );
        rows.into_iter().map(|r| r.0).collect()
    };
    assert_eq!(types, vec!["waba.status_changed", "waba.status_changed"]);
}

async fn failing_endpoints_are_retried_filtered_replayed_and_rotated(engine: &str) {
    let portal = support::sandbox_portal_on(engine).await;
    let database = &portal.portal.database;
    let key = support::api_key(&portal, &[Scope::EventsManage]).await;
    let receiver = Receiver::start(2).await;
    let made = endpoint(&portal, &key, &receiver.url, json!(["waba.*"])).await;
    let old_secret = made["secret"].as_str().unwrap().to_string();
    let id = made["id"].as_i64().unwrap();
    let path = format!("/event-endpoints/{id}");
    let since = mm_portal::partner_api::page::timestamp(now_millis() - 1);

    // A signup event (not asked for) and a WABA event (asked for).
    query(
        "INSERT INTO signups (nonce, status_key, feature_type, stage, created_at, updated_at)
         VALUES ('n-events', 's-events', 'marketing_messages_lite', 'started', $1, $1)",
    )
    .bind(now_millis())
    .execute(database.store.pool())
    .await
    .unwrap();
    let waba = new_waba(database, "900002").await;
    let got = receiver.wait_for(1).await;
    assert_eq!(got.len(), 1, "delivered after two refusals");
    assert_eq!(*receiver.refused.lock().unwrap(), 2);
    let first = parsed(&got[0]);
    assert_eq!(first["type"], "waba.status_changed");
    assert_eq!(first["data"]["waba_id"], "900002");
    let event_id = header(&got[0], "webhook-id");
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Delivery is at least once (a round whose record fails is sent again), so the check is
    // on what was sent, not on how often.
    assert!(
        receiver
            .accepted()
            .iter()
            .all(|r| parsed(r)["type"] == "waba.status_changed"),
        "signup.started is not for waba.*"
    );

    // The receiver counts a delivery before the portal records its answer: wait for that.
    let deadline = Instant::now() + Duration::from_secs(30);
    let shown = loop {
        let (_, shown) = call(&portal, &key, reqwest::Method::GET, &path, None).await;
        if shown["delivered"] == 1 || Instant::now() > deadline {
            break shown;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(
        (
            shown["delivered"].as_i64(),
            shown["failed_attempts"].as_i64()
        ),
        (Some(1), Some(2)),
        "{shown}"
    );
    assert_eq!(shown["waiting_retries"], 0);
    assert!(shown.get("secret").is_none(), "shown once");
    let (_, log) = call(
        &portal,
        &key,
        reqwest::Method::GET,
        &format!("{path}/deliveries?limit=2"),
        None,
    )
    .await;
    let page = log["data"].as_array().unwrap();
    assert_eq!(page.len(), 2);
    assert_eq!(
        (page[0]["ok"].as_bool(), page[0]["event_id"].as_str()),
        (Some(true), Some(event_id.as_str()))
    );
    assert!(page[1]["error"].as_str().unwrap().contains("500"), "{log}");
    let cursor = log["next_cursor"].as_str().unwrap();
    let (_, rest) = call(
        &portal,
        &key,
        reqwest::Method::GET,
        &format!("{path}/deliveries?cursor={cursor}"),
        None,
    )
    .await;
    assert_eq!(rest["data"].as_array().unwrap().len(), 1, "{rest}");
    assert_eq!(rest["next_cursor"], Value::Null);

    // Replayed by id: the same id and the same bytes again (counted before asking, so a
    // replay that arrives before the answer is not missed).
    let before = receiver.accepted().len();
    let (status, answer) = call(
        &portal,
        &key,
        reqwest::Method::POST,
        &format!("{path}/replay"),
        Some(json!({"event_ids": [event_id]})),
    )
    .await;
    assert_eq!(
        (status, answer["replayed"].as_i64()),
        (202, Some(1)),
        "{answer}"
    );
    let got = receiver.wait_for(before + 1).await;
    assert!(got.len() > before, "replayed by id");
    assert_eq!(header(&got[before], "webhook-id"), event_id);
    assert_eq!(got[before].body, got[0].body);
    for bad in [
        json!({}),
        json!({"since": "yesterday"}),
        json!({"event_ids": []}),
    ] {
        let (status, problem) = call(
            &portal,
            &key,
            reqwest::Method::POST,
            &format!("{path}/replay"),
            Some(bad),
        )
        .await;
        assert_eq!(status, 400, "{problem}");
    }
    // Replayed from a time: everything since, filtered as before.
    let before = receiver.accepted().len();
    let (status, answer) = call(
        &portal,
        &key,
        reqwest::Method::POST,
        &format!("{path}/replay"),
        Some(json!({"since": since})),
    )
    .await;
    assert_eq!(status, 202, "{answer}");
    assert!(answer["replayed"].as_i64().unwrap() >= 1);
    let got = receiver.wait_for(before + 1).await;
    assert!(got.len() > before, "replayed since");
    assert_eq!(header(&got[before], "webhook-id"), event_id);

    // Rotated: for the overlap, each request is signed with the new and the old secret.
    let (status, rotated) = call(
        &portal,
        &key,
        reqwest::Method::POST,
        &format!("{path}/rotate-secret"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{rotated}");
    let new_secret = rotated["secret"].as_str().unwrap().to_string();
    assert_ne!(new_secret, old_secret);
    assert!(rotated["previous_secret_expires_at"].as_str().is_some());
    tokio::time::sleep(Duration::from_millis(1500)).await;
    set_status(database, waba, "ELIGIBLE").await;
    let got = receiver
        .wait_until(|got| got.iter().any(|r| parsed(r)["data"]["sequence"] == 2))
        .await;
    let second = got
        .iter()
        .find(|r| parsed(r)["data"]["sequence"] == 2)
        .expect("the WABA's second event arrives");
    assert!(standard_signature_holds(
        &new_secret,
        &second.headers,
        &second.body
    ));
    assert!(standard_signature_holds(
        &old_secret,
        &second.headers,
        &second.body
    ));

    // Bad endpoints are refused with the reason; the scope is needed.
    for (body, says) in [
        (
            json!({"url": receiver.url, "events": ["waba.exploded"]}),
            "waba.exploded",
        ),
        (json!({"url": receiver.url, "events": []}), "at least one"),
        (
            json!({"url": "ftp://x.example/e", "events": ["*"]}),
            "http or https",
        ),
        (
            json!({"url": receiver.url, "events": ["*"], "secret": "mine"}),
            "secret",
        ),
    ] {
        let (status, problem) = call(
            &portal,
            &key,
            reqwest::Method::POST,
            "/event-endpoints",
            Some(body),
        )
        .await;
        assert_eq!(status, 400, "{problem}");
        assert!(
            problem["detail"].as_str().unwrap().contains(says),
            "{problem}"
        );
    }
    let reader = support::api_key(&portal, &[Scope::WabasRead]).await;
    let (status, _) = call(
        &portal,
        &reader,
        reqwest::Method::GET,
        "/event-endpoints",
        None,
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = call(&portal, &key, reqwest::Method::DELETE, &path, None).await;
    assert_eq!(status, 204);
    let (status, _) = call(&portal, &key, reqwest::Method::GET, &path, None).await;
    assert_eq!(status, 404);
}

/// `kill -9` of the portal while it delivers events: after a restart every event in the
/// outbox reaches the endpoint (at least once).
async fn events_survive_kill_9(engine: &str) {
    let portal = Restartable::new(engine).await;
    let (mut child, base) = portal.start();
    let database = mm_portal::db::connect(&portal.database_url).await.unwrap();
    let key = portal.events_key(&database).await;
    let receiver = Receiver::start(0).await;
    let endpoint = json!({"url": receiver.url, "events": ["*"]});
    portal
        .create(&base, &key, "event-endpoints", endpoint)
        .await;

    // 600 changes, written while the portal delivers; it is killed after the first 100 arrive.
    let writer = {
        let database = database.clone();
        tokio::spawn(async move {
            for n in 0..600 {
                new_waba(&database, &format!("95{n:04}")).await;
            }
        })
    };
    let loaded = Instant::now();
    while receiver.accepted().len() < 100 && loaded.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let before = receiver.accepted().len();
    assert!(before > 0, "nothing delivered before the kill");
    writer.await.unwrap();

    let (mut child, _) = portal.start();
    let all: Vec<String> = mm_portal::db::engine::query_scalar("SELECT public_id FROM events")
        .fetch_all(database.store.pool())
        .await
        .unwrap();
    assert!(all.len() >= 600);
    let deadline = Instant::now() + Duration::from_secs(60);
    let missing = loop {
        let got: HashSet<String> = receiver
            .accepted()
            .iter()
            .map(|r| header(r, "webhook-id"))
            .collect();
        let missing = all.iter().filter(|id| !got.contains(*id)).count();
        if missing == 0 || Instant::now() > deadline {
            break missing;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        missing,
        0,
        "{missing} of {} events never delivered",
        all.len()
    );
    println!(
        "{engine}: {} events, {before} delivered before kill -9, all after restart ({} received in all)",
        all.len(),
        receiver.accepted().len()
    );
}

/// The sandbox's sink as an endpoint: it records what it gets, checks the Standard Webhooks
/// signature with the secret it was given, and fails on request (then the portal retries).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_sink_records_checks_signatures_and_fails_on_request() {
    let portal = support::sandbox_portal_on("sqlite").await;
    let base = portal.portal.url.to_string();
    let key = support::api_key(&portal, &[Scope::EventsManage]).await;
    let sink_url = format!("{base}sandbox/sink/crm");
    let made = endpoint(&portal, &key, &sink_url, json!(["waba.*"])).await;
    let http = reqwest::Client::new();
    let tester = format!("{base}sandbox/api/sinks/crm");
    let answer = http
        .post(&tester)
        .json(&json!({"secret": made["secret"], "fail": 2, "status": 503}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    let refused = http
        .post(&tester)
        .json(&json!({"secret": "not-whsec"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 400);

    new_waba(&portal.portal.database, "900003").await;
    let deadline = Instant::now() + Duration::from_secs(15);
    let view = loop {
        let view: Value = http
            .get(&tester)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if view["requests"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["status"] == 200)
        {
            break view;
        }
        assert!(Instant::now() < deadline, "never accepted: {view}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let requests = view["requests"].as_array().unwrap();
    let statuses: Vec<i64> = requests
        .iter()
        .rev()
        .map(|r| r["status"].as_i64().unwrap())
        .collect();
    assert_eq!(statuses, vec![503, 503, 200], "{view}");
    assert!(requests.iter().all(|r| r["signature"] == "valid"), "{view}");
    assert!(
        view["config"].get("secret").is_none(),
        "the secret is not shown back"
    );
    let delivered: Value = serde_json::from_str(requests[0]["body"].as_str().unwrap()).unwrap();
    assert_eq!(delivered["data"]["waba_id"], "900003");

    // A request signed with another secret is seen as invalid; one unsigned as unsigned.
    let forged = http
        .post(&sink_url)
        .header("webhook-id", "evt_forged")
        .header("webhook-timestamp", (now_millis() / 1000).to_string())
        .header("webhook-signature", "v1,AAAA")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 200);
    http.post(&sink_url).body("{}").send().await.unwrap();
    let view: Value = http
        .get(&tester)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(view["requests"][1]["signature"], "invalid");
    assert_eq!(view["requests"][0]["signature"], "unsigned");
    assert_eq!(view["received"], 5);
}

on_both_engines!(
    a_signup_is_told_as_signed_events_in_each_wabas_sequence,
    an_event_exists_exactly_when_its_change_committed,
    failing_endpoints_are_retried_filtered_replayed_and_rotated,
    events_survive_kill_9,
);
