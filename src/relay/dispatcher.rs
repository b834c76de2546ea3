//! Sends a [`Feed`] to its destinations: one task per destination this instance holds the
//! lease of, so a destination that times out, resets or answers 500 never delays the others.
//! The same dispatcher serves relay destinations (Meta's webhooks from the inbox) and event
//! endpoints (the portal's events from the outbox).
//!
//! A round reads the items after the destination's cursor, sends those its filter matches
//! (several at once), and in one transaction moves the cursor and records each failure as a
//! retry of its own (exponential backoff with full jitter, capped at an hour). A crash before
//! that transaction sends the round again: at least once, never skipped. Retries that keep
//! failing for [`GIVE_UP_AFTER`] (72 h, as Meta retries) pause the destination, with the
//! reason on it, for staff to resume.
//!
//! Ids are handed out before commit, so on PostgreSQL (several writers) a smaller id can
//! become visible after a larger one. A round stops before a gap in the ids unless the item
//! after it is older than [`SETTLE`]: a gap that old is a rolled-back insert, not a slow one.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures::stream::{self, StreamExt};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::feed::{Failure, Feed, Item, Progress, Signer, Target};
use super::standard_webhooks;
use crate::db::{now_millis, Millis};
use crate::jobs::backoff::full_jitter;

pub const GIVE_UP_AFTER: Duration = Duration::from_secs(72 * 3600);
pub const SETTLE: Duration = Duration::from_secs(2);
/// Renewed every second; an instance killed mid-round holds its destinations this long.
const LEASE: Duration = Duration::from_secs(5);
const BATCH: i64 = 2_000;
const IN_FLIGHT: usize = 32;
const TIMEOUT: Duration = Duration::from_secs(10);
const RETRY_BASE: Duration = Duration::from_secs(1);
const RETRY_CAP: Duration = Duration::from_secs(3600);
/// A destination's task reads its signing secret again this often (a rotation or a resume
/// is picked up without a restart).
const SIGNER_TTL: Duration = Duration::from_secs(1);

#[derive(Clone)]
pub struct Relay {
    feed: Arc<dyn Feed>,
    http: reqwest::Client,
    owner: String,
    idle: Duration,
}

