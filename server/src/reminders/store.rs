//! Stored reminder settings: per-user reminders on shared calendars (the overlay),
//! calendar defaults, and the scheduler's "look at this event again" mark.

use ksuite_common::{
    Field, MAX_REMINDER_AFTER_MINUTES, MAX_REMINDER_BEFORE_MINUTES, MAX_REMINDERS_PER_EVENT,
    Problem, Reminder, ReminderChannel, Rule,
};

use crate::db::Db;
use crate::error::ApiError;

/// Checks reminders a user sets: bounded times and count, and webhooks that are theirs.
/// Duplicates are dropped.
pub async fn validate(db: &Db, user_id: i64, list: &[Reminder]) -> Result<Vec<Reminder>, ApiError> {
    if list.len() > MAX_REMINDERS_PER_EVENT {
        return Err(ApiError::invalid(
            Problem::too_many(Field::Reminders, MAX_REMINDERS_PER_EVENT),
            format!("An event may have at most {MAX_REMINDERS_PER_EVENT} reminders."),
        ));
    }
    let mut out: Vec<Reminder> = Vec::with_capacity(list.len());
    for r in list {
        if !(-MAX_REMINDER_AFTER_MINUTES..=MAX_REMINDER_BEFORE_MINUTES).contains(&r.before_minutes)
        {
            return Err(ApiError::invalid(
                Problem::new(Field::Reminders, Rule::OutOfRange),
                "A reminder may come at most four weeks before the event, or one day after its start.",
            ));
        }
        let mut r = r.clone();
        match r.channel {
            ReminderChannel::Webhook => {
                let id = r.webhook_id.ok_or_else(|| {
                    ApiError::invalid(
                        Problem::new(Field::Webhook, Rule::Required),
                        "A webhook reminder needs one of your webhooks.",
                    )
                })?;
                let mine: Option<i64> = crate::on_db!(db, |dbc| sqlx::query_scalar(
                    "SELECT id FROM webhooks WHERE id = $1 AND user_id = $2"
                )
                .bind(id)
                .bind(user_id)
                .fetch_optional(dbc)
                .await)?;
                if mine.is_none() {
                    return Err(ApiError::invalid(
                        Problem::new(Field::Webhook, Rule::NotFound),
                        "That webhook does not exist (anymore); choose one in Settings → Integrations.",
                    ));
                }
            }
            _ => r.webhook_id = None,
        }
        if !out.contains(&r) {
            out.push(r);
        }
    }
    Ok(out)
}

pub fn to_json(list: &[Reminder]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
}

/// Reads a stored list; an unreadable one counts as none (it is only ever written by us).
pub fn from_json(text: &str) -> Vec<Reminder> {
    serde_json::from_str(text).unwrap_or_default()
}

/// The id of an event row.
pub async fn event_id(db: &Db, calendar_id: i64, uid: &str) -> Result<Option<i64>, ApiError> {
    Ok(crate::on_db!(db, |dbc| sqlx::query_scalar(
        "SELECT id FROM events WHERE calendar_id = $1 AND uid = $2"
    )
    .bind(calendar_id)
    .bind(uid)
    .fetch_optional(dbc)
    .await)?)
}

/// A user's own reminders on an event of a calendar shared with them.
pub async fn overlay(db: &Db, user_id: i64, event_id: i64) -> Result<Vec<Reminder>, ApiError> {
    let text: Option<String> = crate::on_db!(db, |dbc| sqlx::query_scalar(
        "SELECT reminders FROM reminder_overlays WHERE user_id = $1 AND event_id = $2",
    )
    .bind(user_id)
    .bind(event_id)
    .fetch_optional(dbc)
    .await)?;
    Ok(text.as_deref().map(from_json).unwrap_or_default())
}

/// Sets a user's own reminders on an event and has the scheduler look at it again.
pub async fn set_overlay(
    db: &Db,
    user_id: i64,
    event_id: i64,
    list: &[Reminder],
) -> Result<(), ApiError> {
    let mut tx = crate::db::begin_write(db).await?;
    if list.is_empty() {
        crate::on_db!(&mut tx, |dbc| sqlx::query(
            "DELETE FROM reminder_overlays WHERE user_id = $1 AND event_id = $2"
        )
        .bind(user_id)
        .bind(event_id)
        .execute(dbc)
        .await
        .map(crate::db::Done::from))?;
    } else {
        crate::on_db!(&mut tx, |dbc| sqlx::query(
            "INSERT INTO reminder_overlays (user_id, event_id, reminders) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id, event_id) DO UPDATE SET reminders = excluded.reminders",
        )
        .bind(user_id)
        .bind(event_id)
        .bind(to_json(list))
        .execute(dbc)
        .await
        .map(crate::db::Done::from))?;
    }
    reschedule(&mut tx, event_id).await?;
    tx.commit().await?;
    Ok(())
}

