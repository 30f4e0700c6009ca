//! What the store indexes of a message, read with `mail-parser` (lenient with broken
//! MIME and legacy charsets). A message it cannot read at all is still stored and listed.

use mail_parser::{Address, MessageParser, MessagePart, MimeHeaders};

/// Longest body text kept in the full-text index.
const MAX_INDEXED_BODY: usize = 100 * 1024;
const SNIPPET_CHARS: usize = 160;

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Indexed {
    pub from_name: Option<String>,
    pub from_address: Option<String>,
    /// `Name <address>` or the bare address, one per recipient.
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub snippet: String,
    pub sent_at: Option<i64>,
    pub message_id: Option<String>,
    pub in_reply_to: Option<String>,
    /// The conversation: the first Reference (its root), else In-Reply-To, else itself.
    pub thread_id: String,
    pub has_attachments: bool,
    /// Searchable with the body.
    pub attachment_names: Vec<String>,
    pub body_text: String,
}

/// `Name <address>` or the bare address of each entry of an address header.
pub fn addresses(a: Option<&Address<'_>>) -> Vec<String> {
    a.map(|a| {
        a.iter()
            .filter_map(|x| {
                let addr = x.address()?.trim().to_string();
                Some(match x.name().map(str::trim).filter(|n| !n.is_empty()) {
                    Some(n) => format!("{n} <{addr}>"),
                    None => addr,
                })
            })
            .collect()
    })
    .unwrap_or_default()
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => s[..i].to_string(),
        None => s.to_string(),
    }
}

/// Indexes a raw message; `fallback_id` names its thread when it has no Message-ID.
pub fn index(raw: &[u8], fallback_id: &str) -> Indexed {
    let Some(msg) = MessageParser::default().parse(raw) else {
        let text = String::from_utf8_lossy(raw);
        return Indexed {
            subject: "(unreadable message)".into(),
            snippet: clip(&one_line(&text), SNIPPET_CHARS),
            thread_id: fallback_id.to_string(),
            body_text: clip(&text, MAX_INDEXED_BODY),
            ..Indexed::default()
        };
    };
    let from = msg.from().and_then(|a| a.first());
    let message_id = msg.message_id().map(str::to_string);
    let in_reply_to = msg.in_reply_to().as_text().map(str::to_string);
    let root = msg
        .references()
        .as_text_list()
        .and_then(|l| l.first().map(|r| r.to_string()))
        .or_else(|| msg.references().as_text().map(str::to_string));
    let thread_id = root
        .or_else(|| in_reply_to.clone())
        .or_else(|| message_id.clone())
        .unwrap_or_else(|| fallback_id.to_string());
    let body_text = msg.body_text(0).map(|b| b.to_string()).unwrap_or_default();
    Indexed {
        from_name: from
            .and_then(|f| f.name())
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty()),
        from_address: from
            .and_then(|f| f.address())
            .map(|a| a.trim().to_lowercase()),
        to: addresses(msg.to()),
        cc: addresses(msg.cc()),
        subject: msg.subject().map(one_line).unwrap_or_default(),
        snippet: clip(&one_line(&body_text), SNIPPET_CHARS),
        sent_at: msg.date().map(|d| d.to_timestamp()),
        message_id,
        in_reply_to,
        thread_id,
        has_attachments: msg.attachments().any(is_real_attachment),
        attachment_names: msg
            .attachments()
            .filter_map(|a| a.attachment_name().map(str::to_string))
            .collect(),
        body_text: clip(&body_text, MAX_INDEXED_BODY),
    }
}

/// The `index`-th attachment as the reader lists them (the numbering the API uses).
pub fn nth_attachment<'a>(
    msg: &'a mail_parser::Message<'a>,
    index: usize,
) -> Option<&'a MessagePart<'a>> {
    msg.attachments()
        .filter(|a| is_real_attachment(a))
        .nth(index)
}

/// `type/subtype` of a part, the generic binary type when it has none.
pub fn content_type_of(part: &MessagePart<'_>) -> String {
    part.content_type()
        .map(|c| match c.subtype() {
            Some(sub) => format!("{}/{sub}", c.ctype()),
            None => c.ctype().to_string(),
        })
        .unwrap_or_else(|| "application/octet-stream".into())
}

/// A part a reader would call an attachment: named, or not text. (The parser also counts
/// text parts it could not place, e.g. in a multipart that never closes.)
pub fn is_real_attachment(part: &MessagePart<'_>) -> bool {
    part.attachment_name().is_some()
        || part
            .content_type()
            .is_some_and(|c| !c.ctype().eq_ignore_ascii_case("text"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_headers_threads_and_legacy_charsets() {
        let raw = b"From: =?ISO-8859-1?Q?Ren=E9?= <rene@example.org>\r\nTo: Ann <ann@ksuite.test>, bob@ksuite.test\r\n\
Subject: =?ISO-8859-1?Q?Caf=E9?=\r\nMessage-ID: <m2@example.org>\r\nIn-Reply-To: <m1@example.org>\r\n\
References: <m0@example.org> <m1@example.org>\r\nDate: Tue, 24 Nov 2026 10:00:00 +0000\r\n\
Content-Type: text/plain; charset=iso-8859-1\r\n\r\nD\xe9j\xe0 vu.\r\n";
        let i = index(raw, "x");
        assert_eq!(i.from_name.as_deref(), Some("René"));
        assert_eq!(i.from_address.as_deref(), Some("rene@example.org"));
        assert_eq!(i.to, vec!["Ann <ann@ksuite.test>", "bob@ksuite.test"]);
        assert_eq!(i.subject, "Café");
        assert_eq!(i.thread_id, "m0@example.org");
        assert_eq!(i.in_reply_to.as_deref(), Some("m1@example.org"));
        assert!(i.snippet.starts_with("Déjà vu."));
        assert_eq!(i.sent_at, Some(1_795_514_400));
    }

    #[test]
    fn garbage_is_still_indexed() {
        let i = index(b"\x00\x01 not a message at all", "fallback");
        assert_eq!(i.thread_id, "fallback");
    }
}
