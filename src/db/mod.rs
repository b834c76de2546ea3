//! The database layer: one small store trait per aggregate (`wabas.rs`, `jobs.rs`, …), each
//! implemented once by [`SqlStore`] for SQLite and PostgreSQL alike.
//!
//! The backend is chosen by the `DATABASE_URL` scheme. The schema uses types both engines read
//! the same way (i64 millis, text, bool, bytes) and `$n` placeholders, which SQLite accepts
//! too, so every statement is written once; [`engine`] runs it on the open pool. What differs
//! per engine lives in [`sqlite`] and [`postgres`]: connection tuning, migrations, the job
//! claim's row lock, JSON access, the substring index and the EXPLAIN syntax. One conformance
//! suite (`tests/api/conformance.rs`) runs the same cases against both.

// Column lists and one shared condition, as literals so statements can `concat!` them at
// compile time (a `const` cannot be concatenated into a `&'static str`). Defined before the
// modules so each of them sees them.

/// The columns of [`Waba`], in one place for every query that returns WABAs.
macro_rules! waba_columns {
    () => {
        "id, meta_waba_id, business_id, name, currency, country, onboarding_status,
         status_changed_at, coexistence, created_at, updated_at, connection_state,
         connection_changed_at, account_health, health_changed_at, mm_terms_signed_at"
    };
}

/// The columns of [`Signup`].
macro_rules! signup_columns {
    () => {
        "id, nonce, status_key, campaign, feature_type, stage, meta_business_id, meta_waba_id,
         meta_phone_id, coexistence, cancel_step, error, waba_id, exchange_started_at,
         exchanged_at, created_at, updated_at, link_id, customer_id"
    };
}

/// Businesses that may be asked to onboard: an `ELIGIBLE` WABA, no live Intent API request
/// (queued, being sent, or sent: a job mid-call is live too). Written from the ELIGIBLE
/// WABAs' side (`IN`, over the `(onboarding_status, business_id)` index) rather than as an
/// `EXISTS` per business: at 100,000 customers the count went from ~190 ms to ~25 ms on
/// SQLite, and the operations page asks for it every 2 s.
macro_rules! intent_candidate_filter {
    () => {
        "b.id IN (SELECT w.business_id FROM wabas w WHERE w.onboarding_status = 'ELIGIBLE')
         AND NOT EXISTS (SELECT 1 FROM intent_requests i WHERE i.business_id = b.id
                         AND i.state IN ('queued', 'sending', 'sent'))"
    };
}

pub mod api_keys;
pub mod audit;
pub mod backup;
pub mod changes;
pub mod coexistence;
pub mod engine;
pub mod events;
pub mod feed;
pub mod inbox;
pub mod intents;
pub mod jobs;
pub mod live;
pub mod mail;
pub mod metrics;
pub mod mm_metrics;
pub mod models;
pub mod monitoring;
pub mod postgres;
pub mod profile;
pub mod relay;
pub mod sandbox;
pub mod secrets;
pub mod seed;
pub mod sessions;
pub mod settings;
pub mod signup_limits;
pub mod signup_links;
pub mod signups;
pub mod sqlite;
pub mod staff;
pub mod steps;
pub mod templates;
pub mod timeline;
pub mod two_factor;
pub mod waba_list;
pub mod wabas;

use std::sync::Arc;

pub use api_keys::ApiKeyStore;
pub use audit::AuditStore;
pub use changes::ChangeStore;
pub use coexistence::{CoexistenceStore, CoexistenceSync, CoexistenceWebhook, SyncType};
pub use engine::Pool;
pub use events::{
    EventDeliveryRow, EventEndpointRow, EventRetryRow, EventRow, EventStore, NewEventEndpoint,
};
pub use feed::{FeedFailure, FeedProgress};
pub use inbox::InboxStore;
pub use intents::IntentStore;
pub use jobs::JobStore;
pub use live::{LiveStore, SignupTopics};
pub use mail::{MailContact, MailRow, MailStore, NewMail, StaffRecipient, SEND_MAIL_JOB};
pub use metrics::MetricsStore;
pub use mm_metrics::{MmMetricsStore, TemplateMetricsDay, TemplateMetricsFetch};
pub use models::*;
pub use monitoring::{MonitoringSnapshot, MonitoringStore};
pub use relay::{NewRelayDestination, RelayDestinationRow, RelayItem, RelayRetry, RelayStore};
pub use sandbox::{SandboxObject, SandboxStore};
pub use secrets::SecretStore;
pub use seed::SeedStore;
pub use sessions::SessionStore;
pub use settings::SettingStore;
pub use signup_limits::{Rate, SignupLimitStore};
pub use signup_links::SignupLinkStore;
pub use signups::SignupStore;
pub use staff::{PasswordReplaced, StaffCredentials, StaffStore};
pub use steps::StepStore;
pub use templates::{Template, TemplateSeen, TemplateStore};
pub use timeline::TimelineStore;
pub use two_factor::{TwoFactorRow, TwoFactorStore};
pub use waba_list::WabaListStore;
pub use wabas::WabaStore;

