//! The database layer: one [`Repository`] trait, implemented for SQLite and PostgreSQL.
//!
//! The backend is chosen by the `DATABASE_URL` scheme. Both implementations share their SQL
//! (see [`portable`]): the schema uses types both engines read the same way (i64 millis, text,
//! bool, bytes) and `$n` placeholders, which SQLite accepts too. What differs per engine lives in
//! its own module: connection tuning, migrations, and how workers claim jobs (`FOR UPDATE SKIP
//! LOCKED` on PostgreSQL; SQLite has a single writer, so the claiming `UPDATE` is atomic).
//! One conformance suite (`tests/conformance.rs`) runs the same cases against both.

pub mod accounts;
mod dashboard;
pub mod models;
mod portable;
pub mod postgres;
mod signups;
pub mod sqlite;

use std::sync::Arc;

use async_trait::async_trait;

pub use accounts::{AccountStore, PasswordReplaced, StaffCredentials};
pub use models::*;

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
            _ => DbError::Query(error),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for DbError {
    fn from(error: sqlx::migrate::MigrateError) -> Self {
        DbError::Migration(error)
    }
}

pub type DbResult<T> = Result<T, DbError>;

/// Everything the portal stores. Object safe, so the server holds an `Arc<dyn Repository>`.
#[async_trait]
pub trait Repository: Send + Sync + 'static {
    fn backend(&self) -> Backend;

    /// A trivial round trip, for health checks.
    async fn ping(&self) -> DbResult<()>;

    // Businesses, WABAs, phone numbers.
    async fn upsert_business(&self, business: &NewBusiness) -> DbResult<Business>;
    async fn business_by_meta_id(&self, meta_business_id: &str) -> DbResult<Option<Business>>;
    async fn upsert_waba(&self, waba: &WabaUpsert) -> DbResult<Waba>;
    async fn waba_by_meta_id(&self, meta_waba_id: &str) -> DbResult<Option<Waba>>;
    async fn list_wabas(&self, query: &WabaQuery) -> DbResult<Vec<Waba>>;
    /// `(onboarding status, count)`; WABAs without a status are counted under `None`.
    async fn count_wabas_by_status(&self) -> DbResult<Vec<(Option<String>, i64)>>;
    async fn upsert_phone(&self, phone: &PhoneUpsert) -> DbResult<Phone>;
    async fn phones_for_waba(&self, waba_id: i64) -> DbResult<Vec<Phone>>;

    // The per-WABA timeline.
    async fn append_timeline(&self, event: &NewTimelineEvent) -> DbResult<i64>;
    /// Newest first.
    async fn timeline_for_waba(&self, waba_id: i64, limit: i64) -> DbResult<Vec<TimelineEvent>>;

    // Encrypted secrets (sealed by `crate::crypto`; the database never sees plaintext).
    async fn put_secret(&self, slot: &SecretSlot, sealed: &SealedSecret) -> DbResult<()>;
    async fn get_secret(&self, slot: &SecretSlot) -> DbResult<Option<SealedSecret>>;

    // The durable job queue.
    /// Returns the new job's id, or `None` when a job with the same dedupe key exists.
    async fn enqueue_job(&self, job: &NewJob) -> DbResult<Option<i64>>;
    /// Leases up to `limit` due jobs (or jobs whose lease expired) to `worker` until
    /// `now + lease_ms`. Two workers never receive the same job while its lease holds.
    async fn claim_jobs(
        &self,
        worker: &str,
        now: Millis,
        lease_ms: i64,
        limit: i64,
    ) -> DbResult<Vec<Job>>;
    /// Records how a job ended. Returns `false` when `worker` no longer holds the lease.
    async fn finish_job(&self, id: i64, worker: &str, result: &JobResult) -> DbResult<bool>;
    async fn job(&self, id: i64) -> DbResult<Option<Job>>;
    async fn count_jobs(&self, status: JobStatus) -> DbResult<i64>;

    // The webhook inbox.
    /// Stores several deliveries in one transaction (group commit); ids in input order.
    async fn insert_webhooks(&self, bodies: &[&[u8]], received_at: Millis) -> DbResult<Vec<i64>>;
    /// Oldest pending deliveries first.
    async fn pending_webhooks(&self, limit: i64) -> DbResult<Vec<InboxRow>>;
    /// Marks a delivery processed (`Ok`) or records a failed attempt (`Err`).
    async fn finish_webhook(&self, id: i64, outcome: Result<(), &str>) -> DbResult<()>;
    /// Sets a delivery aside (a poison row) with its error, for staff to look at and replay.
    async fn park_webhook(&self, id: i64, error: &str) -> DbResult<()>;
    /// Puts a parked delivery back in line. Returns `false` if it was not parked.
    async fn replay_webhook(&self, id: i64) -> DbResult<bool>;
    /// Parked deliveries, newest first.
    async fn parked_webhooks(&self, limit: i64) -> DbResult<Vec<InboxRow>>;
    /// Records `change` and applies its effect in one transaction, unless a change with the
    /// same dedupe key was recorded before. Returns whether it was applied now.
    async fn apply_change(&self, change: &NewChange) -> DbResult<bool>;
    /// Daily message counts of one WABA, oldest day first.
    async fn metrics_for_waba(&self, meta_waba_id: &str) -> DbResult<Vec<DailyMetrics>>;
    /// Failed sends of one WABA per `(day, error code)`.
    async fn failures_for_waba(&self, meta_waba_id: &str) -> DbResult<Vec<(String, i64, i64)>>;

    // Staff accounts and the audit log.
    async fn create_staff_user(&self, user: &NewStaffUser) -> DbResult<StaffUser>;
    async fn staff_user_by_email(&self, email: &str) -> DbResult<Option<StaffUser>>;
    async fn count_staff_users(&self) -> DbResult<i64>;
    async fn append_audit(&self, entry: &NewAuditEntry) -> DbResult<i64>;
    /// Newest first, continuing below `before_id`.
    async fn list_audit(&self, before_id: Option<i64>, limit: i64) -> DbResult<Vec<AuditEntry>>;
}

