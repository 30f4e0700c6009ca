//! Calendar and event queries. Access is resolved once per request by [`access`]; a
//! calendar the user may not see answers like a missing one.

use ksuite_common::{CalendarAccess, CalendarInfo, CalendarShare};
use sha2::{Digest, Sha256};

use super::expand;
use super::ical::EventObject;
use crate::db::Db;
use crate::error::ApiError;
use crate::now_unix;

pub const DEFAULT_COLOR: &str = "#2454d6";

pub async fn create_calendar(
    db: &mut sqlx::SqliteConnection,
    owner_id: i64,
    name: &str,
    color: &str,
    is_default: bool,
) -> Result<i64, ApiError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO calendars (owner_id, name, color, is_default, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(owner_id)
    .bind(name)
    .bind(color)
    .bind(is_default)
    .bind(now_unix())
    .fetch_one(&mut *db)
    .await?;
    // Its DAV path segment is its id (clients' MKCALENDAR names are never all digits).
    sqlx::query("UPDATE calendars SET dav_name = CAST(id AS TEXT) WHERE id = ?")
        .bind(id)
        .execute(db)
        .await?;
    Ok(id)
}

/// The user's calendars and those shared with them.
pub async fn list_calendars(db: &Db, user_id: i64) -> Result<Vec<CalendarInfo>, ApiError> {
    type Row = (
        i64,
        String,
        String,
        bool,
        bool,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT c.id, c.name, c.color, c.is_default, c.visible, NULL, NULL FROM calendars c WHERE c.owner_id = ? \
         UNION ALL \
         SELECT c.id, c.name, c.color, FALSE, s.visible, s.access, u.email FROM calendar_shares s \
         JOIN calendars c ON c.id = s.calendar_id JOIN users u ON u.id = c.owner_id WHERE s.user_id = ? \
         ORDER BY 4 DESC, 1",
    )
    .bind(user_id)
    .bind(user_id)
    .fetch_all(db)
    .await?;
    let mut defaults = crate::reminders::store::all_defaults(db, user_id).await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, name, color, is_default, visible, access, owner_email)| {
                let (default_reminders, default_all_day_reminders) =
                    defaults.remove(&id).unwrap_or_default();
                CalendarInfo {
                    id,
                    name,
                    color,
                    is_default,
                    visible,
                    access: access
                        .as_deref()
                        .map_or(CalendarAccess::Owner, parse_access),
                    owner_email,
                    default_reminders,
                    default_all_day_reminders,
                }
            },
        )
        .collect())
}

fn parse_access(s: &str) -> CalendarAccess {
    if s == "read_write" {
        CalendarAccess::ReadWrite
    } else {
        CalendarAccess::Read
    }
}

pub fn access_code(a: CalendarAccess) -> &'static str {
    match a {
        CalendarAccess::ReadWrite => "read_write",
        _ => "read",
    }
}

/// What `user_id` may do with `calendar_id`; 404 when nothing.
pub async fn access(db: &Db, user_id: i64, calendar_id: i64) -> Result<CalendarAccess, ApiError> {
    let row: Option<(i64, Option<String>)> = sqlx::query_as(
        "SELECT c.owner_id, s.access FROM calendars c \
         LEFT JOIN calendar_shares s ON s.calendar_id = c.id AND s.user_id = ? WHERE c.id = ?",
    )
    .bind(user_id)
    .bind(calendar_id)
    .fetch_optional(db)
    .await?;
    match row {
        Some((owner, _)) if owner == user_id => Ok(CalendarAccess::Owner),
        Some((_, Some(a))) => Ok(parse_access(&a)),
        _ => Err(ApiError::not_found()),
    }
}

