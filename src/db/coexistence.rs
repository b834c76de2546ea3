//! The coexistence sync of each WABA (migration 000026, docs/meta/coexistence-sync.md): the
//! 24-hour window, the two `smb_app_data` requests (each made once), and the webhooks that
//! answer them, counted in the same transaction as the change that brings them
//! (`changes.rs`).

use async_trait::async_trait;

use super::engine::{query, query_as, Tx};
use super::*;

/// Meta's window to ask for the contacts and the history after onboarding.
pub const WINDOW_MILLIS: Millis = 24 * 60 * 60 * 1000;

/// One WABA's sync.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct CoexistenceSync {
    pub waba_id: i64,
    pub started_at: Option<Millis>,
    pub contacts_request_id: Option<String>,
    pub contacts_requested_at: Option<Millis>,
    pub history_request_id: Option<String>,
    pub history_requested_at: Option<Millis>,
    pub contact_webhooks: i64,
    pub contacts: i64,
    pub history_webhooks: i64,
    pub history_messages: i64,
    pub history_progress: Option<i64>,
    pub history_error: Option<String>,
    pub echoes: i64,
    pub updated_at: Millis,
}

/// Which of Meta's two syncs (`sync_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncType {
    Contacts,
    History,
}

impl SyncType {
    /// Meta's `sync_type` value.
    pub fn as_str(self) -> &'static str {
        match self {
            SyncType::Contacts => "smb_app_state_sync",
            SyncType::History => "history",
        }
    }
}

/// What one coexistence webhook adds to the counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoexistenceWebhook {
    /// `smb_app_state_sync`: this many contact entries.
    Contacts(i64),
    /// `history`: this many messages, the highest `progress` in it, or Meta's error.
    History {
        messages: i64,
        progress: Option<i64>,
        error: Option<String>,
    },
    /// `smb_message_echoes`: this many messages sent from the Business app.
    Echoes(i64),
}

const COLUMNS: &str = "SELECT waba_id, started_at, contacts_request_id, contacts_requested_at,
        history_request_id, history_requested_at, contact_webhooks, contacts,
        history_webhooks, history_messages, history_progress, history_error, echoes,
        updated_at
     FROM coexistence_syncs";

/// Coexistence syncs.
#[async_trait]
pub trait CoexistenceStore: Send + Sync + 'static {
    /// The WABA's sync, if any.
    async fn coexistence_get(&self, waba_id: i64) -> DbResult<Option<CoexistenceSync>>;
    /// Starts the 24-hour window at `now` unless it started before; the sync as it is.
    async fn coexistence_start(&self, waba_id: i64, now: Millis) -> DbResult<CoexistenceSync>;
    /// Records that Meta accepted the `sync` request (its `request_id`).
    async fn coexistence_requested(
        &self,
        waba_id: i64,
        sync: SyncType,
        request_id: &str,
        now: Millis,
    ) -> DbResult<()>;
}

#[async_trait]
impl CoexistenceStore for SqlStore {
    async fn coexistence_get(&self, waba_id: i64) -> DbResult<Option<CoexistenceSync>> {
        Ok(query_as(format!("{COLUMNS} WHERE waba_id = $1"))
            .bind(waba_id)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn coexistence_start(&self, waba_id: i64, now: Millis) -> DbResult<CoexistenceSync> {
        query(
            "INSERT INTO coexistence_syncs (waba_id, started_at, updated_at) VALUES ($1, $2, $2)
             ON CONFLICT (waba_id) DO UPDATE SET
                started_at = COALESCE(coexistence_syncs.started_at, excluded.started_at)",
        )
        .bind(waba_id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(query_as(format!("{COLUMNS} WHERE waba_id = $1"))
            .bind(waba_id)
            .fetch_one(&self.pool)
            .await?)
    }

    async fn coexistence_requested(
        &self,
        waba_id: i64,
        sync: SyncType,
        request_id: &str,
        now: Millis,
    ) -> DbResult<()> {
        let statement = match sync {
            SyncType::Contacts => {
                "UPDATE coexistence_syncs SET contacts_request_id = $1,
                        contacts_requested_at = $2, updated_at = $2 WHERE waba_id = $3"
            }
            SyncType::History => {
                "UPDATE coexistence_syncs SET history_request_id = $1,
                        history_requested_at = $2, updated_at = $2 WHERE waba_id = $3"
            }
        };
        query(statement)
            .bind(request_id)
            .bind(now)
            .bind(waba_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// Counts one coexistence webhook for the WABA `meta_waba_id` (a row is made for a WABA whose
/// sync the portal did not start, e.g. one onboarded elsewhere).
pub(super) async fn count(
    tx: &mut Tx,
    meta_waba_id: &str,
    webhook: &CoexistenceWebhook,
    now: Millis,
) -> DbResult<()> {
    let waba: Option<i64> =
        super::engine::query_scalar("SELECT id FROM wabas WHERE meta_waba_id = $1")
            .bind(meta_waba_id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some(waba_id) = waba else {
        return Ok(());
    };
    query(
        "INSERT INTO coexistence_syncs (waba_id, updated_at) VALUES ($1, $2)
         ON CONFLICT (waba_id) DO NOTHING",
    )
    .bind(waba_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let statement = match webhook {
        CoexistenceWebhook::Contacts(n) => query(
            "UPDATE coexistence_syncs SET contact_webhooks = contact_webhooks + 1,
                    contacts = contacts + $1, updated_at = $2 WHERE waba_id = $3",
        )
        .bind(*n),
        CoexistenceWebhook::Echoes(n) => query(
            "UPDATE coexistence_syncs SET echoes = echoes + $1, updated_at = $2
              WHERE waba_id = $3",
        )
        .bind(*n),
        CoexistenceWebhook::History {
            messages,
            progress,
            error,
        } => query(
            "UPDATE coexistence_syncs SET history_webhooks = history_webhooks + 1,
                    history_messages = history_messages + $1,
                    history_progress = CASE WHEN $2 IS NULL THEN history_progress
                        WHEN history_progress IS NULL OR history_progress < $2 THEN $2
                        ELSE history_progress END,
                    history_error = COALESCE($3, history_error),
                    updated_at = $4 WHERE waba_id = $5",
        )
        .bind(*messages)
        .bind(*progress)
        .bind(error.clone()),
    };
    statement.bind(now).bind(waba_id).execute(&mut *tx).await?;
    Ok(())
}
