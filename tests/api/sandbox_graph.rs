//! The simulator's Graph endpoints over real HTTP: the code exchange with its single-use and
//! expiry rules, debug_token, reading a WABA and its phone numbers with access-token and
//! appsecret_proof checks, and Graph-shaped errors for everything else.

use crate::support;

use crate::support::sim::{Account, Answer, Sim};
use mm_portal::graph::GraphError;
use reqwest::Method;
use secrecy::ExposeSecret;
use serde_json::{json, Value};

/// URL, query, expected code, subcode and error type.
type ErrorCase<'a> = (String, Vec<(&'a str, &'a str)>, i64, Option<i64>, &'a str);

fn graph_error(body: &Value) -> GraphError {
    support::sim::graph_error(body)
}

#[tokio::test]
async fn a_code_exchanges_once_for_a_token() {
    let sim = Sim::start().await;
    let signup = sim.signup(json!({})).await;
    let code = signup["code"].as_str().unwrap();

    let (status, body) = sim.exchange(code).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "bearer");
    assert!(body["access_token"].as_str().unwrap().len() > 100);

    let (status, body) = sim.exchange(code).await;
    assert_eq!(status, 400);
    let error = graph_error(&body);
    assert_eq!((error.code, error.error_subcode), (100, Some(36009)));
    assert_eq!(error.message, "This authorization code has been used.");
    assert_eq!(error.fbtrace_id.as_ref().unwrap().len(), 23);
    sim.portal.shutdown().await;
}

#[tokio::test]
async fn expired_invalid_and_foreign_codes_are_refused() {
    let sim = Sim::start().await;
    let expired = sim.signup(json!({"code_lifetime_seconds": 0})).await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let (_, body) = sim.exchange(expired["code"].as_str().unwrap()).await;
    assert_eq!(graph_error(&body).error_subcode, Some(36007));

    let (_, body) = sim.exchange("not-a-code").await;
    assert_eq!(graph_error(&body).error_subcode, Some(36008));

    let fresh = sim.signup(json!({})).await;
    let code = fresh["code"].as_str().unwrap();
    let (_, body) = sim
        .get(
            &sim.graph("oauth/access_token"),
            &[
                ("client_id", &sim.app_id),
                ("client_secret", "wrong"),
                ("code", code),
            ],
        )
        .await;
    assert_eq!(graph_error(&body).code, 1);
    let (_, body) = sim
        .get(
            &sim.graph("oauth/access_token"),
            &[("client_id", "42"), ("client_secret", "x"), ("code", code)],
        )
        .await;
    assert_eq!(graph_error(&body).code, 101);
    let (_, body) = sim
        .get(
            &sim.graph("oauth/access_token"),
            &[("client_id", &sim.app_id)],
        )
        .await;
    assert_eq!(
        graph_error(&body).message,
        "(#100) The parameter client_secret is required"
    );
    // The refused attempts did not burn the code.
    assert_eq!(sim.exchange(code).await.0, 200);
    sim.portal.shutdown().await;
}

#[tokio::test]
async fn debug_token_reports_granular_scopes() {
    let sim = Sim::start().await;
    let signup = sim.signup(json!({})).await;
    let (_, token) = sim.exchange(signup["code"].as_str().unwrap()).await;
    let token = token["access_token"].as_str().unwrap();
    let app_token = format!("{}|{}", sim.app_id, sim.secret.expose_secret());
    let (status, body) = sim
        .get(
            &sim.graph("debug_token"),
            &[("input_token", token), ("access_token", &app_token)],
        )
        .await;
    assert_eq!(status, 200);
    let data = &body["data"];
    assert_eq!(data["is_valid"], true);
    assert_eq!(data["app_id"], sim.app_id.as_str());
    let granular = data["granular_scopes"].as_array().unwrap();
    assert!(granular
        .iter()
        .any(|s| s["scope"] == "whatsapp_business_management"
            && s["target_ids"][0] == signup["waba_id"]));
    assert!(data["scopes"]
        .as_array()
        .unwrap()
        .contains(&json!("whatsapp_business_messaging")));

    let (status, body) = sim
        .get(
            &sim.graph("debug_token"),
            &[("input_token", "EAAnope"), ("access_token", &app_token)],
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["is_valid"], false);
    let (_, body) = sim
        .get(
            &sim.graph("debug_token"),
            &[("input_token", token), ("access_token", "1|wrong")],
        )
        .await;
    assert_eq!(graph_error(&body).code, 190);
    sim.portal.shutdown().await;
}

