//! Recently verified HTTP Basic credentials, so a device sync of thousands of requests
//! pays for one password check, not one per request. Entries expire after a few minutes
//! and the whole cache is dropped when a password, an application password or 2FA
//! changes, so a revoked secret stops working at once.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

const TTL: Duration = Duration::from_secs(300);
const MAX_ENTRIES: usize = 10_000;

#[derive(Default)]
pub struct CredentialCache {
    /// User id, when verified, and the protocols (bits) whose use has been recorded.
    entries: Mutex<HashMap<[u8; 32], (i64, Instant, u8)>>,
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
}
