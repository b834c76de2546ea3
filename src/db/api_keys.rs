//! Keys of the partner API and the record of their uses.

use async_trait::async_trait;

use super::engine::{query, query_as, query_scalar};
use super::*;

/// The columns of [`ApiKeyRow`].
const KEY_COLUMNS: &str = "id, name, prefix, secret_hash, scopes, created_by, created_at,
                           last_used_at, expires_at, revoked_at, replaced_by";

/// Partner API keys.
#[async_trait]
pub trait ApiKeyStore: Send + Sync + 'static {
    async fn create_api_key(&self, key: &NewApiKey) -> DbResult<ApiKeyRow>;
    /// The key whose public prefix is `prefix`, revoked or not.
    async fn api_key_by_prefix(&self, prefix: &str) -> DbResult<Option<ApiKeyRow>>;
    async fn api_key_by_id(&self, id: i64) -> DbResult<Option<ApiKeyRow>>;
    /// Every key, newest first (a partner has a handful).
    async fn list_api_keys(&self) -> DbResult<Vec<ApiKeyRow>>;
    /// Ends the key at once; `false` when it was already revoked or does not exist.
    async fn revoke_api_key(&self, id: i64, at: Millis) -> DbResult<bool>;
    /// Makes `new` and lets key `old` work until `old_expires_at`, in one transaction;
    /// `None` when `old` is revoked, already replaced or does not exist.
    async fn rotate_api_key(
        &self,
        old: i64,
        old_expires_at: Millis,
        new: &NewApiKey,
    ) -> DbResult<Option<ApiKeyRow>>;
    /// Appends uses and moves each key's `last_used_at`, in one transaction.
    async fn record_api_key_uses(&self, uses: &[ApiKeyUse]) -> DbResult<()>;
    /// The newest uses of one key.
    async fn api_key_uses(&self, key_id: i64, limit: i64) -> DbResult<Vec<ApiKeyUseRow>>;
}

/// Rows per INSERT of uses (9 arguments each, under both engines' placeholder limits).
const USES_PER_STATEMENT: usize = 400;

#[async_trait]
impl ApiKeyStore for SqlStore {
    async fn create_api_key(&self, key: &NewApiKey) -> DbResult<ApiKeyRow> {
        let mut tx = self.pool.begin().await?;
        let row = insert_key(&mut tx, key).await?;
        tx.commit().await?;
        Ok(row)
    }

    async fn api_key_by_prefix(&self, prefix: &str) -> DbResult<Option<ApiKeyRow>> {
        query_as(format!(
            "SELECT {KEY_COLUMNS} FROM api_keys WHERE prefix = $1"
        ))
        .bind(prefix)
        .fetch_optional(&self.pool)
        .await
    }

    async fn api_key_by_id(&self, id: i64) -> DbResult<Option<ApiKeyRow>> {
        query_as(format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
    }

    async fn list_api_keys(&self) -> DbResult<Vec<ApiKeyRow>> {
        query_as(format!(
            "SELECT {KEY_COLUMNS} FROM api_keys ORDER BY id DESC LIMIT 1000"
        ))
        .fetch_all(&self.pool)
        .await
    }

    async fn revoke_api_key(&self, id: i64, at: Millis) -> DbResult<bool> {
        let done =
            query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(at)
                .bind(id)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn rotate_api_key(
        &self,
        old: i64,
        old_expires_at: Millis,
        new: &NewApiKey,
    ) -> DbResult<Option<ApiKeyRow>> {
        let mut tx = self.pool.begin().await?;
        let row = insert_key(&mut tx, new).await?;
        let done = query(
            "UPDATE api_keys SET replaced_by = $1,
                    expires_at = CASE WHEN expires_at IS NULL OR expires_at > $2
                                      THEN $2 ELSE expires_at END
              WHERE id = $3 AND revoked_at IS NULL AND replaced_by IS NULL",
        )
        .bind(row.id)
        .bind(old_expires_at)
        .bind(old)
        .execute(&mut tx)
        .await?;
        if done.rows_affected() != 1 {
            // Dropping the transaction rolls the new key back.
            return Ok(None);
        }
        tx.commit().await?;
        Ok(Some(row))
    }

    async fn record_api_key_uses(&self, uses: &[ApiKeyUse]) -> DbResult<()> {
        if uses.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await?;
        for chunk in uses.chunks(USES_PER_STATEMENT) {
            let mut insert = query(
                "INSERT INTO api_key_uses (key_id, scope, method, route, status, ip, used_at) ",
            );
            insert.push_values(chunk, |row, u| {
                row.bind(u.key_id)
                    .bind(u.scope.clone())
                    .bind(u.method.clone())
                    .bind(u.route.clone())
                    .bind(u.status)
                    .bind(u.ip.clone())
                    .bind(u.used_at);
            });
            insert.execute(&mut tx).await?;
        }
        let mut last: Vec<(i64, Millis)> = Vec::new();
        for u in uses {
            match last.iter_mut().find(|(id, _)| *id == u.key_id) {
                Some((_, at)) => *at = (*at).max(u.used_at),
                None => last.push((u.key_id, u.used_at)),
            }
        }
        for (id, at) in last {
            query(
                "UPDATE api_keys SET last_used_at = $1
                  WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $1)",
            )
            .bind(at)
            .bind(id)
            .execute(&mut tx)
            .await?;
        }
        tx.commit().await
    }

    async fn api_key_uses(&self, key_id: i64, limit: i64) -> DbResult<Vec<ApiKeyUseRow>> {
        query_as(
            "SELECT id, key_id, scope, method, route, status, ip, used_at FROM api_key_uses
              WHERE key_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(key_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
    }
}

async fn insert_key(tx: &mut engine::Tx, key: &NewApiKey) -> DbResult<ApiKeyRow> {
    let id: i64 = query_scalar(
        "INSERT INTO api_keys (name, prefix, secret_hash, scopes, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(&key.name)
    .bind(&key.prefix)
    .bind(&key.secret_hash)
    .bind(&key.scopes)
    .bind(&key.created_by)
    .bind(now_millis())
    .fetch_one(&mut *tx)
    .await?;
    query_as(format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE id = $1"))
        .bind(id)
        .fetch_one(&mut *tx)
        .await
}
