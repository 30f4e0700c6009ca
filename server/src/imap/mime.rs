//! A stored message seen through IMAP: ENVELOPE and BODYSTRUCTURE built from mail-parser's
//! tree (RFC 3501 §7.4.2), and the bytes of a body section (`BODY[1.2.MIME]`,
//! `BODY[HEADER.FIELDS (…)]`, …), taken from the raw message exactly as stored.

use std::borrow::Cow;
use std::num::NonZeroU32;

use base64::Engine;
use imap_codec::imap_types::body::{
    BasicFields, Body, BodyStructure, Disposition, Language, Location, MultiPartExtensionData,
    SinglePartExtensionData, SpecificFields,
};
use imap_codec::imap_types::core::{IString, NString, Vec1};
use imap_codec::imap_types::envelope::{Address as ImapAddress, Envelope};
use imap_codec::imap_types::fetch::Section;
use mail_parser::{Address, Message, MessagePart, MimeHeaders, PartType};

/// Deepest MIME nesting described (deeper parts are left out, so a crafted message cannot
/// make the answer or the recursion grow without bound).
const MAX_DEPTH: usize = 32;

fn istring(s: impl Into<Vec<u8>>) -> IString<'static> {
    let bytes: Vec<u8> = s.into();
    IString::try_from(bytes.clone()).unwrap_or_else(|_| {
        // NUL bytes cannot travel in an IMAP string: drop them.
        let cleaned: Vec<u8> = bytes.into_iter().filter(|b| *b != 0).collect();
        IString::try_from(cleaned).unwrap_or_else(|_| IString::try_from("").expect("empty"))
    })
}

fn nstring(s: Option<impl Into<Vec<u8>>>) -> NString<'static> {
    NString(s.map(istring))
}

/// A header value as it appears in the message (encoded words kept: clients decode).
fn raw_header<'a>(raw: &'a [u8], part: &MessagePart<'_>, name: &str) -> Option<&'a [u8]> {
    part.headers
        .iter()
        .find(|h| h.name.as_str().eq_ignore_ascii_case(name))
        .and_then(|h| raw.get(h.offset_start as usize..h.offset_end as usize))
        .map(trim)
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |p| p + 1);
    &bytes[start..end]
}

/// Unfolds a header value (continuation lines joined).
fn unfold(bytes: &[u8]) -> Vec<u8> {
    bytes
        .iter()
        .copied()
        .filter(|b| *b != b'\r' && *b != b'\n')
        .collect()
}

/// A display name for the wire: RFC 2047 encoded when it is not plain ASCII.
fn encoded_name(name: &str) -> Vec<u8> {
    if name.is_ascii() {
        name.as_bytes().to_vec()
    } else {
        format!(
            "=?utf-8?b?{}?=",
            base64::engine::general_purpose::STANDARD.encode(name.as_bytes())
        )
        .into_bytes()
    }
}

