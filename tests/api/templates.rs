//! Message templates on both engines, end to end over real HTTP (docs/meta/templates.md): the
//! pipeline lists a new WABA's templates from the simulator, every page of them; the status
//! and category webhooks keep them current; and the test send refuses, with the reason and
//! before any Graph call, a template that is not marketing, not approved, still in Meta's
//! 10-minute ad sync, or unknown.

use std::sync::Arc;

use app::api_keys::port::Scope;
use mm_portal::db::{SignupStore, Template, TemplateSeen, TemplateStore, WabaStore};
use mm_portal::graph::GraphClient;
use mm_portal::operations::send::{TestSend, TestSender};
use mm_portal::templates::readiness::refusal;
use serde_json::{json, Value};

use crate::signup_links::{complete, make_link, sandbox_code, start, token};
use crate::support::{self, eventually_some, on_both_engines, SandboxPortal};

async fn tester(portal: &SandboxPortal, path: &str, body: Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}sandbox/api/{path}", portal.portal.url))
        .json(&body)
        .send()
        .await
        .unwrap();
    (
        response.status().as_u16(),
        response.json().await.unwrap_or(Value::Null),
    )
}

async fn templates(portal: &SandboxPortal, waba: i64) -> Vec<Template> {
    portal
        .portal
        .database
        .store
        .templates_for_waba(waba)
        .await
        .unwrap()
        .1
}

/// Waits until `check` holds for the template `name`.
async fn template_becomes(
    portal: &SandboxPortal,
    waba: i64,
    name: &str,
    check: impl Fn(&Template) -> bool,
) -> Template {
    eventually_some(|| async {
        templates(portal, waba)
            .await
            .into_iter()
            .find(|t| t.name == name && check(t))
    })
    .await
}

fn send(template: &str, language: &str) -> TestSend {
    TestSend {
        to: "+55 11 98888 7777".into(),
        template: template.into(),
        language: language.into(),
        ttl_seconds: None,
        activity_sharing: true,
        product_policy: None,
    }
}