#[tokio::test]
async fn a_waba_and_its_phones_are_read_with_token_and_proof() {
    let sim = Sim::start().await;
    let signup = sim
        .signup(json!({"onboarding_status": "ELIGIBLE", "coexistence": true}))
        .await;
    let waba_id = signup["waba_id"].as_str().unwrap();
    let (_, token) = sim.exchange(signup["code"].as_str().unwrap()).await;
    let token = token["access_token"].as_str().unwrap().to_string();
    let proof = sim.proof(&token);

    let fields = "id,name,currency,marketing_messages_onboarding_status,owner_business_info";
    let (status, waba) = sim
        .get(
            &sim.graph(waba_id),
            &[
                ("fields", fields),
                ("access_token", &token),
                ("appsecret_proof", &proof),
            ],
        )
        .await;
    assert_eq!(status, 200, "{waba}");
    assert_eq!(waba["id"], waba_id);
    assert_eq!(waba["marketing_messages_onboarding_status"], "ELIGIBLE");
    assert_eq!(waba["owner_business_info"]["id"], signup["business_id"]);
    assert!(
        waba.get("account_review_status").is_none(),
        "only the requested fields"
    );

    // The legacy field exists on v23.0 and is gone on later versions.
    let legacy = [
        ("fields", "marketing_messages_lite_api_status"),
        ("access_token", token.as_str()),
        ("appsecret_proof", proof.as_str()),
    ];
    let (status, body) = sim.get(&sim.graph(waba_id), &legacy).await;
    assert_eq!(
        (status, body["marketing_messages_lite_api_status"].as_str()),
        (200, Some("NOT_ONBOARDED"))
    );
    let v24 = format!("{}sandbox/graph/v24.0/{waba_id}", sim.portal.url);
    let (_, body) = sim.get(&v24, &legacy).await;
    assert!(graph_error(&body)
        .message
        .contains("nonexisting field (marketing_messages_lite_api_status)"));

    // Bearer header works as well as the query parameter.
    let url = sim.graph(&format!("{waba_id}/phone_numbers"));
    let request = sim
        .client
        .get(&url)
        .bearer_auth(&token)
        .query(&[("appsecret_proof", &proof)]);
    let answer = sim.send(request, "GET", &url).await;
    assert_eq!(answer.status, 200);
    let phones = answer.body;
    let phone = &phones["data"][0];
    assert_eq!(phone["id"], signup["phone_number_id"]);
    assert_eq!(phone["display_phone_number"], "+55 11 91234-5678");
    assert_eq!(phone["platform_type"], "NOT_APPLICABLE");
    assert!(phones["paging"]["cursors"]["after"].is_string());
    sim.portal.shutdown().await;
}

#[tokio::test]
async fn tokens_proofs_and_unknown_objects_get_graph_errors() {
    let sim = Sim::start().await;
    let mine = sim.signup(json!({})).await;
    let other = sim.signup(json!({"business_name": "Other"})).await;
    let (_, token) = sim.exchange(mine["code"].as_str().unwrap()).await;
    let token = token["access_token"].as_str().unwrap().to_string();
    let proof = sim.proof(&token);
    let waba = mine["waba_id"].as_str().unwrap();

    let cases: Vec<ErrorCase> = vec![
        (sim.graph(waba), vec![], 2500, None, "OAuthException"),
        (
            sim.graph(waba),
            vec![("access_token", "garbage")],
            190,
            None,
            "OAuthException",
        ),
        (
            sim.graph(waba),
            vec![("access_token", &token)],
            100,
            None,
            "GraphMethodException",
        ),
        (
            sim.graph(waba),
            vec![("access_token", &token), ("appsecret_proof", "00")],
            100,
            None,
            "GraphMethodException",
        ),
        (
            sim.graph(other["waba_id"].as_str().unwrap()),
            vec![("access_token", &token), ("appsecret_proof", &proof)],
            100,
            Some(33),
            "GraphMethodException",
        ),
        (
            sim.graph("123456"),
            vec![("access_token", &token), ("appsecret_proof", &proof)],
            100,
            Some(33),
            "GraphMethodException",
        ),
        (
            sim.graph(&format!("{waba}/no_such_edge")),
            vec![("access_token", &token), ("appsecret_proof", &proof)],
            100,
            Some(33),
            "GraphMethodException",
        ),
        (
            format!("{}sandbox/graph/not-a-version/{waba}", sim.portal.url),
            vec![("access_token", &token), ("appsecret_proof", &proof)],
            2500,
            None,
            "OAuthException",
        ),
    ];
    for (url, query, code, subcode, kind) in cases {
        let (status, body) = sim.get(&url, &query).await;
        assert_eq!(status, 400, "{url} {query:?}: {body}");
        let error = graph_error(&body);
        assert_eq!(
            (error.code, error.error_subcode, error.kind.as_str()),
            (code, subcode, kind),
            "{url} {query:?}"
        );
        assert_eq!(error.is_transient, Some(false));
        if subcode == Some(33) {
            let id = url
                .rsplit("v23.0/")
                .next()
                .unwrap()
                .split('/')
                .next()
                .unwrap();
            assert!(
                error.message.contains(&format!("Object with ID '{id}'")),
                "{}",
                error.message
            );
        }
    }
    sim.portal.shutdown().await;
}

