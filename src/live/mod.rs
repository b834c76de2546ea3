//! Live updates pushed to open pages (docs/LIVE.md). The database's triggers record each
//! change in `live_changes`; one [`Hub`] per instance reads them, for all its open pages at
//! once and only while one is open, and broadcasts them to the Server-Sent Event streams of
//! [`routes`], each of which forwards what its page shows ([`Topics`]).

pub mod routes;
pub mod topics;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{broadcast, Notify};
use tokio_util::sync::CancellationToken;

use crate::db::{now_millis, LiveStore};

pub use topics::Topics;

/// One change: its id in `live_changes` and its topic (`waba:12`, `signup:3`, …).
#[derive(Debug, Clone)]
pub struct Change {
    pub id: i64,
    pub topic: Arc<str>,
}

/// Changes a slow stream may fall behind by before it is told to re-read everything.
const BUFFER: usize = 1024;
/// SQLite has no notifications: the hub reads this often while a page is open.
const POLL: Duration = Duration::from_millis(100);
/// PostgreSQL: a read this often even without a notification (a lost `LISTEN` connection).
const SAFETY_READ: Duration = Duration::from_secs(5);
/// How long an id missing between two read ids may still appear (a PostgreSQL transaction
/// that took its id before a later one and commits after it).
const GAP_WINDOW: Duration = Duration::from_secs(10);
/// Changes are kept this long (for `Last-Event-ID` after a reconnect; a stream that was away
/// longer is told to re-read once), then pruned. At 5,000 changes a second that is 600,000
/// small rows.
const KEEP: Duration = Duration::from_secs(120);
const PRUNE_EVERY: Duration = Duration::from_secs(60);
/// Rows read per round.
const BATCH: i64 = 1000;

/// The instance's one reader of the change feed and its broadcast to open streams.
pub struct Hub {
    store: Arc<dyn LiveStore>,
    sender: broadcast::Sender<Change>,
    /// A stream subscribed (wakes an idle hub).
    wake: Notify,
    /// The last change id broadcast.
    cursor: AtomicI64,
    /// The lowest floor of the streams opened since the hub last woke from idle
    /// (`i64::MAX`: none): an idle hub restarts from here, not from the newest row it reads
    /// when it wakes, which a change committed after a stream's first event may already be.
    opened_from: AtomicI64,
}

impl Hub {
    pub fn new(store: Arc<dyn LiveStore>) -> Arc<Self> {
        Arc::new(Self {
            store,
            sender: broadcast::channel(BUFFER).0,
            wake: Notify::new(),
            cursor: AtomicI64::new(0),
            opened_from: AtomicI64::new(i64::MAX),
        })
    }

    pub fn store(&self) -> &Arc<dyn LiveStore> {
        &self.store
    }

    /// Changes from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        let receiver = self.sender.subscribe();
        self.wake.notify_one();
        receiver
    }

    /// A stream opened having seen the feed up to `floor` (its first event's id): the hub
    /// broadcasts every change after it, even if it wakes from idle only later.
    pub fn opened_at(&self, floor: i64) {
        self.opened_from.fetch_min(floor, Ordering::AcqRel);
    }

    /// The id of the last change broadcast: what a stream's first event carries, so the
    /// browser's `Last-Event-ID` means "seen up to here".
    pub fn cursor(&self) -> i64 {
        self.cursor.load(Ordering::Acquire)
    }

    /// Reads and broadcasts until `shutdown`. `listen`: PostgreSQL's pool, to be woken by
    /// `NOTIFY mm_live` instead of reading on a timer.
    pub async fn run(self: Arc<Self>, listen: Option<sqlx::PgPool>, shutdown: CancellationToken) {
        let mut reader = Reader::default();
        let mut listener: Option<sqlx::postgres::PgListener> = None;
        let mut pruned = Instant::now();
        // Read before waiting: right after a wake-up, what committed before `LISTEN` took
        // effect has sent its notification to nobody.
        let mut read_now = false;
        loop {
            if shutdown.is_cancelled() {
                break;
            }
            if pruned.elapsed() >= PRUNE_EVERY {
                pruned = Instant::now();
                let before = now_millis() - KEEP.as_millis() as i64;
                if let Err(error) = self.store.live_prune(before).await {
                    tracing::warn!(%error, "live updates: could not prune old changes");
                }
            }
            if self.sender.receiver_count() == 0 {
                // No page open here: read nothing, listen to nothing.
                listener = None;
                tokio::select! {
                    () = self.wake.notified() => {}
                    () = shutdown.cancelled() => break,
                    () = tokio::time::sleep(PRUNE_EVERY) => continue,
                }
                // Start from now: what changed while nobody watched is in the pages' first
                // read already.
                match self.store.live_latest().await {
                    Ok(latest) => {
                        let opened = self.opened_from.swap(i64::MAX, Ordering::AcqRel);
                        reader.restart(latest.min(opened))
                    }
                    Err(error) => {
                        tracing::warn!(%error, "live updates: the change feed cannot be read");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue;
                    }
                }
                self.cursor.store(reader.cursor, Ordering::Release);
                if let Some(pool) = &listen {
                    listener = connect_listener(pool).await;
                }
                read_now = true;
                continue;
            }
            match listener.as_mut() {
                _ if std::mem::take(&mut read_now) => {}
                Some(listening) => tokio::select! {
                    received = listening.recv() => {
                        if let Err(error) = received {
                            tracing::warn!(%error, "live updates: LISTEN connection lost");
                            listener = None;
                        }
                    }
                    () = tokio::time::sleep(SAFETY_READ) => {}
                    () = shutdown.cancelled() => break,
                },
                None => {
                    tokio::select! {
                        () = tokio::time::sleep(POLL) => {}
                        () = shutdown.cancelled() => break,
                    }
                    if listener.is_none() {
                        if let Some(pool) = &listen {
                            listener = connect_listener(pool).await;
                        }
                    }
                }
            }
            match reader.read(self.store.as_ref()).await {
                Ok(changes) => {
                    for change in changes {
                        // No receiver left is not an error: the next round goes idle.
                        let _ = self.sender.send(change);
                    }
                    self.cursor.store(reader.cursor, Ordering::Release);
                }
                Err(error) => {
                    tracing::warn!(%error, "live updates: the change feed cannot be read")
                }
            }
        }
    }
}

