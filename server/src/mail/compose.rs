//! Outgoing messages: recipients as people type them, and the RFC 5322 message built from
//! what the composer sent (with `mail-builder`, which encodes headers and bodies).

use std::borrow::Cow;

use mail_builder::MessageBuilder;
use mail_builder::headers::address::Address;
use mail_builder::mime::BodyPart;

/// Longest address accepted (RFC 5321 path limit).
const MAX_ADDRESS: usize = 254;

/// A recipient or sender: an address and perhaps a display name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mailbox {
    pub name: Option<String>,
    /// Lower-cased domain; the local part as written.
    pub address: String,
}

impl Mailbox {
    pub fn domain(&self) -> &str {
        self.address.rsplit_once('@').map(|(_, d)| d).unwrap_or("")
    }

    /// `Name <address>` or the bare address, as lists show it.
    pub fn display(&self) -> String {
        match &self.name {
            Some(n) => format!("{n} <{}>", self.address),
            None => self.address.clone(),
        }
    }

    fn header(&self) -> Address<'_> {
        match &self.name {
            Some(n) => Address::new_address(Some(n.as_str()), self.address.as_str()),
            None => Address::new_address(None::<&str>, self.address.as_str()),
        }
    }
}

/// Whether `a` is an address a relay will take: `local@domain` without spaces, quotes
/// or brackets, a dotted (or `localhost`) domain of letters, digits and hyphens.
fn valid_address(a: &str) -> bool {
    let Some((local, domain)) = a.rsplit_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && local.chars().all(|c| {
            c.is_alphanumeric()
                || "!#$%&'*+-/=?^_`{|}~.".contains(c)
                || (!c.is_ascii() && !c.is_control())
        });
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = (labels.len() >= 2 || domain == "localhost")
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    a.len() <= MAX_ADDRESS && local_ok && domain_ok
}

/// Reads `Name <address>`, `"Name" <address>` or a bare address; `None` when it is not one.
pub fn parse_mailbox(s: &str) -> Option<Mailbox> {
    let s = s.trim();
    let (name, address) = match (s.rfind('<'), s.ends_with('>')) {
        (Some(open), true) => {
            let name = s[..open].trim().trim_matches('"').trim();
            (
                (!name.is_empty()).then(|| name.to_string()),
                &s[open + 1..s.len() - 1],
            )
        }
        _ => (None, s),
    };
    let address = address.trim();
    if !valid_address(address) {
        return None;
    }
    let (local, domain) = address.rsplit_once('@')?;
    Some(Mailbox {
        name: name.filter(|n| !n.chars().any(char::is_control)),
        address: format!("{local}@{}", domain.to_lowercase()),
    })
}

/// Parses every recipient, or says which ones are not addresses.
pub fn parse_all(list: &[String]) -> Result<Vec<Mailbox>, Vec<String>> {
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for item in list.iter().filter(|s| !s.trim().is_empty()) {
        match parse_mailbox(item) {
            Some(m) => good.push(m),
            None => bad.push(item.trim().to_string()),
        }
    }
    if bad.is_empty() { Ok(good) } else { Err(bad) }
}

/// An attachment's name, type and bytes.
pub struct Attachment {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// Everything a message is built from.
pub struct Draft<'a> {
    pub from: &'a Mailbox,
    pub to: &'a [Mailbox],
    pub cc: &'a [Mailbox],
    pub bcc: &'a [Mailbox],
    pub subject: &'a str,
    pub text: &'a str,
    /// Already sanitized.
    pub html: Option<&'a str>,
    pub attachments: &'a [Attachment],
    /// Message-ID of the message answered, without angle brackets.
    pub in_reply_to: Option<&'a str>,
    /// The conversation so far, oldest first, without angle brackets.
    pub references: &'a [String],
    pub message_id: &'a str,
    /// Unix seconds.
    pub date: i64,
}

fn address_list<'a>(list: &'a [Mailbox]) -> Address<'a> {
    Address::new_list(list.iter().map(Mailbox::header).collect())
}

