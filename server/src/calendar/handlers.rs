//! Calendar API handlers.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use ksuite_common::{
    CalendarAccess, CalendarInfo, CalendarShare, CreateCalendarRequest, EventDetail, EventInput,
    Field, ImportReport, Occurrence, Problem, Rule, SkippedItem, UpdateCalendarRequest,
};
use serde::Deserialize;

use super::expand;
use super::ical::{self, EventFields, EventObject};
use super::store::{self, EventIndex};
use super::time::IcalTime;
use crate::auth::session::Session;
use crate::auth::users;
use crate::collections::handlers::ShareQuery;
use crate::collections::{self, Grant, Kind};
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::reminders;
use crate::resource::{changed_meanwhile, if_match, require_if_match, with_etag};
use crate::state::AppState;

const MAX_TITLE_LEN: usize = 500;
/// Longest range one query may expand.
const MAX_RANGE_DAYS: i64 = 400;

async fn user_zone(state: &AppState, user_id: i64) -> Result<Tz, ApiError> {
    let p = users::profile(&state.db, user_id).await?;
    Ok(p.time_zone.parse().unwrap_or(Tz::UTC))
}

fn check_color(c: &str) -> Result<(), ApiError> {
    let ok = c.len() == 7 && c.starts_with('#') && c[1..].bytes().all(|b| b.is_ascii_hexdigit());
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(
            Problem::new(Field::Colour, Rule::Invalid),
            "The colour must look like #1a2b3c.",
        ))
    }
}

fn check_name(n: &str) -> Result<String, ApiError> {
    let n = n.trim();
    if n.is_empty() || n.chars().count() > 100 {
        return Err(ApiError::invalid(
            Problem::length(Field::Name, 100),
            "A calendar name needs 1 to 100 characters.",
        ));
    }
    Ok(n.to_string())
}

#[utoipa::path(get, path = "/api/calendars", tag = "calendar", responses((status = 200, body = Vec<CalendarInfo>)))]
pub async fn list_calendars(
    State(state): State<AppState>,
    session: Session,
) -> ApiResult<Json<Vec<CalendarInfo>>> {
    Ok(Json(
        store::list_calendars(&state.db, session.user_id).await?,
    ))
}

