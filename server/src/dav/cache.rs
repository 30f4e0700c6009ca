//! Rendered multistatus answers of collection PROPFINDs and REPORTs, keyed by who asked,
//! what they asked and the collection's ctag. Every change to a collection or its members
//! bumps the ctag, so an answer can never be served for a state it does not describe; the
//! devices that poll a collection with the same request every few minutes get it from
//! memory instead of re-reading and re-rendering a thousand objects.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::Bytes;
use sha2::{Digest, Sha256};

/// Total size of cached answers kept before the cache starts over.
const MAX_BYTES: usize = 64 * 1024 * 1024;
/// Answers larger than this are not kept.
const MAX_ENTRY: usize = 4 * 1024 * 1024;

#[derive(Default)]
pub struct DavCache {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<[u8; 32], Bytes>,
    bytes: usize,
}

/// What an answer depends on besides the stored data (which the ctag stands for).
pub struct Key<'a> {
    pub user_id: i64,
    pub collection: &'a super::store::Collection,
    pub method: &'a str,
    pub depth: u8,
    pub body: &'a [u8],
}

impl Key<'_> {
    fn digest(&self) -> [u8; 32] {
        let c = self.collection;
        let mut h = Sha256::new();
        h.update(self.user_id.to_le_bytes());
        h.update([c.kind as u8, self.depth, c.access as u8]);
        h.update(c.id.to_le_bytes());
        h.update(c.ctag.to_le_bytes());
        h.update(c.generation.to_le_bytes());
        h.update(self.method.as_bytes());
        h.update([0]);
        h.update(self.body);
        h.finalize().into()
    }
}

impl DavCache {
    pub fn get(&self, key: &Key<'_>) -> Option<Bytes> {
        let inner = self.inner.lock().ok()?;
        inner.entries.get(&key.digest()).cloned()
    }

    pub fn put(&self, key: &Key<'_>, body: Bytes) {
        if body.len() > MAX_ENTRY {
            return;
        }
        if let Ok(mut inner) = self.inner.lock() {
            if inner.bytes + body.len() > MAX_BYTES {
                // Old ctags are never asked for again: starting over loses little.
                inner.entries.clear();
                inner.bytes = 0;
            }
            inner.bytes += body.len();
            if let Some(old) = inner.entries.insert(key.digest(), body) {
                inner.bytes -= old.len();
            }
        }
    }

    /// Drops everything, e.g. when a user's time zone (floating times) changes.
    pub fn clear(&self) {
        if let Ok(mut inner) = self.inner.lock() {
            inner.entries.clear();
            inner.bytes = 0;
        }
    }
}
