//! PROPFIND and PROPPATCH, and the live properties of every resource in the DAV space.

use axum::http::StatusCode;
use ksuite_common::CalendarAccess;

use super::path::{self, Kind, Target};
use super::store::{self, Collection, Member};
use super::xml::{
    self, APPLE_ICAL, CALDAV, CALSERVER, CARDDAV, DAV, Element, Multistatus, Name, Value, el, href,
};
use super::{Ctx, DavError, DavResult, MAX_RESOURCE_SIZE, multistatus};

/// A resource whose properties are asked for.
pub enum Res<'a> {
    Root,
    Principals,
    HomeSet(Kind),
    Principal,
    Home(Kind),
    Collection(&'a Collection),
    Object(&'a Collection, &'a Member),
    /// Another person's principal (principal search, attendee lookup).
    Person(&'a crate::contacts::directory::Person),
}

/// What property values need besides the resource.
pub struct PropCtx {
    pub email: String,
    pub display_name: String,
    pub origin: String,
    /// The user's time zone (floating times in reports), read with the profile.
    pub zone: chrono_tz::Tz,
}

impl PropCtx {
    pub async fn of(ctx: &Ctx) -> Result<PropCtx, DavError> {
        let profile = crate::auth::users::profile(&ctx.state.db, ctx.user.id).await?;
        Ok(PropCtx {
            email: ctx.user.email.clone(),
            zone: profile.time_zone.parse().unwrap_or(chrono_tz::Tz::UTC),
            display_name: profile.display_name,
            origin: ctx.state.settings.public_origin.clone(),
        })
    }
}

pub fn href_of(pc: &PropCtx, res: &Res<'_>) -> String {
    match res {
        Res::Root => format!("{}/", path::PREFIX),
        Res::Principals => format!("{}/principals/", path::PREFIX),
        Res::HomeSet(k) => format!("{}/{}/", path::PREFIX, k.home_segment()),
        Res::Principal => path::principal(&pc.email),
        Res::Person(p) => path::principal(&p.email),
        Res::Home(k) => path::home(*k, &pc.email),
        Res::Collection(c) => path::collection(c.kind, &pc.email, &c.segment),
        Res::Object(c, m) => {
            path::object(&path::collection(c.kind, &pc.email, &c.segment), &m.href)
        }
    }
}

/// The token a client keeps to ask for changes since this state (RFC 6578).
pub fn sync_token(pc: &PropCtx, c: &Collection) -> String {
    sync_token_at(pc, c, c.ctag)
}

/// The token of the collection's state at change number `seq`.
pub fn sync_token_at(pc: &PropCtx, c: &Collection, seq: i64) -> String {
    let k = match c.kind {
        Kind::Calendar => 'c',
        Kind::AddressBook => 'b',
    };
    format!(
        "{}{}/sync/{k}{}.{}-{}",
        pc.origin,
        path::PREFIX,
        c.id,
        c.generation,
        seq
    )
}

/// The change number in a token of this collection; `None` if the token is not one of it.
pub fn parse_sync_token(c: &Collection, token: &str) -> Option<i64> {
    let k = match c.kind {
        Kind::Calendar => 'c',
        Kind::AddressBook => 'b',
    };
    let tail = token.rsplit('/').next()?;
    let rest = tail.strip_prefix(k)?;
    let (id, seq) = rest.split_once('-')?;
    let (id, generation) = id.split_once('.')?;
    let seq: i64 = seq.parse().ok()?;
    if c.directory {
        // Its ctag is a digest, not a counter: only the current state or a fresh start.
        return (id == "0" && seq == c.ctag).then_some(seq);
    }
    let same = id.parse::<i64>().ok()? == c.id && generation.parse::<i64>().ok()? == c.generation;
    (same && seq >= 0 && seq <= c.ctag).then_some(seq)
}

fn privileges(access: CalendarAccess) -> String {
    let mut p = vec!["read", "read-current-user-privilege-set"];
    if access != CalendarAccess::Read {
        p.extend(["write", "write-content", "bind", "unbind"]);
    }
    if access == CalendarAccess::Owner {
        p.extend(["write-properties"]);
    }
    p.iter()
        .map(|x| el(DAV, "privilege", &el(DAV, x, "")))
        .collect()
}

fn reports(kind: Kind) -> String {
    let names: &[(&str, &str)] = match kind {
        Kind::Calendar => &[
            (CALDAV, "calendar-query"),
            (CALDAV, "calendar-multiget"),
            (CALDAV, "free-busy-query"),
            (DAV, "sync-collection"),
        ],
        Kind::AddressBook => &[
            (CARDDAV, "addressbook-query"),
            (CARDDAV, "addressbook-multiget"),
            (DAV, "sync-collection"),
        ],
    };
    names
        .iter()
        .map(|(ns, n)| el(DAV, "supported-report", &el(DAV, "report", &el(ns, n, ""))))
        .collect()
}

/// The value of one property of `res`, `None` when it has no such property.
pub fn value(pc: &PropCtx, res: &Res<'_>, name: &Name) -> Option<Value> {
    let ns = name.ns.as_str();
    let local = name.local.as_str();
    let xml_v = |s: String| Some(Value::Xml(s));
    if let Res::Person(p) = res {
        // Not the signed-in user: none of the properties below are theirs.
        return super::principals::person_value(p, name);
    }
    // Properties about the signed-in user, answered on every resource.
    match (ns, local) {
        (DAV, "current-user-principal") => return xml_v(href(&path::principal(&pc.email))),
        (DAV, "principal-collection-set") => {
            return xml_v(href(&format!("{}/principals/", path::PREFIX)));
        }
        (CALDAV, "calendar-home-set") => {
            return xml_v(href(&path::home(Kind::Calendar, &pc.email)));
        }
        (CARDDAV, "addressbook-home-set") => {
            return xml_v(href(&path::home(Kind::AddressBook, &pc.email)));
        }
        _ => {}
    }
    match res {
        Res::Object(c, m) => match (ns, local) {
            (DAV, "resourcetype") => xml_v(String::new()),
            (DAV, "getetag") => Some(Value::Text(m.etag.clone())),
            (DAV, "getcontenttype") => Some(Value::Static(match c.kind {
                Kind::Calendar => "text/calendar; charset=utf-8",
                Kind::AddressBook => "text/vcard; charset=utf-8",
            })),
            (DAV, "getcontentlength") => Some(Value::Text(m.size.to_string())),
            (DAV, "current-user-privilege-set") => xml_v(privileges(c.access)),
            _ => None,
        },
        Res::Collection(c) => match (ns, local) {
            (DAV, "resourcetype") => xml_v(match c.kind {
                Kind::Calendar => el(DAV, "collection", "") + &el(CALDAV, "calendar", ""),
                Kind::AddressBook => el(DAV, "collection", "") + &el(CARDDAV, "addressbook", ""),
            }),
            (DAV, "displayname") => Some(Value::Text(c.name.clone())),
            (DAV, "owner") if c.access == CalendarAccess::Owner => {
                xml_v(href(&path::principal(&pc.email)))
            }
            (DAV, "current-user-privilege-set") => xml_v(privileges(c.access)),
            (DAV, "supported-report-set") => xml_v(reports(c.kind)),
            (DAV, "sync-token") => Some(Value::Text(sync_token(pc, c))),
            (CALSERVER, "getctag") => Some(Value::Text(format!("\"{}-{}\"", c.generation, c.ctag))),
            (CALDAV, "calendar-description") if c.kind == Kind::Calendar => {
                Some(Value::Text(c.description.clone()))
            }
            (CALDAV, "supported-calendar-component-set") if c.kind == Kind::Calendar => xml_v(
                c.components
                    .iter()
                    .map(|n| format!("<c:comp name=\"{n}\"/>"))
                    .collect(),
            ),
            (CALDAV, "supported-calendar-data") if c.kind == Kind::Calendar => {
                xml_v("<c:calendar-data content-type=\"text/calendar\" version=\"2.0\"/>".into())
            }
            (CALDAV, "max-resource-size") if c.kind == Kind::Calendar => {
                Some(Value::Text(MAX_RESOURCE_SIZE.to_string()))
            }
            (APPLE_ICAL, "calendar-color") if c.kind == Kind::Calendar => {
                c.color.clone().map(Value::Text)
            }
            (CARDDAV, "addressbook-description") if c.kind == Kind::AddressBook => {
                Some(Value::Text(c.description.clone()))
            }
            (CARDDAV, "supported-address-data") if c.kind == Kind::AddressBook => xml_v(
                "<card:address-data-type content-type=\"text/vcard\" version=\"3.0\"/>\
                 <card:address-data-type content-type=\"text/vcard\" version=\"4.0\"/>"
                    .into(),
            ),
            (CARDDAV, "max-resource-size") if c.kind == Kind::AddressBook => {
                Some(Value::Text(MAX_RESOURCE_SIZE.to_string()))
            }
            _ => c
                .dead
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| Value::Xml(v.clone())),
        },
        Res::Principal => match (ns, local) {
            (DAV, "resourcetype") => xml_v(el(DAV, "collection", "") + &el(DAV, "principal", "")),
            (DAV, "displayname") => Some(Value::Text(pc.display_name.clone())),
            (DAV, "principal-URL") => xml_v(href(&path::principal(&pc.email))),
            (CALDAV, "calendar-user-address-set") => xml_v(href(&format!("mailto:{}", pc.email))),
            (DAV, "current-user-privilege-set") => xml_v(privileges(CalendarAccess::Read)),
            _ => None,
        },
        Res::Home(_) => match (ns, local) {
            (DAV, "resourcetype") => xml_v(el(DAV, "collection", "")),
            (DAV, "displayname") => Some(Value::Text(pc.display_name.clone())),
            (DAV, "owner") => xml_v(href(&path::principal(&pc.email))),
            (DAV, "current-user-privilege-set") => xml_v(
                privileges(CalendarAccess::Read)
                    + &el(DAV, "privilege", &el(DAV, "bind", ""))
                    + &el(DAV, "privilege", &el(DAV, "unbind", "")),
            ),
            _ => None,
        },
        Res::Person(p) => super::principals::person_value(p, name),
        Res::Root | Res::Principals | Res::HomeSet(_) => match (ns, local) {
            (DAV, "resourcetype") => xml_v(el(DAV, "collection", "")),
            (DAV, "current-user-privilege-set") => xml_v(privileges(CalendarAccess::Read)),
            _ => None,
        },
    }
}

