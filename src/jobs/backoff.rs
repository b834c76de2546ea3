//! Capped exponential backoff with full jitter: the delay before attempt `n` is uniform in
//! `[0, min(cap, base · 2ⁿ)]`. Full jitter spreads retries of many jobs that failed together
//! (say, during a Meta rate limit) instead of having them return in lockstep.

use std::time::Duration;

use rand::Rng;

pub fn full_jitter(attempt: u32, base: Duration, cap: Duration) -> Duration {
    let ceiling = exponential_ceiling(attempt, base, cap);
    let millis = ceiling.as_millis() as u64;
    Duration::from_millis(rand::thread_rng().gen_range(0..=millis))
}

/// The upper bound of the jittered delay for `attempt`.
pub fn exponential_ceiling(attempt: u32, base: Duration, cap: Duration) -> Duration {
    let factor = 2u32.saturating_pow(attempt.min(31));
    base.saturating_mul(factor).min(cap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceiling_doubles_then_caps() {
        let base = Duration::from_millis(100);
        let cap = Duration::from_secs(5);
        assert_eq!(
            exponential_ceiling(0, base, cap),
            Duration::from_millis(100)
        );
        assert_eq!(
            exponential_ceiling(3, base, cap),
            Duration::from_millis(800)
        );
        assert_eq!(exponential_ceiling(10, base, cap), cap);
        assert_eq!(exponential_ceiling(u32::MAX, base, cap), cap);
    }

    #[test]
    fn jitter_stays_within_the_ceiling() {
        let base = Duration::from_millis(100);
        let cap = Duration::from_secs(5);
        for attempt in 0..12 {
            let delay = full_jitter(attempt, base, cap);
            assert!(delay <= exponential_ceiling(attempt, base, cap));
        }
    }
}
