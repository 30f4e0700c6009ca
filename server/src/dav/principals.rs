//! Principal search (RFC 3744 §9.4–9.5): clients look colleagues up by name or address
//! (attendee autocomplete, delegation pickers) among the organization directory, the same
//! people the web app's directory lists. Other people's principals answer a few public
//! properties; their calendars stay theirs.

use axum::http::{StatusCode, header};
use axum::response::IntoResponse;

use super::model::{Condition, PrincipalSearch, Prop, Wanted};
use super::path;
use super::props::{self, PropCtx, Res};
use super::xml::{DAV, Multistatus, Value, XmlWriter};
use super::{Ctx, DavResult, multistatus};
use crate::contacts::directory::{self, Person};

/// Most principals one search answers.
const MAX_RESULTS: usize = 100;

/// The properties a search can match, and how a person's value of each is read.
fn searchable(prop: &Prop, p: &Person) -> Option<Vec<String>> {
    match prop {
        Prop::DisplayName => Some(vec![p.display_name.clone()]),
        Prop::CalendarUserAddressSet | Prop::EmailAddressSet => {
            Some(vec![format!("mailto:{}", p.email), p.email.clone()])
        }
        _ => None,
    }
}

fn matches(condition: &Condition, p: &Person) -> bool {
    let needle = condition.text.to_lowercase();
    condition
        .props
        .iter()
        .filter_map(|prop| searchable(prop, p))
        .flatten()
        .any(|v| v.to_lowercase().contains(&needle))
}

/// A property value of another person's principal.
pub fn person_value(p: &Person, prop: &Prop) -> Option<Value> {
    let email = p.email.as_str();
    match prop {
        Prop::ResourceType => Some(Value::Markers(props::PRINCIPAL)),
        Prop::DisplayName => Some(Value::Text(p.display_name.clone())),
        Prop::PrincipalUrl => Some(Value::Href(path::principal(email))),
        Prop::CalendarUserAddressSet => Some(Value::Href(format!("mailto:{email}"))),
        Prop::EmailAddressSet => Some(Value::EmailAddresses(vec![email.to_string()])),
        Prop::CalendarHomeSet => Some(Value::Href(path::home(path::Kind::Calendar, email))),
        Prop::AddressbookHomeSet => Some(Value::Href(path::home(path::Kind::AddressBook, email))),
        _ => None,
    }
}

/// REPORT principal-property-search.
pub async fn search(ctx: &Ctx, search: PrincipalSearch) -> DavResult {
    let PrincipalSearch {
        conditions,
        all_of,
        wanted,
    } = search;
    // The SQL search narrows by the one text when there is one; the rest is checked here.
    let narrow = match conditions.as_slice() {
        [one] => one.text.as_str(),
        _ if all_of => conditions.first().map_or("", |c| c.text.as_str()),
        _ => "",
    };
    let people = directory::search(&ctx.state.db, narrow, directory::MAX_LISTED).await?;
    let wanted = Wanted::Props(wanted);
    let pc = PropCtx::of(ctx).await?;
    let mut ms = Multistatus::new();
    let mut listed = 0;
    for p in &people {
        let hit = conditions.is_empty()
            || if all_of {
                conditions.iter().all(|c| matches(c, p))
            } else {
                conditions.iter().any(|c| matches(c, p))
            };
        if !hit {
            continue;
        }
        if listed == MAX_RESULTS {
            break;
        }
        listed += 1;
        respond_person(&mut ms, &pc, p, &wanted);
    }
    Ok(multistatus(ms.finish()))
}

/// One principal's answer: our own is the full principal, others the public properties.
pub fn respond_person(ms: &mut Multistatus, pc: &PropCtx, p: &Person, wanted: &Wanted) {
    if p.email == pc.email {
        props::respond(ms, pc, &Res::Principal, wanted);
    } else {
        props::respond(ms, pc, &Res::Person(p), wanted);
    }
}

/// REPORT principal-search-property-set: what a search may look in.
pub fn search_property_set() -> DavResult {
    let mut x = XmlWriter::document(DAV, "principal-search-property-set");
    for (prop, description) in [
        (Prop::DisplayName, "Name"),
        (Prop::CalendarUserAddressSet, "E-mail address"),
    ] {
        let (ns, local) = prop.name();
        x.open(DAV, "principal-search-property");
        x.open(DAV, "prop");
        x.empty(ns, local);
        x.close(DAV, "prop");
        x.leaf(DAV, "description", description);
        x.close(DAV, "principal-search-property");
    }
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        x.finish(),
    )
        .into_response())
}
