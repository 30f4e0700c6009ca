//! FETCH: the data items a client asks for, built per message. Flags, sizes and dates
//! come from the index; anything about the content (ENVELOPE, BODYSTRUCTURE, body
//! sections) parses the stored message, in batches off the async workers, with answers
//! written out batch by batch so memory stays flat whatever the range.

use std::collections::HashMap;
use std::num::{NonZeroU32, NonZeroU64};

use imap_codec::ResponseCodec;
use imap_codec::encode::Encoder;
use imap_codec::imap_types::core::{Atom, IString, Literal, NString, Vec1};
use imap_codec::imap_types::datetime::DateTime;
use imap_codec::imap_types::fetch::{
    Macro, MacroOrMessageDataItemNames, MessageDataItem, MessageDataItemName,
};
use imap_codec::imap_types::flag::{Flag, FlagFetch};
use imap_codec::imap_types::response::{Data, Response};
use mail_parser::MessageParser;

use super::messages::{Flags, Msg};
use super::structure::Structure;

/// Messages loaded and answered at a time.
pub const BATCH: usize = 200;
/// Bytes of stored messages held at once while answering (a part is sent when reached).
pub const MAX_BATCH_BYTES: usize = 16 * 1024 * 1024;

/// One data item as it appears inside `FETCH (…)`, encoded by imap-codec.
pub fn piece(item: MessageDataItem<'static>) -> Vec<u8> {
    const PREFIX: &[u8] = b"* 1 FETCH (";
    const SUFFIX: &[u8] = b")\r\n";
    let response = Response::Data(Data::Fetch {
        seq: NonZeroU32::MIN,
        items: Vec1::from(item),
    });
    let bytes = ResponseCodec::default().encode(&response).dump();
    match bytes
        .strip_prefix(PREFIX)
        .and_then(|b| b.strip_suffix(SUFFIX))
    {
        Some(inner) => inner.to_vec(),
        None => Vec::new(),
    }
}

/// Whether every item comes from the index or the kept structure (no body section), so
/// answering needs no stored message once its structure is kept.
pub fn structure_only(items: &[MessageDataItemName<'_>]) -> bool {
    use MessageDataItemName as N;
    items.iter().all(|i| {
        matches!(
            i,
            N::Uid
                | N::Flags
                | N::InternalDate
                | N::Rfc822Size
                | N::ModSeq
                | N::Envelope
                | N::Body
                | N::BodyStructure
        )
    })
}

/// The items of a FETCH, with macros expanded and UID added for UID FETCH.
pub fn item_names(
    names: MacroOrMessageDataItemNames<'static>,
    uid: bool,
    with_modseq: bool,
) -> Vec<MessageDataItemName<'static>> {
    use MessageDataItemName as N;
    let mut items = match names {
        MacroOrMessageDataItemNames::Macro(Macro::Fast) => {
            vec![N::Flags, N::InternalDate, N::Rfc822Size]
        }
        MacroOrMessageDataItemNames::Macro(Macro::All) => {
            vec![N::Flags, N::InternalDate, N::Rfc822Size, N::Envelope]
        }
        MacroOrMessageDataItemNames::Macro(Macro::Full) => vec![
            N::Flags,
            N::InternalDate,
            N::Rfc822Size,
            N::Envelope,
            N::Body,
        ],
        MacroOrMessageDataItemNames::MessageDataItemNames(items) => items,
        MacroOrMessageDataItemNames::Macro(_) => vec![N::Flags],
    };
    if uid && !items.contains(&N::Uid) {
        items.insert(0, N::Uid);
    }
    if with_modseq && !items.contains(&N::ModSeq) {
        items.push(N::ModSeq);
    }
    items
}

/// Whether answering needs the stored message.
pub fn needs_content(items: &[MessageDataItemName<'_>]) -> bool {
    use MessageDataItemName as N;
    items.iter().any(|i| {
        matches!(
            i,
            N::Envelope
                | N::Body
                | N::BodyStructure
                | N::BodyExt { .. }
                | N::Rfc822
                | N::Rfc822Header
                | N::Rfc822Text
        )
    })
}

/// Whether answering marks the message read (`BODY[…]` without PEEK, `RFC822`,
/// `RFC822.TEXT`).
pub fn sets_seen(items: &[MessageDataItemName<'_>]) -> bool {
    use MessageDataItemName as N;
    items.iter().any(|i| {
        matches!(
            i,
            N::BodyExt { peek: false, .. } | N::Rfc822 | N::Rfc822Text
        )
    })
}

pub fn flag_list(f: &Flags) -> Vec<FlagFetch<'static>> {
    let mut out = Vec::new();
    if f.seen {
        out.push(FlagFetch::Flag(Flag::Seen));
    }
    if f.answered {
        out.push(FlagFetch::Flag(Flag::Answered));
    }
    if f.flagged {
        out.push(FlagFetch::Flag(Flag::Flagged));
    }
    if f.deleted {
        out.push(FlagFetch::Flag(Flag::Deleted));
    }
    if f.draft {
        out.push(FlagFetch::Flag(Flag::Draft));
    }
    for k in &f.keywords {
        if let Ok(atom) = Atom::try_from(k.clone()) {
            out.push(FlagFetch::Flag(Flag::Keyword(atom)));
        }
    }
    out
}

fn literal(bytes: Vec<u8>) -> NString<'static> {
    let bytes = match Literal::try_from(bytes) {
        Ok(l) => return NString(Some(IString::Literal(l))),
        // A NUL byte cannot travel in a literal (BINARY is not offered): blank it.
        Err(_) => Vec::new(),
    };
    NString(Some(IString::Literal(
        Literal::try_from(bytes).unwrap_or_else(|_| Literal::try_from(Vec::new()).expect("empty")),
    )))
}

