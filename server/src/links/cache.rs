//! The redirector's in-memory state: a slug → link cache that edits, disables and
//! deletes invalidate, and a visit counter that batches increments into the database
//! off the request path.

use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, RwLock};

use axum::http::HeaderValue;

use super::store::{self, LinkRow};
use crate::db::Db;
use crate::error::ApiError;

/// What the redirector needs to answer for one slug.
#[derive(Debug)]
pub struct CachedLink {
    pub id: i64,
    /// Pre-built `Location` header value.
    pub location: HeaderValue,
    pub expires_at: Option<i64>,
    pub enabled: bool,
    pub password_hash: Option<Arc<str>>,
    pub max_visits: Option<u64>,
    /// Visits so far (stored + not yet flushed); enforces `max_visits` exactly.
    pub visits: AtomicU64,
}

/// Bound on cached slugs (including remembered misses); past it the cache starts over.
const MAX_ENTRIES: usize = 200_000;

#[derive(Default)]
pub struct LinkCache {
    /// `None` remembers that a slug does not exist, so 404 floods stay off the database.
    entries: RwLock<HashMap<Box<str>, Option<Arc<CachedLink>>>>,
}

impl LinkCache {
    pub fn get(&self, slug: &str) -> Option<Option<Arc<CachedLink>>> {
        let map = self.entries.read().unwrap_or_else(|e| e.into_inner());
        map.get(slug).cloned()
    }

    /// Looks the slug up in the database and caches the answer.
    pub async fn load(
        &self,
        db: &Db,
        counter: &VisitCounter,
        slug: &str,
    ) -> Result<Option<Arc<CachedLink>>, ApiError> {
        let row = store::by_slug(db, slug).await?;
        let entry = row.and_then(|r| cached_from_row(r, counter)).map(Arc::new);
        let mut map = self.entries.write().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
        map.insert(slug.into(), entry.clone());
        Ok(entry)
    }

    /// Forgets every slug (this process may have missed what changed).
    pub fn clear(&self) {
        let mut map = self.entries.write().unwrap_or_else(|e| e.into_inner());
        map.clear();
    }

    /// Forgets a slug after it was created, edited, disabled or deleted.
    pub fn invalidate(&self, slug: &str) {
        let mut map = self.entries.write().unwrap_or_else(|e| e.into_inner());
        map.remove(slug);
    }
}

fn cached_from_row(r: LinkRow, counter: &VisitCounter) -> Option<CachedLink> {
    // A URL that cannot be a header value was never accepted; skip rather than panic.
    let location = HeaderValue::from_str(&r.url).ok()?;
    let stored = u64::try_from(r.visits).unwrap_or(0);
    Some(CachedLink {
        id: r.id,
        location,
        expires_at: r.expires_at,
        enabled: r.enabled,
        password_hash: r.password_hash.map(Arc::from),
        max_visits: r.max_visits.and_then(|m| u64::try_from(m).ok()),
        visits: AtomicU64::new(stored + counter.pending(r.id)),
    })
}

/// Visits counted in memory and written in batches.
#[derive(Default)]
pub struct VisitCounter {
    pending: Mutex<HashMap<i64, u64>>,
}

impl VisitCounter {
    pub fn record(&self, link_id: i64) {
        let mut map = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        *map.entry(link_id).or_insert(0) += 1;
    }

    pub fn pending(&self, link_id: i64) -> u64 {
        let map = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        map.get(&link_id).copied().unwrap_or(0)
    }

    /// Writes pending counts to the database; on failure they are put back for the next try.
    pub async fn flush(&self, db: &Db) {
        let batch: Vec<(i64, u64)> = {
            let mut map = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            if map.is_empty() {
                return;
            }
            map.drain().collect()
        };
        let day = chrono::Utc::now().format("%Y-%m-%d").to_string();
        if let Err(err) = store::add_visits(db, &day, &batch).await {
            tracing::warn!(%err, "could not store visit counts; will retry");
            let mut map = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            for (id, n) in batch {
                *map.entry(id).or_insert(0) += n;
            }
        }
    }
}
