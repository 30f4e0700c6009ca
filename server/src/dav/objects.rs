//! GET/HEAD/PUT/DELETE of events, to-dos and vCards, and MKCALENDAR/MKCOL/DELETE of
//! collections. Writes go through the calendar and contacts stores with the same ETag
//! guards the web app uses, so no write ever silently overwrites another.

use axum::body::Bytes;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono_tz::Tz;
use ksuite_common::CalendarAccess;

use super::model::MakeCollection;
use super::object_cache;
use super::path::{Kind, SHARED_PREFIX, Target};
use super::store::{self, Collection};
use super::xml::{CALDAV, CARDDAV, DAV};
use super::{Ctx, DavError, DavResult, MAX_RESOURCE_SIZE};
use crate::calendar::ical;
use crate::calendar::store::EventIndex;
use crate::collections::{self, Grant};
use crate::contacts::store::ContactIndex;
use crate::contacts::vcard;

/// The access the request acts under in `c`; writes re-check it in their own SQL.
fn grant(ctx: &Ctx, c: &Collection) -> Grant {
    Grant::resolved(c.kind, c.id, ctx.user.id, c.access)
}

fn need_write(c: &Collection) -> Result<(), DavError> {
    if c.access == CalendarAccess::Read {
        return Err(DavError::Condition(
            StatusCode::FORBIDDEN,
            DAV,
            "need-privileges",
        ));
    }
    Ok(())
}

/// The version a client asks for in `Accept` (`text/vcard; version=4.0`), if any.
pub fn wanted_vcard_version(accept: Option<&str>) -> Option<bool> {
    let accept = accept?.to_ascii_lowercase();
    if accept.contains("version=4.0") {
        Some(true)
    } else if accept.contains("version=3.0") {
        Some(false)
    } else {
        None
    }
}

/// The user's time zone, for floating times.
pub async fn user_zone(ctx: &Ctx) -> Result<Tz, DavError> {
    let p = crate::auth::users::profile(&ctx.state.db, ctx.user.id).await?;
    Ok(p.time_zone.parse().unwrap_or(Tz::UTC))
}

pub async fn get(ctx: &Ctx, head: bool) -> DavResult {
    let Target::Object(k, owner, seg, name) = &ctx.target else {
        if matches!(ctx.target, Target::Collection(..)) {
            return Err(DavError::Status(StatusCode::METHOD_NOT_ALLOWED));
        }
        return Ok((
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "ksuite CalDAV/CardDAV. Add this server to a calendar or contacts app.\n",
        )
            .into_response());
    };
    let variant = match k {
        Kind::Calendar => None,
        Kind::AddressBook => wanted_vcard_version(ctx.header("accept")),
    };
    let content_type = match k {
        Kind::Calendar => "text/calendar; charset=utf-8",
        Kind::AddressBook => "text/vcard; charset=utf-8",
    };
    let key = object_cache::key(ctx.user.id, *k, owner, seg, name, variant);
    let state = &ctx.state;
    let entry = match state.dav_objects.get(&key, &state.dav_versions) {
        Some(hit) => hit,
        None => {
            let c = ctx.collection(*k, owner, seg).await?;
            let o = store::object(&state.db, &c, name)
                .await?
                .ok_or(DavError::Status(StatusCode::NOT_FOUND))?;
            let body = match k {
                Kind::Calendar => o.source,
                Kind::AddressBook => vcard::for_client(&o.source, variant).into_owned(),
            };
            let entry = object_cache::Entry {
                kind: *k,
                collection: c.id,
                generation: c.generation,
                ctag: c.ctag,
                etag: o.etag,
                body: Bytes::from(body),
            };
            if c.access == CalendarAccess::Owner && !c.directory {
                state
                    .dav_versions
                    .observe(c.kind, c.id, c.generation, c.ctag);
                state.dav_objects.put(key, entry.clone());
            }
            entry
        }
    };
    let mut r = if head {
        let mut r = StatusCode::OK.into_response();
        r.headers_mut()
            .insert(header::CONTENT_LENGTH, entry.body.len().into());
        r
    } else {
        (StatusCode::OK, entry.body).into_response()
    };
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&entry.etag) {
        h.insert(header::ETAG, v);
    }
    Ok(r)
}