fn addresses(a: Option<&Address<'_>>) -> Vec<ImapAddress<'static>> {
    let address = |name: Option<&str>, email: Option<&str>| {
        let (mailbox, host) = match email.and_then(|e| e.rsplit_once('@')) {
            Some((m, h)) => (Some(m.to_string()), Some(h.to_string())),
            None => (email.map(str::to_string), None),
        };
        ImapAddress {
            name: nstring(name.map(encoded_name)),
            adl: NString(None),
            mailbox: nstring(mailbox),
            host: nstring(host),
        }
    };
    match a {
        None => Vec::new(),
        Some(Address::List(list)) => list
            .iter()
            .take(1000)
            .map(|x| address(x.name.as_deref(), x.address.as_deref()))
            .collect(),
        Some(Address::Group(groups)) => {
            let mut out = Vec::new();
            for g in groups.iter().take(100) {
                if let Some(name) = g.name.as_deref() {
                    // Group start: (NIL NIL "name" NIL), end: (NIL NIL NIL NIL).
                    out.push(ImapAddress {
                        name: NString(None),
                        adl: NString(None),
                        mailbox: nstring(Some(encoded_name(name))),
                        host: NString(None),
                    });
                }
                out.extend(
                    g.addresses
                        .iter()
                        .take(1000)
                        .map(|x| address(x.name.as_deref(), x.address.as_deref())),
                );
                if g.name.is_some() {
                    out.push(ImapAddress {
                        name: NString(None),
                        adl: NString(None),
                        mailbox: NString(None),
                        host: NString(None),
                    });
                }
            }
            out
        }
    }
}

/// The ENVELOPE of a message (its first part's headers).
pub fn envelope(msg: &Message<'_>) -> Envelope<'static> {
    let raw: &[u8] = &msg.raw_message;
    let Some(root) = msg.parts.first() else {
        return empty_envelope();
    };
    let h = |name: &str| raw_header(raw, root, name).map(unfold);
    let from = addresses(msg.from());
    let sender = match msg.sender() {
        Some(s) => addresses(Some(s)),
        None => from.clone(),
    };
    let reply_to = match msg.reply_to() {
        Some(r) => addresses(Some(r)),
        None => from.clone(),
    };
    Envelope {
        date: nstring(h("Date")),
        subject: nstring(h("Subject")),
        from,
        sender,
        reply_to,
        to: addresses(msg.to()),
        cc: addresses(msg.cc()),
        bcc: addresses(msg.bcc()),
        in_reply_to: nstring(h("In-Reply-To")),
        message_id: nstring(h("Message-ID")),
    }
}

fn empty_envelope() -> Envelope<'static> {
    Envelope {
        date: NString(None),
        subject: NString(None),
        from: Vec::new(),
        sender: Vec::new(),
        reply_to: Vec::new(),
        to: Vec::new(),
        cc: Vec::new(),
        bcc: Vec::new(),
        in_reply_to: NString(None),
        message_id: NString(None),
    }
}

fn params(part: &MessagePart<'_>) -> Vec<(IString<'static>, IString<'static>)> {
    part.content_type()
        .and_then(|c| c.attributes.as_ref())
        .map(|attrs| {
            attrs
                .iter()
                .take(64)
                .map(|a| (istring(a.name.to_uppercase()), istring(a.value.as_bytes())))
                .collect()
        })
        .unwrap_or_default()
}

fn disposition(part: &MessagePart<'_>) -> Option<Disposition<'static>> {
    let language = Language {
        language: Vec::new(),
        tail: Some(Location {
            location: nstring(part.content_location().map(str::as_bytes)),
            extensions: Vec::new(),
        }),
    };
    Some(Disposition {
        disposition: part.content_disposition().map(|d| {
            let attrs = d
                .attributes
                .as_ref()
                .map(|a| {
                    a.iter()
                        .take(64)
                        .map(|x| (istring(x.name.to_uppercase()), istring(x.value.as_bytes())))
                        .collect()
                })
                .unwrap_or_default();
            (istring(d.c_type.to_uppercase()), attrs)
        }),
        tail: Some(language),
    })
}

fn count_lines(bytes: &[u8]) -> u32 {
    u32::try_from(bytes.iter().filter(|b| **b == b'\n').count()).unwrap_or(u32::MAX)
}

/// The BODYSTRUCTURE (with `extended`) or BODY of a message.
pub fn body_structure(msg: &Message<'_>, extended: bool) -> BodyStructure<'static> {
    structure(msg, 0, extended, 0)
}

fn structure(
    msg: &Message<'_>,
    index: usize,
    extended: bool,
    depth: usize,
) -> BodyStructure<'static> {
    let raw: &[u8] = &msg.raw_message;
    let Some(part) = msg.parts.get(index) else {
        return plain_text_structure(0, 0);
    };
    let (c_type, c_subtype) = match part.content_type() {
        Some(c) => (
            c.c_type.to_uppercase(),
            c.c_subtype.as_deref().map(str::to_uppercase),
        ),
        None => ("TEXT".into(), Some("PLAIN".into())),
    };
    if let PartType::Multipart(children) = &part.body {
        let bodies: Vec<BodyStructure<'static>> = if depth >= MAX_DEPTH {
            Vec::new()
        } else {
            children
                .iter()
                .take(1000)
                .map(|c| structure(msg, *c as usize, extended, depth + 1))
                .collect()
        };
        let bodies =
            Vec1::try_from(bodies).unwrap_or_else(|_| Vec1::from(plain_text_structure(0, 0)));
        return BodyStructure::Multi {
            bodies,
            subtype: istring(c_subtype.unwrap_or_else(|| "MIXED".into())),
            extension_data: extended.then(|| MultiPartExtensionData {
                parameter_list: params(part),
                tail: disposition(part),
            }),
        };
    }
    let body_bytes = raw
        .get(part.offset_body as usize..part.offset_end as usize)
        .unwrap_or_default();
    let size = u32::try_from(body_bytes.len()).unwrap_or(u32::MAX);
    let mut parameter_list = params(part);
    if c_type == "TEXT" && parameter_list.is_empty() {
        parameter_list.push((istring("CHARSET"), istring("US-ASCII")));
    }
    let basic = BasicFields {
        parameter_list,
        id: nstring(part.content_id().map(|s| format!("<{s}>"))),
        description: nstring(part.content_description().map(str::as_bytes)),
        content_transfer_encoding: istring(
            raw_header(raw, part, "Content-Transfer-Encoding")
                .map(|v| String::from_utf8_lossy(v).to_uppercase())
                .unwrap_or_else(|| "7BIT".into()),
        ),
        size,
    };
    let subtype = istring(c_subtype.clone().unwrap_or_else(|| "PLAIN".into()));
    let specific = match (&part.body, c_type.as_str()) {
        (PartType::Message(inner), _) if depth < MAX_DEPTH => SpecificFields::Message {
            envelope: Box::new(envelope(inner)),
            body_structure: Box::new(structure(inner, 0, extended, depth + 1)),
            number_of_lines: count_lines(body_bytes),
        },
        (_, "TEXT") => SpecificFields::Text {
            subtype,
            number_of_lines: count_lines(body_bytes),
        },
        _ => SpecificFields::Basic {
            r#type: istring(c_type.clone()),
            subtype,
        },
    };
    BodyStructure::Single {
        body: Body { basic, specific },
        extension_data: extended.then(|| SinglePartExtensionData {
            md5: NString(None),
            tail: disposition(part),
        }),
    }
}

fn plain_text_structure(size: u32, lines: u32) -> BodyStructure<'static> {
    BodyStructure::Single {
        body: Body {
            basic: BasicFields {
                parameter_list: vec![(istring("CHARSET"), istring("US-ASCII"))],
                id: NString(None),
                description: NString(None),
                content_transfer_encoding: istring("7BIT"),
                size,
            },
            specific: SpecificFields::Text {
                subtype: istring("PLAIN"),
                number_of_lines: lines,
            },
        },
        extension_data: None,
    }
}

