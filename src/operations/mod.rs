//! Marketing Messages operations for customers who did not come through the signup page
//! (docs/PRODUCT.md §"Discovery and the Intent API"): discovering the WABAs shared with the partner, asking their businesses to
//! onboard through the Intent API (one or thousands, paced, never twice), and fetching each
//! business's token once Meta says it signed.

pub mod bisuat;
pub mod discovery;
pub mod intent;
pub mod pacer;
pub mod partner;
pub mod selection;
pub mod send;
pub mod service;

use std::time::Duration;

use crate::graph::{GraphCallError, Reaction};
use crate::jobs::backoff::full_jitter;
use crate::jobs::Outcome;

/// What a job does about a failed Graph call: retry transient errors and rate limits with
/// capped exponential backoff and full jitter (never sooner than Meta's usage header asks),
/// stop on permanent ones.
pub fn outcome_for(error: &GraphCallError, attempts: i64, max_attempts: i64) -> Outcome {
    let message = error.to_string();
    match error.reaction() {
        Reaction::Retry { rate_limited } if attempts < max_attempts => {
            let attempt = (attempts.max(1) - 1) as u32;
            let (base, cap) = if rate_limited {
                (Duration::from_secs(2), Duration::from_secs(900))
            } else {
                (Duration::from_millis(500), Duration::from_secs(300))
            };
            Outcome::Retry {
                error: message,
                after: full_jitter(attempt, base, cap)
                    .max(error.regain_access_after().unwrap_or_default())
                    .max(Duration::from_millis(100)),
            }
        }
        _ => Outcome::Fail { error: message },
    }
}
