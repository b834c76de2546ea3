//! Sign-in throttling. Every attempt to prove a password is counted, atomically, *before* the
//! password is verified ([`Throttle::begin`]), so a burst of concurrent guesses cannot all pass
//! the check while the first ones are still being hashed; an attempt that proves the password
//! is refunded ([`Throttle::succeed`]).
//!
//! Two kinds of key, with their own limits ([`Limit`]):
//! - the **account**: after [`MAX_FAILURES`] failed attempts within [`WINDOW`] it is locked
//!   for the rest of the window, with the wait in the message;
//! - the **client address** (many colleagues may share one): the first
//!   [`MAX_FAILURES_PER_IP`] failures within the window are free, then each further attempt
//!   must wait [`FIRST_DELAY`], doubling with every failure up to [`MAX_DELAY`], since the
//!   previous one. A growing delay, not a lock: one address that guesses cannot lock everyone
//!   else behind the same address out for 15 minutes.
//!
//! Kept in memory per instance (an attacker spreading attempts over N instances gets N times
//! the budget; the argon2 cost and [`super::password::verify_bounded`] still bound the rate).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const MAX_FAILURES: usize = 5;
pub const MAX_FAILURES_PER_IP: usize = 20;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// The wait after the first failure beyond [`MAX_FAILURES_PER_IP`] from one address.
pub const FIRST_DELAY: Duration = Duration::from_secs(1);
/// The longest wait between two attempts from one address.
pub const MAX_DELAY: Duration = Duration::from_secs(60);

/// How a key limits attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Locked for the rest of the window after this many failures (an account).
    Lock(usize),
    /// This many failures free, then growing delays between attempts (a client address).
    Delay(usize),
}

/// The throttle keys of an attempt to prove an account's password, with their limits: the
/// account, and the client address it came from when known. Sign-in and the password change
/// share them, so guesses through either count against the same budget.
pub fn password_keys(email: &str, ip: Option<IpAddr>) -> Vec<(String, Limit)> {
    let mut keys = vec![(account_key(email), Limit::Lock(MAX_FAILURES))];
    if let Some(ip) = ip {
        keys.push((format!("ip:{ip}"), Limit::Delay(MAX_FAILURES_PER_IP)));
    }
    keys
}

/// The key of one account (`email` as signed in with: trimmed, lower case).
pub fn account_key(email: &str) -> String {
    format!("account:{email}")
}

/// How long to wait, in whole minutes (at least one), for a person to read.
pub fn wait_minutes(wait: Duration) -> u64 {
    wait.as_secs().div_ceil(60).max(1)
}

/// One counted attempt: refund it with [`Throttle::succeed`] when the password was right.
#[derive(Debug)]
#[must_use = "an attempt that succeeded must be refunded"]
pub struct Attempt {
    keys: Vec<String>,
    at: Instant,
}

#[derive(Default)]
pub struct Throttle {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

/// How long `times` (the failures of one key within the window, oldest first) make the next
/// attempt wait under `limit`.
fn wait_for(limit: Limit, times: &[Instant], now: Instant) -> Duration {
    match limit {
        Limit::Lock(max) if times.len() >= max => {
            let oldest = times[times.len() - max];
            WINDOW.saturating_sub(now.duration_since(oldest))
        }
        Limit::Delay(free) if times.len() >= free => {
            let doublings = (times.len() - free).min(16) as u32;
            let delay = FIRST_DELAY.saturating_mul(1u32 << doublings).min(MAX_DELAY);
            let last = times.last().copied().unwrap_or(now);
            delay.saturating_sub(now.duration_since(last))
        }
        _ => Duration::ZERO,
    }
}

impl Throttle {
    /// Counts an attempt on every key, unless one of them makes it wait: then `Err(wait)` and
    /// nothing is counted. Check and count happen under one lock.
    pub fn begin(&self, keys: &[(String, Limit)]) -> Result<Attempt, Duration> {
        self.begin_at(keys, Instant::now())
    }