#[utoipa::path(post, path = "/api/calendars", tag = "calendar", request_body = CreateCalendarRequest,
    responses((status = 201, body = CalendarInfo), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn create_calendar(
    State(state): State<AppState>,
    session: Session,
    ApiJson(req): ApiJson<CreateCalendarRequest>,
) -> ApiResult<(StatusCode, Json<CalendarInfo>)> {
    let name = check_name(&req.name)?;
    let color = req
        .color
        .unwrap_or_else(|| store::DEFAULT_COLOR.to_string());
    check_color(&color)?;
    let mut conn = state.db.acquire().await?;
    let id = store::create_calendar(&mut conn, session.user_id, &name, &color, false).await?;
    let info = CalendarInfo {
        id,
        name,
        color,
        is_default: false,
        visible: true,
        access: CalendarAccess::Owner,
        owner_email: None,
        default_reminders: Vec::new(),
        default_all_day_reminders: Vec::new(),
    };
    Ok((StatusCode::CREATED, Json(info)))
}

#[utoipa::path(patch, path = "/api/calendars/{id}", tag = "calendar", params(("id" = i64, Path)), request_body = UpdateCalendarRequest,
    responses((status = 200, body = CalendarInfo), (status = 403, body = ksuite_common::ErrorBody), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn update_calendar(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<UpdateCalendarRequest>,
) -> ApiResult<Json<CalendarInfo>> {
    let grant = Grant::of(&state.db, Kind::Calendar, session.user_id, id).await?;
    let access = grant.access();
    if req.name.is_some() || req.color.is_some() {
        grant.owned()?;
        let name = req.name.as_deref().map(check_name).transpose()?;
        if let Some(c) = &req.color {
            check_color(c)?;
        }
        collections::store::update_owned(&state.db, &grant, name.as_deref(), req.color.as_deref())
            .await?;
    }
    if let Some(v) = req.visible {
        store::set_visible(
            &state.db,
            session.user_id,
            id,
            access == CalendarAccess::Owner,
            v,
        )
        .await?;
    }
    if req.default_reminders.is_some() || req.default_all_day_reminders.is_some() {
        let check = async |list: &Option<Vec<ksuite_common::Reminder>>| match list {
            Some(l) => reminders::store::validate(&state.db, session.user_id, l)
                .await
                .map(Some),
            None => Ok(None),
        };
        let timed = check(&req.default_reminders).await?;
        let all_day = check(&req.default_all_day_reminders).await?;
        reminders::store::set_defaults(
            &state.db,
            session.user_id,
            id,
            timed.as_deref(),
            all_day.as_deref(),
        )
        .await?;
    }
    let all = store::list_calendars(&state.db, session.user_id).await?;
    all.into_iter()
        .find(|c| c.id == id)
        .map(Json)
        .ok_or_else(ApiError::not_found)
}

#[utoipa::path(delete, path = "/api/calendars/{id}", tag = "calendar", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ksuite_common::ErrorBody), (status = 404, body = ksuite_common::ErrorBody), (status = 409, body = ksuite_common::ErrorBody)))]
pub async fn delete_calendar(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    // Someone else's calendar shared with the caller: deleting it means leaving it.
    collections::handlers::delete_or_leave(&state, session.user_id, Kind::Calendar, id).await
}

/// Converts the editor's fields into iCalendar values.
fn fields_from_input(input: &EventInput, zone: Tz) -> Result<EventFields, ApiError> {
    let title = input.title.trim();
    if title.is_empty() || title.chars().count() > MAX_TITLE_LEN {
        return Err(ApiError::invalid(
            Problem::length(Field::Title, 500),
            "An event needs a title of 1 to 500 characters.",
        ));
    }
    let tz = match input.time_zone.as_deref().filter(|z| !z.is_empty()) {
        Some(z) => z.parse::<Tz>().map_err(|_| {
            ApiError::invalid(
                Problem::new(Field::TimeZone, Rule::Invalid),
                format!("Unknown time zone {z:?}."),
            )
        })?,
        None => zone,
    };
    let (start, end) = if input.all_day {
        let d = |s: &str| {
            NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d").map_err(|_| {
                ApiError::invalid(
                    Problem::new(Field::Date, Rule::Invalid),
                    format!("{s:?} is not a date (YYYY-MM-DD)."),
                )
            })
        };
        let (s, e) = (d(&input.start)?, d(&input.end)?);
        let e = if e <= s {
            s + chrono::Duration::days(1)
        } else {
            e
        };
        (IcalTime::Date(s), IcalTime::Date(e))
    } else {
        let t = |s: &str| {
            NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
                .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M"))
                .map_err(|_| {
                    ApiError::invalid(
                        Problem::new(Field::Date, Rule::Invalid),
                        format!("{s:?} is not a date and time (YYYY-MM-DDTHH:MM)."),
                    )
                })
        };
        let (s, e) = (t(&input.start)?, t(&input.end)?);
        if e < s {
            return Err(ApiError::invalid(
                Problem::new(Field::End, Rule::BeforeStart),
                "The event ends before it starts.",
            ));
        }
        if tz == Tz::UTC {
            (IcalTime::Utc(s.and_utc()), IcalTime::Utc(e.and_utc()))
        } else {
            (IcalTime::Zoned(s, tz), IcalTime::Zoned(e, tz))
        }
    };
    // Parsed and written anew: only what the rule grammar allows reaches the object.
    let rrule = input
        .rrule
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|r| expand::normalize_rule(r.trim_start_matches("RRULE:")))
        .transpose()
        .map_err(|e| {
            ApiError::invalid(
                Problem::new(Field::Repetition, Rule::Invalid),
                format!("The repetition rule is not valid: {e}."),
            )
        })?;
    let clean = |o: &Option<String>| {
        o.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    Ok(EventFields {
        summary: title.to_string(),
        start,
        end,
        location: clean(&input.location),
        description: clean(&input.description),
        transparent: !input.busy,
        rrule,
        reminders: None,
        alarm_email: None,
    })
}

fn index_of(obj: &EventObject, zone: Tz) -> Result<EventIndex, ApiError> {
    EventIndex::of(obj, zone)
}

