//! Migrations: the two dialects describe one schema, and a failing migration leaves the
//! database exactly as it was.

use crate::support;

use std::collections::BTreeMap;
use std::path::Path;

use sqlx::migrate::Migrator;
use sqlx::{Connection, PgConnection, SqliteConnection};

/// table → sorted column names, without the engines' and the session store's own tables, nor
/// SQLite's full-text index (`waba_names*`), nor PostgreSQL's `wabas.search_name` (its
/// trigram-indexed stand-in for that index). Tables only: views differ by design (SQLite's
/// `emit_event` and `check_waba_ready` are PostgreSQL functions, migration 000021).
type Shape = BTreeMap<String, Vec<String>>;

async fn sqlite_shape(url: &str) -> Shape {
    let mut conn = SqliteConnection::connect(url).await.unwrap();
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'
           AND m.name <> 'tower_sessions' AND m.name NOT LIKE 'waba_names%'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    collect(rows)
}

async fn postgres_shape(url: &str) -> Shape {
    let mut conn = PgConnection::connect(url).await.unwrap();
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT c.table_name::text, c.column_name::text FROM information_schema.columns c
           JOIN information_schema.tables t
             ON t.table_schema = c.table_schema AND t.table_name = c.table_name
         WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
           AND c.table_name NOT LIKE '_sqlx%'
           AND NOT (c.table_name = 'wabas' AND c.column_name = 'search_name')",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    collect(rows)
}

fn collect(rows: Vec<(String, String)>) -> Shape {
    let mut shape = Shape::new();
    for (table, column) in rows {
        shape.entry(table).or_default().push(column);
    }
    shape.values_mut().for_each(|columns| columns.sort());
    shape
}

#[tokio::test]
async fn postgres_and_sqlite_describe_the_same_tables_and_columns() {
    let (_sqlite, dir) = support::sqlite().await;
    let sqlite = sqlite_shape(&format!(
        "sqlite://{}",
        dir.path().join("test.db").display()
    ))
    .await;
    let pg_url = support::fresh_postgres_url().await;
    mm_portal::db::connect(&pg_url).await.unwrap();
    let postgres = postgres_shape(&pg_url).await;
    assert!(sqlite.contains_key("wabas") && sqlite.contains_key("jobs"));
    assert_eq!(sqlite, postgres);
}

#[tokio::test]
async fn both_dialects_have_the_same_migration_files() {
    let names = |dir: &str| {
        let mut names: Vec<String> =
            std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
        names.sort();
        names
    };
    assert_eq!(names("migrations/sqlite"), names("migrations/postgres"));
}

/// Writes two migrations: a good one, then one whose second statement fails.
fn broken_migrations() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("1_good.sql"),
        "CREATE TABLE kept (id BIGINT);",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("2_broken.sql"),
        "CREATE TABLE half_done (id BIGINT);\nINSERT INTO no_such_table VALUES (1);",
    )
    .unwrap();
    dir
}

#[tokio::test]
async fn a_failing_migration_leaves_sqlite_as_it_was() {
    let migrations = broken_migrations();
    let db_dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", db_dir.path().join("m.db").display());
    let mut conn = SqliteConnection::connect(&url).await.unwrap();
    let migrator = Migrator::new(migrations.path()).await.unwrap();
    assert!(migrator.run(&mut conn).await.is_err());
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert!(tables.contains(&"kept".to_string()));
    assert!(!tables.contains(&"half_done".to_string()), "{tables:?}");
    let applied: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert_eq!(applied, vec![1]);
}

#[tokio::test]
async fn a_failing_migration_leaves_postgres_as_it_was() {
    let migrations = broken_migrations();
    let url = support::fresh_postgres_url().await;
    let mut conn = PgConnection::connect(&url).await.unwrap();
    let migrator = Migrator::new(migrations.path()).await.unwrap();
    assert!(migrator.run(&mut conn).await.is_err());
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert!(tables.contains(&"kept".to_string()));
    assert!(!tables.contains(&"half_done".to_string()), "{tables:?}");
    let applied: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert_eq!(applied, vec![1]);
}

#[tokio::test]
async fn connecting_twice_applies_nothing_new() {
    let (first, dir) = support::sqlite().await;
    drop(first);
    let url = format!("sqlite://{}", dir.path().join("test.db").display());
    mm_portal::db::connect(&url)
        .await
        .expect("second start on a migrated database");
}
