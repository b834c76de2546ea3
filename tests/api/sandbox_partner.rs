//! The simulator's partner-level Graph endpoints over real HTTP: the client WABAs edge with
//! field selection, seed 001's `filtering` and cursor paging; the Intent API
//! (`onboard_partners_to_mm_lite`, seed 004) with its idempotent request id, its error cases
//! and the delayed signing (ONBOARDED + one signed `MM_LITE_TERMS_SIGNED` per WABA); and the
//! BISUAT fetch (`system_user_access_tokens?fetch_only=true`, seed 000).

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use crate::support::sim::{Account, Answer, Sim};
use mm_portal::sandbox::model::SANDBOX_SOLUTION_ID;
use mm_portal::sandbox::SANDBOX_PARTNER_BUSINESS_ID;
use reqwest::Method;
use secrecy::ExposeSecret;
use serde_json::{json, Value};

const CLIENT_WABAS: &str = "client_whatsapp_business_accounts";

/// Partner-level helpers, on top of the shared harness.
impl Sim {
    async fn partner_token(&self, scopes: Option<&[&str]>) -> String {
        let body = match scopes {
            Some(scopes) => json!({ "scopes": scopes }),
            None => json!({}),
        };
        let (status, answer) = self.tester("partner-token", body).await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["business_id"], SANDBOX_PARTNER_BUSINESS_ID);
        answer["access_token"].as_str().unwrap().to_string()
    }

    async fn set_onboarding(&self, business: &str, settings: Value) {
        let (status, body) = self
            .tester(&format!("businesses/{business}/mm-onboarding"), settings)
            .await;
        assert_eq!(status, 204, "{body}");
    }

    async fn client_wabas(&self, token: &str, query: &[(&str, &str)]) -> Answer {
        let path = format!("{SANDBOX_PARTNER_BUSINESS_ID}/{CLIENT_WABAS}");
        self.call(Method::GET, &path, Some(token), query, None)
            .await
    }

    async fn onboard(&self, token: Option<&str>, business: &str, body: Option<Value>) -> Answer {
        let path = format!("{business}/onboard_partners_to_mm_lite");
        self.call(Method::POST, &path, token, &[], body).await
    }

    async fn status_of(&self, account: &Account) -> String {
        let field = "marketing_messages_onboarding_status";
        let read = self
            .call(
                Method::GET,
                &account.waba,
                Some(&account.token),
                &[("fields", field)],
                None,
            )
            .await;
        assert_eq!(read.status, 200, "{}", read.body);
        read.body[field].as_str().unwrap().to_string()
    }
}

fn ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap_or_else(|| panic!("no data in {page}"))
        .iter()
        .map(|w| w["id"].as_str().unwrap().to_string())
        .collect()
}

