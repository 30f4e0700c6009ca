//! Login throttling against password guessing: failed attempts are counted per account and
//! per client address in a sliding window; past the limit, attempts are refused (429)
//! before any password is checked. Kept in memory: one ksuite process per database.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// An address may fail this many times the per-account limit (a shared NAT has many users).
const PER_ADDRESS_FACTOR: u32 = 4;
/// Bound on tracked keys so a flood of random e-mails cannot grow memory without limit.
const MAX_KEYS: usize = 100_000;

pub struct LoginThrottle {
    max_failures: u32,
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl LoginThrottle {
    pub fn new(max_failures: u32) -> LoginThrottle {
        LoginThrottle {
            max_failures: max_failures.max(1),
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn keys(email: &str, addr: Option<IpAddr>) -> [(String, u32); 2] {
        let addr_key = addr
            .map(|a| format!("ip:{a}"))
            .unwrap_or_else(|| "ip:unknown".into());
        [
            (format!("email:{email}"), 1),
            (addr_key, PER_ADDRESS_FACTOR),
        ]
    }

    /// `Some(seconds)` when the caller must wait before trying again.
    pub fn check(&self, email: &str, addr: Option<IpAddr>) -> Option<u64> {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let mut wait: Option<u64> = None;
        for (key, factor) in Self::keys(email, addr) {
            if let Some(times) = map.get_mut(&key) {
                times.retain(|t| now.duration_since(*t) < WINDOW);
                if times.len() as u32 >= self.max_failures * factor {
                    let oldest = times.first().copied().unwrap_or(now);
                    let secs = WINDOW
                        .saturating_sub(now.duration_since(oldest))
                        .as_secs()
                        .max(1);
                    wait = Some(wait.map_or(secs, |w| w.max(secs)));
                }
            }
        }
        wait
    }

    pub fn record_failure(&self, email: &str, addr: Option<IpAddr>) {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_KEYS {
            map.retain(|_, times| {
                times
                    .last()
                    .is_some_and(|t| now.duration_since(*t) < WINDOW)
            });
        }
        for (key, _) in Self::keys(email, addr) {
            map.entry(key).or_default().push(now);
        }
    }

    /// A successful login forgets the account's failures (not the address's).
    pub fn record_success(&self, email: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&format!("email:{email}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_max_failures_and_success_resets() {
        let t = LoginThrottle::new(3);
        let ip = Some(IpAddr::from([127, 0, 0, 1]));
        for _ in 0..3 {
            assert!(t.check("a@x.org", ip).is_none());
            t.record_failure("a@x.org", ip);
        }
        let wait = t.check("a@x.org", ip).expect("blocked");
        assert!(wait > 0 && wait <= WINDOW.as_secs());
        // Another account from the same address is not yet blocked.
        assert!(t.check("b@x.org", ip).is_none());
        t.record_success("a@x.org");
        assert!(t.check("a@x.org", ip).is_none());
    }
}