/// The message as bytes; with `bcc` the Bcc header is written (for the sender's own copy
/// and drafts), without it the message is as recipients get it.
pub fn build(d: &Draft<'_>, bcc: bool) -> std::io::Result<Vec<u8>> {
    let mut m = MessageBuilder::new()
        .from(d.from.header())
        .subject(d.subject)
        .date(d.date)
        .message_id(d.message_id)
        .header("User-Agent", mail_builder::headers::raw::Raw::new("ksuite"));
    if !d.to.is_empty() {
        m = m.to(address_list(d.to));
    }
    if !d.cc.is_empty() {
        m = m.cc(address_list(d.cc));
    }
    if bcc && !d.bcc.is_empty() {
        m = m.bcc(address_list(d.bcc));
    }
    if let Some(parent) = d.in_reply_to {
        m = m.in_reply_to(parent);
    }
    if !d.references.is_empty() {
        m = m.references(
            d.references
                .iter()
                .map(|r| Cow::Borrowed(r.as_str()))
                .collect::<Vec<_>>(),
        );
    }
    m = m.text_body(d.text);
    if let Some(html) = d.html {
        m = m.html_body(html);
    }
    for a in d.attachments {
        m = m.attachment(
            a.content_type.as_str(),
            a.name.as_str(),
            BodyPart::Binary(Cow::Borrowed(&a.bytes[..])),
        );
    }
    m.write_to_vec()
}

/// Cleans the composer's rich text for sending: no scripts, handlers or foreign frames.
pub fn clean_html(html: &str) -> String {
    ammonia::clean(html)
}

/// "Re: " or "Fwd: " in front of a subject unless it is already there.
pub fn prefixed_subject(prefix: &str, subject: &str) -> String {
    let lower = subject.trim_start().to_lowercase();
    if lower.starts_with(&prefix.to_lowercase()) {
        subject.trim().to_string()
    } else {
        format!("{prefix}{}", subject.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_parser::{MessageParser, MimeHeaders};

    #[test]
    fn reads_recipients_as_people_type_them() {
        let m = parse_mailbox(" \"Ann Smith\" <Ann@Example.ORG> ").expect("address");
        assert_eq!(m.name.as_deref(), Some("Ann Smith"));
        assert_eq!(m.address, "Ann@example.org");
        assert_eq!(parse_mailbox("bob@x.test").map(|m| m.name), Some(None));
        for bad in [
            "bob",
            "bob@",
            "@x.test",
            "bob@x",
            "b ob@x.test",
            "bob@-x.test",
            "<bob@x.test",
            "a\r\nBcc: evil@x.test",
        ] {
            assert_eq!(parse_mailbox(bad), None, "{bad:?}");
        }
        assert_eq!(
            parse_all(&["a@x.test".into(), "nope".into(), " ".into()]),
            Err(vec!["nope".to_string()])
        );
    }

    #[test]
    fn builds_a_message_mail_parser_reads_back() {
        let from = parse_mailbox("Ann <ann@ksuite.test>").expect("from");
        let to = vec![parse_mailbox("Zoë <zoe@example.org>").expect("to")];
        let bcc = vec![parse_mailbox("hidden@example.org").expect("bcc")];
        let attachments = vec![Attachment {
            name: "résumé.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: b"%PDF-1.4 fake".to_vec(),
        }];
        let refs = vec!["root@x".to_string(), "parent@x".to_string()];
        let d = Draft {
            from: &from,
            to: &to,
            cc: &[],
            bcc: &bcc,
            subject: "Re: Café",
            text: "Merci !\n\n> quoted",
            html: Some("<p>Merci !</p>"),
            attachments: &attachments,
            in_reply_to: Some("parent@x"),
            references: &refs,
            message_id: "new@ksuite.test",
            date: 1_795_514_400,
        };
        let sent = build(&d, false).expect("build");
        let own = build(&d, true).expect("build");
        let m = MessageParser::default().parse(&sent[..]).expect("parses");
        assert_eq!(m.subject(), Some("Re: Café"));
        assert_eq!(m.message_id(), Some("new@ksuite.test"));
        assert_eq!(m.in_reply_to().as_text(), Some("parent@x"));
        assert_eq!(m.references().as_text_list().map(|l| l.len()), Some(2));
        // Lines go out with CRLF, as RFC 5322 wants.
        assert_eq!(m.body_text(0).as_deref(), Some("Merci !\r\n\r\n> quoted"));
        assert!(m.body_html(0).is_some_and(|h| h.contains("Merci")));
        assert_eq!(
            m.attachments()
                .next()
                .and_then(|a| a.attachment_name().map(str::to_string)),
            Some("résumé.pdf".into())
        );
        assert!(m.bcc().is_none(), "recipients never see Bcc");
        let own = MessageParser::default().parse(&own[..]).expect("parses");
        assert_eq!(
            own.bcc().and_then(|b| b.first()).and_then(|a| a.address()),
            Some("hidden@example.org")
        );
    }

    #[test]
    fn subject_prefixes_are_not_repeated() {
        assert_eq!(prefixed_subject("Re: ", "Lunch"), "Re: Lunch");
        assert_eq!(prefixed_subject("Re: ", "RE: Lunch"), "RE: Lunch");
        assert_eq!(prefixed_subject("Fwd: ", "Re: Lunch"), "Fwd: Re: Lunch");
    }
}
