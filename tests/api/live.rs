//! Live updates over Server-Sent Events (docs/LIVE.md), on both engines: who may follow
//! what, a committed change reaching a stream that follows it (and not one that does not),
//! `Last-Event-ID` after a reconnect, a status page following its signup and then its WABA,
//! and, on PostgreSQL, a change made through one instance reaching a stream on another.

use std::time::{Duration, Instant};

use mm_portal::db::prelude::*;
use mm_portal::db::{NewSignup, Role, SignupEvent, SignupStage, StepUpdate};

use crate::support::{self, on_both_engines, SandboxPortal, StaffClient};

/// One open event stream, read chunk by chunk.
pub(crate) struct Events {
    response: reqwest::Response,
    buffer: String,
}

/// An `event: change` as the stream sent it.
#[derive(Debug)]
pub(crate) struct ChangeEvent {
    pub(crate) id: Option<i64>,
    pub(crate) topic: String,
}

impl Events {
    pub(crate) async fn open(
        url: String,
        cookie: Option<&str>,
        last_event_id: Option<i64>,
    ) -> Events {
        let mut request = reqwest::Client::new().get(url);
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id.to_string());
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        Events {
            response,
            buffer: String::new(),
        }
    }

    /// The next `change` within `wait`, or `None`.
    pub(crate) async fn next(&mut self, wait: Duration) -> Option<ChangeEvent> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let field = |name: &str| {
                    block
                        .lines()
                        .find_map(|l| l.strip_prefix(&format!("{name}:")))
                        .map(|v| v.trim().to_string())
                };
                if field("event").as_deref() == Some("change") {
                    return Some(ChangeEvent {
                        id: field("id").and_then(|id| id.parse().ok()),
                        topic: field("data").unwrap_or_default(),
                    });
                }
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk()).await;
            match chunk {
                Ok(Ok(Some(bytes))) => self.buffer.push_str(&String::from_utf8_lossy(&bytes)),
                Ok(_) => return None,
                Err(_) => return None,
            }
        }
    }
}

async fn staff(portal: &SandboxPortal) -> StaffClient {
    support::create_staff(portal, "live@partner.test", Role::Viewer).await;
    StaffClient::sign_in(portal.portal.url.as_ref(), "live@partner.test").await
}

fn step(waba_id: i64, state: &str) -> StepUpdate {
    StepUpdate {
        waba_id,
        step: "subscribe_webhooks".into(),
        state: state.into(),
        detail: None,
        error_code: None,
        attempt: true,
    }
}

