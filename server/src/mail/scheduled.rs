//! Send later and undo send: a message kept as a draft until its time, then sent by the
//! scheduled-send job exactly as if the user pressed Send. Sending deletes the schedule row
//! in the transaction that files the message ([`take`]), so each goes once, across
//! restarts, crashes and a cancel racing the send.

use std::time::Duration;

use ksuite_common::{Field, OutgoingMessage, Problem, Rule, ScheduledSend, ScheduledState};

use crate::error::{ApiError, ApiResult};
use crate::jobs::Stop;
use crate::state::AppState;

/// Messages waiting per user: scheduling is cheap, so it is bounded.
pub const MAX_WAITING_PER_USER: i64 = 500;
/// The farthest ahead a message can be scheduled.
pub const MAX_AHEAD_SECS: i64 = 366 * 86_400;
/// Scheduled messages sent per pass.
const BATCH: i64 = 20;
/// Tries after a failure on our side (database busy, disk) before it is marked failed.
const MAX_ATTEMPTS: i64 = 5;

/// Adds the schedule of a just-stored draft (`msg.draft_id`), within its transaction.
pub async fn insert(
    tx: &mut crate::db::Conn,
    user_id: i64,
    msg: &OutgoingMessage,
    send_at: i64,
) -> ApiResult<()> {
    let waiting: i64 = crate::on_db!(&mut *tx, |dbc| sqlx::query_scalar(
        "SELECT COUNT(*) FROM mail_scheduled WHERE user_id = $1"
    )
    .bind(user_id)
    .fetch_one(dbc)
    .await)?;
    if waiting >= MAX_WAITING_PER_USER {
        return Err(ApiError::invalid(
            Problem::too_many(Field::SendAt, MAX_WAITING_PER_USER as usize),
            format!(
                "At most {MAX_WAITING_PER_USER} messages can wait to be sent: send or cancel some first."
            ),
        ));
    }
    let json = serde_json::to_string(msg).map_err(ApiError::internal)?;
    crate::on_db!(&mut *tx, |dbc| sqlx::query(
        "INSERT INTO mail_scheduled (user_id, draft_id, message, send_at, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(user_id)
    .bind(msg.draft_id)
    .bind(json)
    .bind(send_at)
    .bind(crate::now_unix())
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    Ok(())
}

/// Removes the schedule as its message is sent; false when it was already gone.
pub async fn take(tx: &mut crate::db::Conn, id: i64) -> ApiResult<bool> {
    let gone = crate::on_db!(&mut *tx, |dbc| sqlx::query(
        "DELETE FROM mail_scheduled WHERE id = $1"
    )
    .bind(id)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    Ok(gone.rows_affected() == 1)
}

/// The time a user asked for, checked: a past time means now.
pub fn checked_time(now: i64, send_at: Option<i64>, undo_seconds: i64) -> ApiResult<i64> {
    let at = send_at.unwrap_or(now + undo_seconds).max(now);
    if at > now + MAX_AHEAD_SECS {
        return Err(ApiError::invalid(
            Problem::new(Field::SendAt, Rule::OutOfRange),
            "A message can be scheduled at most a year ahead.",
        ));
    }
    Ok(at)
}

/// The user's undo window after Send, in seconds.
pub async fn undo_seconds(state: &AppState, user_id: i64) -> ApiResult<i64> {
    Ok(crate::on_db!(&state.db, |dbc| sqlx::query_scalar(
        "SELECT undo_send_seconds FROM users WHERE id = $1"
    )
    .bind(user_id)
    .fetch_one(dbc)
    .await)?)
}

type Row = (i64, i64, String, i64, String, Option<String>);

fn summary((id, draft_id, json, send_at, state, last_error): Row) -> Option<ScheduledSend> {
    let msg: OutgoingMessage = serde_json::from_str(&json).ok()?;
    Some(ScheduledSend {
        id,
        draft_id,
        from: msg.from,
        to: msg.to.into_iter().chain(msg.cc).chain(msg.bcc).collect(),
        subject: msg.subject,
        send_at,
        state: ScheduledState::from_code(&state)?,
        last_error,
    })
}

/// Where a scheduled message's draft must still be for it to go: in a Drafts folder, not
/// deleted (moving it to Trash cancels the send).
const DRAFT_IN_PLACE: &str = "EXISTS (SELECT 1 FROM messages x JOIN mailboxes m ON m.id = x.mailbox_id \
     WHERE x.id = s.draft_id AND x.deleted_at IS NULL AND m.role = 'drafts')";

/// The user's messages waiting to be sent, soonest first.
pub async fn list(state: &AppState, user_id: i64) -> ApiResult<Vec<ScheduledSend>> {
    let rows: Vec<Row> = crate::on_db!(&state.db, |dbc| {
        sqlx::query_as(&format!(
        "SELECT s.id, s.draft_id, s.message, s.send_at, s.state, s.last_error FROM mail_scheduled s \
         WHERE s.user_id = $1 AND {DRAFT_IN_PLACE} ORDER BY s.send_at, s.id"
    ))
    .bind(user_id)
    .fetch_all(dbc).await
    })?;
    Ok(rows.into_iter().filter_map(summary).collect())
}

/// Cancels one of the user's scheduled messages; its draft stays. `None`: no such
/// schedule of theirs (or it was sent already).
pub async fn cancel(state: &AppState, user_id: i64, id: i64) -> ApiResult<Option<i64>> {
    let mut tx = crate::db::begin_write(&state.db).await?;
    let draft: Option<i64> = crate::on_db!(&mut tx, |dbc| sqlx::query_scalar(
        "DELETE FROM mail_scheduled WHERE id = $1 AND user_id = $2 RETURNING draft_id",
    )
    .bind(id)
    .bind(user_id)
    .fetch_optional(dbc)
    .await)?;
    tx.commit().await?;
    Ok(draft)
}

/// Moves one of the user's scheduled messages to a new time (a failed one waits again).
pub async fn reschedule(
    state: &AppState,
    user_id: i64,
    id: i64,
    send_at: i64,
) -> ApiResult<Option<ScheduledSend>> {
    let row: Option<Row> = crate::on_db!(&state.db, |dbc| {
        sqlx::query_as(
        "UPDATE mail_scheduled SET send_at = $1, state = 'waiting', last_error = NULL, attempts = 0 \
         WHERE id = $2 AND user_id = $3 \
         RETURNING id, draft_id, message, send_at, state, last_error",
    )
    .bind(send_at)
    .bind(id)
    .bind(user_id)
    .fetch_optional(dbc).await
    })?;
    state.scheduled_wake.notify_one();
    Ok(row.and_then(summary))
}

/// Sends scheduled messages as their time comes, until the server stops.
pub async fn run(state: AppState, poll: Duration, mut stop: Stop) {
    loop {
        // Send until nothing more is due right now.
        loop {
            match pass(&state).await {
                Ok(handled) if handled >= BATCH => continue,
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!(error = %e.message, "scheduled sending failed");
                    break;
                }
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(poll) => {}
            _ = state.scheduled_wake.notified() => {}
            _ = stop.stopped() => return,
        }
    }
}

/// Sends what is due; returns how many schedules it handled.
async fn pass(state: &AppState) -> ApiResult<i64> {
    let now = state.clock.now_unix();
    // A draft deleted, or moved out of Drafts, is no longer to be sent.
    crate::on_db!(&state.db, |dbc| {
        sqlx::query(&format!(
        "DELETE FROM mail_scheduled AS s WHERE s.state = 'waiting' AND s.send_at <= $1 AND NOT {DRAFT_IN_PLACE}"
    ))
    .bind(now)
    .execute(dbc).await.map(crate::db::Done::from)
    })?;
    let due: Vec<(i64, i64, String, i64)> = crate::on_db!(&state.db, |dbc| sqlx::query_as(
        "SELECT id, user_id, message, attempts FROM mail_scheduled \
         WHERE state = 'waiting' AND send_at <= $1 ORDER BY send_at, id LIMIT $2",
    )
    .bind(now)
    .bind(BATCH)
    .fetch_all(dbc)
    .await)?;
    let handled = due.len() as i64;
    for (id, user_id, json, attempts) in due {
        let result = match serde_json::from_str::<OutgoingMessage>(&json) {
            Ok(msg) => super::sending::send_scheduled(state, user_id, &msg, id).await,
            Err(e) => Err(ApiError::invalid(
                Problem::new(Field::Message, Rule::Invalid),
                format!("The stored message cannot be read: {e}"),
            )),
        };
        match result {
            Ok(Some(sent)) => tracing::info!(id, message = sent.id, "scheduled message sent"),
            Ok(None) => tracing::info!(id, "scheduled message cancelled before sending"),
            // Refused as it would be at Send (no longer allowed, recipient unknown): the
            // sender sees why and can change the time to try again.
            Err(e) if e.status.is_client_error() || attempts + 1 >= MAX_ATTEMPTS => {
                tracing::warn!(id, error = %e.message, "scheduled message not sent");
                mark(state, id, "failed", &e.message, now).await?;
            }
            Err(e) => {
                tracing::warn!(id, error = %e.message, "scheduled message will be tried again");
                mark(state, id, "waiting", &e.message, now + 60 * (attempts + 1)).await?;
            }
        }
    }
    Ok(handled)
}

async fn mark(state: &AppState, id: i64, to: &str, error: &str, send_at: i64) -> ApiResult<()> {
    crate::on_db!(&state.db, |dbc| {
        sqlx::query(
        "UPDATE mail_scheduled SET state = $1, last_error = $2, attempts = attempts + 1, send_at = $3 \
         WHERE id = $4",
    )
    .bind(to)
    .bind(error)
    .bind(send_at)
    .bind(id)
    .execute(dbc).await.map(crate::db::Done::from)
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_checked() {
        assert_eq!(checked_time(1000, None, 10).ok(), Some(1010));
        assert_eq!(checked_time(1000, None, 0).ok(), Some(1000));
        assert_eq!(checked_time(1000, Some(500), 10).ok(), Some(1000));
        assert_eq!(checked_time(1000, Some(5000), 10).ok(), Some(5000));
        assert!(checked_time(1000, Some(1000 + MAX_AHEAD_SECS + 1), 10).is_err());
    }
}
