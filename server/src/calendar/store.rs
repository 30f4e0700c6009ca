//! Calendar and event queries. Writes take the caller's [`Grant`], and each repeats its
//! access check in the statement that starts the write ([`changes::next_seq`]).

use ksuite_common::{CalendarAccess, CalendarInfo, Field, Problem, Rule};
use sha2::{Digest, Sha256};

use super::expand;
use super::ical::EventObject;
use crate::collections::{Grant, Kind, access, changes};
use crate::db::Db;
use crate::error::ApiError;
use crate::now_unix;

pub const DEFAULT_COLOR: &str = "#2454d6";

pub async fn create_calendar(
    db: &mut crate::db::Conn,
    owner_id: i64,
    name: &str,
    color: &str,
    is_default: bool,
) -> Result<i64, ApiError> {
    let id: i64 = crate::on_db!(&mut *db, |dbc| {
        sqlx::query_scalar(
        "INSERT INTO calendars (owner_id, name, color, is_default, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(owner_id)
    .bind(name)
    .bind(color)
    .bind(is_default)
    .bind(now_unix())
    .fetch_one(dbc).await
    })?;
    // Its DAV path segment is its id (clients' MKCALENDAR names are never all digits).
    crate::on_db!(db, |dbc| sqlx::query(
        "UPDATE calendars SET dav_name = CAST(id AS TEXT) WHERE id = $1"
    )
    .bind(id)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
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
    let rows: Vec<Row> = crate::on_db!(db, |dbc| {
        sqlx::query_as(
        "SELECT c.id, c.name, c.color, c.is_default, c.visible, NULL, NULL FROM calendars c WHERE c.owner_id = $1 \
         UNION ALL \
         SELECT c.id, c.name, c.color, FALSE, s.visible, s.access, u.email FROM calendar_shares s \
         JOIN calendars c ON c.id = s.calendar_id JOIN users u ON u.id = c.owner_id WHERE s.user_id = $2 \
         ORDER BY 4 DESC, 1",
    )
    .bind(user_id)
    .bind(user_id)
    .fetch_all(dbc).await
    })?;
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
                        .map_or(CalendarAccess::Owner, access::parse_access),
                    owner_email,
                    default_reminders,
                    default_all_day_reminders,
                }
            },
        )
        .collect())
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
        "UPDATE calendars SET visible = $1 WHERE id = $2 AND owner_id = $3"
    } else {
        "UPDATE calendar_shares SET visible = $1 WHERE calendar_id = $2 AND user_id = $3"
    };
    crate::on_db!(db, |dbc| sqlx::query(sql)
        .bind(visible)
        .bind(id)
        .bind(user_id)
        .execute(dbc)
        .await
        .map(crate::db::Done::from))?;
    Ok(())
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
    let hex = crate::hex(&digest[..16]);
    format!("\"{hex}\"")
}

pub async fn get_event(db: &Db, calendar_id: i64, uid: &str) -> Result<EventRow, ApiError> {
    Ok(crate::on_db!(db, |dbc| sqlx::query_as(
        "SELECT calendar_id, uid, ics, etag FROM events WHERE calendar_id = $1 AND uid = $2",
    )
    .bind(calendar_id)
    .bind(uid)
    .fetch_one(dbc)
    .await)?)
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
        check_sizes(obj)
            .map_err(|e| ApiError::invalid(Problem::new(Field::Event, Rule::TooBig), e))?;
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
        let (first, last) = expand::bounds(obj, zone)
            .map_err(|e| ApiError::invalid(Problem::new(Field::Repetition, Rule::Invalid), e))?;
        Ok(EventIndex {
            start_utc: first.timestamp(),
            end_utc: last.map(|l| l.timestamp()),
            recurring,
            component: obj.component,
        })
    }
}

/// Inserts a new object under the resource name `href`; `Ok(None)` if the UID or the
/// name exists in the calendar.
pub async fn insert_event(
    db: &Db,
    grant: &Grant,
    uid: &str,
    href: &str,
    ics: &str,
    idx: &EventIndex,
) -> Result<Option<String>, ApiError> {
    let mut tx = crate::db::begin_write(db).await?;
    let etag = insert_event_in(&mut tx, grant, uid, href, ics, idx).await?;
    tx.commit().await?;
    Ok(etag)
}

/// [`insert_event`] inside the caller's transaction (imports write many per commit).
pub async fn insert_event_in(
    tx: &mut crate::db::Conn,
    grant: &Grant,
    uid: &str,
    href: &str,
    ics: &str,
    idx: &EventIndex,
) -> Result<Option<String>, ApiError> {
    let etag = etag_of(ics);
    let seq = changes::next_seq(&mut *tx, grant).await?;
    let calendar_id = grant.id();
    let result = crate::on_db!(&mut *tx, |dbc| {
        sqlx::query_scalar::<_, i64>(
        "INSERT INTO events (calendar_id, uid, href, component, ics, etag, start_utc, end_utc, recurring, last_modified, modseq) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING RETURNING id",
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
    .fetch_optional(dbc).await
    })?;
    // Taken UID or name: nothing was written (and the transaction goes on, on PostgreSQL too).
    let Some(event_id) = result else {
        return Ok(None);
    };
    crate::reminders::store::reschedule(&mut *tx, event_id).await?;
    changes::clear_tombstone(&mut *tx, Kind::Calendar, calendar_id, href).await?;
    Ok(Some(etag))
}

/// Replaces an object if its current ETag is `if_match`; `Ok(None)` on a mismatch.
pub async fn replace_event(
    db: &Db,
    grant: &Grant,
    uid: &str,
    if_match: &str,
    ics: &str,
    idx: &EventIndex,
) -> Result<Option<String>, ApiError> {
    let etag = etag_of(ics);
    let mut tx = crate::db::begin_write(db).await?;
    let seq = changes::next_seq(&mut tx, grant).await?;
    let updated: Option<i64> = crate::on_db!(&mut tx, |dbc| {
        sqlx::query_scalar(
        "UPDATE events SET ics = $1, etag = $2, start_utc = $3, end_utc = $4, recurring = $5, component = $6, \
         last_modified = $7, modseq = $8 WHERE calendar_id = $9 AND uid = $10 AND etag = $11 RETURNING id",
    )
    .bind(ics)
    .bind(&etag)
    .bind(idx.start_utc)
    .bind(idx.end_utc)
    .bind(idx.recurring)
    .bind(idx.component)
    .bind(now_unix())
    .bind(seq)
    .bind(grant.id())
    .bind(uid)
    .bind(if_match)
    .fetch_optional(dbc).await
    })?;
    let Some(event_id) = updated else {
        return Ok(None);
    };
    crate::reminders::store::reschedule(&mut tx, event_id).await?;
    tx.commit().await?;
    Ok(Some(etag))
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
        let mut part: Vec<EventRow> = crate::on_db!(db, |dbc| {
            sqlx::query_as(
            "SELECT calendar_id, uid, ics, etag FROM events \
             WHERE calendar_id = $1 AND component = 'VEVENT' AND start_utc < $2 AND (end_utc IS NULL OR end_utc >= $3)",
        )
        .bind(id)
        .bind(to)
        .bind(from)
        .fetch_all(dbc).await
        })?;
        rows.append(&mut part);
    }
    Ok(rows)
}