/// One stored object of the Meta simulator (see docs/SIMULATOR.md).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SandboxObject {
    pub kind: String,
    pub id: String,
    pub parent: Option<String>,
    /// The object as JSON.
    pub data: String,
    pub version: i64,
    pub updated_at: Millis,
}

/// The Meta simulator's storage: JSON documents by kind and id, with optimistic versions.
#[async_trait]
pub trait SandboxStore: Send + Sync + 'static {
    async fn sandbox_get(&self, kind: &str, id: &str) -> DbResult<Option<SandboxObject>>;
    /// Stores a new object; [`DbError::Conflict`] if `(kind, id)` exists.
    async fn sandbox_insert(
        &self,
        kind: &str,
        id: &str,
        parent: Option<&str>,
        data: &str,
    ) -> DbResult<()>;
    /// Replaces an object's data if its version is still `expected_version` (bumping it);
    /// returns `false` when someone else changed it first, or it is gone.
    async fn sandbox_update(
        &self,
        kind: &str,
        id: &str,
        data: &str,
        expected_version: i64,
    ) -> DbResult<bool>;
    /// Objects of `kind` (under `parent`, when given) with ids after `after_id`, by id.
    async fn sandbox_list(
        &self,
        kind: &str,
        parent: Option<&str>,
        after_id: Option<&str>,
        limit: i64,
    ) -> DbResult<Vec<SandboxObject>>;
    async fn sandbox_delete(&self, kind: &str, id: &str) -> DbResult<bool>;
}