/// The header block of a part (up to and including the blank line).
fn header_block<'a>(raw: &'a [u8], part: &MessagePart<'_>) -> &'a [u8] {
    raw.get(part.offset_header as usize..part.offset_body as usize)
        .unwrap_or_default()
}

/// Where a part path (`[2, 1]`) leads: the message that holds the part and its index.
fn locate<'m, 'x>(msg: &'m Message<'x>, path: &[NonZeroU32]) -> Option<(&'m Message<'x>, usize)> {
    let mut current = msg;
    let mut index = 0usize;
    for (depth, n) in path.iter().enumerate() {
        if depth >= MAX_DEPTH {
            return None;
        }
        let n = n.get() as usize;
        // Inside an attached message, numbering continues in its own body.
        if depth > 0
            && let PartType::Message(inner) = &current.parts.get(index)?.body
        {
            current = inner;
            index = 0;
        }
        match &current.parts.get(index)?.body {
            PartType::Multipart(children) => index = *children.get(n - 1)? as usize,
            _ if n == 1 => {}
            _ => return None,
        }
    }
    Some((current, index))
}

/// The bytes of a section of the message, or `None` when it does not exist.
pub fn section<'a>(msg: &'a Message<'a>, section: Option<&Section<'_>>) -> Option<Cow<'a, [u8]>> {
    let raw: &[u8] = &msg.raw_message;
    let Some(section) = section else {
        return Some(Cow::Borrowed(raw));
    };
    // The message a HEADER/TEXT section applies to: the whole one, or an attached one.
    let message_at =
        |part: Option<&imap_codec::imap_types::fetch::Part>| -> Option<&'a Message<'a>> {
            match part {
                None => Some(msg),
                Some(p) => {
                    let (holder, index) = locate(msg, p.0.as_ref())?;
                    match &holder.parts.get(index)?.body {
                        PartType::Message(inner) => Some(inner),
                        _ => None,
                    }
                }
            }
        };
    match section {
        Section::Part(p) => {
            let (holder, index) = locate(msg, p.0.as_ref())?;
            let part = holder.parts.get(index)?;
            let raw: &[u8] = &holder.raw_message;
            raw.get(part.offset_body as usize..part.offset_end as usize)
                .map(Cow::Borrowed)
        }
        Section::Mime(p) => {
            let (holder, index) = locate(msg, p.0.as_ref())?;
            let part = holder.parts.get(index)?;
            Some(Cow::Borrowed(header_block(&holder.raw_message, part)))
        }
        Section::Header(p) => {
            let m = message_at(p.as_ref())?;
            Some(Cow::Borrowed(header_block(
                &m.raw_message,
                m.parts.first()?,
            )))
        }
        Section::Text(p) => {
            let m = message_at(p.as_ref())?;
            let root = m.parts.first()?;
            m.raw_message
                .get(root.offset_body as usize..)
                .map(Cow::Borrowed)
        }
        Section::HeaderFields(p, names) | Section::HeaderFieldsNot(p, names) => {
            let keep = matches!(section, Section::HeaderFields(..));
            let m = message_at(p.as_ref())?;
            let root = m.parts.first()?;
            let wanted: Vec<String> = names
                .as_ref()
                .iter()
                .map(|n| String::from_utf8_lossy(n.as_ref()).to_ascii_lowercase())
                .collect();
            let mut out = Vec::new();
            for h in &root.headers {
                let name = h.name.as_str().to_ascii_lowercase();
                if wanted.contains(&name) == keep
                    && let Some(field) = m
                        .raw_message
                        .get(h.offset_field as usize..h.offset_end as usize)
                {
                    out.extend_from_slice(field);
                    if !field.ends_with(b"\n") {
                        out.extend_from_slice(b"\r\n");
                    }
                }
            }
            out.extend_from_slice(b"\r\n");
            Some(Cow::Owned(out))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use imap_codec::imap_types::fetch::Part;
    use mail_parser::MessageParser;

    const MULTIPART: &[u8] = b"From: Ann <ann@example.com>\r\nTo: bob@example.org\r\nSubject: =?utf-8?q?Caf=C3=A9?=\r\n\
Date: Mon, 7 Dec 2026 10:00:00 +0000\r\nMessage-ID: <m1@example.com>\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello\r\nthere\r\n\
--b1\r\nContent-Type: application/pdf; name=\"a.pdf\"\r\nContent-Disposition: attachment; filename=\"a.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--b1--\r\n";

    fn part(path: &[u32]) -> Part {
        Part(
            Vec1::try_from(
                path.iter()
                    .map(|n| NonZeroU32::new(*n).expect("non-zero"))
                    .collect::<Vec<_>>(),
            )
            .expect("path"),
        )
    }

    #[test]
    fn sections_of_a_multipart_message() {
        let msg = MessageParser::default().parse(MULTIPART).expect("parse");
        let text = section(&msg, Some(&Section::Part(part(&[1])))).expect("part 1");
        assert!(text.starts_with(b"Hello\r\nthere"));
        let pdf = section(&msg, Some(&Section::Part(part(&[2])))).expect("part 2");
        assert!(pdf.starts_with(b"JVBERi0="));
        let mime = section(&msg, Some(&Section::Mime(part(&[2])))).expect("mime");
        assert!(mime.starts_with(b"Content-Type: application/pdf"));
        assert!(section(&msg, Some(&Section::Part(part(&[3])))).is_none());
        let header = section(&msg, Some(&Section::Header(None))).expect("header");
        assert!(header.starts_with(b"From: Ann") && header.ends_with(b"\r\n\r\n"));
        let whole = section(&msg, None).expect("whole");
        assert_eq!(&*whole, MULTIPART);
    }

    #[test]
    fn envelope_keeps_encoded_subject_and_splits_addresses() {
        let msg = MessageParser::default().parse(MULTIPART).expect("parse");
        let env = envelope(&msg);
        assert_eq!(
            env.subject,
            nstring(Some(b"=?utf-8?q?Caf=C3=A9?=".to_vec()))
        );
        assert_eq!(env.from.len(), 1);
        assert_eq!(env.from[0].mailbox, nstring(Some(b"ann".to_vec())));
        assert_eq!(env.from[0].host, nstring(Some(b"example.com".to_vec())));
        assert_eq!(env.sender, env.from);
    }

    #[test]
    fn structure_describes_parts() {
        let msg = MessageParser::default().parse(MULTIPART).expect("parse");
        let BodyStructure::Multi {
            bodies, subtype, ..
        } = body_structure(&msg, true)
        else {
            panic!("multipart expected");
        };
        assert_eq!(subtype, istring("MIXED"));
        assert_eq!(bodies.as_ref().len(), 2);
    }
}
