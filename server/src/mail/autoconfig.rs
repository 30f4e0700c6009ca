//! Mail app autoconfiguration in Thunderbird's format (also read by K-9/FairEmail,
//! Evolution and KMail): given an address, the IMAP and submission servers, so adding an
//! account takes the address and a password. Public, as it must be (the app asks before
//! signing in); it tells only what the setup pages tell, and the same for any address.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use serde::Deserialize;

use crate::dav::xml::escape;
use crate::state::AppState;

#[derive(Deserialize)]
pub struct AutoconfigQuery {
    emailaddress: Option<String>,
}

/// The domain an address asks about, when it looks like one; else the server's.
fn domain_of(query: &AutoconfigQuery, fallback: &str) -> String {
    query
        .emailaddress
        .as_deref()
        .and_then(|a| a.rsplit_once('@'))
        .map(|(_, d)| d.trim().to_ascii_lowercase())
        .filter(|d| {
            !d.is_empty()
                && d.len() <= 253
                && d.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        })
        .unwrap_or_else(|| fallback.to_string())
}

/// The configuration document.
pub fn config_xml(domain: &str, s: &crate::state::MailServers) -> String {
    let server = |kind: &str, tag: &str, port: u16, socket: &str| {
        format!(
            "    <{tag} type=\"{kind}\">\n      <hostname>{host}</hostname>\n      <port>{port}</port>\n      \
             <socketType>{socket}</socketType>\n      <authentication>password-cleartext</authentication>\n      \
             <username>%EMAILADDRESS%</username>\n    </{tag}>\n",
            host = escape(&s.host),
        )
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<clientConfig version=\"1.1\">\n  \
         <emailProvider id=\"{domain}\">\n    <domain>{domain}</domain>\n    \
         <displayName>ksuite ({domain})</displayName>\n    <displayShortName>ksuite</displayShortName>\n\
         {imaps}{imap}{submissions}{submission}  </emailProvider>\n</clientConfig>\n",
        domain = escape(domain),
        imaps = server("imap", "incomingServer", s.imaps_port, "SSL"),
        imap = server("imap", "incomingServer", s.imap_port, "STARTTLS"),
        submissions = server("smtp", "outgoingServer", s.submissions_port, "SSL"),
        submission = server("smtp", "outgoingServer", s.submission_port, "STARTTLS"),
    )
}

/// `/.well-known/autoconfig/mail/config-v1.1.xml` and `/mail/config-v1.1.xml`.
pub async fn config(
    State(state): State<AppState>,
    Query(query): Query<AutoconfigQuery>,
) -> impl IntoResponse {
    let domain = domain_of(&query, &state.settings.mail_domain);
    (
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        config_xml(&domain, &state.settings.mail_servers),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_both_servers_with_tls_first() {
        let s = crate::state::MailServers {
            host: "mail.example.com".into(),
            imap_port: 143,
            imaps_port: 993,
            submission_port: 587,
            submissions_port: 465,
            self_signed: false,
        };
        let x = config_xml("example.com", &s);
        let imaps = x.find("<port>993</port>").expect("imaps");
        let imap = x.find("<port>143</port>").expect("imap");
        assert!(imaps < imap, "implicit TLS is offered first");
        assert!(x.contains("<port>465</port>") && x.contains("<port>587</port>"));
        assert!(x.contains("<username>%EMAILADDRESS%</username>"));
        let q = |a: &str| AutoconfigQuery {
            emailaddress: Some(a.into()),
        };
        assert_eq!(domain_of(&q("ann@Example.COM"), "x"), "example.com");
        assert_eq!(domain_of(&q("ann@<script>"), "x"), "x");
    }
}