/// Properties returned for `allprop` / `propname`.
fn all_names(res: &Res<'_>) -> Vec<Name> {
    let mut names: Vec<(&str, &str)> = vec![(DAV, "resourcetype")];
    match res {
        Res::Object(..) => names.extend([
            (DAV, "getetag"),
            (DAV, "getcontenttype"),
            (DAV, "getcontentlength"),
        ]),
        Res::Collection(c) => {
            names.extend([
                (DAV, "displayname"),
                (DAV, "sync-token"),
                (CALSERVER, "getctag"),
            ]);
            match c.kind {
                Kind::Calendar => names.extend([
                    (CALDAV, "calendar-description"),
                    (CALDAV, "supported-calendar-component-set"),
                    (APPLE_ICAL, "calendar-color"),
                ]),
                Kind::AddressBook => names.extend([
                    (CARDDAV, "addressbook-description"),
                    (CARDDAV, "supported-address-data"),
                ]),
            }
            let mut out: Vec<Name> = names.into_iter().map(|(n, l)| Name::new(n, l)).collect();
            out.extend(c.dead.iter().map(|(n, _)| n.clone()));
            return out;
        }
        Res::Principal => names.extend([
            (DAV, "displayname"),
            (DAV, "principal-URL"),
            (CALDAV, "calendar-home-set"),
            (CARDDAV, "addressbook-home-set"),
            (CALDAV, "calendar-user-address-set"),
        ]),
        Res::Home(_) => names.push((DAV, "displayname")),
        Res::Person(_) => names.extend([
            (DAV, "displayname"),
            (DAV, "principal-URL"),
            (CALDAV, "calendar-user-address-set"),
        ]),
        _ => {}
    }
    names.into_iter().map(|(n, l)| Name::new(n, l)).collect()
}

