//! The relay's [`Feed`]: Meta's deliveries from the durable inbox, to relay destinations,
//! signed with the app secret (`meta`) or the destination's own secret (`own`).

use std::sync::Arc;

use async_trait::async_trait;
use secrecy::SecretString;

use super::feed::{open_key, Failure, Feed, Filter, Item, Progress, Retry, Signer, Target};
use super::{Fields, Signing};
use crate::crypto::KeyRing;
use crate::db::{DbResult, Millis, RelayItem, RelayStore, SecretStore};

/// The stores the relay reads and writes.
pub trait Stores: RelayStore + SecretStore {}
impl<T: RelayStore + SecretStore> Stores for T {}

pub struct InboxFeed {
    store: Arc<dyn Stores>,
    app_secret: Arc<SecretString>,
    keys: Arc<KeyRing>,
}

impl InboxFeed {
    pub fn new(store: Arc<dyn Stores>, app_secret: Arc<SecretString>, keys: Arc<KeyRing>) -> Self {
        Self {
            store,
            app_secret,
            keys,
        }
    }
}

/// `webhook-id` of an inbox delivery: stable across resends, to deduplicate on.
fn item(row: RelayItem) -> Item {
    Item {
        message_id: format!("relay_{}", row.id),
        id: row.id,
        at: row.received_at,
        topic: String::new(),
        body: row.body,
    }
}

#[async_trait]
impl Feed for InboxFeed {
    fn name(&self) -> &'static str {
        "relay"
    }

    async fn lease(&self, owner: &str, until: Millis, now: Millis) -> DbResult<Vec<i64>> {
        self.store.lease_relay_destinations(owner, until, now).await
    }

    async fn target(&self, id: i64) -> DbResult<Option<Target>> {
        Ok(self.store.relay_destination(id).await?.map(|row| Target {
            id: row.id,
            url: row.url,
            active: row.state == "active",
            cursor: row.relayed_through,
            filter: Filter::Fields(Fields::from_json(&row.fields)),
        }))
    }

    async fn batch(&self, after: i64, limit: i64) -> DbResult<Vec<Item>> {
        let rows = self.store.relay_batch(after, limit).await?;
        Ok(rows.into_iter().map(item).collect())
    }

    async fn record(&self, id: i64, progress: &Progress) -> DbResult<()> {
        self.store.record_relay_progress(id, progress).await
    }

    async fn due_retries(&self, id: i64, now: Millis, limit: i64) -> DbResult<Vec<Retry>> {
        let rows = self.store.due_relay_retries(id, now, limit).await?;
        Ok(rows
            .into_iter()
            .map(|r| Retry {
                item: item(RelayItem {
                    id: r.inbox_id,
                    received_at: r.received_at,
                    body: r.body,
                }),
                attempts: r.attempts,
                first_failed_at: r.first_failed_at,
            })
            .collect())
    }

    async fn finish_retry(
        &self,
        id: i64,
        item_id: i64,
        failure: Option<&Failure>,
        at: Millis,
    ) -> DbResult<()> {
        self.store
            .finish_relay_retry(id, item_id, failure, at)
            .await
    }

    async fn pause(&self, id: i64, reason: &str) -> DbResult<()> {
        self.store
            .set_relay_paused(id, Some(reason))
            .await
            .map(|_| ())
    }

    async fn signer(&self, target: &Target) -> Result<Signer, String> {
        let row = self
            .store
            .relay_destination(target.id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("the destination was deleted")?;
        if Signing::parse(&row.signing) != Some(Signing::Own) {
            return Ok(Signer::Meta(self.app_secret.clone()));
        }
        let key = open_key(
            self.store.as_ref(),
            &self.keys,
            &super::secret_slot(row.id),
            "the destination",
        )
        .await?
        .ok_or("the destination's signing secret is missing")?;
        Ok(Signer::Own(vec![key]))
    }
}
