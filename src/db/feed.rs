//! The bookkeeping both kinds of destination share (relay destinations, event endpoints): a
//! round's progress and its failures, recorded in one transaction (`crate::relay::feed`).

use super::Millis;

/// One attempt that failed: when to try again and why.
#[derive(Debug, Clone)]
pub struct FeedFailure {
    pub item_id: i64,
    pub next_at: Millis,
    pub error: String,
}

/// What one round sent. The cursor moves from `from` to `through` in the same transaction that
/// records the failures, so a crash before it resends (at least once) and never skips; and only
/// if it is still at `from`, so a replay that moved it back meanwhile is kept.
#[derive(Debug, Clone, Default)]
pub struct FeedProgress {
    pub from: i64,
    pub through: i64,
    /// The ids that went through, for a feed that keeps a delivery log.
    pub delivered: Vec<i64>,
    pub failures: Vec<FeedFailure>,
    pub last_lag_ms: Option<i64>,
    pub at: Millis,
}
