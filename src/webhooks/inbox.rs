//! Where verified deliveries go before Meta gets its 200.
//!
//! [`GroupCommitInbox`] funnels concurrent deliveries through one writer task that commits
//! whatever has queued up as a single transaction: one fsync for many deliveries, so throughput
//! does not hang on the disk's per-commit latency, while every request still waits for its own
//! row to be durable before it is acknowledged.

use std::sync::Arc;

use async_trait::async_trait;
use axum::body::Bytes;
use tokio::sync::{mpsc, oneshot};

use crate::db::{now_millis, InboxStore};

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InboxError {
    #[error("the webhook inbox could not store the delivery")]
    Unavailable,
}

#[async_trait]
pub trait Inbox: Send + Sync + 'static {
    /// Returns once `body` is durably stored (or could not be).
    async fn store(&self, body: Bytes) -> Result<(), InboxError>;
}

struct Pending {
    body: Bytes,
    stored: oneshot::Sender<Result<(), InboxError>>,
}

/// Batches concurrent deliveries into one transaction each round.
pub struct GroupCommitInbox {
    queue: mpsc::Sender<Pending>,
}

impl GroupCommitInbox {
    /// Returns the inbox and its writer, a future the caller spawns. The writer runs until the
    /// inbox is dropped (the router goes away at shutdown), committing what is queued first.
    pub fn new(
        repo: Arc<dyn InboxStore>,
        max_batch: usize,
    ) -> (Self, impl std::future::Future<Output = ()> + Send + 'static) {
        let (queue, receiver) = mpsc::channel(max_batch * 4);
        let writer = async move {
            // The writer gets a thread of its own, driving the runtime's I/O from there: on the
            // shared workers each of its awaits (connection, insert, commit) waited behind
            // every ready HTTP task, stretching a commit round to milliseconds while the
            // database was idle.
            let runtime = tokio::runtime::Handle::current();
            let thread = tokio::task::spawn_blocking(move || {
                runtime.block_on(write_batches(repo, receiver, max_batch))
            });
            if let Err(error) = thread.await {
                tracing::error!(%error, "the webhook inbox writer stopped");
            }
        };
        (Self { queue }, writer)
    }
}

#[async_trait]
impl Inbox for GroupCommitInbox {
    async fn store(&self, body: Bytes) -> Result<(), InboxError> {
        let (stored, outcome) = oneshot::channel();
        self.queue
            .send(Pending { body, stored })
            .await
            .map_err(|_| InboxError::Unavailable)?;
        outcome.await.unwrap_or(Err(InboxError::Unavailable))
    }
}

async fn write_batches(
    repo: Arc<dyn InboxStore>,
    mut receiver: mpsc::Receiver<Pending>,
    max_batch: usize,
) {
    let mut batch = Vec::with_capacity(max_batch);
    while receiver.recv_many(&mut batch, max_batch).await > 0 {
        let bodies: Vec<&[u8]> = batch.iter().map(|p| p.body.as_ref()).collect();
        let result = repo
            .insert_webhooks(&bodies, now_millis())
            .await
            .map(|_| ())
            .map_err(|error| {
                tracing::error!(%error, deliveries = bodies.len(), "webhook inbox commit failed");
                InboxError::Unavailable
            });
        for pending in batch.drain(..) {
            // The request may have gone away (client disconnect); the row is stored anyway.
            let _ = pending.stored.send(result);
        }
    }
}

/// Acknowledges without storing. Only for the benchmark's ceiling run, which measures the
/// HTTP path alone; never wired into a serving portal.
pub struct DiscardInbox;

#[async_trait]
impl Inbox for DiscardInbox {
    async fn store(&self, _body: Bytes) -> Result<(), InboxError> {
        Ok(())
    }
}
