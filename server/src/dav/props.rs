//! PROPFIND and PROPPATCH, and the live properties of every resource in the DAV space.

use axum::http::StatusCode;
use ksuite_common::CalendarAccess;

use super::model::{self, Prop, Wanted};
use super::path::{self, Kind, Target};
use super::store::{self, Collection, Member};
use super::xml::{CALDAV, CARDDAV, DAV, Multistatus, Value};
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

fn privileges(access: CalendarAccess) -> Vec<&'static str> {
    let mut p = vec!["read", "read-current-user-privilege-set"];
    if access != CalendarAccess::Read {
        p.extend(["write", "write-content", "bind", "unbind"]);
    }
    if access == CalendarAccess::Owner {
        p.push("write-properties");
    }
    p
}

fn reports(kind: Kind) -> &'static [(&'static str, &'static str)] {
    match kind {
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
    }
}

/// Resource types written in `DAV:resourcetype`.
const COLLECTION: &[(&str, &str)] = &[(DAV, "collection")];
const CALENDAR: &[(&str, &str)] = &[(DAV, "collection"), (CALDAV, "calendar")];
const ADDRESS_BOOK: &[(&str, &str)] = &[(DAV, "collection"), (CARDDAV, "addressbook")];
pub const PRINCIPAL: &[(&str, &str)] = &[(DAV, "collection"), (DAV, "principal")];

/// The value of one property of `res`, `None` when it has no such property.
pub fn value(pc: &PropCtx, res: &Res<'_>, prop: &Prop) -> Option<Value> {
    if let Res::Person(p) = res {
        // Not the signed-in user: none of the properties below are theirs.
        return super::principals::person_value(p, prop);
    }
    // Properties about the signed-in user, answered on every resource.
    match prop {
        Prop::CurrentUserPrincipal => return Some(Value::Href(path::principal(&pc.email))),
        Prop::PrincipalCollectionSet => {
            return Some(Value::Href(format!("{}/principals/", path::PREFIX)));
        }
        Prop::CalendarHomeSet => return Some(Value::Href(path::home(Kind::Calendar, &pc.email))),
        Prop::AddressbookHomeSet => {
            return Some(Value::Href(path::home(Kind::AddressBook, &pc.email)));
        }
        _ => {}
    }
    match res {
        Res::Object(c, m) => match prop {
            Prop::ResourceType => Some(Value::Markers(&[])),
            Prop::GetEtag => Some(Value::Text(m.etag.clone())),
            Prop::GetContentType => Some(Value::Static(match c.kind {
                Kind::Calendar => "text/calendar; charset=utf-8",
                Kind::AddressBook => "text/vcard; charset=utf-8",
            })),
            Prop::GetContentLength => Some(Value::Text(m.size.to_string())),
            Prop::CurrentUserPrivilegeSet => Some(Value::Privileges(privileges(c.access))),
            _ => None,
        },
        Res::Collection(c) => collection_value(pc, c, prop),
        Res::Principal => match prop {
            Prop::ResourceType => Some(Value::Markers(PRINCIPAL)),
            Prop::DisplayName => Some(Value::Text(pc.display_name.clone())),
            Prop::PrincipalUrl => Some(Value::Href(path::principal(&pc.email))),
            Prop::CalendarUserAddressSet => Some(Value::Href(format!("mailto:{}", pc.email))),
            Prop::CurrentUserPrivilegeSet => {
                Some(Value::Privileges(privileges(CalendarAccess::Read)))
            }
            _ => None,
        },
        Res::Home(_) => match prop {
            Prop::ResourceType => Some(Value::Markers(COLLECTION)),
            Prop::DisplayName => Some(Value::Text(pc.display_name.clone())),
            Prop::Owner => Some(Value::Href(path::principal(&pc.email))),
            Prop::CurrentUserPrivilegeSet => {
                let mut p = privileges(CalendarAccess::Read);
                p.extend(["bind", "unbind"]);
                Some(Value::Privileges(p))
            }
            _ => None,
        },
        Res::Person(p) => super::principals::person_value(p, prop),
        Res::Root | Res::Principals | Res::HomeSet(_) => match prop {
            Prop::ResourceType => Some(Value::Markers(COLLECTION)),
            Prop::CurrentUserPrivilegeSet => {
                Some(Value::Privileges(privileges(CalendarAccess::Read)))
            }
            _ => None,
        },
    }
}