/// Embedded Signup sessions, their funnel, and the onboarding pipeline's steps.
#[async_trait]
pub trait SignupStore: Send + Sync + 'static {
    async fn create_signup(&self, signup: &NewSignup) -> DbResult<Signup>;
    async fn signup_by_nonce(&self, nonce: &str) -> DbResult<Option<Signup>>;
    async fn signup_by_status_key(&self, status_key: &str) -> DbResult<Option<Signup>>;
    /// The newest signup that led to this WABA.
    async fn signup_for_waba(&self, waba_id: i64) -> DbResult<Option<Signup>>;
    /// Records a funnel event and applies its changes to the signup in one transaction. The
    /// stage only moves forward (see [`SignupStage::may_become`]).
    async fn record_signup_event(&self, signup_id: i64, event: &SignupEvent) -> DbResult<Signup>;
    /// Claims the one code exchange a signup allows: `Some` for the first caller, `None` for
    /// every later one (a replayed nonce) and for unknown nonces.
    async fn claim_signup_exchange(&self, nonce: &str) -> DbResult<Option<Signup>>;
    /// Oldest first.
    async fn signup_events(&self, signup_id: i64) -> DbResult<Vec<SignupEventRow>>;
    async fn put_step(&self, update: &StepUpdate) -> DbResult<OnboardingStep>;
    async fn steps_for_waba(&self, waba_id: i64) -> DbResult<Vec<OnboardingStep>>;
    async fn waba_by_id(&self, id: i64) -> DbResult<Option<Waba>>;
    async fn business_by_id(&self, id: i64) -> DbResult<Option<Business>>;
}

/// Staff lookups and the partner dashboard's queries (and, through [`AccountStore`], staff
/// passwords and their sessions).
#[async_trait]
pub trait DashboardStore: AccountStore + Send + Sync + 'static {
    async fn staff_user_by_id(&self, id: i64) -> DbResult<Option<StaffUser>>;
    async fn record_login(&self, id: i64) -> DbResult<()>;
    /// Every staff account, by email.
    async fn list_staff_users(&self) -> DbResult<Vec<StaffUser>>;
    /// Sets an account's role and whether it is disabled, unless that would leave no other
    /// enabled admin (checked in the statement itself). Returns whether the account changed.
    async fn set_staff_access(&self, id: i64, role: Role, disabled: bool) -> DbResult<bool>;
    async fn set_staff_password(&self, id: i64, password_hash: &str) -> DbResult<bool>;
    async fn search_wabas(&self, search: &WabaSearch) -> DbResult<Vec<WabaRow>>;
    /// The page of `search` with each WABA's business and Intent API request state (for a
    /// bulk Intent API run over a filtered list).
    async fn intent_selection(&self, search: &WabaSearch) -> DbResult<Vec<SelectionRow>>;
    /// Signups created since `since` (Unix millis), per funnel stage.
    async fn signup_funnel(&self, since: Millis) -> DbResult<FunnelCounts>;
    /// Message statuses of every WABA per day and pricing category, from `since_day`
    /// (`YYYY-MM-DD`) on.
    async fn metrics_by_day(&self, since_day: &str) -> DbResult<Vec<DailyMetrics>>;
    /// Signups created since `since`, per UTC day: `(days since 1970-01-01, count)`.
    async fn signups_per_day(&self, since: Millis) -> DbResult<Vec<(i64, i64)>>;
    /// WABAs whose pipeline stopped on a failed step.
    async fn count_failed_pipelines(&self) -> DbResult<i64>;
    async fn count_parked_webhooks(&self) -> DbResult<i64>;
    /// WABAs with an account health other than `active`.
    async fn count_restricted_wabas(&self) -> DbResult<i64>;

    // Staff sessions (the tower-sessions store, see `crate::auth::store`).
    /// `(data, expires_at)` of a session that has not expired at `now`.
    async fn session_load(&self, id: &str, now: Millis) -> DbResult<Option<String>>;
    /// Stores a new session; [`DbError::Conflict`] when the id is taken.
    async fn session_insert(&self, id: &str, data: &str, expires_at: Millis) -> DbResult<()>;
    async fn session_save(&self, id: &str, data: &str, expires_at: Millis) -> DbResult<()>;
    async fn session_delete(&self, id: &str) -> DbResult<()>;
    /// Deletes sessions expired at `now`; returns how many.
    async fn session_delete_expired(&self, now: Millis) -> DbResult<u64>;

    /// Inserts synthetic customers (businesses, WABAs, phones, some failed steps) in one
    /// transaction with multi-row statements; existing Meta ids are skipped.
    async fn seed_wabas(&self, rows: &[SeedWaba]) -> DbResult<()>;
    /// The query plan of the default WABA list query with `search`'s filters, one line per
    /// step (to show which indexes are used).
    async fn explain_search(&self, search: &WabaSearch) -> DbResult<Vec<String>>;

    // Intent API requests.
    /// Queues a request for `business_id` in `batch` unless one is queued or sent already
    /// (never two requests for one business); returns whether it was queued now.
    async fn intent_queue(&self, business_id: i64, batch: &str) -> DbResult<bool>;
    async fn intent_get(&self, business_id: i64) -> DbResult<Option<IntentRow>>;
    async fn intent_finish(
        &self,
        business_id: i64,
        state: &str,
        request_id: Option<&str>,
        error: Option<&str>,
    ) -> DbResult<()>;
    /// Cancels the still-queued requests of a batch; returns how many.
    async fn intent_cancel(&self, batch: &str) -> DbResult<u64>;
    /// `(state, count)` of a batch.
    async fn intent_counts(&self, batch: &str) -> DbResult<Vec<(String, i64)>>;
    /// Businesses with an `ELIGIBLE` WABA and no queued or sent request: `(id, Meta id)`.
    async fn intent_candidates(&self, limit: i64) -> DbResult<Vec<(i64, String)>>;
    /// How many businesses [`intent_candidates`](Self::intent_candidates) would return.
    async fn count_intent_candidates(&self) -> DbResult<i64>;
    /// The business of a WABA, by the WABA's Meta id: `(business id, Meta business id)`.
    async fn business_of_waba(&self, meta_waba_id: &str) -> DbResult<Option<(i64, String)>>;
    /// A run-time setting (JSON text), if staff saved one.
    async fn setting_get(&self, key: &str) -> DbResult<Option<String>>;
    async fn setting_put(&self, key: &str, value: &str, updated_by: &str) -> DbResult<()>;

    /// Businesses of a batch in `state`: `(id, Meta id)`.
    async fn intent_batch_members(&self, batch: &str, state: &str) -> DbResult<Vec<(i64, String)>>;
    /// The batch of the most recently queued request.
    async fn intent_latest_batch(&self) -> DbResult<Option<String>>;
    /// WABAs of a business: `(id, Meta id)`.
    async fn wabas_of_business(&self, business_id: i64) -> DbResult<Vec<(i64, String)>>;
}

