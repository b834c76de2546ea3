//! What a copy of the database gives away (issue 16, item 9): session ids are stored only as
//! hashes, so the table opens no session; and the data directory and the SQLite files are
//! private to the portal's user.

use crate::support::{self, create_staff as create, SandboxPortal, StaffClient as Staff};
use mm_portal::db::{self, Role};

/// Every `(id_hash, data)` row of `staff_sessions`, on either engine.
async fn session_rows(database: &db::Database) -> Vec<(String, String)> {
    const SQL: &str = "SELECT id_hash, data FROM staff_sessions";
    match &database.pool {
        db::Pool::Sqlite(pool) => sqlx::query_as(SQL).fetch_all(pool).await,
        db::Pool::Postgres(pool) => sqlx::query_as(SQL).fetch_all(pool).await,
    }
    .expect("sessions readable")
}

async fn session_ids_are_stored_only_as_hashes(portal: SandboxPortal) {
    let base = portal.portal.url.to_string();
    create(&portal, "hash@partner.test", Role::Viewer).await;
    let staff = Staff::sign_in(&base, "hash@partner.test").await;
    let value = staff.cookie.trim_start_matches("mm_session=").to_string();
    assert!(value.len() >= 16, "{value}");
    let rows = session_rows(&portal.portal.database).await;
    assert_eq!(rows.len(), 1, "one signed-in session");
    for (key, data) in &rows {
        assert!(
            !key.contains(&value) && !data.contains(&value),
            "{key} {data}"
        );
        assert_eq!(key.len(), 64, "a SHA-256 in hex: {key}");
    }
    // The session works, its idle renewal (a save) finds it, and sign-out deletes it by hash.
    let (status, body) = staff.post("api/whoami", &[]).await;
    assert_eq!(status, 200);
    assert!(body.contains("hash@partner.test"), "{body}");
    let (status, _) = staff.post("auth/logout", &[]).await;
    assert_eq!(status, 303);
    assert!(session_rows(&portal.portal.database).await.is_empty());
    let (_, body) = staff.post("api/whoami", &[]).await;
    assert_eq!(body, "null");
    portal.portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_session_ids_are_stored_only_as_hashes() {
    session_ids_are_stored_only_as_hashes(support::sandbox_portal().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_session_ids_are_stored_only_as_hashes() {
    let url = support::fresh_postgres_url().await;
    session_ids_are_stored_only_as_hashes(
        support::sandbox_portal_with(&["--database-url", &url]).await,
    )
    .await;
}

/// The mode bits of `path` that matter here.
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_data_directory_and_database_files_are_private() {
    let parent = tempfile::tempdir().unwrap();
    let data = parent.path().join("data");
    let portal = mm_portal::server::RunningPortal::start(support::sandbox_config(&data, &[]))
        .await
        .unwrap();
    // A write, so that the -wal file certainly exists.
    let base = portal.url.to_string();
    support::create_staff_in(&portal.database, "modes@partner.test", Role::Viewer).await;
    Staff::sign_in(&base, "modes@partner.test").await;
    assert_eq!(mode(&data), 0o700, "data directory");
    for file in [
        "portal.db",
        "portal.db-wal",
        "portal.db-shm",
        "sandbox-secrets.json",
    ] {
        assert_eq!(mode(&data.join(file)), 0o600, "{file}");
    }
    portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_files_of_an_older_install_are_tightened() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("old.db");
    let url = format!("sqlite://{}", file.display());
    db::connect(&url).await.unwrap().pool.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let path = dir.path().join(format!("old.db{suffix}"));
        if path.exists() {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
    }
    let database = db::connect(&url).await.unwrap();
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(&dir.path().join("old.db-wal")), 0o600);
    database.pool.close().await;
}