/// What a PROPFIND (or a REPORT's `prop`) asks for.
pub enum Wanted {
    All,
    Names,
    Props(Vec<Name>),
}

impl Wanted {
    pub fn from_prop(prop: Option<&Element>) -> Wanted {
        match prop {
            Some(p) => Wanted::Props(p.children.iter().map(|c| c.name.clone()).collect()),
            None => Wanted::All,
        }
    }
}

/// Writes one resource's answer for `wanted`.
pub fn respond(ms: &mut Multistatus, pc: &PropCtx, res: &Res<'_>, wanted: &Wanted) {
    let href_value = href_of(pc, res);
    match wanted {
        Wanted::All => {
            let names = all_names(res);
            let found: Vec<(&Name, Value)> = names
                .iter()
                .filter_map(|n| value(pc, res, n).map(|v| (n, v)))
                .collect();
            ms.propstat(&href_value, &found, &[]);
        }
        Wanted::Names => {
            let names = all_names(res);
            let found: Vec<(&Name, Value)> = names
                .iter()
                .map(|n| (n, Value::Xml(String::new())))
                .collect();
            ms.propstat(&href_value, &found, &[]);
        }
        Wanted::Props(names) => {
            let mut found = Vec::with_capacity(names.len());
            let mut missing = Vec::new();
            for n in names {
                match value(pc, res, n) {
                    Some(v) => found.push((n, v)),
                    None => missing.push(n),
                }
            }
            ms.propstat(&href_value, &found, &missing);
        }
    }
}