fn decode(cursor: &Value) -> String {
    use base64::Engine;
    String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(cursor.as_str().unwrap())
            .unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn client_wabas_page_through_seven_wabas_three_at_a_time() {
    let sim = Sim::start().await;
    let mut names = std::collections::BTreeMap::new();
    for i in 0..7 {
        let account = sim
            .account(json!({"business_name": format!("Cliente {i}")}))
            .await;
        names.insert(account.waba, format!("Cliente {i}"));
    }
    let created: Vec<String> = names.keys().cloned().collect();
    let token = sim.partner_token(None).await;

    let first = sim.client_wabas(&token, &[("limit", "3")]).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(ids(&first.body), created[0..3]);
    // The edge's default fields (OpenAPI: id, name, currency, timezone_id).
    let keys: BTreeSet<&str> = first.body["data"][0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from(["id", "name", "currency", "timezone_id"])
    );
    assert_eq!(first.body["data"][0]["name"], names[&created[0]].as_str());
    assert_eq!(first.body["data"][0]["currency"], "USD");
    let cursors = &first.body["paging"]["cursors"];
    assert_eq!(decode(&cursors["before"]), created[0]);
    assert_eq!(decode(&cursors["after"]), created[2]);
    assert!(first.body["paging"].get("previous").is_none());

    // Follow `next` as given (it carries limit and after, not the token).
    let next = first.body["paging"]["next"].as_str().unwrap().to_string();
    assert!(next.contains("limit=3"), "{next}");
    assert!(!next.contains("access_token"), "{next}");
    let second = sim
        .call_url(Method::GET, &next, Some(&token), &[], None)
        .await;
    assert_eq!(second.status, 200, "{}", second.body);
    assert_eq!(ids(&second.body), created[3..6]);
    assert!(second.body["paging"]["previous"].is_string());

    let after = second.body["paging"]["cursors"]["after"]
        .as_str()
        .unwrap()
        .to_string();
    let third = sim
        .client_wabas(&token, &[("limit", "3"), ("after", &after)])
        .await;
    assert_eq!(ids(&third.body), created[6..7]);
    assert!(
        third.body["paging"].get("next").is_none(),
        "last page has no next: {}",
        third.body
    );

    // `before` walks back to the first page.
    let before = second.body["paging"]["cursors"]["before"]
        .as_str()
        .unwrap()
        .to_string();
    let back = sim
        .client_wabas(&token, &[("limit", "3"), ("before", &before)])
        .await;
    assert_eq!(ids(&back.body), created[0..3]);

    // No limit: Graph's default page (25) holds all seven, without next.
    let all = sim.client_wabas(&token, &[]).await;
    assert_eq!(ids(&all.body), created);
    assert!(all.body["paging"].get("next").is_none());

    let bad = sim.client_wabas(&token, &[("after", "%%%")]).await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.error().code, 100);
    sim.portal.shutdown().await;
}