#[tokio::test]
async fn the_tester_api_refuses_bad_signups_clearly() {
    let sim = Sim::start().await;
    let post = |body: Value| {
        sim.client
            .post(format!("{}sandbox/api/signups", sim.portal.url))
            .json(&body)
            .send()
    };
    let response = post(json!({"business_name": "", "phone_number": "+5511912345678"}))
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let response = post(json!({"business_name": "A", "phone_number": "12"}))
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let response = post(json!({"business_name": "A", "phone_number": "+5511912345678", "onboarding_status": "MAYBE"}))
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert!(body["error"]
        .as_str()
        .unwrap()
        .contains("INELIGIBLE_COUNTRY_NOT_SUPPORTED"));
    sim.portal.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// WABA operations (subscribed_apps, register), fault injection and the simulated backend
// onboarding that follows a subscription.

impl Sim {
    async fn subscribe(&self, account: &Account, body: Option<Value>) -> Answer {
        let path = format!("{}/subscribed_apps", account.waba);
        self.call(Method::POST, &path, Some(&account.token), &[], body)
            .await
    }

    async fn subscriptions(&self, account: &Account) -> Answer {
        let path = format!("{}/subscribed_apps", account.waba);
        self.call(Method::GET, &path, Some(&account.token), &[], None)
            .await
    }

    async fn register(&self, account: &Account, body: Value) -> Answer {
        let path = format!("{}/register", account.phone);
        self.call(Method::POST, &path, Some(&account.token), &[], Some(body))
            .await
    }

    async fn register_ok(&self, account: &Account) -> Answer {
        self.register(
            account,
            json!({"messaging_product": "whatsapp", "pin": "123456"}),
        )
        .await
    }

    async fn read(&self, account: &Account, id: &str, fields: &str) -> Answer {
        self.call(
            Method::GET,
            id,
            Some(&account.token),
            &[("fields", fields)],
            None,
        )
        .await
    }
}

#[tokio::test]
async fn subscribed_apps_subscribes_idempotently_lists_and_unsubscribes() {
    let sim = Sim::start().await;
    let account = sim.account(json!({})).await;
    let other = sim.account(json!({"business_name": "Other"})).await;

    let listed = sim.subscriptions(&account).await;
    assert_eq!((listed.status, &listed.body), (200, &json!({"data": []})));

    sim.subscribe(&account, None).await.assert_success();
    sim.subscribe(&account, None).await.assert_success();
    let listed = sim.subscriptions(&account).await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    let data = listed.body["data"].as_array().unwrap();
    assert_eq!(
        data.len(),
        1,
        "subscribing twice lists one app: {}",
        listed.body
    );
    let app = &data[0]["whatsapp_business_api_data"];
    assert_eq!(app["id"], sim.app_id.as_str());
    assert!(app["name"].is_string(), "{app}");
    assert!(app["link"].as_str().unwrap().contains(&sim.app_id), "{app}");
    assert!(data[0].get("override_callback_uri").is_none());

    // Another WABA's subscriptions are its own, and a token cannot reach a WABA it was not
    // granted on.
    let theirs = sim.subscriptions(&other).await;
    assert_eq!(theirs.body, json!({"data": []}));
    let path = format!("{}/subscribed_apps", other.waba);
    let foreign = sim
        .call(Method::POST, &path, Some(&account.token), &[], None)
        .await;
    assert_eq!(foreign.status, 400, "{}", foreign.body);
    assert_eq!(
        (foreign.error().code, foreign.error().error_subcode),
        (100, Some(33))
    );
    assert_eq!(sim.subscriptions(&other).await.body, json!({"data": []}));

    let path = format!("{}/subscribed_apps", account.waba);
    sim.call(Method::DELETE, &path, Some(&account.token), &[], None)
        .await
        .assert_success();
    let listed = sim.subscriptions(&account).await;
    assert_eq!((listed.status, &listed.body), (200, &json!({"data": []})));
    sim.portal.shutdown().await;
}

#[tokio::test]
async fn override_callback_uri_needs_a_plain_subscription_first_and_https() {
    let sim = Sim::start().await;
    let account = sim.account(json!({})).await;
    let hook = "https://hooks.example.com/meta";
    let override_body = json!({"override_callback_uri": hook, "verify_token": "s3cret"});

    let refused = sim.subscribe(&account, Some(override_body.clone())).await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert_eq!(refused.error().code, 100);
    assert!(
        refused.error().message.contains("override_callback_uri"),
        "{}",
        refused.error().message
    );
    assert_eq!(
        sim.subscriptions(&account).await.body,
        json!({"data": []}),
        "a refused override subscribes nothing"
    );

    sim.subscribe(&account, None).await.assert_success();
    sim.subscribe(&account, Some(override_body))
        .await
        .assert_success();
    let listed = sim.subscriptions(&account).await;
    let data = listed.body["data"].as_array().unwrap();
    assert_eq!(data.len(), 1, "{}", listed.body);
    assert_eq!(data[0]["override_callback_uri"], hook);
    assert_eq!(
        data[0]["whatsapp_business_api_data"]["id"],
        sim.app_id.as_str()
    );

    for uri in ["http://hooks.example.com/meta", "not a url"] {
        let refused = sim
            .subscribe(
                &account,
                Some(json!({"override_callback_uri": uri, "verify_token": "s3cret"})),
            )
            .await;
        assert_eq!(refused.status, 400, "{uri}: {}", refused.body);
        assert_eq!(refused.error().code, 100, "{uri}");
    }
    let missing_verify = sim
        .subscribe(&account, Some(json!({"override_callback_uri": hook})))
        .await;
    assert_eq!(missing_verify.error().code, 100, "{}", missing_verify.body);
    // The refused calls left the accepted override in place.
    let listed = sim.subscriptions(&account).await;
    assert_eq!(listed.body["data"][0]["override_callback_uri"], hook);
    sim.portal.shutdown().await;
}

#[tokio::test]
async fn register_checks_the_product_pin_and_coexistence_then_moves_to_cloud_api() {
    let sim = Sim::start().await;
    let account = sim.account(json!({})).await;

    let before = sim.read(&account, &account.phone, "platform_type").await;
    assert_eq!(before.status, 200, "{}", before.body);
    assert_eq!(before.body["platform_type"], "NOT_APPLICABLE");

    let bad_bodies = [
        json!({"messaging_product": "whatsapp", "pin": "12345"}),
        json!({"messaging_product": "whatsapp", "pin": "1234567"}),
        json!({"messaging_product": "whatsapp", "pin": "12a456"}),
        json!({"messaging_product": "whatsapp", "pin": "١٢٣٤٥٦"}),
        json!({"messaging_product": "whatsapp"}),
        json!({"pin": "123456"}),
        json!({"messaging_product": "sms", "pin": "123456"}),
    ];
    for body in bad_bodies {
        let refused = sim.register(&account, body.clone()).await;
        assert_eq!(refused.status, 400, "{body}: {}", refused.body);
        assert_eq!(refused.error().code, 100, "{body}");
        assert_eq!(refused.error().is_transient, Some(false), "{body}");
    }
    let still = sim.read(&account, &account.phone, "platform_type").await;
    assert_eq!(still.body["platform_type"], "NOT_APPLICABLE");

    sim.register_ok(&account).await.assert_success();
    let after = sim.read(&account, &account.phone, "platform_type").await;
    assert_eq!(after.status, 200, "{}", after.body);
    assert_eq!(after.body["platform_type"], "CLOUD_API");
    assert!(
        after.body.get("pin").is_none(),
        "the PIN is never read back"
    );

    // Graph also takes POST parameters as a form body.
    sim.register(
        &account,
        Value::String("messaging_product=whatsapp&pin=654321".into()),
    )
    .await
    .assert_success();

    let coexistence = sim.account(json!({"coexistence": true})).await;
    let refused = sim.register_ok(&coexistence).await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert_eq!(refused.error().code, 100);
    let unchanged = sim
        .read(&coexistence, &coexistence.phone, "platform_type")
        .await;
    assert_eq!(unchanged.body["platform_type"], "NOT_APPLICABLE");

    // A token reaches only the numbers of the WABAs it was granted on.
    let path = format!("{}/register", coexistence.phone);
    let foreign = sim
        .call(
            Method::POST,
            &path,
            Some(&account.token),
            &[],
            Some(json!({"messaging_product": "whatsapp", "pin": "123456"})),
        )
        .await;
    assert_eq!(
        (foreign.error().code, foreign.error().error_subcode),
        (100, Some(33))
    );
    sim.portal.shutdown().await;
}

#[tokio::test]
async fn the_eleventh_registration_in_72_hours_answers_133016() {
    let sim = Sim::start().await;
    let account = sim.account(json!({})).await;
    // Refused calls do not count towards the limit.
    let refused = sim
        .register(
            &account,
            json!({"messaging_product": "whatsapp", "pin": "1"}),
        )
        .await;
    assert_eq!(refused.error().code, 100);
    for attempt in 1..=10 {
        let answer = sim.register_ok(&account).await;
        assert_eq!(
            (answer.status, &answer.body),
            (200, &json!({"success": true})),
            "registration {attempt}"
        );
    }
    for _ in 0..2 {
        let limited = sim.register_ok(&account).await;
        assert_eq!(limited.status, 400, "{}", limited.body);
        assert_eq!(limited.error().code, 133016, "{}", limited.body);
        assert_eq!(limited.error().kind, "OAuthException");
    }
    // The limit is per number.
    let other = sim.account(json!({"business_name": "Other"})).await;
    sim.register_ok(&other).await.assert_success();
    sim.portal.shutdown().await;
}

#[tokio::test]
async fn a_transient_fault_fails_the_next_calls_then_the_operation_works() {
    let sim = Sim::start().await;
    let account = sim.account(json!({})).await;
    assert_eq!(
        sim.arm_fault(json!({"operation": "register", "kind": "transient", "count": 2}))
            .await,
        204
    );
    for attempt in 1..=2 {
        let failed = sim.register_ok(&account).await;
        assert_eq!(failed.status, 500, "attempt {attempt}: {}", failed.body);
        let error = failed.error();
        assert_eq!(error.code, 2, "attempt {attempt}");
        assert_eq!(error.is_transient, Some(true), "attempt {attempt}");
        assert_eq!(
            sim.read(&account, &account.phone, "platform_type")
                .await
                .body["platform_type"],
            "NOT_APPLICABLE",
            "a failed register changes nothing"
        );
    }
    sim.register_ok(&account).await.assert_success();
    sim.register_ok(&account).await.assert_success();
    assert_eq!(
        sim.read(&account, &account.phone, "platform_type")
            .await
            .body["platform_type"],
        "CLOUD_API"
    );

    // A fault targets its operation only.
    assert_eq!(
        sim.arm_fault(json!({"operation": "subscribe", "kind": "transient", "count": 1}))
            .await,
        204
    );
    sim.register_ok(&account).await.assert_success();
    assert_eq!(sim.subscribe(&account, None).await.status, 500);
    assert_eq!(sim.subscriptions(&account).await.body, json!({"data": []}));
    sim.subscribe(&account, None).await.assert_success();
    sim.portal.shutdown().await;
}

#[tokio::test]
async fn rate_limit_and_permanent_faults_answer_like_graph() {
    let sim = Sim::start().await;
    let account = sim.account(json!({})).await;
    assert_eq!(
        sim.arm_fault(json!({
            "operation": "register",
            "kind": "rate_limit",
            "count": 1,
            "regain_access_minutes": 7
        }))
        .await,
        204
    );
    let limited = sim.register_ok(&account).await;
    assert_eq!(limited.error().code, 80007, "{}", limited.body);
    let header = limited
        .headers
        .get("x-business-use-case-usage")
        .expect("a rate-limited answer carries X-Business-Use-Case-Usage")
        .to_str()
        .unwrap();
    let usage: Value = serde_json::from_str(header).expect("the usage header is JSON");
    let regain: Vec<&Value> = usage
        .as_object()
        .expect("keyed by business id")
        .values()
        .flat_map(|entries| entries.as_array().expect("a list per business"))
        .map(|entry| &entry["estimated_time_to_regain_access"])
        .collect();
    assert_eq!(regain, vec![&json!(7)], "{usage}");
    sim.register_ok(&account).await.assert_success();

    // Other errors carry no usage header.
    let plain = sim
        .register(&account, json!({"messaging_product": "whatsapp"}))
        .await;
    assert!(plain.headers.get("x-business-use-case-usage").is_none());

    assert_eq!(
        sim.arm_fault(json!({"operation": "waba", "kind": "permanent", "count": 1}))
            .await,
        204
    );
    let denied = sim.read(&account, &account.waba, "id").await;
    assert!(denied.status >= 400, "{}", denied.body);
    let error = denied.error();
    assert_eq!(error.code, 200, "{}", denied.body);
    assert_ne!(error.is_transient, Some(true));
    assert!(denied.headers.get("x-business-use-case-usage").is_none());
    let read = sim.read(&account, &account.waba, "id").await;
    assert_eq!((read.status, &read.body["id"]), (200, &json!(account.waba)));

    assert_eq!(
        sim.arm_fault(json!({"operation": "phone_numbers", "kind": "permanent", "count": 1}))
            .await,
        204
    );
    let path = format!("{}/phone_numbers", account.waba);
    let denied = sim
        .call(Method::GET, &path, Some(&account.token), &[], None)
        .await;
    assert_eq!(denied.error().code, 200, "{}", denied.body);
    sim.portal.shutdown().await;
}

#[tokio::test]
async fn the_fault_api_refuses_unknown_operations_and_clears_armed_faults() {
    let sim = Sim::start().await;
    let account = sim.account(json!({})).await;
    let response = sim
        .client
        .post(format!("{}sandbox/api/faults", sim.portal.url))
        .json(&json!({"operation": "send_message", "kind": "transient", "count": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("register"),
        "the error lists the operations: {body}"
    );
    let status = sim
        .arm_fault(json!({"operation": "register", "kind": "sometimes", "count": 1}))
        .await;
    assert!((400..500).contains(&status), "unknown kind: {status}");

    assert_eq!(
        sim.arm_fault(json!({"operation": "register", "kind": "transient", "count": 5}))
            .await,
        204
    );
    assert_eq!(
        sim.arm_fault(json!({"operation": "subscribe", "kind": "permanent", "count": 5}))
            .await,
        204
    );
    assert_eq!(sim.register_ok(&account).await.status, 500);
    assert_eq!(sim.clear_faults().await, 204);
    sim.register_ok(&account).await.assert_success();
    sim.subscribe(&account, None).await.assert_success();
    // Clearing with nothing armed is fine too.
    assert_eq!(sim.clear_faults().await, 204);

    // Arming again replaces the previous fault for that operation.
    sim.arm_fault(json!({"operation": "register", "kind": "transient", "count": 5}))
        .await;
    sim.arm_fault(json!({"operation": "register", "kind": "permanent", "count": 1}))
        .await;
    assert_eq!(sim.register_ok(&account).await.error().code, 200);
    sim.register_ok(&account).await.assert_success();
    sim.portal.shutdown().await;
}

#[tokio::test]
async fn subscribing_after_accepted_terms_onboards_and_sends_one_signed_webhook() {
    let sim = Sim::start().await;
    let account = sim.account(json!({"terms_delay_ms": 0})).await;
    let status = |answer: &Answer| {
        answer.body["marketing_messages_onboarding_status"]
            .as_str()
            .map(str::to_string)
    };
    let field = "marketing_messages_onboarding_status";
    let before = sim.read(&account, &account.waba, field).await;
    assert_eq!(status(&before).as_deref(), Some("PENDING_INTERNAL_SETUP"));

    sim.subscribe(&account, None).await.assert_success();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let read = sim.read(&account, &account.waba, field).await;
        assert_eq!(read.status, 200, "{}", read.body);
        if status(&read).as_deref() == Some("ONBOARDED") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still {:?} 5 s after subscribing",
            status(&read)
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    // The portal's /webhooks/meta stores only deliveries whose X-Hub-Signature-256 verifies,
    // so a stored one was signed with the app secret.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let delivered = loop {
        let found = sim.terms_signed_deliveries(&account.waba).await;
        if !found.is_empty() {
            break found;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no MM_LITE_TERMS_SIGNED delivery for {} in the inbox",
            account.waba
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let entry = &delivered[0]["entry"][0];
    assert_eq!(delivered[0]["object"], "whatsapp_business_account");
    assert!(entry["changes"][0]["value"]["waba_info"]["owner_business_id"].is_string());

    // Subscribing again, or unsubscribing and resubscribing, does not onboard twice.
    sim.subscribe(&account, None).await.assert_success();
    let path = format!("{}/subscribed_apps", account.waba);
    sim.call(Method::DELETE, &path, Some(&account.token), &[], None)
        .await
        .assert_success();
    sim.subscribe(&account, None).await.assert_success();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    sim.read(&account, &account.waba, field).await;
    assert_eq!(
        sim.terms_signed_deliveries(&account.waba).await.len(),
        1,
        "exactly one MM_LITE_TERMS_SIGNED per WABA"
    );
    sim.portal.shutdown().await;
}

#[tokio::test]
async fn without_accepted_terms_a_subscription_does_not_onboard() {
    let sim = Sim::start().await;
    let declined = sim
        .account(json!({"terms_delay_ms": 0, "accept_mm_terms": false}))
        .await;
    let unsubscribed = sim
        .account(json!({"business_name": "Other", "terms_delay_ms": 0}))
        .await;
    sim.subscribe(&declined, None).await.assert_success();
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    let field = "marketing_messages_onboarding_status";
    for account in [&declined, &unsubscribed] {
        let read = sim.read(account, &account.waba, field).await;
        assert_eq!(read.status, 200, "{}", read.body);
        assert_eq!(read.body[field], "PENDING_INTERNAL_SETUP");
        assert!(sim.terms_signed_deliveries(&account.waba).await.is_empty());
    }
    sim.portal.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// More faults: latency, the three rate-limit codes, and the fault API's refusals.

#[tokio::test]
async fn a_latency_fault_slows_the_next_calls_then_calls_are_fast_again() {
    let sim = Sim::start().await;
    let account = sim.account(json!({})).await;
    let fault = json!({"operation": "register", "kind": "latency", "delay_ms": 600, "count": 2});
    assert_eq!(sim.arm_fault(fault).await, 204);
    // An error fault on the same operation is kept apart: the first call is slow, then fails.
    let fault = json!({"operation": "register", "kind": "transient", "count": 1});
    assert_eq!(sim.arm_fault(fault).await, 204);
    let timed = |answer: Answer, started: std::time::Instant| (answer, started.elapsed());

    let started = std::time::Instant::now();
    let (failed, took) = timed(sim.register_ok(&account).await, started);
    assert_eq!(failed.status, 500, "{}", failed.body);
    assert!(took >= std::time::Duration::from_millis(600), "{took:?}");
    let started = std::time::Instant::now();
    let (slow, took) = timed(sim.register_ok(&account).await, started);
    slow.assert_success();
    assert!(took >= std::time::Duration::from_millis(600), "{took:?}");
    let started = std::time::Instant::now();
    let (fast, took) = timed(sim.register_ok(&account).await, started);
    fast.assert_success();
    assert!(took < std::time::Duration::from_millis(400), "{took:?}");
    // Other operations were never slowed.
    let started = std::time::Instant::now();
    sim.read(&account, &account.waba, "id").await;
    assert!(started.elapsed() < std::time::Duration::from_millis(400));
    sim.portal.shutdown().await;
}

#[tokio::test]
async fn rate_limit_faults_answer_codes_4_80007_and_130429_with_usage_headers() {
    let sim = Sim::start().await;
    let account = sim.account(json!({})).await;
    // (code, HTTP status, message, usage type, X-App-Usage expected)
    let cases = [
        (
            4,
            429,
            "(#4) Application request limit reached",
            "whatsapp_business_management",
            true,
        ),
        (
            80007,
            400,
            "(#80007) Rate limit issues on the WhatsApp Business Account",
            "whatsapp_business_management",
            false,
        ),
        (
            130429,
            400,
            "(#130429) Rate limit hit",
            "whatsapp_business_messaging",
            false,
        ),
    ];
    for (code, status, message, usage_type, app_usage) in cases {
        let fault = json!({"operation": "register", "kind": "rate_limit", "count": 1,
                           "code": code, "regain_access_minutes": 2});
        assert_eq!(sim.arm_fault(fault).await, 204);
        let limited = sim.register_ok(&account).await;
        assert_eq!(limited.status, status, "{code}: {}", limited.body);
        let error = limited.error();
        assert_eq!((error.code, error.message.as_str()), (code, message));
        let usage: Value = serde_json::from_str(
            limited.headers["x-business-use-case-usage"]
                .to_str()
                .unwrap(),
        )
        .expect("the usage header is JSON");
        // Without `business_id`, keyed by the sandbox partner's business.
        let entry = &usage[mm_portal::sandbox::SANDBOX_PARTNER_BUSINESS_ID][0];
        assert_eq!(entry["type"], usage_type, "{code}: {usage}");
        assert_eq!(entry["estimated_time_to_regain_access"], 2);
        assert_eq!(entry["call_count"], 100);
        assert_eq!(
            limited.headers.contains_key("x-app-usage"),
            app_usage,
            "{code}"
        );
        // The portal's reading of the header finds the wait.
        let parsed = mm_portal::graph::usage::BusinessUseCaseUsage::parse(
            limited.headers["x-business-use-case-usage"]
                .to_str()
                .unwrap(),
        );
        assert_eq!(
            parsed.time_to_regain_access(),
            Some(std::time::Duration::from_secs(120))
        );
        sim.register_ok(&account).await.assert_success();
    }
    // `business_id` names the throttled business in the header.
    let fault = json!({"operation": "waba", "kind": "rate_limit", "count": 1,
                       "code": 4, "business_id": account.business});
    assert_eq!(sim.arm_fault(fault).await, 204);
    let limited = sim.read(&account, &account.waba, "id").await;
    let usage: Value = serde_json::from_str(
        limited.headers["x-business-use-case-usage"]
            .to_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(usage.as_object().unwrap().len(), 1);
    assert_eq!(
        usage[&account.business][0]["estimated_time_to_regain_access"],
        0
    );
    sim.portal.shutdown().await;
}

#[tokio::test]
async fn the_fault_api_refuses_faults_that_do_not_fit_their_kind() {
    let sim = Sim::start().await;
    let cases = [
        (
            json!({"operation": "send", "kind": "drop", "count": 1}),
            "webhook fault",
        ),
        (
            json!({"operation": "webhooks", "kind": "transient", "count": 1}),
            "drop, duplicate or reorder",
        ),
        (
            json!({"operation": "register", "kind": "latency", "count": 1}),
            "delay_ms",
        ),
        (
            json!({"operation": "register", "kind": "latency", "count": 1, "delay_ms": 60001}),
            "delay_ms",
        ),
        (
            json!({"operation": "register", "kind": "rate_limit", "count": 1, "code": 17}),
            "4, 80007 or 130429",
        ),
        (
            json!({"operation": "register", "kind": "permanent", "count": 1, "code": 4}),
            "rate_limit faults only",
        ),
        (
            json!({"operation": "register", "kind": "sometimes", "count": 1}),
            "not a fault",
        ),
        (
            json!({"operation": "register", "kind": "transient"}),
            "count",
        ),
    ];
    for (fault, expected) in cases {
        let (status, body) = sim.tester("faults", fault.clone()).await;
        assert_eq!(status, 400, "{fault}: {body}");
        assert!(
            body["error"].as_str().unwrap().contains(expected),
            "{fault}: {body}"
        );
    }
    // Nothing refused was armed.
    let account = sim.account(json!({})).await;
    sim.register_ok(&account).await.assert_success();
    sim.portal.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// The OpenAPI validator the harness applies to every Graph answer must be able to fail.

mod openapi_validator {
    use super::support::openapi::{self, validate};
    use serde_json::json;

    #[test]
    fn wrong_bodies_are_rejected_with_the_place_of_each_problem() {
        let schema = json!({
            "type": "object",
            "required": ["id", "kind"],
            "additionalProperties": false,
            "properties": {
                "id": {"type": "string"},
                "kind": {"type": "string", "enum": ["a", "b"]},
                "n": {"type": "integer"},
                "maybe": {"type": "string", "nullable": true},
                "list": {"type": "array", "items": {"type": "boolean"}},
            }
        });
        assert!(validate(
            &schema,
            &json!({"id": "1", "kind": "a", "n": 3, "maybe": null,
                                           "list": [true]})
        )
        .is_ok());
        let problems = validate(
            &schema,
            &json!({"id": 1, "kind": "c", "n": 1.5, "list": [true, "no"], "extra": 0}),
        )
        .unwrap_err();
        for expected in [
            "/id: expected string",
            "/kind: \"c\" is not one of",
            "/n: expected integer",
            "/list/1: expected boolean",
            "/extra: property \"extra\" is not allowed",
        ] {
            assert!(
                problems.iter().any(|p| p.starts_with(expected)),
                "{expected} in {problems:?}"
            );
        }
        let problems = validate(&schema, &json!({"kind": "a"})).unwrap_err();
        assert_eq!(problems, ["/: missing required property \"id\""]);
        assert!(validate(&schema, &json!([])).is_err());
    }

    #[test]
    fn combinators_are_checked() {
        let one_of = json!({"oneOf": [{"type": "string"}, {"type": "string", "enum": ["x"]}]});
        assert!(validate(&one_of, &json!("y")).is_ok());
        assert!(validate(&one_of, &json!("x")).is_err(), "matches both");
        assert!(validate(&one_of, &json!(1)).is_err(), "matches neither");
        let any_of = json!({"anyOf": [{"type": "integer"}, {"type": "null"}]});
        assert!(validate(&any_of, &json!(null)).is_ok());
        assert!(validate(&any_of, &json!("1")).is_err());
        let all_of = json!({"allOf": [{"required": ["a"]}, {"required": ["b"]}]});
        assert!(validate(&all_of, &json!({"a": 1, "b": 2})).is_ok());
        assert!(validate(&all_of, &json!({"a": 1})).is_err());
        let typed_extra = json!({"type": "object", "additionalProperties": {"type": "integer"}});
        assert!(validate(&typed_extra, &json!({"a": 1})).is_ok());
        assert!(validate(&typed_extra, &json!({"a": "1"})).is_err());
    }

    #[test]
    fn the_extracted_meta_schemas_reject_wrong_simulator_answers() {
        let register = openapi::operation("register");
        assert!(validate(&register.success, &json!({"success": true})).is_ok());
        assert!(validate(&register.success, &json!({"success": "yes"})).is_err());
        assert!(validate(&register.success, &json!({})).is_err());
        // An error without `code`, or with a string `code`.
        let error = &register.error;
        let good = json!({"error": {"message": "m", "type": "OAuthException", "code": 100}});
        assert!(validate(error, &good).is_ok());
        assert!(validate(error, &json!({"error": {"message": "m", "type": "T"}})).is_err());
        assert!(validate(
            error,
            &json!({"error": {"message": "m", "type": "T",
                                                  "code": "100"}})
        )
        .is_err());
        assert!(validate(error, &json!({"message": "m"})).is_err());
        // A message status outside the OpenAPI enum.
        let messages = openapi::operation("messages");
        let answer = json!({"messaging_product": "whatsapp",
                            "contacts": [{"input": "1", "wa_id": "1"}],
                            "messages": [{"id": "wamid.X", "message_status": "sent"}]});
        assert!(validate(&messages.success, &answer).is_err());
        // A WABA with an account review status the file does not know.
        let waba = openapi::operation("waba");
        assert!(validate(
            &waba.success,
            &json!({"id": "1", "account_review_status": "OK"})
        )
        .is_err());
    }

    #[test]
    #[should_panic(expected = "does not match the OpenAPI schema of subscribed_apps_post")]
    fn the_harness_check_panics_on_a_wrong_answer() {
        openapi::check_answer(
            Some("subscribed_apps_post"),
            200,
            &json!({"success": 1}),
            "a test",
        );
    }

    #[test]
    fn calls_map_to_the_operations_of_the_openapi_file() {
        let phone = |id: &str| id == "222";
        let cases: [(&str, &[&str], Option<&str>); 8] = [
            ("GET", &["111"], Some("waba")),
            ("GET", &["222"], Some("phone_number")),
            ("post", &["222", "messages"], Some("messages")),
            (
                "DELETE",
                &["111", "subscribed_apps"],
                Some("subscribed_apps_delete"),
            ),
            ("GET", &["debug_token"], None),
            ("GET", &["oauth", "access_token"], None),
            ("POST", &["1", "system_user_access_tokens"], None),
            ("GET", &["111", "register"], None),
        ];
        for (method, segments, expected) in cases {
            assert_eq!(
                openapi::operation_for(method, segments, phone),
                expected,
                "{method} {segments:?}"
            );
        }
    }
}

/// A foreign web page can POST a form or a `text/plain` body to this server without the
/// browser asking first (no CORS preflight), so the tester API takes `application/json`
/// only: such a page can neither mint a partner token nor arm a fault (issue 16, item 12).
#[tokio::test]
async fn the_tester_api_refuses_posts_that_are_not_json() {
    let sim = Sim::start().await;
    let account = sim.account(json!({})).await;
    let fault = json!({"operation": "phone_numbers", "kind": "permanent", "count": 1}).to_string();
    let signup = json!({"business_name": "A", "phone_number": "+5511912345678"}).to_string();
    let limit = json!({"operation": "onboard_partners_to_mm_lite", "per_second": 1}).to_string();
    let refused = [
        ("partner-token", Some("text/plain"), String::new()),
        (
            "partner-token",
            Some("text/plain;charset=UTF-8"),
            "{}".to_string(),
        ),
        ("partner-token", None, String::new()),
        ("faults", Some("text/plain"), fault.clone()),
        (
            "faults",
            Some("application/x-www-form-urlencoded"),
            fault.clone(),
        ),
        (
            "faults",
            Some("multipart/form-data; boundary=x"),
            fault.clone(),
        ),
        ("faults", Some("application/jsonp"), fault.clone()),
        ("faults", None, fault.clone()),
        ("signups", Some("text/plain"), signup),
        ("rate-limits", Some("text/plain"), limit),
    ];
    for (path, content_type, body) in refused {
        let mut request = sim
            .client
            .post(format!("{}sandbox/api/{path}", sim.portal.url))
            .body(body);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        assert_eq!(status, 415, "{path} as {content_type:?}: {text}");
        let answer: Value = serde_json::from_str(&text).expect("the tester error shape");
        assert!(
            answer["error"]
                .as_str()
                .unwrap()
                .contains("application/json"),
            "{answer}"
        );
    }
    // Nothing was armed: the WABA's numbers read normally.
    let path = format!("{}/phone_numbers", account.waba);
    let answer = sim
        .call(Method::GET, &path, Some(&account.token), &[], None)
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    // JSON with a charset parameter is JSON.
    let response = sim
        .client
        .post(format!("{}sandbox/api/faults", sim.portal.url))
        .header("content-type", "application/json; charset=utf-8")
        .body(fault)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let answer = sim
        .call(Method::GET, &path, Some(&account.token), &[], None)
        .await;
    assert_eq!(answer.status, 403, "{}", answer.body);
    sim.portal.shutdown().await;
}

#[tokio::test]
async fn a_removed_or_deleted_wabas_business_token_is_refused_like_metas() {
    let sim = Sim::start().await;
    let account = sim.account(json!({})).await;
    let read = |token: String, proof: String| {
        let sim = &sim;
        let url = sim.graph(&account.waba);
        async move {
            sim.get(
                &url,
                &[("access_token", &token), ("appsecret_proof", &proof)],
            )
            .await
        }
    };
    let (status, _) = read(account.token.clone(), account.proof.clone()).await;
    assert_eq!(status, 200);
    // Offboarded (a device change) leaves the token working; removed ends it.
    let path = format!("wabas/{}/account-update", account.waba);
    let (status, body) = sim
        .tester(&path, json!({"event": "ACCOUNT_OFFBOARDED"}))
        .await;
    assert_eq!(
        (status, body["connection"].as_str()),
        (202, Some("offboarded"))
    );
    assert_eq!(
        read(account.token.clone(), account.proof.clone()).await.0,
        200
    );
    let (status, _) = sim.tester(&path, json!({"event": "PARTNER_REMOVED"})).await;
    assert_eq!(status, 202);
    let (status, body) = read(account.token.clone(), account.proof.clone()).await;
    let error = graph_error(&body);
    assert_eq!(
        (status, error.code, error.error_subcode),
        (400, 190, Some(458)),
        "{body}"
    );
    assert!(error.message.contains("has not authorized application"));
    // The phone number is refused the same way.
    let url = sim.graph(&account.phone);
    let (status, body) = sim
        .get(
            &url,
            &[
                ("access_token", &account.token),
                ("appsecret_proof", &account.proof),
            ],
        )
        .await;
    assert_eq!((status, graph_error(&body).code), (400, 190));
    let (status, _) = sim
        .tester(
            "wabas/000/account-update",
            json!({"event": "PARTNER_REMOVED"}),
        )
        .await;
    assert_eq!(status, 404);
    sim.portal.shutdown().await;
}

/// The portal's Graph client against the simulator, as the signup uses it.
fn graph_client(sim: &Sim, secret: &str) -> mm_portal::graph::GraphClient {
    mm_portal::graph::GraphClient::new(
        sim.portal.url.join("sandbox/graph/").unwrap(),
        "v23.0",
        &sim.app_id,
        std::sync::Arc::new(secrecy::SecretString::from(secret.to_string())),
    )
}

#[tokio::test]
async fn the_code_exchange_is_an_oauth2_grant_with_every_error_of_graphs() {
    use mm_portal::graph::GraphCallError;
    let sim = Sim::start().await;
    let client = graph_client(&sim, sim.secret.expose_secret());
    let code = sim.signup(json!({})).await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let token = client.exchange_code(&code).await.unwrap();
    assert!(token.expose_secret().len() > 50, "a business token");
    // Single use: the second exchange gets Graph's error, with its HTTP status.
    let refused = client.exchange_code(&code).await.unwrap_err();
    let GraphCallError::Graph { status, error, .. } = &refused else {
        panic!("a Graph error, not {refused:?}");
    };
    assert_eq!(
        (*status, error.code, error.error_subcode),
        (400, 100, Some(36009))
    );
    assert!(
        !format!("{refused} {refused:?}").contains(&code),
        "the error never quotes the code"
    );
    // A wrong client secret (in the request body) is Graph's, and never echoed.
    let other = sim.signup(json!({})).await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let wrong = graph_client(&sim, "not-the-app-secret")
        .exchange_code(&other)
        .await
        .unwrap_err();
    assert!(wrong.to_string().contains("client secret"), "{wrong}");
    assert!(!format!("{wrong:?}").contains("not-the-app-secret"));
    // The grant as the oauth2 crate sends it: a form POST; another grant type is refused.
    let (status, body) = {
        let response = sim
            .client
            .post(sim.graph("oauth/access_token"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", sim.app_id.as_str()),
                ("client_secret", sim.secret.expose_secret()),
                ("code", other.as_str()),
            ])
            .send()
            .await
            .unwrap();
        (
            response.status().as_u16(),
            response.json::<Value>().await.unwrap(),
        )
    };
    assert_eq!((status, graph_error(&body).code), (400, 100), "{body}");
    // An unreachable Graph is a transport failure (retried by the pipeline).
    let gone = mm_portal::graph::GraphClient::new(
        "http://127.0.0.1:9/sandbox/graph/".parse().unwrap(),
        "v23.0",
        &sim.app_id,
        std::sync::Arc::new(secrecy::SecretString::from("x".to_string())),
    );
    assert!(matches!(
        gone.exchange_code("abc").await,
        Err(GraphCallError::Transport(_))
    ));
    sim.portal.shutdown().await;
}
