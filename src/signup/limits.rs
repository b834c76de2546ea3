//! Rate limits of the public (anonymous) signup server functions, per client address.
//!
//! Anyone can call `signup_start` and the rest without a session; each start is a database
//! row and each exchange calls Meta. So every call is counted against a token bucket of its
//! kind ([`PublicCall`]) and client address (after `PORTAL_TRUSTED_PROXIES`, see
//! `crate::http::client_addr`): a burst, then a steady rate. The buckets live in the database
//! (`signup_limits`), so several portal instances share one budget rather than each giving an
//! attacker its own. An IPv6 client counts by its /64 (one subscriber's network), since a
//! single host can use any address in it.

use std::net::IpAddr;

use app::signup::port::{ClientAddress, PublicCall};

use crate::db::{Millis, Rate, SignupLimitStore};

/// Twenty new signup sessions at once from one address, then one every 10 s.
pub const START: Rate = Rate {
    burst: 20,
    interval_ms: 10_000,
};
/// Funnel events: a signup sends a handful; sixty at once, then one a second.
pub const EVENT: Rate = Rate {
    burst: 60,
    interval_ms: 1_000,
};
/// Code exchanges (each one calls Meta): ten at once, then one every 10 s.
pub const EXCHANGE: Rate = Rate {
    burst: 10,
    interval_ms: 10_000,
};
/// Reads: the status page polls every 2 s; 120 at once, then two a second.
pub const READ: Rate = Rate {
    burst: 120,
    interval_ms: 500,
};

/// The rate and key prefix of each kind of call.
fn rate(call: PublicCall) -> (&'static str, Rate) {
    match call {
        PublicCall::Start => ("start", START),
        PublicCall::Event => ("event", EVENT),
        PublicCall::Exchange => ("exchange", EXCHANGE),
        PublicCall::Read => ("read", READ),
    }
}

/// What a client is counted by: its IPv4 address, or its IPv6 /64.
pub fn address_key(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

/// Counts one `call` from `client` at `now`: `Err(seconds to wait)` when over the limit.
/// Requests without a known address (none reach the portal that way) share one bucket.
pub async fn admit(
    store: &dyn SignupLimitStore,
    call: PublicCall,
    client: Option<ClientAddress>,
    now: Millis,
) -> Result<Result<(), u64>, crate::db::DbError> {
    let (kind, rate) = rate(call);
    let address = client.map_or_else(|| "unknown".to_string(), |c| address_key(c.0));
    let key = format!("{kind}:{address}");
    Ok(match store.take_signup_call(&key, rate, now).await? {
        None => Ok(()),
        Some(wait_ms) => Err((wait_ms.max(1) as u64).div_ceil(1000)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_count_by_their_64_and_mapped_ipv4_as_ipv4() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(
            address_key(ip("2001:db8:1:2:aaaa::1")),
            address_key(ip("2001:db8:1:2:bbbb::2"))
        );
        assert_ne!(
            address_key(ip("2001:db8:1:2::1")),
            address_key(ip("2001:db8:1:3::1"))
        );
        assert_eq!(address_key(ip("::ffff:192.0.2.7")), "192.0.2.7");
    }
}
