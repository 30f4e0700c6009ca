//! The selected folder as the client knows it: the UIDs it was told about (their positions
//! are the message sequence numbers) and the MODSEQ up to which it has seen flag changes.
//! Changes made elsewhere are announced when the protocol allows (EXPUNGE only between
//! commands that do not use sequence numbers).

use imap_codec::imap_types::sequence::{SeqOrUid, Sequence, SequenceSet};

use super::folders::Folder;

pub struct Selected {
    pub folder: Folder,
    pub read_only: bool,
    /// Ascending; message sequence number n is `uids[n - 1]`.
    pub uids: Vec<u32>,
    /// Changes up to this MODSEQ have been announced.
    pub modseq: i64,
}

impl Selected {
    pub fn seq_of(&self, uid: u32) -> Option<u32> {
        self.uids
            .binary_search(&uid)
            .ok()
            .and_then(|i| u32::try_from(i + 1).ok())
    }

    pub fn max_uid(&self) -> u32 {
        self.uids.last().copied().unwrap_or(0)
    }

    /// Whether every sequence number in `set` names a message (RFC 3501 §9: a number
    /// past the last message is an error, unlike a UID that is gone).
    pub fn valid_sequence_numbers(&self, set: &SequenceSet) -> bool {
        let count = u32::try_from(self.uids.len()).unwrap_or(u32::MAX);
        let fits = |s: &SeqOrUid| match s {
            SeqOrUid::Value(v) => v.get() <= count,
            SeqOrUid::Asterisk => count > 0,
        };
        set.0.as_ref().iter().all(|seq| match seq {
            Sequence::Single(s) => fits(s),
            Sequence::Range(a, b) => fits(a) && fits(b),
        })
    }

    /// `(sequence number, UID)` of the messages a set names, ascending, each once. Work is
    /// bounded by the folder's size, not by the numbers in the set (`1:4294967295`).
    pub fn resolve(&self, set: &SequenceSet, by_uid: bool) -> Vec<(u32, u32)> {
        let mut hits: Vec<usize> = Vec::new();
        let largest = if by_uid {
            self.max_uid()
        } else {
            u32::try_from(self.uids.len()).unwrap_or(u32::MAX)
        };
        if largest == 0 {
            return Vec::new();
        }
        let value = |s: &SeqOrUid| match s {
            SeqOrUid::Value(v) => v.get(),
            SeqOrUid::Asterisk => largest,
        };
        for seq in set.0.as_ref() {
            let (a, b) = match seq {
                Sequence::Single(s) => (value(s), value(s)),
                Sequence::Range(x, y) => (value(x), value(y)),
            };
            let (lo, hi) = (a.min(b), a.max(b));
            if by_uid {
                let from = self.uids.partition_point(|u| *u < lo);
                let to = self.uids.partition_point(|u| *u <= hi);
                hits.extend(from..to);
            } else {
                let lo = lo.max(1) as usize;
                let hi = (hi as usize).min(self.uids.len());
                if lo <= hi {
                    hits.extend(lo - 1..hi);
                }
            }
        }
        hits.sort_unstable();
        hits.dedup();
        hits.into_iter()
            .filter_map(|i| Some((u32::try_from(i + 1).ok()?, *self.uids.get(i)?)))
            .collect()
    }
}

/// Whether `n` is in `set`, where `*` stands for `largest` (no expansion of ranges).
pub fn in_set(set: &SequenceSet, n: u32, largest: u32) -> bool {
    let value = |s: &SeqOrUid| match s {
        SeqOrUid::Value(v) => v.get(),
        SeqOrUid::Asterisk => largest,
    };
    set.0.as_ref().iter().any(|seq| {
        let (a, b) = match seq {
            Sequence::Single(s) => (value(s), value(s)),
            Sequence::Range(x, y) => (value(x), value(y)),
        };
        (a.min(b)..=a.max(b)).contains(&n)
    })
}

/// A set of UIDs in IMAP's compact form (`1:3,7`), or `None` when empty.
pub fn uid_set(uids: &[u32]) -> Option<SequenceSet> {
    use std::num::NonZeroU32;
    let mut sorted: Vec<u32> = uids.iter().copied().filter(|u| *u > 0).collect();
    sorted.sort_unstable();
    sorted.dedup();
    let mut ranges: Vec<Sequence> = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let start = sorted[i];
        let mut end = start;
        while i + 1 < sorted.len() && sorted[i + 1] == end + 1 {
            i += 1;
            end = sorted[i];
        }
        let (s, e) = (NonZeroU32::new(start)?, NonZeroU32::new(end)?);
        ranges.push(if s == e {
            Sequence::Single(SeqOrUid::Value(s))
        } else {
            Sequence::Range(SeqOrUid::Value(s), SeqOrUid::Value(e))
        });
        i += 1;
    }
    imap_codec::imap_types::core::Vec1::try_from(ranges)
        .ok()
        .map(SequenceSet)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imap::folders::Folder;

    fn selected(uids: Vec<u32>) -> Selected {
        Selected {
            folder: Folder {
                id: 1,
                address_id: 1,
                name: "INBOX".into(),
                role: None,
                writable: true,
                uidvalidity: 1,
                has_children: false,
                placeholder: false,
            },
            read_only: false,
            uids,
            modseq: 0,
        }
    }

    fn set(s: &str) -> SequenceSet {
        SequenceSet::try_from(s).expect("set")
    }

    #[test]
    fn resolves_sequence_numbers_and_uids() {
        let s = selected(vec![3, 5, 9, 10]);
        assert_eq!(s.resolve(&set("1:*"), false).len(), 4);
        assert_eq!(s.resolve(&set("2,4"), false), vec![(2, 5), (4, 10)]);
        assert_eq!(s.resolve(&set("5:9"), true), vec![(2, 5), (3, 9)]);
        // `n:*` with n beyond the last UID still names the last message (RFC 3501 §6.4.8).
        assert_eq!(s.resolve(&set("50:*"), true), vec![(4, 10)]);
        assert_eq!(s.resolve(&set("1:4294967295"), true).len(), 4);
        assert!(s.resolve(&set("7"), false).is_empty());
        assert!(selected(vec![]).resolve(&set("1:*"), false).is_empty());
    }

    #[test]
    fn compacts_uid_sets() {
        let s = uid_set(&[7, 1, 2, 3, 9]).expect("set");
        let again = selected(vec![1, 2, 3, 4, 7, 8, 9]);
        assert_eq!(
            again
                .resolve(&s, true)
                .iter()
                .map(|x| x.1)
                .collect::<Vec<_>>(),
            vec![1, 2, 3, 7, 9]
        );
        assert!(uid_set(&[]).is_none());
    }
}
