//! Per-user storage quotas: events, contacts and mail bytes. Reaching one answers a clear
//! error (507 with `quota_exceeded` on the API and DAV, 452 "mailbox full" over SMTP)
//! and changes nothing.

use axum::http::StatusCode;
use ksuite_common::ErrorCode;

use crate::error::ApiError;

/// The limits (settings, see `config.rs`).
#[derive(Clone, Copy, Debug)]
pub struct Quotas {
    /// Events and to-dos in all of a user's own calendars.
    pub events: i64,
    /// Contacts in all of a user's own address books.
    pub contacts: i64,
    /// Bytes of messages (every folder, Trash included) of one mail address.
    pub mail_bytes: i64,
}

impl Default for Quotas {
    fn default() -> Quotas {
        Quotas {
            events: 200_000,
            contacts: 100_000,
            mail_bytes: 10 * 1024 * 1024 * 1024,
        }
    }
}

/// Refuses adding `adding` items to `current` when it would pass `limit`.
pub fn check(what: &str, current: i64, adding: i64, limit: i64) -> Result<(), ApiError> {
    if current.saturating_add(adding) <= limit {
        return Ok(());
    }
    let room = (limit - current).max(0);
    Err(ApiError::new(
        StatusCode::INSUFFICIENT_STORAGE,
        ErrorCode::QuotaExceeded,
        format!(
            "This account may keep at most {limit} {what}; there is room for {room} more. \
             Delete some, or ask the administrator for a larger plan."
        ),
    ))
}

/// A mailbox at its quota.
pub fn mailbox_full(address: &str, limit: i64) -> ApiError {
    ApiError::new(
        StatusCode::INSUFFICIENT_STORAGE,
        ErrorCode::QuotaExceeded,
        format!(
            "The mailbox {address} is full (it may hold {} MB). Empty its Trash or delete \
             large messages, then send again.",
            limit / (1024 * 1024)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_past_the_limit_and_says_how_much_room_is_left() {
        assert!(check("events", 8, 2, 10).is_ok());
        let e = check("events", 8, 3, 10).expect_err("over");
        assert_eq!(e.status, StatusCode::INSUFFICIENT_STORAGE);
        assert!(e.message.contains("room for 2 more"), "{}", e.message);
    }
}
