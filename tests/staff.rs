//! Staff sessions, roles, the CSV export and the parked-webhook replay over real HTTP, against
//! an in-process sandbox portal.

mod support;

use mm_portal::db::Role;

use support::{create_staff as create, StaffClient as Staff};

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
    mm_portal::seed::seed(portal.portal.database.dashboard.as_ref(), 2500, |_| {})
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
    let repo = portal.portal.database.repo.clone();
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
