//! The relay queue: messages for recipients outside this server wait here until the
//! configured relay (`KSUITE_SMTP_RELAY`, sent with `lettre`) accepts them. A temporary
//! failure is retried with growing pauses for a day; a permanent refusal (5xx) or the end
//! of that day marks the message failed. Every state is visible to the sender.

use std::sync::Arc;
use std::time::Duration;

use ksuite_common::Delivery;
use lettre::address::Envelope;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use tokio::sync::Notify;

use super::blobs;
use crate::db::Db;
use crate::error::ApiError;
use crate::now_unix;

/// How long the queue keeps retrying before it gives up.
const GIVE_UP_AFTER: i64 = 24 * 3600;
/// The longest pause between two attempts.
const MAX_PAUSE: i64 = 3600;
/// Messages sent per pass.
const BATCH: i64 = 20;
/// How long one SMTP conversation with the relay may take.
const RELAY_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a claimed message is this process's: longer than one relay attempt can take.
/// A process that dies mid-attempt leaves its message to the others (or to itself after
/// a restart) this much later.
const LEASE_SECONDS: i64 = RELAY_TIMEOUT.as_secs() as i64 + 60;

/// What the queue worker needs.
pub struct Outbox {
    pub db: Db,
    pub blobs: crate::blobs::BlobStore,
    /// The relay URL (`smtp://`, `smtp://…?tls=required`, `smtps://`, with user:password).
    pub relay: Option<String>,
    /// The pause after the first failed attempt; doubles each time.
    pub first_retry: Duration,
    /// Woken when a message is queued or a retry is asked for.
    pub wake: Arc<Notify>,
    /// Mail from this domain is DKIM-signed.
    pub mail_domain: String,
}

/// A queued message to add.
pub struct Queued<'a> {
    pub user_id: i64,
    /// The sender's copy in Sent, if any (a filter's forward has none).
    pub message_id: Option<i64>,
    pub blob: &'a str,
    pub mail_from: &'a str,
    pub recipients: &'a [String],
}

/// Queues a message for the relay, due now; returns the queue id.
pub async fn enqueue(tx: &mut crate::db::Conn, q: &Queued<'_>) -> Result<i64, ApiError> {
    let now = now_unix();
    Ok(crate::on_db!(&mut *tx, |dbc| {
        sqlx::query_scalar(
        "INSERT INTO mail_outbox (message_id, user_id, blob, mail_from, recipients, state, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'queued', $6, $7) RETURNING id",
    )
    .bind(q.message_id)
    .bind(q.user_id)
    .bind(q.blob)
    .bind(q.mail_from)
    .bind(q.recipients.join("\n"))
    .bind(now)
    .bind(now)
    .fetch_one(dbc).await
    })?)
}

type DeliveryRow = (i64, String, String, i64, Option<String>, i64);

fn delivery((id, state, recipients, attempts, last_error, next): DeliveryRow) -> Delivery {
    // A message being handed to the relay right now is, to its sender, still queued.
    let state = if state == "sending" {
        "queued".to_string()
    } else {
        state
    };
    Delivery {
        id,
        next_attempt_at: (state == "queued").then_some(next),
        state,
        recipients: super::store::lines(&recipients),
        attempts,
        last_error,
    }
}

