//! Zero acknowledged deliveries lost across `kill -9`, each processed exactly once: while
//! signed deliveries stream in, the server is killed without warning; every delivery that got
//! a 200 must be in the inbox, and after a restart each is applied once.

use crate::support::{self, load};

use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

fn start_server(data_dir: &Path, database_url: Option<&str>) -> (std::process::Child, String) {
    let (child, url, _) = support::spawn_binary_on(data_dir, database_url, "error", Stdio::null());
    (child, url)
}

async fn count(url: &str, sql: &str) -> i64 {
    let database = mm_portal::db::connect(url).await.unwrap();
    let n = support::count(&database, sql).await;
    match &database.pool {
        mm_portal::db::Pool::Sqlite(pool) => pool.close().await,
        mm_portal::db::Pool::Postgres(pool) => pool.close().await,
    }
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_deliveries_survive_kill_9_and_are_processed_once() {
    crash_and_restart(None).await;
}

/// The same on PostgreSQL: the engine for partners running several instances.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_acknowledged_deliveries_survive_kill_9_and_are_processed_once() {
    crash_and_restart(Some(support::fresh_postgres_url().await)).await;
}

async fn crash_and_restart(database_url: Option<String>) {
    let dir = tempfile::tempdir().unwrap();
    let db_url = database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("portal.db").display()));
    let (mut child, base) = start_server(dir.path(), database_url.as_deref());
    let url = format!("{base}webhooks/meta");
    let secret = load::sandbox_app_secret(dir.path());
    let senders = load::Senders::start(&url, &secret, 16);
    // Kill it mid-load: once a few hundred deliveries were acknowledged (a fixed delay
    // measured the machine's load, not the inbox), or after 30 s whatever came.
    senders.wait_for(300, Duration::from_secs(30)).await;
    child.kill().unwrap(); // SIGKILL: no shutdown, no flush.
    child.wait().unwrap();
    // Every sender stops at its first failed answer; what was acknowledged is what counts.
    let acknowledged = senders.stop().await;
    assert!(
        acknowledged.len() > 100,
        "load reached the server: {}",
        acknowledged.len()
    );
    let database = mm_portal::db::connect(&db_url).await.unwrap();
    let stored: HashSet<Vec<u8>> = support::inbox_bodies(&database).await.into_iter().collect();
    let lost = acknowledged.difference(&stored).count();
    assert_eq!(
        lost,
        0,
        "{lost} of {} acknowledged deliveries lost",
        acknowledged.len()
    );
    drop(database);

    // Restart: the processor finishes what the killed instance left, applying each change once.
    let (mut child, _) = start_server(dir.path(), database_url.as_deref());
    for _ in 0..400 {
        let pending = count(
            &db_url,
            "SELECT COUNT(*) FROM webhook_inbox WHERE state <> 'processed'",
        )
        .await;
        if pending == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
    let distinct = stored.len() as i64;
    let unprocessed = count(
        &db_url,
        "SELECT COUNT(*) FROM webhook_inbox WHERE state <> 'processed'",
    )
    .await;
    assert_eq!(unprocessed, 0, "every stored delivery processed");
    let changes = count(&db_url, "SELECT COUNT(*) FROM webhook_changes").await;
    let timeline = count(&db_url, "SELECT COUNT(*) FROM timeline_events").await;
    let wabas = count(
        &db_url,
        "SELECT COUNT(*) FROM wabas WHERE connection_state = 'connected'",
    )
    .await;
    assert_eq!(
        changes, distinct,
        "one recorded change per distinct delivery"
    );
    assert_eq!(timeline, distinct, "each change applied exactly once");
    assert_eq!(wabas, distinct);
    println!(
        "acknowledged {} before kill -9, stored {distinct}, lost 0, applied once each after restart",
        acknowledged.len()
    );
}