async fn connect_listener(pool: &sqlx::PgPool) -> Option<sqlx::postgres::PgListener> {
    let mut listener = match sqlx::postgres::PgListener::connect_with(pool).await {
        Ok(listener) => listener,
        Err(error) => {
            tracing::warn!(%error, "live updates: cannot LISTEN; reading on a timer");
            return None;
        }
    };
    match listener.listen("mm_live").await {
        Ok(()) => Some(listener),
        Err(error) => {
            tracing::warn!(%error, "live updates: cannot LISTEN; reading on a timer");
            None
        }
    }
}

/// The hub's position in the feed, with the ids it skipped that may still commit.
#[derive(Debug, Default)]
struct Reader {
    cursor: i64,
    gaps: BTreeMap<i64, Instant>,
}

impl Reader {
    fn restart(&mut self, latest: i64) {
        self.cursor = latest;
        self.gaps.clear();
    }

    async fn read(&mut self, store: &dyn LiveStore) -> crate::db::DbResult<Vec<Change>> {
        let now = Instant::now();
        self.gaps
            .retain(|_, seen| now.duration_since(*seen) < GAP_WINDOW);
        let mut rows = Vec::new();
        if let (Some((&first, _)), Some((&last, _))) =
            (self.gaps.first_key_value(), self.gaps.last_key_value())
        {
            rows = store.live_between(first, last).await?;
        }
        rows.extend(store.live_after(self.cursor, BATCH).await?);
        Ok(self.absorb(rows, now))
    }

    /// The rows not seen before, in id order; remembers the ids skipped over.
    fn absorb(&mut self, rows: Vec<(i64, String)>, now: Instant) -> Vec<Change> {
        let mut changes = Vec::new();
        for (id, topic) in rows {
            if id > self.cursor {
                // Ids between are transactions still committing (or rolled back). A big
                // jump is a prune or a restore, not a gap to wait for.
                if id - self.cursor <= BATCH {
                    for missing in self.cursor + 1..id {
                        self.gaps.insert(missing, now);
                    }
                }
                self.cursor = id;
            } else if self.gaps.remove(&id).is_none() {
                continue;
            }
            changes.push(Change {
                id,
                topic: topic.into(),
            });
        }
        changes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(changes: &[Change]) -> Vec<i64> {
        changes.iter().map(|c| c.id).collect()
    }

    #[test]
    fn a_late_commit_below_the_cursor_is_still_delivered_once() {
        let mut reader = Reader::default();
        reader.restart(10);
        let now = Instant::now();
        let first = reader.absorb(vec![(11, "waba:1".into()), (13, "waba:2".into())], now);
        assert_eq!(ids(&first), [11, 13]);
        assert_eq!(reader.gaps.keys().copied().collect::<Vec<_>>(), [12]);
        // 12 commits late: it comes back from the gap read, once; 13 is not repeated.
        let second = reader.absorb(vec![(12, "waba:3".into()), (13, "waba:2".into())], now);
        assert_eq!(ids(&second), [12]);
        assert!(reader.gaps.is_empty());
        assert!(reader.absorb(vec![(12, "waba:3".into())], now).is_empty());
        // A jump beyond a batch is not waited for.
        reader.absorb(vec![(13 + BATCH + 5, "inbox".into())], now);
        assert!(reader.gaps.is_empty());
    }
}
