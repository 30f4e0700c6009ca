//! REPORT: calendar-query (time ranges with recurrences expanded), calendar-multiget,
//! addressbook-query, addressbook-multiget and sync-collection (RFC 6578).

use axum::http::StatusCode;
use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::filter::CalendarFilter;
use super::model::{self, Data, Prop, Report, ReportProps, Wanted};
use super::path::{self, Target};
use super::props::{self, PropCtx, Res};
use super::store::{self, Collection, Member, Object};
use super::xml::{CALDAV, CARDDAV, DAV, Multistatus, Name, Value};
use super::{Ctx, DavError, DavResult, multistatus};
use crate::calendar::{expand, ical};
use crate::contacts::vcard;

/// What every object answer of one report needs.
struct Reply<'a> {
    pc: &'a PropCtx,
    c: &'a Collection,
    req: &'a ReportProps,
    zone: Tz,
}

/// Keeps expansion bounds inside what date arithmetic handles.
pub fn clamp(range: (DateTime<Utc>, DateTime<Utc>)) -> (DateTime<Utc>, DateTime<Utc>) {
    let lo = Utc.with_ymd_and_hms(1900, 1, 1, 0, 0, 0).single();
    let hi = Utc.with_ymd_and_hms(2200, 1, 1, 0, 0, 0).single();
    match (lo, hi) {
        (Some(lo), Some(hi)) => (range.0.clamp(lo, hi), range.1.clamp(lo, hi)),
        _ => range,
    }
}

/// Writes one object's response: its properties, plus its data when asked. Expanded
/// data and every byte of it are charged to the request's budget.
fn respond_object(
    ms: &mut Multistatus,
    r: &Reply<'_>,
    o: &Object,
    budget: &mut expand::Budget,
) -> Result<(), expand::Exhausted> {
    let (pc, c, req, zone) = (r.pc, r.c, r.req, r.zone);
    let member = Member {
        href: o.href.clone(),
        etag: o.etag.clone(),
        size: o.source.len() as i64,
    };
    let res = Res::Object(c, &member);
    let href_value = props::href_of(pc, &res);
    let defaults = [Prop::GetEtag, Prop::GetContentType];
    let asked: &[Prop] = match &req.others {
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
    let data_name = match req.data {
        Data::None => None,
        Data::Calendar(_) => Some(Prop::Other(Name::new(CALDAV, "calendar-data"))),
        Data::Card(_) => Some(Prop::Other(Name::new(CARDDAV, "address-data"))),
    };
    if let Some(name) = &data_name {
        let text = match &req.data {
            Data::Calendar(Some(range)) => {
                let (from, to) = clamp(*range);
                match ical::expand_to_utc(&o.source, from, to, zone, budget) {
                    Ok(text) => text,
                    Err(expand::ExpandError::Exhausted(e)) => return Err(e),
                    Err(expand::ExpandError::Invalid(e)) => {
                        tracing::warn!(href = %o.href, error = %e, "cannot expand; sending the object");
                        o.source.clone()
                    }
                }
            }
            Data::Card(version) => vcard::for_client(&o.source, *version).into_owned(),
            _ => o.source.clone(),
        };
        budget.charge_bytes(text.len())?;
        found.push((name, Value::Text(text)));
    }
    ms.propstat(&href_value, &found, &missing);
    Ok(())
}

/// What a report answers, gathered from the database before the CPU work starts.
enum Gathered {
    /// Objects to answer (multiget: `Err(href)` for the missing ones).
    Objects(Vec<Result<Object, String>>),
    /// Calendar-query candidates, filtered (with recurrences) while rendering.
    Query(Vec<Object>, CalendarFilter),
    /// Sync-collection: changed members (with their objects when data is asked), removed
    /// hrefs, the new token, and whether DAV:limit cut the answer short.
    Sync {
        changed: Vec<(Member, Option<Object>)>,
        gone: Vec<String>,
        token: String,
        truncated: bool,
    },
}

pub async fn report(ctx: &Ctx, body: &[u8]) -> DavResult {
    let report = Report::parse(body)?;
    let on_principals = matches!(
        ctx.target,
        Target::Root | Target::Principals | Target::Principal(_)
    );
    let report = match report {
        Report::PrincipalSearch(search) if on_principals => {
            return super::principals::search(ctx, search).await;
        }
        Report::PrincipalSearchPropertySet if on_principals => {
            return super::principals::search_property_set();
        }
        r => r,
    };
    let Target::Collection(k, owner, seg) = &ctx.target else {
        // Reports on objects or homes are not something clients need from us.
        return Err(model::unsupported_report());
    };
    if !report.applies_to(*k) {
        return Err(model::unsupported_report());
    }
    let c = ctx.collection(*k, owner, seg).await?;
    let pc = PropCtx::of(ctx).await?;
    let (req, gathered) = match report {
        Report::Multiget { props, hrefs, .. } => {
            let objects = multiget(ctx, &pc, &c, &hrefs).await?;
            (props, Gathered::Objects(objects))
        }
        Report::CalendarQuery { props, filter } => {
            let candidates = calendar_candidates(ctx, &c, &filter).await?;
            (props, Gathered::Query(candidates, filter))
        }
        Report::AddressbookQuery {
            props,
            filter,
            limit,
        } => {
            let matching = store::objects(&ctx.state.db, &c)
                .await?
                .into_iter()
                .filter(|o| filter.matches(&o.source))
                .take(limit.unwrap_or(usize::MAX))
                .map(Ok)
                .collect();
            (props, Gathered::Objects(matching))
        }
        Report::SyncCollection {
            props,
            token,
            limit,
        } => {
            let gathered = sync_collection(ctx, &pc, &c, &props, &token, limit).await?;
            (props, gathered)
        }
        Report::FreeBusy { range } => return super::freebusy::report(ctx, c, range).await,
        Report::PrincipalSearch(_) | Report::PrincipalSearchPropertySet => {
            return Err(model::unsupported_report());
        }
    };
    let limits = ctx.state.settings.expansion;
    let rendered = ctx
        .state
        .cpu
        .run(move || {
            let mut budget = expand::Budget::new(limits);
            let reply = Reply {
                pc: &pc,
                c: &c,
                req: &req,
                zone: pc.zone,
            };
            render(&reply, gathered, &mut budget)
        })
        .await?;
    match rendered {
        Ok(body) => Ok(multistatus(body)),
        // RFC 4791 §7.8 / RFC 5323: the answer would exceed what the server returns.
        Err(e) => {
            tracing::info!(
                reason = e.message(),
                "report refused: over the expansion budget"
            );
            Err(DavError::Condition(
                StatusCode::INSUFFICIENT_STORAGE,
                DAV,
                "number-of-matches-within-limits",
            ))
        }
    }
}

/// The multistatus body of a report (CPU work: recurrence filters, expansion, XML).
fn render(
    r: &Reply<'_>,
    gathered: Gathered,
    budget: &mut expand::Budget,
) -> Result<String, expand::Exhausted> {
    let mut ms = Multistatus::new();
    match gathered {
        Gathered::Objects(items) => {
            for item in items {
                match item {
                    Ok(o) => respond_object(&mut ms, r, &o, budget)?,
                    Err(href) => ms.status(&href, "404 Not Found"),
                }
            }
        }
        Gathered::Query(candidates, filter) => {
            for o in candidates {
                let keep = match filter.time_range {
                    None => true,
                    Some(range) => occurs_in(&o, clamp(range), r.zone, budget)?,
                };
                if keep {
                    respond_object(&mut ms, r, &o, budget)?;
                }
            }
        }
        Gathered::Sync {
            changed,
            gone,
            token,
            truncated,
        } => {
            let collection_href = path::collection(r.c.kind, &r.pc.email, &r.c.segment);
            for (m, object) in changed {
                match object {
                    Some(o) => respond_object(&mut ms, r, &o, budget)?,
                    None if r.req.wants_data() => {} // removed meanwhile
                    None => {
                        let others = match &r.req.others {
                            Wanted::Props(p) => Wanted::Props(p.clone()),
                            _ => Wanted::Props(vec![Prop::GetEtag]),
                        };
                        props::respond(&mut ms, r.pc, &Res::Object(r.c, &m), &others);
                    }
                }
            }
            for href in gone {
                ms.status(&path::object(&collection_href, &href), "404 Not Found");
            }
            if truncated {
                ms.status_with_error(
                    &collection_href,
                    "507 Insufficient Storage",
                    DAV,
                    "number-of-matches-within-limits",
                );
            }
            ms.sync_token(&token);
        }
    }
    Ok(ms.finish())
}

async fn multiget(
    ctx: &Ctx,
    pc: &PropCtx,
    c: &Collection,
    hrefs: &[String],
) -> Result<Vec<Result<Object, String>>, DavError> {
    let collection_href = path::collection(c.kind, &pc.email, &c.segment);
    let mut out = Vec::new();
    for href in hrefs {
        let found = match path::member_name(&collection_href, href) {
            Some(name) => store::object(&ctx.state.db, c, &name).await?,
            None => None,
        };
        out.push(found.ok_or_else(|| href.to_string()));
    }
    Ok(out)
}

/// The objects a calendar-query may match, before its time range is checked with
/// recurrences (that part is CPU work, done while rendering).
async fn calendar_candidates(
    ctx: &Ctx,
    c: &Collection,
    filter: &CalendarFilter,
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
        .collect())
}

