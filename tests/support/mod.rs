//! Helpers shared by the integration tests: fresh databases on both backends, and a portal
//! started on a free port.
#![allow(dead_code)]

use mm_portal::db::{self, Database};
use sqlx::Connection;

/// The PostgreSQL server the tests use, from `TEST_POSTGRES_URL` (scripts/test.sh starts the
/// local server and sets it). Without it the PostgreSQL tests fail loudly rather than pass
/// silently; scripts/test.sh filters them out, with a warning, only where PostgreSQL cannot run.
pub fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| {
        panic!(
            "TEST_POSTGRES_URL is not set: run scripts/test.sh, or set it to a PostgreSQL URL \
             whose role may CREATE DATABASE"
        )
    })
}

/// A migrated SQLite database in a fresh temporary directory (kept alive by the returned guard).
pub async fn sqlite() -> (Database, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    let database = db::connect(&url).await.expect("sqlite connects");
    (database, dir)
}

/// A URL to a brand-new, empty PostgreSQL database.
pub async fn fresh_postgres_url() -> String {
    let admin = postgres_admin_url();
    let name = format!("mmtest_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("the test PostgreSQL server is reachable");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("CREATE DATABASE");
    let mut url = url::Url::parse(&admin).expect("admin URL parses");
    url.set_path(&name);
    url.to_string()
}

/// A migrated, empty PostgreSQL database of its own.
pub async fn postgres() -> Database {
    db::connect(&fresh_postgres_url().await)
        .await
        .expect("postgres connects")
}

/// Every delivery body in the inbox, whatever its processing state, oldest first.
pub async fn inbox_bodies(database: &Database) -> Vec<Vec<u8>> {
    const SQL: &str = "SELECT body FROM webhook_inbox ORDER BY id";
    match &database.pool {
        db::Pool::Sqlite(pool) => sqlx::query_scalar(SQL).fetch_all(pool).await,
        db::Pool::Postgres(pool) => sqlx::query_scalar(SQL).fetch_all(pool).await,
    }
    .expect("inbox readable")
}
