//! A portal started in-process on a free port, driven over real HTTP.

use crate::support;

use mm_portal::server::RunningPortal;

async fn start(data_dir: &std::path::Path, database_url: Option<&str>) -> RunningPortal {
    let extra: Vec<&str> = match database_url {
        Some(url) => vec!["--database-url", url],
        None => vec![],
    };
    RunningPortal::start(support::sandbox_config(data_dir, &extra))
        .await
        .unwrap()
}

#[tokio::test]
async fn healthz_pages_and_request_ids_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let portal = start(dir.path(), None).await;
    let client = reqwest::Client::new();

    let health = client
        .get(portal.url.join("healthz").unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    let request_id = health.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(request_id.len(), 36);
    let body: serde_json::Value = health.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["mode"], "sandbox");
    assert_eq!(body["database"]["backend"], "sqlite");
    assert_eq!(body["database"]["reachable"], true);

    // A request id sent by a proxy is kept.
    let echoed = client
        .get(portal.url.join("healthz").unwrap())
        .header("x-request-id", "from-the-load-balancer")
        .send()
        .await
        .unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "from-the-load-balancer");

    let home = client.get(portal.url.clone()).send().await.unwrap();
    assert_eq!(home.status(), 200);
    let html = home.text().await.unwrap();
    assert!(html.contains("System status"));
    assert!(
        html.contains("modulepreload\" href=\"/pkg/mm_portal."),
        "hydration script present"
    );
    // The public pages carry no WebAssembly: no hydration script, and their own small script.
    let signup = client
        .get(portal.url.join("signup").unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(signup.contains("data-public=\"true\""));
    assert!(!signup.contains("modulepreload") && !signup.contains(".wasm"));
    assert!(
        signup.contains("/pkg/signup."),
        "the signup script is linked"
    );
    assert!(
        signup.contains("id=\"signup-config\""),
        "the launch settings are in the page"
    );
    // Pages are compressed on the fly (Brotli first) and re-checked before each use.
    for (accepted, expected) in [
        ("br, gzip", Some("br")),
        ("gzip", Some("gzip")),
        ("identity", None),
    ] {
        let page = client
            .get(portal.url.clone())
            .header("accept-encoding", accepted)
            .send()
            .await
            .unwrap();
        let encoding = page
            .headers()
            .get("content-encoding")
            .map(|v| v.to_str().unwrap().to_string());
        assert_eq!(encoding.as_deref(), expected, "{accepted}");
        assert_eq!(page.headers()["cache-control"], "no-cache");
        assert!(page.bytes().await.unwrap().len() > 100);
    }

    let missing = client
        .get(portal.url.join("no/such/page").unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert!(missing.text().await.unwrap().contains("Page not found"));

    portal.shutdown().await;
}

#[tokio::test]
async fn the_same_server_runs_on_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let url = support::fresh_postgres_url().await;
    let portal = start(dir.path(), Some(&url)).await;
    let body: serde_json::Value = reqwest::get(portal.url.join("healthz").unwrap())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["database"]["backend"], "postgres");
    assert_eq!(body["database"]["reachable"], true);
    portal.shutdown().await;
}

#[tokio::test]
async fn healthz_says_503_when_the_database_goes_away() {
    let dir = tempfile::tempdir().unwrap();
    let portal = start(dir.path(), None).await;
    if let mm_portal::db::Pool::Sqlite(pool) = &portal.database.pool {
        pool.close().await;
    }
    let response = reqwest::get(portal.url.join("healthz").unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "degraded");
    assert_eq!(body["database"]["reachable"], false);
    portal.shutdown().await;
}