/// An object ready to store: its UID and index.
enum Prepared {
    Event(String, EventIndex),
    Contact(String, ContactIndex),
}

impl Prepared {
    fn uid(&self) -> &str {
        match self {
            Prepared::Event(u, _) | Prepared::Contact(u, _) => u,
        }
    }
}

async fn prepare(ctx: &Ctx, c: &Collection, text: &str) -> Result<Prepared, DavError> {
    match c.kind {
        Kind::Calendar => {
            let obj = ical::parse_object(text).map_err(|e| {
                tracing::info!(error = %e, "refused calendar object");
                DavError::Condition(
                    StatusCode::FORBIDDEN,
                    CALDAV,
                    "valid-calendar-object-resource",
                )
            })?;
            // RFC 4791 §5.3.2.1: only the kinds the calendar was made for.
            if !c.components.iter().any(|k| k == obj.component) {
                return Err(DavError::Condition(
                    StatusCode::FORBIDDEN,
                    CALDAV,
                    "supported-calendar-component",
                ));
            }
            let idx = EventIndex::of(&obj, user_zone(ctx).await?).map_err(|e| {
                tracing::info!(error = %e.message, "refused calendar object");
                DavError::Condition(
                    StatusCode::FORBIDDEN,
                    CALDAV,
                    "valid-calendar-object-resource",
                )
            })?;
            Ok(Prepared::Event(obj.uid, idx))
        }
        Kind::AddressBook => {
            let card = vcard::parse_one(text).map_err(|e| {
                tracing::info!(error = %e, "refused vCard");
                DavError::Condition(StatusCode::FORBIDDEN, CARDDAV, "valid-address-data")
            })?;
            let uid = vcard::uid_of(&card).ok_or(DavError::Condition(
                StatusCode::FORBIDDEN,
                CARDDAV,
                "valid-address-data",
            ))?;
            Ok(Prepared::Contact(
                uid,
                ContactIndex::of(&vcard::fields(&card)),
            ))
        }
    }
}

fn uid_conflict(kind: Kind) -> DavError {
    match kind {
        Kind::Calendar => DavError::Condition(StatusCode::FORBIDDEN, CALDAV, "no-uid-conflict"),
        Kind::AddressBook => DavError::Condition(StatusCode::FORBIDDEN, CARDDAV, "no-uid-conflict"),
    }
}

fn precondition_failed() -> DavError {
    DavError::Status(StatusCode::PRECONDITION_FAILED)
}

fn with_etag(status: StatusCode, etag: &str) -> Response {
    let mut r = status.into_response();
    if let Ok(v) = HeaderValue::from_str(etag) {
        r.headers_mut().insert(header::ETAG, v);
    }
    r
}

