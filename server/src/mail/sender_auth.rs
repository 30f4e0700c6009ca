//! Who really sent arriving mail, with the `mail-auth` crate: SPF (the connecting server
//! may send for the envelope domain), DKIM (signatures check against the signer's
//! published key) and DMARC (the From domain's policy, aligned with one of those). The
//! result is recorded in an `Authentication-Results` header, and mail that fails a DMARC
//! policy of quarantine or reject is flagged so the reader warns: that is how a forged
//! "From: your bank" looks.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use mail_auth::common::headers::HeaderWriter;
use mail_auth::dmarc::Policy;
use mail_auth::dmarc::verify::DmarcParameters;
use mail_auth::hickory_resolver::config::{NameServerConfigGroup, ResolverConfig, ResolverOpts};
use mail_auth::spf::verify::SpfParameters;
use mail_auth::{
    AuthenticatedMessage, AuthenticationResults, DmarcOutput, DmarcResult, MessageAuthenticator,
};

/// DKIM signatures checked per message (each costs a DNS lookup); further ones are ignored.
const MAX_DKIM_SIGNATURES: usize = 5;

/// Where DNS questions go: `system` (resolv.conf), `off` (no checks), or `ip:port`.
#[derive(Clone, Debug, PartialEq)]
pub enum DnsChoice {
    System,
    Off,
    At(SocketAddr),
}

impl std::str::FromStr for DnsChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<DnsChoice, String> {
        match s.trim() {
            "system" => Ok(DnsChoice::System),
            "off" | "" => Ok(DnsChoice::Off),
            other => other.parse().map(DnsChoice::At).map_err(|_| {
                format!(
                    "expected system, off or a resolver address like 127.0.0.1:53, got {other:?}"
                )
            }),
        }
    }
}

/// The checker, shared by every SMTP session.
pub struct SenderAuth {
    authenticator: MessageAuthenticator,
    /// Our name in `Authentication-Results` (the mail domain).
    hostname: String,
    timeout: Duration,
}

/// What the checks found.
#[derive(Debug)]
pub struct Verdict {
    /// The complete `Authentication-Results: …\r\n` header line(s).
    pub header: String,
    /// The From domain publishes DMARC quarantine/reject and this message fails it.
    pub dmarc_failed: bool,
}

impl SenderAuth {
    /// `None` when checks are off.
    pub fn new(
        dns: &DnsChoice,
        hostname: &str,
        timeout: Duration,
    ) -> anyhow::Result<Option<SenderAuth>> {
        let authenticator = match dns {
            DnsChoice::Off => return Ok(None),
            DnsChoice::System => MessageAuthenticator::new_system_conf()?,
            DnsChoice::At(addr) => {
                let servers =
                    NameServerConfigGroup::from_ips_clear(&[addr.ip()], addr.port(), true);
                let mut options = ResolverOpts::default();
                options.timeout = timeout.min(Duration::from_secs(5));
                options.attempts = 1;
                MessageAuthenticator::new(
                    ResolverConfig::from_parts(None, vec![], servers),
                    options,
                )?
            }
        };
        Ok(Some(SenderAuth {
            authenticator,
            hostname: hostname.to_string(),
            timeout,
        }))
    }

    /// Checks one arriving message; never fails (trouble is recorded as `temperror`).
    pub async fn check(&self, raw: &[u8], ip: IpAddr, helo: &str, mail_from: &str) -> Verdict {
        match tokio::time::timeout(self.timeout, self.run(raw, ip, helo, mail_from)).await {
            Ok(v) => v,
            Err(_) => Verdict {
                header: format!(
                    "Authentication-Results: {}; spf=temperror; dkim=temperror; dmarc=temperror (checks took too long)\r\n",
                    self.hostname
                ),
                dmarc_failed: false,
            },
        }
    }

    async fn run(&self, raw: &[u8], ip: IpAddr, helo: &str, mail_from: &str) -> Verdict {
        let Some(mut message) = AuthenticatedMessage::parse(raw) else {
            return Verdict {
                header: format!(
                    "Authentication-Results: {}; none (the message could not be parsed)\r\n",
                    self.hostname
                ),
                dmarc_failed: false,
            };
        };
        message.dkim_headers.truncate(MAX_DKIM_SIGNATURES);
        let helo = helo.trim_start_matches('[').trim_end_matches(']');
        let spf = if mail_from.is_empty() {
            self.authenticator
                .verify_spf(SpfParameters::verify_ehlo(ip, helo, &self.hostname))
                .await
        } else {
            self.authenticator
                .verify_spf(SpfParameters::verify_mail_from(
                    ip,
                    helo,
                    &self.hostname,
                    mail_from,
                ))
                .await
        };
        let dkim = self.authenticator.verify_dkim(&message).await;
        let envelope_domain = mail_from.rsplit_once('@').map_or(helo, |(_, d)| d);
        let dmarc = self
            .authenticator
            .verify_dmarc(
                DmarcParameters::new(&message, &dkim, envelope_domain, &spf)
                    .with_domain_suffix_fn(|d| psl::domain_str(d).unwrap_or(d)),
            )
            .await;
        let header_from = message.from.first().map(String::as_str).unwrap_or("");
        let mut header = AuthenticationResults::new(&self.hostname)
            .with_dkim_results(&dkim, header_from)
            .with_spf_mailfrom_result(&spf, ip, mail_from, helo)
            .to_header();
        let (verdict, dmarc_failed) = dmarc_verdict(&dmarc);
        // mail-auth writes "dmarc=none" for a message that meets the record with neither
        // check passing; say "fail", as receivers and mail clients expect.
        header.truncate(header.trim_end().len());
        header.push_str(&format!(
            ";\r\n\tdmarc={verdict} header.from={} policy.dmarc={}\r\n",
            dmarc.domain(),
            dmarc.policy()
        ));
        Verdict {
            header,
            dmarc_failed,
        }
    }
}

/// The DMARC result word, and whether the reader should warn (the domain asks receivers
/// to quarantine or reject mail that fails, and this one does).
fn dmarc_verdict(dmarc: &DmarcOutput) -> (&'static str, bool) {
    let (spf, dkim) = (dmarc.spf_result(), dmarc.dkim_result());
    if *spf == DmarcResult::Pass || *dkim == DmarcResult::Pass {
        return ("pass", false);
    }
    if dmarc.dmarc_record().is_some() {
        let enforced = matches!(dmarc.policy(), Policy::Quarantine | Policy::Reject);
        return ("fail", enforced);
    }
    match (spf, dkim) {
        (DmarcResult::TempError(_), _) | (_, DmarcResult::TempError(_)) => ("temperror", false),
        (DmarcResult::PermError(_), _) | (_, DmarcResult::PermError(_)) => ("permerror", false),
        _ => ("none", false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolver_choices_parse() {
        assert_eq!("system".parse(), Ok(DnsChoice::System));
        assert_eq!("off".parse(), Ok(DnsChoice::Off));
        assert_eq!(
            "127.0.0.1:5353".parse(),
            Ok(DnsChoice::At("127.0.0.1:5353".parse().expect("addr")))
        );
        assert!("dns.example".parse::<DnsChoice>().is_err());
    }
}
