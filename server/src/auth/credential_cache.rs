//! Recently verified HTTP Basic credentials, so a device sync of thousands of requests
//! pays for one password check, not one per request. Entries expire after a few minutes
//! and the whole cache is dropped when a password, an application password or 2FA
//! changes, so a revoked secret stops working at once.
//!
//! Devices open several connections at once (wrk, DAVx⁵, Thunderbird, a phone after a
//! password change): the first requests with the same credentials take turns (see
//! [`CredentialCache::turn`]), so one verifies and the others find its answer, instead of
//! all verifying at once and counting as a burst of attempts against the login throttle.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

const TTL: Duration = Duration::from_secs(300);
const MAX_ENTRIES: usize = 10_000;

/// Credentials being verified, each with the lock the other requests wait on.
type InFlight = Arc<Mutex<HashMap<[u8; 32], Arc<tokio::sync::Mutex<()>>>>>;

#[derive(Default)]
pub struct CredentialCache {
    /// User id, when verified, and the protocols (bits) whose use has been recorded.
    entries: Mutex<HashMap<[u8; 32], (i64, Instant, u8)>>,
    /// Credentials being verified now, with the lock their other requests wait on;
    /// entries leave with their last holder, so this holds at most one per open request.
    in_flight: InFlight,
}

/// The right to verify some credentials; the next request with the same ones waits
/// until this is dropped, then looks in the cache again.
pub struct Turn {
    key: [u8; 32],
    lock: Arc<tokio::sync::Mutex<()>>,
    in_flight: InFlight,
    _guard: tokio::sync::OwnedMutexGuard<()>,
}

impl Drop for Turn {
    fn drop(&mut self) {
        if let Ok(mut map) = self.in_flight.lock() {
            // The map's copy and ours: nobody else waits for these credentials.
            if Arc::strong_count(&self.lock) <= 3 {
                map.remove(&self.key);
            }
        }
    }
}

/// Keyed by a digest so the cache never holds a password in clear.
fn key(email: &str, password: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(email.as_bytes());
    h.update([0]);
    h.update(password.as_bytes());
    h.finalize().into()
}

impl CredentialCache {
    /// The user id these credentials were verified for, if still fresh.
    pub fn get(&self, email: &str, password: &str) -> Option<i64> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(&key(email, password))
            .filter(|(_, at, _)| at.elapsed() < TTL)
            .map(|(id, _, _)| *id)
    }

    /// Notes that these credentials were used by protocol number `bit` (0–7); `true` the
    /// first time for an entry, so the use is written down once, not per request.
    pub fn first_use_by(&self, email: &str, password: &str, bit: u8) -> bool {
        let Ok(mut entries) = self.entries.lock() else {
            return false;
        };
        match entries.get_mut(&key(email, password)) {
            Some((_, _, seen)) if *seen & (1 << bit) == 0 => {
                *seen |= 1 << bit;
                true
            }
            _ => false,
        }
    }

    pub fn insert(&self, email: &str, password: &str, user_id: i64) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.retain(|_, (_, at, _)| at.elapsed() < TTL);
                if entries.len() >= MAX_ENTRIES {
                    entries.clear();
                }
            }
            entries.insert(key(email, password), (user_id, Instant::now(), 0));
        }
    }

    /// Waits until no other request is verifying these credentials.
    pub async fn turn(&self, email: &str, password: &str) -> Turn {
        let key = key(email, password);
        let lock = {
            let mut map = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
            map.entry(key).or_default().clone()
        };
        let guard = lock.clone().lock_owned().await;
        Turn {
            key,
            lock,
            in_flight: self.in_flight.clone(),
            _guard: guard,
        }
    }

    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_until_cleared() {
        let c = CredentialCache::default();
        assert_eq!(c.get("a@x", "pw"), None);
        c.insert("a@x", "pw", 7);
        assert_eq!(c.get("a@x", "pw"), Some(7));
        assert_eq!(c.get("a@x", "other"), None);
        c.clear();
        assert_eq!(c.get("a@x", "pw"), None);
    }

    #[tokio::test]
    async fn requests_with_the_same_credentials_take_turns() {
        let c = CredentialCache::default();
        let first = c.turn("a@x", "pw").await;
        // Other credentials do not wait.
        drop(c.turn("a@x", "other").await);
        let second = tokio::time::timeout(Duration::from_millis(50), c.turn("a@x", "pw")).await;
        assert!(
            second.is_err(),
            "the same credentials wait for the first turn"
        );
        drop(first);
        drop(c.turn("a@x", "pw").await);
        assert!(c.in_flight.lock().map(|m| m.is_empty()).unwrap_or(false));
    }
}