/// Whether an object has an occurrence in the range (recurrences expanded).
fn occurs_in(
    o: &Object,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    zone: Tz,
    budget: &mut expand::Budget,
) -> Result<bool, expand::Exhausted> {
    let Ok(obj) = ical::parse_object(&o.source) else {
        return Ok(false);
    };
    if obj.master.as_ref().is_some_and(|m| m.undated) {
        return Ok(true);
    }
    match expand::occurrences(&obj, from, to, zone, budget) {
        Ok(i) => Ok(!i.is_empty()),
        Err(expand::ExpandError::Exhausted(e)) => Err(e),
        Err(expand::ExpandError::Invalid(_)) => Ok(false),
    }
}

async fn sync_collection(
    ctx: &Ctx,
    pc: &PropCtx,
    c: &Collection,
    req: &ReportProps,
    token: &str,
    limit: Option<usize>,
) -> Result<Gathered, DavError> {
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
    // `c` (and its ctag, the new token) was read before the changes: a change racing
    // this report may show now and again next time, never not at all.
    let (changes, more) =
        store::changes_since(db, c, since.unwrap_or(0), since.is_some(), limit).await?;
    // Cut short by DAV:limit: the token resumes after the last change sent (RFC 6578 §3.6).
    let token = match changes.last() {
        Some(last) if more => props::sync_token_at(pc, c, last.modseq),
        _ => props::sync_token(pc, c),
    };
    let mut out = Vec::with_capacity(changes.len());
    let mut gone = Vec::new();
    for change in changes {
        match change.member {
            Some(m) => {
                let object = if req.wants_data() {
                    store::object(db, c, &m.href).await?
                } else {
                    None
                };
                out.push((m, object));
            }
            None => gone.push(change.href),
        }
    }
    Ok(Gathered::Sync {
        changed: out,
        gone,
        token,
        truncated: more,
    })
}