pub async fn update_calendar(
    db: &Db,
    id: i64,
    name: Option<&str>,
    color: Option<&str>,
) -> Result<(), ApiError> {
    sqlx::query("UPDATE calendars SET name = COALESCE(?, name), color = COALESCE(?, color), ctag = ctag + 1 WHERE id = ?")
        .bind(name)
        .bind(color)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// Show/hide is each user's own choice.
pub async fn set_visible(
    db: &Db,
    user_id: i64,
    id: i64,
    owner: bool,
    visible: bool,
) -> Result<(), ApiError> {
    let sql = if owner {
        "UPDATE calendars SET visible = ? WHERE id = ? AND owner_id = ?"
    } else {
        "UPDATE calendar_shares SET visible = ? WHERE calendar_id = ? AND user_id = ?"
    };
    sqlx::query(sql)
        .bind(visible)
        .bind(id)
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn delete_calendar(db: &Db, id: i64) -> Result<(), ApiError> {
    sqlx::query("DELETE FROM calendars WHERE id = ?")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

pub async fn is_default(db: &Db, id: i64) -> Result<bool, ApiError> {
    Ok(
        sqlx::query_scalar("SELECT is_default FROM calendars WHERE id = ?")
            .bind(id)
            .fetch_one(db)
            .await?,
    )
}

pub async fn calendar_name(db: &Db, id: i64) -> Result<String, ApiError> {
    Ok(
        sqlx::query_scalar("SELECT name FROM calendars WHERE id = ?")
            .bind(id)
            .fetch_one(db)
            .await?,
    )
}

/// A stored event object.
#[derive(sqlx::FromRow)]
pub struct EventRow {
    pub calendar_id: i64,
    pub uid: String,
    pub ics: String,
    pub etag: String,
}

/// Strong entity tag of an object's source.
pub fn etag_of(ics: &str) -> String {
    let digest = Sha256::digest(ics.as_bytes());
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

pub async fn get_event(db: &Db, calendar_id: i64, uid: &str) -> Result<EventRow, ApiError> {
    Ok(sqlx::query_as(
        "SELECT calendar_id, uid, ics, etag FROM events WHERE calendar_id = ? AND uid = ?",
    )
    .bind(calendar_id)
    .bind(uid)
    .fetch_one(db)
    .await?)
}

/// Index columns derived from an object.
pub struct EventIndex {
    pub start_utc: i64,
    pub end_utc: Option<i64>,
    pub recurring: bool,
    /// `VEVENT` or `VTODO`.
    pub component: &'static str,
}

/// Longest title or place of an event (every occurrence in every answer repeats them).
pub const MAX_SUMMARY_BYTES: usize = 4 * 1024;
/// Longest description of an event.
pub const MAX_DESCRIPTION_BYTES: usize = 64 * 1024;

/// Refuses texts that would make each occurrence heavy in every answer.
fn check_sizes(obj: &EventObject) -> Result<(), String> {
    for e in obj.master.iter().chain(&obj.overrides) {
        if e.summary.len() > MAX_SUMMARY_BYTES {
            return Err(format!(
                "the title is longer than {MAX_SUMMARY_BYTES} bytes"
            ));
        }
        if e.location
            .as_ref()
            .is_some_and(|l| l.len() > MAX_SUMMARY_BYTES)
        {
            return Err(format!(
                "the location is longer than {MAX_SUMMARY_BYTES} bytes"
            ));
        }
        if e.description
            .as_ref()
            .is_some_and(|d| d.len() > MAX_DESCRIPTION_BYTES)
        {
            return Err(format!(
                "the description is longer than {MAX_DESCRIPTION_BYTES} bytes"
            ));
        }
    }
    Ok(())
}

impl EventIndex {
    /// Derives the index of `obj`; floating times are read in `zone`.
    pub fn of(obj: &EventObject, zone: chrono_tz::Tz) -> Result<EventIndex, ApiError> {
        check_sizes(obj).map_err(ApiError::validation)?;
        let recurring = obj
            .master
            .as_ref()
            .is_some_and(|m| m.rrule.is_some() || !m.rdates.is_empty());
        if obj.master.as_ref().is_some_and(|m| m.undated) {
            // An undated to-do matches every time range.
            return Ok(EventIndex {
                start_utc: i64::MIN,
                end_utc: None,
                recurring,
                component: obj.component,
            });
        }
        let (first, last) = expand::bounds(obj, zone).map_err(ApiError::validation)?;
        Ok(EventIndex {
            start_utc: first.timestamp(),
            end_utc: last.map(|l| l.timestamp()),
            recurring,
            component: obj.component,
        })
    }
}

/// Bumps the calendar's ctag and returns it: the change sequence number of this write.
async fn next_seq(tx: &mut sqlx::SqliteConnection, calendar_id: i64) -> Result<i64, ApiError> {
    Ok(
        sqlx::query_scalar("UPDATE calendars SET ctag = ctag + 1 WHERE id = ? RETURNING ctag")
            .bind(calendar_id)
            .fetch_one(tx)
            .await?,
    )
}

/// Inserts a new object under the resource name `href`; `Ok(None)` if the UID or the
/// name exists in the calendar.
pub async fn insert_event(
    db: &Db,
    calendar_id: i64,
    uid: &str,
    href: &str,
    ics: &str,
    idx: &EventIndex,
) -> Result<Option<String>, ApiError> {
    let mut tx = crate::db::begin_write(db).await?;
    let etag = insert_event_in(&mut tx, calendar_id, uid, href, ics, idx).await?;
    tx.commit().await?;
    Ok(etag)
}

/// [`insert_event`] inside the caller's transaction (imports write many per commit).
pub async fn insert_event_in(
    tx: &mut sqlx::SqliteConnection,
    calendar_id: i64,
    uid: &str,
    href: &str,
    ics: &str,
    idx: &EventIndex,
) -> Result<Option<String>, ApiError> {
    let etag = etag_of(ics);
    let seq = next_seq(&mut *tx, calendar_id).await?;
    let result = sqlx::query_scalar::<_, i64>(
        "INSERT INTO events (calendar_id, uid, href, component, ics, etag, start_utc, end_utc, recurring, last_modified, modseq) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(calendar_id)
    .bind(uid)
    .bind(href)
    .bind(idx.component)
    .bind(ics)
    .bind(&etag)
    .bind(idx.start_utc)
    .bind(idx.end_utc)
    .bind(idx.recurring)
    .bind(now_unix())
    .bind(seq)
    .fetch_one(&mut *tx)
    .await;
    let event_id = match result {
        Ok(id) => id,
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    crate::reminders::store::reschedule(&mut *tx, event_id).await?;
    sqlx::query("DELETE FROM event_tombstones WHERE calendar_id = ? AND href = ?")
        .bind(calendar_id)
        .bind(href)
        .execute(&mut *tx)
        .await?;
    Ok(Some(etag))
}

/// Events (and to-dos) in all calendars of the owner of `calendar_id`: what counts
/// against their quota, whoever writes into the calendar.
pub async fn owner_event_count(db: &Db, calendar_id: i64) -> Result<i64, ApiError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM events WHERE calendar_id IN \
         (SELECT id FROM calendars WHERE owner_id = (SELECT owner_id FROM calendars WHERE id = ?))",
    )
    .bind(calendar_id)
    .fetch_one(db)
    .await?)
}

/// Replaces an object if its current ETag is `if_match`; `Ok(None)` on a mismatch.
pub async fn replace_event(
    db: &Db,
    calendar_id: i64,
    uid: &str,
    if_match: &str,
    ics: &str,
    idx: &EventIndex,
) -> Result<Option<String>, ApiError> {
    let etag = etag_of(ics);
    let mut tx = db.begin().await?;
    let seq = next_seq(&mut tx, calendar_id).await?;
    let updated: Option<i64> = sqlx::query_scalar(
        "UPDATE events SET ics = ?, etag = ?, start_utc = ?, end_utc = ?, recurring = ?, component = ?, \
         last_modified = ?, modseq = ? WHERE calendar_id = ? AND uid = ? AND etag = ? RETURNING id",
    )
    .bind(ics)
    .bind(&etag)
    .bind(idx.start_utc)
    .bind(idx.end_utc)
    .bind(idx.recurring)
    .bind(idx.component)
    .bind(now_unix())
    .bind(seq)
    .bind(calendar_id)
    .bind(uid)
    .bind(if_match)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(event_id) = updated else {
        return Ok(None);
    };
    crate::reminders::store::reschedule(&mut tx, event_id).await?;
    tx.commit().await?;
    Ok(Some(etag))
}

/// Deletes an object if its ETag matches (or unconditionally with `None`), leaving a
/// tombstone for incremental sync.
pub async fn delete_event(
    db: &Db,
    calendar_id: i64,
    uid: &str,
    if_match: Option<&str>,
) -> Result<bool, ApiError> {
    let mut tx = db.begin().await?;
    let seq = next_seq(&mut tx, calendar_id).await?;
    let href: Option<String> = sqlx::query_scalar(
        "DELETE FROM events WHERE calendar_id = ? AND uid = ? AND (? IS NULL OR etag = ?) RETURNING href",
    )
    .bind(calendar_id)
    .bind(uid)
    .bind(if_match)
    .bind(if_match)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(href) = href else {
        return Ok(false);
    };
    sqlx::query(
        "INSERT INTO event_tombstones (calendar_id, href, modseq) VALUES (?, ?, ?) \
         ON CONFLICT (calendar_id, href) DO UPDATE SET modseq = excluded.modseq",
    )
    .bind(calendar_id)
    .bind(href)
    .bind(seq)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Objects of the given calendars that may have occurrences in `[from, to)`.
pub async fn events_in_range(
    db: &Db,
    calendar_ids: &[i64],
    from: i64,
    to: i64,
) -> Result<Vec<EventRow>, ApiError> {
    let mut rows = Vec::new();
    for id in calendar_ids {
        let mut part: Vec<EventRow> = sqlx::query_as(
            "SELECT calendar_id, uid, ics, etag FROM events \
             WHERE calendar_id = ? AND component = 'VEVENT' AND start_utc < ? AND (end_utc IS NULL OR end_utc >= ?)",
        )
        .bind(id)
        .bind(to)
        .bind(from)
        .fetch_all(db)
        .await?;
        rows.append(&mut part);
    }
    Ok(rows)
}

pub async fn all_events(db: &Db, calendar_id: i64) -> Result<Vec<String>, ApiError> {
    Ok(
        sqlx::query_scalar("SELECT ics FROM events WHERE calendar_id = ? ORDER BY start_utc, uid")
            .bind(calendar_id)
            .fetch_all(db)
            .await?,
    )
}

pub async fn shares(db: &Db, calendar_id: i64) -> Result<Vec<CalendarShare>, ApiError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT u.email, s.access FROM calendar_shares s JOIN users u ON u.id = s.user_id WHERE s.calendar_id = ? ORDER BY u.email",
    )
    .bind(calendar_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(email, a)| CalendarShare {
            email,
            access: parse_access(&a),
        })
        .collect())
}

pub async fn upsert_share(
    db: &Db,
    calendar_id: i64,
    user_id: i64,
    access: CalendarAccess,
) -> Result<(), ApiError> {
    sqlx::query(
        "INSERT INTO calendar_shares (calendar_id, user_id, access) VALUES (?, ?, ?) \
         ON CONFLICT (calendar_id, user_id) DO UPDATE SET access = excluded.access",
    )
    .bind(calendar_id)
    .bind(user_id)
    .bind(access_code(access))
    .execute(db)
    .await?;
    // Own reminders the user kept from an earlier share count again.
    sqlx::query(
        "UPDATE reminder_schedule SET next_due = 0, version = version + 1 WHERE event_id IN \
         (SELECT o.event_id FROM reminder_overlays o JOIN events e ON e.id = o.event_id \
          WHERE e.calendar_id = ? AND o.user_id = ?)",
    )
    .bind(calendar_id)
    .bind(user_id)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn remove_share(db: &Db, calendar_id: i64, user_id: i64) -> Result<(), ApiError> {
    sqlx::query("DELETE FROM calendar_shares WHERE calendar_id = ? AND user_id = ?")
        .bind(calendar_id)
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}
