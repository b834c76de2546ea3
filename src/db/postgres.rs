//! PostgreSQL backend: the engine for partners running several portal instances.

use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;

use super::dashboard::impl_dashboard_store;
use super::portable::{impl_portable_repository, waba_columns};
use super::signups::impl_signup_store;
use super::{Backend, DbResult};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

pub struct PgRepo {
    pool: PgPool,
}

impl PgRepo {
    pub async fn connect(url: &str) -> DbResult<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(5))
            .connect(url)
            .await?;
        Ok(Self { pool })
    }

    /// Applies pending migrations (each in a transaction: PostgreSQL DDL is transactional), then
    /// the session store's schema.
    pub async fn migrate(&self) -> DbResult<()> {
        MIGRATOR.run(&self.pool).await?;
        tower_sessions_sqlx_store::PostgresStore::new(self.pool.clone())
            .migrate()
            .await?;
        Ok(())
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

// Several instances claim concurrently: SKIP LOCKED lets each take different rows without
// waiting on the others' row locks.
impl_portable_repository!(
    PgRepo,
    driver = sqlx::Postgres,
    backend = Backend::Postgres,
    claim_lock = "FOR UPDATE SKIP LOCKED"
);

impl_signup_store!(PgRepo);
impl_dashboard_store!(
    PgRepo,
    driver = sqlx::Postgres,
    explain = "EXPLAIN",
    names = names_containing
);

/// WABAs whose name or business name contains `pattern` (`%text%`, lower case): one column
/// (migration 000011) whose selectivity the planner sees, so that it walks the primary key for a
/// common word and the pg_trgm index for a rare name.
fn names_containing(query: &mut sqlx::QueryBuilder<'_, sqlx::Postgres>, pattern: &str) {
    query
        .push("w.search_name LIKE ")
        .push_bind(pattern.to_string());
}