pub async fn put(ctx: &Ctx, body: &[u8]) -> DavResult {
    let Target::Object(k, owner, seg, name) = &ctx.target else {
        return Err(DavError::Status(StatusCode::METHOD_NOT_ALLOWED));
    };
    let c = ctx.collection(*k, owner, seg).await?;
    need_write(&c)?;
    if body.len() > MAX_RESOURCE_SIZE {
        let ns = if *k == Kind::Calendar {
            CALDAV
        } else {
            CARDDAV
        };
        return Err(DavError::Condition(
            StatusCode::FORBIDDEN,
            ns,
            "max-resource-size",
        ));
    }
    let text = std::str::from_utf8(body)
        .map_err(|_| DavError::BadRequest("the body is not UTF-8 text".into()))?;
    let db = &ctx.state.db;
    let existing = store::object(db, &c, name).await?;
    let if_match = ctx.header("if-match").map(str::trim);
    let if_none_match = ctx.header("if-none-match").map(str::trim);
    match (&existing, if_match, if_none_match) {
        (Some(_), _, Some("*")) => return Err(precondition_failed()),
        (None, Some(_), _) => return Err(precondition_failed()),
        (Some(o), Some(m), _) if m != "*" && m != o.etag => return Err(precondition_failed()),
        _ => {}
    }
    let prepared = prepare(ctx, &c, text).await?;
    let grant = grant(ctx, &c);
    match existing {
        Some(o) => {
            if o.uid != prepared.uid() {
                return Err(uid_conflict(*k));
            }
            let etag = match prepared {
                Prepared::Event(uid, idx) => {
                    crate::calendar::store::replace_event(db, &grant, &uid, &o.etag, text, &idx)
                        .await?
                }
                Prepared::Contact(uid, idx) => {
                    crate::contacts::store::replace_contact(db, &grant, &uid, &o.etag, text, &idx)
                        .await?
                }
            };
            // `None`: changed between our read and our write.
            let etag = etag.ok_or_else(precondition_failed)?;
            Ok(with_etag(StatusCode::NO_CONTENT, &etag))
        }
        None => {
            if store::object_by_uid(db, &c, prepared.uid())
                .await?
                .is_some()
            {
                return Err(uid_conflict(*k));
            }
            let quota = match k {
                Kind::Calendar => {
                    crate::calendar::handlers::check_event_quota(&ctx.state, c.id, 1).await
                }
                Kind::AddressBook => {
                    crate::contacts::handlers::check_contact_quota(&ctx.state, c.id, 1).await
                }
            };
            if let Err(e) = quota {
                tracing::info!(reason = %e.message, "PUT refused: quota");
                // RFC 4331 §6: the quota-not-exceeded precondition, with 507.
                return Err(DavError::Condition(
                    StatusCode::INSUFFICIENT_STORAGE,
                    DAV,
                    "quota-not-exceeded",
                ));
            }
            let etag = match prepared {
                Prepared::Event(uid, idx) => {
                    crate::calendar::store::insert_event(db, &grant, &uid, name, text, &idx).await?
                }
                Prepared::Contact(uid, idx) => {
                    crate::contacts::store::insert_contact(db, &grant, &uid, name, text, &idx)
                        .await?
                }
            };
            let etag = etag.ok_or_else(precondition_failed)?;
            Ok(with_etag(StatusCode::CREATED, &etag))
        }
    }
}

