//! The latest ctag of every calendar and address book this process knows of. An answer
//! computed from a collection at ctag C stays valid while the latest known ctag is still
//! C, which lets object GETs skip the database entirely.
//!
//! What is known comes from two places: a reader that saw a collection at some ctag, and
//! the `invalidations` rows that triggers write in the same transaction as every ctag
//! change and every deletion (see `crate::invalidations`). Those rows are read every poll
//! period and, for this process's own writes, before a write request is answered (see
//! [`crate::invalidations::after_write`]): a client never reads an answer older than a
//! write it was told succeeded. ctags only grow (a re-created collection has a new
//! generation, a deleted one is marked dead for good), so a late reader cannot move the
//! latest value back (a deletion arrives as ctag `i64::MAX`); a rolled-back write publishes
//! nothing, since its rows never commit.

use std::collections::HashMap;
use std::sync::Mutex;

use super::path::Kind;

/// A collection's identity: its kind, row id and generation.
type Key = (Kind, i64, i64);

#[derive(Default)]
pub struct CollectionVersions {
    /// (kind, id, generation) → latest ctag.
    latest: Mutex<HashMap<Key, i64>>,
}

impl CollectionVersions {
    /// The collection is at `ctag` (or later): a reader saw it, or a committed change says so.
    pub fn observe(&self, kind: Kind, id: i64, generation: i64, ctag: i64) {
        if let Ok(mut latest) = self.latest.lock() {
            let v = latest.entry((kind, id, generation)).or_insert(ctag);
            *v = (*v).max(ctag);
        }
    }

    /// Forgets every version (this process may have missed changes): no answer kept so
    /// far is current until a reader sees its collection again.
    pub fn forget_all(&self) {
        if let Ok(mut latest) = self.latest.lock() {
            latest.clear();
        }
    }

    /// Whether an answer computed at `ctag` still describes the collection.
    pub fn is_current(&self, kind: Kind, id: i64, generation: i64, ctag: i64) -> bool {
        self.latest
            .lock()
            .ok()
            .and_then(|l| l.get(&(kind, id, generation)).copied())
            == Some(ctag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ctag the triggers publish for a deleted collection.
    const DEAD: i64 = i64::MAX;

    #[test]
    fn versions_only_grow_and_a_dead_collection_stays_dead() {
        let v = CollectionVersions::default();
        assert!(!v.is_current(Kind::Calendar, 1, 1, 5), "unknown until seen");
        v.observe(Kind::Calendar, 1, 1, 5);
        assert!(v.is_current(Kind::Calendar, 1, 1, 5));
        v.observe(Kind::Calendar, 1, 1, 7);
        v.observe(Kind::Calendar, 1, 1, 6);
        assert!(
            !v.is_current(Kind::Calendar, 1, 1, 6),
            "a late reader cannot move it back"
        );
        assert!(v.is_current(Kind::Calendar, 1, 1, 7));
        assert!(!v.is_current(Kind::AddressBook, 1, 1, 7), "kinds are apart");
        assert!(
            !v.is_current(Kind::Calendar, 1, 2, 7),
            "generations are apart"
        );
        v.observe(Kind::Calendar, 1, 1, DEAD);
        v.observe(Kind::Calendar, 1, 1, 8);
        assert!(!v.is_current(Kind::Calendar, 1, 1, 8));
        v.forget_all();
        assert!(!v.is_current(Kind::Calendar, 1, 1, DEAD));
    }
}