fn detail(
    calendar_id: i64,
    etag: String,
    obj: &EventObject,
    reminders: Vec<ksuite_common::Reminder>,
) -> Result<EventDetail, ApiError> {
    let m = obj
        .master
        .as_ref()
        .ok_or_else(|| ApiError::internal("object without master"))?;
    let (start, tz) = show_time(&m.start);
    let end = match (&m.end, m.duration) {
        (Some(e), _) => show_time(e).0,
        (None, Some(d)) => show_time(&shift(&m.start, d)).0,
        (None, None) => show_time(&shift(&m.start, m.length(Tz::UTC))).0,
    };
    Ok(EventDetail {
        uid: obj.uid.clone(),
        calendar_id,
        etag,
        title: m.summary.clone(),
        start,
        end,
        all_day: m.start.is_date(),
        time_zone: tz,
        location: m.location.clone(),
        description: m.description.clone(),
        busy: !m.transparent,
        rrule: m.rrule.clone(),
        exdates: m
            .exdates
            .iter()
            .map(|x| x.to_utc(Tz::UTC).to_rfc3339())
            .collect(),
        reminders,
    })
}

/// The reminders `access` shows: the owner's are the event's VALARMs, a grantee's are
/// their own overlay.
async fn reminders_of(
    state: &AppState,
    user_id: i64,
    access: CalendarAccess,
    calendar_id: i64,
    obj: &EventObject,
) -> Result<Vec<ksuite_common::Reminder>, ApiError> {
    if access == CalendarAccess::Owner {
        return Ok(obj
            .master
            .iter()
            .flat_map(|m| m.alarms.iter().filter_map(|a| a.as_reminder()))
            .collect());
    }
    match reminders::store::event_id(&state.db, calendar_id, &obj.uid).await? {
        Some(event) => reminders::store::overlay(&state.db, user_id, event).await,
        None => Ok(Vec::new()),
    }
}

/// The event as the caller sees it (with their own reminders), with its ETag.
async fn respond(
    state: &AppState,
    user_id: i64,
    access: CalendarAccess,
    status: StatusCode,
    calendar_id: i64,
    etag: &str,
    obj: &EventObject,
) -> ApiResult<Response> {
    let shown = reminders_of(state, user_id, access, calendar_id, obj).await?;
    Ok(with_etag(
        status,
        etag,
        detail(calendar_id, etag.to_string(), obj, shown)?,
    ))
}

/// Stores `ics` in place of the object whose ETag is `expected`; its new ETag and the
/// parsed object. 412 when it changed meanwhile.
async fn store_replacement(
    state: &AppState,
    grant: &Grant,
    uid: &str,
    expected: &str,
    ics: &str,
    zone: Tz,
) -> ApiResult<(String, EventObject)> {
    let obj = ical::parse_object(ics).map_err(invalid_event)?;
    let idx = index_of(&obj, zone)?;
    let etag = store::replace_event(&state.db, grant, uid, expected, ics, &idx)
        .await?
        .ok_or_else(changed_meanwhile)?;
    Ok((etag, obj))
}

/// Puts the reminders the user asked for where they belong: into the event for its
/// owner, into the user's overlay otherwise (saved by [`save_overlay`] after the write).
async fn place_reminders(
    state: &AppState,
    user_id: i64,
    access: CalendarAccess,
    wanted: Option<Vec<ksuite_common::Reminder>>,
    fields: &mut EventFields,
) -> Result<Option<Vec<ksuite_common::Reminder>>, ApiError> {
    let Some(wanted) = wanted else {
        return Ok(None);
    };
    let checked = reminders::store::validate(&state.db, user_id, &wanted).await?;
    if access == CalendarAccess::Owner {
        fields.alarm_email = Some(users::profile(&state.db, user_id).await?.email);
        fields.reminders = Some(checked);
        Ok(None)
    } else {
        Ok(Some(checked))
    }
}

async fn save_overlay(
    state: &AppState,
    user_id: i64,
    calendar_id: i64,
    uid: &str,
    overlay: Option<Vec<ksuite_common::Reminder>>,
) -> Result<(), ApiError> {
    if let Some(list) = overlay
        && let Some(event) = reminders::store::event_id(&state.db, calendar_id, uid).await?
    {
        reminders::store::set_overlay(&state.db, user_id, event, &list).await?;
    }
    Ok(())
}