/// The value of a property of a calendar or address book, live or dead.
fn collection_value(pc: &PropCtx, c: &Collection, prop: &Prop) -> Option<Value> {
    let calendar = c.kind == Kind::Calendar;
    match prop {
        Prop::ResourceType => Some(Value::Markers(if calendar {
            CALENDAR
        } else {
            ADDRESS_BOOK
        })),
        Prop::DisplayName => Some(Value::Text(c.name.clone())),
        Prop::Owner if c.access == CalendarAccess::Owner => {
            Some(Value::Href(path::principal(&pc.email)))
        }
        Prop::CurrentUserPrivilegeSet => Some(Value::Privileges(privileges(c.access))),
        Prop::SupportedReportSet => Some(Value::Reports(reports(c.kind))),
        Prop::SyncToken => Some(Value::Text(sync_token(pc, c))),
        Prop::GetCtag => Some(Value::Text(format!("\"{}-{}\"", c.generation, c.ctag))),
        Prop::CalendarDescription if calendar => Some(Value::Text(c.description.clone())),
        Prop::SupportedCalendarComponentSet if calendar => {
            Some(Value::Components(c.components.clone()))
        }
        Prop::SupportedCalendarData if calendar => Some(Value::DataTypes {
            ns: CALDAV,
            local: "calendar-data",
            content_type: "text/calendar",
            versions: &["2.0"],
        }),
        Prop::CalendarMaxResourceSize if calendar => {
            Some(Value::Text(MAX_RESOURCE_SIZE.to_string()))
        }
        Prop::CalendarColor if calendar => c.color.clone().map(Value::Text),
        Prop::AddressbookDescription if !calendar => Some(Value::Text(c.description.clone())),
        Prop::SupportedAddressData if !calendar => Some(Value::DataTypes {
            ns: CARDDAV,
            local: "address-data-type",
            content_type: "text/vcard",
            versions: &["3.0", "4.0"],
        }),
        Prop::AddressbookMaxResourceSize if !calendar => {
            Some(Value::Text(MAX_RESOURCE_SIZE.to_string()))
        }
        Prop::Other(name) => c
            .dead
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| Value::Raw(v.clone())),
        _ => None,
    }
}

/// Properties returned for `allprop` / `propname`.
fn all_props(res: &Res<'_>) -> Vec<Prop> {
    let mut props = vec![Prop::ResourceType];
    match res {
        Res::Object(..) => {
            props.extend([Prop::GetEtag, Prop::GetContentType, Prop::GetContentLength])
        }
        Res::Collection(c) => {
            props.extend([Prop::DisplayName, Prop::SyncToken, Prop::GetCtag]);
            match c.kind {
                Kind::Calendar => props.extend([
                    Prop::CalendarDescription,
                    Prop::SupportedCalendarComponentSet,
                    Prop::CalendarColor,
                ]),
                Kind::AddressBook => {
                    props.extend([Prop::AddressbookDescription, Prop::SupportedAddressData])
                }
            }
            props.extend(c.dead.iter().map(|(n, _)| Prop::Other(n.clone())));
        }
        Res::Principal => props.extend([
            Prop::DisplayName,
            Prop::PrincipalUrl,
            Prop::CalendarHomeSet,
            Prop::AddressbookHomeSet,
            Prop::CalendarUserAddressSet,
        ]),
        Res::Home(_) => props.push(Prop::DisplayName),
        Res::Person(_) => props.extend([
            Prop::DisplayName,
            Prop::PrincipalUrl,
            Prop::CalendarUserAddressSet,
        ]),
        _ => {}
    }
    props
}

