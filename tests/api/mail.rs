//! Mail to business admins against a real SMTP server on 127.0.0.1 (scripts/smtp-sink.py,
//! started by scripts/test.sh; `TEST_SMTP_URL`, `TEST_MAILDIR`), on both engines: the status
//! link right after the signup and "ready" once Meta confirms the terms, in the admin's
//! language, each once; unsubscribing stops the rest; a refused recipient fails for good; a
//! bad address is refused before the code is used; without SMTP the sandbox catches mail.

use std::path::PathBuf;

use mm_portal::db::{MailStore, NewMail, SignupStore};
use serde_json::Value;

use crate::signup_links::server_fn;
use crate::support::{self, eventually_some, on_both_engines, SandboxPortal, StaffClient};
use mm_portal::db::Role;

fn smtp_url() -> String {
    std::env::var("TEST_SMTP_URL").unwrap_or_else(|_| {
        panic!("TEST_SMTP_URL is not set: run scripts/test.sh (it starts the test SMTP server)")
    })
}

fn maildir() -> PathBuf {
    PathBuf::from(std::env::var("TEST_MAILDIR").expect("TEST_MAILDIR is set with TEST_SMTP_URL"))
}

/// A message with its quoted-printable parts decoded (soft line breaks joined, `=XX` bytes
/// restored), as a mail program shows it.
fn decoded(raw: &str) -> String {
    let joined = raw.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied(),
            bytes.get(i + 2).copied(),
        ) {
            (b'=', Some(a), Some(b)) if hex(a).is_some() && hex(b).is_some() => {
                out.push((hex(a).unwrap() * 16 + hex(b).unwrap()) as u8);
                i += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Every message the SMTP server kept for `recipient`, oldest first, decoded.
fn received_by(recipient: &str) -> Vec<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(maildir())
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .map(|m| decoded(&m))
        .filter(|m| {
            m.lines()
                .next()
                .is_some_and(|first| first.contains(recipient))
        })
        .collect()
}

fn unique_address(prefix: &str) -> String {
    format!("{prefix}-{}@shop.test", uuid::Uuid::new_v4().simple())
}

/// A signup completed on the public server functions with `email`, the page in `lang`: its
/// status key.
async fn signup_with_email(portal: &SandboxPortal, email: &str, lang: &str) -> (u16, String) {
    let http = reqwest::Client::new();
    let base = portal.portal.url.as_str();
    let call = |name: &str, form: Vec<(&str, String)>| {
        http.post(format!("{base}api/{name}"))
            .header("accept-language", lang)
            .form(&form)
            .send()
    };
    let nonce: String = call("signup_start", vec![])
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let created = support::sandbox_signup(base, "Tienda Mail", "+52 55 5555 0101").await;
    let code = created["code"].as_str().unwrap().to_string();
    let response = call(
        "signup_complete",
        vec![
            ("nonce", nonce),
            ("code", code),
            ("email", email.to_string()),
        ],
    )
    .await
    .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn outbox(portal: &SandboxPortal) -> Vec<Value> {
    let body: Value = reqwest::get(format!("{}sandbox/api/mail", portal.portal.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["data"].as_array().cloned().unwrap_or_default()
}

fn header<'a>(message: &'a str, name: &str) -> Option<&'a str> {
    message
        .lines()
        .take_while(|l| !l.is_empty() && *l != "\r")
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .map(str::trim)
}

// Long on purpose: one admin's mail from the signup to the unsubscribe.
async fn an_admin_gets_the_status_link_and_ready_in_their_language(engine: &str) {
    let smtp = smtp_url();
    let portal = support::sandbox_portal_on_with(engine, &["--smtp-url", &smtp]).await;
    let email = unique_address("admin");
    let (status, answer) = signup_with_email(&portal, &email, "es-MX,es;q=0.9").await;
    assert_eq!(status, 200, "{answer}");
    let key: String = serde_json::from_str(&answer).unwrap();

    // Both mails reach the SMTP server: the status link, then "ready" once Meta's terms
    // webhook has arrived (the simulator sends it after the signup).
    let mails = eventually_some(|| async {
        let mails = received_by(&email);
        (mails.len() >= 2).then_some(mails)
    })
    .await;
    let es = |key: &str, args: &[(&str, &str)]| app::i18n::t_args(app::i18n::Lang::Es, key, args);
    let link = mails
        .iter()
        .find(|m| {
            m.contains(&format!("/status/{key}?lang=es"))
                && m.contains(&es("mail-status-link-keep", &[]))
        })
        .unwrap_or_else(|| panic!("no status-link mail in Spanish: {mails:#?}"));
    assert_eq!(
        header(link, "Subject").map(|s| s.contains("=?utf-8?") || s.contains("Sandbox Partner")),
        Some(true),
        "{link}"
    );
    assert!(
        header(link, "List-Unsubscribe")
            .is_some_and(|v| v.contains(&format!("/mail/unsubscribe/{key}"))),
        "{link}"
    );
    assert_eq!(
        header(link, "List-Unsubscribe-Post"),
        Some("List-Unsubscribe=One-Click")
    );
    assert!(link.contains("Content-Type: text/html"), "an HTML part too");
    let ready = mails
        .iter()
        .find(|m| m.contains(&es("mail-ready-status", &[])))
        .unwrap_or_else(|| panic!("no ready mail: {mails:#?}"));
    assert!(ready.contains("Tienda Mail"), "the account's name: {ready}");

    // The outbox says sent, once each: reading the events again queues nothing new.
    let sent: Vec<Value> = outbox(&portal)
        .await
        .into_iter()
        .filter(|m| m["recipient"] == email.as_str())
        .collect();
    let kinds: Vec<&str> = sent.iter().filter_map(|m| m["kind"].as_str()).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "status_link").count(),
        1,
        "{sent:?}"
    );
    assert_eq!(
        kinds.iter().filter(|k| **k == "ready").count(),
        1,
        "{sent:?}"
    );
    assert!(
        sent.iter()
            .all(|m| m["state"] == "sent" && m["lang"] == "es"),
        "{sent:?}"
    );

    // Unsubscribing (a mail program's one-click POST) stops every later mail.
    let page = reqwest::Client::new()
        .post(format!("{}mail/unsubscribe/{key}", portal.portal.url))
        .form(&[("List-Unsubscribe", "One-Click")])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("lang=\"es\""), "{page}");
    assert!(page.contains(&es("unsubscribe-heading", &[])), "{page}");
    let store = portal.portal.database.store.clone();
    let signup = store.signup_by_status_key(&key).await.unwrap().unwrap();
    assert_eq!(store.mail_contact(signup.id).await.unwrap(), None);
    let unknown = reqwest::Client::new()
        .post(format!("{}mail/unsubscribe/not-a-key", portal.portal.url))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    portal.portal.shutdown().await;
}

