//! MM operations against the simulator over real HTTP: discovery of the client WABAs, the
//! Intent API in bulk (paced, each business asked once), Meta's terms webhooks leading to the
//! business token fetch (BISUAT), and cancelling a batch.

use crate::support;
use mm_portal::db::prelude::*;

use std::time::{Duration, Instant};

use crate::support::{create_staff, StaffClient};
use mm_portal::db::Role;
use serde_json::{json, Value};

/// A server function's `WabaFilter` argument with no filter set.
const ALL: &[(&str, &str)] = &[("filter[needs_attention]", "false")];

async fn sim_signup(base: &str, name: &str, status: &str) -> Value {
    let response = reqwest::Client::new()
        .post(format!("{base}sandbox/api/signups"))
        .json(&json!({
            "business_name": name,
            "phone_number": "+55 11 95555 0000",
            "onboarding_status": status,
            "accept_mm_terms": false,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let created: Value = response.json().await.unwrap();
    let business = created["business_id"].as_str().unwrap();
    let configured = reqwest::Client::new()
        .post(format!(
            "{base}sandbox/api/businesses/{business}/mm-onboarding"
        ))
        .json(&json!({"sign_delay_ms": 300}))
        .send()
        .await
        .unwrap();
    assert_eq!(configured.status(), 204);
    created
}

async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(30);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_then_intent_in_bulk_then_tokens_after_the_terms_webhooks() {
    let portal = support::sandbox_portal_with(&["--intent-rate-per-second", "20"]).await;
    let base = portal.portal.url.to_string();
    let database = portal.portal.database.clone();
    let mut eligible = Vec::new();
    for n in 0..5 {
        eligible.push(sim_signup(&base, &format!("Eligible Emporium {n}"), "ELIGIBLE").await);
    }
    let pending = sim_signup(&base, "Pending Parlour", "PENDING_INTERNAL_SETUP").await;
    create_staff(&portal, "ops@partner.test", Role::Operator).await;
    let operator = StaffClient::sign_in(&base, "ops@partner.test").await;

    let (status, started) = operator.post("api/start_discovery", &[]).await;
    assert_eq!(status, 200, "{started}");
    eventually("discovery", || {
        let db = database.clone();
        async move {
            db.store
                .count_wabas_by_status()
                .await
                .unwrap()
                .iter()
                .map(|(_, n)| n)
                .sum::<i64>()
                == 6
        }
    })
    .await;
    let timeline = database.store.timeline_for_waba(1, 10).await.unwrap();
    assert!(timeline
        .iter()
        .any(|t| t.summary.starts_with("Found by discovery")));

    let (_, ops) = operator.post("api/mm_operations", &[]).await;
    let ops: Value = serde_json::from_str(&ops).unwrap();
    assert_eq!(ops["candidates"], 5);

    // The list's selection, previewed: who would be asked, who is left out and why.
    let (status, preview) = operator.post("api/intent_preview", ALL).await;
    assert_eq!(status, 200, "{preview}");
    let preview: Value = serde_json::from_str(&preview).unwrap();
    assert_eq!(
        (preview["matched"].as_i64(), preview["eligible"].as_i64()),
        (Some(6), Some(5))
    );
    assert_eq!(preview["skipped"][0]["count"], 1);
    assert_eq!(preview["skipped"][0]["examples"][0], "Pending Parlour");
    assert!(
        preview["skipped"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("setup"),
        "{preview}"
    );
    let (_, narrowed) = operator
        .post("api/intent_preview", &[("filter[text]", "Emporium 3")])
        .await;
    let narrowed: Value = serde_json::from_str(&narrowed).unwrap();
    assert_eq!(
        (narrowed["matched"].as_i64(), narrowed["eligible"].as_i64()),
        (Some(1), Some(1))
    );
    let (status, body) = operator
        .post("api/intent_preview", &[("filter[country]", "Brazil")])
        .await;
    assert_eq!(status, 400, "{body}");

    let started = Instant::now();
    let (status, queued) = operator.post("api/send_intent_to_eligible", &[]).await;
    assert_eq!(status, 200, "{queued}");
    assert!(
        queued.starts_with("\"5 Intent API requests queued"),
        "{queued}"
    );
    // Asking again sends nothing: every eligible business has a live request.
    let (status, again) = operator.post("api/send_intent_to_eligible", &[]).await;
    assert_eq!(status, 400, "{again}");
    let (status, again) = operator.post("api/send_intent_to_selection", ALL).await;
    assert_eq!(status, 400, "{again}");
    let (_, preview) = operator.post("api/intent_preview", ALL).await;
    assert!(preview.contains("\"eligible\":0"), "{preview}");
    assert!(preview.contains("already"), "{preview}");

    eventually("5 sent", || {
        let db = database.clone();
        async move {
            let batch = db.store.intent_latest_batch().await.unwrap().unwrap();
            db.store.intent_counts(&batch).await.unwrap() == vec![("sent".to_string(), 5)]
        }
    })
    .await;
    let elapsed = started.elapsed();
    // 5 requests at 20/s: the last one is scheduled 200 ms after the first.
    assert!(elapsed >= Duration::from_millis(200), "paced: {elapsed:?}");

    // Meta signs (after 300 ms), sends MM_LITE_TERMS_SIGNED per WABA; the portal then fetches
    // each business's token and seals it for its WABA.
    for created in &eligible {
        let waba = created["waba_id"].as_str().unwrap().to_string();
        let db = database.clone();
        eventually("terms signed and token stored", || {
            let (db, waba) = (db.clone(), waba.clone());
            async move {
                let signed = db
                    .store
                    .waba_by_meta_id(&waba)
                    .await
                    .unwrap()
                    .is_some_and(|w| w.onboarding_status.as_deref() == Some("ONBOARDED"));
                let token = db
                    .store
                    .get_secret(&mm_portal::signup::token_slot(&waba))
                    .await
                    .unwrap()
                    .is_some();
                signed && token
            }
        })
        .await;
    }

    // Staff actions on one WABA: fetch the token again, re-subscribe webhooks, re-read it.
    let first = eligible[0]["waba_id"].as_str().unwrap();
    let id = database
        .store
        .waba_by_meta_id(first)
        .await
        .unwrap()
        .unwrap()
        .id;
    let kinds = |db: mm_portal::db::Database| async move {
        db.store
            .timeline_for_waba(id, 100)
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.kind)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        kinds(database.clone())
            .await
            .iter()
            .filter(|k| *k == "intent.token")
            .count(),
        1
    );
    for action in ["refetch_token", "resubscribe", "recheck"] {
        let (status, body) = operator
            .post(
                "api/waba_action",
                &[("id", &id.to_string()), ("action", action)],
            )
            .await;
        assert_eq!(status, 200, "{action}: {body}");
    }
    eventually(
        "the token fetched again, the webhooks and the account re-read",
        || {
            let db = database.clone();
            async move {
                let kinds = kinds(db.clone()).await;
                let steps = db.store.steps_for_waba(id).await.unwrap();
                let done = |name: &str| steps.iter().any(|s| s.step == name && s.state == "done");
                kinds.iter().filter(|k| *k == "intent.token").count() == 2
                    && done("subscribe_webhooks")
                    && done("fetch_account")
            }
        },
    )
    .await;
    let (status, body) = operator
        .post(
            "api/waba_action",
            &[("id", &id.to_string()), ("action", "explode")],
        )
        .await;
    assert_eq!(status, 400, "{body}");
    // No Intent API request for this business: nothing to fetch, and staff are told why.
    let pending = database
        .store
        .waba_by_meta_id(pending["waba_id"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap()
        .id;
    let (status, body) = operator
        .post(
            "api/waba_action",
            &[("id", &pending.to_string()), ("action", "refetch_token")],
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("not onboarded through the Intent API"),
        "{body}"
    );
    create_staff(&portal, "viewer@partner.test", Role::Viewer).await;
    let viewer = StaffClient::sign_in(&base, "viewer@partner.test").await;
    let (status, _) = viewer
        .post(
            "api/waba_action",
            &[("id", &id.to_string()), ("action", "recheck")],
        )
        .await;
    assert_eq!(status, 403);
    let audit = database.store.list_audit(None, 100).await.unwrap();
    assert!(audit.iter().any(|e| e.action == "waba.refetch_token"));
    portal.portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_batch_sends_no_more_requests() {
    // One request every 2 s: the batch is still queued when it is cancelled.
    let portal = support::sandbox_portal_with(&["--intent-rate-per-second", "0.5"]).await;
    let base = portal.portal.url.to_string();
    let database = portal.portal.database.clone();
    for n in 0..4 {
        sim_signup(&base, &format!("Slow Shop {n}"), "ELIGIBLE").await;
    }
    create_staff(&portal, "ops@partner.test", Role::Operator).await;
    create_staff(&portal, "viewer@partner.test", Role::Viewer).await;
    let operator = StaffClient::sign_in(&base, "ops@partner.test").await;
    let viewer = StaffClient::sign_in(&base, "viewer@partner.test").await;
    let (status, _) = viewer.post("api/start_discovery", &[]).await;
    assert_eq!(status, 403, "viewers cannot start discovery");
    operator.post("api/start_discovery", &[]).await;
    eventually("discovery", || {
        let db = database.clone();
        async move { db.store.intent_candidates(10).await.unwrap().len() == 4 }
    })
    .await;
    let (status, _) = operator.post("api/send_intent_to_eligible", &[]).await;
    assert_eq!(status, 200);
    let batch = database.store.intent_latest_batch().await.unwrap().unwrap();
    let (status, cancelled) = operator
        .post("api/cancel_intent_batch", &[("batch", &batch)])
        .await;
    assert_eq!(status, 200, "{cancelled}");
    tokio::time::sleep(Duration::from_secs(3)).await;
    let counts = database.store.intent_counts(&batch).await.unwrap();
    let count = |state: &str| {
        counts
            .iter()
            .find(|(s, _)| s == state)
            .map(|(_, n)| *n)
            .unwrap_or(0)
    };
    assert_eq!(count("queued"), 0, "{counts:?}");
    assert!(count("cancelled") >= 3, "{counts:?}");
    assert_eq!(count("sent") + count("cancelled"), 4, "{counts:?}");

    // Resuming queues the cancelled ones again; each business ends with exactly one request.
    let (status, resumed) = operator
        .post("api/resume_intent_batch", &[("batch", &batch)])
        .await;
    assert_eq!(status, 200, "{resumed}");
    eventually("all sent after resume", || {
        let (db, batch) = (database.clone(), batch.clone());
        async move { db.store.intent_counts(&batch).await.unwrap() == vec![("sent".to_string(), 4)] }
    })
    .await;
    portal.portal.shutdown().await;
}

/// A partner call to the simulator's Graph with a fresh partner token and its proof.
async fn partner_call(
    portal: &support::SandboxPortal,
    method: reqwest::Method,
    path: &str,
    query: &[(&str, &str)],
) -> reqwest::Response {
    let base = portal.portal.url.to_string();
    let http = reqwest::Client::new();
    let minted: Value = http
        .post(format!("{base}sandbox/api/partner-token"))
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = secrecy::SecretString::from(minted["access_token"].as_str().unwrap().to_string());
    let proof = mm_portal::graph::appsecret_proof(&token, &portal.app_secret);
    let mut query: Vec<(&str, &str)> = query.to_vec();
    query.push(("appsecret_proof", &proof));
    http.request(method, format!("{base}sandbox/graph/v23.0/{path}"))
        .bearer_auth(secrecy::ExposeSecret::expose_secret(&token))
        .query(&query)
        .send()
        .await
        .unwrap()
}

async fn onboard(portal: &support::SandboxPortal, business: &str) -> reqwest::Response {
    partner_call(
        portal,
        reqwest::Method::POST,
        &format!("{business}/onboard_partners_to_mm_lite"),
        &[],
    )
    .await
}

async fn tester(base: &str, method: reqwest::Method, path: &str, body: Value) -> u16 {
    reqwest::Client::new()
        .request(method, format!("{base}sandbox/api/{path}"))
        .json(&body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn usage_header(response: &reqwest::Response) -> Value {
    let header = response
        .headers()
        .get("x-business-use-case-usage")
        .expect("a throttled answer carries X-Business-Use-Case-Usage");
    let usage: Value = serde_json::from_str(header.to_str().unwrap()).unwrap();
    usage.as_object().unwrap().values().next().unwrap()[0].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sustained_rate_limit_answers_like_meta_and_every_call_is_counted() {
    let portal = support::sandbox_portal().await;
    let base = portal.portal.url.to_string();
    let first = sim_signup(&base, "Limited One", "ELIGIBLE").await;
    let second = sim_signup(&base, "Limited Two", "ELIGIBLE").await;
    let (b1, b2) = (
        first["business_id"].as_str().unwrap(),
        second["business_id"].as_str().unwrap(),
    );
    use reqwest::Method;
    assert_eq!(
        tester(
            &base,
            Method::POST,
            "rate-limits",
            json!({"operation": "register", "per_second": 1})
        )
        .await,
        400
    );
    assert_eq!(
        tester(
            &base,
            Method::POST,
            "rate-limits",
            json!({"operation": "onboard_partners_to_mm_lite", "per_second": 0})
        )
        .await,
        400
    );
    // One call a second, two at once: the third call in a row is refused (HTTP 429, code 4).
    let limit = json!({"operation": "onboard_partners_to_mm_lite", "per_second": 1, "burst": 2});
    assert_eq!(tester(&base, Method::POST, "rate-limits", limit).await, 204);
    let created = onboard(&portal, b1).await;
    assert_eq!(created.status(), 200);
    let request_id = created.json::<Value>().await.unwrap()["request_id"].clone();
    let again = onboard(&portal, b1).await;
    assert_eq!(again.status(), 200, "idempotent while pending");
    assert_eq!(
        again.json::<Value>().await.unwrap()["request_id"],
        request_id
    );
    let refused = onboard(&portal, b2).await;
    assert_eq!(refused.status(), 429);
    let usage = usage_header(&refused);
    assert_eq!(usage["call_count"], 100);
    assert_eq!(
        usage["estimated_time_to_regain_access"], 0,
        "under a minute"
    );
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], 4, "{body}");
    assert_eq!(body["error"]["message"], "Rate limit exceeded");

    // The WABA-level answer instead, with a wait counted in minutes (one call per 1000 s).
    let slow = json!({"operation": "onboard_partners_to_mm_lite", "per_second": 0.001, "burst": 1, "code": 80007});
    assert_eq!(tester(&base, Method::POST, "rate-limits", slow).await, 204);
    assert_eq!(onboard(&portal, b2).await.status(), 200);
    let refused = onboard(&portal, b2).await;
    assert_eq!(refused.status(), 400);
    assert_eq!(
        usage_header(&refused)["estimated_time_to_regain_access"],
        16
    );
    assert_eq!(
        refused.json::<Value>().await.unwrap()["error"]["code"],
        80007
    );
    assert_eq!(
        tester(&base, Method::DELETE, "rate-limits", json!({})).await,
        204
    );
    assert_eq!(
        onboard(&portal, b2).await.status(),
        200,
        "no limit any more"
    );

    let stats: Value = reqwest::get(format!("{base}sandbox/api/stats/intents"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["total_requests"], 6, "{stats}");
    assert_eq!(stats["rate_limited"], 2, "{stats}");
    assert_eq!(stats["distinct_businesses"], 2, "{stats}");
    assert_eq!(stats["max_requests_for_one_business"], 4, "{stats}");
    // b1's second call and b2's last one found a stored request.
    assert_eq!(stats["duplicates"], 2, "{stats}");
    assert_eq!(stats["businesses_with_duplicates"], 2, "{stats}");
    assert_eq!(stats["repeated_unstored"], 0, "{stats}");
    portal.portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_falls_back_to_the_legacy_status_field_on_older_graph_versions() {
    let portal = support::sandbox_portal().await;
    let base = portal.portal.url.to_string();
    let database = portal.portal.database.clone();
    let eligible = sim_signup(&base, "Legacy Eligible", "ELIGIBLE").await;
    let onboarded = sim_signup(&base, "Legacy Onboarded", "ONBOARDED").await;
    let (eligible, onboarded) = (
        eligible["waba_id"].as_str().unwrap().to_string(),
        onboarded["waba_id"].as_str().unwrap().to_string(),
    );
    use reqwest::Method;
    assert_eq!(
        tester(
            &base,
            Method::POST,
            "graph-settings",
            json!({"legacy_status_only": true})
        )
        .await,
        204
    );
    // Such a Graph does not know the new field.
    let edge = format!(
        "{}/client_whatsapp_business_accounts",
        mm_portal::sandbox::SANDBOX_PARTNER_BUSINESS_ID
    );
    let refused = partner_call(
        &portal,
        Method::GET,
        &edge,
        &[("fields", "id,marketing_messages_onboarding_status")],
    )
    .await;
    assert_eq!(refused.status(), 400);
    let legacy: Value = partner_call(
        &portal,
        Method::GET,
        &edge,
        &[("fields", "id,marketing_messages_lite_api_status")],
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(legacy["data"].as_array().unwrap().len(), 2, "{legacy}");

    create_staff(&portal, "ops@partner.test", Role::Operator).await;
    let operator = StaffClient::sign_in(&base, "ops@partner.test").await;
    let (status, _) = operator.post("api/start_discovery", &[]).await;
    assert_eq!(status, 200);
    let status_of = |waba: String| {
        let db = database.clone();
        async move {
            db.store
                .waba_by_meta_id(&waba)
                .await
                .unwrap()
                .and_then(|w| w.onboarding_status)
        }
    };
    eventually("discovery with the legacy field", || {
        let (e, o) = (status_of(eligible.clone()), status_of(onboarded.clone()));
        async move {
            e.await.as_deref() == Some("NOT_ONBOARDED") && o.await.as_deref() == Some("ONBOARDED")
        }
    })
    .await;

    // The current Graph again: the new field is read and the change is on the timeline.
    assert_eq!(
        tester(&base, Method::DELETE, "graph-settings", json!({})).await,
        204
    );
    database
        .store
        .enqueue_job(&mm_portal::db::NewJob {
            kind: mm_portal::operations::discovery::JOB_KIND.into(),
            payload: "{}".into(),
            run_at: mm_portal::db::now_millis(),
            max_attempts: 3,
            dedupe_key: Some("second discovery".into()),
        })
        .await
        .unwrap();
    eventually("discovery with the current field", || {
        let e = status_of(eligible.clone());
        async move { e.await.as_deref() == Some("ELIGIBLE") }
    })
    .await;
    let waba = database
        .store
        .waba_by_meta_id(&eligible)
        .await
        .unwrap()
        .unwrap();
    let timeline = database.store.timeline_for_waba(waba.id, 20).await.unwrap();
    assert!(
        timeline
            .iter()
            .any(|t| t.summary == "Onboarding status NOT_ONBOARDED → ELIGIBLE"),
        "{:?}",
        timeline.iter().map(|t| &t.summary).collect::<Vec<_>>()
    );
    portal.portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_intent_request_tells_staff_what_to_do() {
    let portal = support::sandbox_portal_with(&["--intent-rate-per-second", "20"]).await;
    let base = portal.portal.url.to_string();
    let database = portal.portal.database.clone();
    sim_signup(&base, "Mobile Minds", "ELIGIBLE").await;
    let refusing = sim_signup(&base, "Stuck Store", "ELIGIBLE").await;
    let refusing_business = refusing["business_id"].as_str().unwrap();
    let configured = reqwest::Client::new()
        .post(format!(
            "{base}sandbox/api/businesses/{refusing_business}/mm-onboarding"
        ))
        .json(&json!({"obo_mobility_error": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(configured.status(), 204);
    create_staff(&portal, "ops@partner.test", Role::Operator).await;
    let operator = StaffClient::sign_in(&base, "ops@partner.test").await;
    operator.post("api/start_discovery", &[]).await;
    eventually("discovery", || {
        let db = database.clone();
        async move { db.store.intent_candidates(10).await.unwrap().len() == 2 }
    })
    .await;
    let (status, _) = operator.post("api/send_intent_to_eligible", &[]).await;
    assert_eq!(status, 200);
    let batch = database.store.intent_latest_batch().await.unwrap().unwrap();
    eventually("one sent, one failed", || {
        let (db, batch) = (database.clone(), batch.clone());
        async move {
            db.store.intent_counts(&batch).await.unwrap()
                == vec![("failed".to_string(), 1), ("sent".to_string(), 1)]
        }
    })
    .await;
    let waba = database
        .store
        .waba_by_meta_id(refusing["waba_id"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    let row = database
        .store
        .intent_get(waba.business_id)
        .await
        .unwrap()
        .unwrap();
    let error = row.error.unwrap();
    assert!(
        error.starts_with("Meta could not set the on-behalf-of mobility intent")
            && error.contains("(Graph error 100)"),
        "{error}"
    );
    let timeline = database.store.timeline_for_waba(waba.id, 20).await.unwrap();
    assert!(timeline.iter().any(|t| t
        .summary
        .starts_with("Intent API request failed: Meta could not set")));
    portal.portal.shutdown().await;
}

/// The state of the business's Intent API request ("" when it has none).
async fn intent_state(database: &mm_portal::db::Database, business_id: i64) -> String {
    database
        .store
        .intent_get(business_id)
        .await
        .unwrap()
        .map(|row| row.state)
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_request_is_confirmed_from_meta_or_asked_once_more() {
    let portal = support::sandbox_portal().await;
    let base = portal.portal.url.to_string();
    let database = portal.portal.database.clone();
    let reached = sim_signup(&base, "Reached Meta", "ELIGIBLE").await;
    let lost = sim_signup(&base, "Never Reached", "ELIGIBLE").await;
    create_staff(&portal, "ops@partner.test", Role::Operator).await;
    let operator = StaffClient::sign_in(&base, "ops@partner.test").await;
    operator.post("api/start_discovery", &[]).await;
    eventually("discovery", || {
        let db = database.clone();
        async move { db.store.intent_candidates(10).await.unwrap().len() == 2 }
    })
    .await;
    // "Reached Meta": its call arrived (the simulator stored the request; it signs after
    // 300 ms) but the portal died before recording the answer.
    let reached_business = reached["business_id"].as_str().unwrap();
    assert_eq!(onboard(&portal, reached_business).await.status(), 200);
    let started = std::time::Instant::now();
    let mut ids = Vec::new();
    for created in [&reached, &lost] {
        let waba = database
            .store
            .waba_by_meta_id(created["waba_id"].as_str().unwrap())
            .await
            .unwrap()
            .unwrap();
        let business_id = waba.business_id;
        ids.push(business_id);
        // What a kill between the `sending` mark and Meta's answer leaves behind.
        assert!(database
            .store
            .intent_queue(business_id, "interrupted")
            .await
            .unwrap());
        database
            .store
            .intent_finish(business_id, "sending", None, None)
            .await
            .unwrap();
        database
            .store
            .enqueue_job(&mm_portal::db::NewJob {
                kind: mm_portal::operations::intent::JOB_KIND.into(),
                payload: json!({
                    "business_id": business_id,
                    "meta_business_id": created["business_id"],
                })
                .to_string(),
                run_at: mm_portal::db::now_millis(),
                max_attempts: 10,
                dedupe_key: Some(format!("interrupted:{business_id}")),
            })
            .await
            .unwrap();
    }
    for business_id in &ids {
        let db = database.clone();
        let id = *business_id;
        eventually("the interrupted requests settled", || {
            let db = db.clone();
            async move { intent_state(&db, id).await == "sent" }
        })
        .await;
    }
    assert!(
        started.elapsed() >= mm_portal::operations::intent::UNCONFIRMED_WAIT,
        "it waited before deciding: {:?}",
        started.elapsed()
    );
    // The one that reached Meta was not asked again; the other was asked exactly once.
    let stats: Value = reqwest::get(format!("{base}sandbox/api/stats/intents"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["total_requests"], 2, "{stats}");
    assert_eq!(stats["distinct_businesses"], 2, "{stats}");
    assert_eq!(stats["duplicates"], 0, "{stats}");
    let reached_row = database.store.intent_get(ids[0]).await.unwrap().unwrap();
    assert_eq!(
        reached_row.request_id, None,
        "confirmed without a second call"
    );
    let lost_row = database.store.intent_get(ids[1]).await.unwrap().unwrap();
    assert!(lost_row.request_id.is_some(), "asked once more");
    let waba = database
        .store
        .waba_by_meta_id(reached["waba_id"].as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    let timeline = database.store.timeline_for_waba(waba.id, 20).await.unwrap();
    assert!(timeline
        .iter()
        .any(|t| t.summary.starts_with("Intent API request confirmed")));
    portal.portal.shutdown().await;
}

/// `sandbox seed` puts the same synthetic customers on Meta's side: discovery then finds every
/// one of them, each with its onboarding status.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_finds_every_customer_seeded_into_the_simulator() {
    let portal = support::sandbox_portal().await;
    let base = portal.portal.url.to_string();
    let database = portal.portal.database.clone();
    const CUSTOMERS: usize = 260; // more than one page of client WABAs
    mm_portal::sandbox::seed::seed_customers(&database, CUSTOMERS, |_| {})
        .await
        .unwrap();
    // Seeding twice changes nothing.
    mm_portal::sandbox::seed::seed_customers(&database, CUSTOMERS, |_| {})
        .await
        .unwrap();
    create_staff(&portal, "ops@partner.test", Role::Operator).await;
    let operator = StaffClient::sign_in(&base, "ops@partner.test").await;
    let (status, body) = operator.post("api/start_discovery", &[]).await;
    assert_eq!(status, 200, "{body}");
    let mut expected = std::collections::BTreeMap::<Option<String>, i64>::new();
    for n in 0..CUSTOMERS {
        let status = mm_portal::seed::synthetic(n, 0).onboarding_status;
        *expected.entry(Some(status)).or_default() += 1;
    }
    let expected: Vec<(Option<String>, i64)> = expected.into_iter().collect();
    eventually("every seeded customer discovered", || {
        let (db, expected) = (database.clone(), expected.clone());
        async move {
            let mut counts = db.store.count_wabas_by_status().await.unwrap();
            counts.sort();
            counts == expected
        }
    })
    .await;
    portal.portal.shutdown().await;
}

/// The preview is counted by the database (`selection::preview`); the run reads every row
/// (`selection::select`). Both must say the same: same matched, eligible, reasons and counts,
/// with examples from the right groups, for several filters and request states.
async fn the_counted_preview_says_what_the_run_reads(engine: &str) {
    use mm_portal::db::WabaSearch;
    use mm_portal::operations::selection::{preview, preview_capped, select, select_capped};
    let portal = support::sandbox_portal_on(engine).await;
    let store = portal.portal.database.store.clone();
    mm_portal::seed::seed(store.as_ref(), 400, |_| {})
        .await
        .unwrap();
    // Some eligible businesses already have a request, in each state.
    let eligible = select(store.as_ref(), &WabaSearch::default())
        .await
        .unwrap();
    let asked: Vec<i64> = eligible
        .eligible
        .iter()
        .map(|(id, _)| *id)
        .take(8)
        .collect();
    for (n, business) in asked.iter().enumerate() {
        store.intent_queue(*business, "b1").await.unwrap();
        let state = ["queued", "sending", "sent", "failed", "cancelled"][n % 5];
        if state != "queued" {
            store
                .intent_finish(*business, state, None, None)
                .await
                .unwrap();
        }
    }
    let searches = [
        WabaSearch::default(),
        WabaSearch {
            status: Some("ELIGIBLE".into()),
            ..Default::default()
        },
        WabaSearch {
            country: Some("BR".into()),
            ..Default::default()
        },
        WabaSearch {
            text: Some("3".into()),
            ..Default::default()
        },
        WabaSearch {
            coexistence: Some(true),
            ..Default::default()
        },
    ];
    for search in searches {
        let read = select(store.as_ref(), &search).await.unwrap().preview();
        let counted = preview(store.as_ref(), &search).await.unwrap();
        assert_eq!(
            (counted.matched, counted.eligible, counted.truncated),
            (read.matched, read.eligible, read.truncated),
            "{search:?}"
        );
        let groups = |p: &app::operations::port::IntentPreview| {
            p.skipped
                .iter()
                .map(|g| (g.reason.clone(), g.count, g.examples.len()))
                .collect::<Vec<_>>()
        };
        assert_eq!(groups(&counted), groups(&read), "{search:?}");
        assert!(counted.matched > 0 || search.text.is_some(), "{search:?}");
        // Past a cap, both look at the same newest WABAs.
        for cap in [1, 37, 150] {
            let read = select_capped(store.as_ref(), &search, cap)
                .await
                .unwrap()
                .preview();
            let counted = preview_capped(store.as_ref(), &search, cap).await.unwrap();
            assert_eq!(
                (counted.matched, counted.eligible, counted.truncated),
                (read.matched, read.eligible, read.truncated),
                "{search:?}, cap {cap}"
            );
            assert_eq!(groups(&counted), groups(&read), "{search:?}, cap {cap}");
            if search == WabaSearch::default() {
                assert!(counted.truncated, "400 WABAs are past a cap of {cap}");
            }
        }
    }
    portal.portal.shutdown().await;
}

support::on_both_engines!(the_counted_preview_says_what_the_run_reads);