fn shift(t: &IcalTime, d: chrono::Duration) -> IcalTime {
    match *t {
        IcalTime::Date(x) => IcalTime::Date(x + d),
        IcalTime::Utc(x) => IcalTime::Utc(x + d),
        IcalTime::Zoned(x, z) => IcalTime::Zoned(x + d, z),
        IcalTime::Floating(x) => IcalTime::Floating(x + d),
    }
}

fn show_time(t: &IcalTime) -> (String, Option<String>) {
    match t {
        IcalTime::Date(d) => (d.format("%Y-%m-%d").to_string(), None),
        IcalTime::Utc(x) => (
            x.format("%Y-%m-%dT%H:%M:%S").to_string(),
            Some("UTC".into()),
        ),
        IcalTime::Zoned(n, z) => (
            n.format("%Y-%m-%dT%H:%M:%S").to_string(),
            Some(z.name().to_string()),
        ),
        IcalTime::Floating(n) => (n.format("%Y-%m-%dT%H:%M:%S").to_string(), None),
    }
}

fn parse_stored(ics: &str) -> Result<EventObject, ApiError> {
    ical::parse_object(ics).map_err(ApiError::internal)
}

#[utoipa::path(post, path = "/api/calendars/{id}/events", tag = "calendar", params(("id" = i64, Path)), request_body = EventInput,
    responses((status = 201, body = EventDetail), (status = 403, body = ksuite_common::ErrorBody), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn create_event(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<EventInput>,
) -> ApiResult<Response> {
    let grant = Grant::of(&state.db, Kind::Calendar, session.user_id, id)
        .await?
        .writable()?;
    let access = grant.access();
    let zone = user_zone(&state, session.user_id).await?;
    let mut fields = fields_from_input(&input, zone)?;
    // New events without reminders get the user's defaults for this calendar.
    let wanted = match input.reminders.clone() {
        Some(list) => list,
        None => {
            let (timed, all_day) =
                reminders::store::defaults(&state.db, session.user_id, id).await?;
            if input.all_day { all_day } else { timed }
        }
    };
    let overlay =
        place_reminders(&state, session.user_id, access, Some(wanted), &mut fields).await?;
    let uid = format!("{}@ksuite", crate::resource::new_uid());
    let ics = ical::new_object(&uid, &fields);
    let obj = parse_stored(&ics)?;
    let idx = index_of(&obj, zone)?;
    check_event_quota(&state, id, 1).await?;
    let etag = store::insert_event(
        &state.db,
        &grant,
        &uid,
        &crate::resource::object_name(&uid, ".ics"),
        &ics,
        &idx,
    )
    .await?
    .ok_or_else(|| ApiError::internal("generated UID collided"))?;
    save_overlay(&state, session.user_id, id, &uid, overlay).await?;
    respond(
        &state,
        session.user_id,
        access,
        StatusCode::CREATED,
        id,
        &etag,
        &obj,
    )
    .await
}

#[utoipa::path(get, path = "/api/calendars/{id}/events/{uid}", tag = "calendar", params(("id" = i64, Path), ("uid" = String, Path)),
    responses((status = 200, body = EventDetail), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn get_event(
    State(state): State<AppState>,
    session: Session,
    Path((id, uid)): Path<(i64, String)>,
) -> ApiResult<Response> {
    let grant = Grant::of(&state.db, Kind::Calendar, session.user_id, id).await?;
    let access = grant.access();
    let row = store::get_event(&state.db, id, &uid).await?;
    let obj = parse_stored(&row.ics)?;
    respond(
        &state,
        session.user_id,
        access,
        StatusCode::OK,
        id,
        &row.etag,
        &obj,
    )
    .await
}

/// Replace the whole series (If-Match required).
#[utoipa::path(put, path = "/api/calendars/{id}/events/{uid}", tag = "calendar", params(("id" = i64, Path), ("uid" = String, Path)), request_body = EventInput,
    responses((status = 200, body = EventDetail), (status = 412, body = ksuite_common::ErrorBody, description = "ETag mismatch"), (status = 428, body = ksuite_common::ErrorBody)))]
