//! Throttling against password guessing: attempts are counted per account and per client
//! address in a sliding window, separately for each kind of sign-in (web logins, device
//! logins with application passwords, link passwords, sign-ups), so that an attacker
//! failing web logins does not lock the owner's phone out of its calendar.
//!
//! An attempt is counted *before* the password is checked ([`LoginThrottle::begin`]) and
//! given back only when it succeeds, so a burst of parallel guesses gets exactly as many
//! real checks as the limit allows. Kept in memory: one ksuite process per database.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// An address may fail this many times the per-account limit (a shared NAT has many users).
const PER_ADDRESS_FACTOR: u32 = 4;
/// Bound on tracked keys so a flood of random e-mails cannot grow memory without limit.
const MAX_KEYS: usize = 100_000;

/// What is being signed in to; each kind has its own counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The web app's login form.
    Web,
    /// Devices with HTTP Basic (DAV): application passwords or the account password.
    Device,
    /// A password-protected short link (the account is the link).
    LinkPassword,
}

impl Scope {
    fn name(self) -> &'static str {
        match self {
            Scope::Web => "web",
            Scope::Device => "device",
            Scope::LinkPassword => "link",
        }
    }
}

pub struct LoginThrottle {
    max_failures: u32,
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

/// An attempt in progress; it counts as a failure unless [`Attempt::succeeded`] is called.
#[must_use]
pub struct Attempt<'a> {
    throttle: &'a LoginThrottle,
    account_key: String,
    address_key: String,
    at: Instant,
}

impl Attempt<'_> {
    /// The credentials were right: this attempt no longer counts, and the account's
    /// earlier failures are forgotten (the address's are not).
    pub fn succeeded(self) {
        let mut map = self.throttle.lock();
        map.remove(&self.account_key);
        if let Some(times) = map.get_mut(&self.address_key)
            && let Some(i) = times.iter().rposition(|t| *t == self.at)
        {
            times.remove(i);
        }
    }
}

impl LoginThrottle {
    pub fn new(max_failures: u32) -> LoginThrottle {
        LoginThrottle {
            max_failures: max_failures.max(1),
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<Instant>>> {
        self.failures.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts an attempt for `account` from `addr`, or answers `Err(seconds to wait)`
    /// when either is over its limit (then nothing is counted).
    pub fn begin(&self, scope: Scope, account: &str, addr: IpAddr) -> Result<Attempt<'_>, u64> {
        let now = Instant::now();
        let account_key = format!("{}:account:{account}", scope.name());
        let address_key = format!("{}:address:{addr}", scope.name());
        let mut map = self.lock();
        if map.len() >= MAX_KEYS {
            map.retain(|_, times| {
                times
                    .last()
                    .is_some_and(|t| now.duration_since(*t) < WINDOW)
            });
        }
        let mut wait: Option<u64> = None;
        for (key, limit) in [
            (&account_key, self.max_failures),
            (&address_key, self.max_failures * PER_ADDRESS_FACTOR),
        ] {
            if let Some(times) = map.get_mut(key) {
                times.retain(|t| now.duration_since(*t) < WINDOW);
                if times.len() as u32 >= limit {
                    let oldest = times.first().copied().unwrap_or(now);
                    let secs = WINDOW
                        .saturating_sub(now.duration_since(oldest))
                        .as_secs()
                        .max(1);
                    wait = Some(wait.map_or(secs, |w| w.max(secs)));
                }
            }
        }
        if let Some(wait) = wait {
            return Err(wait);
        }
        map.entry(account_key.clone()).or_default().push(now);
        map.entry(address_key.clone()).or_default().push(now);
        Ok(Attempt {
            throttle: self,
            account_key,
            address_key,
            at: now,
        })
    }
}

/// Counts sign-ups per client address (every attempt counts).
pub struct SignupThrottle {
    max_per_window: u32,
    attempts: Mutex<HashMap<IpAddr, Vec<Instant>>>,
}

impl SignupThrottle {
    pub fn new(max_per_window: u32) -> SignupThrottle {
        SignupThrottle {
            max_per_window: max_per_window.max(1),
            attempts: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a sign-up from `addr`, or `Err(seconds to wait)`.
    pub fn check(&self, addr: IpAddr) -> Result<(), u64> {
        let now = Instant::now();
        let mut map = self.attempts.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_KEYS {
            map.retain(|_, times| {
                times
                    .last()
                    .is_some_and(|t| now.duration_since(*t) < WINDOW)
            });
        }
        let times = map.entry(addr).or_default();
        times.retain(|t| now.duration_since(*t) < WINDOW);
        if times.len() as u32 >= self.max_per_window {
            let oldest = times.first().copied().unwrap_or(now);
            return Err(WINDOW
                .saturating_sub(now.duration_since(oldest))
                .as_secs()
                .max(1));
        }
        times.push(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    #[test]
    fn counts_before_checking_and_success_gives_the_attempt_back() {
        let t = LoginThrottle::new(3);
        // Three attempts in flight at once use up the limit before any is checked.
        let a = t.begin(Scope::Web, "a@x.org", IP).expect("first");
        let b = t.begin(Scope::Web, "a@x.org", IP).expect("second");
        let c = t.begin(Scope::Web, "a@x.org", IP).expect("third");
        let wait = t.begin(Scope::Web, "a@x.org", IP).err().expect("blocked");
        assert!(wait > 0 && wait <= WINDOW.as_secs());
        drop((a, b));
        // Devices have their own counts; so has another account from the address.
        assert!(t.begin(Scope::Device, "a@x.org", IP).is_ok());
        assert!(t.begin(Scope::Web, "b@x.org", IP).is_ok());
        c.succeeded();
        assert!(t.begin(Scope::Web, "a@x.org", IP).is_ok());
    }

    #[test]
    fn signups_are_limited_per_address() {
        let t = SignupThrottle::new(2);
        assert!(t.check(IP).is_ok());
        assert!(t.check(IP).is_ok());
        assert!(t.check(IP).is_err());
        assert!(t.check(IpAddr::from([10, 0, 0, 1])).is_ok());
    }
}