#[tokio::test]
async fn client_wabas_filter_on_onboarding_status() {
    let sim = Sim::start().await;
    let eligible_a = sim.account(json!({"onboarding_status": "ELIGIBLE"})).await;
    let eligible_b = sim.account(json!({"onboarding_status": "ELIGIBLE"})).await;
    let onboarded = sim.account(json!({"onboarding_status": "ONBOARDED"})).await;
    let pending = sim.account(json!({})).await;
    let token = sim.partner_token(None).await;
    let field = "marketing_messages_onboarding_status";

    let mut eligible = vec![eligible_a.waba.clone(), eligible_b.waba.clone()];
    eligible.sort();
    let filter = r#"[{"field":"marketing_messages_onboarding_status","operator":"IN","value":["ELIGIBLE"]}]"#;
    let page = sim
        .client_wabas(
            &token,
            &[("filtering", filter), ("fields", &format!("id,{field}"))],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(ids(&page.body), eligible);
    for waba in page.body["data"].as_array().unwrap() {
        assert_eq!(
            waba.as_object().unwrap().len(),
            2,
            "only the selected fields: {waba}"
        );
        assert_eq!(waba[field], "ELIGIBLE");
    }

    let filter = r#"[{"field":"marketing_messages_onboarding_status","operator":"EQUAL","value":"ONBOARDED"}]"#;
    let page = sim.client_wabas(&token, &[("filtering", filter)]).await;
    assert_eq!(ids(&page.body), vec![onboarded.waba.clone()]);

    let filter = r#"[{"field":"marketing_messages_onboarding_status","operator":"NOT_IN","value":["ELIGIBLE","ONBOARDED"]}]"#;
    let page = sim.client_wabas(&token, &[("filtering", filter)]).await;
    assert_eq!(ids(&page.body), vec![pending.waba.clone()]);

    // Two conditions combine; nothing matches: `{"data": []}`, no paging.
    let filter = r#"[{"field":"marketing_messages_onboarding_status","operator":"IN","value":["ELIGIBLE"]},{"field":"country","operator":"EQUAL","value":"DE"}]"#;
    let page = sim.client_wabas(&token, &[("filtering", filter)]).await;
    assert_eq!((page.status, &page.body), (200, &json!({"data": []})));

    let invalid = sim
        .client_wabas(&token, &[("filtering", "[{not json")])
        .await;
    assert_eq!(
        invalid.error_tuple(),
        (
            400,
            "OAuthException".into(),
            100,
            None,
            "Invalid parameter: filtering must be valid JSON".into()
        )
    );
    let cases = [
        (
            r#"{"field":"country"}"#,
            "Invalid parameter: filtering must be a list of {field, operator, value} objects",
        ),
        (
            r#"[{"field":"colour","operator":"IN","value":["RED"]}]"#,
            "Invalid parameter: filtering field colour is not supported",
        ),
        (
            r#"[{"field":"country","operator":"LIKE","value":"B%"}]"#,
            "Invalid parameter: filtering operator LIKE is not supported; use IN, NOT_IN, EQUAL or NOT_EQUAL",
        ),
        (
            r#"[{"field":"marketing_messages_onboarding_status","operator":"IN","value":"ELIGIBLE"}]"#,
            "Invalid parameter: filtering operator IN needs a list of strings as value",
        ),
        (
            r#"[{"field":"marketing_messages_onboarding_status","operator":"IN","value":["READY"]}]"#,
            "Invalid parameter: filtering value READY is not a valid marketing_messages_onboarding_status",
        ),
    ];
    for (filter, message) in cases {
        let answer = sim.client_wabas(&token, &[("filtering", filter)]).await;
        assert_eq!(
            answer.error_tuple(),
            (400, "OAuthException".into(), 100, None, message.into()),
            "filtering={filter}"
        );
    }
    let answer = sim.client_wabas(&token, &[("fields", "id,colour")]).await;
    assert_eq!(
        answer.error().message,
        "(#100) Tried accessing nonexisting field (colour) on node type (WhatsAppBusinessAccount)"
    );
    sim.portal.shutdown().await;
}

#[tokio::test]
async fn client_wabas_need_a_partner_token() {
    let sim = Sim::start().await;
    let account = sim.account(json!({})).await;
    let path = format!("{SANDBOX_PARTNER_BUSINESS_ID}/{CLIENT_WABAS}");

    let none = sim.call(Method::GET, &path, None, &[], None).await;
    assert_eq!((none.status, none.error().code), (401, 2500));
    let unknown = sim
        .call(Method::GET, &path, Some("EAASnot-a-token"), &[], None)
        .await;
    assert_eq!((unknown.status, unknown.error().code), (401, 190));

    // A client's Embedded Signup token does not reach the partner's edge.
    let client = sim.client_wabas(&account.token, &[]).await;
    assert_eq!(
        client.error_tuple(),
        (
            403,
            "OAuthException".into(),
            200,
            Some(1349174),
            "Your app doesn't have permission to access client WhatsApp Business Accounts for this business".into()
        )
    );
    assert_eq!(
        client.error().error_user_title.as_deref(),
        Some("Permission Denied")
    );
    let messaging_only = sim
        .partner_token(Some(&["whatsapp_business_messaging"]))
        .await;
    assert_eq!(sim.client_wabas(&messaging_only, &[]).await.status, 403);

    let token = sim.partner_token(None).await;
    let url = sim.graph(&path);
    let no_proof = sim
        .send(sim.client.get(&url).bearer_auth(&token), "GET", &url)
        .await;
    assert_eq!(no_proof.status, 400);
    let body = no_proof.body;
    assert_eq!(
        body["error"]["message"],
        "API calls from the server require an appsecret_proof argument"
    );

    let theirs = format!("{}/{CLIENT_WABAS}", account.business);
    let answer = sim
        .call(Method::GET, &theirs, Some(&token), &[], None)
        .await;
    assert_eq!((answer.status, answer.error().code), (403, 200));
    let answer = sim
        .call(
            Method::GET,
            &format!("123456789012345/{CLIENT_WABAS}"),
            Some(&token),
            &[],
            None,
        )
        .await;
    assert_eq!(
        answer.error_tuple(),
        (
            404,
            "GraphMethodException".into(),
            803,
            None,
            "Business not found".into()
        )
    );
    let answer = sim
        .call(
            Method::GET,
            &format!("acme/{CLIENT_WABAS}"),
            Some(&token),
            &[],
            None,
        )
        .await;
    assert_eq!(
        answer.error_tuple(),
        (
            400,
            "OAuthException".into(),
            100,
            None,
            "Invalid parameter: business_id must be a valid numeric string".into()
        )
    );
    sim.portal.shutdown().await;
}

#[tokio::test]
async fn onboarding_request_is_idempotent_while_pending() {
    let sim = Sim::start().await;
    let first = sim.account(json!({"onboarding_status": "ELIGIBLE"})).await;
    let second = sim.account(json!({"onboarding_status": "ELIGIBLE"})).await;
    sim.set_onboarding(&first.business, json!({"sign_delay_ms": 60_000}))
        .await;
    let token = sim.partner_token(None).await;

    let created = sim.onboard(Some(&token), &first.business, None).await;
    assert_eq!(created.status, 200, "{}", created.body);
    let request_id = created.body["request_id"].as_str().unwrap().to_string();
    assert_eq!(created.body, json!({ "request_id": request_id }));
    assert!(
        request_id.len() >= 15 && request_id.bytes().all(|b| b.is_ascii_digit()),
        "{request_id}"
    );

    // Pending: the same request id, whatever the body.
    let again = sim
        .onboard(
            Some(&token),
            &first.business,
            Some(json!({"solution_id": SANDBOX_SOLUTION_ID})),
        )
        .await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.body["request_id"], request_id.as_str());

    // Another business gets its own request, and the solution id may come in the body.
    let other = sim
        .onboard(
            Some(&token),
            &second.business,
            Some(json!({"solution_id": SANDBOX_SOLUTION_ID})),
        )
        .await;
    assert_eq!(other.status, 200, "{}", other.body);
    assert_ne!(other.body["request_id"], request_id.as_str());

    // Nothing is signed yet: 60 s (first) and the 2 s default (second) have not passed.
    assert_eq!(sim.status_of(&first).await, "ELIGIBLE");
    sim.portal.shutdown().await;
}

