//! Sends the inbox to each destination: one task per destination this instance holds the
//! lease of, so a destination that times out, resets or answers 500 never delays the others.
//!
//! A round reads the inbox after the destination's cursor, sends the deliveries its fields
//! match (several at once), and in one transaction moves the cursor and records each failure
//! as a retry of its own (exponential backoff with full jitter, capped at an hour). A crash
//! before that transaction sends the round again: at least once, never skipped. Retries that
//! keep failing for [`GIVE_UP_AFTER`] (72 h, as Meta retries) pause the destination, with the
//! reason on it, for staff to resume.
//!
//! Inbox ids are handed out before commit, so on PostgreSQL (several writers) a smaller id can
//! become visible after a larger one. A round stops before a gap in the ids unless the delivery
//! after it is older than [`SETTLE`]: a gap that old is a rolled-back insert, not a slow one.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures::stream::{self, StreamExt};
use secrecy::{ExposeSecret, SecretString};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::{standard_webhooks, Fields, Signing};
use crate::crypto::KeyRing;
use crate::db::{
    now_millis, Millis, RelayDestinationRow, RelayFailure, RelayProgress, RelayStore, SecretStore,
};
use crate::jobs::backoff::full_jitter;

/// The stores the relay reads and writes.
pub trait Stores: RelayStore + SecretStore {}
impl<T: RelayStore + SecretStore> Stores for T {}

pub const GIVE_UP_AFTER: Duration = Duration::from_secs(72 * 3600);
pub const SETTLE: Duration = Duration::from_secs(2);
/// Renewed every second; an instance killed mid-round holds its destinations this long.
const LEASE: Duration = Duration::from_secs(5);
const BATCH: i64 = 500;
const IN_FLIGHT: usize = 32;
const TIMEOUT: Duration = Duration::from_secs(10);
const RETRY_BASE: Duration = Duration::from_secs(1);
const RETRY_CAP: Duration = Duration::from_secs(3600);

#[derive(Clone)]
pub struct Relay {
    store: Arc<dyn Stores>,
    http: reqwest::Client,
    app_secret: Arc<SecretString>,
    keys: Arc<KeyRing>,
    owner: String,
    idle: Duration,
}

