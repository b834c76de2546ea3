//! Several portal processes on one PostgreSQL, as a partner running several instances does
//! (they share the database and the settings, here the sandbox secrets): a signup through one,
//! its webhook to another, a page on a third that hears of it; and a bulk Intent API run with
//! one instance killed half-way, which never asks a business Meta already has a request for.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mm_portal::db::prelude::*;
use mm_portal::db::Role;

use crate::live::Events;
use crate::support::{self, StaffClient};

/// Starts `n` processes on `url`, the later ones with the first one's sandbox secrets; each
/// with `env`. Returns the processes, their URLs and their data directories.
fn start(
    n: usize,
    url: &str,
    env: &[(&str, &str)],
) -> (Vec<Child>, Vec<String>, Vec<tempfile::TempDir>) {
    let dirs: Vec<tempfile::TempDir> = (0..n).map(|_| tempfile::tempdir().unwrap()).collect();
    let mut children = Vec::new();
    let mut bases = Vec::new();
    for (i, dir) in dirs.iter().enumerate() {
        if i > 0 {
            std::fs::copy(
                dirs[0].path().join("sandbox-secrets.json"),
                dir.path().join("sandbox-secrets.json"),
            )
            .unwrap();
        }
        let (child, base, _) =
            support::spawn_binary_with(dir.path(), Some(url), env, "error", Stdio::null());
        children.push(child);
        bases.push(base);
    }
    (children, bases, dirs)
}

fn stop(children: &mut [Child]) {
    for child in children {
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(child.wait().unwrap().success());
    }
}

/// Three portal processes on one PostgreSQL, sharing the sandbox secrets as instances of one
/// deployment share their settings: a business signs up through A, Meta's terms webhook for
/// its WABA reaches B, and a staff page's stream on C hears of it within a second.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_three_processes_signup_on_a_webhook_on_b_live_on_c() {
    let url = support::fresh_postgres_url().await;
    let (mut children, bases, dirs) = start(3, &url, &[]);
    let (a_base, b_base, c_base) = (bases[0].clone(), bases[1].clone(), bases[2].clone());
    // One deployment: the same app secret, verify token and encryption key everywhere.
    let secrets = dirs[0].path().join("sandbox-secrets.json");
    let database = mm_portal::db::connect(&url).await.unwrap();
    support::create_staff_in(&database, "three@partner.test", Role::Viewer).await;
    let staff = StaffClient::sign_in(&c_base, "three@partner.test").await;

    // The signup, through A (Meta's window is the simulator's; it would sign the terms in an
    // hour: the test delivers that webhook itself, to B).
    let http = reqwest::Client::new();
    let nonce: String = http
        .post(format!("{a_base}api/signup_start"))
        .form(&[("campaign", "three")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let created: serde_json::Value = http
        .post(format!("{a_base}sandbox/api/signups"))
        .json(&serde_json::json!({
            "business_name": "Three Instances Bakery",
            "phone_number": "+55 11 93333 0003",
            "terms_delay_ms": 3_600_000
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let code = created["code"].as_str().unwrap();
    let completed = http
        .post(format!("{a_base}api/signup_complete"))
        .form(&[("nonce", nonce.as_str()), ("code", code)])
        .send()
        .await
        .unwrap();
    assert_eq!(
        completed.status(),
        200,
        "{}",
        completed.text().await.unwrap()
    );
    let meta_waba = created["waba_id"].as_str().unwrap().to_string();
    let owner = created["business_id"].as_str().unwrap().to_string();
    let waba_id = support::eventually_some(|| {
        let (database, meta_waba) = (database.clone(), meta_waba.clone());
        async move {
            database
                .store
                .waba_by_meta_id(&meta_waba)
                .await
                .unwrap()
                .map(|w| w.id)
        }
    })
    .await;

    let mut on_c = Events::open(
        format!("{c_base}live?topics=waba:{waba_id}"),
        Some(&staff.cookie),
        None,
    )
    .await;
    assert_eq!(
        on_c.next(Duration::from_secs(5)).await.unwrap().topic,
        "sync"
    );
    // Let the pipeline's own changes on A settle, then listen for the webhook's.
    while on_c.next(Duration::from_millis(1500)).await.is_some() {}

    let body = format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"{meta_waba}","time":1731600000,"changes":[{{"field":"account_update","value":{{"event":"MM_LITE_TERMS_SIGNED","waba_info":{{"waba_id":"{meta_waba}","owner_business_id":"{owner}"}}}}}}]}}]}}"#
    );
    let secrets: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&secrets).unwrap()).unwrap();
    let app_secret =
        secrecy::SecretString::from(secrets["app_secret"].as_str().unwrap().to_string());
    let delivered = Instant::now();
    let answer = http
        .post(format!("{b_base}webhooks/meta"))
        .header("content-type", "application/json")
        .header(
            "x-hub-signature-256",
            mm_portal::webhooks::signature::sign(&app_secret, body.as_bytes()),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let event = on_c
        .next(Duration::from_secs(5))
        .await
        .expect("C heard of B's webhook");
    let took = delivered.elapsed();
    assert_eq!(event.topic, format!("waba:{waba_id}"));
    assert!(took < Duration::from_secs(1), "{took:?}");
    let terms = database
        .store
        .waba_by_meta_id(&meta_waba)
        .await
        .unwrap()
        .unwrap()
        .mm_terms_signed_at;
    assert!(terms.is_some(), "B applied the webhook");
    println!(
        "three processes: webhook on B to C's stream in {:.0} ms",
        took.as_secs_f64() * 1000.0
    );
    drop(on_c);
    stop(&mut children);
}

