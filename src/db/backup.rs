//! The database's side of `mm-portal backup` on SQLite: an online copy and its check. (On
//! PostgreSQL the backup is `pg_dump`'s, see `crate::backup`.) Errors are sentences for the
//! operator who ran the command, with SQLite's own words: they name files, never secrets.

use std::path::Path;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

use super::Pool;

/// What a backup file holds, read back from the file itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupContents {
    pub wabas: i64,
    pub webhook_deliveries: i64,
}

/// Copies the whole database into the new file `to` as of one instant, while the portal
/// runs: `VACUUM INTO` reads in one transaction (writers go on, WAL) and writes a compact,
/// self-contained file with no `-wal` beside it. `to` is created 0600 first (it holds the
/// sealed tokens); SQLite accepts an empty file as the target.
pub async fn sqlite_snapshot(pool: &Pool, to: &Path) -> Result<(), String> {
    let Pool::Sqlite(pool) = pool else {
        return Err("an online copy with VACUUM INTO is for SQLite databases".into());
    };
    super::sqlite::private::create(to)
        .map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    let target = to
        .to_str()
        .ok_or_else(|| format!("the backup path {} is not UTF-8", to.display()))?;
    sqlx::query("VACUUM INTO ?")
        .bind(target)
        .execute(pool)
        .await
        .map_err(|e| format!("the copy failed: {e}"))?;
    Ok(())
}

/// Opens the SQLite file `file` read-only, runs `PRAGMA integrity_check` and counts what an
/// operator cares about. An error when the file is not a sound database.
pub async fn sqlite_check(file: &Path) -> Result<BackupContents, String> {
    let unreadable = |e: sqlx::Error| format!("{} cannot be read back: {e}", file.display());
    let mut connection = SqliteConnectOptions::new()
        .filename(file)
        .read_only(true)
        .connect()
        .await
        .map_err(unreadable)?;
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut connection)
        .await
        .map_err(unreadable)?;
    if integrity != "ok" {
        return Err(format!(
            "{} failed its integrity check: {integrity}",
            file.display()
        ));
    }
    let wabas = sqlx::query_scalar("SELECT COUNT(*) FROM wabas")
        .fetch_one(&mut connection)
        .await
        .map_err(unreadable)?;
    let webhook_deliveries = sqlx::query_scalar("SELECT COUNT(*) FROM webhook_inbox")
        .fetch_one(&mut connection)
        .await
        .map_err(unreadable)?;
    connection.close().await.map_err(unreadable)?;
    Ok(BackupContents {
        wabas,
        webhook_deliveries,
    })
}
