//! A sustained rate limit for the simulator's Intent API, and the per-business call counts
//! that show whether the portal ever asked a business twice.
//!
//! Seed 004: `onboard_partners_to_mm_lite` is "subject to business partner integrations use
//! case throttling limits. Use appropriate retry logic with exponential backoff." The seeds give
//! no number, so the allowed rate is a tester setting:
//!
//! - `POST /sandbox/api/rate-limits {"operation": "onboard_partners_to_mm_lite",
//!   "per_second": 20, "burst": 20, "code": 4}` limits the operation to `per_second` calls a
//!   second on average (a token bucket holding at most `burst` calls, default `per_second`,
//!   at least 1). Beyond it the call is refused the way the OpenAPI file (docs/meta/openapi.md) documents
//!   throttling (`TooManyRequests`: HTTP 429, `{"error": {"message": "Rate limit exceeded",
//!   "type": "OAuthException", "code": 4}}`), or with `"code": 80007` the way the WABA-level
//!   limit answers (HTTP 400, `(#80007) Rate limit issues on the WhatsApp Business Account`).
//!   Both carry `X-Business-Use-Case-Usage` with `call_count: 100` and
//!   `estimated_time_to_regain_access` in whole minutes, as Meta sends it (0 when the next
//!   call is allowed within the minute, which a per-second limit always is).
//!   `DELETE /sandbox/api/rate-limits` removes every limit.
//! - `GET /sandbox/api/stats/intents`: every raw call of the Intent API the simulator
//!   received, per business: `{"total_requests", "rate_limited", "distinct_businesses",
//!   "max_requests_for_one_business", "max_accepted_for_one_business", "duplicates",
//!   "businesses_with_duplicates", "repeated_unstored", "businesses_with_more_than_one_accepted",
//!   "first_request_at", "last_request_at"}`. A *duplicate* is a call for a business that already had a
//!   stored request (pending or signed): the harmful kind, which Meta answers from its
//!   idempotency or refuses. A call the kill of the process cut short before anything was
//!   stored, made again, raises `max_accepted_for_one_business` but is not a duplicate.
//!
//! Shared state: the bucket and the counts live in the simulator's database store (kinds
//! `rate_limit` and `intent_calls`), updated with the store's optimistic version check, so
//! every portal instance on one database sees one limit and one set of counts, and both
//! survive a `kill -9` (the counts are the evidence the crash tests read afterwards). A call
//! is counted before it is processed.

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::db::{now_millis, DbError};
use crate::sandbox::core::errors::{self, SimError};
use crate::sandbox::core::store::{encode, replace, update, upsert};
use crate::sandbox::core::SandboxState;

/// Store kind of a rate limit (id = operation).
const RATE_LIMIT: &str = "rate_limit";
/// Store kind of one business's Intent API call counts (id = business id).
const INTENT_CALLS: &str = "intent_calls";
/// Store kind of the calls refused before a business id was known to be numeric.
const INTENT_TOTALS: &str = "intent_totals";

/// Operations a sustained limit can target.
pub const OPERATIONS: &[&str] = &["onboard_partners_to_mm_lite"];

/// How often the optimistic update is tried before the call is let through uncounted by the
/// bucket (only under heavy contention from many instances).
const CAS_TRIES: usize = 16;

/// The stored bucket.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Bucket {
    per_second: f64,
    burst: f64,
    code: i64,
    tokens: f64,
    /// Unix millis of the last refill.
    refilled_at: i64,
}

/// One business's calls.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Calls {
    /// Every call naming this business, throttled ones included.
    calls: u64,
    throttled: u64,
    /// Calls made while the business already had a stored request.
    duplicates: u64,
    first_at: i64,
    last_at: i64,
    /// Unix millis of the last call that got past the rate limit (0 when none did).
    #[serde(default)]
    accepted_at: i64,
}