fn parse_propfind(body: &[u8]) -> Result<Wanted, DavError> {
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(Wanted::All);
    }
    let root = xml::parse(body).map_err(DavError::BadRequest)?;
    if !root.is(DAV, "propfind") {
        return Err(DavError::BadRequest(
            "a PROPFIND body must be a DAV:propfind element".into(),
        ));
    }
    if let Some(prop) = root.child(DAV, "prop") {
        return Ok(Wanted::from_prop(Some(prop)));
    }
    if root.child(DAV, "propname").is_some() {
        return Ok(Wanted::Names);
    }
    Ok(Wanted::All)
}

pub async fn propfind(ctx: &Ctx, body: &[u8]) -> DavResult {
    let wanted = parse_propfind(body)?;
    let depth = ctx.depth(1);
    let pc = PropCtx::of(ctx).await?;
    let db = &ctx.state.db;
    let mut ms = Multistatus::new();
    match &ctx.target {
        Target::Root => {
            respond(&mut ms, &pc, &Res::Root, &wanted);
            if depth > 0 {
                respond(&mut ms, &pc, &Res::Principals, &wanted);
                respond(&mut ms, &pc, &Res::HomeSet(Kind::Calendar), &wanted);
                respond(&mut ms, &pc, &Res::HomeSet(Kind::AddressBook), &wanted);
            }
        }
        Target::Principals => {
            respond(&mut ms, &pc, &Res::Principals, &wanted);
            if depth > 0 {
                respond(&mut ms, &pc, &Res::Principal, &wanted);
            }
        }
        Target::HomeSet(k) => {
            respond(&mut ms, &pc, &Res::HomeSet(*k), &wanted);
            if depth > 0 {
                respond(&mut ms, &pc, &Res::Home(*k), &wanted);
            }
        }
        Target::Principal(email) => {
            if ctx.is_me(email) {
                respond(&mut ms, &pc, &Res::Principal, &wanted);
            } else {
                // Colleagues' principals answer their public properties (attendee lookup).
                let person = crate::contacts::directory::by_email(db, email)
                    .await?
                    .ok_or(DavError::Status(StatusCode::NOT_FOUND))?;
                respond(&mut ms, &pc, &Res::Person(&person), &wanted);
            }
        }
        Target::Home(k, email) => {
            if !ctx.is_me(email) {
                return Err(DavError::Status(StatusCode::NOT_FOUND));
            }
            respond(&mut ms, &pc, &Res::Home(*k), &wanted);
            if depth > 0 {
                for c in store::collections(db, ctx.user.id, *k).await? {
                    respond(&mut ms, &pc, &Res::Collection(&c), &wanted);
                }
            }
        }
        Target::Collection(k, owner, seg) => {
            let c = ctx.collection(*k, owner, seg).await?;
            respond(&mut ms, &pc, &Res::Collection(&c), &wanted);
            if depth > 0 {
                for m in store::members(db, &c).await? {
                    respond(&mut ms, &pc, &Res::Object(&c, &m), &wanted);
                }
            }
        }
        Target::Object(k, owner, seg, name) => {
            let c = ctx.collection(*k, owner, seg).await?;
            let o = store::object(db, &c, name)
                .await?
                .ok_or(DavError::Status(StatusCode::NOT_FOUND))?;
            let m = Member {
                size: o.source.len() as i64,
                href: o.href,
                etag: o.etag,
            };
            respond(&mut ms, &pc, &Res::Object(&c, &m), &wanted);
        }
    }
    Ok(multistatus(ms.finish()))
}

