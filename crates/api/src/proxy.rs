//! Behind a reverse proxy: only a peer in `trusted_proxies` may say who the client is
//! (`X-Forwarded-For`) and that the request came over HTTPS (`X-Forwarded-Proto`). From anyone
//! else those headers are removed before any handler reads them, so a client cannot choose the
//! address its failed logins count against, or make the portal think it is on HTTPS.

use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, HeaderValue, header};
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

/// An address or a block of addresses: `10.0.0.1`, `10.0.0.0/8`, `fd00::/8`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl FromStr for Cidr {
    type Err = String;
    fn from_str(raw: &str) -> Result<Cidr, String> {
        let bad = || format!("'{raw}' is not an address or a block like 10.0.0.0/8");
        let (address, prefix) = match raw.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (raw.trim(), None),
        };
        let network: IpAddr = address.parse().map_err(|_| bad())?;
        let bits = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= bits)
                .ok_or_else(bad)?,
            None => bits,
        };
        Ok(Cidr { network, prefix })
    }
}

impl<'de> serde::Deserialize<'de> for Cidr {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Cidr, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

impl Cidr {
    pub fn contains(&self, address: IpAddr) -> bool {
        let (network, address, bits) = match (self.network, address) {
            (IpAddr::V4(n), IpAddr::V4(a)) => (u32::from(n) as u128, u32::from(a) as u128, 32),
            (IpAddr::V6(n), IpAddr::V6(a)) => (u128::from(n), u128::from(a), 128),
            (IpAddr::V6(n), IpAddr::V4(a)) => (u128::from(n), u128::from(a.to_ipv6_mapped()), 128),
            (IpAddr::V4(n), IpAddr::V6(a)) => match a.to_ipv4_mapped() {
                Some(a) => (u32::from(n) as u128, u32::from(a) as u128, 32),
                None => return false,
            },
        };
        let host_bits = bits - u32::from(self.prefix);
        let mask = if host_bits >= 128 {
            0
        } else {
            u128::MAX << host_bits
        };
        network & mask == address & mask
    }
}

/// What the edge learnt of a request: who the client is, and whether it came over HTTPS.
pub struct Forwarded {
    pub client: Option<SocketAddr>,
    pub https: bool,
}

/// Read (from a trusted proxy) or remove (from anyone else) the forwarding headers.
pub fn forwarded(trusted: &[Cidr], peer: Option<SocketAddr>, headers: &mut HeaderMap) -> Forwarded {
    let from_proxy = peer.is_some_and(|p| trusted.iter().any(|c| c.contains(p.ip())));
    if !from_proxy {
        headers.remove(header::FORWARDED);
        headers.remove("x-forwarded-for");
        headers.remove("x-forwarded-proto");
        headers.remove("x-forwarded-host");
        return Forwarded {
            client: peer,
            https: false,
        };
    }
    // The nearest address not of a trusted proxy, reading the chain from the right.
    let chain: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    let client = chain
        .iter()
        .rev()
        .find(|a| !trusted.iter().any(|c| c.contains(**a)))
        .or(chain.first())
        .map(|ip| SocketAddr::new(*ip, 0))
        .or(peer);
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
    Forwarded { client, https }
}

/// Put the client's address where handlers read it.
pub fn set_client(extensions: &mut axum::http::Extensions, client: Option<SocketAddr>) {
    if let Some(client) = client {
        extensions.insert(ConnectInfo(client));
    }
}

/// Served over HTTPS: browsers are told to come back only that way (a year).
pub fn hsts() -> HeaderValue {
    HeaderValue::from_static("max-age=31536000")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(a: &str) -> Option<SocketAddr> {
        Some(SocketAddr::new(a.parse().unwrap(), 40000))
    }

    #[test]
    fn blocks_hold_their_addresses() {
        let net: Cidr = "10.0.0.0/8".parse().unwrap();
        assert!(net.contains("10.20.30.40".parse().unwrap()));
        assert!(!net.contains("11.0.0.1".parse().unwrap()));
        assert!(net.contains("::ffff:10.1.2.3".parse().unwrap()));
        let one: Cidr = "192.0.2.7".parse().unwrap();
        assert!(one.contains("192.0.2.7".parse().unwrap()));
        assert!(!one.contains("192.0.2.8".parse().unwrap()));
        let v6: Cidr = "fd00::/8".parse().unwrap();
        assert!(v6.contains("fd12::1".parse().unwrap()));
        assert!(
            "0.0.0.0/0"
                .parse::<Cidr>()
                .unwrap()
                .contains("8.8.8.8".parse().unwrap())
        );
        for bad in ["", "10.0.0.0/33", "proxy.example", "10.0.0.0/x"] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad}");
        }
    }

    #[test]
    fn only_a_trusted_proxy_is_believed() {
        let trusted: Vec<Cidr> = vec!["10.0.0.0/8".parse().unwrap()];
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("203.0.113.9, 10.0.0.2"),
        );
        headers.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        let mut from_stranger = headers.clone();
        let f = forwarded(&trusted, peer("198.51.100.1"), &mut from_stranger);
        assert_eq!(f.client, peer("198.51.100.1"));
        assert!(!f.https);
        assert!(from_stranger.get("x-forwarded-proto").is_none());
        let f = forwarded(&trusted, peer("10.0.0.1"), &mut headers);
        assert_eq!(
            f.client.map(|c| c.ip()),
            Some("203.0.113.9".parse().unwrap())
        );
        assert!(f.https);
        // A client's own X-Forwarded-For entry on the left is not believed past the proxy's.
        let mut spoofed = HeaderMap::new();
        spoofed.insert(
            "x-forwarded-for",
            HeaderValue::from_static("1.2.3.4, 203.0.113.9"),
        );
        let f = forwarded(&trusted, peer("10.0.0.1"), &mut spoofed);
        assert_eq!(
            f.client.map(|c| c.ip()),
            Some("203.0.113.9".parse().unwrap())
        );
    }
}
