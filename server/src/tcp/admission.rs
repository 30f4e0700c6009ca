//! Connection limits: so many at once overall, and so many per key (a client address, a
//! user). A [`Slot`] holds a place until it is dropped, however the session ends.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Places for sessions: `total` overall and `per_key` for any one key.
pub struct Admission<K: Hash + Eq + Clone> {
    total: Arc<Semaphore>,
    per_key: usize,
    counts: Arc<Mutex<HashMap<K, usize>>>,
}

impl<K: Hash + Eq + Clone> Admission<K> {
    pub fn new(total: usize, per_key: usize) -> Admission<K> {
        Admission {
            total: Arc::new(Semaphore::new(total.max(1))),
            per_key: per_key.max(1),
            counts: Arc::default(),
        }
    }

    /// A place for `key`, or `None` when the limit overall or for `key` is reached.
    pub fn admit(&self, key: K) -> Option<Slot<K>> {
        let permit = self.total.clone().try_acquire_owned().ok()?;
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let n = counts.entry(key.clone()).or_insert(0);
        if *n >= self.per_key {
            return None;
        }
        *n += 1;
        Some(Slot {
            _permit: Some(permit),
            counts: self.counts.clone(),
            key,
        })
    }

    /// A place counted only per key (the overall limit is kept by another admission).
    pub fn admit_key_only(&self, key: K) -> Option<Slot<K>> {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        let n = counts.entry(key.clone()).or_insert(0);
        if *n >= self.per_key {
            return None;
        }
        *n += 1;
        Some(Slot {
            _permit: None,
            counts: self.counts.clone(),
            key,
        })
    }
}

/// A session's place; given back when dropped.
pub struct Slot<K: Hash + Eq + Clone> {
    _permit: Option<OwnedSemaphorePermit>,
    counts: Arc<Mutex<HashMap<K, usize>>>,
    key: K,
}

impl<K: Hash + Eq + Clone> Drop for Slot<K> {
    fn drop(&mut self) {
        let mut counts = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = counts.get_mut(&self.key) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                counts.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_overall_and_per_key_and_gives_places_back() {
        let a: Admission<u8> = Admission::new(3, 2);
        let x1 = a.admit(1).expect("first");
        let _x2 = a.admit(1).expect("second");
        assert!(a.admit(1).is_none(), "third for one key");
        let _y = a.admit(2).expect("other key");
        assert!(a.admit(3).is_none(), "overall limit");
        drop(x1);
        assert!(a.admit(1).is_some(), "place given back");
    }

    #[test]
    fn key_only_places_ignore_the_overall_limit() {
        let a: Admission<u8> = Admission::new(1, 1);
        let _x = a.admit_key_only(1).expect("first");
        assert!(a.admit_key_only(1).is_none());
        assert!(a.admit(2).is_some());
    }
}
