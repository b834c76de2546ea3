//! The simulator test harness: a sandbox portal, a client, and helpers for the tester API,
//! Graph calls (with token and `appsecret_proof`), faults and the portal's webhook inbox.
//!
//! Every Graph answer that passes through [`Sim::get`], [`Sim::call`] or [`Sim::call_url`] is
//! checked against Meta's OpenAPI schemas (`support::openapi`): success bodies against the
//! operation's 200 schema, errors against its error schema.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

use mm_portal::graph::{appsecret_proof, GraphError};
use mm_portal::server::RunningPortal;
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};

use super::openapi;

pub struct Sim {
    pub portal: RunningPortal,
    pub app_id: String,
    pub secret: SecretString,
    pub client: reqwest::Client,
    /// Phone number ids the harness has seen created, to tell `GET /{phone}` from
    /// `GET /{WABA}` when choosing the OpenAPI schema.
    phones: Mutex<HashSet<String>>,
    _dir: tempfile::TempDir,
}

/// A signup's business, WABA and phone with the Embedded Signup token granted on the WABA.
#[derive(Debug, Clone)]
pub struct Account {
    pub business: String,
    pub waba: String,
    pub phone: String,
    pub token: String,
    pub proof: String,
}

/// A Graph call's status, headers and JSON body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    #[track_caller]
    pub fn error(&self) -> GraphError {
        serde_json::from_value(self.body["error"].clone())
            .unwrap_or_else(|_| panic!("a Graph error object, got {} {}", self.status, self.body))
    }

    /// Status, type, code, subcode and message of a Graph error answer.
    #[track_caller]
    pub fn error_tuple(&self) -> (u16, String, i64, Option<i64>, String) {
        let e = self.error();
        (self.status, e.kind, e.code, e.error_subcode, e.message)
    }

    #[track_caller]
    pub fn assert_success(&self) {
        assert_eq!(
            (self.status, &self.body),
            (200, &json!({"success": true})),
            "expected success"
        );
    }
}

/// The Graph error object in `body`.
#[track_caller]
pub fn graph_error(body: &Value) -> GraphError {
    serde_json::from_value(body["error"].clone()).expect("a Graph error object")
}

impl Sim {
    pub async fn start() -> Sim {
        let sandbox = super::sandbox_portal().await;
        Sim {
            portal: sandbox.portal,
            app_id: sandbox.app_id,
            secret: sandbox.app_secret,
            client: reqwest::Client::new(),
            phones: Mutex::new(HashSet::new()),
            _dir: sandbox.dir,
        }
    }

    pub fn graph(&self, path: &str) -> String {
        format!("{}sandbox/graph/v23.0/{path}", self.portal.url)
    }

    pub fn proof(&self, token: &str) -> String {
        appsecret_proof(&SecretString::from(token.to_string()), &self.secret)
    }

    /// `POST /sandbox/api/{path}` with a JSON body; the answer's status and JSON (or null).
    pub async fn tester(&self, path: &str, body: Value) -> (u16, Value) {
        let response = self
            .client
            .post(format!("{}sandbox/api/{path}", self.portal.url))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// A signup (business, WABA, phone and code) with `extra` tester settings.
    pub async fn signup(&self, extra: Value) -> Value {
        let mut body = json!({"business_name": "Loja Azul", "phone_number": "+55 11 91234-5678"});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let (status, signup) = self.tester("signups", body).await;
        assert_eq!(status, 200, "{signup}");
        if let Some(phone) = signup["phone_number_id"].as_str() {
            self.phones.lock().unwrap().insert(phone.to_string());
        }
        signup
    }

    /// Exchanges an Embedded Signup code (`oauth/access_token`).
    pub async fn exchange(&self, code: &str) -> (u16, Value) {
        let secret = self.secret.expose_secret().to_string();
        self.get(
            &self.graph("oauth/access_token"),
            &[
                ("client_id", &self.app_id),
                ("client_secret", &secret),
                ("code", code),
            ],
        )
        .await
    }

    /// A signup exchanged for its token.
    pub async fn account(&self, extra: Value) -> Account {
        let signup = self.signup(extra).await;
        let (status, token) = self.exchange(signup["code"].as_str().unwrap()).await;
        assert_eq!(status, 200, "{token}");
        let token = token["access_token"].as_str().unwrap().to_string();
        Account {
            business: signup["business_id"].as_str().unwrap().to_string(),
            waba: signup["waba_id"].as_str().unwrap().to_string(),
            phone: signup["phone_number_id"].as_str().unwrap().to_string(),
            proof: self.proof(&token),
            token,
        }
    }

    /// A plain GET with `query` (no token unless in the query); checked against the schemas.
    pub async fn get(&self, url: &str, query: &[(&str, &str)]) -> (u16, Value) {
        let answer = self
            .send(self.client.get(url).query(query), "GET", url)
            .await;
        (answer.status, answer.body)
    }

    /// A Graph call at `url` with `Authorization: Bearer` and `appsecret_proof` (when a token
    /// is given) and an optional body: JSON for a `Value`, sent as is for a string (a form).
    pub async fn call_url(
        &self,
        method: Method,
        url: &str,
        token: Option<&str>,
        query: &[(&str, &str)],
        body: Option<Value>,
    ) -> Answer {
        let mut request = self.client.request(method.clone(), url).query(query);
        if let Some(token) = token {
            request = request
                .bearer_auth(token)
                .query(&[("appsecret_proof", self.proof(token))]);
        }
        match body {
            Some(Value::String(form)) => {
                request = request
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(form);
            }
            Some(json) => request = request.json(&json),
            None => {}
        }
        self.send(request, method.as_str(), url).await
    }

    /// [`Sim::call_url`] on `graph(path)`.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        query: &[(&str, &str)],
        body: Option<Value>,
    ) -> Answer {
        self.call_url(method, &self.graph(path), token, query, body)
            .await
    }

