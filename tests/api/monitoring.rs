//! `/metrics` over HTTP on both engines: who may read it, the separate listener, and that its
//! figures follow what happened (deliveries by outcome, Graph calls by operation, the
//! database's queues and WABAs).

use std::time::Duration;

use app::api_keys::port::Scope;
use mm_portal::webhooks::signature;

use crate::support::{self, on_both_engines, SandboxPortal};

/// The value of the sample line `name{labels}` (exactly so), if present.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|line| {
        let (name, value) = line.rsplit_once(' ')?;
        (name == series).then(|| value.parse().unwrap())
    })
}

async fn scrape(url: &str) -> String {
    let response = reqwest::get(url).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        mm_portal::monitoring::routes::CONTENT_TYPE
    );
    let text = response.text().await.unwrap();
    assert!(text.ends_with("# EOF\n"), "{text}");
    text
}

async fn deliver(portal: &SandboxPortal, body: &[u8], signed: bool) -> u16 {
    let mut request = reqwest::Client::new()
        .post(portal.portal.url.join("webhooks/meta").unwrap())
        .header("content-type", "application/json")
        .body(body.to_vec());
    if signed {
        request = request.header(
            "x-hub-signature-256",
            signature::sign(&portal.app_secret, body),
        );
    }
    request.send().await.unwrap().status().as_u16()
}

async fn metrics_follow_deliveries_graph_calls_and_the_queues(engine: &str) {
    let portal = support::sandbox_portal_on_with(
        engine,
        &[
            "--trusted-proxies",
            "127.0.0.1",
            "--metrics-addr",
            "127.0.0.1:0",
        ],
    )
    .await;
    let database = &portal.portal.database;
    mm_portal::seed::seed(database.store.as_ref(), 12, |_| {})
        .await
        .unwrap();
    mm_portal::sandbox::seed::seed_customers(database, 12, |_| {})
        .await
        .unwrap();
    let local = portal.portal.url.join("metrics").unwrap().to_string();

    // Not for the world on the main address: a remote caller (after the trusted proxy) gets
    // the same 404 as any unknown path.
    let remote = reqwest::Client::new()
        .get(&local)
        .header("x-forwarded-for", "203.0.113.50")
        .send()
        .await
        .unwrap();
    assert_eq!(remote.status(), 404);

    let before = scrape(&local).await;
    let all: f64 = before
        .lines()
        .filter(|l| l.starts_with("mm_wabas{"))
        .map(|l| l.rsplit_once(' ').unwrap().1.parse::<f64>().unwrap())
        .sum();
    assert_eq!(all, 12.0, "{before}");
    assert_eq!(
        sample(&before, "mm_webhook_deliveries_total{outcome=\"stored\"}"),
        None,
        "{before}"
    );

    // One stored delivery, one refused for its signature.
    let body = serde_json::to_vec(&serde_json::json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "0", "time": 1, "changes": []}]
    }))
    .unwrap();
    assert_eq!(deliver(&portal, &body, true).await, 200);
    assert_eq!(deliver(&portal, &body, false).await, 401);

    // One Intent API request through the partner API: one Graph call, counted by operation.
    let key = support::api_key(&portal, &[Scope::IntentsWrite]).await;
    let eligible = mm_portal::seed::synthetic(3, 0).meta_business_id;
    let asked = reqwest::Client::new()
        .post(format!(
            "{}api/v1/businesses/{eligible}/intent",
            portal.portal.url
        ))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), 202);
    let intent =
        "mm_graph_calls_total{operation=\"onboard_partners_to_mm_lite\",outcome=\"ok\",code=\"\"}";
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let after = loop {
        let text = scrape(&local).await;
        if sample(&text, intent).is_some() || tokio::time::Instant::now() > deadline {
            break text;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(sample(&after, intent), Some(1.0), "{after}");
    assert_eq!(
        sample(&after, "mm_webhook_deliveries_total{outcome=\"stored\"}"),
        Some(1.0),
        "{after}"
    );
    assert_eq!(
        sample(
            &after,
            "mm_webhook_deliveries_total{outcome=\"bad_signature\"}"
        ),
        Some(1.0),
        "{after}"
    );
    for gauge in [
        "mm_webhook_inbox_pending",
        "mm_webhook_inbox_lag_seconds",
        "mm_webhook_inbox_parked",
        "mm_jobs_oldest_due_seconds",
        "mm_onboarding_pipelines_stopped",
    ] {
        assert!(sample(&after, gauge).is_some(), "{gauge} missing: {after}");
    }

    // The separate listener answers anyone, with the same figures.
    let separate = portal
        .portal
        .metrics_url
        .clone()
        .expect("--metrics-addr set");
    assert_ne!(separate.port(), portal.portal.url.port());
    let text = scrape(separate.as_str()).await;
    assert_eq!(sample(&text, intent), Some(1.0), "{text}");
    let elsewhere = reqwest::get(separate.join("/").unwrap()).await.unwrap();
    assert_eq!(
        elsewhere.status(),
        404,
        "the metrics listener serves nothing else"
    );
    portal.portal.shutdown().await;
}

on_both_engines!(metrics_follow_deliveries_graph_calls_and_the_queues);
