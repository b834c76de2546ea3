//! The simulator's objects in its store (`SandboxStore`: JSON documents by kind and id, with
//! a version for optimistic updates), read and written the way every handler needs them:
//! decoded, with store failures turned into Graph's transient error.

use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::errors::{self, SimError};
use super::SandboxState;
use crate::db::{DbError, SandboxObject};

/// The store key of a token: its SHA-256, so the simulator's tables hold no usable token.
pub fn token_key(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The object `kind`/`id` and its version, decoded; `None` when there is none.
pub async fn load<T: DeserializeOwned>(
    state: &SandboxState,
    kind: &str,
    id: &str,
) -> Result<Option<(T, i64)>, SimError> {
    let stored = state
        .store
        .sandbox_get(kind, id)
        .await
        .map_err(errors::store)?;
    match stored {
        Some(object) => serde_json::from_str(&object.data)
            .map(|value| Some((value, object.version)))
            .map_err(|_| errors::internal()),
        None => Ok(None),
    }
}

/// An object's stored form (JSON).
pub fn encode<T: Serialize>(value: &T) -> Result<String, SimError> {
    serde_json::to_string(value).map_err(|_| errors::internal())
}

/// Every stored object of `kind` (under `parent`, when given), in id order, page by page.
pub async fn list_all(
    state: &SandboxState,
    kind: &str,
    parent: Option<&str>,
) -> Result<Vec<SandboxObject>, SimError> {
    const PAGE: i64 = 100;
    let mut objects = Vec::new();
    loop {
        let after = objects.last().map(|o: &SandboxObject| o.id.clone());
        let page = state
            .store
            .sandbox_list(kind, parent, after.as_deref(), PAGE)
            .await
            .map_err(errors::store)?;
        let full = page.len() as i64 == PAGE;
        objects.extend(page);
        if !full {
            return Ok(objects);
        }
    }
}

/// Every stored object of `kind` (under `parent`, when given), decoded, in id order.
pub async fn list_decoded<T: DeserializeOwned>(
    state: &SandboxState,
    kind: &str,
    parent: Option<&str>,
) -> Result<Vec<T>, SimError> {
    list_all(state, kind, parent)
        .await?
        .iter()
        .map(|object| serde_json::from_str(&object.data).map_err(|_| errors::internal()))
        .collect()
}

/// A read-modify-write of `kind`/`id` under the store's version check: `change` edits the
/// decoded object and says what to return (`None`: leave it as it is); the write happens only
/// if no one else wrote the object in between, else it is read again, up to `tries` times.
/// `Ok(None)` when there is no such object (or it cannot be decoded), `change` declined, or
/// every try lost the race.
pub async fn update<T, R>(
    state: &SandboxState,
    kind: &str,
    id: &str,
    tries: usize,
    mut change: impl FnMut(&mut T) -> Option<R>,
) -> Result<Option<R>, SimError>
where
    T: Serialize + DeserializeOwned,
{
    for _ in 0..tries {
        let Some(stored) = state
            .store
            .sandbox_get(kind, id)
            .await
            .map_err(errors::store)?
        else {
            return Ok(None);
        };
        let Ok(mut object) = serde_json::from_str::<T>(&stored.data) else {
            return Ok(None);
        };
        let Some(outcome) = change(&mut object) else {
            return Ok(None);
        };
        // Two writers racing: exactly one of them wins the version check.
        if state
            .store
            .sandbox_update(kind, id, &encode(&object)?, stored.version)
            .await
            .map_err(errors::store)?
        {
            return Ok(Some(outcome));
        }
    }
    Ok(None)
}

/// Creates `kind`/`id` or rewrites it, from what is stored (`None`: nothing yet), under the
/// store's version check (or its unique key, for a creation), reading again up to `tries`
/// times; `Ok(false)` when every try lost the race.
pub async fn upsert(
    state: &SandboxState,
    kind: &str,
    id: &str,
    tries: usize,
    mut next: impl FnMut(Option<&str>) -> Result<String, SimError>,
) -> Result<bool, SimError> {
    for _ in 0..tries {
        let stored = state
            .store
            .sandbox_get(kind, id)
            .await
            .map_err(errors::store)?;
        let data = next(stored.as_ref().map(|object| object.data.as_str()))?;
        let written = match stored {
            Some(object) => state
                .store
                .sandbox_update(kind, id, &data, object.version)
                .await
                .map_err(errors::store)?,
            None => match state.store.sandbox_insert(kind, id, None, &data).await {
                Ok(()) => true,
                Err(DbError::Conflict) => false,
                Err(e) => return Err(errors::store(e)),
            },
        };
        if written {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Stores `data` as `kind`/`id`, replacing what was there (tester settings: the last one
/// set wins).
pub async fn replace(
    state: &SandboxState,
    kind: &str,
    id: &str,
    parent: Option<&str>,
    data: &str,
) -> Result<(), DbError> {
    state.store.sandbox_delete(kind, id).await?;
    state.store.sandbox_insert(kind, id, parent, data).await
}
