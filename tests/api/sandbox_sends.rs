//! The simulator's `POST /{PHONE}/marketing_messages` over real HTTP: Graph-shaped answers and
//! errors (validation, onboarding, registration, the tester's template triggers, faults), and
//! the signed status webhooks that reach the portal's inbox and its delivery metrics.

use crate::support;
use mm_portal::db::prelude::*;

use std::time::Duration;

use crate::support::sim::{clicks, statuses, Account, Sim};
use serde_json::{json, Value};

/// Helpers for sends, on top of the shared harness.
impl Sim {
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

    /// A Graph POST with the account's token and proof (answers checked against the schemas).
    async fn post(&self, account: &Account, path: &str, body: Value) -> (u16, Value) {
        let request = self
            .client
            .post(self.graph(path))
            .bearer_auth(&account.token)
            .query(&[("appsecret_proof", &account.proof)])
            .json(&body);
        let answer = self.send(request, "POST", &self.graph(path)).await;
        (answer.status, answer.body)
    }

    /// `POST /{PHONE}/marketing_messages`.
    async fn send_mm(&self, account: &Account, body: Value) -> (u16, Value) {
        self.post(
            account,
            &format!("{}/marketing_messages", account.phone),
            body,
        )
        .await
    }

    /// `POST /{PHONE}/messages` (Cloud API).
    async fn send_cloud(&self, account: &Account, body: Value) -> (u16, Value) {
        self.post(account, &format!("{}/messages", account.phone), body)
            .await
    }

    /// (sent, delivered, read, failed, clicked) summed over days, for one category.
    async fn metrics(&self, waba: &str, category: &str) -> [i64; 5] {
        let rows = self
            .portal
            .database
            .store
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

fn text_message(to: &str, body: &str) -> Value {
    json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "text",
        "text": {"body": body},
    })
}

#[track_caller]
fn graph_error(status: u16, body: &Value) -> mm_portal::graph::GraphError {
    assert_eq!(status, 400, "{body}");
    support::sim::graph_error(body)
}

#[tokio::test]
async fn a_send_is_answered_then_sent_delivered_read_and_clicked_reach_the_portal() {
    let sim = Sim::start().await;
    let account = sim.ready_account().await;
    let mut body = message("5511987654321", "summer_sale");
    body["message_activity_sharing"] = json!(true);
    body["message_send_ttl_seconds"] = json!(86_400);
    body["product_policy"] = json!("STRICT");
    let (status, answer) = sim.send_mm(&account, body).await;
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
        .send_mm(&account, message("+5511987654321", "summer_sale"))
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
    let (status, answer) = sim.send_mm(&account, body).await;
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
            .store
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
        .send_mm(&account, message("5511987654321", "summer_sale"))
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
        .send_mm(&account, message("5511987654321", "summer_sale"))
        .await;
    assert_eq!(graph_error(status, &body).code, 134100);

    let coexistence = sim
        .account(json!({"onboarding_status": "ONBOARDED", "coexistence": true}))
        .await;
    let (status, body) = sim
        .send_mm(&coexistence, message("5511987654321", "summer_sale"))
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
        let (status, answer) = sim.send_mm(&account, body.clone()).await;
        let error = graph_error(status, &answer);
        assert_eq!(error.code, code, "{body}");
        assert!(error.message.starts_with(&format!("(#{code}) ")));
        assert!(error.error_user_msg.is_some());
        assert_eq!(error.fbtrace_id.as_ref().unwrap().len(), 23);
    }
    // Without STRICT, `strict_fail` falls back to the Cloud API: sent, priced `marketing`.
    let (status, answer) = sim
        .send_mm(&account, message("5511987654321", "strict_fail"))
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
        let (status, answer) = sim.send_mm(&account, body.clone()).await;
        let error = graph_error(status, &answer);
        assert_eq!(error.code, 100, "{what}: {answer}");
        assert!(error.message.starts_with("(#100) "), "{what}: {answer}");
    }
    // The bounds themselves are accepted.
    for ttl in [43_200, 2_592_000] {
        let (status, answer) = sim
            .send_mm(&account, with("message_send_ttl_seconds", json!(ttl)))
            .await;
        assert_eq!(status, 200, "{ttl}: {answer}");
    }
    sim.portal.shutdown().await;
}

