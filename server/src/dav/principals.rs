//! Principal search (RFC 3744 §9.4–9.5): clients look colleagues up by name or address
//! (attendee autocomplete, delegation pickers) among the organization directory, the same
//! people the web app's directory lists. Other people's principals answer a few public
//! properties; their calendars stay theirs.

use axum::http::{StatusCode, header};
use axum::response::IntoResponse;

use super::path;
use super::props::{self, PropCtx, Res, Wanted};
use super::xml::{self, CALDAV, CALSERVER, DAV, Element, Multistatus, Name};
use super::{Ctx, DavError, DavResult, multistatus};
use crate::contacts::directory::{self, Person};

/// Most principals one search answers.
const MAX_RESULTS: usize = 100;

/// The properties a search can match, and how a person's value of each is read.
fn searchable(name: &Name, p: &Person) -> Option<Vec<String>> {
    match (name.ns.as_str(), name.local.as_str()) {
        (DAV, "displayname") => Some(vec![p.display_name.clone()]),
        (CALDAV, "calendar-user-address-set") | (CALSERVER, "email-address-set") => {
            Some(vec![format!("mailto:{}", p.email), p.email.clone()])
        }
        _ => None,
    }
}

/// One `property-search`: the properties it looks in and the text to find.
struct Condition {
    props: Vec<Name>,
    text: String,
}

impl Condition {
    fn matches(&self, p: &Person) -> bool {
        let needle = self.text.to_lowercase();
        self.props
            .iter()
            .filter_map(|n| searchable(n, p))
            .flatten()
            .any(|v| v.to_lowercase().contains(&needle))
    }
}

/// A property value of another person's principal.
pub fn person_value(p: &Person, name: &Name) -> Option<xml::Value> {
    use xml::Value;
    let email = p.email.as_str();
    match (name.ns.as_str(), name.local.as_str()) {
        (DAV, "resourcetype") => Some(Value::Xml(
            xml::el(DAV, "collection", "") + &xml::el(DAV, "principal", ""),
        )),
        (DAV, "displayname") => Some(Value::Text(p.display_name.clone())),
        (DAV, "principal-URL") => Some(Value::Xml(xml::href(&path::principal(email)))),
        (CALDAV, "calendar-user-address-set") => {
            Some(Value::Xml(xml::href(&format!("mailto:{email}"))))
        }
        (CALSERVER, "email-address-set") => Some(Value::Xml(xml::el(
            CALSERVER,
            "email-address",
            &xml::escape(email),
        ))),
        (CALDAV, "calendar-home-set") => Some(Value::Xml(xml::href(&path::home(
            path::Kind::Calendar,
            email,
        )))),
        (super::xml::CARDDAV, "addressbook-home-set") => Some(Value::Xml(xml::href(&path::home(
            path::Kind::AddressBook,
            email,
        )))),
        _ => None,
    }
}

/// REPORT principal-property-search.
pub async fn search(ctx: &Ctx, root: &Element) -> DavResult {
    let mut conditions = Vec::new();
    for ps in root.children_named(DAV, "property-search") {
        let props: Vec<Name> = ps
            .child(DAV, "prop")
            .map(|p| p.children.iter().map(|c| c.name.clone()).collect())
            .unwrap_or_default();
        let text = ps
            .child(DAV, "match")
            .map(|m| m.text.trim().to_string())
            .unwrap_or_default();
        if props.is_empty() {
            return Err(DavError::BadRequest(
                "a property-search needs a prop naming what to search".into(),
            ));
        }
        conditions.push(Condition { props, text });
    }
    let all_of = root.attr("test") == Some("allof");
    // The SQL search narrows by the one text when there is one; the rest is checked here.
    let narrow = match conditions.as_slice() {
        [one] => one.text.as_str(),
        _ if all_of => conditions.first().map_or("", |c| c.text.as_str()),
        _ => "",
    };
    let people = directory::search(&ctx.state.db, narrow, directory::MAX_LISTED).await?;
    // python-caldav writes the wanted properties beside an empty `prop` rather than in
    // it; either way they are read.
    let mut names: Vec<Name> = root
        .child(DAV, "prop")
        .map(|p| p.children.iter().map(|c| c.name.clone()).collect())
        .unwrap_or_default();
    names.extend(
        root.children
            .iter()
            .filter(|c| {
                !c.is(DAV, "prop")
                    && !c.is(DAV, "property-search")
                    && !c.is(DAV, "apply-to-principal-collection-set")
            })
            .map(|c| c.name.clone()),
    );
    let wanted = Wanted::Props(names);
    let pc = PropCtx::of(ctx).await?;
    let mut ms = Multistatus::new();
    let mut listed = 0;
    for p in &people {
        let hit = conditions.is_empty()
            || if all_of {
                conditions.iter().all(|c| c.matches(p))
            } else {
                conditions.iter().any(|c| c.matches(p))
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
    let one = |ns: &str, local: &str, description: &str| {
        xml::el(
            DAV,
            "principal-search-property",
            &(xml::el(DAV, "prop", &xml::el(ns, local, ""))
                + &xml::el(DAV, "description", &xml::escape(description))),
        )
    };
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<d:principal-search-property-set {}>{}{}</d:principal-search-property-set>",
        xml::NS_DECLS,
        one(DAV, "displayname", "Name"),
        one(CALDAV, "calendar-user-address-set", "E-mail address"),
    );
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        body,
    )
        .into_response())
}
