//! Which addresses outbound requests may reach.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// Why a target is refused; the message is shown to the user.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum TargetError {
    #[error("the address is not a valid http(s) URL")]
    NotHttp,
    #[error(
        "the address {0} is in a private or local network; only public internet addresses are allowed"
    )]
    Private(IpAddr),
    #[error("the host {0} could not be found")]
    Unknown(String),
}

/// True for addresses a user-chosen URL must not reach.
pub fn is_forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return forbidden_v4(v4);
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (first & 0xffc0) == 0xfec0 // site-local (deprecated)
                || (first == 0x2001 && v6.segments()[1] == 0x0db8) // documentation
                || (first == 0x0064 && v6.segments()[1] == 0xff9b) // NAT64 to anything
        }
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240 // reserved
}

/// Parses a user-given URL: http(s) with a host, no credentials, and (for literal
/// addresses, which never pass through the resolver) a public address.
pub fn check_url(url: &str, allow_private: bool) -> Result<url::Url, TargetError> {
    let parsed = url::Url::parse(url.trim()).map_err(|_| TargetError::NotHttp)?;
    if !matches!(parsed.scheme(), "http" | "https")
        || !parsed.username().is_empty()
        || parsed.password().is_some()
    {
        return Err(TargetError::NotHttp);
    }
    let ip = match parsed.host() {
        Some(url::Host::Ipv4(v4)) => Some(IpAddr::V4(v4)),
        Some(url::Host::Ipv6(v6)) => Some(IpAddr::V6(v6)),
        Some(url::Host::Domain(d)) => {
            if d.is_empty() {
                return Err(TargetError::NotHttp);
            }
            // "localhost" and its subdomains never leave the machine.
            let lower = d.trim_end_matches('.').to_ascii_lowercase();
            if !allow_private && (lower == "localhost" || lower.ends_with(".localhost")) {
                return Err(TargetError::Private(IpAddr::V4(Ipv4Addr::LOCALHOST)));
            }
            None
        }
        None => return Err(TargetError::NotHttp),
    };
    if let Some(ip) = ip
        && !allow_private
        && is_forbidden(ip)
    {
        return Err(TargetError::Private(ip));
    }
    Ok(parsed)
}

/// Resolves names and drops forbidden addresses, so the connection can only go to an
/// address that passed the check.
pub struct GuardedResolver {
    pub allow_private: bool,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let host = name.as_str().to_string();
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map_err(|_| TargetError::Unknown(host.clone()))?
                .collect();
            let mut refused = None;
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| {
                    let ok = allow_private || !is_forbidden(a.ip());
                    if !ok {
                        refused = Some(a.ip());
                    }
                    ok
                })
                .collect();
            if allowed.is_empty() {
                let err: Box<dyn std::error::Error + Send + Sync> = match refused {
                    Some(ip) => Box::new(TargetError::Private(ip)),
                    None => Box::new(TargetError::Unknown(host)),
                };
                return Err(err);
            }
            let addrs: reqwest::dns::Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_private_and_odd_targets() {
        for bad in [
            "http://127.0.0.1/",
            "http://10.0.0.1/hook",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]:8080/",
            "http://[::ffff:127.0.0.1]/",
            "http://[fd00::1]/",
            "http://0.0.0.0/",
            "http://192.168.1.1/",
            "http://100.64.0.1/",
            "http://localhost:9000/",
            "http://a.localhost/",
            "http://224.0.0.1/",
        ] {
            assert!(
                matches!(check_url(bad, false), Err(TargetError::Private(_))),
                "{bad} must be refused"
            );
            assert!(
                check_url(bad, true).is_ok(),
                "{bad} allowed when private is allowed"
            );
        }
        for bad in [
            "ftp://example.com/",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "http://u:p@example.com/",
            "not a url",
        ] {
            assert_eq!(check_url(bad, true), Err(TargetError::NotHttp), "{bad}");
        }
        assert!(check_url("https://hooks.slack.com/services/x", false).is_ok());
        assert!(check_url("http://93.184.216.34/", false).is_ok());
    }
}
