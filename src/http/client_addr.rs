//! The client's address behind reverse proxies.
//!
//! Throttling and the audit log key on the address a request came from. Behind a reverse
//! proxy the TCP peer is the proxy, for everyone; so when the peer is one of the configured
//! trusted proxies (`PORTAL_TRUSTED_PROXIES`), the client is read from `X-Forwarded-For`:
//! walking it from the right (each proxy appends the address it saw), the first address that
//! is not a trusted proxy is the client. From any other peer the header is ignored, since
//! anyone can send it.
//!
//! The layer replaces the request's `ConnectInfo<SocketAddr>` with the client's address (port
//! 0), so every handler that reads `ConnectInfo` gets the client, not the proxy; puts it in
//! the extensions as [`app::signup::port::ClientAddress`] too (for server functions, which see
//! the request's extensions but not axum's types); and marks requests from this host ([`app::staff::port::LoopbackCaller`]), which may read health details.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;

/// The proxies whose `X-Forwarded-For` is believed.
#[derive(Clone, Default)]
pub struct TrustedProxies(pub Arc<[IpNet]>);

impl TrustedProxies {
    fn trust(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client's address, for a request from `peer` with `headers`.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.trust(peer) {
            return peer;
        }
        let forwarded: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect();
        let mut client = peer;
        for entry in forwarded.iter().rev() {
            match entry.trim().parse::<IpAddr>() {
                Ok(ip) => {
                    client = ip.to_canonical();
                    if !self.trust(client) {
                        break;
                    }
                }
                // Garbage: stop at the last address a trusted proxy vouched for.
                Err(_) => break,
            }
        }
        client
    }
}

/// Middleware: `ConnectInfo` becomes the client's address (see the module docs).
pub async fn client_addr(
    State(proxies): State<TrustedProxies>,
    mut request: Request,
    next: Next,
) -> Response {
    if let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>() {
        let peer = *peer;
        let client = proxies.client(peer.ip(), request.headers());
        request
            .extensions_mut()
            .insert(app::signup::port::ClientAddress(client));
        if client != peer.ip() {
            request
                .extensions_mut()
                .insert(ConnectInfo(SocketAddr::new(client, 0)));
        }
        if client.is_loopback() {
            request
                .extensions_mut()
                .insert(app::staff::port::LoopbackCaller);
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(forwarded: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", forwarded.parse().unwrap());
        headers
    }

    #[test]
    fn only_trusted_proxies_are_believed() {
        let proxies = TrustedProxies(vec!["10.0.0.0/8".parse().unwrap()].into());
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        // From a proxy: the rightmost address that is not a proxy.
        assert_eq!(
            proxies.client(ip("10.0.0.1"), &headers("1.2.3.4, 198.51.100.7, 10.0.0.2")),
            ip("198.51.100.7")
        );
        // From anyone else the header is ignored.
        assert_eq!(
            proxies.client(ip("192.0.2.1"), &headers("198.51.100.7")),
            ip("192.0.2.1")
        );
        // No header, or garbage: the proxy itself.
        assert_eq!(
            proxies.client(ip("10.0.0.1"), &HeaderMap::new()),
            ip("10.0.0.1")
        );
        assert_eq!(
            proxies.client(ip("10.0.0.1"), &headers("not an address")),
            ip("10.0.0.1")
        );
        // IPv4 peers seen on an IPv6 socket.
        assert_eq!(
            proxies.client(ip("::ffff:10.0.0.1"), &headers("198.51.100.7")),
            ip("198.51.100.7")
        );
    }
}