fn literal_of(bytes: &[u8]) -> NString<'static> {
    if bytes.contains(&0) {
        return literal(
            bytes
                .iter()
                .map(|b| if *b == 0 { b' ' } else { *b })
                .collect(),
        );
    }
    literal(bytes.to_vec())
}

fn internal_date(unix: i64) -> Option<DateTime> {
    let utc = chrono::DateTime::from_timestamp(unix, 0)?;
    DateTime::try_from(utc.fixed_offset()).ok()
}

/// One message to answer for: its sequence number, index row and (when needed) bytes.
pub struct Target {
    pub seq: u32,
    pub msg: Msg,
    pub raw: Option<Vec<u8>>,
    /// Include FLAGS even when not asked (the fetch just set \Seen).
    pub flags_changed: bool,
}

/// The encoded FETCH responses for a batch (CPU work: run off the async workers).
pub fn encode_batch(
    targets: Vec<Target>,
    items: &[MessageDataItemName<'static>],
    kept: &HashMap<String, Structure>,
) -> Vec<u8> {
    use MessageDataItemName as N;
    let mut out = Vec::new();
    let codec = ResponseCodec::default();
    for t in targets {
        let structure = kept.get(&t.msg.blob);
        let parsed = t
            .raw
            .as_deref()
            .and_then(|raw| MessageParser::default().parse(raw));
        let raw: &[u8] = t.raw.as_deref().unwrap_or_default();
        // Index and section items are encoded together; the structure items (kept, or
        // made from the parsed message) are appended encoded, last.
        let mut data: Vec<MessageDataItem<'static>> = Vec::with_capacity(items.len() + 1);
        let mut tail: Vec<Vec<u8>> = Vec::new();
        let flags = Flags::of(&t.msg);
        for item in items {
            let kept_piece = match (item, structure) {
                (N::Envelope, Some(s)) => Some(&s.envelope),
                (N::Body, Some(s)) => Some(&s.body),
                (N::BodyStructure, Some(s)) => Some(&s.bodystructure),
                _ => None,
            };
            if let Some(p) = kept_piece {
                tail.push(p.clone());
                continue;
            }
            let value = match item {
                N::Uid => {
                    NonZeroU32::new(u32::try_from(t.msg.uid).unwrap_or(0)).map(MessageDataItem::Uid)
                }
                N::Flags => Some(MessageDataItem::Flags(flag_list(&flags))),
                N::InternalDate => {
                    internal_date(t.msg.received_at).map(MessageDataItem::InternalDate)
                }
                N::Rfc822Size => Some(MessageDataItem::Rfc822Size(
                    u32::try_from(t.msg.size).unwrap_or(u32::MAX),
                )),
                N::ModSeq => NonZeroU64::new(u64::try_from(t.msg.modseq).unwrap_or(0).max(1))
                    .map(MessageDataItem::ModSeq),
                N::Envelope => parsed
                    .as_ref()
                    .map(|m| MessageDataItem::Envelope(super::mime::envelope(m))),
                N::BodyStructure => parsed
                    .as_ref()
                    .map(|m| MessageDataItem::BodyStructure(super::mime::body_structure(m, true))),
                N::Body => parsed
                    .as_ref()
                    .map(|m| MessageDataItem::Body(super::mime::body_structure(m, false))),
                N::Rfc822 => Some(MessageDataItem::Rfc822(literal_of(raw))),
                N::Rfc822Header => parsed.as_ref().map(|m| {
                    let bytes = super::mime::section(
                        m,
                        Some(&imap_codec::imap_types::fetch::Section::Header(None)),
                    )
                    .unwrap_or_default();
                    MessageDataItem::Rfc822Header(literal_of(&bytes))
                }),
                N::Rfc822Text => parsed.as_ref().map(|m| {
                    let bytes = super::mime::section(
                        m,
                        Some(&imap_codec::imap_types::fetch::Section::Text(None)),
                    )
                    .unwrap_or_default();
                    MessageDataItem::Rfc822Text(literal_of(&bytes))
                }),
                N::BodyExt {
                    section, partial, ..
                } => {
                    let bytes = match (&parsed, section) {
                        (Some(m), s) => super::mime::section(m, s.as_ref()).map(|c| c.into_owned()),
                        // Unparseable: the whole message is all there is.
                        (None, None) => Some(raw.to_vec()),
                        (None, Some(_)) => None,
                    };
                    let (origin, bytes) = match (partial, bytes) {
                        (Some((origin, len)), Some(b)) => {
                            let start = (*origin as usize).min(b.len());
                            let end = start.saturating_add(len.get() as usize).min(b.len());
                            (Some(*origin), Some(b[start..end].to_vec()))
                        }
                        (_, b) => (None, b),
                    };
                    Some(MessageDataItem::BodyExt {
                        section: section.clone(),
                        origin,
                        data: match bytes {
                            Some(b) => literal_of(&b),
                            None => NString(None),
                        },
                    })
                }
                N::Binary { .. } | N::BinarySize { .. } => None,
            };
            match value {
                Some(
                    v @ (MessageDataItem::Envelope(_)
                    | MessageDataItem::Body(_)
                    | MessageDataItem::BodyStructure(_)),
                ) => tail.push(piece(v)),
                Some(v) => data.push(v),
                None => {}
            }
        }
        if t.flags_changed && !items.contains(&N::Flags) {
            data.push(MessageDataItem::Flags(flag_list(&flags)));
        }
        tail.retain(|p| !p.is_empty());
        let Some(seq) = NonZeroU32::new(t.seq) else {
            continue;
        };
        match Vec1::try_from(data) {
            Ok(items) => {
                let line = codec
                    .encode(&Response::Data(Data::Fetch { seq, items }))
                    .dump();
                if tail.is_empty() {
                    out.extend_from_slice(&line);
                    continue;
                }
                // "* n FETCH (A B)\r\n" + kept items: "* n FETCH (A B E S)\r\n".
                out.extend_from_slice(line.strip_suffix(b")\r\n").unwrap_or(&line));
                out.push(b' ');
            }
            Err(_) if tail.is_empty() => continue,
            Err(_) => out.extend_from_slice(format!("* {seq} FETCH (").as_bytes()),
        }
        out.extend_from_slice(&tail.join(&b' '));
        out.extend_from_slice(b")\r\n");
    }
    out
}

/// The rows of a batch of UIDs, by UID.
pub fn by_uid(rows: Vec<Msg>) -> HashMap<u32, Msg> {
    rows.into_iter()
        .filter_map(|m| Some((u32::try_from(m.uid).ok()?, m)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(blob: &str) -> Msg {
        Msg {
            id: 1,
            uid: 7,
            modseq: 3,
            blob: blob.into(),
            size: 100,
            seen: true,
            flagged: false,
            answered: false,
            draft: false,
            flag_deleted: false,
            keywords: "$Forwarded".into(),
            received_at: 1_796_000_000,
            sent_at: None,
            from_address: None,
            from_name: None,
            to_addresses: String::new(),
            cc_addresses: String::new(),
            subject: String::new(),
        }
    }

    #[test]
    fn kept_structures_answer_exactly_like_parsing() {
        let raw = b"From: Ann <ann@example.com>\r\nSubject: Caf\xc3\xa9 \"quoted\"\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b--\r\n".to_vec();
        let items = item_names(MacroOrMessageDataItemNames::Macro(Macro::Full), true, true);
        let target = |raw: Option<Vec<u8>>| Target {
            seq: 4,
            msg: msg("d1"),
            raw,
            flags_changed: false,
        };
        let parsed = encode_batch(vec![target(Some(raw.clone()))], &items, &HashMap::new());
        let kept: HashMap<String, Structure> =
            [("d1".to_string(), super::super::structure::of(&raw))].into();
        let from_kept = encode_batch(vec![target(None)], &items, &kept);
        assert_eq!(
            String::from_utf8_lossy(&parsed),
            String::from_utf8_lossy(&from_kept)
        );
        assert!(parsed.starts_with(b"* 4 FETCH (UID 7 FLAGS (\\Seen $Forwarded) INTERNALDATE "));
        assert!(parsed.ends_with(b")\r\n"));
    }

    #[test]
    fn macros_expand_and_uid_is_added() {
        let items = item_names(MacroOrMessageDataItemNames::Macro(Macro::Fast), true, false);
        assert_eq!(items[0], MessageDataItemName::Uid);
        assert!(items.contains(&MessageDataItemName::Rfc822Size));
        assert!(!needs_content(&items));
        let all = item_names(MacroOrMessageDataItemNames::Macro(Macro::All), false, true);
        assert!(needs_content(&all));
        assert!(all.contains(&MessageDataItemName::ModSeq));
        assert!(!sets_seen(&all));
        assert!(sets_seen(&[MessageDataItemName::Rfc822]));
    }
}
