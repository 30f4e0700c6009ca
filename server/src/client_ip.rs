//! The client's address as throttles should see it: the peer, or — when the peer is a
//! reverse proxy the operator trusts (`--trusted-proxies`) — the last address in
//! `X-Forwarded-For` that is not itself a trusted proxy. Without trusted proxies the
//! header is ignored, so nobody can pick their own address by sending it.

use std::net::IpAddr;

use axum::http::HeaderMap;

/// One trusted network, `address/prefix`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Network {
    addr: IpAddr,
    prefix: u8,
}

impl Network {
    fn parse(s: &str) -> Result<Network, String> {
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = addr
            .trim()
            .parse()
            .map_err(|_| format!("{s:?} is not an IP address or network"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{s:?} has an invalid prefix length"))?,
            None => max,
        };
        Ok(Network { addr, prefix })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        let ip = match (self.addr, ip) {
            (IpAddr::V4(_), IpAddr::V6(v6)) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            _ => ip,
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// The reverse proxies whose `X-Forwarded-For` is believed.
#[derive(Clone, Debug, Default)]
pub struct TrustedProxies(Vec<Network>);

impl TrustedProxies {
    /// Parses a comma-separated list such as `127.0.0.1, 10.0.0.0/8, ::1`.
    pub fn parse(list: &str) -> Result<TrustedProxies, String> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(Network::parse)
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(ip))
    }

    /// The address of the client behind `peer`.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        // Each proxy appends the address it saw: walk from the right, past our proxies.
        let mut client = peer;
        for value in headers.get_all("x-forwarded-for") {
            let Ok(text) = value.to_str() else {
                return peer;
            };
            for part in text.split(',').rev() {
                let Ok(ip) = part.trim().parse::<IpAddr>() else {
                    return client;
                };
                client = ip;
                if !self.trusts(ip) {
                    return ip;
                }
            }
        }
        client
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", xff.parse().expect("header"));
        h
    }

    #[test]
    fn only_trusted_peers_may_name_the_client() {
        let t = TrustedProxies::parse("127.0.0.1, 10.0.0.0/8").expect("list");
        let proxy: IpAddr = "10.1.2.3".parse().expect("ip");
        let stranger: IpAddr = "203.0.113.9".parse().expect("ip");
        // Behind the proxy: the rightmost untrusted entry, not what the client wrote first.
        assert_eq!(
            t.client(proxy, &headers("1.1.1.1, 198.51.100.7, 10.0.0.5")),
            "198.51.100.7".parse::<IpAddr>().expect("ip")
        );
        // A direct client cannot choose its address.
        assert_eq!(t.client(stranger, &headers("1.1.1.1")), stranger);
        // No header: the proxy itself.
        assert_eq!(t.client(proxy, &HeaderMap::new()), proxy);
        // Garbage stops the walk at what was known.
        assert_eq!(t.client(proxy, &headers("nonsense")), proxy);
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("example.org").is_err());
        assert!(TrustedProxies::parse("").expect("empty").0.is_empty());
    }
}