/// Two processes share a bulk Intent API run over 40 eligible businesses; one is killed
/// (SIGKILL) when about a third were asked. The other takes over its claimed jobs once their
/// heartbeat leases lapse, and no business is asked twice once Meta holds its request (the
/// simulator counts the calls it received for each; a call the kill cut short, which the
/// killed process's simulator never stored, is asked again).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_a_bulk_intent_run_survives_losing_an_instance_and_asks_each_business_once() {
    let url = support::fresh_postgres_url().await;
    let (mut children, bases, _dirs) = start(2, &url, &[("INTENT_RATE_PER_SECOND", "10")]);
    let database = mm_portal::db::connect(&url).await.unwrap();
    mm_portal::seed::seed(database.store.as_ref(), 400, |_| {})
        .await
        .unwrap();
    mm_portal::sandbox::seed::seed_customers(&database, 400, |_| {})
        .await
        .unwrap();
    let key = mm_portal::api_keys::service::ApiKeysService::new(database.store.clone())
        .make(
            "tests",
            &[app::api_keys::port::Scope::IntentsWrite],
            "tests",
        )
        .await
        .unwrap()
        .secret;
    let http = reqwest::Client::new();
    let started = http
        .post(format!("{}api/v1/intents", bases[0]))
        .bearer_auth(&key)
        .header("content-type", "application/json")
        .body(r#"{"filter": {"status": "ELIGIBLE"}}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), 202);
    let queued = started.json::<serde_json::Value>().await.unwrap()["queued"]
        .as_i64()
        .unwrap();
    assert_eq!(queued, 40);
    let sent = |database: mm_portal::db::Database| async move {
        support::count(
            &database,
            "SELECT COUNT(*) FROM intent_requests WHERE state = 'sent'",
        )
        .await
    };
    support::eventually_some(|| {
        let database = database.clone();
        async move { (sent(database).await >= 13).then_some(()) }
    })
    .await;
    let mut killed = children.remove(0);
    killed.kill().unwrap(); // SIGKILL: its claimed jobs keep their leases until they lapse
    killed.wait().unwrap();
    let at_kill = sent(database.clone()).await;
    let died = Instant::now();
    support::eventually_some(|| {
        let database = database.clone();
        async move { (sent(database).await == 40).then_some(()) }
    })
    .await;
    let finished = died.elapsed();
    let stats: serde_json::Value = http
        .get(format!("{}sandbox/api/stats/intents", bases[1]))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["duplicates"], 0, "{stats}");
    assert_eq!(stats["distinct_businesses"], 40, "{stats}");
    // The simulator runs inside each process: a call in flight when A was killed died with
    // A's simulator before it stored anything, so B asks that business again. That is the
    // only kind of repeat allowed (as `bench intents` counts it), never a duplicate.
    assert_eq!(
        stats["total_requests"].as_u64().unwrap(),
        40 + stats["repeated_unstored"].as_u64().unwrap(),
        "{stats}"
    );
    let unfinished = support::count(
        &database,
        "SELECT COUNT(*) FROM jobs WHERE kind = 'mm.intent' AND status <> 'done'",
    )
    .await;
    assert_eq!(unfinished, 0, "every intent job done");
    println!(
        "bulk intent over two processes: {at_kill} of 40 sent when one was killed; the rest in {:.1} s",
        finished.as_secs_f64()
    );
    stop(&mut children);
}
