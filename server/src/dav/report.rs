//! REPORT: calendar-query (time ranges with recurrences expanded), calendar-multiget,
//! addressbook-query, addressbook-multiget and sync-collection (RFC 6578).

use axum::http::StatusCode;
use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::filter::{CalendarFilter, CardFilter};
use super::path::{self, Kind, Target};
use super::props::{self, PropCtx, Res, Wanted};
use super::store::{self, Collection, Member, Object};
use super::xml::{self, CALDAV, CARDDAV, DAV, Element, Multistatus, Name, Value};
use super::{Ctx, DavError, DavResult, multistatus};
use crate::calendar::{expand, ical};
use crate::contacts::vcard;

/// How the object data is to be returned.
enum Data {
    None,
    /// `calendar-data`, possibly expanded to UTC instances in a range.
    Calendar(Option<(DateTime<Utc>, DateTime<Utc>)>),
    /// `address-data` in the version asked for.
    Card(Option<bool>),
}

/// A report's `prop`: the data property apart, the rest answered like PROPFIND.
struct Request {
    data: Data,
    data_name: Option<Name>,
    others: Wanted,
}

fn read_prop(prop: Option<&Element>) -> Result<Request, DavError> {
    let Some(prop) = prop else {
        return Ok(Request {
            data: Data::None,
            data_name: None,
            others: Wanted::All,
        });
    };
    let mut data = Data::None;
    let mut data_name = None;
    let mut others = Vec::new();
    for p in &prop.children {
        if p.is(CALDAV, "calendar-data") {
            let range = match p.child(CALDAV, "expand") {
                Some(e) => Some(super::filter::time_range(e).map_err(DavError::BadRequest)?),
                None => None,
            };
            data = Data::Calendar(range);
            data_name = Some(p.name.clone());
        } else if p.is(CARDDAV, "address-data") {
            let version = match p.attr("version") {
                Some("4.0") => Some(true),
                Some("3.0") => Some(false),
                _ => None,
            };
            data = Data::Card(version);
            data_name = Some(p.name.clone());
        } else {
            others.push(p.name.clone());
        }
    }
    Ok(Request {
        data,
        data_name,
        others: Wanted::Props(others),
    })
}

/// What every object answer of one report needs.
struct Reply<'a> {
    pc: &'a PropCtx,
    c: &'a Collection,
    req: &'a Request,
    zone: Tz,
}

/// Keeps expansion bounds inside what date arithmetic handles.
fn clamp(range: (DateTime<Utc>, DateTime<Utc>)) -> (DateTime<Utc>, DateTime<Utc>) {
    let lo = Utc.with_ymd_and_hms(1900, 1, 1, 0, 0, 0).single();
    let hi = Utc.with_ymd_and_hms(2200, 1, 1, 0, 0, 0).single();
    match (lo, hi) {
        (Some(lo), Some(hi)) => (range.0.clamp(lo, hi), range.1.clamp(lo, hi)),
        _ => range,
    }
}

/// Writes one object's response: its properties, plus its data when asked.
fn respond_object(ms: &mut Multistatus, r: &Reply<'_>, o: &Object) {
    let (pc, c, req, zone) = (r.pc, r.c, r.req, r.zone);
    let member = Member {
        href: o.href.clone(),
        etag: o.etag.clone(),
        size: o.source.len() as i64,
    };
    let res = Res::Object(c, &member);
    let href_value = props::href_of(pc, &res);
    let defaults = [Name::new(DAV, "getetag"), Name::new(DAV, "getcontenttype")];
    let asked: &[Name] = match &req.others {
        Wanted::Props(names) => names,
        Wanted::All | Wanted::Names => &defaults,
    };
    let mut found = Vec::with_capacity(asked.len() + 1);
    let mut missing = Vec::new();
    for n in asked {
        match props::value(pc, &res, n) {
            Some(v) => found.push((n, v)),
            None => missing.push(n),
        }
    }
    if let Some(name) = &req.data_name {
        let text = match &req.data {
            Data::Calendar(Some(range)) => {
                let (from, to) = clamp(*range);
                ical::expand_to_utc(&o.source, from, to, zone).unwrap_or_else(|e| {
                    tracing::warn!(href = %o.href, error = %e, "cannot expand; sending the object");
                    o.source.clone()
                })
            }
            Data::Card(version) => vcard::for_client(&o.source, *version).into_owned(),
            _ => o.source.clone(),
        };
        found.push((name, Value::Text(text)));
    }
    ms.propstat(&href_value, &found, &missing);
}