/// A connected, migrated database.
#[derive(Clone)]
pub struct Database {
    pub repo: Arc<dyn Repository>,
    pub sandbox: Arc<dyn SandboxStore>,
    pub signups: Arc<dyn SignupStore>,
    pub dashboard: Arc<dyn DashboardStore>,
    pub pool: Pool,
}

/// The underlying pool, for the few components that need a concrete one (the session store).
#[derive(Clone, Debug)]
pub enum Pool {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

/// Connects to `url`, runs the migrations, and returns the repository.
///
/// `sqlite:` URLs create the file if missing; `postgres:`/`postgresql:` URLs need a running
/// server. Anything else is [`DbError::UnsupportedUrl`].
pub async fn connect(url: &str) -> DbResult<Database> {
    if url.starts_with("sqlite:") {
        let repo = sqlite::SqliteRepo::connect(url).await?;
        repo.migrate().await?;
        let pool = Pool::Sqlite(repo.pool().clone());
        let repo = Arc::new(repo);
        Ok(Database {
            repo: repo.clone(),
            sandbox: repo.clone(),
            signups: repo.clone(),
            dashboard: repo,
            pool,
        })
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        let repo = postgres::PgRepo::connect(url).await?;
        repo.migrate().await?;
        let pool = Pool::Postgres(repo.pool().clone());
        let repo = Arc::new(repo);
        Ok(Database {
            repo: repo.clone(),
            sandbox: repo.clone(),
            signups: repo.clone(),
            dashboard: repo,
            pool,
        })
    } else {
        Err(DbError::UnsupportedUrl(
            "DATABASE_URL must start with sqlite: or postgres:".into(),
        ))
    }
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
