//! Embedded Signup through the real binary and real HTTP: the code exchange keeps the token on
//! the server (not in any page, server-function answer or log line), and a portal killed
//! mid-pipeline resumes after a restart without repeating a completed step.

use crate::support;

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sqlx::Connection;

struct Portal {
    child: Child,
    base: String,
    http: reqwest::Client,
}

impl Portal {
    fn start(dir: &Path, log: &str, stderr: Stdio) -> Portal {
        let (child, base, _) = support::spawn_binary(dir, log, stderr);
        Portal {
            child,
            base,
            http: reqwest::Client::new(),
        }
    }

    /// Calls a server function the way `public/signup.js` does; returns (status, body).
    async fn server_fn(&self, name: &str, args: &[(&str, &str)]) -> (u16, String) {
        let response = self
            .http
            .post(format!("{}api/{name}", self.base))
            .form(args)
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    async fn sandbox_signup(&self, body: Value) -> Value {
        let response = self
            .http
            .post(format!("{}sandbox/api/signups", self.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    async fn arm_fault(&self, fault: Value) {
        let response = self
            .http
            .post(format!("{}sandbox/api/faults", self.base))
            .json(&fault)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 204);
    }

    fn stop(mut self) {
        let _ = nix_term(&self.child);
        let _ = self.child.wait();
    }

    fn kill_9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

fn nix_term(child: &Child) -> std::io::Result<()> {
    std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .map(|_| ())
}

async fn db(dir: &Path) -> sqlx::SqliteConnection {
    let url = format!("sqlite://{}", dir.join("portal.db").display());
    sqlx::SqliteConnection::connect(&url).await.unwrap()
}

/// The token the simulator will hand out for `code` (kept simulator-side like Meta's records).
async fn token_for_code(dir: &Path, code: &str) -> String {
    let mut conn = db(dir).await;
    let data: String =
        sqlx::query_scalar("SELECT data FROM sandbox_objects WHERE kind = 'code' AND id = $1")
            .bind(code)
            .fetch_one(&mut conn)
            .await
            .unwrap();
    let value: Value = serde_json::from_str(&data).unwrap();
    value["access_token"].as_str().unwrap().to_string()
}

fn finish_event(created: &Value) -> String {
    json!({
        "type": "WA_EMBEDDED_SIGNUP",
        "event": "FINISH",
        "data": {
            "waba_id": created["waba_id"],
            "phone_number_id": created["phone_number_id"],
            "business_id": created["business_id"],
        },
        "version": 3
    })
    .to_string()
}

/// Polls the status server function until `done` says so; returns the last view.
async fn wait_for(
    portal: &Portal,
    key: &str,
    seen: &mut Vec<String>,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, body) = portal.server_fn("signup_status", &[("key", key)]).await;
        assert_eq!(status, 200, "{body}");
        let view: Value = serde_json::from_str(&body).unwrap();
        seen.push(body);
        if done(&view) {
            return view;
        }
        assert!(Instant::now() < deadline, "timed out; last status: {view}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn item_state<'a>(view: &'a Value, key: &str) -> &'a str {
    view["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == key)
        .and_then(|i| i["state"].as_str())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_access_token_never_reaches_a_page_a_server_function_answer_or_a_log_line() {
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("portal.log");
    let log_file = std::fs::File::create(&log_path).unwrap();
    let portal = Portal::start(dir.path(), "debug", Stdio::from(log_file));
    let mut answers = Vec::new();

    let (status, nonce) = portal
        .server_fn("signup_start", &[("campaign", "spring")])
        .await;
    assert_eq!(status, 200);
    let nonce: String = serde_json::from_str(&nonce).unwrap();
    answers.push(
        portal
            .server_fn("signup_launched", &[("nonce", &nonce)])
            .await
            .1,
    );
    let created = portal
        .sandbox_signup(
            json!({"business_name": "Token Safety Ltd", "phone_number": "+55 11 90000 1111"}),
        )
        .await;
    let code = created["code"].as_str().unwrap();
    let token = token_for_code(dir.path(), code).await;
    assert!(token.len() > 40);
    let event = finish_event(&created);
    answers.push(
        portal
            .server_fn("signup_event", &[("nonce", &nonce), ("payload", &event)])
            .await
            .1,
    );

    let finished = Instant::now();
    let (status, key) = portal
        .server_fn("signup_complete", &[("nonce", &nonce), ("code", code)])
        .await;
    assert_eq!(status, 200, "{key}");
    answers.push(key.clone());
    let key: String = serde_json::from_str(&key).unwrap();
    let subscribed = wait_for(&portal, &key, &mut answers, |v| {
        item_state(v, "webhooks") == "done"
    })
    .await;
    let to_subscribed = finished.elapsed();
    let ready = wait_for(&portal, &key, &mut answers, |v| v["ready"] == true).await;
    let to_ready = finished.elapsed();
    eprintln!(
        "measured: FINISH → webhooks subscribed {} ms, → ready to send {} ms",
        to_subscribed.as_millis(),
        to_ready.as_millis()
    );
    assert_eq!(item_state(&subscribed, "connected"), "done");
    assert_eq!(item_state(&ready, "terms"), "done");

    // A replayed nonce is refused, in words, with a client-error status.
    let (status, replay) = portal
        .server_fn("signup_complete", &[("nonce", &nonce), ("code", code)])
        .await;
    assert_eq!(status, 400, "{replay}");
    assert!(replay.contains("already completed"), "{replay}");
    answers.push(replay);

    for path in [
        "signup".to_string(),
        "signup/spring".into(),
        format!("status/{key}"),
    ] {
        let html = portal
            .http
            .get(format!("{}{path}", portal.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        answers.push(html);
    }
    // The sealed copy is not the token either.
    let mut conn = db(dir.path()).await;
    let sealed: Vec<Vec<u8>> = sqlx::query_scalar("SELECT ciphertext FROM encrypted_secrets")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert!(!sealed.is_empty());
    for ciphertext in &sealed {
        assert!(!ciphertext
            .windows(token.len())
            .any(|w| w == token.as_bytes()));
    }
    portal.stop();

    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        log.contains("Embedded Signup code exchanged"),
        "the log has the flow"
    );
    for (name, text) in [("log", &log)]
        .into_iter()
        .chain(answers.iter().map(|a| ("answer", a)))
    {
        assert!(!text.contains(&token), "the token appeared in a {name}");
        assert!(!text.contains(code), "the code appeared in a {name}");
    }
    let secrets: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("sandbox-secrets.json")).unwrap())
            .unwrap();
    assert!(!log.contains(secrets["app_secret"].as_str().unwrap()));
}

async fn step_row(dir: &Path, step: &str) -> Option<(String, i64)> {
    let mut conn = db(dir).await;
    sqlx::query_as("SELECT state, attempts FROM onboarding_steps WHERE step = $1")
        .bind(step)
        .fetch_optional(&mut conn)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_portal_killed_mid_pipeline_resumes_without_repeating_a_completed_step() {
    let dir = tempfile::tempdir().unwrap();
    let portal = Portal::start(dir.path(), "error", Stdio::null());
    // Registration fails transiently a few times: the pipeline sits in "retrying" there.
    portal
        .arm_fault(json!({"operation": "register", "kind": "transient", "count": 3}))
        .await;
    let (_, nonce) = portal.server_fn("signup_start", &[]).await;
    let nonce: String = serde_json::from_str(&nonce).unwrap();
    let created = portal
        .sandbox_signup(json!({"business_name": "Crash Test Dummies", "phone_number": "+55 11 90000 2222", "terms_delay_ms": 0}))
        .await;
    let (status, key) = portal
        .server_fn(
            "signup_complete",
            &[
                ("nonce", &nonce),
                ("code", created["code"].as_str().unwrap()),
            ],
        )
        .await;
    assert_eq!(status, 200, "{key}");
    let key: String = serde_json::from_str(&key).unwrap();

    // Kill while the step waits for its retry (its job queued, not leased): a job killed while
    // leased is taken over only when its lease expires (60 s), which is correct but slow.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some((state, _)) = step_row(dir.path(), "register_phone").await {
            let mut conn = db(dir.path()).await;
            let queued: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM jobs WHERE payload LIKE '%register_phone%' AND status = 'queued'",
            )
            .fetch_one(&mut conn)
            .await
            .unwrap();
            if state == "retrying" && queued == 1 {
                break;
            }
            assert_ne!(
                state, "done",
                "the fault should have held registration back"
            );
        }
        assert!(Instant::now() < deadline, "registration never retried");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    portal.kill_9();
    assert_eq!(
        step_row(dir.path(), "subscribe_webhooks").await.unwrap().0,
        "done"
    );

    let portal = Portal::start(dir.path(), "error", Stdio::null());
    let mut seen = Vec::new();
    let view = wait_for(&portal, &key, &mut seen, |v| v["ready"] == true).await;
    assert_eq!(item_state(&view, "number"), "done");
    portal.stop();

    // Each completed step ran once: one attempt, one job, one "done" timeline entry.
    let mut conn = db(dir.path()).await;
    for step in ["subscribe_webhooks", "fetch_account"] {
        let (state, attempts) = step_row(dir.path(), step).await.unwrap();
        assert_eq!((state.as_str(), attempts), ("done", 1), "{step}");
        let jobs: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM jobs WHERE kind = 'onboarding.step' AND payload LIKE $1",
        )
        .bind(format!("%\"{step}\"%"))
        .fetch_one(&mut conn)
        .await
        .unwrap();
        assert_eq!(jobs, 1, "{step}");
        let entries: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM timeline_events WHERE kind = $1")
                .bind(format!("pipeline.{step}"))
                .fetch_one(&mut conn)
                .await
                .unwrap();
        assert_eq!(entries, 1, "{step}");
    }
    let (state, attempts) = step_row(dir.path(), "register_phone").await.unwrap();
    assert_eq!(state, "done");
    assert!(
        attempts >= 2,
        "registration was retried across the restart ({attempts})"
    );
}
