//! Argon2id password hashing, run off the async executor because it is CPU-bound, and
//! at most as many at once as the machine has cores: each hash holds ~19 MiB, so a burst
//! of logins queues here instead of growing memory by hundreds of megabytes.

use std::sync::OnceLock;
use std::time::Duration;

use tokio::sync::Semaphore;

use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};

use crate::error::ApiError;

/// How long a request waits for a free hashing slot before it is told to retry.
const SLOT_WAIT: Duration = Duration::from_secs(20);

fn slots() -> &'static Semaphore {
    static SLOTS: OnceLock<Semaphore> = OnceLock::new();
    SLOTS
        .get_or_init(|| Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())))
}

/// Runs one hashing job when a slot is free.
async fn with_slot<T: Send + 'static>(
    job: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let permit = tokio::time::timeout(SLOT_WAIT, slots().acquire())
        .await
        .map_err(|_| busy())?
        .map_err(ApiError::internal)?;
    let result = tokio::task::spawn_blocking(job)
        .await
        .map_err(ApiError::internal)?;
    drop(permit);
    result
}

fn busy() -> ApiError {
    let mut e = ApiError::new(
        axum::http::StatusCode::SERVICE_UNAVAILABLE,
        ksuite_common::ErrorCode::TooManyAttempts,
        "The server is busy checking passwords. Try again in a moment.",
    );
    e.retry_after = Some(5);
    e
}

pub async fn hash(password: String) -> Result<String, ApiError> {
    with_slot(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(ApiError::internal)
    })
    .await
}

/// Verifies `password` against a stored PHC string. When the account does not exist the
/// caller passes `None`; we still spend the same time on a dummy hash so response timing
/// does not reveal which e-mail addresses have accounts.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, ApiError> {
    with_slot(move || {
        let (phc, real) = match stored {
            Some(phc) => (phc, true),
            None => (DUMMY_HASH.to_string(), false),
        };
        let parsed = PasswordHash::new(&phc).map_err(ApiError::internal)?;
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(ok && real)
    })
    .await
}

/// Argon2id hash (default parameters) of a random string nobody knows.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Qq2dC1PvHo7d0Ol1M3QOmHnqsQ5Yq0XzR1SM3bQw1aA";

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_then_verify() {
        let h = hash("correct horse battery".into()).await.expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(
            verify("correct horse battery".into(), Some(h.clone()))
                .await
                .expect("verify")
        );
        assert!(!verify("wrong".into(), Some(h)).await.expect("verify"));
        assert!(!verify("anything".into(), None).await.expect("verify dummy"));
    }
}
