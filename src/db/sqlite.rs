//! SQLite backend: one file, WAL journal, one writer at a time.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

use super::dashboard::impl_dashboard_store;
use super::portable::{impl_portable_repository, waba_columns};
use super::signups::impl_signup_store;
use super::{Backend, DbResult};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

pub struct SqliteRepo {
    pool: SqlitePool,
}

impl SqliteRepo {
    /// Opens (creating if needed) the database file named by `url`.
    ///
    /// `synchronous = FULL`: a commit is on disk before it returns, so a webhook acknowledged
    /// after its insert survives a power cut, not only a process crash. Throughput comes from
    /// batching many rows per transaction, not from weaker durability.
    pub async fn connect(url: &str) -> DbResult<Self> {
        let options = SqliteConnectOptions::from_str(url)?
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
        Ok(Self { pool })
    }

    /// Applies pending migrations, each in its own transaction (a failing one leaves the
    /// database as it was before it), then the session store's table.
    pub async fn migrate(&self) -> DbResult<()> {
        MIGRATOR.run(&self.pool).await?;
        tower_sessions_sqlx_store::SqliteStore::new(self.pool.clone())
            .migrate()
            .await?;
        Ok(())
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

// SQLite serialises writers, so the claiming UPDATE … WHERE id IN (SELECT …) is atomic as is.
impl_portable_repository!(
    SqliteRepo,
    driver = sqlx::Sqlite,
    backend = Backend::Sqlite,
    claim_lock = ""
);

impl_signup_store!(SqliteRepo);
impl_dashboard_store!(
    SqliteRepo,
    driver = sqlx::Sqlite,
    explain = "EXPLAIN QUERY PLAN",
    names = names_containing
);

/// WABAs whose name or business name contains `pattern` (`%text%`, lower case): the FTS5
/// trigram index (migration 000010) for three characters or more, a scan below that, since
/// trigrams cannot answer shorter substrings.
fn names_containing(query: &mut sqlx::QueryBuilder<'_, sqlx::Sqlite>, pattern: &str) {
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