#[tokio::test]
async fn onboarding_request_errors_follow_seed_004() {
    let sim = Sim::start().await;
    let token = sim.partner_token(None).await;
    let eligible = sim.account(json!({"onboarding_status": "ELIGIBLE"})).await;
    let sanctioned = sim
        .account(json!({"onboarding_status": "ELIGIBLE", "country": "IR"}))
        .await;
    let not_eligible = sim.account(json!({})).await;
    let obo = sim.account(json!({"onboarding_status": "ELIGIBLE"})).await;
    sim.set_onboarding(&obo.business, json!({"obo_mobility_error": true}))
        .await;
    let read_only = sim.partner_token(Some(&["business_management"])).await;

    let oauth = "OAuthException".to_string();
    let method = "GraphMethodException".to_string();
    let answer = sim.onboard(None, &eligible.business, None).await;
    assert_eq!((answer.status, answer.error().code), (401, 2500));
    let answer = sim
        .onboard(Some("EAASnot-a-token"), &eligible.business, None)
        .await;
    assert_eq!(
        answer.error_tuple(),
        (
            401,
            oauth.clone(),
            190,
            None,
            "Invalid OAuth access token - Cannot parse access token".into()
        )
    );
    assert_eq!(
        sim.onboard(Some(&token), "not-a-number", None)
            .await
            .error_tuple(),
        (
            400,
            oauth.clone(),
            100,
            None,
            "Invalid parameter: business_id must be a valid numeric string".into()
        )
    );
    let answer = sim
        .onboard(Some(&read_only), &eligible.business, None)
        .await;
    assert_eq!(
        answer.error_tuple(),
        (
            403,
            oauth.clone(),
            200,
            Some(1349174),
            "Your app doesn't have the required whatsapp_business_management permission".into()
        )
    );
    assert_eq!(
        answer.error().error_user_msg.as_deref(),
        Some("Your app doesn't have permission to access this resource")
    );
    // A client's own token is not the partner's system user token either.
    assert_eq!(
        sim.onboard(Some(&eligible.token), &eligible.business, None)
            .await
            .status,
        403
    );
    assert_eq!(
        sim.onboard(
            Some(&token),
            &eligible.business,
            Some(json!({"solution_id": "abc"}))
        )
        .await
        .error_tuple(),
        (
            400,
            oauth.clone(),
            100,
            None,
            "Invalid parameter: solution_id must be a valid numeric string".into()
        )
    );
    assert_eq!(
        sim.onboard(Some(&token), "123456789012345", None)
            .await
            .error_tuple(),
        (404, method.clone(), 803, None, "Business not found".into())
    );
    assert_eq!(
        sim.onboard(Some(&token), &sanctioned.business, None)
            .await
            .error_tuple(),
        (
            403,
            method.clone(),
            200,
            None,
            "End business is not eligible for MM Lite onboarding".into()
        )
    );
    assert_eq!(
        sim.onboard(Some(&token), &not_eligible.business, None)
            .await
            .error_tuple(),
        (
            400,
            method.clone(),
            100,
            None,
            "No eligible WhatsApp Business Accounts found for MM Lite onboarding".into()
        )
    );
    assert_eq!(
        sim.onboard(
            Some(&token),
            &eligible.business,
            Some(json!({"solution_id": "999"}))
        )
        .await
        .error_tuple(),
        (
            422,
            method.clone(),
            803,
            None,
            "WhatsApp Business Solution not found or not accessible".into()
        )
    );
    assert_eq!(
        sim.onboard(Some(&token), &obo.business, None)
            .await
            .error_tuple(),
        (
            422,
            method.clone(),
            100,
            None,
            "Failed to set OBO mobility intent on one or more WhatsApp Business Accounts".into()
        )
    );

    // 500 through fault injection; the next call works.
    let (status, _) = sim
        .tester(
            "faults",
            json!({"operation": "onboard_partners_to_mm_lite", "kind": "transient", "count": 1}),
        )
        .await;
    assert_eq!(status, 204);
    let failed = sim.onboard(Some(&token), &eligible.business, None).await;
    assert_eq!(
        failed.error_tuple(),
        (
            500,
            oauth.clone(),
            2,
            None,
            "An unexpected error has occurred. Please retry your request later.".into()
        )
    );
    assert_eq!(failed.error().is_transient, Some(true));

    // Once the business signed, the request is no longer pending: asking again is a
    // duplicate agreement request.
    sim.set_onboarding(&eligible.business, json!({"sign_delay_ms": 0}))
        .await;
    let created = sim.onboard(Some(&token), &eligible.business, None).await;
    assert_eq!(created.status, 200, "{}", created.body);
    assert_eq!(
        sim.onboard(Some(&token), &eligible.business, None)
            .await
            .error_tuple(),
        (
            403,
            method.clone(),
            100,
            None,
            "A business agreement request already exists between these parties".into()
        )
    );
    assert_eq!(sim.status_of(&eligible).await, "ONBOARDED");
    sim.portal.shutdown().await;
}