/// Writes one resource's answer for `wanted`.
pub fn respond(ms: &mut Multistatus, pc: &PropCtx, res: &Res<'_>, wanted: &Wanted) {
    let href_value = href_of(pc, res);
    match wanted {
        Wanted::All => {
            let props = all_props(res);
            let found: Vec<(&Prop, Value)> = props
                .iter()
                .filter_map(|p| value(pc, res, p).map(|v| (p, v)))
                .collect();
            ms.propstat(&href_value, &found, &[]);
        }
        Wanted::Names => {
            let props = all_props(res);
            let found: Vec<(&Prop, Value)> =
                props.iter().map(|p| (p, Value::Markers(&[]))).collect();
            ms.propstat(&href_value, &found, &[]);
        }
        Wanted::Props(props) => {
            let mut found = Vec::with_capacity(props.len());
            let mut missing = Vec::new();
            for p in props {
                match value(pc, res, p) {
                    Some(v) => found.push((p, v)),
                    None => missing.push(p),
                }
            }
            ms.propstat(&href_value, &found, &missing);
        }
    }
}

pub async fn propfind(ctx: &Ctx, body: &[u8]) -> DavResult {
    let wanted = Wanted::parse_propfind(body)?;
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

/// PROPPATCH on a collection: name, colour and description are stored as ksuite's own;
/// anything else that is not protected is kept as a dead property (Apple's calendar-order
/// and the like). All or nothing (RFC 4918 §9.2).
pub async fn proppatch(ctx: &Ctx, body: &[u8]) -> DavResult {
    let Target::Collection(k, owner, seg) = &ctx.target else {
        return Err(DavError::Status(StatusCode::FORBIDDEN));
    };
    let c = ctx.collection(*k, owner, seg).await?;
    let ops = model::parse_proppatch(body)?;
    let calendar = c.kind == Kind::Calendar;
    let mut name = None;
    let mut color = None;
    let mut description = None;
    let mut dead: Vec<store::DeadChange<'_>> = Vec::new();
    let mut ok: Vec<Prop> = Vec::new();
    let mut refused: Vec<Prop> = Vec::new();
    let mut dead_count = c.dead.len();
    for op in &ops {
        let text = op.value.as_ref().map(|v| v.text.as_str());
        let accepted = match (&op.prop, text) {
            (Prop::DisplayName, Some(t)) if !t.is_empty() && t.chars().count() <= 100 => {
                name = Some(t.to_string());
                true
            }
            (Prop::CalendarColor, Some(t)) if calendar => {
                color = color_of(t);
                color.is_some()
            }
            (Prop::CalendarColor, None) if calendar => {
                color = Some(crate::calendar::store::DEFAULT_COLOR.to_string());
                true
            }
            (Prop::CalendarDescription, t) if calendar => {
                description = Some(t.unwrap_or_default().to_string());
                true
            }
            (Prop::AddressbookDescription, t) if !calendar => {
                description = Some(t.unwrap_or_default().to_string());
                true
            }
            (Prop::Other(n), _) if !op.prop.is_protected() => {
                let value = op.value.as_ref().map(|v| v.xml.as_str());
                if value.is_some() && !c.dead.iter().any(|(d, _)| d == n) {
                    dead_count += 1;
                }
                let fits = value.is_none_or(|v| v.len() <= store::MAX_DEAD_VALUE)
                    && dead_count <= store::MAX_DEAD_PROPERTIES;
                if fits {
                    dead.push(store::DeadChange { name: n, value });
                }
                fits
            }
            _ => false,
        };
        if accepted {
            ok.push(op.prop.clone());
        } else {
            refused.push(op.prop.clone());
        }
    }
    let href_value = path::collection(c.kind, &ctx.user.email, &c.segment);
    let mut ms = Multistatus::new();
    if c.access != CalendarAccess::Owner {
        let all: Vec<Prop> = ok.into_iter().chain(refused).collect();
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
        store::set_properties(&ctx.state.db, &c, live, &dead).await?;
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
