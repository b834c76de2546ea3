//! The simulator's Graph endpoints over real HTTP: the code exchange with its single-use and
//! expiry rules, debug_token, reading a WABA and its phone numbers with access-token and
//! appsecret_proof checks, and Graph-shaped errors for everything else.

mod support;

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

    async fn signup(&self, extra: Value) -> Value {
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
        response.json().await.unwrap()
    }

    async fn get(&self, url: &str, query: &[(&str, &str)]) -> (u16, Value) {
        let response = self.client.get(url).query(query).send().await.unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    async fn exchange(&self, code: &str) -> (u16, Value) {
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

    fn proof(&self, token: &str) -> String {
        appsecret_proof(&SecretString::from(token.to_string()), &self.secret)
    }
}

/// URL, query, expected code, subcode and error type.
type ErrorCase<'a> = (String, Vec<(&'a str, &'a str)>, i64, Option<i64>, &'a str);

fn graph_error(body: &Value) -> GraphError {
    serde_json::from_value(body["error"].clone()).expect("a Graph error object")
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
    let response = sim
        .client
        .get(sim.graph(&format!("{waba_id}/phone_numbers")))
        .bearer_auth(&token)
        .query(&[("appsecret_proof", &proof)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let phones: Value = response.json().await.unwrap();
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
