//! Sign-in throttling: after [`MAX_FAILURES`] failed attempts within [`WINDOW`] for one account
//! (or [`MAX_FAILURES_PER_IP`] from one IP address, which many colleagues may share), further
//! attempts are refused until the window has passed, with the wait in the message. Kept in memory per instance (an attacker spreading attempts over N
//! instances gets N times the budget; the argon2 cost still bounds the rate).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const MAX_FAILURES: usize = 5;
pub const MAX_FAILURES_PER_IP: usize = 20;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

/// The throttle keys of an attempt to prove an account's password, with their limits: the
/// account, and the IP address it came from when known. Sign-in and the password change
/// share them, so guesses through either count against the same budget.
pub fn password_keys(email: &str, ip: Option<IpAddr>) -> Vec<(String, usize)> {
    let mut keys = vec![(account_key(email), MAX_FAILURES)];
    if let Some(ip) = ip {
        keys.push((format!("ip:{ip}"), MAX_FAILURES_PER_IP));
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

#[derive(Default)]
pub struct Throttle {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl Throttle {
    /// `Err(wait)` when one of `keys` (e.g. the account and the IP, each with its limit) is
    /// locked out.
    pub fn check(&self, keys: &[(String, usize)]) -> Result<(), Duration> {
        let now = Instant::now();
        let mut failures = self.failures.lock().expect("throttle lock");
        let mut wait = Duration::ZERO;
        for (key, limit) in keys {
            if let Some(times) = failures.get_mut(key) {
                times.retain(|t| now.duration_since(*t) < WINDOW);
                if times.len() >= *limit {
                    let oldest = times[times.len() - limit];
                    wait = wait.max(WINDOW - now.duration_since(oldest));
                }
            }
        }
        if wait.is_zero() {
            Ok(())
        } else {
            Err(wait)
        }
    }

    pub fn fail(&self, keys: &[(String, usize)]) {
        let now = Instant::now();
        let mut failures = self.failures.lock().expect("throttle lock");
        if failures.len() > 100_000 {
            failures.retain(|_, times| times.iter().any(|t| now.duration_since(*t) < WINDOW));
        }
        for (key, _) in keys {
            failures.entry(key.clone()).or_default().push(now);
        }
    }

    pub fn succeed(&self, account_key: &str) {
        self.failures
            .lock()
            .expect("throttle lock")
            .remove(account_key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_five_failures_per_key() {
        let throttle = Throttle::default();
        let keys = |account: &str, ip: &str| password_keys(account, Some(ip.parse().unwrap()));
        for _ in 0..MAX_FAILURES {
            assert!(throttle.check(&keys("a@b.c", "10.0.0.1")).is_ok());
            throttle.fail(&keys("a@b.c", "10.0.0.1"));
        }
        let wait = throttle.check(&keys("a@b.c", "10.0.0.1")).unwrap_err();
        assert!(wait > Duration::from_secs(14 * 60));
        // The account is locked from anywhere; other accounts from that IP are not (yet).
        assert!(throttle.check(&keys("a@b.c", "10.0.0.9")).is_err());
        assert!(throttle.check(&keys("x@y.z", "10.0.0.1")).is_ok());
        // Until the IP itself reaches its own limit.
        for n in 0..MAX_FAILURES_PER_IP {
            throttle.fail(&keys(&format!("user{n}@y.z"), "10.0.0.1"));
        }
        assert!(throttle.check(&keys("x@y.z", "10.0.0.1")).is_err());
        assert!(throttle.check(&keys("x@y.z", "10.0.0.2")).is_ok());
    }
}
