//! MM operations against the simulator over real HTTP: discovery of the client WABAs, the
//! Intent API in bulk (paced, each business asked once), Meta's terms webhooks leading to the
//! business token fetch (BISUAT), and cancelling a batch.

mod support;

use std::time::{Duration, Instant};

use mm_portal::db::Role;
use serde_json::{json, Value};
use support::{create_staff, StaffClient};

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
    sim_signup(&base, "Pending Parlour", "PENDING_INTERNAL_SETUP").await;
    create_staff(&portal, "ops@partner.test", Role::Operator).await;
    let operator = StaffClient::sign_in(&base, "ops@partner.test").await;

    let (status, started) = operator.post("api/start_discovery", &[]).await;
    assert_eq!(status, 200, "{started}");
    eventually("discovery", || {
        let db = database.clone();
        async move {
            db.repo
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
    let timeline = database.repo.timeline_for_waba(1, 10).await.unwrap();
    assert!(timeline
        .iter()
        .any(|t| t.summary.starts_with("Found by discovery")));

    let (_, ops) = operator.post("api/mm_operations", &[]).await;
    let ops: Value = serde_json::from_str(&ops).unwrap();
    assert_eq!(ops["candidates"], 5);

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

    eventually("5 sent", || {
        let db = database.clone();
        async move {
            let batch = db.dashboard.intent_latest_batch().await.unwrap().unwrap();
            db.dashboard.intent_counts(&batch).await.unwrap() == vec![("sent".to_string(), 5)]
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
                    .repo
                    .waba_by_meta_id(&waba)
                    .await
                    .unwrap()
                    .is_some_and(|w| w.onboarding_status.as_deref() == Some("ONBOARDED"));
                let token = db
                    .repo
                    .get_secret(&mm_portal::onboarding::token_slot(&waba))
                    .await
                    .unwrap()
                    .is_some();
                signed && token
            }
        })
        .await;
    }
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
        async move { db.dashboard.intent_candidates(10).await.unwrap().len() == 4 }
    })
    .await;
    let (status, _) = operator.post("api/send_intent_to_eligible", &[]).await;
    assert_eq!(status, 200);
    let batch = database
        .dashboard
        .intent_latest_batch()
        .await
        .unwrap()
        .unwrap();
    let (status, cancelled) = operator
        .post("api/cancel_intent_batch", &[("batch", &batch)])
        .await;
    assert_eq!(status, 200, "{cancelled}");
    tokio::time::sleep(Duration::from_secs(3)).await;
    let counts = database.dashboard.intent_counts(&batch).await.unwrap();
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
        async move { db.dashboard.intent_counts(&batch).await.unwrap() == vec![("sent".to_string(), 4)] }
    })
    .await;
    portal.portal.shutdown().await;
}
