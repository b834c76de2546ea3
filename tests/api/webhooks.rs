//! `GET/POST /webhooks/meta` over real HTTP against a running portal: the handshake, signature
//! checks, bad input, and durable storage before the 200.

use crate::support;
use mm_portal::db::prelude::*;

use mm_portal::server::RunningPortal;
use mm_portal::webhooks::signature;
use secrecy::{ExposeSecret, SecretString};

struct Harness {
    portal: RunningPortal,
    secret: SecretString,
    verify_token: String,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl Harness {
    async fn start() -> Self {
        let sandbox = support::sandbox_portal().await;
        Self {
            portal: sandbox.portal,
            secret: sandbox.app_secret,
            verify_token: sandbox.verify_token.expose_secret().to_string(),
            client: reqwest::Client::new(),
            _dir: sandbox.dir,
        }
    }

    fn url(&self) -> String {
        self.portal.url.join("webhooks/meta").unwrap().to_string()
    }

    async fn post(&self, body: &[u8], signature: Option<String>, content_type: &str) -> u16 {
        let mut request = self
            .client
            .post(self.url())
            .header("content-type", content_type)
            .body(body.to_vec());
        if let Some(signature) = signature {
            request = request.header("x-hub-signature-256", signature);
        }
        request.send().await.unwrap().status().as_u16()
    }

    async fn post_signed(&self, body: &[u8]) -> u16 {
        self.post(
            body,
            Some(signature::sign(&self.secret, body)),
            "application/json",
        )
        .await
    }

    async fn stored(&self) -> Vec<Vec<u8>> {
        support::inbox_bodies(&self.portal.database).await
    }
}

const DELIVERY: &[u8] = br#"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","time":1731600000,"changes":[{"field":"account_update","value":{"event":"MM_LITE_TERMS_SIGNED","waba_info":{"waba_id":"102290129340398","owner_business_id":"2729063490586005"}}}]}]}"#;

#[tokio::test]
async fn the_verification_handshake_echoes_the_challenge_only_for_the_right_token() {
    let h = Harness::start().await;
    let get = |query: String| {
        let client = h.client.clone();
        let url = format!("{}?{query}", h.url());
        async move {
            let response = client.get(url).send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let token = &h.verify_token;
    assert_eq!(
        get(format!(
            "hub.mode=subscribe&hub.verify_token={token}&hub.challenge=1158201444"
        ))
        .await,
        (200, "1158201444".to_string())
    );
    assert_eq!(
        get("hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1".into())
            .await
            .0,
        403
    );
    assert_eq!(
        get(format!(
            "hub.mode=unsubscribe&hub.verify_token={token}&hub.challenge=1"
        ))
        .await
        .0,
        403
    );
    assert_eq!(
        get(format!("hub.mode=subscribe&hub.verify_token={token}"))
            .await
            .0,
        403
    );
    assert_eq!(get(String::new()).await.0, 403);
    h.portal.shutdown().await;
}

#[tokio::test]
async fn a_signed_delivery_is_stored_byte_for_byte_before_the_200() {
    let h = Harness::start().await;
    assert_eq!(h.post_signed(DELIVERY).await, 200);
    // The 200 means committed: the row is there the moment the response arrives.
    assert_eq!(h.stored().await, vec![DELIVERY.to_vec()]);
    h.portal.shutdown().await;
}

#[tokio::test]
async fn unsigned_or_wrongly_signed_deliveries_are_refused_and_not_stored() {
    let h = Harness::start().await;
    let for_other_body = signature::sign(&h.secret, b"{\"object\":\"other\",\"entry\":[1]}");
    let other_key = signature::sign(&SecretString::from("not the app secret"), DELIVERY);
    assert_eq!(h.post(DELIVERY, None, "application/json").await, 401);
    assert_eq!(
        h.post(DELIVERY, Some(for_other_body), "application/json")
            .await,
        403
    );
    assert_eq!(
        h.post(DELIVERY, Some(other_key), "application/json").await,
        403
    );
    assert_eq!(
        h.post(DELIVERY, Some("sha256=zz".into()), "application/json")
            .await,
        403
    );
    assert_eq!(
        h.post(DELIVERY, Some("sha1=abc".into()), "application/json")
            .await,
        403
    );
    assert!(h.stored().await.is_empty());
    h.portal.shutdown().await;
}

#[tokio::test]
async fn bad_bodies_get_clear_statuses_and_are_not_stored() {
    let h = Harness::start().await;
    let signed = |body: &[u8]| signature::sign(&h.secret, body);
    // Wrong content type, even when signed.
    assert_eq!(
        h.post(DELIVERY, Some(signed(DELIVERY)), "text/plain").await,
        415
    );
    // Valid signature on garbage and on truncated JSON.
    assert_eq!(h.post_signed(b"garbage").await, 400);
    assert_eq!(h.post_signed(&DELIVERY[..DELIVERY.len() / 2]).await, 400);
    assert_eq!(
        h.post_signed(br#"{"object":"whatsapp_business_account"}"#)
            .await,
        400
    );
    // Nothing to process: acknowledged so Meta stops retrying, nothing stored.
    assert_eq!(
        h.post_signed(br#"{"object":"whatsapp_business_account","entry":[]}"#)
            .await,
        200
    );
    assert!(h.stored().await.is_empty());
    h.portal.shutdown().await;
}

#[tokio::test]
async fn bodies_over_the_limit_get_413_and_3_mb_is_accepted() {
    let h = Harness::start().await;
    let big = vec![b' '; 10 * 1024 * 1024];
    assert_eq!(h.post_signed(&big).await, 413);
    // A 3 MB delivery (Meta's maximum) is accepted.
    let padding = " ".repeat(3 * 1024 * 1024 - DELIVERY.len());
    let three_mb = format!("{}{padding}", String::from_utf8_lossy(DELIVERY));
    assert_eq!(h.post_signed(three_mb.as_bytes()).await, 200);
    assert_eq!(h.stored().await.len(), 1);
    h.portal.shutdown().await;
}

#[tokio::test]
async fn concurrent_deliveries_are_each_stored_once() {
    let h = Harness::start().await;
    let mut sends = tokio::task::JoinSet::new();
    for i in 0..300 {
        let body = format!(
            r#"{{"object":"whatsapp_business_account","entry":[{{"id":"{i}","changes":[]}}]}}"#
        );
        let signature = signature::sign(&h.secret, body.as_bytes());
        let request = h
            .client
            .post(h.url())
            .header("content-type", "application/json")
            .header("x-hub-signature-256", signature)
            .body(body);
        sends.spawn(async move { request.send().await.unwrap().status().as_u16() });
    }
    while let Some(status) = sends.join_next().await {
        assert_eq!(status.unwrap(), 200);
    }
    let stored = h.stored().await;
    assert_eq!(stored.len(), 300);
    let distinct: std::collections::HashSet<_> = stored.iter().collect();
    assert_eq!(distinct.len(), 300);
    h.portal.shutdown().await;
}

/// Polls `check` until it holds or 10 s pass.
async fn eventually<F, Fut>(mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("condition not met within 10 s");
}

#[tokio::test]
async fn deliveries_are_processed_into_waba_state_metrics_and_timeline_once() {
    let h = Harness::start().await;
    let repo = h.portal.database.store.clone();
    // Meta delivers the terms-signed event twice (a retry), plus a status update.
    assert_eq!(h.post_signed(DELIVERY).await, 200);
    assert_eq!(h.post_signed(DELIVERY).await, 200);
    let status = br#"{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550001111","phone_number_id":"1"},"statuses":[{"id":"wamid.X","status":"read","timestamp":"1731600000","recipient_id":"1","pricing":{"billable":true,"pricing_model":"CBP","category":"marketing_lite"}}]}}]}]}"#;
    assert_eq!(h.post_signed(status).await, 200);
    assert_eq!(h.post_signed(status).await, 200);

    eventually(|| {
        let repo = repo.clone();
        async move { repo.pending_webhooks(10).await.unwrap().is_empty() }
    })
    .await;
    let waba = repo
        .waba_by_meta_id("102290129340398")
        .await
        .unwrap()
        .expect("WABA known from the webhook");
    assert_eq!(waba.onboarding_status.as_deref(), Some("ONBOARDED"));
    assert_eq!(waba.mm_terms_signed_at, Some(1_731_600_000_000));
    let timeline = repo.timeline_for_waba(waba.id, 10).await.unwrap();
    assert_eq!(
        timeline.len(),
        1,
        "the duplicate delivery was not applied twice"
    );
    assert_eq!(
        timeline[0].kind,
        "webhook.account_update.mm_lite_terms_signed"
    );
    let metrics = repo.metrics_for_waba("102290129340398").await.unwrap();
    assert_eq!(metrics.len(), 1);
    assert_eq!(
        (metrics[0].read, metrics[0].category.as_str()),
        (1, "marketing_lite")
    );
    h.portal.shutdown().await;
}

#[tokio::test]
async fn a_poison_delivery_is_parked_not_retried_forever() {
    let h = Harness::start().await;
    let repo = h.portal.database.store.clone();
    // Signed and shaped like a notification at the door, but an entry the processor cannot
    // read is still kept: here the inbox row is written directly, as a corrupted row would be.
    let ids = repo
        .insert_webhooks(
            &[b"{\"object\":\"whatsapp_business_account\",\"entry\":"],
            0,
        )
        .await
        .unwrap();
    eventually(|| {
        let repo = repo.clone();
        async move { !repo.parked_webhooks(10).await.unwrap().is_empty() }
    })
    .await;
    let parked = repo.parked_webhooks(10).await.unwrap();
    assert_eq!(parked[0].id, ids[0]);
    assert!(parked[0]
        .last_error
        .as_deref()
        .unwrap()
        .contains("not JSON"));
    h.portal.shutdown().await;
}