/// The relay delivery of a sent message, if it had outside recipients.
pub async fn delivery_of(db: &Db, message_id: i64) -> Result<Option<Delivery>, ApiError> {
    let row: Option<DeliveryRow> = crate::on_db!(db, |dbc| sqlx::query_as(
        "SELECT id, state, recipients, attempts, last_error, next_attempt_at FROM mail_outbox \
         WHERE message_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(message_id)
    .fetch_optional(dbc)
    .await)?;
    Ok(row.map(delivery))
}

/// Puts a queued or failed message of the user back at the front of the queue.
pub async fn retry_now(db: &Db, user_id: i64, id: i64) -> Result<Option<Delivery>, ApiError> {
    let row: Option<DeliveryRow> = crate::on_db!(db, |dbc| sqlx::query_as(
        "UPDATE mail_outbox SET state = 'queued', next_attempt_at = $1, \
         created_at = CASE WHEN state = 'failed' THEN $2 ELSE created_at END \
         WHERE id = $3 AND user_id = $4 AND state IN ('queued', 'failed') \
         RETURNING id, state, recipients, attempts, last_error, next_attempt_at",
    )
    .bind(now_unix())
    .bind(now_unix())
    .bind(id)
    .bind(user_id)
    .fetch_optional(dbc)
    .await)?;
    Ok(row.map(delivery))
}

/// The pause before attempt `attempts + 1`: the first retry pause, doubled each time.
fn pause(first: Duration, attempts: i64) -> i64 {
    let first = first.as_secs().max(1) as i64;
    let factor = 1i64 << attempts.clamp(0, 20);
    first.saturating_mul(factor).min(MAX_PAUSE)
}

/// Runs the queue until the task is dropped.
pub async fn run(outbox: Arc<Outbox>, mut stop: crate::jobs::Stop) {
    loop {
        let next_due = match pass(&outbox).await {
            Ok(next) => next,
            Err(e) => {
                tracing::warn!(error = %e, "mail queue pass failed");
                Some(now_unix() + 5)
            }
        };
        let wait = next_due
            .map(|t| (t - now_unix()).clamp(0, 60) as u64)
            .unwrap_or(60);
        tokio::select! {
            _ = tokio::time::timeout(Duration::from_secs(wait), outbox.wake.notified()) => {}
            _ = stop.stopped() => return,
        }
    }
}

type DueRow = (i64, String, String, String, i64, i64);

/// Claims the next due message (or one a dead process had claimed) for this process: one
/// statement, so of several processes exactly one gets it. The outer condition repeats
/// the inner one: on PostgreSQL, a process that waited for another's claim of the same
/// row re-reads it and finds it no longer due.
async fn claim(db: &Db) -> Result<Option<DueRow>, sqlx::Error> {
    let now = now_unix();
    crate::on_db!(db, |dbc| {
        sqlx::query_as(
        "UPDATE mail_outbox SET state = 'sending', lease_until = $1 WHERE id IN \
         (SELECT id FROM mail_outbox WHERE (state = 'queued' AND next_attempt_at <= $2) \
            OR (state = 'sending' AND lease_until < $3) ORDER BY next_attempt_at LIMIT 1) \
         AND ((state = 'queued' AND next_attempt_at <= $2) OR (state = 'sending' AND lease_until < $3)) \
         RETURNING id, blob, mail_from, recipients, attempts, created_at",
    )
    .bind(now + LEASE_SECONDS)
    .bind(now)
    .bind(now)
    .fetch_optional(dbc)
    .await
    })
}

/// Sends what is due; returns when the next queued message is due.
async fn pass(outbox: &Outbox) -> anyhow::Result<Option<i64>> {
    for _ in 0..BATCH {
        let Some((id, blob, from, recipients, attempts, created_at)) = claim(&outbox.db).await?
        else {
            break;
        };
        let result = attempt(outbox, &blob, &from, &recipients).await;
        let now = now_unix();
        match result {
            Ok(()) => {
                crate::on_db!(&outbox.db, |dbc| {
                    sqlx::query(
                    "UPDATE mail_outbox SET state = 'sent', attempts = attempts + 1, sent_at = $1, last_error = NULL, \
                     lease_until = NULL WHERE id = $2",
                )
                .bind(now)
                .bind(id)
                .execute(dbc).await.map(crate::db::Done::from)
                })?;
                tracing::info!(id, "relay accepted a message");
            }
            Err(failure) => {
                let gave_up = failure.permanent || now - created_at >= GIVE_UP_AFTER;
                tracing::warn!(id, error = %failure.message, gave_up, "relay attempt failed");
                crate::on_db!(&outbox.db, |dbc| {
                    sqlx::query(
                    "UPDATE mail_outbox SET state = $1, attempts = attempts + 1, last_error = $2, next_attempt_at = $3, \
                     lease_until = NULL WHERE id = $4",
                )
                .bind(if gave_up { "failed" } else { "queued" })
                .bind(&failure.message)
                .bind(now + pause(outbox.first_retry, attempts))
                .bind(id)
                .execute(dbc).await.map(crate::db::Done::from)
                })?;
            }
        }
    }
    Ok(crate::on_db!(&outbox.db, |dbc| sqlx::query_scalar(
        "SELECT MIN(CASE state WHEN 'queued' THEN next_attempt_at ELSE lease_until END) \
             FROM mail_outbox WHERE state IN ('queued', 'sending')",
    )
    .fetch_one(dbc)
    .await)?)
}

struct Failure {
    message: String,
    permanent: bool,
}

impl Failure {
    fn temporary(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            permanent: false,
        }
    }
}

/// One SMTP conversation with the relay.
async fn attempt(outbox: &Outbox, blob: &str, from: &str, recipients: &str) -> Result<(), Failure> {
    let Some(url) = &outbox.relay else {
        return Err(Failure::temporary(
            "No outgoing mail server is configured (KSUITE_SMTP_RELAY).",
        ));
    };
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
        .map_err(|e| Failure {
            message: format!("The outgoing mail server setting is not valid: {e}"),
            permanent: false,
        })?
        .timeout(Some(RELAY_TIMEOUT))
        .build();
    let parse = |a: &str| {
        a.parse::<lettre::Address>().map_err(|e| Failure {
            message: format!("{a} is not an address the relay takes: {e}"),
            permanent: true,
        })
    };
    let to = super::store::lines(recipients)
        .iter()
        .map(|a| parse(a))
        .collect::<Result<Vec<_>, _>>()?;
    // An empty return path (automatic replies) is sent as `MAIL FROM:<>`.
    let from = match from {
        "" => None,
        a => Some(parse(a)?),
    };
    let envelope = Envelope::new(from, to).map_err(|e| Failure {
        message: e.to_string(),
        permanent: true,
    })?;
    let raw = blobs::read(&outbox.blobs, blob)
        .await
        .map_err(|e| Failure::temporary(format!("The stored message cannot be read: {e}")))?;
    let raw = super::dkim::sign(&outbox.db, &outbox.mail_domain, raw).await;
    transport
        .send_raw(&envelope, &raw)
        .await
        .map(|_| ())
        .map_err(|e| Failure {
            permanent: e.is_permanent(),
            message: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_double_up_to_an_hour() {
        let first = Duration::from_secs(60);
        assert_eq!(pause(first, 0), 60);
        assert_eq!(pause(first, 1), 120);
        assert_eq!(pause(first, 3), 480);
        assert_eq!(pause(first, 10), MAX_PAUSE);
        assert_eq!(pause(first, 500), MAX_PAUSE);
    }
}