pub async fn update_event(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path((id, uid)): Path<(i64, String)>,
    ApiJson(input): ApiJson<EventInput>,
) -> ApiResult<Response> {
    edit(&state, session, &headers, id, &uid, None, &input).await
}

/// Change one occurrence of a recurring event (If-Match required).
#[utoipa::path(put, path = "/api/calendars/{id}/events/{uid}/occurrences/{recurrence_id}", tag = "calendar",
    params(("id" = i64, Path), ("uid" = String, Path), ("recurrence_id" = String, Path)), request_body = EventInput,
    responses((status = 200, body = EventDetail), (status = 412, body = ksuite_common::ErrorBody), (status = 428, body = ksuite_common::ErrorBody)))]
pub async fn update_occurrence(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path((id, uid, rid)): Path<(i64, String, String)>,
    ApiJson(input): ApiJson<EventInput>,
) -> ApiResult<Response> {
    let rid = parse_rid(&rid)?;
    edit(&state, session, &headers, id, &uid, Some(rid), &input).await
}

fn parse_rid(rid: &str) -> Result<IcalTime, ApiError> {
    IcalTime::parse(rid, None, None)
        .ok()
        .filter(|t| matches!(t, IcalTime::Utc(_)))
        .ok_or_else(|| {
            ApiError::invalid(
                Problem::new(Field::Occurrence, Rule::Invalid),
                "The occurrence id must look like 20260301T090000Z.",
            )
        })
}

async fn edit(
    state: &AppState,
    session: Session,
    headers: &HeaderMap,
    id: i64,
    uid: &str,
    rid: Option<IcalTime>,
    input: &EventInput,
) -> ApiResult<Response> {
    let grant = Grant::of(&state.db, Kind::Calendar, session.user_id, id)
        .await?
        .writable()?;
    let access = grant.access();
    let expected = require_if_match(headers)?;
    let row = store::get_event(&state.db, id, uid).await?;
    if row.etag != expected {
        return Err(changed_meanwhile());
    }
    let zone = user_zone(state, session.user_id).await?;
    let mut fields = fields_from_input(input, zone)?;
    // Reminders belong to the series, not to one occurrence.
    let wanted = if rid.is_none() {
        input.reminders.clone()
    } else {
        None
    };
    let overlay = place_reminders(state, session.user_id, access, wanted, &mut fields).await?;
    let ics = ical::update_object(&row.ics, &fields, rid.as_ref()).map_err(invalid_event)?;
    let (etag, obj) = store_replacement(state, &grant, uid, &expected, &ics, zone).await?;
    save_overlay(state, session.user_id, id, uid, overlay).await?;
    respond(
        state,
        session.user_id,
        access,
        StatusCode::OK,
        id,
        &etag,
        &obj,
    )
    .await
}

/// Sets only the signed-in user's reminders on an event. Anyone who sees the calendar
/// may: the owner's become the event's VALARMs, a grantee's (read-only ones too) stay
/// their own and are never written into the owner's event.
#[utoipa::path(put, path = "/api/calendars/{id}/events/{uid}/reminders", tag = "calendar", params(("id" = i64, Path), ("uid" = String, Path)),
    request_body = Vec<ksuite_common::Reminder>,
    responses((status = 200, body = EventDetail), (status = 404, body = ksuite_common::ErrorBody), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn set_reminders(
    State(state): State<AppState>,
    session: Session,
    Path((id, uid)): Path<(i64, String)>,
    ApiJson(list): ApiJson<Vec<ksuite_common::Reminder>>,
) -> ApiResult<Response> {
    let grant = Grant::of(&state.db, Kind::Calendar, session.user_id, id).await?;
    let access = grant.access();
    let list = reminders::store::validate(&state.db, session.user_id, &list).await?;
    let row = store::get_event(&state.db, id, &uid).await?;
    if access != CalendarAccess::Owner {
        save_overlay(&state, session.user_id, id, &uid, Some(list)).await?;
        let obj = parse_stored(&row.ics)?;
        return respond(
            &state,
            session.user_id,
            access,
            StatusCode::OK,
            id,
            &row.etag,
            &obj,
        )
        .await;
    }
    let email = users::profile(&state.db, session.user_id).await?.email;
    let ics = ical::set_alarms(&row.ics, &list, Some(&email)).map_err(invalid_event)?;
    let zone = user_zone(&state, session.user_id).await?;
    let (etag, obj) = store_replacement(&state, &grant, &uid, &row.etag, &ics, zone).await?;
    respond(
        &state,
        session.user_id,
        access,
        StatusCode::OK,
        id,
        &etag,
        &obj,
    )
    .await
}

#[utoipa::path(delete, path = "/api/calendars/{id}/events/{uid}", tag = "calendar", params(("id" = i64, Path), ("uid" = String, Path)),
    responses((status = 204), (status = 404, body = ksuite_common::ErrorBody), (status = 412, body = ksuite_common::ErrorBody)))]
