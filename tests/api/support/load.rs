//! Signed webhook deliveries streamed at a portal by concurrent senders, each acknowledged body
//! recorded: the load under which a crash (`crash.rs`) or a backup (`backup.rs`) must lose
//! nothing acknowledged.

use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mm_portal::webhooks::signature;
use secrecy::SecretString;
use tokio_util::sync::CancellationToken;

/// A distinct `account_update` delivery (a new WABA each) from `sender`, number `n`.
pub fn delivery(sender: u64, n: u64) -> String {
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"{sender}-{n}","time":1731600000,"changes":[{{"field":"account_update","value":{{"event":"PARTNER_ADDED","waba_info":{{"waba_id":"{sender}-{n}","owner_business_id":"owner-{sender}"}}}}}}]}}]}}"#
    )
}

/// The app secret a sandbox-mode process generated in its data directory.
pub fn sandbox_app_secret(data_dir: &Path) -> SecretString {
    let secrets: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data_dir.join("sandbox-secrets.json")).unwrap())
            .unwrap();
    SecretString::from(secrets["app_secret"].as_str().unwrap().to_string())
}

/// Senders posting to `url` until stopped; each stops at its first answer that is not a 200
/// (the server went away), counted in `refused`.
pub struct Senders {
    pub acknowledged: Arc<Mutex<HashSet<Vec<u8>>>>,
    pub refused: Arc<AtomicUsize>,
    stop: CancellationToken,
    tasks: tokio::task::JoinSet<()>,
}

impl Senders {
    pub fn start(url: &str, secret: &SecretString, senders: u64) -> Senders {
        let acknowledged: Arc<Mutex<HashSet<Vec<u8>>>> = Arc::default();
        let refused: Arc<AtomicUsize> = Arc::default();
        let stop = CancellationToken::new();
        let client = reqwest::Client::new();
        let mut tasks = tokio::task::JoinSet::new();
        for sender in 0..senders {
            let (client, url, secret) = (client.clone(), url.to_string(), secret.clone());
            let (acknowledged, refused, stop) =
                (acknowledged.clone(), refused.clone(), stop.clone());
            tasks.spawn(async move {
                for n in 0.. {
                    if stop.is_cancelled() {
                        break;
                    }
                    let body = delivery(sender, n);
                    let result = client
                        .post(&url)
                        .header("content-type", "application/json")
                        .header(
                            "x-hub-signature-256",
                            signature::sign(&secret, body.as_bytes()),
                        )
                        .body(body.clone())
                        .send()
                        .await;
                    match result {
                        Ok(response) if response.status() == 200 => {
                            acknowledged.lock().unwrap().insert(body.into_bytes());
                        }
                        _ => {
                            refused.fetch_add(1, Ordering::SeqCst);
                            break;
                        }
                    }
                }
            });
        }
        Senders {
            acknowledged,
            refused,
            stop,
            tasks,
        }
    }

    pub fn acknowledged(&self) -> HashSet<Vec<u8>> {
        self.acknowledged.lock().unwrap().clone()
    }

    /// Waits until `count` deliveries were acknowledged, or `limit` passed.
    pub async fn wait_for(&self, count: usize, limit: Duration) {
        let started = std::time::Instant::now();
        while self.acknowledged.lock().unwrap().len() < count && started.elapsed() < limit {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Stops the senders and waits for them.
    pub async fn stop(mut self) -> HashSet<Vec<u8>> {
        self.stop.cancel();
        while let Some(done) = self.tasks.join_next().await {
            done.unwrap();
        }
        self.acknowledged()
    }
}
