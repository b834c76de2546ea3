//! Zero acknowledged deliveries lost across `kill -9`: while signed deliveries stream in, the
//! server is killed without warning; every delivery that got a 200 must be in the inbox when
//! the database is opened again.

mod support;

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mm_portal::webhooks::signature;
use secrecy::SecretString;

const BIN: &str = env!("CARGO_BIN_EXE_mm-portal");

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_deliveries_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .arg("serve")
        .env("PORTAL_ADDR", "127.0.0.1:0")
        .env("PORTAL_DATA_DIR", dir.path())
        .env("RUST_LOG", "error")
        .env_remove("DATABASE_URL")
        .env_remove("META_MODE")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line.trim().rsplit(' ').next().unwrap().to_string();
    let url = format!("{base}webhooks/meta");
    let secrets: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("sandbox-secrets.json")).unwrap())
            .unwrap();
    let secret = SecretString::from(secrets["app_secret"].as_str().unwrap().to_string());

    let acknowledged = Arc::new(Mutex::new(HashSet::new()));
    let client = reqwest::Client::new();
    let mut senders = tokio::task::JoinSet::new();
    for sender in 0..16u64 {
        let (client, url, secret, acknowledged) = (
            client.clone(),
            url.clone(),
            secret.clone(),
            acknowledged.clone(),
        );
        senders.spawn(async move {
            for n in 0..100_000u64 {
                let body = format!(
                    r#"{{"object":"whatsapp_business_account","entry":[{{"id":"{sender}-{n}","changes":[]}}]}}"#
                );
                let result = client
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("x-hub-signature-256", signature::sign(&secret, body.as_bytes()))
                    .body(body.clone())
                    .send()
                    .await;
                match result {
                    Ok(response) if response.status() == 200 => {
                        acknowledged.lock().unwrap().insert(body.into_bytes());
                    }
                    // The server is gone: stop sending.
                    _ => break,
                }
            }
        });
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    child.kill().unwrap(); // SIGKILL: no shutdown, no flush.
    child.wait().unwrap();
    while senders.join_next().await.is_some() {}

    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() > 500,
        "load reached the server: {}",
        acknowledged.len()
    );
    let url = format!("sqlite://{}", dir.path().join("portal.db").display());
    let database = mm_portal::db::connect(&url).await.unwrap();
    let stored: HashSet<Vec<u8>> = database
        .repo
        .pending_webhooks(10_000_000)
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.body)
        .collect();
    let lost = acknowledged.difference(&stored).count();
    assert_eq!(
        lost,
        0,
        "{lost} of {} acknowledged deliveries lost",
        acknowledged.len()
    );
    println!(
        "acknowledged {} before kill -9, stored {}, lost 0",
        acknowledged.len(),
        stored.len()
    );
}