impl Relay {
    pub fn new(store: Arc<dyn Stores>, app_secret: Arc<SecretString>, keys: Arc<KeyRing>) -> Self {
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("mm-portal-relay/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("a reqwest client with a timeout builds");
        Self {
            store,
            http,
            app_secret,
            keys,
            owner: format!("relay-{}", uuid::Uuid::new_v4()),
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
            match self
                .store
                .lease_relay_destinations(&self.owner, until, now)
                .await
            {
                Ok(rows) => {
                    running.retain(|_, task| !task.is_finished());
                    for row in rows {
                        running.entry(row.id).or_insert_with(|| {
                            tokio::spawn(self.clone().destination(row.id, shutdown.child_token()))
                        });
                    }
                }
                Err(error) => tracing::warn!(%error, "the relay could not lease destinations"),
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
        while !shutdown.is_cancelled() {
            let busy = match self.store.relay_destination(id).await {
                Ok(Some(row)) if row.state == "active" => match self.round(&row).await {
                    Ok(sent) => sent,
                    Err(error) => {
                        tracing::warn!(destination = id, %error, "relay round failed");
                        false
                    }
                },
                Ok(_) => return,
                Err(error) => {
                    tracing::warn!(destination = id, %error, "relay could not read its destination");
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

    /// Sends due retries, then the next deliveries after the cursor; `true` if it found work.
    pub async fn round(&self, row: &RelayDestinationRow) -> Result<bool, String> {
        let signer = self.signer(row).await?;
        let fields = Fields::from_json(&row.fields);
        let retried = self.retry_due(row, &signer).await?;
        let now = now_millis();
        let items = self
            .store
            .relay_batch(row.relayed_through, BATCH)
            .await
            .map_err(|e| e.to_string())?;
        let settled = settled_prefix(row.relayed_through, &items, now);
        let Some(last) = settled.last() else {
            return Ok(retried);
        };
        let through = last.id;
        // Owned, so the sends below borrow nothing from the batch.
        let wanted: Vec<_> = settled
            .iter()
            .filter(|i| fields.matches(&i.body))
            .cloned()
            .collect();
        let results: Vec<(i64, Millis, Result<(), String>)> = stream::iter(wanted)
            .map(|item| {
                let signer = &signer;
                async move {
                    let outcome = self.send(row, signer, item.id, &item.body).await;
                    (item.id, item.received_at, outcome)
                }
            })
            .buffer_unordered(IN_FLIGHT)
            .collect()
            .await;
        let at = now_millis();
        let mut progress = RelayProgress {
            through,
            at,
            ..Default::default()
        };
        for (inbox_id, received_at, outcome) in results {
            match outcome {
                Ok(()) => {
                    progress.delivered += 1;
                    let lag = at - received_at;
                    progress.last_lag_ms = Some(progress.last_lag_ms.map_or(lag, |l| l.max(lag)));
                }
                Err(error) => progress.failures.push(RelayFailure {
                    inbox_id,
                    next_at: at + full_jitter(0, RETRY_BASE, RETRY_CAP).as_millis() as i64,
                    error,
                }),
            }
        }
        progress.failures.sort_by_key(|f| f.inbox_id);
        self.store
            .record_relay_progress(row.id, &progress)
            .await
            .map_err(|e| e.to_string())?;
        Ok(true)
    }

    async fn retry_due(&self, row: &RelayDestinationRow, signer: &Signer) -> Result<bool, String> {
        let due = self
            .store
            .due_relay_retries(row.id, now_millis(), BATCH)
            .await
            .map_err(|e| e.to_string())?;
        let found = !due.is_empty();
        let results: Vec<_> = stream::iter(due)
            .map(|retry| async move {
                let outcome = self.send(row, signer, retry.inbox_id, &retry.body).await;
                (retry, outcome)
            })
            .buffer_unordered(IN_FLIGHT)
            .collect()
            .await;
        for (retry, outcome) in results {
            let at = now_millis();
            let failure = outcome.err().map(|error| RelayFailure {
                inbox_id: retry.inbox_id,
                next_at: at
                    + full_jitter(retry.attempts as u32, RETRY_BASE, RETRY_CAP).as_millis() as i64,
                error,
            });
            self.store
                .finish_relay_retry(row.id, retry.inbox_id, failure.as_ref(), at)
                .await
                .map_err(|e| e.to_string())?;
            if let Some(failure) = &failure {
                if at - retry.first_failed_at >= GIVE_UP_AFTER.as_millis() as i64 {
                    let reason = format!(
                        "delivery {} has failed for 72 hours (last: {})",
                        retry.inbox_id, failure.error
                    );
                    tracing::error!(destination = row.id, %reason, "relay destination paused");
                    self.store
                        .set_relay_paused(row.id, Some(&reason))
                        .await
                        .map_err(|e| e.to_string())?;
                    return Ok(found);
                }
            }
        }
        Ok(found)
    }

    async fn signer(&self, row: &RelayDestinationRow) -> Result<Signer, String> {
        match Signing::parse(&row.signing) {
            Some(Signing::Own) => {
                let slot = super::secret_slot(row.id);
                let sealed = self
                    .store
                    .get_secret(&slot)
                    .await
                    .map_err(|e| e.to_string())?
                    .ok_or("the destination's signing secret is missing")?;
                let secret = self
                    .keys
                    .open(&slot, &sealed)
                    .map_err(|e| format!("the destination's signing secret: {e}"))?;
                standard_webhooks::key(secret.expose_secret())
                    .map(Signer::Own)
                    .ok_or_else(|| "the destination's signing secret is not whsec_".into())
            }
            _ => Ok(Signer::Meta(self.app_secret.clone())),
        }
    }

    /// One POST of the exact stored bytes; any 2xx is a delivery.
    async fn send(
        &self,
        row: &RelayDestinationRow,
        signer: &Signer,
        inbox_id: i64,
        body: &[u8],
    ) -> Result<(), String> {
        let mut request = self
            .http
            .post(&row.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json");
        match signer {
            Signer::Meta(secret) => {
                request = request.header(
                    crate::webhooks::signature::HEADER,
                    crate::webhooks::signature::sign(secret, body),
                );
            }
            Signer::Own(key) => {
                let id = format!("relay_{inbox_id}");
                let timestamp = now_millis() / 1000;
                request = request
                    .header(standard_webhooks::ID, &id)
                    .header(standard_webhooks::TIMESTAMP, timestamp.to_string())
                    .header(
                        standard_webhooks::SIGNATURE,
                        standard_webhooks::sign(key, &id, timestamp, body),
                    );
            }
        }
        match request.body(body.to_vec()).send().await {
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

enum Signer {
    Meta(Arc<SecretString>),
    Own(Vec<u8>),
}

/// The deliveries a round may send: consecutive ids after `cursor`, or past a gap once the
/// delivery after it is older than [`SETTLE`].
fn settled_prefix(
    cursor: i64,
    items: &[crate::db::RelayItem],
    now: Millis,
) -> &[crate::db::RelayItem] {
    let mut expected = cursor + 1;
    for (index, item) in items.iter().enumerate() {
        if item.id != expected && now - item.received_at < SETTLE.as_millis() as i64 {
            return &items[..index];
        }
        expected = item.id + 1;
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::RelayItem;

    fn item(id: i64, received_at: Millis) -> RelayItem {
        RelayItem {
            id,
            received_at,
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