async fn a_refused_recipient_fails_for_good_and_says_why(engine: &str) {
    let smtp = smtp_url();
    let portal = support::sandbox_portal_on_with(engine, &["--smtp-url", &smtp]).await;
    let email = unique_address("bounce");
    let (status, answer) = signup_with_email(&portal, &email, "en").await;
    assert_eq!(status, 200, "{answer}");
    let failed = eventually_some(|| async {
        outbox(&portal)
            .await
            .into_iter()
            .find(|m| m["recipient"] == email.as_str() && m["state"] == "failed")
    })
    .await;
    let error = failed["error"].as_str().unwrap_or_default();
    assert!(error.contains("SMTP 550"), "{failed}");
    assert!(
        !error.contains("127.0.0.1"),
        "no server address in the reason: {error}"
    );
    assert!(received_by(&email).is_empty());
    portal.portal.shutdown().await;
}

async fn the_same_mail_is_queued_once(engine: &str) {
    let portal = support::sandbox_portal_on(engine).await;
    let store = portal.portal.database.store.clone();
    let mail = NewMail {
        kind: "ready".into(),
        signup_id: None,
        recipient: "once@shop.test".into(),
        lang: "en".into(),
        subject: "s".into(),
        text_body: "t".into(),
        html_body: "<p>t</p>".into(),
        dedupe_key: format!("ready:test:{}", uuid::Uuid::new_v4()),
    };
    assert!(store.mail_queue(&mail, 1).await.unwrap().is_some());
    assert_eq!(store.mail_queue(&mail, 2).await.unwrap(), None);
    let queued = store.mail_recent(10).await.unwrap();
    assert_eq!(
        queued
            .iter()
            .filter(|m| m.recipient == "once@shop.test")
            .count(),
        1
    );
    portal.portal.shutdown().await;
}