async fn streams_follow_committed_changes_and_resume(engine: &str) {
    let portal = support::sandbox_portal_on(engine).await;
    let store = portal.portal.database.store.clone();
    mm_portal::seed::seed(store.as_ref(), 3, |_| {})
        .await
        .unwrap();
    let base = portal.portal.url.to_string();
    let live = |topics: &str| format!("{base}live?topics={topics}");

    // Staff only, and topics that mean something.
    let anonymous = reqwest::get(live("waba:1")).await.unwrap();
    assert_eq!(anonymous.status(), 401);
    let staff = staff(&portal).await;
    let bad = staff.get("live?topics=wabas").await;
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.unwrap().contains("`wabas`"));

    let mut one = Events::open(live("waba:1"), Some(&staff.cookie), None).await;
    let mut all = Events::open(live("waba:*"), Some(&staff.cookie), None).await;
    // A first connection is told to read once (what changed since the page was rendered).
    let sync = one.next(Duration::from_secs(5)).await.expect("first event");
    assert_eq!(sync.topic, "sync");
    all.next(Duration::from_secs(5)).await.expect("first event");

    // Each committed change reaches the streams that follow it, within a second.
    let mut latencies = Vec::new();
    let mut last_id = 0;
    for n in 0..10 {
        let changed = Instant::now();
        store
            .put_step(&step(1, if n % 2 == 0 { "running" } else { "done" }))
            .await
            .unwrap();
        let event = one.next(Duration::from_secs(5)).await.expect("change");
        latencies.push(changed.elapsed());
        assert_eq!(event.topic, "waba:1");
        last_id = event.id.unwrap();
        assert_eq!(
            all.next(Duration::from_secs(5)).await.unwrap().topic,
            "waba:1"
        );
    }
    store.put_step(&step(2, "running")).await.unwrap();
    assert_eq!(
        all.next(Duration::from_secs(5)).await.unwrap().topic,
        "waba:2"
    );
    assert!(
        one.next(Duration::from_millis(800)).await.is_none(),
        "a stream hears only its topics"
    );
    latencies.sort();
    let p95 = latencies[latencies.len() * 95 / 100 - 1];
    assert!(p95 < Duration::from_secs(1), "p95 {p95:?}");
    println!(
        "{engine}: change to stream p95 {:.0} ms",
        p95.as_secs_f64() * 1000.0
    );

    // A reconnect with the last id it saw: told at once if it missed a change, else quiet.
    drop(one);
    store.put_step(&step(1, "running")).await.unwrap();
    let mut again = Events::open(live("waba:1"), Some(&staff.cookie), Some(last_id)).await;
    let resumed = again
        .next(Duration::from_secs(5))
        .await
        .expect("missed change");
    assert_eq!(resumed.topic, "resync");
    let latest = resumed.id.unwrap();
    drop(again);
    let mut quiet = Events::open(live("waba:1"), Some(&staff.cookie), Some(latest)).await;
    assert!(quiet.next(Duration::from_millis(800)).await.is_none());
    drop(quiet);

    // The status page follows its signup, then the WABA the signup connected.
    let unknown = reqwest::get(format!("{base}live/status/no-such-key"))
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let signup = store
        .create_signup(&NewSignup {
            nonce: "live-nonce".into(),
            status_key: "live-status-key".into(),
            campaign: None,
            feature_type: "marketing_messages_lite".into(),
            link_id: None,
            customer_id: None,
        })
        .await
        .unwrap();
    let mut status = Events::open(format!("{base}live/status/live-status-key"), None, None).await;
    assert_eq!(
        status.next(Duration::from_secs(5)).await.unwrap().topic,
        "sync"
    );
    store.put_step(&step(3, "running")).await.unwrap();
    assert!(
        status.next(Duration::from_millis(800)).await.is_none(),
        "not its WABA yet"
    );
    store
        .record_signup_event(
            signup.id,
            &SignupEvent {
                event: "exchanged".into(),
                stage: Some(SignupStage::Exchanged),
                waba_id: Some(3),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let topic = format!("signup:{}", signup.id);
    assert_eq!(
        status.next(Duration::from_secs(5)).await.unwrap().topic,
        topic
    );
    store.put_step(&step(3, "done")).await.unwrap();
    // (The event wrote the signup's row more than once: skip those.)
    let mut next = status.next(Duration::from_secs(5)).await.unwrap();
    while next.topic == topic {
        next = status.next(Duration::from_secs(5)).await.unwrap();
    }
    assert_eq!(next.topic, "waba:3");

    // Open streams do not hold up a shutdown.
    let stopped = tokio::time::timeout(Duration::from_secs(15), portal.portal.shutdown()).await;
    assert!(stopped.is_ok(), "shutdown waited for the open streams");
}

on_both_engines!(streams_follow_committed_changes_and_resume);

/// Two instances on one PostgreSQL: a change committed through A reaches a stream on B (its
/// hub woken by NOTIFY) within a second.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_a_change_on_one_instance_reaches_a_page_on_another() {
    let url = support::fresh_postgres_url().await;
    let a = support::sandbox_portal_with(&["--database-url", &url]).await;
    let b = support::sandbox_portal_with(&["--database-url", &url]).await;
    mm_portal::seed::seed(a.portal.database.store.as_ref(), 2, |_| {})
        .await
        .unwrap();
    let staff = staff(&b).await;
    let mut on_b = Events::open(
        format!("{}live?topics=waba:2", b.portal.url),
        Some(&staff.cookie),
        None,
    )
    .await;
    on_b.next(Duration::from_secs(5)).await.expect("sync");
    let mut latencies = Vec::new();
    for n in 0..20 {
        let changed = Instant::now();
        a.portal
            .database
            .store
            .put_step(&step(2, if n % 2 == 0 { "running" } else { "done" }))
            .await
            .unwrap();
        let event = on_b
            .next(Duration::from_secs(5))
            .await
            .expect("change on B");
        assert_eq!(event.topic, "waba:2");
        latencies.push(changed.elapsed());
    }
    latencies.sort();
    let p95 = latencies[latencies.len() * 95 / 100 - 1];
    assert!(p95 < Duration::from_secs(1), "p95 {p95:?}");
    println!(
        "postgres, instance to instance: p50 {:.0} ms, p95 {:.0} ms",
        latencies[latencies.len() / 2].as_secs_f64() * 1000.0,
        p95.as_secs_f64() * 1000.0
    );
    drop(on_b);
    a.portal.shutdown().await;
    b.portal.shutdown().await;
}