// Long on purpose: one WABA's templates through listing, webhooks and the test send.
async fn templates_are_listed_followed_and_guard_the_test_send(engine: &str) {
    let portal = support::sandbox_portal_on(engine).await;
    let key = support::api_key(&portal, &[Scope::SignupsWrite]).await;
    let (_, link) = make_link(&portal, &key, json!({"customer_id": "crm-tpl"})).await;
    let (_, nonce) = start(&portal, &token(&link)).await;
    let code = sandbox_code(&portal, "Template Tailors").await;
    let (status, answer) = complete(&portal, &nonce, &code).await;
    assert_eq!(status, 200, "{answer}");
    let store = portal.portal.database.store.clone();
    let status_key: String = serde_json::from_str(&answer).unwrap();

    // The pipeline lists the new WABA's five templates; on this first listing they are
    // taken as synced already.
    let (waba, listed) = eventually_some(|| async {
        let signup = store.signup_by_status_key(&status_key).await.ok()??;
        let waba = signup.waba_id?;
        let (synced, listed) = store.templates_for_waba(waba).await.ok()?;
        synced.is_some().then_some((waba, listed))
    })
    .await;
    assert_eq!(listed.len(), 5, "{listed:?}");
    let now = mm_portal::db::now_millis();
    let by_name = |name: &str| listed.iter().find(|t| t.name == name).unwrap().clone();
    assert_eq!(refusal(&by_name("marketing_text_no_param"), now), None);
    assert!(refusal(&by_name("order_update"), now)
        .unwrap()
        .contains("utility"));
    assert!(refusal(&by_name("new_arrivals"), now)
        .unwrap()
        .starts_with("pending"));

    // A template created now is approved by webhook and syncs for 10 minutes.
    let meta_waba = store.waba_by_id(waba).await.unwrap().unwrap().meta_waba_id;
    let (status, created) = tester(
        &portal,
        &format!("wabas/{meta_waba}/templates"),
        json!({"name": "flash_sale"}),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let flash = template_becomes(&portal, waba, "flash_sale", |_| true).await;
    assert!(
        flash.ready_at >= now + 9 * 60 * 1000,
        "syncs for 10 minutes"
    );
    assert!(refusal(&flash, mm_portal::db::now_millis())
        .unwrap()
        .contains("syncing"));
    let (status, _) = tester(&portal, "wabas/000/templates", json!({"name": "Bad Name!"})).await;
    assert_eq!(status, 400, "Meta's name rule");

    // Status and category webhooks.
    let spring = by_name("spring_sale").meta_template_id;
    assert_eq!(
        tester(
            &portal,
            &format!("templates/{spring}/status"),
            json!({"event": "PAUSED"})
        )
        .await
        .0,
        202
    );
    template_becomes(&portal, waba, "spring_sale", |t| t.status == "PAUSED").await;
    let text = by_name("marketing_text_no_param").meta_template_id;
    assert_eq!(
        tester(
            &portal,
            &format!("templates/{text}/category"),
            json!({"correct_category": "UTILITY"}),
        )
        .await
        .0,
        202
    );
    let noticed = template_becomes(&portal, waba, "marketing_text_no_param", |t| {
        t.correct_category.is_some()
    })
    .await;
    assert_eq!(
        noticed.category, "MARKETING",
        "a notice leaves the category as it is"
    );
    assert_eq!(noticed.correct_category.as_deref(), Some("UTILITY"));
    let order = by_name("order_update").meta_template_id;
    tester(
        &portal,
        &format!("templates/{order}/category"),
        json!({"new_category": "MARKETING"}),
    )
    .await;
    let moved =
        template_becomes(&portal, waba, "order_update", |t| t.category == "MARKETING").await;
    assert_eq!(refusal(&moved, mm_portal::db::now_millis()), None);

    // The test send refuses before calling Meta, with the reason; a ready one goes.
    let config = support::sandbox_config(portal.dir.path(), &[]);
    let sender = TestSender {
        graph: GraphClient::new(
            portal.portal.url.join("sandbox/graph/").unwrap(),
            "v23.0",
            &portal.app_id,
            Arc::new(portal.app_secret.clone()),
        ),
        repo: store.clone(),
        keys: config.keys.clone(),
    };
    let account = store.waba_by_id(waba).await.unwrap().unwrap();
    let refused = |name: &str, language: &str| {
        let (sender, account) = (&sender, &account);
        let request = send(name, language);
        async move { sender.send(account, &request, "test").await.unwrap_err() }
    };
    assert!(refused("flash_sale", "en_US").await.contains("syncing"));
    assert!(refused("spring_sale", "en_US").await.contains("paused"));
    assert!(refused("new_arrivals", "en_US").await.contains("pending"));
    assert!(refused("no_such_template", "en_US")
        .await
        .contains("no template named"));
    assert!(refused("order_update", "pt_BR")
        .await
        .contains("en_US only"));
    // Ready, and the number is registered once the pipeline has run.
    let sent = eventually_some(|| async {
        sender
            .send(&account, &send("order_update", "en_US"), "test")
            .await
            .ok()
    })
    .await;
    assert!(sent.contains("wamid."), "{sent}");

    // A complete listing marks what Meta no longer lists as deleted.
    let keep: Vec<TemplateSeen> = templates(&portal, waba)
        .await
        .into_iter()
        .filter(|t| t.name != "new_arrivals")
        .map(|t| TemplateSeen {
            meta_template_id: t.meta_template_id,
            name: t.name,
            language: t.language,
            category: t.category,
            status: t.status,
        })
        .collect();
    store
        .templates_sync(waba, &keep, mm_portal::db::now_millis() + 1)
        .await
        .unwrap();
    let gone = templates(&portal, waba)
        .await
        .into_iter()
        .find(|t| t.name == "new_arrivals")
        .unwrap();
    assert_eq!(gone.status, "DELETED");
}

/// More templates than one page of 100: the listing follows Graph's cursors to the end.
async fn a_listing_follows_every_page(engine: &str) {
    let portal = support::sandbox_portal_on(engine).await;
    let created = support::sandbox_signup(
        portal.portal.url.as_str(),
        "Paged Pens",
        "+55 11 95555 0102",
    )
    .await;
    let meta_waba = created["waba_id"].as_str().unwrap().to_string();
    for n in 0..120 {
        let (status, body) = tester(
            &portal,
            &format!("wabas/{meta_waba}/templates"),
            json!({"name": format!("promo_{n:03}"), "status": "PENDING"}),
        )
        .await;
        assert_eq!(status, 201, "{body}");
    }
    let (_, nonce) = {
        let (status, body) = crate::signup_links::server_fn(&portal, "signup_start", &[]).await;
        (status, serde_json::from_str::<String>(&body).unwrap())
    };
    let (status, answer) = complete(&portal, &nonce, created["code"].as_str().unwrap()).await;
    assert_eq!(status, 200, "{answer}");
    let store = portal.portal.database.store.clone();
    let count = eventually_some(|| async {
        let waba = store.waba_by_meta_id(&meta_waba).await.ok()??;
        let (synced, listed) = store.templates_for_waba(waba.id).await.ok()?;
        synced.map(|_| listed.len())
    })
    .await;
    assert_eq!(count, 125, "5 defaults and 120 more, over two pages");
}

on_both_engines!(
    templates_are_listed_followed_and_guard_the_test_send,
    a_listing_follows_every_page
);
