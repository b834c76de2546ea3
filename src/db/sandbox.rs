//! The Meta simulator's storage: JSON documents by kind and id, with optimistic versions.

use async_trait::async_trait;

use super::engine::{query, query_as};
use super::*;

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

/// The simulator's documents.
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

#[async_trait]
impl SandboxStore for SqlStore {
    async fn sandbox_get(&self, kind: &str, id: &str) -> DbResult<Option<SandboxObject>> {
        Ok(query_as(
            "SELECT kind, id, parent, data, version, updated_at
                 FROM sandbox_objects WHERE kind = $1 AND id = $2",
        )
        .bind(kind)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn sandbox_insert(
        &self,
        kind: &str,
        id: &str,
        parent: Option<&str>,
        data: &str,
    ) -> DbResult<()> {
        query(
            "INSERT INTO sandbox_objects (kind, id, parent, data, version, updated_at)
                 VALUES ($1, $2, $3, $4, 1, $5)",
        )
        .bind(kind)
        .bind(id)
        .bind(parent)
        .bind(data)
        .bind(now_millis())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn sandbox_update(
        &self,
        kind: &str,
        id: &str,
        data: &str,
        expected_version: i64,
    ) -> DbResult<bool> {
        let done = query(
            "UPDATE sandbox_objects SET data = $1, version = version + 1, updated_at = $2
                 WHERE kind = $3 AND id = $4 AND version = $5",
        )
        .bind(data)
        .bind(now_millis())
        .bind(kind)
        .bind(id)
        .bind(expected_version)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn sandbox_list(
        &self,
        kind: &str,
        parent: Option<&str>,
        after_id: Option<&str>,
        limit: i64,
    ) -> DbResult<Vec<SandboxObject>> {
        Ok(query_as(
            "SELECT kind, id, parent, data, version, updated_at FROM sandbox_objects
                 WHERE kind = $1 AND ($2 IS NULL OR parent = $2) AND ($3 IS NULL OR id > $3)
                 ORDER BY id LIMIT $4",
        )
        .bind(kind)
        .bind(parent)
        .bind(after_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn sandbox_delete(&self, kind: &str, id: &str) -> DbResult<bool> {
        let done = query("DELETE FROM sandbox_objects WHERE kind = $1 AND id = $2")
            .bind(kind)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