/// Which engine a repository talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// The database layer's one error type. It names what went wrong in terms a caller can act on;
/// the driver's error is kept as the source for logs, never shown to users.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("the database could not be reached")]
    Unavailable(#[source] sqlx::Error),
    #[error("a record with the same key already exists")]
    Conflict,
    #[error("the database rejected a query")]
    Query(#[source] sqlx::Error),
    #[error("a database migration failed; the database was left as it was: {0}")]
    Migration(#[source] sqlx::migrate::MigrateError),
    #[error("unsupported database URL: {0}")]
    UnsupportedUrl(String),
}

impl From<sqlx::Error> for DbError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::Database(db) if db.is_unique_violation() => DbError::Conflict,
            sqlx::Error::Io(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Tls(_) => DbError::Unavailable(error),
            sqlx::Error::RowNotFound => DbError::Query(error),
            _ => {
                // The cause stays out of answers (DbError's text hides it) but not out of the
                // log: without it a rejected query cannot be told from another.
                tracing::warn!(cause = %error, "the database rejected a query");
                DbError::Query(error)
            }
        }
    }
}

impl From<sqlx::migrate::MigrateError> for DbError {
    fn from(error: sqlx::migrate::MigrateError) -> Self {
        DbError::Migration(error)
    }
}

pub type DbResult<T> = Result<T, DbError>;

/// Every store trait, for code that calls them on the concrete [`SqlStore`] (tests,
/// benchmarks): `use mm_portal::db::prelude::*;`.
pub mod prelude {
    pub use super::{
        ApiKeyStore as _, AuditStore as _, ChangeStore as _, EventStore as _, InboxStore as _,
        IntentStore as _, JobStore as _, MetricsStore as _, RelayStore as _, SandboxStore as _,
        SecretStore as _, SeedStore as _, SessionStore as _, SettingStore as _,
        SignupLimitStore as _, SignupLinkStore as _, SignupStore as _, StaffStore as _,
        StepStore as _, TimelineStore as _, TwoFactorStore as _, WabaListStore as _,
        WabaStore as _,
    };
}

/// The one store: every `…Store` trait is implemented for it, over whichever engine's pool
/// was opened. Services hold it as the few `Arc<dyn …Store>` they use.
pub struct SqlStore {
    pool: Pool,
}

impl SqlStore {
    pub fn new(pool: Pool) -> Self {
        Self { pool }
    }

    pub fn backend(&self) -> Backend {
        self.pool.backend()
    }

    /// A trivial round trip, for health checks.
    pub async fn ping(&self) -> DbResult<()> {
        engine::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// The engine's spelling of a few statements (see [`sqlite`] and [`postgres`]).
    fn dialect(&self) -> Dialect {
        match self.backend() {
            Backend::Sqlite => Dialect {
                claim_lock: sqlite::CLAIM_LOCK,
                same_staff: sqlite::SAME_STAFF,
                explain: sqlite::EXPLAIN,
                names_containing: sqlite::names_containing,
            },
            Backend::Postgres => Dialect {
                claim_lock: postgres::CLAIM_LOCK,
                same_staff: postgres::SAME_STAFF,
                explain: postgres::EXPLAIN,
                names_containing: postgres::names_containing,
            },
        }
    }
}

/// What differs between the engines' SQL.
struct Dialect {
    claim_lock: &'static str,
    same_staff: &'static str,
    explain: &'static str,
    names_containing: fn(&mut engine::Statement<'_>, &str),
}

/// A connected, migrated database.
#[derive(Clone)]
pub struct Database {
    pub store: Arc<SqlStore>,
    /// The underlying pool, for the few components that need a concrete one (benchmarks,
    /// test set-up).
    pub pool: Pool,
}

/// Connects to `url`, runs the migrations, and returns the store.
///
/// `sqlite:` URLs create the file if missing; `postgres:`/`postgresql:` URLs need a running
/// server. Anything else is [`DbError::UnsupportedUrl`].
pub async fn connect(url: &str) -> DbResult<Database> {
    let pool = if url.starts_with("sqlite:") {
        Pool::Sqlite(sqlite::connect(url).await?)
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Pool::Postgres(postgres::connect(url).await?)
    } else {
        return Err(DbError::UnsupportedUrl(
            "DATABASE_URL must start with sqlite: or postgres:".into(),
        ));
    };
    Ok(Database {
        store: Arc::new(SqlStore::new(pool.clone())),
        pool,
    })
}

/// `url` with any password replaced by `***`, safe to print.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(parsed) => parsed.to_string(),
        Err(_) => "(unparseable URL)".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact_url("postgres://portal:hunter2@localhost:5432/db"),
            "postgres://portal:***@localhost:5432/db"
        );
        assert_eq!(
            redact_url("sqlite://data/portal.db"),
            "sqlite://data/portal.db"
        );
        assert_eq!(redact_url("not a url"), "(unparseable URL)");
    }
}