/// `#rrggbb` from what clients send: `#rrggbbaa` (Apple), `#rrggbb`, or a CSS colour name
/// (`blue`); `None` for anything else, which is refused rather than replaced.
pub fn color_of(v: &str) -> Option<String> {
    let v = v.trim();
    if v.is_empty() || v.len() > 64 {
        return None;
    }
    let hex = v.strip_prefix('#');
    if let Some(hex) = hex
        && (hex.len() == 6 || hex.len() == 8)
        && hex.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return Some(format!("#{}", hex[..6].to_ascii_lowercase()));
    }
    // Names only (and short #rgb): functional notations are not what calendar apps send.
    if hex.is_none() && !v.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let [r, g, b, _] = csscolorparser::parse(v).ok()?.to_rgba8();
    Some(format!("#{r:02x}{g:02x}{b:02x}"))
}

/// Live properties a client cannot set (RFC 4918 §15, RFC 4791 §5.2, RFC 6352 §6.2).
fn is_protected(n: &Name) -> bool {
    match n.ns.as_str() {
        DAV => !matches!(n.local.as_str(), "displayname"),
        CALDAV => matches!(
            n.local.as_str(),
            "supported-calendar-component-set"
                | "supported-calendar-data"
                | "max-resource-size"
                | "calendar-home-set"
                | "calendar-user-address-set"
        ),
        CARDDAV => matches!(
            n.local.as_str(),
            "supported-address-data" | "max-resource-size" | "addressbook-home-set"
        ),
        CALSERVER => n.local == "getctag",
        _ => false,
    }
}

