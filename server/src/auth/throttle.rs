//! Throttling against password guessing: attempts are counted per account and per client
//! address in a sliding window, separately for each kind of sign-in (web logins, device
//! logins with application passwords, link passwords, sign-ups), so that an attacker
//! failing web logins does not lock the owner's phone out of its calendar.
//!
//! An attempt is counted *before* the password is checked ([`LoginThrottle::begin`]) and
//! given back only when it succeeds, so a burst of parallel guesses gets exactly as many
//! real checks as the limit allows. Counts live in the database (`login_attempts`), taken
//! in one write transaction per attempt, so the limits are exact across every process on
//! the database, and survive restarts.

use std::net::IpAddr;
use std::time::Duration;

use crate::db::Db;
use crate::error::ApiError;

pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// An address may fail this many times the per-account limit (a shared NAT has many users).
const PER_ADDRESS_FACTOR: u32 = 4;

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

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Counts one attempt under each of `limits` (key, limit) unless one is used up: then
/// `Err(seconds until the oldest attempt of the fullest key leaves the window)` and
/// nothing is counted. The ids of the counted rows, in the order of `limits`.
async fn count(db: &Db, limits: &[(&str, u32)]) -> Result<Result<Vec<i64>, u64>, ApiError> {
    let now = now_ms();
    let window_ms = WINDOW.as_millis() as i64;
    let since = now - window_ms;
    // The write lock from the start: two processes cannot both see room for one more.
    let mut tx = crate::db::begin_write(db).await?;
    crate::on_db!(&mut tx, |dbc| sqlx::query(
        "DELETE FROM login_attempts WHERE at_ms <= $1"
    )
    .bind(since)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    let mut wait: Option<u64> = None;
    for &(key, limit) in limits {
        let (n, oldest): (i64, Option<i64>) = crate::on_db!(&mut tx, |dbc| sqlx::query_as(
            "SELECT COUNT(*), MIN(at_ms) FROM login_attempts WHERE key = $1"
        )
        .bind(key)
        .fetch_one(dbc)
        .await)?;
        if n >= i64::from(limit) {
            let left_ms = (oldest.unwrap_or(now) + window_ms - now).max(0) as u64;
            let secs = left_ms.div_ceil(1000).max(1);
            wait = Some(wait.map_or(secs, |w| w.max(secs)));
        }
    }
    if let Some(wait) = wait {
        tx.commit().await?;
        return Ok(Err(wait));
    }
    let mut ids = Vec::with_capacity(limits.len());
    for &(key, _) in limits {
        let id: i64 = crate::on_db!(&mut tx, |dbc| sqlx::query_scalar(
            "INSERT INTO login_attempts (key, at_ms) VALUES ($1, $2) RETURNING id",
        )
        .bind(key)
        .bind(now)
        .fetch_one(dbc)
        .await)?;
        ids.push(id);
    }
    tx.commit().await?;
    Ok(Ok(ids))
}

pub struct LoginThrottle {
    db: Db,
    max_failures: u32,
}

/// An attempt in progress; it counts as a failure unless [`Attempt::succeeded`] is called.
#[must_use]
pub struct Attempt {
    db: Db,
    account_key: String,
    address_row: i64,
}

impl Attempt {
    /// The credentials were right: this attempt no longer counts, and the account's
    /// earlier failures are forgotten (the address's are not).
    pub async fn succeeded(self) -> Result<(), ApiError> {
        crate::on_db!(&self.db, |dbc| sqlx::query(
            "DELETE FROM login_attempts WHERE key = $1 OR id = $2"
        )
        .bind(&self.account_key)
        .bind(self.address_row)
        .execute(dbc)
        .await
        .map(crate::db::Done::from))?;
        Ok(())
    }
}

impl LoginThrottle {
    pub fn new(db: Db, max_failures: u32) -> LoginThrottle {
        LoginThrottle {
            db,
            max_failures: max_failures.max(1),
        }
    }

    /// Counts an attempt for `account` from `addr`, or answers `Ok(Err(seconds to wait))`
    /// when either is over its limit (then nothing is counted).
    pub async fn begin(
        &self,
        scope: Scope,
        account: &str,
        addr: IpAddr,
    ) -> Result<Result<Attempt, u64>, ApiError> {
        let account_key = format!("{}:account:{account}", scope.name());
        let address_key = format!("{}:address:{addr}", scope.name());
        let limits = [
            (account_key.as_str(), self.max_failures),
            (address_key.as_str(), self.max_failures * PER_ADDRESS_FACTOR),
        ];
        Ok(count(&self.db, &limits).await?.map(|ids| Attempt {
            db: self.db.clone(),
            account_key,
            address_row: ids[1],
        }))
    }
}

/// Counts sign-ups per client address (every attempt counts).
pub struct SignupThrottle {
    db: Db,
    max_per_window: u32,
}

impl SignupThrottle {
    pub fn new(db: Db, max_per_window: u32) -> SignupThrottle {
        SignupThrottle {
            db,
            max_per_window: max_per_window.max(1),
        }
    }

    /// Counts a sign-up from `addr`, or `Ok(Err(seconds to wait))`.
    pub async fn check(&self, addr: IpAddr) -> Result<Result<(), u64>, ApiError> {
        let key = format!("signup:address:{addr}");
        Ok(count(&self.db, &[(key.as_str(), self.max_per_window)])
            .await?
            .map(|_| ()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    async fn database() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().expect("dir");
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let db = crate::db::connect(&url).await.expect("db");
        (dir, db)
    }

    #[tokio::test]
    async fn counts_before_checking_and_success_gives_the_attempt_back() {
        let (_dir, db) = database().await;
        let t = LoginThrottle::new(db.clone(), 3);
        let begin = |scope, account: &'static str| {
            let t = &t;
            async move { t.begin(scope, account, IP).await.expect("database") }
        };
        // Three attempts in flight at once use up the limit before any is checked.
        let _a = begin(Scope::Web, "a@x.org").await.expect("first");
        let _b = begin(Scope::Web, "a@x.org").await.expect("second");
        let c = begin(Scope::Web, "a@x.org").await.expect("third");
        let wait = begin(Scope::Web, "a@x.org").await.err().expect("blocked");
        assert!(wait > 0 && wait <= WINDOW.as_secs());
        // Devices have their own counts; so has another account from the address.
        assert!(begin(Scope::Device, "a@x.org").await.is_ok());
        assert!(begin(Scope::Web, "b@x.org").await.is_ok());
        c.succeeded().await.expect("succeeded");
        assert!(begin(Scope::Web, "a@x.org").await.is_ok());
        // Another process on the same database sees the same counts.
        let other = LoginThrottle::new(db, 3);
        for _ in 0..2 {
            let _ = other.begin(Scope::Web, "a@x.org", IP).await.expect("db");
        }
        assert!(
            other
                .begin(Scope::Web, "a@x.org", IP)
                .await
                .expect("db")
                .is_err()
        );
    }

    #[tokio::test]
    async fn signups_are_limited_per_address() {
        let (_dir, db) = database().await;
        let t = SignupThrottle::new(db, 2);
        assert_eq!(t.check(IP).await.expect("db"), Ok(()));
        assert_eq!(t.check(IP).await.expect("db"), Ok(()));
        assert!(t.check(IP).await.expect("db").is_err());
        assert_eq!(
            t.check(IpAddr::from([10, 0, 0, 1])).await.expect("db"),
            Ok(())
        );
    }
}