    /// Sends a request built elsewhere (e.g. with a wrong proof) and checks the answer.
    pub async fn send(&self, request: reqwest::RequestBuilder, method: &str, url: &str) -> Answer {
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
            panic!("not JSON ({e}), HTTP {status} from {method} {url}: {text}")
        });
        self.check_graph_answer(method, url, status, &body);
        Answer {
            status,
            headers,
            body,
        }
    }

    /// Validates a simulator Graph answer against the OpenAPI schema of its operation (see
    /// `support::openapi::operation_for`); answers outside `/sandbox/graph/` are not checked.
    pub fn check_graph_answer(&self, method: &str, url: &str, status: u16, body: &Value) {
        let path = url::Url::parse(url)
            .map(|u| u.path().to_string())
            .unwrap_or_default();
        let Some(rest) = path.strip_prefix("/sandbox/graph/") else {
            return;
        };
        let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
        let operation = match segments.split_first() {
            Some((version, tail)) if is_version(version) => {
                let phones = self.phones.lock().unwrap();
                openapi::operation_for(method, tail, |id| phones.contains(id))
            }
            _ => None,
        };
        openapi::check_answer(operation, status, body, &format!("{method} {path}"));
    }

    /// Arms a fault (`POST /sandbox/api/faults`); the status.
    pub async fn arm_fault(&self, fault: Value) -> u16 {
        self.tester("faults", fault).await.0
    }

    /// Clears every fault (`DELETE /sandbox/api/faults`); the status.
    pub async fn clear_faults(&self) -> u16 {
        self.client
            .delete(format!("{}sandbox/api/faults", self.portal.url))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    /// Every delivery in the portal's webhook inbox, oldest first.
    pub async fn inbox(&self) -> Vec<Value> {
        super::inbox_bodies(&self.portal.database)
            .await
            .iter()
            .filter_map(|bytes| serde_json::from_slice::<Value>(bytes).ok())
            .collect()
    }

    /// The inbox deliveries that are `MM_LITE_TERMS_SIGNED` for `waba_id`.
    pub async fn terms_signed_deliveries(&self, waba_id: &str) -> Vec<Value> {
        self.inbox()
            .await
            .into_iter()
            .filter(|body| {
                body["entry"].as_array().into_iter().flatten().any(|entry| {
                    entry["changes"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|change| {
                            change["field"] == "account_update"
                                && change["value"]["event"] == "MM_LITE_TERMS_SIGNED"
                                && change["value"]["waba_info"]["waba_id"] == waba_id
                        })
                })
            })
            .collect()
    }

    /// The inbox's `messages` deliveries for `waba`, oldest first.
    pub async fn message_deliveries(&self, waba: &str) -> Vec<Value> {
        self.inbox()
            .await
            .into_iter()
            .filter(|body| {
                body["entry"][0]["id"] == waba
                    && body["entry"][0]["changes"][0]["field"] == "messages"
            })
            .collect()
    }

    /// Polls (up to ~5 s) until `done` holds for `waba`'s message deliveries.
    pub async fn wait_for_deliveries(
        &self,
        waba: &str,
        done: impl Fn(&[Value]) -> bool,
    ) -> Vec<Value> {
        for _ in 0..50 {
            let deliveries = self.message_deliveries(waba).await;
            if done(&deliveries) {
                return deliveries;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let deliveries = self.message_deliveries(waba).await;
        panic!("deliveries never complete: {deliveries:#?}");
    }
}

fn is_version(segment: &str) -> bool {
    segment
        .strip_prefix('v')
        .and_then(|v| v.split_once('.'))
        .is_some_and(|(major, minor)| {
            !major.is_empty()
                && !minor.is_empty()
                && major.bytes().all(|b| b.is_ascii_digit())
                && minor.bytes().all(|b| b.is_ascii_digit())
        })
}

/// The `statuses` items of `deliveries`, as (message id, status).
pub fn statuses(deliveries: &[Value]) -> Vec<(String, String)> {
    deliveries
        .iter()
        .flat_map(|d| {
            d["entry"][0]["changes"][0]["value"]["statuses"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .map(|s| {
            (
                s["id"].as_str().unwrap_or("").to_string(),
                s["status"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// The `user_actions` items (clicks) of `deliveries`.
pub fn clicks(deliveries: &[Value]) -> Vec<Value> {
    deliveries
        .iter()
        .flat_map(|d| {
            d["entry"][0]["changes"][0]["value"]["user_actions"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .collect()
}