/// PROPPATCH on a collection: name, colour and description are stored as ksuite's own;
/// anything else that is not protected is kept as a dead property (Apple's calendar-order
/// and the like). All or nothing (RFC 4918 §9.2).
pub async fn proppatch(ctx: &Ctx, body: &[u8]) -> DavResult {
    let Target::Collection(k, owner, seg) = &ctx.target else {
        return Err(DavError::Status(StatusCode::FORBIDDEN));
    };
    let c = ctx.collection(*k, owner, seg).await?;
    let root = xml::parse(body).map_err(DavError::BadRequest)?;
    if !root.is(DAV, "propertyupdate") {
        return Err(DavError::BadRequest(
            "a PROPPATCH body must be a DAV:propertyupdate element".into(),
        ));
    }
    let mut name = None;
    let mut color = None;
    let mut description = None;
    let mut dead = Vec::new();
    let mut ok: Vec<Name> = Vec::new();
    let mut refused: Vec<Name> = Vec::new();
    let mut dead_count = c.dead.len();
    for action in &root.children {
        let set = action.is(DAV, "set");
        if !set && !action.is(DAV, "remove") {
            continue;
        }
        for prop in action.children_named(DAV, "prop") {
            for p in &prop.children {
                let n = &p.name;
                let text = p.text.trim().to_string();
                let accepted = match (n.ns.as_str(), n.local.as_str(), set) {
                    (DAV, "displayname", true)
                        if !text.is_empty() && text.chars().count() <= 100 =>
                    {
                        name = Some(text);
                        true
                    }
                    (APPLE_ICAL, "calendar-color", true) if c.kind == Kind::Calendar => {
                        color = color_of(&text);
                        color.is_some()
                    }
                    (APPLE_ICAL, "calendar-color", false) if c.kind == Kind::Calendar => {
                        color = Some(crate::calendar::store::DEFAULT_COLOR.to_string());
                        true
                    }
                    (CALDAV, "calendar-description", _) if c.kind == Kind::Calendar => {
                        description = Some(if set { text } else { String::new() });
                        true
                    }
                    (CARDDAV, "addressbook-description", _) if c.kind == Kind::AddressBook => {
                        description = Some(if set { text } else { String::new() });
                        true
                    }
                    _ if is_protected(n) => false,
                    _ => {
                        let value = set.then(|| xml::inner_xml(p));
                        let known = c.dead.iter().any(|(d, _)| d == n);
                        if set && !known {
                            dead_count += 1;
                        }
                        let fits = value
                            .as_ref()
                            .is_none_or(|v| v.len() <= store::MAX_DEAD_VALUE)
                            && dead_count <= store::MAX_DEAD_PROPERTIES;
                        if fits {
                            dead.push((n, value));
                        }
                        fits
                    }
                };
                if accepted {
                    ok.push(n.clone());
                } else {
                    refused.push(n.clone());
                }
            }
        }
    }
    let href_value = path::collection(c.kind, &ctx.user.email, &c.segment);
    let mut ms = Multistatus::new();
    if c.access != CalendarAccess::Owner {
        let all: Vec<Name> = ok.into_iter().chain(refused).collect();
        ms.prop_statuses(&href_value, &[(&all, "403 Forbidden")]);
    } else if !refused.is_empty() {
        ms.prop_statuses(
            &href_value,
            &[(&refused, "403 Forbidden"), (&ok, "424 Failed Dependency")],
        );
    } else {
        let live = store::LiveChanges {
            name: name.as_deref(),
            color: color.as_deref(),
            description: description.as_deref(),
        };
        let changes: Vec<store::DeadChange<'_>> = dead
            .into_iter()
            .map(|(name, value)| store::DeadChange { name, value })
            .collect();
        store::set_properties(&ctx.state.db, &c, live, &changes).await?;
        ms.prop_statuses(&href_value, &[(&ok, "200 OK")]);
    }
    Ok(multistatus(ms.finish()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colors_from_clients() {
        assert_eq!(color_of("#FF0000FF").as_deref(), Some("#ff0000"));
        assert_eq!(color_of("#12ab34").as_deref(), Some("#12ab34"));
        assert_eq!(color_of("blue").as_deref(), Some("#0000ff"));
        assert_eq!(color_of("Green").as_deref(), Some("#008000"));
        assert_eq!(color_of("#f80").as_deref(), Some("#ff8800"));
        assert_eq!(color_of("not a colour"), None);
        assert_eq!(color_of("rgb(1,2,3)"), None);
        assert_eq!(color_of(""), None);
    }
}