impl Relay {
    pub fn new(feed: Arc<dyn Feed>) -> Self {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("mm-portal-relay/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("a reqwest client with a timeout builds");
        let owner = format!("{}-{}", feed.name(), uuid::Uuid::new_v4());
        Self {
            feed,
            http,
            owner,
            idle: Duration::from_millis(100),
        }
    }

    /// Leases destinations every second and keeps one task running per leased destination,
    /// until `shutdown` (each task finishes its round first).
    pub async fn run(self, shutdown: CancellationToken) {
        let mut running: HashMap<i64, JoinHandle<()>> = HashMap::new();
        loop {
            let now = now_millis();
            let until = now + LEASE.as_millis() as i64;
            match self.feed.lease(&self.owner, until, now).await {
                Ok(ids) => {
                    running.retain(|_, task| !task.is_finished());
                    for id in ids {
                        running.entry(id).or_insert_with(|| {
                            tokio::spawn(crate::db::profile::background(
                                self.clone().destination(id, shutdown.child_token()),
                            ))
                        });
                    }
                }
                Err(error) => {
                    tracing::warn!(feed = self.feed.name(), %error, "could not lease destinations")
                }
            }
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
        for (_, task) in running {
            let _ = task.await;
        }
    }

    /// One destination's loop: rounds until it is paused, deleted or `shutdown`.
    async fn destination(self, id: i64, shutdown: CancellationToken) {
        let mut signer: Option<(Signer, std::time::Instant)> = None;
        while !shutdown.is_cancelled() {
            let busy = match self.feed.target(id).await {
                Ok(Some(target)) if target.active => {
                    match self.round_with(&target, &mut signer).await {
                        Ok(sent) => sent,
                        Err(error) => {
                            tracing::warn!(feed = self.feed.name(), destination = id, %error, "round failed");
                            false
                        }
                    }
                }
                Ok(_) => return,
                Err(error) => {
                    tracing::warn!(feed = self.feed.name(), destination = id, %error, "could not read the destination");
                    false
                }
            };
            if !busy {
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(self.idle) => {}
                }
            }
        }
    }

    async fn round_with(
        &self,
        target: &Target,
        cached: &mut Option<(Signer, std::time::Instant)>,
    ) -> Result<bool, String> {
        let fresh = cached
            .as_ref()
            .is_some_and(|(_, read)| read.elapsed() < SIGNER_TTL);
        if !fresh {
            *cached = Some((self.feed.signer(target).await?, std::time::Instant::now()));
        }
        let (signer, _) = cached.as_ref().expect("just set");
        self.round(target, signer).await
    }

    /// Sends due retries, then the next items after the cursor; `true` if it found work.
    pub async fn round(&self, target: &Target, signer: &Signer) -> Result<bool, String> {
        let retried = self.retry_due(target, signer).await?;
        let now = now_millis();
        let items = self
            .feed
            .batch(target.cursor, BATCH)
            .await
            .map_err(|e| e.to_string())?;
        let settled = settled_prefix(target.cursor, &items, now);
        let Some(last) = settled.last() else {
            return Ok(retried);
        };
        let through = last.id;
        // Owned, so the sends below borrow nothing from the batch.
        let wanted: Vec<Item> = settled
            .iter()
            .filter(|i| target.filter.matches(i))
            .cloned()
            .collect();
        let results: Vec<(i64, Millis, Result<(), String>)> = stream::iter(wanted)
            .map(|item| async move {
                let outcome = self.send(target, signer, &item).await;
                (item.id, item.at, outcome)
            })
            .buffer_unordered(IN_FLIGHT)
            .collect()
            .await;
        let at = now_millis();
        let mut progress = Progress {
            from: target.cursor,
            through,
            at,
            ..Default::default()
        };
        for (item_id, stored_at, outcome) in results {
            match outcome {
                Ok(()) => {
                    progress.delivered.push(item_id);
                    let lag = at - stored_at;
                    progress.last_lag_ms = Some(progress.last_lag_ms.map_or(lag, |l| l.max(lag)));
                }
                Err(error) => progress.failures.push(Failure {
                    item_id,
                    next_at: at + full_jitter(0, RETRY_BASE, RETRY_CAP).as_millis() as i64,
                    error,
                }),
            }
        }
        progress.delivered.sort_unstable();
        progress.failures.sort_by_key(|f| f.item_id);
        self.feed
            .record(target.id, &progress)
            .await
            .map_err(|e| e.to_string())?;
        Ok(true)
    }

    async fn retry_due(&self, target: &Target, signer: &Signer) -> Result<bool, String> {
        let due = self
            .feed
            .due_retries(target.id, now_millis(), BATCH)
            .await
            .map_err(|e| e.to_string())?;
        let found = !due.is_empty();
        let results: Vec<_> = stream::iter(due)
            .map(|retry| async move {
                let outcome = self.send(target, signer, &retry.item).await;
                (retry, outcome)
            })
            .buffer_unordered(IN_FLIGHT)
            .collect()
            .await;
        for (retry, outcome) in results {
            let at = now_millis();
            let failure = outcome.err().map(|error| Failure {
                item_id: retry.item.id,
                next_at: at
                    + full_jitter(retry.attempts as u32, RETRY_BASE, RETRY_CAP).as_millis() as i64,
                error,
            });
            self.feed
                .finish_retry(target.id, retry.item.id, failure.as_ref(), at)
                .await
                .map_err(|e| e.to_string())?;
            if let Some(failure) = &failure {
                if at - retry.first_failed_at >= GIVE_UP_AFTER.as_millis() as i64 {
                    let reason = format!(
                        "{} has failed for 72 hours (last: {})",
                        retry.item.message_id, failure.error
                    );
                    tracing::error!(feed = self.feed.name(), destination = target.id, %reason, "destination paused");
                    self.feed
                        .pause(target.id, &reason)
                        .await
                        .map_err(|e| e.to_string())?;
                    return Ok(found);
                }
            }
        }
        Ok(found)
    }

    /// One POST of the exact stored bytes; any 2xx is a delivery.
    async fn send(&self, target: &Target, signer: &Signer, item: &Item) -> Result<(), String> {
        let mut request = self
            .http
            .post(&target.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json");
        match signer {
            Signer::Meta(secret) => {
                request = request.header(
                    crate::webhooks::signature::HEADER,
                    crate::webhooks::signature::sign(secret, &item.body),
                );
            }
            Signer::Own(keys) => {
                let timestamp = now_millis() / 1000;
                let signatures: Vec<String> = keys
                    .iter()
                    .map(|key| {
                        standard_webhooks::sign(key, &item.message_id, timestamp, &item.body)
                    })
                    .collect();
                request = request
                    .header(standard_webhooks::ID, &item.message_id)
                    .header(standard_webhooks::TIMESTAMP, timestamp.to_string())
                    .header(standard_webhooks::SIGNATURE, signatures.join(" "));
            }
        }
        match request.body(item.body.clone()).send().await {
            Ok(response) if response.status().is_success() => Ok(()),
            Ok(response) => Err(format!("the destination answered {}", response.status())),
            Err(error) if error.is_timeout() => {
                Err("the destination did not answer in 10 s".into())
            }
            Err(error) if error.is_connect() => Err("the destination could not be reached".into()),
            Err(_) => Err("the connection to the destination failed".into()),
        }
    }
}

/// The items a round may send: consecutive ids after `cursor`, or past a gap once the item
/// after it is older than [`SETTLE`].
fn settled_prefix(cursor: i64, items: &[Item], now: Millis) -> &[Item] {
    &items[..settled_len(cursor, items.iter().map(|i| (i.id, i.at)), now)]
}

/// How many of `(id, stored at)` in id order after `cursor` are safe to hand out: a reader
/// (the dispatcher, `GET /api/v1/events`) stops at a gap younger than [`SETTLE`], which may be
/// a transaction that has not committed yet.
pub fn settled_len(cursor: i64, ids: impl Iterator<Item = (i64, Millis)>, now: Millis) -> usize {
    let mut expected = cursor + 1;
    let mut count = 0;
    for (id, at) in ids {
        if id != expected && now - at < SETTLE.as_millis() as i64 {
            break;
        }
        expected = id + 1;
        count += 1;
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: i64, at: Millis) -> Item {
        Item {
            id,
            at,
            topic: String::new(),
            message_id: format!("relay_{id}"),
            body: Vec::new(),
        }
    }

    #[test]
    fn a_round_waits_at_a_fresh_gap_and_passes_an_old_one() {
        let now = 10_000;
        let items = [item(5, now), item(6, now), item(8, now), item(9, now)];
        assert_eq!(settled_prefix(4, &items, now).len(), 2);
        let items = [item(5, now), item(7, now - 3_000), item(8, now)];
        assert_eq!(settled_prefix(4, &items, now).len(), 3);
        assert_eq!(settled_prefix(1, &[item(5, now)], now).len(), 0);
        assert!(settled_prefix(4, &[], now).is_empty());
    }
}