pub async fn delete(ctx: &Ctx) -> DavResult {
    let db = &ctx.state.db;
    match &ctx.target {
        Target::Object(k, owner, seg, name) => {
            let c = ctx.collection(*k, owner, seg).await?;
            need_write(&c)?;
            let o = store::object(db, &c, name)
                .await?
                .ok_or(DavError::Status(StatusCode::NOT_FOUND))?;
            let if_match = ctx.header("if-match").map(str::trim).filter(|m| *m != "*");
            if if_match.is_some_and(|m| m != o.etag) {
                return Err(precondition_failed());
            }
            let guard = Some(o.etag.as_str());
            let deleted = collections::objects::delete(db, &grant(ctx, &c), &o.uid, guard).await?;
            if !deleted {
                return Err(precondition_failed());
            }
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        Target::Collection(k, owner, seg) => {
            let c = ctx.collection(*k, owner, seg).await?;
            if c.directory {
                return Err(DavError::Condition(
                    StatusCode::FORBIDDEN,
                    DAV,
                    "need-privileges",
                ));
            }
            if c.access != CalendarAccess::Owner {
                // A shared collection in the receiver's home: deleting it leaves the share.
                collections::shares::leave(db, &grant(ctx, &c)).await?;
                return Ok(StatusCode::NO_CONTENT.into_response());
            }
            if c.is_default {
                // The default collection stays.
                return Err(DavError::Condition(
                    StatusCode::FORBIDDEN,
                    DAV,
                    "need-privileges",
                ));
            }
            if !collections::store::delete_owned(db, &grant(ctx, &c)).await? {
                return Err(DavError::Status(StatusCode::NOT_FOUND));
            }
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        _ => Err(DavError::Status(StatusCode::FORBIDDEN)),
    }
}

/// The component kinds a calendar can hold.
pub const CALENDAR_COMPONENTS: [&str; 3] = ["VEVENT", "VTODO", "VJOURNAL"];

/// The kinds a MKCALENDAR asks for; an empty set or a kind we cannot store is refused.
fn component_set(asked: &[String]) -> Result<Vec<String>, DavError> {
    let refused = || {
        DavError::Condition(
            StatusCode::FORBIDDEN,
            CALDAV,
            "supported-calendar-component",
        )
    };
    let mut out: Vec<String> = Vec::new();
    for name in asked {
        let name = name.to_ascii_uppercase();
        if !CALENDAR_COMPONENTS.contains(&name.as_str()) {
            return Err(refused());
        }
        if !out.contains(&name) {
            out.push(name);
        }
    }
    if out.is_empty() {
        return Err(refused());
    }
    Ok(out)
}

/// MKCALENDAR (RFC 4791 §5.3.1) or extended MKCOL (RFC 5689) of a calendar or address book.
pub async fn make_collection(ctx: &Ctx, body: &[u8], mkcalendar: bool) -> DavResult {
    let Target::Collection(k, owner, seg) = &ctx.target else {
        return Err(DavError::Status(StatusCode::FORBIDDEN));
    };
    if !ctx.is_me(owner) {
        return Err(DavError::Status(StatusCode::FORBIDDEN));
    }
    // `shared-…`, `directory` and all-digit names are ours (shared collections, the
    // organization directory, ids of web-made ones).
    if seg.starts_with(SHARED_PREFIX)
        || (*k == Kind::AddressBook && seg == store::DIRECTORY_SEGMENT)
        || seg.bytes().all(|b| b.is_ascii_digit())
        || seg.chars().count() > 200
    {
        return Err(DavError::Status(StatusCode::FORBIDDEN));
    }
    let asked = MakeCollection::parse(body, mkcalendar)?;
    // Plain MKCOL makes nothing we could store; it must ask for the kind of the home.
    if !mkcalendar {
        let right = match k {
            Kind::Calendar => asked.calendar,
            Kind::AddressBook => asked.address_book,
        };
        if !right {
            return Err(DavError::Condition(
                StatusCode::FORBIDDEN,
                DAV,
                "valid-resourcetype",
            ));
        }
    } else if *k != Kind::Calendar {
        return Err(DavError::Status(StatusCode::FORBIDDEN));
    }
    let name = asked
        .display_name
        .filter(|n| !n.is_empty())
        .map(|n| n.chars().take(100).collect::<String>())
        .unwrap_or_else(|| seg.clone());
    let color = match asked.color {
        Some(c) => Some(super::props::color_of(&c).ok_or_else(|| {
            DavError::BadRequest(format!(
                "calendar-color {c:?} is not a colour: send #rrggbb, #rrggbbaa or a CSS colour name"
            ))
        })?),
        None => None,
    };
    let components = match &asked.components {
        Some(set) if *k == Kind::Calendar => component_set(set)?,
        _ => CALENDAR_COMPONENTS.iter().map(|c| c.to_string()).collect(),
    };
    let description = match k {
        Kind::Calendar => asked.calendar_description,
        Kind::AddressBook => asked.addressbook_description,
    }
    .unwrap_or_default();
    let new = store::NewCollection {
        kind: *k,
        segment: seg,
        name: &name,
        color: color.as_deref(),
        description: &description,
        components: &components,
    };
    let created = store::create_collection(&ctx.state.db, ctx.user.id, &new).await?;
    if !created {
        return Err(DavError::Condition(
            StatusCode::METHOD_NOT_ALLOWED,
            DAV,
            "resource-must-be-null",
        ));
    }
    Ok(StatusCode::CREATED.into_response())
}
