//! What the dispatcher sends and where: a [`Feed`] is one kind of destination with its source
//! and bookkeeping — Meta's webhooks from the durable inbox to relay destinations
//! ([`super::inbox::InboxFeed`]) or the portal's events from the outbox to event endpoints
//! (`crate::events::feed::EventFeed`). The dispatcher ([`super::dispatcher`]) is the same for
//! both: leases, rounds after a cursor, retries with backoff, the 72-hour pause.

use std::sync::Arc;

use async_trait::async_trait;
use secrecy::SecretString;

use super::Fields;
use crate::db::{DbResult, Millis};
pub use crate::db::{FeedFailure as Failure, FeedProgress as Progress};

/// A destination as the dispatcher sees it.
#[derive(Debug, Clone)]
pub struct Target {
    pub id: i64,
    pub url: String,
    /// `active`, or anything else (paused, deleted): the dispatcher stops.
    pub active: bool,
    /// Every item id at or below it was sent, or waits in the retries.
    pub cursor: i64,
    pub filter: Filter,
}

/// Which items a destination asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// Meta's webhook fields (relay destinations).
    Fields(Fields),
    /// Event types: exact names, `prefix.*`, or `*` (event endpoints).
    Types(Vec<String>),
}

impl Filter {
    pub fn matches(&self, item: &Item) -> bool {
        match self {
            Filter::Fields(fields) => fields.matches(&item.body),
            Filter::Types(types) => types.iter().any(|wanted| {
                wanted == "*"
                    || wanted == &item.topic
                    || wanted
                        .strip_suffix(".*")
                        .is_some_and(|prefix| item.topic.split('.').next() == Some(prefix))
            }),
        }
    }
}

/// One thing to send: its exact bytes and the id a receiver deduplicates on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub id: i64,
    /// When it was stored (the lag is measured from here).
    pub at: Millis,
    /// The event type; empty for Meta's deliveries (their fields are in the body).
    pub topic: String,
    /// `webhook-id` under Standard Webhooks signing.
    pub message_id: String,
    pub body: Vec<u8>,
}

/// An item waiting for another attempt.
#[derive(Debug, Clone)]
pub struct Retry {
    pub item: Item,
    pub attempts: i64,
    pub first_failed_at: Millis,
}

/// How a destination's requests are signed.
#[derive(Clone)]
pub enum Signer {
    /// `X-Hub-Signature-256` with the app secret.
    Meta(Arc<SecretString>),
    /// Standard Webhooks with each of these keys (two during a secret rotation's overlap).
    Own(Vec<Vec<u8>>),
}

#[async_trait]
pub trait Feed: Send + Sync + 'static {
    /// For logs and lease owners: `relay` or `events`.
    fn name(&self) -> &'static str;
    /// Takes (or keeps) the lease of every active destination no other instance holds.
    async fn lease(&self, owner: &str, until: Millis, now: Millis) -> DbResult<Vec<i64>>;
    async fn target(&self, id: i64) -> DbResult<Option<Target>>;
    /// Items after `after`, in id order.
    async fn batch(&self, after: i64, limit: i64) -> DbResult<Vec<Item>>;
    async fn record(&self, id: i64, progress: &Progress) -> DbResult<()>;
    /// Retries due at `now`, oldest item first.
    async fn due_retries(&self, id: i64, now: Millis, limit: i64) -> DbResult<Vec<Retry>>;
    /// A retried item went through (`None`) or failed again.
    async fn finish_retry(
        &self,
        id: i64,
        item_id: i64,
        failure: Option<&Failure>,
        at: Millis,
    ) -> DbResult<()>;
    async fn pause(&self, id: i64, reason: &str) -> DbResult<()>;
    /// The destination's signer, read when its task starts a round.
    async fn signer(&self, target: &Target) -> Result<Signer, String>;
}

/// Opens the Standard Webhooks key sealed in `slot`: `None` if nothing is stored there. Both
/// feeds keep their signing secrets this way (`what` names it in the error).
pub async fn open_key(
    store: &dyn crate::db::SecretStore,
    keys: &crate::crypto::KeyRing,
    slot: &crate::db::SecretSlot,
    what: &str,
) -> Result<Option<Vec<u8>>, String> {
    use secrecy::ExposeSecret;
    let Some(sealed) = store.get_secret(slot).await.map_err(|e| e.to_string())? else {
        return Ok(None);
    };
    let secret = keys
        .open(slot, &sealed)
        .map_err(|e| format!("{what}'s signing secret: {e}"))?;
    super::standard_webhooks::key(secret.expose_secret())
        .map(Some)
        .ok_or_else(|| format!("{what}'s signing secret is not whsec_"))
}
