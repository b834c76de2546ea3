//! A receiver for what the portal sends out (relay destinations, event endpoints), on a port
//! of its own, and the partner API call the tests that set them up share.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use super::SandboxPortal;

/// What the receiver got: headers and the exact body.
#[derive(Clone)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// A receiver on a port of its own that answers 500 to its first `fail_first` requests.
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    accepted: Arc<Mutex<Vec<Received>>>,
    pub refused: Arc<Mutex<usize>>,
}

impl Receiver {
    pub async fn start(fail_first: usize) -> Receiver {
        let accepted: Arc<Mutex<Vec<Received>>> = Arc::default();
        let refused: Arc<Mutex<usize>> = Arc::default();
        let (a, r) = (accepted.clone(), refused.clone());
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: Bytes| {
                let (accepted, refused) = (a.clone(), r.clone());
                async move {
                    let mut refused = refused.lock().unwrap();
                    if *refused < fail_first {
                        *refused += 1;
                        return StatusCode::INTERNAL_SERVER_ERROR;
                    }
                    accepted.lock().unwrap().push(Received { headers, body });
                    StatusCode::OK
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver {
            url,
            accepted,
            refused,
        }
    }

    pub fn accepted(&self) -> Vec<Received> {
        self.accepted.lock().unwrap().clone()
    }

    /// Waits (30 s at most: CI runs every test at once) until `count` deliveries were accepted.
    pub async fn wait_for(&self, count: usize) -> Vec<Received> {
        self.wait_until(|got| got.len() >= count).await
    }

    /// Waits (30 s at most) until what was accepted satisfies `done`; returns it either way.
    pub async fn wait_until(&self, done: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let got = self.accepted();
            if done(&got) || Instant::now() > deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

pub async fn call(
    portal: &SandboxPortal,
    key: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .request(method, format!("{}api/v1{path}", portal.portal.url))
        .bearer_auth(key);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Standard Webhooks, written out: base64 HMAC-SHA256 of `id.timestamp.body` keyed with the
/// base64-decoded part of `whsec_…`, in a space-separated list of `v1,<sig>`; and a fresh
/// timestamp.
pub fn standard_signature_holds(secret: &str, headers: &HeaderMap, body: &[u8]) -> bool {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    let (id, timestamp) = (header("webhook-id"), header("webhook-timestamp"));
    let Ok(seconds) = timestamp.parse::<i64>() else {
        return false;
    };
    let now = mm_portal::db::now_millis() / 1000;
    if (now - seconds).abs() > 300 || id.is_empty() {
        return false;
    }
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    header("webhook-signature")
        .split(' ')
        .any(|s| s == expected)
}

/// A portal binary on its own data directory and database, started and restarted at will
/// (the `kill -9` tests), with a key of `events:manage` and an endpoint for what it sends.
pub struct Restartable {
    pub dir: tempfile::TempDir,
    pub database_url: String,
}

impl Restartable {
    pub async fn new(engine: &str) -> Restartable {
        let dir = tempfile::tempdir().unwrap();
        let database_url = match engine {
            "postgres" => super::fresh_postgres_url().await,
            _ => format!("sqlite://{}", dir.path().join("portal.db").display()),
        };
        Restartable { dir, database_url }
    }

    /// Starts the portal; its process and base URL.
    pub fn start(&self) -> (std::process::Child, String) {
        let (child, url, _) = super::spawn_binary_on(
            self.dir.path(),
            Some(&self.database_url),
            "error",
            std::process::Stdio::null(),
        );
        (child, url)
    }

    /// A key with `events:manage`, made straight in the database.
    pub async fn events_key(&self, database: &mm_portal::db::Database) -> String {
        mm_portal::api_keys::service::ApiKeysService::new(database.store.clone())
            .make(
                "tests",
                &[app::api_keys::port::Scope::EventsManage],
                "tests",
            )
            .await
            .unwrap()
            .secret
    }

    /// `POST /api/v1/{path}` with the key; asserts the 201.
    pub async fn create(&self, base: &str, key: &str, path: &str, body: Value) {
        let response = reqwest::Client::new()
            .post(format!("{base}api/v1/{path}"))
            .bearer_auth(key)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 201);
    }
}