/// The caller checks both send endpoints share: another business's token, no proof, a wrong
/// proof, no token; then the endpoint's fault (`operation`) fails one call.
async fn caller_rules(sim: &Sim, account: &Account, other: &Account, edge: &str, operation: &str) {
    let body = message("5511987654321", "summer_sale");
    let path = format!("{}/{edge}", account.phone);

    // Another business's token cannot reach this phone.
    let foreign = Account {
        token: other.token.clone(),
        proof: other.proof.clone(),
        ..account.clone()
    };
    let (status, answer) = sim.post(&foreign, &path, body.clone()).await;
    let error = graph_error(status, &answer);
    assert_eq!((error.code, error.error_subcode), (100, Some(33)), "{edge}");
    assert!(error.message.starts_with("Unsupported post request"));

    // No proof, a wrong proof, no token.
    let url = sim.graph(&path);
    let request = sim
        .client
        .post(&url)
        .bearer_auth(&account.token)
        .json(&body);
    let answer = sim.send(request, "POST", &url).await;
    assert_eq!(graph_error(answer.status, &answer.body).code, 100, "{edge}");
    let wrong = Account {
        proof: "00".into(),
        ..account.clone()
    };
    let (status, answer) = sim.post(&wrong, &path, body.clone()).await;
    assert!(graph_error(status, &answer)
        .message
        .contains("Invalid appsecret_proof"));
    let answer = sim
        .send(sim.client.post(&url).json(&body), "POST", &url)
        .await;
    assert_eq!(
        graph_error(answer.status, &answer.body).code,
        2500,
        "{edge}"
    );

    // The endpoint's fault fails the next call, then sends work again.
    let fault = json!({"operation": operation, "kind": "transient", "count": 1});
    assert_eq!(sim.arm_fault(fault).await, 204);
    let (status, answer) = sim.post(account, &path, body.clone()).await;
    assert_eq!(status, 500, "{answer}");
    assert_eq!(answer["error"]["code"], 2);
    let (status, answer) = sim.post(account, &path, body).await;
    assert_eq!(status, 200, "{edge}: {answer}");
}

