//! tower-sessions' store over the portal's own database layer (table `staff_sessions`, both
//! engines). The published sqlx store for tower-sessions 0.15 is built against an older
//! `tower-sessions-core` (0.14) and does not implement this version's trait; the store is
//! small enough to own, and it shares the portal's pools, migrations and conformance tests.
//!
//! The database never sees a session id: the id is the cookie's value, a bearer credential,
//! so rows are keyed by its SHA-256 ([`stored_key`]). Whoever reads the table (a backup, a
//! copied `portal.db`) learns nothing that opens a session.

use std::sync::Arc;

use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{Error, Result};
use tower_sessions::SessionStore;

use crate::db::DbError;

#[derive(Clone)]
pub struct DbSessionStore {
    store: Arc<dyn crate::db::SessionStore>,
}

impl std::fmt::Debug for DbSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbSessionStore")
    }
}

impl DbSessionStore {
    pub fn new(store: Arc<dyn crate::db::SessionStore>) -> Self {
        Self { store }
    }

    /// Deletes expired sessions every `period` until `shutdown`.
    pub async fn delete_expired_every(
        self,
        period: std::time::Duration,
        shutdown: tokio_util::sync::CancellationToken,
    ) {
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(period) => {}
            }
            if let Err(error) = self
                .store
                .session_delete_expired(crate::db::now_millis())
                .await
            {
                tracing::warn!(%error, "expired sessions could not be deleted");
            }
        }
    }
}

/// The key a session is stored under: the SHA-256 of its id (the cookie's value), as hex.
/// The id is 128 random bits, so an unsalted fast hash is enough: there is nothing to guess.
pub fn stored_key(id: &Id) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(id.to_string().as_bytes()))
}

fn backend(error: DbError) -> Error {
    Error::Backend(error.to_string())
}

/// `(stored key, data, expiry millis)` of a record.
fn encode(record: &Record) -> Result<(String, String, i64)> {
    let data = serde_json::to_string(&record.data).map_err(|e| Error::Encode(e.to_string()))?;
    let expires = (record.expiry_date.unix_timestamp_nanos() / 1_000_000) as i64;
    Ok((stored_key(&record.id), data, expires))
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        // Ids are random 128-bit values; on the freak collision, draw another.
        for _ in 0..8 {
            let (id, data, expires) = encode(record)?;
            match self.store.session_insert(&id, &data, expires).await {
                Ok(()) => return Ok(()),
                Err(DbError::Conflict) => record.id = Id::default(),
                Err(error) => return Err(backend(error)),
            }
        }
        Err(Error::Backend("could not allocate a session id".into()))
    }

    async fn save(&self, record: &Record) -> Result<()> {
        let (id, data, expires) = encode(record)?;
        self.store
            .session_save(&id, &data, expires)
            .await
            .map_err(backend)
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let Some(data) = self
            .store
            .session_load(&stored_key(id), crate::db::now_millis())
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let data = serde_json::from_str(&data).map_err(|e| Error::Decode(e.to_string()))?;
        // The stored expiry is enforced by the query; the manager sets a fresh one on save.
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date: tower_sessions::cookie::time::OffsetDateTime::now_utc()
                + tower_sessions::cookie::time::Duration::minutes(super::IDLE_TIMEOUT_MINUTES),
        }))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        self.store
            .session_delete(&stored_key(id))
            .await
            .map_err(backend)
    }
}
