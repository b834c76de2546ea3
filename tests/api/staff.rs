//! Staff sessions, roles, the CSV export and the parked-webhook replay over real HTTP, against
//! an in-process sandbox portal.

use crate::support;
use mm_portal::db::prelude::*;

use mm_portal::db::Role;
use secrecy::ExposeSecret;

use crate::support::{create_staff as create, StaffClient as Staff};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_roles_export_and_replay() {
    let portal = support::sandbox_portal().await;
    let base = portal.portal.url.to_string();
    create(&portal, "op@partner.test", Role::Operator).await;
    create(&portal, "view@partner.test", Role::Viewer).await;
    let operator = Staff::sign_in(&base, "op@partner.test").await;
    let viewer = Staff::sign_in(&base, "view@partner.test").await;
    assert_ne!(operator.cookie, viewer.cookie);

    let (status, who) = operator.post("api/whoami", &[]).await;
    assert_eq!(status, 200);
    assert!(who.contains("\"role\":\"operator\""), "{who}");

    // CSV: staff only, the whole filtered set, streamed in batches (2,500 rows > 2 batches).
    mm_portal::seed::seed(portal.portal.database.store.as_ref(), 2500, |_| {})
        .await
        .unwrap();
    let anonymous = reqwest::get(format!("{base}wabas.csv")).await.unwrap();
    assert_eq!(anonymous.status(), 401);
    let csv = viewer.get("wabas.csv").await;
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let body = csv.text().await.unwrap();
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines.len(), 2501, "header + every WABA");
    assert!(lines[0].starts_with("waba_id,waba_name,business_name,phone,onboarding_status"));
    let filtered = viewer
        .get("wabas.csv?status=ONBOARDED")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(filtered.lines().count(), 1 + 750);
    assert!(filtered.lines().skip(1).all(|l| l.contains(",ONBOARDED,")));
    // The page's other filters and orders apply to the export too (customers 15–17, 45–47, …
    // are in Germany; every 7th number is a coexistence one).
    let german = viewer
        .get("wabas.csv?country=de&coexistence=yes&sort=name")
        .await
        .text()
        .await
        .unwrap();
    let rows: Vec<&str> = german.lines().skip(1).collect();
    assert!(!rows.is_empty() && rows.len() < 100, "{}", rows.len());
    assert!(rows.iter().all(|l| l.contains(",DE,true,")), "{german}");
    let refused = viewer.get("wabas.csv?from=31/12/2026").await;
    assert_eq!(refused.status(), 400);
    let message = refused.text().await.unwrap();
    assert!(message.contains("YYYY-MM-DD"), "{message}");

    // A parked delivery: viewers see it but cannot replay it; operators can.
    let repo = portal.portal.database.store.clone();
    let ids = repo
        .insert_webhooks(
            &[b"{\"object\":\"whatsapp_business_account\",\"entry\":"],
            0,
        )
        .await
        .unwrap();
    for _ in 0..100 {
        if !repo.parked_webhooks(10).await.unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let (status, parked) = viewer.post("api/parked_webhooks", &[]).await;
    assert_eq!(status, 200);
    assert!(parked.contains("not JSON"), "{parked}");
    let id = ids[0].to_string();
    let (status, refused) = viewer.post("api/replay_webhook", &[("id", &id)]).await;
    assert_eq!(
        (status, refused.contains("Forbidden")),
        (403, true),
        "{refused}"
    );
    let (status, replayed) = operator.post("api/replay_webhook", &[("id", &id)]).await;
    assert_eq!(status, 200, "{replayed}");
    assert!(replayed.contains("back in the processing queue"));
    let audit = repo.list_audit(None, 50).await.unwrap();
    assert!(audit
        .iter()
        .any(|e| e.action == "webhook.replay" && e.actor == "op@partner.test"));
    assert!(audit.iter().any(|e| e.action == "wabas.export_csv"));

    // A forged cross-site post with the cookie is refused before it reaches the handler.
    let forged = operator
        .http
        .post(format!("{base}api/replay_webhook"))
        .header("cookie", &operator.cookie)
        .header("origin", "https://evil.example")
        .form(&[("id", id.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);

    // Signing out ends the session on the server: the old cookie is worthless.
    let (status, _) = operator.post("auth/logout", &[]).await;
    assert_eq!(status, 303);
    let (status, who) = operator.post("api/whoami", &[]).await;
    assert_eq!((status, who.as_str()), (200, "null"));
    let (status, _) = operator.post("api/parked_webhooks", &[]).await;
    assert_eq!(status, 401);
    portal.portal.shutdown().await;
}

/// The JSON string a server function answered with.
fn text(body: &str) -> String {
    serde_json::from_str(body).unwrap_or_else(|_| panic!("not a JSON string: {body}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_manage_staff_accounts_and_only_admins() {
    let portal = support::sandbox_portal().await;
    let base = portal.portal.url.to_string();
    create(&portal, "boss@partner.test", Role::Admin).await;
    create(&portal, "op@partner.test", Role::Operator).await;
    let admin = Staff::sign_in(&base, "boss@partner.test").await;
    let operator = Staff::sign_in(&base, "op@partner.test").await;

    // Operators cannot see or create accounts, whatever the UI shows.
    let (status, _) = operator.post("api/staff_accounts", &[]).await;
    assert_eq!(status, 403);
    let (status, _) = operator
        .post(
            "api/create_staff",
            &[
                ("email", "x@partner.test"),
                ("name", "X"),
                ("role", "admin"),
            ],
        )
        .await;
    assert_eq!(status, 403);

    // An admin creates a viewer, who signs in with the initial password shown once.
    let (status, body) = admin
        .post(
            "api/create_staff",
            &[
                ("email", " New.Viewer@Partner.test "),
                ("name", "New Viewer"),
                ("role", "viewer"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let password = text(&body);
    assert!(password.len() >= 20, "{password}");
    let viewer = Staff::sign_in_with(&base, "new.viewer@partner.test", &password).await;
    let (status, who) = viewer.post("api/whoami", &[]).await;
    assert_eq!(status, 200);
    assert!(who.contains("\"role\":\"viewer\""), "{who}");
    let (status, body) = admin
        .post(
            "api/create_staff",
            &[
                ("email", "new.viewer@partner.test"),
                ("name", ""),
                ("role", "viewer"),
            ],
        )
        .await;
    assert_eq!(status, 400);
    assert!(body.contains("exists already"), "{body}");
    let (status, body) = admin
        .post(
            "api/create_staff",
            &[("email", "not-an-email"), ("name", ""), ("role", "viewer")],
        )
        .await;
    assert_eq!(status, 400);
    assert!(body.contains("not an email address"), "{body}");
    let (status, _) = admin
        .post(
            "api/create_staff",
            &[("email", "a@b.test"), ("name", ""), ("role", "owner")],
        )
        .await;
    assert_eq!(status, 400);

    // The list shows every account, never a hash.
    let (status, list) = admin.post("api/staff_accounts", &[]).await;
    assert_eq!(status, 200);
    assert!(list.contains("new.viewer@partner.test"), "{list}");
    assert!(!list.contains("argon2"), "{list}");
    let accounts: Vec<serde_json::Value> = serde_json::from_str(&list).unwrap();
    let id_of = |email: &str| {
        accounts
            .iter()
            .find(|a| a["email"] == email)
            .map(|a| a["id"].as_i64().unwrap().to_string())
            .unwrap()
    };
    let (viewer_id, boss_id) = (id_of("new.viewer@partner.test"), id_of("boss@partner.test"));

    // Disabling an account signs it out at its next request.
    let (status, body) = admin
        .post(
            "api/set_staff_access",
            &[("id", &viewer_id), ("role", "viewer"), ("disabled", "true")],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, who) = viewer.post("api/whoami", &[]).await;
    assert_eq!(who, "null", "a disabled account is nobody");
    // The last enabled admin can neither be demoted nor disable themselves.
    let (status, body) = admin
        .post(
            "api/set_staff_access",
            &[
                ("id", &boss_id),
                ("role", "operator"),
                ("disabled", "false"),
            ],
        )
        .await;
    assert_eq!(status, 400);
    assert!(body.contains("At least one enabled admin"), "{body}");
    let (status, body) = admin
        .post(
            "api/set_staff_access",
            &[("id", &boss_id), ("role", "admin"), ("disabled", "true")],
        )
        .await;
    assert_eq!(status, 400);
    assert!(body.contains("your own account"), "{body}");

    // A password reset replaces the old password.
    let (status, body) = admin
        .post(
            "api/reset_staff_password",
            &[("id", &id_of("op@partner.test"))],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let fresh = text(&body);
    let refused = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{base}auth/login"))
        .header("origin", base.trim_end_matches('/'))
        .form(&[
            ("email", "op@partner.test"),
            ("password", support::STAFF_PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    let location = refused
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string());
    assert!(
        location.as_deref().is_none_or(|l| l.starts_with("/login")),
        "the old password no longer works: {location:?}"
    );
    Staff::sign_in_with(&base, "op@partner.test", &fresh).await;

    // Every change is in the audit log, without any password.
    let audit = portal
        .portal
        .database
        .store
        .list_audit(None, 100)
        .await
        .unwrap();
    for action in ["staff.create", "staff.access", "staff.reset_password"] {
        assert!(audit.iter().any(|e| e.action == action), "{action}");
    }
    let logged = format!("{audit:?}");
    assert!(!logged.contains(&password) && !logged.contains(&fresh));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_webhook_verify_token_rotates_with_a_grace_period() {
    let portal = support::sandbox_portal().await;
    let base = portal.portal.url.to_string();
    create(&portal, "boss@partner.test", Role::Admin).await;
    create(&portal, "op@partner.test", Role::Operator).await;
    let admin = Staff::sign_in(&base, "boss@partner.test").await;
    let operator = Staff::sign_in(&base, "op@partner.test").await;
    let handshake = |token: String| {
        let base = base.clone();
        async move {
            let url = format!(
                "{base}webhooks/meta?hub.mode=subscribe&hub.verify_token={token}&hub.challenge=4242"
            );
            let response = reqwest::get(url).await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let configured = portal.verify_token.expose_secret().to_string();
    assert_eq!(
        handshake(configured.clone()).await,
        (200, "4242".to_string())
    );

    let (status, _) = operator.post("api/rotate_webhook_token", &[]).await;
    assert_eq!(status, 403);
    let (status, body) = admin.post("api/rotate_webhook_token", &[]).await;
    assert_eq!(status, 200, "{body}");
    let fresh = text(&body);
    assert_ne!(fresh, configured);
    let (_, state) = admin.post("api/webhook_token", &[]).await;
    assert!(state.contains("\"last_verified_at\":null"), "{state}");
    assert!(state.contains("/webhooks/meta"), "{state}");
    assert!(
        !state.contains(&fresh),
        "the token is shown once, not in the status"
    );

    // The previous token keeps working during the grace period; a wrong one never does.
    assert_eq!(handshake(configured.clone()).await.0, 200);
    assert_eq!(handshake("wrong-token-0123456789".into()).await.0, 403);
    assert_eq!(handshake(fresh.clone()).await, (200, "4242".to_string()));
    let (_, state) = admin.post("api/webhook_token", &[]).await;
    assert!(!state.contains("\"last_verified_at\":null"), "{state}");

    // A second rotation: the first rotated token becomes the previous one, the configured
    // one is no longer accepted.
    let (_, body) = admin.post("api/rotate_webhook_token", &[]).await;
    let third = text(&body);
    assert_eq!(handshake(third).await.0, 200);
    assert_eq!(handshake(fresh).await.0, 200);
    assert_eq!(handshake(configured).await.0, 403);
}