pub async fn delete_event(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path((id, uid)): Path<(i64, String)>,
) -> ApiResult<StatusCode> {
    let grant = Grant::of(&state.db, Kind::Calendar, session.user_id, id)
        .await?
        .writable()?;
    let expected = if_match(&headers);
    if collections::objects::delete(&state.db, &grant, &uid, expected.as_deref()).await? {
        return Ok(StatusCode::NO_CONTENT);
    }
    // Missing, or present with another ETag.
    store::get_event(&state.db, id, &uid).await?;
    Err(changed_meanwhile())
}

/// Delete one occurrence of a recurring event (adds an EXDATE; If-Match required).
#[utoipa::path(delete, path = "/api/calendars/{id}/events/{uid}/occurrences/{recurrence_id}", tag = "calendar",
    params(("id" = i64, Path), ("uid" = String, Path), ("recurrence_id" = String, Path)),
    responses((status = 200, body = EventDetail), (status = 412, body = ksuite_common::ErrorBody), (status = 428, body = ksuite_common::ErrorBody)))]
pub async fn delete_occurrence(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Path((id, uid, rid)): Path<(i64, String, String)>,
) -> ApiResult<Response> {
    let grant = Grant::of(&state.db, Kind::Calendar, session.user_id, id)
        .await?
        .writable()?;
    let access = grant.access();
    let rid = parse_rid(&rid)?;
    let expected = require_if_match(&headers)?;
    let row = store::get_event(&state.db, id, &uid).await?;
    if row.etag != expected {
        return Err(changed_meanwhile());
    }
    let zone = user_zone(&state, session.user_id).await?;
    // The EXDATE is written in the series' own zone so it matches the generated instant.
    let master = parse_stored(&row.ics)?
        .master
        .filter(|m| m.rrule.is_some() || !m.rdates.is_empty())
        .ok_or_else(|| {
            ApiError::invalid(
                Problem::new(Field::Repetition, Rule::NotPossible),
                "This event does not repeat; delete the event itself.",
            )
        })?;
    let exdate = match master.start {
        IcalTime::Zoned(_, tz) => {
            IcalTime::Zoned(rid.to_utc(Tz::UTC).with_timezone(&tz).naive_local(), tz)
        }
        IcalTime::Date(_) => IcalTime::Date(rid.to_utc(Tz::UTC).date_naive()),
        _ => rid,
    };
    let ics = ical::exclude_occurrence(&row.ics, &exdate).map_err(invalid_event)?;
    let (etag, obj) = store_replacement(&state, &grant, &uid, &expected, &ics, zone).await?;
    respond(
        &state,
        session.user_id,
        access,
        StatusCode::OK,
        id,
        &etag,
        &obj,
    )
    .await
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct RangeQuery {
    /// Start of the range, RFC 3339.
    from: String,
    /// End of the range (exclusive), RFC 3339.
    to: String,
    /// Comma-separated calendar ids; all visible calendars when absent.
    #[serde(default)]
    calendars: Option<String>,
}

/// Occurrences of events in a time range, recurrences expanded.
#[utoipa::path(get, path = "/api/events", tag = "calendar", params(RangeQuery),
    responses((status = 200, body = Vec<Occurrence>), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn list_occurrences(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<RangeQuery>,
) -> ApiResult<Json<Vec<Occurrence>>> {
    let parse = |s: &str| {
        DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&Utc))
            .map_err(|_| {
                ApiError::invalid(
                    Problem::new(Field::Range, Rule::Invalid),
                    format!("{s:?} is not an RFC 3339 date-time."),
                )
            })
    };
    let (from, to) = (parse(&q.from)?, parse(&q.to)?);
    if to <= from || (to - from).num_days() > MAX_RANGE_DAYS {
        return Err(ApiError::invalid(
            Problem::new(Field::Range, Rule::OutOfRange),
            "The range must be positive and at most 400 days long.",
        ));
    }
    let mine = store::list_calendars(&state.db, session.user_id).await?;
    let ids: Vec<i64> = match &q.calendars {
        Some(list) => {
            let wanted: Vec<i64> = list
                .split(',')
                .filter_map(|x| x.trim().parse().ok())
                .collect();
            // Ids the user has no access to are ignored, like missing ones.
            mine.iter()
                .filter(|c| wanted.contains(&c.id))
                .map(|c| c.id)
                .collect()
        }
        None => mine.iter().filter(|c| c.visible).map(|c| c.id).collect(),
    };
    let zone = user_zone(&state, session.user_id).await?;
    let rows = store::events_in_range(&state.db, &ids, from.timestamp(), to.timestamp()).await?;
    let limits = state.settings.expansion;
    let out = state
        .cpu
        .run(move || expand_rows(&rows, from, to, zone, limits))
        .await??;
    Ok(Json(out))
}

