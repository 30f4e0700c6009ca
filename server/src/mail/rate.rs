//! How much one user may send: recipients per hour over all their messages, so a stolen
//! or throwaway account cannot turn the server into a spam relay. Counted in the database
//! (`send_counts`) in one write transaction per message, so the limit is exact across
//! every process on the database and survives restarts.

use axum::http::StatusCode;
use ksuite_common::ErrorCode;

use crate::db::Db;
use crate::error::ApiError;

const WINDOW_MS: i64 = 3600 * 1000;

pub struct SendLimiter {
    db: Db,
    max_per_hour: u32,
}

impl SendLimiter {
    pub fn new(db: Db, max_per_hour: u32) -> SendLimiter {
        SendLimiter {
            db,
            max_per_hour: max_per_hour.max(1),
        }
    }

    /// Counts `recipients` for `user_id`, or refuses (counting nothing) when that would
    /// exceed the hourly limit.
    pub async fn take(&self, user_id: i64, recipients: u32) -> Result<(), ApiError> {
        let now = chrono::Utc::now().timestamp_millis();
        let mut tx = crate::db::begin_write(&self.db).await?;
        crate::on_db!(&mut tx, |dbc| sqlx::query(
            "DELETE FROM send_counts WHERE at_ms <= $1"
        )
        .bind(now - WINDOW_MS)
        .execute(dbc)
        .await
        .map(crate::db::Done::from))?;
        let (used, oldest): (i64, Option<i64>) = crate::on_db!(&mut tx, |dbc| {
            sqlx::query_as(
            "SELECT CAST(COALESCE(SUM(recipients), 0) AS BIGINT), MIN(at_ms) FROM send_counts WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_one(dbc).await
        })?;
        let max = i64::from(self.max_per_hour);
        if used.saturating_add(i64::from(recipients)) > max {
            tx.commit().await?;
            let wait_ms = oldest.map_or(WINDOW_MS, |t| (t + WINDOW_MS - now).max(0));
            let wait = (wait_ms as u64).div_ceil(1000).max(1);
            let mut e = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::TooManyAttempts,
                format!(
                    "You can send to {} recipients per hour; {} are left. Try again in {} minutes.",
                    self.max_per_hour,
                    (max - used).max(0),
                    wait.div_ceil(60)
                ),
            );
            e.retry_after = Some(wait);
            return Err(e);
        }
        crate::on_db!(&mut tx, |dbc| sqlx::query(
            "INSERT INTO send_counts (user_id, recipients, at_ms) VALUES ($1, $2, $3)"
        )
        .bind(user_id)
        .bind(i64::from(recipients))
        .bind(now)
        .execute(dbc)
        .await
        .map(crate::db::Done::from))?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn recipients_are_counted_per_user_per_hour_across_limiters() {
        let dir = tempfile::tempdir().expect("dir");
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let db = crate::db::connect(&url).await.expect("db");
        for id in [1, 2] {
            crate::on_db!(&db, |dbc| sqlx::query("INSERT INTO users (id, email, display_name, password_hash, created_at) VALUES ($1, $2, 'U', 'x', 0)")
                .bind(id)
                .bind(format!("u{id}@example.org"))
                .execute(dbc).await.map(crate::db::Done::from))
                .expect("user");
        }
        let l = SendLimiter::new(db.clone(), 10);
        assert!(l.take(1, 6).await.is_ok());
        // Another process on the same database counts against the same hour.
        let other = SendLimiter::new(db, 10);
        assert!(other.take(1, 4).await.is_ok());
        let e = l.take(1, 1).await.expect_err("over the limit");
        assert_eq!(e.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(e.message.contains("0 are left"), "{}", e.message);
        assert!(e.retry_after.is_some_and(|w| w > 0 && w <= 3600));
        assert!(l.take(2, 10).await.is_ok(), "each user has their own");
    }
}
