//! Meta's own MM API metrics on both engines, over real HTTP (docs/meta/mm-metrics.md): test
//! sends through the MM API are counted by the simulator as template analytics; the fetch job
//! confirms template analytics once, reads them 10 templates at a time and stores each day
//! with the conversions Meta reports; the schedule finds the WABAs due; the simulator checks
//! the call as Meta documents it; and a disconnected WABA's refusal is kept for staff.

use std::sync::Arc;

use app::api_keys::port::Scope;
use mm_portal::db::{now_millis, MmMetricsStore, SignupStore, WabaStore};
use mm_portal::graph::GraphClient;
use mm_portal::operations::send::{TestSend, TestSender};
use secrecy::ExposeSecret;
use serde_json::{json, Value};

use crate::signup_links::{complete, make_link, sandbox_code, start, token};
use crate::support::{self, eventually_some, on_both_engines, SandboxPortal};

fn graph(portal: &SandboxPortal) -> GraphClient {
    GraphClient::new(
        portal.portal.url.join("sandbox/graph/").unwrap(),
        "v23.0",
        &portal.app_id,
        Arc::new(portal.app_secret.clone()),
    )
}

/// A business signed up through a link and onboarded (terms signed, number registered).
async fn onboarded(portal: &SandboxPortal) -> mm_portal::db::Waba {
    let key = support::api_key(portal, &[Scope::SignupsWrite]).await;
    let (_, link) = make_link(portal, &key, json!({"customer_id": "crm-metrics"})).await;
    let (_, nonce) = start(portal, &token(&link)).await;
    let code = sandbox_code(portal, "Metric Mangoes").await;
    let (status, answer) = complete(portal, &nonce, &code).await;
    assert_eq!(status, 200, "{answer}");
    let status_key: String = serde_json::from_str(&answer).unwrap();
    let store = portal.portal.database.store.clone();
    eventually_some(|| async {
        let signup = store.signup_by_status_key(&status_key).await.ok()??;
        let waba = store.waba_by_id(signup.waba_id?).await.ok()??;
        (waba.onboarding_status.as_deref() == Some("ONBOARDED")).then_some(waba)
    })
    .await
}

// Long on purpose: sends, the fetch, the stored days, the schedule and the simulator's checks.
async fn metas_template_analytics_are_fetched_and_stored_per_day(engine: &str) {
    let portal = support::sandbox_portal_on(engine).await;
    let waba = onboarded(&portal).await;
    let store = portal.portal.database.store.clone();
    let config = support::sandbox_config(portal.dir.path(), &[]);
    let sender = TestSender {
        graph: graph(&portal),
        repo: store.clone(),
        keys: config.keys.clone(),
    };
    let request = TestSend {
        to: "+55 11 98888 7777".into(),
        template: "marketing_text_no_param".into(),
        language: "en_US".into(),
        ttl_seconds: None,
        activity_sharing: true,
        product_policy: None,
    };
    for _ in 0..2 {
        eventually_some(|| async { sender.send(&waba, &request, "test").await.ok() }).await;
    }

    mm_portal::mm_metrics::fetch::enqueue(store.as_ref(), waba.id)
        .await
        .unwrap();
    let days = eventually_some(|| async {
        let days = store.mm_metrics_for_waba(waba.id).await.ok()?;
        (!days.is_empty()).then_some(days)
    })
    .await;
    assert_eq!(days.len(), 1, "one template, one day: {days:?}");
    let day = &days[0];
    assert_eq!(day.day, app::calendar::utc_day(now_millis()));
    assert_eq!(
        (day.sent, day.delivered, day.read, day.clicked),
        (2, 2, 2, 2)
    );
    assert_eq!(day.conversions, r#"{"website_purchases":1}"#);
    let state = store.mm_metrics_fetch_state(waba.id).await.unwrap();
    assert!(state.insights_enabled_at.is_some() && state.fetched_at.is_some());
    assert!(state.error.is_none(), "{state:?}");

    // The schedule: fetched just now, so not due for hours; due for a later cut-off.
    assert!(!store
        .metrics_due(now_millis() - 3_600_000, 10)
        .await
        .unwrap()
        .contains(&waba.id));
    assert!(store
        .metrics_due(now_millis() + 1_000, 10)
        .await
        .unwrap()
        .contains(&waba.id));

    // The simulator checks the call as Meta documents it.
    let token = mm_portal::signup::business_token(store.as_ref(), &config.keys, &waba)
        .await
        .unwrap();
    let ask = |params: Vec<(&'static str, String)>| {
        let token = token.expose_secret().to_string();
        let url = format!(
            "{}sandbox/graph/v23.0/{}/template_analytics",
            portal.portal.url, waba.meta_waba_id
        );
        let proof = mm_portal::graph::appsecret_proof(
            &secrecy::SecretString::from(token.clone()),
            &portal.app_secret,
        );
        async move {
            let response = reqwest::Client::new()
                .get(url)
                .bearer_auth(token)
                .query(&params)
                .query(&[("appsecret_proof", proof)])
                .send()
                .await
                .unwrap();
            (
                response.status().as_u16(),
                response.json::<Value>().await.unwrap(),
            )
        }
    };
    let ids: Vec<String> = (0..11).map(|n| n.to_string()).collect();
    let (status, body) = ask(vec![
        ("start", "2026-01-01".into()),
        ("end", "2026-01-02".into()),
        ("granularity", "DAILY".into()),
        ("template_ids", serde_json::to_string(&ids).unwrap()),
    ])
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_i64()),
        (400, Some(100)),
        "{body}"
    );
    let (status, body) = ask(vec![
        ("start", "2026-01-01".into()),
        ("end", "2026-01-02".into()),
        ("granularity", "MONTHLY".into()),
        ("template_ids", "[\"1\"]".into()),
    ])
    .await;
    assert_eq!(status, 400, "{body}");

    // Disconnected: nothing is asked of Meta, and the reason is kept for staff.
    let (status, _) = {
        let response = reqwest::Client::new()
            .post(format!(
                "{}sandbox/api/wabas/{}/account-update",
                portal.portal.url, waba.meta_waba_id
            ))
            .json(&json!({"event": "PARTNER_REMOVED"}))
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), ())
    };
    assert_eq!(status, 202);
    eventually_some(|| async {
        let w = store.waba_by_id(waba.id).await.ok()??;
        (w.connection_state.as_deref() == Some("removed")).then_some(())
    })
    .await;
    // A minute later the dedupe key lets a new fetch in; here the job is queued directly.
    let job = mm_portal::db::NewJob {
        kind: mm_portal::mm_metrics::fetch::JOB_KIND.into(),
        payload: json!({"waba_id": waba.id}).to_string(),
        run_at: now_millis(),
        max_attempts: 1,
        dedupe_key: None,
    };
    mm_portal::db::JobStore::enqueue_job(store.as_ref(), &job)
        .await
        .unwrap();
    let refused =
        eventually_some(|| async { store.mm_metrics_fetch_state(waba.id).await.ok()?.error }).await;
    assert!(refused.contains("PARTNER_REMOVED"), "{refused}");
    assert_eq!(
        store.mm_metrics_for_waba(waba.id).await.unwrap().len(),
        1,
        "kept"
    );
}

on_both_engines!(metas_template_analytics_are_fetched_and_stored_per_day);