/// The occurrences of stored events in `[from, to)`, within one request's budget.
fn expand_rows(
    rows: &[store::EventRow],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    zone: Tz,
    limits: expand::Limits,
) -> ApiResult<Vec<Occurrence>> {
    let mut budget = expand::Budget::new(limits);
    let mut out = Vec::new();
    for row in rows {
        let Ok(obj) = ical::parse_object(&row.ics) else {
            tracing::warn!(uid = %row.uid, "stored event unreadable; skipped");
            continue;
        };
        let instances = match expand::occurrences(&obj, from, to, zone, &mut budget) {
            Ok(i) => i,
            Err(expand::ExpandError::Invalid(e)) => {
                tracing::warn!(uid = %row.uid, error = %e, "event cannot be expanded; skipped");
                continue;
            }
            Err(expand::ExpandError::Exhausted(e)) => return Err(too_much(e)),
        };
        for i in instances {
            let title = i.event.summary.clone();
            let location = i.event.location.clone();
            let size = 256 + title.len() + location.as_ref().map_or(0, String::len);
            budget.answer(size).map_err(too_much)?;
            out.push(Occurrence {
                uid: obj.uid.clone(),
                calendar_id: row.calendar_id,
                recurrence_id: i
                    .recurrence_id
                    .map(|r| r.format("%Y%m%dT%H%M%SZ").to_string()),
                title,
                start: i.start.to_rfc3339(),
                end: i.end.to_rfc3339(),
                all_day: i.event.start.is_date(),
                location,
                busy: !i.event.transparent,
                recurring: i.recurring,
            });
        }
    }
    out.sort_by(|a, b| a.start.cmp(&b.start));
    Ok(out)
}

/// A request whose recurrences would cost too much: a clear 422 the user can act on.
fn too_much(e: expand::Exhausted) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        ksuite_common::ErrorCode::RangeTooLarge,
        e.message(),
    )
}

/// Import an .ics file (body: text/calendar) into the calendar.
#[utoipa::path(post, path = "/api/calendars/{id}/import", tag = "calendar", params(("id" = i64, Path)),
    request_body(content = String, content_type = "text/calendar"),
    responses((status = 200, body = ImportReport), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    body: String,
) -> ApiResult<Json<ImportReport>> {
    let grant = Grant::of(&state.db, Kind::Calendar, session.user_id, id)
        .await?
        .writable()?;
    let zone = user_zone(&state, session.user_id).await?;
    // Reading and checking every object is CPU work: off the async workers.
    let (prepared, mut skipped) = state.cpu.run(move || prepare_import(&body, zone)).await??;
    check_event_quota(&state, id, prepared.len() as i64).await?;
    let mut imported = 0u32;
    // Many objects per commit: one transaction per object made large files crawl.
    for batch in prepared.chunks(IMPORT_BATCH) {
        let mut tx = crate::db::begin_write(&state.db).await?;
        for (uid, ics, idx) in batch {
            let href = crate::resource::object_name(uid, ".ics");
            match store::insert_event_in(&mut tx, &grant, uid, &href, ics, idx).await? {
                Some(_) => imported += 1,
                None => skipped.push(SkippedItem {
                    uid: Some(uid.clone()),
                    reason: "an event with this UID is already in the calendar".into(),
                }),
            }
        }
        tx.commit().await?;
    }
    Ok(Json(ImportReport { imported, skipped }))
}

