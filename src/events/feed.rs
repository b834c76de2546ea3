//! The events' [`Feed`]: the outbox to event endpoints, always Standard Webhooks signed with
//! the endpoint's secret, and with the previous one too while a rotation overlaps.

use std::sync::Arc;

use async_trait::async_trait;

use crate::crypto::KeyRing;
use crate::db::{now_millis, DbResult, EventRow, EventStore, Millis, SecretSlot, SecretStore};
use crate::relay::feed::{open_key, Failure, Feed, Filter, Item, Progress, Retry, Signer, Target};

/// The stores event delivery reads and writes.
pub trait Stores: EventStore + SecretStore {}
impl<T: EventStore + SecretStore> Stores for T {}

pub struct EventFeed {
    store: Arc<dyn Stores>,
    keys: Arc<KeyRing>,
}

impl EventFeed {
    pub fn new(store: Arc<dyn Stores>, keys: Arc<KeyRing>) -> Self {
        Self { store, keys }
    }

    async fn key(&self, slot: &SecretSlot) -> Result<Option<Vec<u8>>, String> {
        open_key(self.store.as_ref(), &self.keys, slot, "the endpoint").await
    }
}

fn item(event: EventRow) -> Item {
    Item {
        body: super::body(&event),
        id: event.id,
        at: event.occurred_at,
        topic: event.event_type,
        message_id: event.public_id,
    }
}

#[async_trait]
impl Feed for EventFeed {
    fn name(&self) -> &'static str {
        "events"
    }

    async fn lease(&self, owner: &str, until: Millis, now: Millis) -> DbResult<Vec<i64>> {
        self.store.lease_event_endpoints(owner, until, now).await
    }

    async fn target(&self, id: i64) -> DbResult<Option<Target>> {
        Ok(self.store.event_endpoint(id).await?.map(|row| Target {
            id: row.id,
            url: row.url,
            active: row.state == "active",
            cursor: row.delivered_through,
            filter: Filter::Types(serde_json::from_str(&row.events).unwrap_or_default()),
        }))
    }

    async fn batch(&self, after: i64, limit: i64) -> DbResult<Vec<Item>> {
        let rows = self.store.event_batch(after, limit).await?;
        Ok(rows.into_iter().map(item).collect())
    }

    async fn record(&self, id: i64, progress: &Progress) -> DbResult<()> {
        self.store.record_event_progress(id, progress).await
    }

    async fn due_retries(&self, id: i64, now: Millis, limit: i64) -> DbResult<Vec<Retry>> {
        let rows = self.store.due_event_retries(id, now, limit).await?;
        Ok(rows
            .into_iter()
            .map(|r| Retry {
                item: item(r.event),
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
            .finish_event_retry(id, item_id, failure, at)
            .await
    }

    async fn pause(&self, id: i64, reason: &str) -> DbResult<()> {
        self.store
            .set_event_endpoint_paused(id, Some(reason))
            .await
            .map(|_| ())
    }

    async fn signer(&self, target: &Target) -> Result<Signer, String> {
        let row = self
            .store
            .event_endpoint(target.id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("the endpoint was deleted")?;
        let current = self
            .key(&super::secret_slot(row.id, false))
            .await?
            .ok_or("the endpoint's signing secret is missing")?;
        let mut keys = vec![current];
        if row
            .previous_secret_until
            .is_some_and(|until| until > now_millis())
        {
            keys.extend(self.key(&super::secret_slot(row.id, true)).await?);
        }
        Ok(Signer::Own(keys))
    }
}
