//! What DAV requests on a user's own collections read first, kept in memory: the
//! collection itself (see `CollectionCache`), and answers to GET of one event or vCard,
//! kept with the collection's ctag at the time: served without touching the database
//! while `versions` says that ctag is still the latest. Devices fetch the same objects over and
//! over; this makes those fetches cost what authentication costs. Shared collections are
//! not kept (a share can be withdrawn without a ctag change), so grantees always read the
//! database.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::Bytes;

use super::path::Kind;
use super::versions::CollectionVersions;

/// Total size of kept answers before the cache starts over.
const MAX_BYTES: usize = 32 * 1024 * 1024;
/// Objects larger than this are not kept.
const MAX_ENTRY: usize = 256 * 1024;

/// A kept answer.
#[derive(Clone)]
pub struct Entry {
    pub kind: Kind,
    pub collection: i64,
    pub generation: i64,
    pub ctag: i64,
    pub etag: String,
    pub body: Bytes,
}

#[derive(Default)]
pub struct ObjectCache {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<String, Entry>,
    bytes: usize,
}

/// What an answer depends on besides the stored data: who asks, which object (its
/// collection's kind, owner and segment, and its name, as decoded from the path), and
/// the vCard version asked for. Parts are length-prefixed, so no two paths share a key.
pub fn key(
    user_id: i64,
    kind: Kind,
    owner: &str,
    collection: &str,
    name: &str,
    variant: Option<bool>,
) -> String {
    format!(
        "{user_id} {kind:?} {}:{owner} {}:{collection} {}:{name} {variant:?}",
        owner.len(),
        collection.len(),
        name.len()
    )
}

impl ObjectCache {
    /// The kept answer, if its collection has not changed since.
    pub fn get(&self, key: &str, versions: &CollectionVersions) -> Option<Entry> {
        let entry = self.inner.lock().ok()?.entries.get(key).cloned()?;
        versions
            .is_current(entry.kind, entry.collection, entry.generation, entry.ctag)
            .then_some(entry)
    }

    pub fn put(&self, key: String, entry: Entry) {
        if entry.body.len() > MAX_ENTRY {
            return;
        }
        if let Ok(mut inner) = self.inner.lock() {
            if inner.bytes + entry.body.len() > MAX_BYTES {
                inner.entries.clear();
                inner.bytes = 0;
            }
            inner.bytes += entry.body.len();
            if let Some(old) = inner.entries.insert(key, entry) {
                inner.bytes -= old.body.len();
            }
        }
    }
}

/// Most collections kept before the cache starts over.
const MAX_COLLECTIONS: usize = 100_000;

/// Users' own collections as last read (with their dead properties), by segment: what
/// every DAV request on them resolves first. Valid, like the answers above, while the
/// collection's ctag holds; every change to a collection's properties bumps it.
#[derive(Default)]
pub struct CollectionCache {
    inner: Mutex<HashMap<(i64, Kind, String), super::store::Collection>>,
}

impl CollectionCache {
    pub fn get(
        &self,
        user_id: i64,
        kind: Kind,
        segment: &str,
        versions: &CollectionVersions,
    ) -> Option<super::store::Collection> {
        let c = self
            .inner
            .lock()
            .ok()?
            .get(&(user_id, kind, segment.to_string()))
            .cloned()?;
        versions
            .is_current(c.kind, c.id, c.generation, c.ctag)
            .then_some(c)
    }

    /// Keeps a collection the user owns, read with its dead properties.
    pub fn put(&self, user_id: i64, c: &super::store::Collection) {
        if let Ok(mut inner) = self.inner.lock() {
            if inner.len() >= MAX_COLLECTIONS {
                inner.clear();
            }
            inner.insert((user_id, c.kind, c.segment.clone()), c.clone());
        }
    }
}