/// Takes one call from `operation`'s bucket, or refuses it with Meta's throttling error.
/// Counts the call for `business_id` either way (`duplicate` = the business already had a
/// stored request when the call arrived).
pub async fn admit(
    state: &SandboxState,
    operation: &str,
    business_id: &str,
    duplicate: bool,
) -> Result<(), SimError> {
    let refused = take_token(state, operation).await?;
    count(state, business_id, refused.is_some(), duplicate).await?;
    match refused {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

/// `Some(error)` when the bucket is empty; `None` also when no limit is set, or when every
/// optimistic update lost (the call is then let through).
async fn take_token(state: &SandboxState, operation: &str) -> Result<Option<SimError>, SimError> {
    let refused = update(
        state,
        RATE_LIMIT,
        operation,
        CAS_TRIES,
        |bucket: &mut Bucket| {
            let now = now_millis();
            let elapsed = (now - bucket.refilled_at).max(0) as f64 / 1000.0;
            bucket.tokens = (bucket.tokens + elapsed * bucket.per_second).min(bucket.burst);
            bucket.refilled_at = now;
            Some(if bucket.tokens >= 1.0 {
                bucket.tokens -= 1.0;
                None
            } else {
                let wait_seconds = (1.0 - bucket.tokens) / bucket.per_second;
                Some(throttled(bucket.code, (wait_seconds / 60.0).floor() as u32))
            })
        },
    )
    .await?;
    Ok(refused.flatten())
}

/// Meta's throttling answer with its usage header.
fn throttled(code: i64, regain_access_minutes: u32) -> SimError {
    let mut error = errors::rate_limited(regain_access_minutes);
    if code == 4 {
        error.status = StatusCode::TOO_MANY_REQUESTS;
        error.error.code = 4;
        error.error.message = "Rate limit exceeded".into();
        error.error.is_transient = Some(true);
    }
    error
}

async fn count(
    state: &SandboxState,
    business_id: &str,
    throttled: bool,
    duplicate: bool,
) -> Result<(), SimError> {
    let now = now_millis();
    let written = upsert(state, INTENT_CALLS, business_id, CAS_TRIES, |stored| {
        let mut calls = match stored {
            Some(data) => serde_json::from_str::<Calls>(data).unwrap_or_default(),
            None => Calls {
                first_at: now,
                ..Calls::default()
            },
        };
        calls.calls += 1;
        calls.throttled += u64::from(throttled);
        calls.duplicates += u64::from(duplicate && !throttled);
        calls.last_at = now;
        if !throttled {
            calls.accepted_at = now;
        }
        encode(&calls)
    })
    .await?;
    if written {
        Ok(())
    } else {
        Err(errors::internal())
    }
}

/// Counts a call that named no usable business (not numeric), so totals stay complete.
pub async fn count_unattributed(state: &SandboxState) {
    let _ = upsert(state, INTENT_TOTALS, "unattributed", CAS_TRIES, |stored| {
        let n = stored.map_or(0, |data| data.parse::<u64>().unwrap_or(0));
        Ok((n + 1).to_string())
    })
    .await;
}

/// A sustained limit as the tester sets it (`tester/rate_limits.rs` checks the values).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limit {
    pub per_second: f64,
    /// The most calls the bucket holds (at least 1).
    pub burst: f64,
    /// 4 or 80007.
    pub code: i64,
}

/// Limits `operation` to `limit`, starting with a full bucket (replaces an earlier limit).
pub async fn set_limit(state: &SandboxState, operation: &str, limit: Limit) -> Result<(), DbError> {
    let bucket = Bucket {
        per_second: limit.per_second,
        burst: limit.burst,
        code: limit.code,
        tokens: limit.burst,
        refilled_at: now_millis(),
    };
    // Plain numbers: serialising cannot fail.
    let data = serde_json::to_string(&bucket).expect("a bucket serialises");
    replace(state, RATE_LIMIT, operation, None, &data).await
}

/// Removes every limit.
pub async fn clear_limits(state: &SandboxState) -> Result<(), DbError> {
    for operation in OPERATIONS {
        state.store.sandbox_delete(RATE_LIMIT, operation).await?;
    }
    Ok(())
}

/// What `GET /sandbox/api/stats/intents` answers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntentStats {
    /// Every call received, throttled and refused ones included.
    pub total_requests: u64,
    /// Calls refused by the sustained rate limit.
    pub rate_limited: u64,
    pub distinct_businesses: u64,
    /// Most calls naming one business, throttled ones included.
    pub max_requests_for_one_business: u64,
    /// Most calls naming one business that got past the rate limit.
    pub max_accepted_for_one_business: u64,
    /// Calls made while the business already had a stored request.
    pub duplicates: u64,
    pub businesses_with_duplicates: u64,
    /// Accepted calls beyond the first for a business that were not duplicates: the first
    /// call left nothing stored (in the simulator: the process was killed while handling it).
    pub repeated_unstored: u64,
    pub businesses_with_more_than_one_accepted: u64,
    /// Unix millis of the first and the last call (0 when none).
    pub first_request_at: i64,
    pub last_request_at: i64,
}

/// Reads every business's counts (pages of 500 from the store).
pub async fn intent_stats(state: &SandboxState) -> Result<IntentStats, DbError> {
    const PAGE: i64 = 500;
    let mut stats = IntentStats::default();
    let mut after: Option<String> = None;
    loop {
        let page = state
            .store
            .sandbox_list(INTENT_CALLS, None, after.as_deref(), PAGE)
            .await?;
        for object in &page {
            let Ok(calls) = serde_json::from_str::<Calls>(&object.data) else {
                continue;
            };
            stats.total_requests += calls.calls;
            stats.rate_limited += calls.throttled;
            stats.distinct_businesses += 1;
            stats.max_requests_for_one_business =
                stats.max_requests_for_one_business.max(calls.calls);
            let accepted = calls.calls - calls.throttled.min(calls.calls);
            stats.max_accepted_for_one_business = stats.max_accepted_for_one_business.max(accepted);
            stats.businesses_with_more_than_one_accepted += u64::from(accepted > 1);
            stats.repeated_unstored += accepted.saturating_sub(1 + calls.duplicates);
            stats.duplicates += calls.duplicates;
            stats.businesses_with_duplicates += u64::from(calls.duplicates > 0);
            if stats.first_request_at == 0 || calls.first_at < stats.first_request_at {
                stats.first_request_at = calls.first_at;
            }
            stats.last_request_at = stats.last_request_at.max(calls.last_at);
        }
        match page.last() {
            Some(last) if page.len() as i64 == PAGE => after = Some(last.id.clone()),
            _ => break,
        }
    }
    if let Some(object) = state
        .store
        .sandbox_get(INTENT_TOTALS, "unattributed")
        .await?
    {
        stats.total_requests += object.data.parse::<u64>().unwrap_or(0);
    }
    Ok(stats)
}
