//! Building answers: tagged and untagged status lines with RFC 5530 codes, data
//! responses, and the small conversions every command needs.

use super::*;

pub(super) fn code(name: &'static str) -> Code<'static> {
    Code::Other(CodeOther::unvalidated(name.as_bytes()))
}

/// A one-line human text (no line breaks; never empty).
pub(super) fn line(text: &str) -> String {
    let t: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let t = t.trim();
    if t.is_empty() {
        "Done".into()
    } else {
        t.to_string()
    }
}

pub(super) fn tagged(wire: &mut Wire, status: Result<Status<'_>, impl std::fmt::Debug>) {
    if let Ok(s) = status {
        wire.send_status(s);
    }
}

pub(super) fn ok(wire: &mut Wire, tag: &Tag<'static>, code: Option<Code<'static>>, text: &str) {
    tagged(wire, Status::ok(Some(tag.clone()), code, line(text)));
}

pub(super) fn no(wire: &mut Wire, tag: &Tag<'static>, code: Option<Code<'static>>, text: &str) {
    tagged(wire, Status::no(Some(tag.clone()), code, line(text)));
}

pub(super) fn bad(wire: &mut Wire, tag: Option<&Tag<'static>>, text: &str) {
    tagged(wire, Status::bad(tag.cloned(), None, line(text)));
}

pub(super) fn untagged_ok(wire: &mut Wire, code: Option<Code<'static>>, text: &str) {
    tagged(wire, Status::ok(None, code, line(text)));
}

pub(super) fn bye(wire: &mut Wire, text: &str) {
    tagged(wire, Status::bye(None, line(text)));
}

pub(super) fn data(wire: &mut Wire, d: Data<'static>) {
    wire.send(&Response::Data(d));
}

pub(super) fn atom(s: &str) -> Option<Atom<'static>> {
    Atom::try_from(s.to_string()).ok()
}

pub(super) fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

pub(super) fn nz64(n: i64) -> NonZeroU64 {
    NonZeroU64::new(u64::try_from(n).unwrap_or(0)).unwrap_or(NonZeroU64::MIN)
}

pub(super) fn nstr(s: &str) -> NString<'static> {
    NString(IString::try_from(s.to_string()).ok())
}

pub(super) fn refuse(wire: &mut Wire, tag: &Tag<'static>, r: Refusal) {
    no(wire, tag, Some(code(r.0)), &r.1);
}

/// Which state items a FETCH response about one message carries.
pub(super) struct StateItems {
    pub uid: bool,
    pub flags: bool,
    pub modseq: bool,
}

/// Queues `* seq FETCH (UID … FLAGS (…) MODSEQ (…))` for a message whose state changed
/// (announcements, STORE answers, QRESYNC resync).
pub(super) fn state_fetch(wire: &mut Wire, seq: u32, m: &Msg, what: StateItems) {
    use imap_codec::imap_types::fetch::MessageDataItem as Item;
    let mut items = Vec::with_capacity(3);
    if what.uid {
        items.push(Item::Uid(nz(u32::try_from(m.uid).unwrap_or(0))));
    }
    if what.flags {
        items.push(Item::Flags(fetch::flag_list(&Flags::of(m))));
    }
    if what.modseq {
        items.push(Item::ModSeq(nz64(m.modseq)));
    }
    if let Ok(items) = Vec1::try_from(items) {
        data(
            wire,
            Data::Fetch {
                seq: nz(seq),
                items,
            },
        );
    }
}
