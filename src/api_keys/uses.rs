//! The record of every partner API request: appended in batches by one writer task, so the
//! hot path only puts a row on a channel (a write per request would cap the API at what one
//! SQLite writer commits one by one).
//!
//! What a crash can lose: the uses of the last ~200 ms not yet committed. Uses that matter
//! more than a read (the token hand-off) also go to the staff audit log synchronously.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::db::{ApiKeyStore, ApiKeyUse};

/// Most uses queued before senders wait (back-pressure, never a silent drop).
const QUEUE: usize = 20_000;
/// Most uses per transaction.
const BATCH: usize = 2_000;
/// How long the writer gathers uses before committing what it has.
const LINGER: Duration = Duration::from_millis(200);

#[derive(Clone)]
pub struct UseRecorder {
    sender: mpsc::Sender<ApiKeyUse>,
}

impl UseRecorder {
    /// The recorder and its writer task (run it until `stop`; it drains what is queued).
    pub fn new(
        store: Arc<dyn ApiKeyStore>,
        stop: CancellationToken,
    ) -> (Self, impl std::future::Future<Output = ()>) {
        let (sender, receiver) = mpsc::channel(QUEUE);
        (Self { sender }, write_uses(store, receiver, stop))
    }

    pub async fn record(&self, key_use: ApiKeyUse) {
        if self.sender.send(key_use).await.is_err() {
            tracing::warn!("API key use not recorded: the recorder has stopped");
        }
    }
}

async fn write_uses(
    store: Arc<dyn ApiKeyStore>,
    mut receiver: mpsc::Receiver<ApiKeyUse>,
    stop: CancellationToken,
) {
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        let first = tokio::select! {
            first = receiver.recv() => first,
            _ = stop.cancelled() => { receiver.close(); receiver.recv().await }
        };
        let Some(first) = first else { break };
        batch.push(first);
        let deadline = tokio::time::Instant::now() + LINGER;
        while batch.len() < BATCH {
            match tokio::time::timeout_at(deadline, receiver.recv()).await {
                Ok(Some(next)) => batch.push(next),
                Ok(None) | Err(_) => break,
            }
        }
        commit(store.as_ref(), &mut batch).await;
    }
    commit(store.as_ref(), &mut batch).await;
}

/// Commits `batch`, retrying a failed commit a few times before giving up on it (logged).
async fn commit(store: &dyn ApiKeyStore, batch: &mut Vec<ApiKeyUse>) {
    if batch.is_empty() {
        return;
    }
    for attempt in 1..=5 {
        match store.record_api_key_uses(batch).await {
            Ok(()) => {
                batch.clear();
                return;
            }
            Err(error) if attempt < 5 => {
                tracing::warn!(%error, attempt, "API key uses not committed yet; retrying");
                tokio::time::sleep(Duration::from_millis(100 * attempt)).await;
            }
            Err(error) => {
                tracing::error!(%error, lost = batch.len(), "API key uses could not be recorded");
            }
        }
    }
    batch.clear();
}