#[tokio::test]
async fn sends_need_a_covering_token_with_proof_and_honour_the_send_fault() {
    let sim = Sim::start().await;
    let account = sim.ready_account().await;
    let other = sim
        .account(json!({"business_name": "Other", "onboarding_status": "ONBOARDED"}))
        .await;
    caller_rules(&sim, &account, &other, "marketing_messages", "send").await;
    // The Cloud API endpoint checks its callers the same way, with its own fault.
    caller_rules(&sim, &account, &other, "messages", "messages").await;
    sim.portal.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// The Cloud API's `POST /{PHONE}/messages`.

/// The `pricing` and conversation origin of every status in `deliveries`.
fn priced(deliveries: &[Value]) -> Vec<(String, Value)> {
    deliveries
        .iter()
        .flat_map(|d| {
            d["entry"][0]["changes"][0]["value"]["statuses"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .map(|s| {
            assert_eq!(
                s["conversation"]["origin"]["type"],
                s["pricing"]["category"]
            );
            (s["id"].as_str().unwrap().to_string(), s["pricing"].clone())
        })
        .collect()
}

#[tokio::test]
async fn a_cloud_api_template_is_priced_by_its_category_not_marketing_lite() {
    let sim = Sim::start().await;
    let account = sim.ready_account().await;
    // MM-only fields mean nothing on the Cloud API: no click follows.
    let mut body = message("+5511987654321", "summer_sale");
    body["message_activity_sharing"] = json!(true);
    let (status, answer) = sim.send_cloud(&account, body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["messaging_product"], "whatsapp");
    assert_eq!(
        answer["contacts"],
        json!([{"input": "+5511987654321", "wa_id": "5511987654321"}])
    );
    let marketing = answer["messages"][0]["id"].as_str().unwrap().to_string();
    assert!(marketing.starts_with("wamid."), "{marketing}");
    assert_eq!(answer["messages"][0]["message_status"], "accepted");

    let (status, answer) = sim
        .send_cloud(&account, message("5511987654321", "utility_order_shipped"))
        .await;
    assert_eq!(status, 200, "{answer}");
    let utility = answer["messages"][0]["id"].as_str().unwrap().to_string();
    let (status, answer) = sim
        .send_cloud(&account, message("5511987654321", "authentication_code"))
        .await;
    assert_eq!(status, 200, "{answer}");
    let authentication = answer["messages"][0]["id"].as_str().unwrap().to_string();

    let deliveries = sim
        .wait_for_deliveries(&account.waba, |d| statuses(d).len() >= 9)
        .await;
    for (id, pricing) in priced(&deliveries) {
        let category = if id == marketing {
            "marketing"
        } else if id == utility {
            "utility"
        } else {
            assert_eq!(id, authentication);
            "authentication"
        };
        assert_eq!(
            pricing,
            json!({"billable": true, "pricing_model": "CBP", "category": category})
        );
    }
    sim.wait_for_metrics(&account.waba, "marketing", [1, 1, 1, 0, 0])
        .await;
    sim.wait_for_metrics(&account.waba, "utility", [1, 1, 1, 0, 0])
        .await;
    sim.wait_for_metrics(&account.waba, "authentication", [1, 1, 1, 0, 0])
        .await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(clicks(&sim.message_deliveries(&account.waba).await).is_empty());
    assert_eq!(
        sim.metrics(&account.waba, "marketing_lite").await,
        [0, 0, 0, 0, 0]
    );
    sim.portal.shutdown().await;
}

#[tokio::test]
async fn a_text_message_is_a_free_service_message() {
    let sim = Sim::start().await;
    let account = sim.ready_account().await;
    let (status, answer) = sim
        .send_cloud(&account, text_message("5511987654321", "Seu pedido saiu!"))
        .await;
    assert_eq!(status, 200, "{answer}");
    // Only templates are "accepted" in the answer (the OpenAPI example is a template).
    assert!(
        answer["messages"][0].get("message_status").is_none(),
        "{answer}"
    );
    let deliveries = sim
        .wait_for_deliveries(&account.waba, |d| statuses(d).len() >= 3)
        .await;
    for (_, pricing) in priced(&deliveries) {
        assert_eq!(
            pricing,
            json!({"billable": false, "pricing_model": "CBP", "category": "service"})
        );
    }
    sim.wait_for_metrics(&account.waba, "service", [1, 1, 1, 0, 0])
        .await;
    sim.portal.shutdown().await;
}

#[tokio::test]
async fn the_cloud_api_needs_a_registered_number_but_not_the_mm_api_terms() {
    let sim = Sim::start().await;
    // Not onboarded to the MM API: the MM endpoint refuses, the Cloud API does not care.
    let account = sim.account(json!({"onboarding_status": "ELIGIBLE"})).await;
    let (status, answer) = sim
        .send_cloud(&account, message("5511987654321", "summer_sale"))
        .await;
    let error = graph_error(status, &answer);
    assert_eq!(error.code, 133010, "unregistered: {answer}");
    assert_eq!(error.message, "(#133010) Account not registered");
    assert!(error.error_user_msg.unwrap().contains("register"));

    let (status, _) = sim
        .post(
            &account,
            &format!("{}/register", account.phone),
            json!({"messaging_product": "whatsapp", "pin": "123456"}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, answer) = sim
        .send_mm(&account, message("5511987654321", "summer_sale"))
        .await;
    assert_eq!(graph_error(status, &answer).code, 131055);
    let (status, answer) = sim
        .send_cloud(&account, message("5511987654321", "summer_sale"))
        .await;
    assert_eq!(status, 200, "{answer}");

    // A coexistence number sends without registering.
    let coexistence = sim.account(json!({"coexistence": true})).await;
    let (status, answer) = sim
        .send_cloud(&coexistence, text_message("5511987654321", "Oi"))
        .await;
    assert_eq!(status, 200, "{answer}");
    sim.portal.shutdown().await;
}

#[tokio::test]
async fn invalid_cloud_api_bodies_get_code_100_and_bad_params_132018() {
    let sim = Sim::start().await;
    let account = sim.ready_account().await;
    let text = |value: Value| {
        let mut body = text_message("5511987654321", "x");
        body["text"] = value;
        body
    };
    let mut no_text = text_message("5511987654321", "x");
    no_text.as_object_mut().unwrap().remove("text");
    let mut image = message("5511987654321", "summer_sale");
    image["type"] = json!("image");
    let mut no_product = message("5511987654321", "summer_sale");
    no_product
        .as_object_mut()
        .unwrap()
        .remove("messaging_product");
    let cases = [
        (no_product, "messaging_product"),
        (message("1234", "summer_sale"), "to"),
        (image, "type"),
        (no_text, "text"),
        (text(json!("hello")), "text"),
        (text(json!({"body": ""})), "text[body]"),
        (text(json!({"body": "x".repeat(4097)})), "4096"),
        (
            text(json!({"body": "x", "preview_url": "yes"})),
            "preview_url",
        ),
        (message("5511987654321", ""), "template[name]"),
    ];
    for (body, what) in cases {
        let (status, answer) = sim.send_cloud(&account, body).await;
        let error = graph_error(status, &answer);
        assert_eq!(error.code, 100, "{what}: {answer}");
        assert!(error.message.contains(what), "{what}: {answer}");
    }
    let (status, answer) = sim
        .send_cloud(&account, message("5511987654321", "bad_params"))
        .await;
    assert_eq!(graph_error(status, &answer).code, 132018);
    // The MM API's own template triggers are plain names on the Cloud API.
    let (status, answer) = sim
        .send_cloud(&account, message("5511987654321", "syncing_template"))
        .await;
    assert_eq!(status, 200, "{answer}");
    // The MM endpoint still refuses text.
    let (status, answer) = sim
        .send_mm(&account, text_message("5511987654321", "Oi"))
        .await;
    assert_eq!(graph_error(status, &answer).code, 100);
    sim.portal.shutdown().await;
}

#[tokio::test]
async fn the_marketing_limit_fails_cloud_marketing_but_not_utility() {
    let sim = Sim::start().await;
    let account = sim.ready_account().await;
    let (status, answer) = sim
        .send_cloud(&account, message("5511900000000", "summer_sale"))
        .await;
    assert_eq!(status, 200, "{answer}");
    let failing = answer["messages"][0]["id"].as_str().unwrap().to_string();
    let (status, answer) = sim
        .send_cloud(&account, message("5511900000000", "utility_receipt"))
        .await;
    assert_eq!(status, 200, "{answer}");
    let deliveries = sim
        .wait_for_deliveries(&account.waba, |d| statuses(d).len() >= 4)
        .await;
    let mut seen = statuses(&deliveries);
    seen.sort();
    let failed: Vec<_> = seen.iter().filter(|(_, s)| s == "failed").collect();
    assert_eq!(failed, [&(failing.clone(), "failed".to_string())]);
    assert!(seen.iter().filter(|(id, _)| *id != failing).all(|(_, s)| [
        "sent",
        "delivered",
        "read"
    ]
    .contains(&s.as_str())));
    sim.wait_for_metrics(&account.waba, "utility", [1, 1, 1, 0, 0])
        .await;
    sim.portal.shutdown().await;
}

#[tokio::test]
async fn a_throughput_rate_limit_on_messages_answers_130429_with_usage_headers() {
    let sim = Sim::start().await;
    let account = sim.ready_account().await;
    let fault = json!({"operation": "messages", "kind": "rate_limit", "count": 1, "code": 130429,
                       "regain_access_minutes": 3, "business_id": account.business});
    assert_eq!(sim.arm_fault(fault).await, 204);
    let path = format!("{}/messages", account.phone);
    let limited = sim
        .call(
            reqwest::Method::POST,
            &path,
            Some(&account.token),
            &[],
            Some(message("5511987654321", "summer_sale")),
        )
        .await;
    assert_eq!(limited.status, 400, "{}", limited.body);
    let error = limited.error();
    assert_eq!((error.code, error.is_transient), (130429, Some(true)));
    assert_eq!(error.message, "(#130429) Rate limit hit");
    let usage: Value = serde_json::from_str(
        limited.headers["x-business-use-case-usage"]
            .to_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        usage[&account.business][0]["type"],
        "whatsapp_business_messaging"
    );
    assert_eq!(
        usage[&account.business][0]["estimated_time_to_regain_access"],
        3
    );
    // The MM endpoint's own fault (`send`) was not armed: it sends meanwhile.
    let (status, _) = sim
        .send_mm(&account, message("5511987654321", "summer_sale"))
        .await;
    assert_eq!(status, 200);
    let (status, _) = sim
        .send_cloud(&account, message("5511987654321", "summer_sale"))
        .await;
    assert_eq!(status, 200);
    sim.portal.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// Webhook faults: drop, duplicate, reorder (a send's sent → delivered → read drive them).

/// The statuses of the inbox's deliveries for `waba`, in arrival order.
async fn arrival_order(sim: &Sim, waba: &str) -> Vec<String> {
    statuses(&sim.message_deliveries(waba).await)
        .into_iter()
        .map(|(_, status)| status)
        .collect()
}

#[tokio::test]
async fn dropped_webhooks_never_reach_the_portal() {
    let sim = Sim::start().await;
    let account = sim.ready_account().await;
    let fault = json!({"operation": "webhooks", "kind": "drop", "count": 2});
    assert_eq!(sim.arm_fault(fault).await, 204);
    let (status, _) = sim
        .send_mm(&account, message("5511987654321", "summer_sale"))
        .await;
    assert_eq!(status, 200);
    sim.wait_for_deliveries(&account.waba, |d| !statuses(d).is_empty())
        .await;
    // Past the time `delivered` and `sent` would have been retried: still only `read`.
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(arrival_order(&sim, &account.waba).await, ["read"]);
    sim.wait_for_metrics(&account.waba, "marketing_lite", [0, 0, 1, 0, 0])
        .await;
    sim.portal.shutdown().await;
}

#[tokio::test]
async fn duplicated_webhooks_arrive_twice_and_count_once() {
    let sim = Sim::start().await;
    let account = sim.ready_account().await;
    let fault = json!({"operation": "webhooks", "kind": "duplicate", "count": 1});
    assert_eq!(sim.arm_fault(fault).await, 204);
    let (status, _) = sim
        .send_mm(&account, message("5511987654321", "summer_sale"))
        .await;
    assert_eq!(status, 200);
    sim.wait_for_deliveries(&account.waba, |d| statuses(d).len() >= 4)
        .await;
    assert_eq!(
        arrival_order(&sim, &account.waba).await,
        ["sent", "sent", "delivered", "read"]
    );
    let bodies = sim.message_deliveries(&account.waba).await;
    assert_eq!(bodies[0], bodies[1], "the same delivery, byte for byte");
    // The portal's deduplication counts the message once.
    sim.wait_for_metrics(&account.waba, "marketing_lite", [1, 1, 1, 0, 0])
        .await;
    sim.portal.shutdown().await;
}

#[tokio::test]
async fn a_reordered_webhook_arrives_after_the_one_that_followed_it() {
    let sim = Sim::start().await;
    let account = sim.ready_account().await;
    let fault = json!({"operation": "webhooks", "kind": "reorder", "count": 1});
    assert_eq!(sim.arm_fault(fault).await, 204);
    let (status, _) = sim
        .send_mm(&account, message("5511987654321", "summer_sale"))
        .await;
    assert_eq!(status, 200);
    sim.wait_for_deliveries(&account.waba, |d| statuses(d).len() >= 3)
        .await;
    assert_eq!(
        arrival_order(&sim, &account.waba).await,
        ["delivered", "sent", "read"]
    );
    // The portal still ends with the right counts.
    sim.wait_for_metrics(&account.waba, "marketing_lite", [1, 1, 1, 0, 0])
        .await;
    sim.portal.shutdown().await;
}

#[tokio::test]
async fn clearing_faults_sends_a_webhook_still_held_back() {
    let sim = Sim::start().await;
    let account = sim.ready_account().await;
    let fault = json!({"operation": "webhooks", "kind": "reorder", "count": 1});
    assert_eq!(sim.arm_fault(fault).await, 204);
    // A failing recipient gets exactly one webhook: nothing follows to release it.
    let (status, _) = sim
        .send_mm(&account, message("5511900000000", "summer_sale"))
        .await;
    assert_eq!(status, 200);
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(sim.message_deliveries(&account.waba).await.is_empty());
    assert_eq!(sim.clear_faults().await, 204);
    let deliveries = sim
        .wait_for_deliveries(&account.waba, |d| !statuses(d).is_empty())
        .await;
    assert_eq!(statuses(&deliveries)[0].1, "failed");
    sim.portal.shutdown().await;
}
