//! How much one user may send: recipients per hour over all their messages, so a stolen
//! or throwaway account cannot turn the server into a spam relay.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use ksuite_common::ErrorCode;

use crate::error::ApiError;

const WINDOW: Duration = Duration::from_secs(3600);
/// Bound on tracked users (the oldest windows are dropped past it).
const MAX_USERS: usize = 100_000;

pub struct SendLimiter {
    max_per_hour: u32,
    sent: Mutex<HashMap<i64, VecDeque<(Instant, u32)>>>,
}

impl SendLimiter {
    pub fn new(max_per_hour: u32) -> SendLimiter {
        SendLimiter {
            max_per_hour: max_per_hour.max(1),
            sent: Mutex::new(HashMap::new()),
        }
    }

    /// Counts `recipients` for `user_id`, or refuses (counting nothing) when that would
    /// exceed the hourly limit.
    pub fn take(&self, user_id: i64, recipients: u32) -> Result<(), ApiError> {
        let now = Instant::now();
        let mut map = self.sent.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_USERS {
            map.retain(|_, q| {
                q.back()
                    .is_some_and(|(t, _)| now.duration_since(*t) < WINDOW)
            });
        }
        let queue = map.entry(user_id).or_default();
        while queue
            .front()
            .is_some_and(|(t, _)| now.duration_since(*t) >= WINDOW)
        {
            queue.pop_front();
        }
        let used: u32 = queue.iter().map(|(_, n)| n).sum();
        if used.saturating_add(recipients) > self.max_per_hour {
            let wait = queue
                .front()
                .map_or(WINDOW, |(t, _)| {
                    WINDOW.saturating_sub(now.duration_since(*t))
                })
                .as_secs()
                .max(1);
            let mut e = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::TooManyAttempts,
                format!(
                    "You can send to {} recipients per hour; {} are left. Try again in {} minutes.",
                    self.max_per_hour,
                    self.max_per_hour.saturating_sub(used),
                    wait.div_ceil(60)
                ),
            );
            e.retry_after = Some(wait);
            return Err(e);
        }
        queue.push_back((now, recipients));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipients_are_counted_per_user_per_hour() {
        let l = SendLimiter::new(10);
        assert!(l.take(1, 6).is_ok());
        assert!(l.take(1, 4).is_ok());
        let e = l.take(1, 1).expect_err("over the limit");
        assert_eq!(e.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(e.message.contains("0 are left"), "{}", e.message);
        assert!(l.take(2, 10).is_ok(), "each user has their own");
    }
}