#[tokio::test]
async fn signing_onboards_each_eligible_waba_with_one_signed_webhook() {
    let sim = Sim::start().await;
    let first = sim.account(json!({"onboarding_status": "ELIGIBLE"})).await;
    let second = sim
        .account(json!({"onboarding_status": "ELIGIBLE", "business_id": first.business}))
        .await;
    let ineligible = sim
        .account(json!({
            "onboarding_status": "INELIGIBLE_USING_WHATSAPP_BUSINESS_APP",
            "business_id": first.business,
        }))
        .await;
    assert_eq!(second.business, first.business);
    let delay = Duration::from_millis(1500);
    sim.set_onboarding(&first.business, json!({"sign_delay_ms": 1500}))
        .await;
    let token = sim.partner_token(None).await;

    let asked = Instant::now();
    let created = sim.onboard(Some(&token), &first.business, None).await;
    assert_eq!(created.status, 200, "{}", created.body);
    let deadline = asked + Duration::from_secs(10);
    for account in [&first, &second] {
        loop {
            let status = sim.status_of(account).await;
            if status == "ONBOARDED" {
                assert!(
                    asked.elapsed() >= delay,
                    "ONBOARDED after {:?}, before the 1.5 s sign delay",
                    asked.elapsed()
                );
                break;
            }
            assert_eq!(status, "ELIGIBLE");
            assert!(Instant::now() < deadline, "not ONBOARDED 10 s after asking");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    assert_eq!(
        sim.status_of(&ineligible).await,
        "INELIGIBLE_USING_WHATSAPP_BUSINESS_APP"
    );

    // One delivery per eligible WABA, signed (the portal's /webhooks/meta stores only
    // deliveries whose X-Hub-Signature-256 verifies), addressed to the partner.
    for account in [&first, &second] {
        let delivered = loop {
            let found = sim.terms_signed_deliveries(&account.waba).await;
            if !found.is_empty() {
                break found;
            }
            assert!(Instant::now() < deadline, "no webhook for {}", account.waba);
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        let entry = &delivered[0]["entry"][0];
        assert_eq!(delivered[0]["object"], "whatsapp_business_account");
        assert_eq!(entry["id"], SANDBOX_PARTNER_BUSINESS_ID);
        assert_eq!(entry["changes"][0]["field"], "account_update");
        assert_eq!(
            entry["changes"][0]["value"]["waba_info"],
            json!({"waba_id": account.waba, "owner_business_id": first.business})
        );
    }
    // The listing agrees, and nothing was sent twice.
    let filter = r#"[{"field":"marketing_messages_onboarding_status","operator":"IN","value":["ONBOARDED"]}]"#;
    let page = sim.client_wabas(&token, &[("filtering", filter)]).await;
    let mut expected = vec![first.waba.clone(), second.waba.clone()];
    expected.sort();
    assert_eq!(ids(&page.body), expected);
    tokio::time::sleep(Duration::from_millis(500)).await;
    for account in [&first, &second] {
        assert_eq!(sim.terms_signed_deliveries(&account.waba).await.len(), 1);
    }
    assert!(sim
        .terms_signed_deliveries(&ineligible.waba)
        .await
        .is_empty());
    sim.portal.shutdown().await;
}

#[tokio::test]
async fn a_client_businesss_bisuat_is_fetched_with_a_proof() {
    let sim = Sim::start().await;
    let account = sim.account(json!({})).await;
    let token = sim.partner_token(None).await;
    let path = format!("{}/system_user_access_tokens", account.business);

    let fetched = sim
        .call(
            Method::POST,
            &path,
            Some(&token),
            &[("fetch_only", "true")],
            None,
        )
        .await;
    assert_eq!(fetched.status, 200, "{}", fetched.body);
    let bisuat = fetched.body["access_token"].as_str().unwrap().to_string();
    assert_eq!(fetched.body, json!({ "access_token": bisuat }));
    assert_ne!(bisuat, account.token);
    // fetch_only: the same token again.
    let again = sim
        .call(
            Method::POST,
            &path,
            Some(&token),
            &[("fetch_only", "true")],
            None,
        )
        .await;
    assert_eq!(again.body["access_token"], bisuat.as_str());

    // The BISUAT works on the client's WABA, and debug_token describes it.
    let read = sim
        .call(
            Method::GET,
            &account.waba,
            Some(&bisuat),
            &[("fields", "id,name")],
            None,
        )
        .await;
    assert_eq!(read.status, 200, "{}", read.body);
    assert_eq!(read.body["id"], account.waba.as_str());
    let app_token = format!("{}|{}", sim.app_id, sim.secret.expose_secret());
    let debug = sim
        .call(
            Method::GET,
            "debug_token",
            None,
            &[("input_token", &bisuat), ("access_token", &app_token)],
            None,
        )
        .await;
    assert_eq!(debug.body["data"]["is_valid"], true, "{}", debug.body);
    assert_eq!(debug.body["data"]["type"], "SYSTEM_USER");
    let targets = &debug.body["data"]["granular_scopes"][0]["target_ids"];
    assert!(
        targets
            .as_array()
            .unwrap()
            .contains(&json!(account.waba.as_str())),
        "{targets}"
    );

    // The proof is required, and must match.
    let url = sim.graph(&path);
    let request = sim
        .client
        .post(&url)
        .query(&[("fetch_only", "true"), ("access_token", token.as_str())]);
    let no_proof = sim.send(request, "POST", &url).await;
    assert_eq!(no_proof.status, 400);
    let body = no_proof.body;
    assert_eq!(body["error"]["code"], 100);
    assert_eq!(
        body["error"]["message"],
        "API calls from the server require an appsecret_proof argument"
    );
    let request = sim.client.post(&url).query(&[
        ("fetch_only", "true"),
        ("access_token", token.as_str()),
        ("appsecret_proof", &"0".repeat(64)),
    ]);
    let body = sim.send(request, "POST", &url).await.body;
    assert_eq!(
        body["error"]["message"],
        "Invalid appsecret_proof provided in the API argument"
    );

    // Unknown business, the partner itself, no fetch_only, a token without
    // business_management.
    let unknown = sim
        .call(
            Method::POST,
            "123456789012345/system_user_access_tokens",
            Some(&token),
            &[("fetch_only", "true")],
            None,
        )
        .await;
    assert_eq!(
        (
            unknown.status,
            unknown.error().code,
            unknown.error().error_subcode
        ),
        (400, 100, Some(33))
    );
    assert!(unknown
        .error()
        .message
        .starts_with("Unsupported post request. Object with ID '123456789012345'"));
    let partner = format!("{SANDBOX_PARTNER_BUSINESS_ID}/system_user_access_tokens");
    let own = sim
        .call(
            Method::POST,
            &partner,
            Some(&token),
            &[("fetch_only", "true")],
            None,
        )
        .await;
    assert_eq!(own.error().error_subcode, Some(33));
    let no_fetch = sim.call(Method::POST, &path, Some(&token), &[], None).await;
    assert_eq!(
        no_fetch.error().message,
        "(#100) fetch_only must be true: the simulator only fetches existing tokens"
    );
    let client = sim
        .call(
            Method::POST,
            &path,
            Some(&account.token),
            &[("fetch_only", "true")],
            None,
        )
        .await;
    assert_eq!(
        client.error_tuple(),
        (
            403,
            "OAuthException".into(),
            200,
            None,
            "(#200) Requires business_management permission to manage the object".into()
        )
    );
    sim.portal.shutdown().await;
}

#[tokio::test]
async fn tester_onboarding_settings_need_a_known_business() {
    let sim = Sim::start().await;
    let (status, body) = sim
        .tester(
            "businesses/123456789012345/mm-onboarding",
            json!({"sign_delay_ms": 5}),
        )
        .await;
    assert_eq!(
        (status, &body),
        (404, &json!({"error": "no such business"}))
    );
    let (status, body) = sim
        .tester("partner-token", json!({"scopes": ["", "x"]}))
        .await;
    assert_eq!(status, 400, "{body}");
    sim.portal.shutdown().await;
}