/// Marks an event for the scheduler to look at now (its alarms or who sees them changed).
/// Runs in the transaction of the change, so a change is never left unscheduled.
pub async fn reschedule(tx: &mut crate::db::Conn, event_id: i64) -> Result<(), ApiError> {
    crate::on_db!(tx, |dbc| {
        sqlx::query(
        "INSERT INTO reminder_schedule (event_id, next_due, checked_through) VALUES ($1, 0, NULL) \
         ON CONFLICT (event_id) DO UPDATE SET next_due = 0, version = reminder_schedule.version + 1",
    )
    .bind(event_id)
    .execute(dbc)
    .await
    .map(crate::db::Done::from)
    })?;
    Ok(())
}

/// Has the scheduler look again at every event whose reminders reach `user_id` (their
/// time zone changed).
pub async fn reschedule_user(db: &Db, user_id: i64) -> Result<(), ApiError> {
    crate::on_db!(db, |dbc| sqlx::query(
        "UPDATE reminder_schedule SET next_due = 0, version = version + 1 WHERE event_id IN \
         (SELECT e.id FROM events e JOIN calendars c ON c.id = e.calendar_id WHERE c.owner_id = $1 \
          UNION SELECT event_id FROM reminder_overlays WHERE user_id = $2)",
    )
    .bind(user_id)
    .bind(user_id)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    Ok(())
}

/// A calendar was shared (again) with `user_id`: the reminders they kept on its events
/// from an earlier share count again.
pub async fn share_granted(db: &Db, calendar_id: i64, user_id: i64) -> Result<(), ApiError> {
    crate::on_db!(db, |dbc| sqlx::query(
        "UPDATE reminder_schedule SET next_due = 0, version = version + 1 WHERE event_id IN \
         (SELECT o.event_id FROM reminder_overlays o JOIN events e ON e.id = o.event_id \
          WHERE e.calendar_id = $1 AND o.user_id = $2)",
    )
    .bind(calendar_id)
    .bind(user_id)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    Ok(())
}

/// A user's default reminders for new events of a calendar: (timed, all-day).
pub async fn defaults(
    db: &Db,
    user_id: i64,
    calendar_id: i64,
) -> Result<(Vec<Reminder>, Vec<Reminder>), ApiError> {
    let row: Option<(String, String)> = crate::on_db!(db, |dbc| {
        sqlx::query_as(
        "SELECT timed, all_day FROM calendar_reminder_defaults WHERE user_id = $1 AND calendar_id = $2",
    )
    .bind(user_id)
    .bind(calendar_id)
    .fetch_optional(dbc).await
    })?;
    Ok(row
        .map(|(t, a)| (from_json(&t), from_json(&a)))
        .unwrap_or_default())
}

/// Every default of a user, by calendar (for the calendar list).
pub async fn all_defaults(
    db: &Db,
    user_id: i64,
) -> Result<std::collections::HashMap<i64, (Vec<Reminder>, Vec<Reminder>)>, ApiError> {
    let rows: Vec<(i64, String, String)> = crate::on_db!(db, |dbc| sqlx::query_as(
        "SELECT calendar_id, timed, all_day FROM calendar_reminder_defaults WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_all(dbc)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(id, t, a)| (id, (from_json(&t), from_json(&a))))
        .collect())
}

pub async fn set_defaults(
    db: &Db,
    user_id: i64,
    calendar_id: i64,
    timed: Option<&[Reminder]>,
    all_day: Option<&[Reminder]>,
) -> Result<(), ApiError> {
    let (old_timed, old_all_day) = defaults(db, user_id, calendar_id).await?;
    crate::on_db!(db, |dbc| {
        sqlx::query(
        "INSERT INTO calendar_reminder_defaults (user_id, calendar_id, timed, all_day) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id, calendar_id) DO UPDATE SET timed = excluded.timed, all_day = excluded.all_day",
    )
    .bind(user_id)
    .bind(calendar_id)
    .bind(to_json(timed.unwrap_or(&old_timed)))
    .bind(to_json(all_day.unwrap_or(&old_all_day)))
    .execute(dbc).await.map(crate::db::Done::from)
    })?;
    Ok(())
}