// Long on purpose: three staff members, one stopped step, who hears of it.
async fn staff_with_alerts_on_hear_of_a_stopped_step(engine: &str) {
    let smtp = smtp_url();
    let portal = support::sandbox_portal_on_with(engine, &["--smtp-url", &smtp]).await;
    let base = portal.portal.url.to_string();
    let (on, off, viewer) = (
        unique_address("ops-on"),
        unique_address("ops-off"),
        unique_address("viewer"),
    );
    support::create_staff(&portal, &on, Role::Operator).await;
    support::create_staff(&portal, &off, Role::Admin).await;
    support::create_staff(&portal, &viewer, Role::Viewer).await;
    // The admin turns alerts off on My account (the form sends no `alerts` when unticked).
    let admin = StaffClient::sign_in(&base, &off).await;
    let (status, body) = admin.post("api/set_mail_alerts", &[]).await;
    assert_eq!((status, body.as_str()), (200, "false"));
    let (status, body) = admin.post("api/account_info", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["mail_alerts"],
        false
    );

    // Meta refuses the webhook subscription for good: the pipeline stops.
    reqwest::Client::new()
        .post(format!("{base}sandbox/api/faults"))
        .json(&serde_json::json!({"operation": "subscribe", "kind": "permanent", "count": 1}))
        .send()
        .await
        .unwrap();
    let (status, answer) = signup_with_email(&portal, &unique_address("biz"), "en").await;
    assert_eq!(status, 200, "{answer}");
    let alert = eventually_some(|| async { received_by(&on).into_iter().next() }).await;
    assert!(alert.contains("needs attention"), "{alert}");
    assert!(alert.contains("stopped"), "{alert}");
    assert!(alert.contains("Graph error"), "{alert}");
    assert!(alert.contains("/wabas?q="), "{alert}");
    // Nobody else: the admin turned them off, viewers get none.
    let outbox = outbox(&portal).await;
    for quiet in [&off, &viewer] {
        assert!(
            outbox.iter().all(|m| m["recipient"] != quiet.as_str()),
            "{quiet} got mail: {outbox:?}"
        );
    }
    portal.portal.shutdown().await;
}

on_both_engines!(
    staff_with_alerts_on_hear_of_a_stopped_step,
    an_admin_gets_the_status_link_and_ready_in_their_language,
    a_refused_recipient_fails_for_good_and_says_why,
    the_same_mail_is_queued_once,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_smtp_the_sandbox_catches_mail_and_shows_it() {
    let portal = support::sandbox_portal().await;
    let email = unique_address("caught");
    let (status, answer) = signup_with_email(&portal, &email, "pt-BR").await;
    assert_eq!(status, 200, "{answer}");
    let caught = eventually_some(|| async {
        outbox(&portal)
            .await
            .into_iter()
            .find(|m| m["recipient"] == email.as_str() && m["kind"] == "status_link")
            .filter(|m| m["state"] == "caught")
    })
    .await;
    assert_eq!(caught["lang"], "pt-BR");
    let page = reqwest::get(format!("{}sandbox/mail", portal.portal.url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&email), "the outbox page lists it");
    assert!(page.contains(caught["subject"].as_str().unwrap()));
    portal.portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_email_is_refused_before_the_code_is_used() {
    let portal = support::sandbox_portal().await;
    let (_, nonce) = server_fn(&portal, "signup_start", &[]).await;
    let nonce: String = serde_json::from_str(&nonce).unwrap();
    let created =
        support::sandbox_signup(portal.portal.url.as_str(), "Bad Mail", "+55 11 95555 0199").await;
    let code = created["code"].as_str().unwrap();
    let (status, body) = server_fn(
        &portal,
        "signup_complete",
        &[
            ("nonce", &nonce),
            ("code", code),
            ("email", "not an <email>"),
        ],
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("email address does not look right"), "{body}");
    // The session and the code are still good: the corrected address goes through.
    let (status, body) = server_fn(
        &portal,
        "signup_complete",
        &[
            ("nonce", &nonce),
            ("code", code),
            ("email", "fixed@shop.test"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    portal.portal.shutdown().await;
}