/// Objects written per transaction by an import.
const IMPORT_BATCH: usize = 500;

type PreparedImport = (Vec<(String, String, EventIndex)>, Vec<SkippedItem>);

/// Splits an .ics file into objects and checks each (linear in the file's size).
fn prepare_import(body: &str, zone: Tz) -> ApiResult<PreparedImport> {
    let split = ical::split_file(body).map_err(|e| {
        ApiError::invalid(
            Problem::new(Field::File, Rule::Invalid),
            format!("This file cannot be read as iCalendar: {e}"),
        )
    })?;
    let mut skipped: Vec<SkippedItem> = split
        .skipped
        .into_iter()
        .map(|(uid, reason)| SkippedItem { uid, reason })
        .collect();
    let mut ready = Vec::with_capacity(split.objects.len());
    for (uid, ics) in split.objects {
        let prepared = ical::parse_object(&ics).and_then(|obj| {
            if obj.master.is_none() {
                return Err("only modified occurrences, without their series".to_string());
            }
            index_of(&obj, zone).map_err(|e| e.message)
        });
        match prepared {
            Ok(idx) => ready.push((uid, ics, idx)),
            Err(reason) => skipped.push(SkippedItem {
                uid: Some(uid),
                reason,
            }),
        }
    }
    Ok((ready, skipped))
}

/// Refuses writes that would take the calendar owner's events past their quota.
pub async fn check_event_quota(state: &AppState, calendar_id: i64, adding: i64) -> ApiResult<()> {
    let current =
        collections::store::owner_object_count(&state.db, Kind::Calendar, calendar_id).await?;
    crate::quota::check("events", current, adding, state.settings.quotas.events)
}

/// Export the calendar as one .ics file.
#[utoipa::path(get, path = "/api/calendars/{id}/export", tag = "calendar", params(("id" = i64, Path)),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn export(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let grant = Grant::of(&state.db, Kind::Calendar, session.user_id, id).await?;
    let (name, sources) = collections::export::sources(&state.db, &grant).await?;
    let body = ical::join_objects(&sources, &name);
    Ok(collections::export::attachment(
        body,
        "text/calendar; charset=utf-8",
        &name,
        "calendar",
        "ics",
    ))
}

#[utoipa::path(get, path = "/api/calendars/{id}/shares", tag = "calendar", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<CalendarShare>), (status = 403, body = ksuite_common::ErrorBody)))]
pub async fn list_shares(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<CalendarShare>>> {
    collections::handlers::list_shares(&state, session.user_id, Kind::Calendar, id).await
}

/// Share with another user of this server (or change their access).
#[utoipa::path(put, path = "/api/calendars/{id}/shares", tag = "calendar", params(("id" = i64, Path)), request_body = CalendarShare,
    responses((status = 200, body = Vec<CalendarShare>), (status = 403, body = ksuite_common::ErrorBody), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn put_share(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    ApiJson(share): ApiJson<CalendarShare>,
) -> ApiResult<Json<Vec<CalendarShare>>> {
    collections::handlers::put_share(&state, session.user_id, Kind::Calendar, id, &share).await
}

#[utoipa::path(delete, path = "/api/calendars/{id}/shares", tag = "calendar", params(("id" = i64, Path), ShareQuery),
    responses((status = 200, body = Vec<CalendarShare>), (status = 403, body = ksuite_common::ErrorBody)))]
pub async fn delete_share(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Query(q): Query<ShareQuery>,
) -> ApiResult<Json<Vec<CalendarShare>>> {
    collections::handlers::delete_share(&state, session.user_id, Kind::Calendar, id, &q.email).await
}

/// An event the iCalendar code cannot read or change, with its reason.
fn invalid_event(reason: String) -> ApiError {
    ApiError::invalid(Problem::new(Field::Event, Rule::Invalid), reason)
}
