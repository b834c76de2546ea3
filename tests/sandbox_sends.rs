//! The simulator's `POST /{PHONE}/marketing_messages` over real HTTP: Graph-shaped answers and
//! errors (validation, onboarding, registration, the tester's template triggers, faults), and
//! the signed status webhooks that reach the portal's inbox and its delivery metrics.

mod support;

use std::time::Duration;

use mm_portal::graph::{appsecret_proof, GraphError};
use mm_portal::server::RunningPortal;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};

struct Sim {
    portal: RunningPortal,
    app_id: String,
    secret: SecretString,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
}

/// A signed-up WABA with its phone and a token covering it.
struct Account {
    waba: String,
    phone: String,
    token: String,
    proof: String,
}

impl Sim {
    async fn start() -> Sim {
        let sandbox = support::sandbox_portal().await;
        Sim {
            portal: sandbox.portal,
            app_id: sandbox.app_id,
            secret: sandbox.app_secret,
            client: reqwest::Client::new(),
            _dir: sandbox.dir,
        }
    }

    fn graph(&self, path: &str) -> String {
        format!("{}sandbox/graph/v23.0/{path}", self.portal.url)
    }

    /// A signup (with `extra` tester settings) whose code is exchanged for a token.
    async fn account(&self, extra: Value) -> Account {
        let mut body = json!({"business_name": "Loja Azul", "phone_number": "+55 11 91234-5678"});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let response = self
            .client
            .post(format!("{}sandbox/api/signups", self.portal.url))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let signup: Value = response.json().await.unwrap();
        let secret = self.secret.expose_secret().to_string();
        let exchanged: Value = self
            .client
            .get(self.graph("oauth/access_token"))
            .query(&[
                ("client_id", self.app_id.as_str()),
                ("client_secret", &secret),
                ("code", signup["code"].as_str().unwrap()),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = exchanged["access_token"].as_str().unwrap().to_string();
        Account {
            waba: signup["waba_id"].as_str().unwrap().to_string(),
            phone: signup["phone_number_id"].as_str().unwrap().to_string(),
            proof: appsecret_proof(&SecretString::from(token.clone()), &self.secret),
            token,
        }
    }

    /// An ONBOARDED WABA whose phone is registered: ready to send.
    async fn ready_account(&self) -> Account {
        let account = self
            .account(json!({"onboarding_status": "ONBOARDED"}))
            .await;
        let (status, body) = self
            .post(
                &account,
                &format!("{}/register", account.phone),
                json!({"messaging_product": "whatsapp", "pin": "123456"}),
            )
            .await;
        assert_eq!((status, &body), (200, &json!({"success": true})));
        account
    }

    async fn post(&self, account: &Account, path: &str, body: Value) -> (u16, Value) {
        let response = self
            .client
            .post(self.graph(path))
            .bearer_auth(&account.token)
            .query(&[("appsecret_proof", &account.proof)])
            .json(&body)
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    async fn send(&self, account: &Account, body: Value) -> (u16, Value) {
        self.post(
            account,
            &format!("{}/marketing_messages", account.phone),
            body,
        )
        .await
    }

    /// The portal's inbox deliveries for `waba` (`messages` webhooks only).
    async fn message_deliveries(&self, waba: &str) -> Vec<Value> {
        support::inbox_bodies(&self.portal.database)
            .await
            .iter()
            .filter_map(|bytes| serde_json::from_slice::<Value>(bytes).ok())
            .filter(|body| {
                body["entry"][0]["id"] == waba
                    && body["entry"][0]["changes"][0]["field"] == "messages"
            })
            .collect()
    }

    /// Polls (up to ~5 s) until `done` holds for `waba`'s message deliveries.
    async fn wait_for_deliveries(&self, waba: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
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

    /// (sent, delivered, read, failed, clicked) summed over days, for one category.
    async fn metrics(&self, waba: &str, category: &str) -> [i64; 5] {
        let rows = self
            .portal
            .database
            .repo
            .metrics_for_waba(waba)
            .await
            .unwrap();
        rows.iter()
            .filter(|m| m.category == category)
            .fold([0; 5], |t, m| {
                [
                    t[0] + m.sent,
                    t[1] + m.delivered,
                    t[2] + m.read,
                    t[3] + m.failed,
                    t[4] + m.clicked,
                ]
            })
    }

    async fn wait_for_metrics(&self, waba: &str, category: &str, expected: [i64; 5]) {
        let mut last = [0; 5];
        for _ in 0..50 {
            last = self.metrics(waba, category).await;
            if last == expected {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("metrics for {category}: {last:?}, expected {expected:?}");
    }
}

fn message(to: &str, template: &str) -> Value {
    json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "template",
        "template": {"name": template, "language": {"code": "en", "policy": "deterministic"}},
    })
}

fn graph_error(status: u16, body: &Value) -> GraphError {
    assert_eq!(status, 400, "{body}");
    serde_json::from_value(body["error"].clone()).expect("a Graph error object")
}

/// The `statuses` items of `deliveries`, as (message id, status).
fn statuses(deliveries: &[Value]) -> Vec<(String, String)> {
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

fn clicks(deliveries: &[Value]) -> Vec<Value> {
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

#[tokio::test]
async fn a_send_is_answered_then_sent_delivered_read_and_clicked_reach_the_portal() {
    let sim = Sim::start().await;
    let account = sim.ready_account().await;
    let mut body = message("5511987654321", "summer_sale");
    body["message_activity_sharing"] = json!(true);
    body["message_send_ttl_seconds"] = json!(86_400);
    body["product_policy"] = json!("STRICT");
    let (status, answer) = sim.send(&account, body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["messaging_product"], "whatsapp");
    assert_eq!(
        answer["contacts"],
        json!([{"input": "5511987654321", "wa_id": "5511987654321"}])
    );
    let id = answer["messages"][0]["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("wamid.") && id.len() > 20, "{id}");
    assert_eq!(answer["messages"].as_array().unwrap().len(), 1);

    let deliveries = sim
        .wait_for_deliveries(&account.waba, |d| {
            statuses(d).len() >= 3 && !clicks(d).is_empty()
        })
        .await;
    let mut seen: Vec<String> = statuses(&deliveries)
        .into_iter()
        .map(|(message, status)| {
            assert_eq!(message, id);
            status
        })
        .collect();
    seen.sort();
    assert_eq!(seen, ["delivered", "read", "sent"]);
    for delivery in &deliveries {
        assert_eq!(delivery["object"], "whatsapp_business_account");
        let value = &delivery["entry"][0]["changes"][0]["value"];
        assert_eq!(value["messaging_product"], "whatsapp");
        assert_eq!(value["metadata"]["phone_number_id"], account.phone.as_str());
        assert_eq!(
            value["metadata"]["display_phone_number"],
            "+55 11 91234-5678"
        );
        for status in value["statuses"].as_array().into_iter().flatten() {
            assert_eq!(status["recipient_id"], "5511987654321");
            assert_eq!(
                status["pricing"],
                json!({"billable": true, "pricing_model": "CBP", "category": "marketing_lite"})
            );
            assert_eq!(status["conversation"]["origin"]["type"], "marketing_lite");
        }
    }
    let clicks = clicks(&deliveries);
    assert_eq!(clicks.len(), 1);
    assert_eq!(clicks[0]["action_type"], "marketing_messages_link_click");
    assert_eq!(
        clicks[0]["marketing_messages_link_click_data"]["click_component"],
        "cta"
    );
    assert!(clicks[0]["marketing_messages_link_click_data"]["click_id"].is_string());

    // The portal verified, stored and processed them.
    sim.wait_for_metrics(&account.waba, "marketing_lite", [1, 1, 1, 0, 1])
        .await;
    sim.portal.shutdown().await;
}

#[tokio::test]
async fn without_activity_sharing_there_is_no_click() {
    let sim = Sim::start().await;
    let account = sim.ready_account().await;
    let (status, answer) = sim
        .send(&account, message("+5511987654321", "summer_sale"))
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["contacts"],
        json!([{"input": "+5511987654321", "wa_id": "5511987654321"}])
    );
    sim.wait_for_metrics(&account.waba, "marketing_lite", [1, 1, 1, 0, 0])
        .await;
    // The click would have come STATUS_STEP_MS after `read`.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(clicks(&sim.message_deliveries(&account.waba).await).is_empty());
    assert_eq!(
        sim.metrics(&account.waba, "marketing_lite").await,
        [1, 1, 1, 0, 0]
    );
    sim.portal.shutdown().await;
}

#[tokio::test]
async fn a_recipient_ending_in_0000_fails_with_131049() {
    let sim = Sim::start().await;
    let account = sim.ready_account().await;
    let mut body = message("5511900000000", "summer_sale");
    body["message_activity_sharing"] = json!(true);
    let (status, answer) = sim.send(&account, body).await;
    assert_eq!(status, 200, "{answer}");
    let id = answer["messages"][0]["id"].as_str().unwrap().to_string();

    let deliveries = sim
        .wait_for_deliveries(&account.waba, |d| !statuses(d).is_empty())
        .await;
    assert_eq!(statuses(&deliveries), [(id, "failed".to_string())]);
    let failed = &deliveries[0]["entry"][0]["changes"][0]["value"]["statuses"][0];
    assert_eq!(failed["errors"][0]["code"], 131049);
    assert_eq!(
        failed["errors"][0]["title"],
        "This message was not delivered to maintain healthy ecosystem engagement."
    );

    let mut failures = Vec::new();
    for _ in 0..50 {
        failures = sim
            .portal
            .database
            .repo
            .failures_for_waba(&account.waba)
            .await
            .unwrap();
        if !failures.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!((failures[0].1, failures[0].2), (131049, 1));
    sim.wait_for_metrics(&account.waba, "unpriced", [0, 0, 0, 1, 0])
        .await;
    // Nothing else follows a failure: no sent/delivered/read, no click.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let deliveries = sim.message_deliveries(&account.waba).await;
    assert_eq!(statuses(&deliveries).len(), 1);
    assert!(clicks(&deliveries).is_empty());
    assert_eq!(
        sim.metrics(&account.waba, "marketing_lite").await,
        [0, 0, 0, 0, 0]
    );
    sim.portal.shutdown().await;
}

#[tokio::test]
async fn a_waba_not_onboarded_gets_131055_and_no_webhooks() {
    let sim = Sim::start().await;
    let account = sim.account(json!({"onboarding_status": "ELIGIBLE"})).await;
    let (status, body) = sim
        .post(
            &account,
            &format!("{}/register", account.phone),
            json!({"messaging_product": "whatsapp", "pin": "123456"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = sim
        .send(&account, message("5511987654321", "summer_sale"))
        .await;
    let error = graph_error(status, &body);
    assert_eq!(error.code, 131055);
    assert_eq!(error.kind, "OAuthException");
    assert!(error.message.starts_with("(#131055)"), "{}", error.message);
    assert!(error
        .error_user_msg
        .as_deref()
        .unwrap()
        .contains("not onboarded"));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(sim.message_deliveries(&account.waba).await.is_empty());
    sim.portal.shutdown().await;
}

#[tokio::test]
async fn an_unregistered_phone_gets_134100_but_a_coexistence_number_may_send() {
    let sim = Sim::start().await;
    let account = sim.account(json!({"onboarding_status": "ONBOARDED"})).await;
    let (status, body) = sim
        .send(&account, message("5511987654321", "summer_sale"))
        .await;
    assert_eq!(graph_error(status, &body).code, 134100);

    let coexistence = sim
        .account(json!({"onboarding_status": "ONBOARDED", "coexistence": true}))
        .await;
    let (status, body) = sim
        .send(&coexistence, message("5511987654321", "summer_sale"))
        .await;
    assert_eq!(status, 200, "{body}");
    sim.portal.shutdown().await;
}

#[tokio::test]
async fn the_testers_template_names_trigger_the_mm_api_errors() {
    let sim = Sim::start().await;
    let account = sim.ready_account().await;
    let mut strict = message("5511987654321", "strict_fail");
    strict["product_policy"] = json!("STRICT");
    let cases = [
        (strict, 131063),
        (message("5511987654321", "syncing_template"), 134101),
        (message("5511987654321", "unsupported_template"), 134102),
        (message("5511987654321", "bad_params"), 132018),
    ];
    for (body, code) in cases {
        let (status, answer) = sim.send(&account, body.clone()).await;
        let error = graph_error(status, &answer);
        assert_eq!(error.code, code, "{body}");
        assert!(error.message.starts_with(&format!("(#{code}) ")));
        assert!(error.error_user_msg.is_some());
        assert_eq!(error.fbtrace_id.as_ref().unwrap().len(), 23);
    }
    // Without STRICT, `strict_fail` falls back to the Cloud API: sent, priced `marketing`.
    let (status, answer) = sim
        .send(&account, message("5511987654321", "strict_fail"))
        .await;
    assert_eq!(status, 200, "{answer}");
    sim.wait_for_metrics(&account.waba, "marketing", [1, 1, 1, 0, 0])
        .await;
    // None of the refused sends produced a webhook.
    assert_eq!(
        statuses(&sim.message_deliveries(&account.waba).await).len(),
        3
    );
    sim.portal.shutdown().await;
}

#[tokio::test]
async fn invalid_bodies_get_code_100() {
    let sim = Sim::start().await;
    let account = sim.ready_account().await;
    let with = |field: &str, value: Value| {
        let mut body = message("5511987654321", "summer_sale");
        body[field] = value;
        body
    };
    let without = |field: &str| {
        let mut body = message("5511987654321", "summer_sale");
        body.as_object_mut().unwrap().remove(field);
        body
    };
    let cases = [
        (without("messaging_product"), "messaging_product"),
        (with("messaging_product", json!("sms")), "messaging_product"),
        (with("recipient_type", json!("group")), "recipient_type"),
        (without("to"), "to"),
        (with("to", json!("1234567")), "to"),
        (with("to", json!("1234567890123456")), "to"),
        (with("to", json!("55 11 98765-4321")), "to"),
        (without("type"), "type"),
        (with("type", json!("text")), "type"),
        (without("template"), "template"),
        (with("template", json!("summer_sale")), "template"),
        (
            with("template", json!({"language": {"code": "en"}})),
            "template[name]",
        ),
        (
            with("template", json!({"name": "x", "language": {}})),
            "template[language][code]",
        ),
        (
            with(
                "template",
                json!({"name": "x", "language": {"code": "en", "policy": "fallback"}}),
            ),
            "policy",
        ),
        (with("message_send_ttl_seconds", json!(43_199)), "ttl"),
        (with("message_send_ttl_seconds", json!(2_592_001)), "ttl"),
        (with("message_send_ttl_seconds", json!("a day")), "ttl"),
        (with("message_activity_sharing", json!("yes")), "sharing"),
        (with("product_policy", json!("LAX")), "product_policy"),
    ];
    for (body, what) in cases {
        let (status, answer) = sim.send(&account, body.clone()).await;
        let error = graph_error(status, &answer);
        assert_eq!(error.code, 100, "{what}: {answer}");
        assert!(error.message.starts_with("(#100) "), "{what}: {answer}");
    }
    // The bounds themselves are accepted.
    for ttl in [43_200, 2_592_000] {
        let (status, answer) = sim
            .send(&account, with("message_send_ttl_seconds", json!(ttl)))
            .await;
        assert_eq!(status, 200, "{ttl}: {answer}");
    }
    sim.portal.shutdown().await;
}

#[tokio::test]
async fn sends_need_a_covering_token_with_proof_and_honour_the_send_fault() {
    let sim = Sim::start().await;
    let account = sim.ready_account().await;
    let other = sim
        .account(json!({"business_name": "Other", "onboarding_status": "ONBOARDED"}))
        .await;
    let body = message("5511987654321", "summer_sale");

    // Another business's token cannot reach this phone.
    let foreign = Account {
        waba: account.waba.clone(),
        phone: account.phone.clone(),
        token: other.token.clone(),
        proof: other.proof.clone(),
    };
    let (status, answer) = sim.send(&foreign, body.clone()).await;
    let error = graph_error(status, &answer);
    assert_eq!((error.code, error.error_subcode), (100, Some(33)));
    assert!(error.message.starts_with("Unsupported post request"));

    // No proof, a wrong proof, no token.
    let url = sim.graph(&format!("{}/marketing_messages", account.phone));
    let response = sim
        .client
        .post(&url)
        .bearer_auth(&account.token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let (status, answer) = (response.status().as_u16(), response.json().await.unwrap());
    assert_eq!(graph_error(status, &answer).code, 100);
    let wrong = Account {
        token: account.token.clone(),
        proof: "00".into(),
        ..foreign
    };
    let (status, answer) = sim.send(&wrong, body.clone()).await;
    assert!(graph_error(status, &answer)
        .message
        .contains("Invalid appsecret_proof"));
    let response = sim.client.post(&url).json(&body).send().await.unwrap();
    let (status, answer) = (response.status().as_u16(), response.json().await.unwrap());
    assert_eq!(graph_error(status, &answer).code, 2500);

    // The `send` fault fails the next call, then sends work again.
    let armed = sim
        .client
        .post(format!("{}sandbox/api/faults", sim.portal.url))
        .json(&json!({"operation": "send", "kind": "transient", "count": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(armed.status(), 204);
    let (status, answer) = sim.send(&account, body.clone()).await;
    assert_eq!(status, 500, "{answer}");
    assert_eq!(answer["error"]["code"], 2);
    let (status, answer) = sim.send(&account, body).await;
    assert_eq!(status, 200, "{answer}");
    sim.portal.shutdown().await;
}
