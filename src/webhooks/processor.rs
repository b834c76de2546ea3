//! Turns stored deliveries into applied changes, in the background.
//!
//! Every instance may run a processor: a change is recorded under its unique dedupe key in the
//! same transaction that applies its effect, so two processors handling the same delivery (or
//! Meta delivering it twice) apply it once. A delivery that cannot be split (not JSON) is
//! parked at once; one whose changes fail to apply is retried and parked after
//! [`MAX_ATTEMPTS`], with its error, for staff to look at and replay.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::changes;
use crate::db::DbResult;

/// The stores this module reads and writes.
pub trait Stores: crate::db::ChangeStore + crate::db::InboxStore + crate::db::JobStore {}
impl<T: crate::db::ChangeStore + crate::db::InboxStore + crate::db::JobStore> Stores for T {}

pub const MAX_ATTEMPTS: i64 = 5;

pub struct Processor {
    repo: Arc<dyn Stores>,
    poll_interval: Duration,
    batch: i64,
}

impl Processor {
    pub fn new(repo: Arc<dyn Stores>) -> Self {
        Self {
            repo,
            poll_interval: Duration::from_millis(200),
            batch: 200,
        }
    }

    /// Runs until `shutdown`; the delivery in hand is finished first.
    pub async fn run(self, shutdown: CancellationToken) {
        while !shutdown.is_cancelled() {
            let handled = match self.process_pending().await {
                Ok(count) => count,
                Err(error) => {
                    tracing::warn!(%error, "webhook processor could not read the inbox");
                    0
                }
            };
            if handled == 0 {
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = tokio::time::sleep(self.poll_interval) => {}
                }
            }
        }
    }

    /// Processes one batch of pending deliveries; returns how many were handled.
    pub async fn process_pending(&self) -> DbResult<usize> {
        let rows = self.repo.pending_webhooks(self.batch).await?;
        for row in &rows {
            let split = changes::split(row.id, &row.body, row.received_at);
            let changes = match split {
                Ok(changes) => changes,
                Err(error) => {
                    tracing::warn!(inbox = row.id, %error, "webhook delivery parked");
                    self.repo.park_webhook(row.id, &error.to_string()).await?;
                    continue;
                }
            };
            let mut failure = None;
            for change in &changes {
                match self.repo.apply_change(change).await {
                    Ok(applied) => {
                        if applied && change.effect == crate::db::ChangeEffect::TermsSigned {
                            if let Some(waba) = &change.meta_waba_id {
                                // Intent API onboardings need the business's new token now.
                                let _ =
                                    crate::operations::bisuat::enqueue(self.repo.as_ref(), waba)
                                        .await;
                            }
                        }
                    }
                    Err(error) => {
                        failure = Some(error);
                        break;
                    }
                }
            }
            match failure {
                None => self.repo.finish_webhook(row.id, Ok(())).await?,
                Some(error) if row.attempts + 1 >= MAX_ATTEMPTS => {
                    tracing::error!(inbox = row.id, %error, "webhook delivery parked after retries");
                    let message = format!("gave up after {MAX_ATTEMPTS} attempts: {error}");
                    self.repo.park_webhook(row.id, &message).await?
                }
                Some(error) => {
                    tracing::warn!(inbox = row.id, %error, "webhook delivery will be retried");
                    self.repo
                        .finish_webhook(row.id, Err(&error.to_string()))
                        .await?
                }
            }
        }
        Ok(rows.len())
    }
}