    fn begin_at(&self, keys: &[(String, Limit)], now: Instant) -> Result<Attempt, Duration> {
        let mut failures = self.failures.lock().expect("throttle lock");
        let wait = Self::wait_locked(&mut failures, keys, now);
        if !wait.is_zero() {
            return Err(wait);
        }
        if failures.len() > 100_000 {
            failures.retain(|_, times| times.iter().any(|t| now.duration_since(*t) < WINDOW));
        }
        for (key, _) in keys {
            failures.entry(key.clone()).or_default().push(now);
        }
        Ok(Attempt {
            keys: keys.iter().map(|(key, _)| key.clone()).collect(),
            at: now,
        })
    }

    /// `Err(wait)` when one of `keys` makes an attempt wait now; counts nothing.
    pub fn check(&self, keys: &[(String, Limit)]) -> Result<(), Duration> {
        let mut failures = self.failures.lock().expect("throttle lock");
        match Self::wait_locked(&mut failures, keys, Instant::now()) {
            wait if wait.is_zero() => Ok(()),
            wait => Err(wait),
        }
    }

    fn wait_locked(
        failures: &mut HashMap<String, Vec<Instant>>,
        keys: &[(String, Limit)],
        now: Instant,
    ) -> Duration {
        let mut wait = Duration::ZERO;
        for (key, limit) in keys {
            if let Some(times) = failures.get_mut(key) {
                times.retain(|t| now.duration_since(*t) < WINDOW);
                wait = wait.max(wait_for(*limit, times, now));
            }
        }
        wait
    }

    /// The attempt proved the password: it no longer counts as a failure.
    pub fn succeed(&self, attempt: Attempt) {
        let mut failures = self.failures.lock().expect("throttle lock");
        for key in &attempt.keys {
            if let Some(times) = failures.get_mut(key) {
                if let Some(position) = times.iter().rposition(|t| *t == attempt.at) {
                    times.remove(position);
                }
                if times.is_empty() {
                    failures.remove(key);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(account: &str, ip: &str) -> Vec<(String, Limit)> {
        password_keys(account, Some(ip.parse().unwrap()))
    }

    #[test]
    fn an_account_locks_after_five_counted_attempts() {
        let throttle = Throttle::default();
        for _ in 0..MAX_FAILURES {
            let _failed = throttle.begin(&keys("a@b.c", "10.0.0.1")).unwrap();
        }
        let wait = throttle.begin(&keys("a@b.c", "10.0.0.1")).unwrap_err();
        assert!(wait > Duration::from_secs(14 * 60));
        // The account is locked from anywhere; other accounts from that address are not.
        assert!(throttle.check(&keys("a@b.c", "10.0.0.9")).is_err());
        assert!(throttle.check(&keys("x@y.z", "10.0.0.1")).is_ok());
    }

    #[test]
    fn a_right_password_is_refunded() {
        let throttle = Throttle::default();
        for _ in 0..MAX_FAILURES - 1 {
            let _failed = throttle.begin(&keys("a@b.c", "10.0.0.1")).unwrap();
        }
        let right = throttle.begin(&keys("a@b.c", "10.0.0.1")).unwrap();
        throttle.succeed(right);
        // Still one attempt left: the success did not count, nor did it wipe the failures.
        let _failed = throttle.begin(&keys("a@b.c", "10.0.0.1")).unwrap();
        assert!(throttle.begin(&keys("a@b.c", "10.0.0.1")).is_err());
    }

    #[test]
    fn an_address_gets_growing_delays_never_a_lock() {
        let throttle = Throttle::default();
        let start = Instant::now();
        let ip = "10.0.0.1";
        for n in 0..MAX_FAILURES_PER_IP {
            let _failed = throttle
                .begin_at(&keys(&format!("user{n}@y.z"), ip), start)
                .unwrap();
        }
        // Then 1 s, 2 s, 4 s … between attempts, capped at MAX_DELAY.
        let mut now = start;
        let mut expected = FIRST_DELAY;
        for n in 0..12 {
            let account = format!("other{n}@y.z");
            let wait = throttle.begin_at(&keys(&account, ip), now).unwrap_err();
            assert_eq!(wait, expected, "attempt {n}");
            assert!(wait <= MAX_DELAY);
            now += wait;
            let _failed = throttle.begin_at(&keys(&account, ip), now).unwrap();
            expected = (expected * 2).min(MAX_DELAY);
        }
        // Another address is not delayed at all.
        assert!(throttle.begin_at(&keys("x@y.z", "10.0.0.2"), now).is_ok());
    }
}
