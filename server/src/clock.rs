//! "Now" for time-driven work (the reminder scheduler, snoozes). The system clock in
//! production; tests point it at a file holding unix seconds, so they move time forward
//! instead of sleeping, also across restarts of a real server process.

use std::path::PathBuf;

use chrono::{DateTime, Utc};

#[derive(Clone, Debug, Default)]
pub enum Clock {
    #[default]
    System,
    /// Reads unix seconds from the file; the system clock when it is missing or unreadable.
    File(PathBuf),
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::File(path) => std::fs::read_to_string(path)
                .ok()
                .and_then(|s| s.trim().parse::<i64>().ok())
                .and_then(|secs| DateTime::from_timestamp(secs, 0))
                .unwrap_or_else(Utc::now),
        }
    }

    pub fn now_unix(&self) -> i64 {
        self.now().timestamp()
    }
}
