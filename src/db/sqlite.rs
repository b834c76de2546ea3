//! SQLite: one file, WAL journal, one writer at a time; and the few statements it spells its
//! own way.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

use super::engine::Statement;
use super::DbResult;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

/// SQLite serialises writers, so the claiming `UPDATE … WHERE id IN (SELECT …)` is atomic as
/// is: no row lock.
pub const CLAIM_LOCK: &str = "";

/// The condition, with the account id as `$1`, that a session row (its `data`, the
/// tower-sessions map as JSON with the `staff_id` key) belongs to the account.
pub const SAME_STAFF: &str = "json_extract(data, '$.staff_id') = $1";

pub const EXPLAIN: &str = "EXPLAIN QUERY PLAN";

/// Opens (creating if needed) the database file named by `url`, and applies pending
/// migrations, each in its own transaction (a failing one leaves the database as it was
/// before it), then the session store's table.
///
/// `synchronous = FULL`: a commit is on disk before it returns, so a webhook acknowledged
/// after its insert survives a power cut, not only a process crash. Throughput comes from
/// batching many rows per transaction, not from weaker durability.
pub async fn connect(url: &str) -> DbResult<SqlitePool> {
    let options = SqliteConnectOptions::from_str(url)?;
    let file = (!url.contains("memory")).then(|| options.get_filename().to_path_buf());
    if let Some(file) = &file {
        private::create(file).map_err(sqlx::Error::Io)?;
    }
    let options = options
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await?;
    MIGRATOR.run(&pool).await?;
    tower_sessions_sqlx_store::SqliteStore::new(pool.clone())
        .migrate()
        .await?;
    if let Some(file) = &file {
        // Not fatal: a file someone else owns still works, it is only not ours to tighten.
        if let Err(error) = private::restrict(file) {
            tracing::warn!(%error, "the database files could not be made private (0600)");
        }
    }
    Ok(pool)
}

/// The database file and its `-wal` and `-shm` companions readable by the portal's user only
/// (0600, in a 0700 directory when the portal creates it): they hold the customer list, the
/// audit log, session keys and sealed secrets, none of it for other users of the host.
///
/// SQLite creates the companions lazily, with the database file's own mode (its unix VFS
/// copies it), so the database file is created 0600 before SQLite first opens it; files of an
/// older install are tightened after connecting.
pub(crate) mod private {
    use std::path::{Path, PathBuf};

    const COMPANIONS: [&str; 3] = ["", "-wal", "-shm"];

    /// Creates the (empty: SQLite reads that as a new database) file 0600, and its missing
    /// directories 0700.
    pub fn create(file: &Path) -> std::io::Result<()> {
        if file.exists() {
            return Ok(());
        }
        let mut dirs = std::fs::DirBuilder::new();
        dirs.recursive(true);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
            dirs.mode(0o700);
            options.mode(0o600);
        }
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            dirs.create(dir)?;
        }
        options.open(file).map(drop)
    }

    /// Sets 0600 on the database file and on whichever companion exists.
    pub fn restrict(file: &Path) -> std::io::Result<()> {
        #[cfg(unix)]
        for suffix in COMPANIONS {
            use std::os::unix::fs::PermissionsExt;
            let mut path = PathBuf::from(file);
            path.as_mut_os_string().push(suffix);
            match std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                other => other?,
            }
        }
        Ok(())
    }
}

/// WABAs whose name or business name contains `pattern` (`%text%`, lower case): the FTS5
/// trigram index (migration 000010) for three characters or more, a scan below that, since
/// trigrams cannot answer shorter substrings.
pub fn names_containing(query: &mut Statement<'_>, pattern: &str) {
    let text = pattern.trim_matches('%');
    if text.chars().count() >= 3 {
        // One FTS5 phrase (quotes doubled): a substring of either column.
        query
            .push("w.id IN (SELECT rowid FROM waba_names WHERE waba_names MATCH ")
            .push_bind(format!("\"{}\"", text.replace('"', "\"\"")))
            .push(")");
    } else {
        query
            .push("(LOWER(w.name) LIKE ")
            .push_bind(pattern.to_string())
            .push(" OR LOWER(b.name) LIKE ")
            .push_bind(pattern.to_string())
            .push(")");
    }
}
