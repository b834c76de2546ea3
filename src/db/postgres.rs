//! PostgreSQL: the engine for partners running several portal instances; and the few
//! statements it spells its own way.

use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;

use super::engine::Statement;
use super::DbResult;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// Several instances claim concurrently: SKIP LOCKED lets each take different rows without
/// waiting on the others' row locks.
pub const CLAIM_LOCK: &str = "FOR UPDATE SKIP LOCKED";

/// The condition, with the account id as `$1`, that a session row (its `data`, the
/// tower-sessions map as JSON with the `staff_id` key) belongs to the account.
pub const SAME_STAFF: &str = "(data::jsonb -> 'staff_id') = to_jsonb($1::BIGINT)";

pub const EXPLAIN: &str = "EXPLAIN";

/// Connects and applies pending migrations (each in a transaction: PostgreSQL DDL is
/// transactional), then the session store's schema.
///
/// `jit = off`: every statement here is a short OLTP one, and PostgreSQL's JIT, which starts
/// on cost estimates, spent 86 ms compiling a 160 ms aggregate over 100,000 WABAs (`bench
/// pages`, the Intent API preview) and never paid back.
pub async fn connect(url: &str) -> DbResult<PgPool> {
    let options = <sqlx::postgres::PgConnectOptions as std::str::FromStr>::from_str(url)?
        .options([("jit", "off")]);
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await?;
    MIGRATOR.run(&pool).await?;
    tower_sessions_sqlx_store::PostgresStore::new(pool.clone())
        .migrate()
        .await?;
    Ok(pool)
}

/// WABAs whose name or business name contains `pattern` (`%text%`, lower case): one column
/// (migration 000011) whose selectivity the planner sees, so that it walks the primary key for a
/// common word and the pg_trgm index for a rare name.
pub fn names_containing(query: &mut Statement<'_>, pattern: &str) {
    query
        .push("w.search_name LIKE ")
        .push_bind(pattern.to_string());
}