pub async fn report(ctx: &Ctx, body: &[u8]) -> DavResult {
    let root = xml::parse(body).map_err(DavError::BadRequest)?;
    let Target::Collection(k, owner, seg) = &ctx.target else {
        // Reports on objects or homes are not something clients need from us.
        return Err(DavError::Condition(
            StatusCode::FORBIDDEN,
            DAV,
            "supported-report",
        ));
    };
    let c = ctx.collection(*k, owner, seg).await?;
    let pc = PropCtx::of(ctx).await?;
    let zone = pc.zone;
    let req = read_prop(root.child(DAV, "prop"))?;
    let reply = Reply {
        pc: &pc,
        c: &c,
        req: &req,
        zone,
    };
    let mut ms = Multistatus::new();
    let name = (root.name.ns.as_str(), root.name.local.as_str(), *k);
    match name {
        (CALDAV, "calendar-multiget", Kind::Calendar)
        | (CARDDAV, "addressbook-multiget", Kind::AddressBook) => {
            multiget(ctx, &reply, &root, &mut ms).await?;
        }
        (CALDAV, "calendar-query", Kind::Calendar) => {
            let filter =
                CalendarFilter::read(root.child(CALDAV, "filter")).map_err(DavError::BadRequest)?;
            for o in calendar_query(ctx, &c, &filter, zone).await? {
                respond_object(&mut ms, &reply, &o);
            }
        }
        (CARDDAV, "addressbook-query", Kind::AddressBook) => {
            let filter = CardFilter::read(root.child(CARDDAV, "filter"));
            let limit = root
                .child(CARDDAV, "limit")
                .and_then(|l| l.child(CARDDAV, "nresults"))
                .and_then(|n| n.text.trim().parse::<usize>().ok())
                .unwrap_or(usize::MAX);
            let matching = store::objects(&ctx.state.db, &c)
                .await?
                .into_iter()
                .filter(|o| filter.matches(&o.source));
            for o in matching.take(limit) {
                respond_object(&mut ms, &reply, &o);
            }
        }
        (DAV, "sync-collection", _) => {
            sync_collection(ctx, &reply, &root, &mut ms).await?;
        }
        _ => {
            return Err(DavError::Condition(
                StatusCode::FORBIDDEN,
                DAV,
                "supported-report",
            ));
        }
    }
    Ok(multistatus(ms.finish()))
}

async fn multiget(
    ctx: &Ctx,
    r: &Reply<'_>,
    root: &Element,
    ms: &mut Multistatus,
) -> Result<(), DavError> {
    let (pc, c) = (r.pc, r.c);
    let collection_href = path::collection(c.kind, &pc.email, &c.segment);
    for h in root.children_named(DAV, "href") {
        let href = h.text.trim();
        let found = match path::member_name(&collection_href, href) {
            Some(name) => store::object(&ctx.state.db, c, &name).await?,
            None => None,
        };
        match found {
            Some(o) => respond_object(ms, r, &o),
            None => ms.status(href, "404 Not Found"),
        }
    }
    Ok(())
}

async fn calendar_query(
    ctx: &Ctx,
    c: &Collection,
    filter: &CalendarFilter,
    zone: Tz,
) -> Result<Vec<Object>, DavError> {
    if filter.component_not_defined {
        return Ok(Vec::new());
    }
    let db = &ctx.state.db;
    let component = filter.component.as_deref();
    let candidates = match (filter.time_range, component) {
        (Some(range), _) => {
            let (from, to) = clamp(range);
            store::calendar_objects_in_range(db, c, component, from.timestamp(), to.timestamp())
                .await?
        }
        (None, Some(comp)) => store::calendar_objects_of(db, c, comp).await?,
        (None, None) => store::objects(db, c).await?,
    };
    Ok(candidates
        .into_iter()
        .filter(|o| filter.props_match(&o.source))
        .filter(|o| match filter.time_range {
            None => true,
            Some(range) => occurs_in(o, clamp(range), zone),
        })
        .collect())
}

/// Whether an object has an occurrence in the range (recurrences expanded).
fn occurs_in(o: &Object, (from, to): (DateTime<Utc>, DateTime<Utc>), zone: Tz) -> bool {
    let Ok(obj) = ical::parse_object(&o.source) else {
        return false;
    };
    if obj.master.as_ref().is_some_and(|m| m.undated) {
        return true;
    }
    expand::occurrences(&obj, from, to, zone).is_ok_and(|i| !i.is_empty())
}

async fn sync_collection(
    ctx: &Ctx,
    r: &Reply<'_>,
    root: &Element,
    ms: &mut Multistatus,
) -> Result<(), DavError> {
    let (pc, c, req) = (r.pc, r.c, r.req);
    let token = root
        .child(DAV, "sync-token")
        .map(|t| t.text.trim())
        .unwrap_or("");
    let since = if token.is_empty() {
        None
    } else {
        Some(props::parse_sync_token(c, token).ok_or(DavError::Condition(
            StatusCode::FORBIDDEN,
            DAV,
            "valid-sync-token",
        ))?)
    };
    let db = &ctx.state.db;
    let collection_href = path::collection(c.kind, &pc.email, &c.segment);
    // `c` (and its ctag, the new token) was read before the changes: a change racing
    // this report may show now and again next time, never not at all.
    let (changed, gone) = match since {
        None => (store::members(db, c).await?, Vec::new()),
        Some(seq) => store::changes_since(db, c, seq).await?,
    };
    let needs_data = req.data_name.is_some();
    for m in changed {
        if needs_data {
            if let Some(o) = store::object(db, c, &m.href).await? {
                respond_object(ms, r, &o);
            }
        } else {
            let others = match &req.others {
                Wanted::Props(p) => Wanted::Props(p.clone()),
                _ => Wanted::Props(vec![Name::new(DAV, "getetag")]),
            };
            props::respond(ms, pc, &Res::Object(c, &m), &others);
        }
    }
    for href in gone {
        ms.status(&path::object(&collection_href, &href), "404 Not Found");
    }
    ms.sync_token(&props::sync_token(pc, c));
    Ok(())
}
