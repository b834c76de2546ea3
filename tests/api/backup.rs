//! `mm-portal backup` taken while signed deliveries stream in, then restored: every delivery
//! acknowledged before the backup started is in the restored database. On SQLite (the online
//! copy) and on PostgreSQL (`pg_dump`, restored with `pg_restore` into an empty database).

use crate::support::{self, load};

use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// `mm-portal backup --to to` against the data directory (and database) of the running
/// portal: its exit status and what it printed.
fn backup(data_dir: &Path, database_url: Option<&str>, to: &Path) -> (bool, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mm-portal"));
    command.env_remove("DATABASE_URL").env_remove("META_MODE");
    if let Some(url) = database_url {
        command.env("DATABASE_URL", url);
    }
    let output = command
        .args(["backup", "--to"])
        .arg(to)
        .env("PORTAL_DATA_DIR", data_dir)
        .env("RUST_LOG", "error")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sqlite_backup_taken_under_load_restores_every_acknowledged_delivery() {
    backup_under_load(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_backup_taken_under_load_restores_every_acknowledged_delivery() {
    backup_under_load(Some(support::fresh_postgres_url().await)).await;
}

async fn backup_under_load(database_url: Option<String>) {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, base, _) =
        support::spawn_binary_on(dir.path(), database_url.as_deref(), "error", Stdio::null());
    let url = format!("{base}webhooks/meta");
    let secret = load::sandbox_app_secret(dir.path());
    let senders = load::Senders::start(&url, &secret, 8);
    senders.wait_for(300, Duration::from_secs(30)).await;
    // What was acknowledged before the backup started must be in it; what came during it may
    // or may not be.
    let before = senders.acknowledged();
    let file = dir.path().join("backup.db");
    let (ok, printed) = tokio::task::spawn_blocking({
        let (dir, url, file) = (dir.path().to_path_buf(), database_url.clone(), file.clone());
        move || backup(&dir, url.as_deref(), &file)
    })
    .await
    .unwrap();
    let during = senders.acknowledged().len() - before.len();
    assert!(ok, "backup failed: {printed}");
    assert!(printed.contains("backup written to"), "{printed}");
    let refused = senders.refused.clone();
    senders.stop().await;
    assert_eq!(
        refused.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "every delivery answered 200"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        before.len() >= 100,
        "load reached the server: {}",
        before.len()
    );
    assert!(
        !Path::new(&format!("{}.partial", file.display())).exists(),
        "no partial file left"
    );

    // A second backup to the same file is refused and leaves it alone.
    let size = std::fs::metadata(&file).unwrap().len();
    let (ok, refused) = backup(dir.path(), database_url.as_deref(), &file);
    assert!(!ok && refused.contains("already exists"), "{refused}");
    assert_eq!(std::fs::metadata(&file).unwrap().len(), size);

    // Restore into a new place and read the deliveries back.
    let restore_dir = tempfile::tempdir().unwrap();
    let restored_url = match &database_url {
        None => {
            let restored = restore_dir.path().join("portal.db");
            std::fs::copy(&file, &restored).unwrap();
            format!("sqlite://{}", restored.display())
        }
        Some(_) => {
            let target = support::fresh_postgres_url().await;
            let status = Command::new("pg_restore")
                .args(["--no-owner", "--exit-on-error", "--dbname", &target])
                .arg(&file)
                .status()
                .unwrap();
            assert!(status.success(), "pg_restore failed");
            target
        }
    };
    let database = mm_portal::db::connect(&restored_url).await.unwrap();
    let stored: HashSet<Vec<u8>> = support::inbox_bodies(&database).await.into_iter().collect();
    let missing = before.difference(&stored).count();
    assert_eq!(
        missing,
        0,
        "{missing} of {} deliveries acknowledged before the backup are not in it",
        before.len()
    );
    println!(
        "{printed}\nacknowledged {} before the backup and {during} during it; restored {} deliveries, 0 missing",
        before.len(),
        stored.len()
    );
}
