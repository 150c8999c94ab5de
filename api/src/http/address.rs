//! The client's address: the one function every throttle, rate limit and lockout takes it from.
//! `X-Forwarded-For` is believed only when the peer is a proxy listed in
//! `BIRLIK_TRUSTED_PROXIES`, and then only as far as the hops those proxies appended (walking from
//! the right past trusted hops); anything a client writes there itself is ignored. IPv6 clients
//! are keyed by their /64, the block one subscriber gets, so rotating addresses inside it gains
//! nothing.

use std::net::{IpAddr, Ipv6Addr};

use actix_web::HttpRequest;

use crate::network::masked;
pub use crate::network::{Net, TrustedProxies};
use std::str::FromStr;

/// The address a client is counted under: IPv4 as is, IPv6 as its /64 network (IPv4-mapped IPv6
/// as IPv4).
pub fn key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(masked(u128::from(v6), 128, 64))),
    }
}

/// The client of a request, keyed for throttles ([`key`]): the peer, or, when the peer is a
/// trusted proxy, the right-most address of `X-Forwarded-For` that is not itself a trusted proxy.
pub fn client_address(req: &HttpRequest, trusted: &TrustedProxies) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    Some(key(forwarded_client(peer, forwarded_for(req), trusted)))
}

/// Every `X-Forwarded-For` hop, leftmost (the client's claim) first, over all such headers.
fn forwarded_for(req: &HttpRequest) -> Vec<String> {
    req.headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|hop| hop.trim().to_owned())
        .filter(|hop| !hop.is_empty())
        .collect()
}

/// Walks the hops from the right while each one that handed the request on is trusted.
fn forwarded_client(peer: IpAddr, hops: Vec<String>, trusted: &TrustedProxies) -> IpAddr {
    let mut client = peer;
    for hop in hops.iter().rev() {
        if !trusted.trusts(client) {
            break;
        }
        // A hop a trusted proxy wrote is an address; anything else came from the client's side.
        match parse_hop(hop) {
            Some(ip) => client = ip,
            None => break,
        }
    }
    client
}

/// An address as proxies write it: `1.2.3.4`, `2001:db8::1`, `[2001:db8::1]:443`, `1.2.3.4:80`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = IpAddr::from_str(hop) {
        return Some(ip);
    }
    std::net::SocketAddr::from_str(hop).ok().map(|s| s.ip())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn hops(s: &[&str]) -> Vec<String> {
        s.iter().map(|h| h.to_string()).collect()
    }

    #[test]
    fn networks_parse_and_contain() {
        let net: Net = "10.1.0.0/16".parse().unwrap();
        assert!(net.contains(ip("10.1.200.3")));
        assert!(!net.contains(ip("10.2.0.1")));
        assert!(net.contains(ip("::ffff:10.1.0.9")), "IPv4-mapped IPv6");
        let one: Net = "127.0.0.1".parse().unwrap();
        assert!(one.contains(ip("127.0.0.1")));
        assert!(!one.contains(ip("127.0.0.2")));
        let v6: Net = "fd00::/8".parse().unwrap();
        assert!(v6.contains(ip("fd12::1")));
        assert!(!v6.contains(ip("fe80::1")));
        assert!("10.0.0.0/33".parse::<Net>().is_err());
        assert!("proxy".parse::<Net>().is_err());
        let all: TrustedProxies = "10.0.0.1, 192.168.0.0/16 ::1".parse().unwrap();
        assert_eq!(all.0.len(), 3);
        assert_eq!(
            "".parse::<TrustedProxies>().unwrap(),
            TrustedProxies::default()
        );
    }

    #[test]
    fn forwarded_for_counts_only_behind_trusted_proxies() {
        let trusted: TrustedProxies = "10.0.0.0/8".parse().unwrap();
        // No trusted proxy: the header is the client's own words.
        assert_eq!(
            forwarded_client(ip("203.0.113.9"), hops(&["1.1.1.1"]), &trusted),
            ip("203.0.113.9")
        );
        // Behind one proxy: the hop it appended.
        assert_eq!(
            forwarded_client(ip("10.0.0.5"), hops(&["6.6.6.6", "198.51.100.7"]), &trusted),
            ip("198.51.100.7"),
            "what the client wrote to the left is ignored"
        );
        // Behind two: past both.
        assert_eq!(
            forwarded_client(
                ip("10.0.0.5"),
                hops(&["198.51.100.7", "10.0.0.9"]),
                &trusted
            ),
            ip("198.51.100.7")
        );
        // A trusted proxy with no header: the proxy itself.
        assert_eq!(
            forwarded_client(ip("10.0.0.5"), vec![], &trusted),
            ip("10.0.0.5")
        );
        // Garbage where an address should be: the last hop believed.
        assert_eq!(
            forwarded_client(ip("10.0.0.5"), hops(&["nonsense"]), &trusted),
            ip("10.0.0.5")
        );
        assert_eq!(
            forwarded_client(ip("10.0.0.5"), hops(&["[2001:db8::1]:443"]), &trusted),
            ip("2001:db8::1")
        );
    }

    #[test]
    fn ipv6_is_keyed_by_its_64() {
        assert_eq!(key(ip("2001:db8:1:2:aaaa::1")), ip("2001:db8:1:2::"));
        assert_eq!(
            key(ip("2001:db8:1:2:bbbb::7")),
            key(ip("2001:db8:1:2:aaaa::1"))
        );
        assert_ne!(key(ip("2001:db8:1:3::1")), key(ip("2001:db8:1:2::1")));
        assert_eq!(key(ip("::ffff:192.0.2.1")), ip("192.0.2.1"));
        assert_eq!(key(ip("192.0.2.1")), ip("192.0.2.1"));
    }
}
