//! The typed DAV request model. A request body is read once into these types — every
//! property name into a [`Prop`], every report into a [`Report`] — so the handlers match
//! on enums and never on namespace and name strings, and a malformed body is refused in
//! one place with one clear answer.

use axum::http::StatusCode;
use chrono::{DateTime, Utc};

use super::DavError;
use super::filter::{self, CalendarFilter, CardFilter};
use super::path::Kind;
use super::xml::{self, APPLE_ICAL, CALDAV, CALSERVER, CARDDAV, DAV, Element, Name};

/// A time range `[start, end)` in UTC.
pub type Range = (DateTime<Utc>, DateTime<Utc>);

/// A property, known to ksuite or not (dead properties and ones we do not have).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Prop {
    // WebDAV, ACL, current-principal and sync (RFC 4918, 3744, 5397, 6578).
    ResourceType,
    DisplayName,
    GetEtag,
    GetContentType,
    GetContentLength,
    Owner,
    CurrentUserPrivilegeSet,
    CurrentUserPrincipal,
    PrincipalUrl,
    PrincipalCollectionSet,
    SupportedReportSet,
    SyncToken,
    // CalDAV (RFC 4791).
    CalendarHomeSet,
    CalendarUserAddressSet,
    CalendarDescription,
    SupportedCalendarComponentSet,
    SupportedCalendarData,
    CalendarMaxResourceSize,
    // CardDAV (RFC 6352).
    AddressbookHomeSet,
    AddressbookDescription,
    SupportedAddressData,
    AddressbookMaxResourceSize,
    // calendarserver.org and Apple extensions every client asks for.
    GetCtag,
    EmailAddressSet,
    CalendarColor,
    /// Any other name: a dead property a client stored, or one nobody has.
    Other(Name),
}

/// Every known property, for reading names back into [`Prop`]s.
const KNOWN: [Prop; 25] = [
    Prop::ResourceType,
    Prop::DisplayName,
    Prop::GetEtag,
    Prop::GetContentType,
    Prop::GetContentLength,
    Prop::Owner,
    Prop::CurrentUserPrivilegeSet,
    Prop::CurrentUserPrincipal,
    Prop::PrincipalUrl,
    Prop::PrincipalCollectionSet,
    Prop::SupportedReportSet,
    Prop::SyncToken,
    Prop::CalendarHomeSet,
    Prop::CalendarUserAddressSet,
    Prop::CalendarDescription,
    Prop::SupportedCalendarComponentSet,
    Prop::SupportedCalendarData,
    Prop::CalendarMaxResourceSize,
    Prop::AddressbookHomeSet,
    Prop::AddressbookDescription,
    Prop::SupportedAddressData,
    Prop::AddressbookMaxResourceSize,
    Prop::GetCtag,
    Prop::EmailAddressSet,
    Prop::CalendarColor,
];

impl Prop {
    /// The property an element name stands for.
    pub fn from_name(name: &Name) -> Prop {
        KNOWN
            .iter()
            .find(|p| p.name() == (name.ns.as_str(), name.local.as_str()))
            .cloned()
            .unwrap_or_else(|| Prop::Other(name.clone()))
    }

    /// Its namespace and local name, as written in answers.
    pub fn name(&self) -> (&str, &str) {
        match self {
            Prop::ResourceType => (DAV, "resourcetype"),
            Prop::DisplayName => (DAV, "displayname"),
            Prop::GetEtag => (DAV, "getetag"),
            Prop::GetContentType => (DAV, "getcontenttype"),
            Prop::GetContentLength => (DAV, "getcontentlength"),
            Prop::Owner => (DAV, "owner"),
            Prop::CurrentUserPrivilegeSet => (DAV, "current-user-privilege-set"),
            Prop::CurrentUserPrincipal => (DAV, "current-user-principal"),
            Prop::PrincipalUrl => (DAV, "principal-URL"),
            Prop::PrincipalCollectionSet => (DAV, "principal-collection-set"),
            Prop::SupportedReportSet => (DAV, "supported-report-set"),
            Prop::SyncToken => (DAV, "sync-token"),
            Prop::CalendarHomeSet => (CALDAV, "calendar-home-set"),
            Prop::CalendarUserAddressSet => (CALDAV, "calendar-user-address-set"),
            Prop::CalendarDescription => (CALDAV, "calendar-description"),
            Prop::SupportedCalendarComponentSet => (CALDAV, "supported-calendar-component-set"),
            Prop::SupportedCalendarData => (CALDAV, "supported-calendar-data"),
            Prop::CalendarMaxResourceSize => (CALDAV, "max-resource-size"),
            Prop::AddressbookHomeSet => (CARDDAV, "addressbook-home-set"),
            Prop::AddressbookDescription => (CARDDAV, "addressbook-description"),
            Prop::SupportedAddressData => (CARDDAV, "supported-address-data"),
            Prop::AddressbookMaxResourceSize => (CARDDAV, "max-resource-size"),
            Prop::GetCtag => (CALSERVER, "getctag"),
            Prop::EmailAddressSet => (CALSERVER, "email-address-set"),
            Prop::CalendarColor => (APPLE_ICAL, "calendar-color"),
            Prop::Other(n) => (n.ns.as_str(), n.local.as_str()),
        }
    }

    /// Whether a client may not set it (RFC 4918 §15, RFC 4791 §5.2, RFC 6352 §6.2):
    /// every live property but the names, descriptions and colour, and any other
    /// property in the DAV: namespace.
    pub fn is_protected(&self) -> bool {
        match self {
            Prop::DisplayName
            | Prop::CalendarDescription
            | Prop::AddressbookDescription
            | Prop::CalendarColor => false,
            Prop::Other(n) => n.ns == DAV,
            _ => true,
        }
    }
}

/// The properties named as children of `prop`.
fn props_of(prop: &Element) -> Vec<Prop> {
    prop.children
        .iter()
        .map(|c| Prop::from_name(&c.name))
        .collect()
}

/// What a PROPFIND (or a report's `prop`) asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Wanted {
    All,
    Names,
    Props(Vec<Prop>),
}

impl Wanted {
    /// A PROPFIND body; an empty body asks for all properties (RFC 4918 §9.1).
    pub fn parse_propfind(body: &[u8]) -> Result<Wanted, DavError> {
        if is_blank(body) {
            return Ok(Wanted::All);
        }
        let root = parse_root(body, DAV, "propfind")?;
        if let Some(prop) = root.child(DAV, "prop") {
            return Ok(Wanted::Props(props_of(prop)));
        }
        if root.child(DAV, "propname").is_some() {
            return Ok(Wanted::Names);
        }
        Ok(Wanted::All)
    }
}

fn is_blank(body: &[u8]) -> bool {
    body.iter().all(|b| b.is_ascii_whitespace())
}

/// Parses a body whose root must be `ns:local`.
fn parse_root(body: &[u8], ns: &str, local: &str) -> Result<Element, DavError> {
    let root = xml::parse(body).map_err(DavError::BadRequest)?;
    if !root.is(ns, local) {
        return Err(DavError::BadRequest(format!(
            "the body must be a {local} element in the {ns} namespace"
        )));
    }
    Ok(root)
}

/// The object data a report asks for besides properties.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Data {
    None,
    /// `calendar-data`, expanded to UTC instances in a range when asked.
    Calendar(Option<Range>),
    /// `address-data`: vCard 4.0 (`Some(true)`), 3.0 (`Some(false)`) or as stored.
    Card(Option<bool>),
}

/// A report's `prop`: the data apart, the rest answered like PROPFIND.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportProps {
    pub data: Data,
    pub others: Wanted,
}

impl ReportProps {
    fn read(prop: Option<&Element>) -> Result<ReportProps, DavError> {
        let Some(prop) = prop else {
            return Ok(ReportProps {
                data: Data::None,
                others: Wanted::All,
            });
        };
        let mut data = Data::None;
        let mut others = Vec::new();
        for p in &prop.children {
            if p.is(CALDAV, "calendar-data") {
                let range = match p.child(CALDAV, "expand") {
                    Some(e) => Some(filter::time_range(e).map_err(DavError::BadRequest)?),
                    None => None,
                };
                data = Data::Calendar(range);
            } else if p.is(CARDDAV, "address-data") {
                data = Data::Card(match p.attr("version") {
                    Some("4.0") => Some(true),
                    Some("3.0") => Some(false),
                    _ => None,
                });
            } else {
                others.push(Prop::from_name(&p.name));
            }
        }
        Ok(ReportProps {
            data,
            others: Wanted::Props(others),
        })
    }

    pub fn wants_data(&self) -> bool {
        self.data != Data::None
    }
}

/// One `property-search` of a principal search: where to look and what to find.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    pub props: Vec<Prop>,
    pub text: String,
}

/// A principal-property-search (RFC 3744 §9.4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrincipalSearch {
    pub conditions: Vec<Condition>,
    /// `test="allof"`: every condition must match (the default is any).
    pub all_of: bool,
    pub wanted: Vec<Prop>,
}

impl PrincipalSearch {
    fn read(root: &Element) -> Result<PrincipalSearch, DavError> {
        let mut conditions = Vec::new();
        for ps in root.children_named(DAV, "property-search") {
            let props = ps.child(DAV, "prop").map(props_of).unwrap_or_default();
            if props.is_empty() {
                return Err(DavError::BadRequest(
                    "a property-search needs a prop naming what to search".into(),
                ));
            }
            let text = ps
                .child(DAV, "match")
                .map(|m| m.text.trim().to_string())
                .unwrap_or_default();
            conditions.push(Condition { props, text });
        }
        // python-caldav writes the wanted properties beside an empty `prop` rather than
        // in it; either way they are read.
        let mut wanted = root.child(DAV, "prop").map(props_of).unwrap_or_default();
        wanted.extend(
            root.children
                .iter()
                .filter(|c| {
                    !c.is(DAV, "prop")
                        && !c.is(DAV, "property-search")
                        && !c.is(DAV, "apply-to-principal-collection-set")
                })
                .map(|c| Prop::from_name(&c.name)),
        );
        Ok(PrincipalSearch {
            conditions,
            all_of: root.attr("test") == Some("allof"),
            wanted,
        })
    }
}

/// A REPORT body (RFC 4791 §7, RFC 6352 §8, RFC 6578 §3, RFC 3744 §9).
#[derive(Clone, Debug)]
pub enum Report {
    Multiget {
        kind: Kind,
        props: ReportProps,
        hrefs: Vec<String>,
    },
    CalendarQuery {
        props: ReportProps,
        filter: CalendarFilter,
    },
    AddressbookQuery {
        props: ReportProps,
        filter: CardFilter,
        limit: Option<usize>,
    },
    SyncCollection {
        props: ReportProps,
        /// Empty for a first sync.
        token: String,
        limit: Option<usize>,
    },
    FreeBusy {
        range: Range,
    },
    PrincipalSearch(PrincipalSearch),
    PrincipalSearchPropertySet,
}

impl Report {
    pub fn parse(body: &[u8]) -> Result<Report, DavError> {
        let root = xml::parse(body).map_err(DavError::BadRequest)?;
        let props = || ReportProps::read(root.child(DAV, "prop"));
        let name = (root.name.ns.as_str(), root.name.local.as_str());
        Ok(match name {
            (CALDAV, "calendar-multiget") | (CARDDAV, "addressbook-multiget") => Report::Multiget {
                kind: if name.0 == CALDAV {
                    Kind::Calendar
                } else {
                    Kind::AddressBook
                },
                props: props()?,
                hrefs: root
                    .children_named(DAV, "href")
                    .map(|h| h.text.trim().to_string())
                    .collect(),
            },
            (CALDAV, "calendar-query") => Report::CalendarQuery {
                props: props()?,
                filter: CalendarFilter::read(root.child(CALDAV, "filter"))
                    .map_err(DavError::BadRequest)?,
            },
            (CARDDAV, "addressbook-query") => Report::AddressbookQuery {
                props: props()?,
                filter: CardFilter::read(root.child(CARDDAV, "filter")),
                // A client's nresults it cannot read is no limit (RFC 6352 §8.6.1).
                limit: root
                    .child(CARDDAV, "limit")
                    .and_then(|l| l.child(CARDDAV, "nresults"))
                    .and_then(|n| n.text.trim().parse::<usize>().ok()),
            },
            (DAV, "sync-collection") => Report::SyncCollection {
                props: props()?,
                token: root
                    .child(DAV, "sync-token")
                    .map(|t| t.text.trim().to_string())
                    .unwrap_or_default(),
                limit: sync_limit(&root)?,
            },
            (CALDAV, "free-busy-query") => Report::FreeBusy {
                range: root
                    .child(CALDAV, "time-range")
                    .ok_or_else(|| {
                        DavError::BadRequest("a free-busy-query needs a time-range element".into())
                    })
                    .and_then(|tr| filter::time_range(tr).map_err(DavError::BadRequest))?,
            },
            (DAV, "principal-property-search") => {
                Report::PrincipalSearch(PrincipalSearch::read(&root)?)
            }
            (DAV, "principal-search-property-set") => Report::PrincipalSearchPropertySet,
            _ => return Err(unsupported_report()),
        })
    }

    /// Whether it can be asked of a collection of this kind.
    pub fn applies_to(&self, collection: Kind) -> bool {
        match self {
            Report::Multiget { kind, .. } => *kind == collection,
            Report::CalendarQuery { .. } | Report::FreeBusy { .. } => collection == Kind::Calendar,
            Report::AddressbookQuery { .. } => collection == Kind::AddressBook,
            Report::SyncCollection { .. } => true,
            Report::PrincipalSearch(_) | Report::PrincipalSearchPropertySet => false,
        }
    }
}

/// The 403 for a report this resource does not support (RFC 3253 §3.6).
pub fn unsupported_report() -> DavError {
    DavError::Condition(StatusCode::FORBIDDEN, DAV, "supported-report")
}

/// A sync-collection's DAV:limit, which must be a positive count when present.
fn sync_limit(root: &Element) -> Result<Option<usize>, DavError> {
    match root.child(DAV, "limit").map(|l| l.child(DAV, "nresults")) {
        None => Ok(None),
        Some(n) => n
            .and_then(|n| n.text.trim().parse::<usize>().ok())
            .filter(|n| *n > 0)
            .map(Some)
            .ok_or_else(|| DavError::BadRequest("DAV:limit needs a positive DAV:nresults".into())),
    }
}

/// One property change of a PROPPATCH.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatchOp {
    pub prop: Prop,
    /// `None` removes the property.
    pub value: Option<PatchValue>,
}

/// A value being set: its text (live properties) and its content as XML (dead ones).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatchValue {
    pub text: String,
    pub xml: String,
}

/// A PROPPATCH body (RFC 4918 §14.19): its changes in document order.
pub fn parse_proppatch(body: &[u8]) -> Result<Vec<PatchOp>, DavError> {
    let root = parse_root(body, DAV, "propertyupdate")?;
    let mut ops = Vec::new();
    for action in &root.children {
        let set = action.is(DAV, "set");
        if !set && !action.is(DAV, "remove") {
            continue;
        }
        for prop in action.children_named(DAV, "prop") {
            for p in &prop.children {
                ops.push(PatchOp {
                    prop: Prop::from_name(&p.name),
                    value: set.then(|| PatchValue {
                        text: p.text.trim().to_string(),
                        xml: xml::inner_xml(p),
                    }),
                });
            }
        }
    }
    Ok(ops)
}

/// What a MKCALENDAR or extended MKCOL (RFC 4791 §5.3.1, RFC 5689) asks to create.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MakeCollection {
    /// The kinds the resourcetype asks for (extended MKCOL only).
    pub calendar: bool,
    pub address_book: bool,
    pub display_name: Option<String>,
    pub color: Option<String>,
    pub calendar_description: Option<String>,
    pub addressbook_description: Option<String>,
    /// `supported-calendar-component-set`: the component names asked for, as written.
    pub components: Option<Vec<String>>,
}

impl MakeCollection {
    pub fn parse(body: &[u8], mkcalendar: bool) -> Result<MakeCollection, DavError> {
        if is_blank(body) {
            return Ok(MakeCollection::default());
        }
        let root = if mkcalendar {
            parse_root(body, CALDAV, "mkcalendar")?
        } else {
            parse_root(body, DAV, "mkcol")?
        };
        let Some(props) = root.child(DAV, "set").and_then(|s| s.child(DAV, "prop")) else {
            return Ok(MakeCollection::default());
        };
        let text =
            |ns: &str, local: &str| props.child(ns, local).map(|e| e.text.trim().to_string());
        let rt = props.child(DAV, "resourcetype");
        Ok(MakeCollection {
            calendar: rt.is_some_and(|r| r.child(CALDAV, "calendar").is_some()),
            address_book: rt.is_some_and(|r| r.child(CARDDAV, "addressbook").is_some()),
            display_name: text(DAV, "displayname"),
            color: text(APPLE_ICAL, "calendar-color"),
            calendar_description: text(CALDAV, "calendar-description"),
            addressbook_description: text(CARDDAV, "addressbook-description"),
            components: props
                .child(CALDAV, "supported-calendar-component-set")
                .map(|set| {
                    set.children_named(CALDAV, "comp")
                        .map(|c| c.attr("name").unwrap_or("").to_string())
                        .collect()
                }),
        })
    }
}

#[cfg(test)]
mod tests {
    //! Request bodies as real clients send them (`tests/fixtures/dav/`), read into the
    //! typed model; and a multistatus answer written and compared byte for byte.
    use super::*;
    use crate::dav::xml::{Multistatus, Value};

    macro_rules! fixture {
        ($name:literal) => {
            include_bytes!(concat!("../../tests/fixtures/dav/", $name)).as_slice()
        };
    }

    fn other(ns: &str, local: &str) -> Prop {
        Prop::Other(Name::new(ns, local))
    }

    fn bad_request(r: Result<impl std::fmt::Debug, DavError>) -> String {
        match r {
            Err(DavError::BadRequest(why)) => why,
            other => panic!("expected a 400, got {other:?}"),
        }
    }

    #[test]
    fn propfind_names_known_and_unknown_properties() {
        let wanted = Wanted::parse_propfind(fixture!("propfind-thunderbird.xml")).expect("parses");
        assert_eq!(
            wanted,
            Wanted::Props(vec![
                Prop::ResourceType,
                Prop::Owner,
                Prop::CurrentUserPrincipal,
                Prop::CurrentUserPrivilegeSet,
                Prop::SupportedReportSet,
                Prop::SupportedCalendarComponentSet,
                Prop::GetCtag,
                other("urn:example:unknown", "x-wr-timezone"),
            ])
        );
        assert_eq!(
            Wanted::parse_propfind(fixture!("propfind-propname.xml")).expect("parses"),
            Wanted::Names
        );
        assert_eq!(Wanted::parse_propfind(b" \n").expect("blank"), Wanted::All);
        assert!(
            bad_request(Wanted::parse_propfind(b"<propupdate xmlns=\"DAV:\"/>"))
                .contains("propfind")
        );
    }

    #[test]
    fn every_known_property_reads_back_from_its_name() {
        for p in KNOWN.iter() {
            let (ns, local) = p.name();
            assert_eq!(&Prop::from_name(&Name::new(ns, local)), p);
        }
        // The same local name in two namespaces stays two properties.
        assert_eq!(
            Prop::from_name(&Name::new(CARDDAV, "max-resource-size")),
            Prop::AddressbookMaxResourceSize
        );
        assert_eq!(
            Prop::from_name(&Name::new(CALDAV, "max-resource-size")),
            Prop::CalendarMaxResourceSize
        );
        assert!(Prop::GetEtag.is_protected());
        assert!(other(DAV, "made-up").is_protected());
        assert!(!other(APPLE_ICAL, "calendar-order").is_protected());
        assert!(!Prop::CalendarColor.is_protected());
    }

    #[test]
    fn pending_todo_query_keeps_its_conditions() {
        let Report::CalendarQuery { props, filter } =
            Report::parse(fixture!("calendar-query-pending-todos.xml")).expect("parses")
        else {
            panic!("not a calendar-query");
        };
        assert_eq!(props.data, Data::Calendar(None));
        assert_eq!(props.others, Wanted::Props(vec![Prop::GetEtag]));
        assert_eq!(filter.component.as_deref(), Some("VTODO"));
        assert!(filter.time_range.is_none());
        let [completed, status] = filter.props.as_slice() else {
            panic!("two prop-filters expected: {:?}", filter.props);
        };
        assert_eq!(completed.name, "COMPLETED");
        assert!(completed.is_not_defined);
        assert_eq!(status.name, "STATUS");
        assert!(status.text_matches[0].negate);
        assert!(!status.text_matches[0].matches("cancelled"));
        assert!(status.text_matches[0].matches("NEEDS-ACTION"));
        assert!(
            Report::parse(fixture!("calendar-query-pending-todos.xml"))
                .expect("parses")
                .applies_to(Kind::Calendar)
        );
    }

    #[test]
    fn expanded_query_carries_its_range() {
        let Report::CalendarQuery { props, filter } =
            Report::parse(fixture!("calendar-query-expand.xml")).expect("parses")
        else {
            panic!("not a calendar-query");
        };
        let range = (
            filter::parse_utc("20261201T000000Z").expect("utc"),
            filter::parse_utc("20261208T000000Z").expect("utc"),
        );
        assert_eq!(props.data, Data::Calendar(Some(range)));
        assert_eq!(filter.time_range, Some(range));
        assert_eq!(filter.component.as_deref(), Some("VEVENT"));
    }

    #[test]
    fn sync_collection_token_and_limit() {
        let report = Report::parse(fixture!("sync-collection-limit.xml")).expect("parses");
        assert!(report.applies_to(Kind::AddressBook));
        let Report::SyncCollection {
            props,
            token,
            limit,
        } = report
        else {
            panic!("not a sync-collection");
        };
        assert_eq!(token, "http://ksuite.invalid/sync/7-3");
        assert_eq!(limit, Some(2));
        assert!(!props.wants_data());
        assert!(
            bad_request(Report::parse(fixture!("sync-collection-bad-limit.xml")).map(|_| ()))
                .contains("DAV:limit")
        );
    }

    #[test]
    fn addressbook_multiget_version_and_hrefs() {
        let report = Report::parse(fixture!("addressbook-multiget-v4.xml")).expect("parses");
        assert!(report.applies_to(Kind::AddressBook));
        assert!(!report.applies_to(Kind::Calendar));
        let Report::Multiget { kind, props, hrefs } = report else {
            panic!("not a multiget");
        };
        assert_eq!(kind, Kind::AddressBook);
        assert_eq!(props.data, Data::Card(Some(true)));
        assert_eq!(
            hrefs,
            [
                "/dav/addressbooks/alice/contacts/a.vcf",
                "/dav/addressbooks/alice/contacts/b%20c.vcf"
            ]
        );
    }

    #[test]
    fn free_busy_and_unknown_reports() {
        let report = Report::parse(fixture!("free-busy-query.xml")).expect("parses");
        assert!(!report.applies_to(Kind::AddressBook));
        let Report::FreeBusy { range } = report else {
            panic!("not a free-busy-query");
        };
        assert_eq!(range.0, filter::parse_utc("20261207T000000Z").expect("utc"));
        let missing = br#"<C:free-busy-query xmlns:C="urn:ietf:params:xml:ns:caldav"/>"#;
        assert!(bad_request(Report::parse(missing).map(|_| ())).contains("time-range"));
        let unknown = Report::parse(br#"<D:expand-property xmlns:D="DAV:"/>"#).map(|_| ());
        assert!(matches!(
            unknown,
            Err(DavError::Condition(
                StatusCode::FORBIDDEN,
                DAV,
                "supported-report"
            ))
        ));
    }

    #[test]
    fn principal_search_conditions_and_wanted() {
        let report = Report::parse(fixture!("principal-property-search.xml")).expect("parses");
        assert!(!report.applies_to(Kind::Calendar));
        let Report::PrincipalSearch(search) = report else {
            panic!("not a principal-property-search");
        };
        assert!(search.all_of);
        assert_eq!(
            search.conditions,
            [
                Condition {
                    props: vec![Prop::DisplayName],
                    text: "Bob".into()
                },
                Condition {
                    props: vec![Prop::CalendarUserAddressSet],
                    text: "example.org".into()
                },
            ]
        );
        assert_eq!(search.wanted, [Prop::CalendarHomeSet, Prop::DisplayName]);
        let empty = br#"<D:principal-property-search xmlns:D="DAV:"><D:property-search><D:match>x</D:match></D:property-search></D:principal-property-search>"#;
        assert!(bad_request(Report::parse(empty).map(|_| ())).contains("property-search"));
    }

    #[test]
    fn proppatch_in_document_order() {
        let ops = parse_proppatch(fixture!("proppatch-apple.xml")).expect("parses");
        let order = other(APPLE_ICAL, "calendar-order");
        assert_eq!(
            ops,
            [
                PatchOp {
                    prop: Prop::CalendarColor,
                    value: Some(PatchValue {
                        text: "#FF2968FF".into(),
                        xml: "#FF2968FF".into()
                    })
                },
                PatchOp {
                    prop: order,
                    value: Some(PatchValue {
                        text: "3".into(),
                        xml: "3".into()
                    })
                },
                PatchOp {
                    prop: Prop::DisplayName,
                    value: Some(PatchValue {
                        text: "Work & Travel".into(),
                        xml: "Work &amp; Travel".into()
                    })
                },
                PatchOp {
                    prop: Prop::CalendarDescription,
                    value: None
                },
            ]
        );
    }

    #[test]
    fn make_collection_bodies() {
        let cal = MakeCollection::parse(fixture!("mkcalendar-todos.xml"), true).expect("parses");
        assert_eq!(
            cal,
            MakeCollection {
                display_name: Some("Chores".into()),
                color: Some("blue".into()),
                calendar_description: Some("Things to do".into()),
                components: Some(vec!["VTODO".into()]),
                ..MakeCollection::default()
            }
        );
        let book = MakeCollection::parse(fixture!("mkcol-addressbook.xml"), false).expect("parses");
        assert!(book.address_book && !book.calendar);
        assert_eq!(book.addressbook_description.as_deref(), Some("Colleagues"));
        // A MKCALENDAR body must be a mkcalendar element, and the other way round.
        assert!(
            bad_request(MakeCollection::parse(
                fixture!("mkcol-addressbook.xml"),
                true
            ))
            .contains("mkcalendar")
        );
        assert_eq!(
            MakeCollection::parse(b"", true).expect("blank"),
            MakeCollection::default()
        );
    }

    #[test]
    fn multistatus_written_as_expected() {
        let mut ms = Multistatus::new();
        let x_order = other(APPLE_ICAL, "calendar-order");
        let unknown = other("urn:example:unknown", "x-wr-timezone");
        ms.propstat(
            "/dav/calendars/alice/work/",
            &[
                (
                    &Prop::ResourceType,
                    Value::Markers(&[(DAV, "collection"), (CALDAV, "calendar")]),
                ),
                (&Prop::DisplayName, Value::Text("Work & <Travel>".into())),
                (&Prop::GetCtag, Value::Text("\"7-3\"".into())),
                (
                    &Prop::SupportedCalendarComponentSet,
                    Value::Components(vec!["VTODO".into()]),
                ),
                (
                    &Prop::CurrentUserPrivilegeSet,
                    Value::Privileges(vec!["read"]),
                ),
                (&Prop::Owner, Value::Href("/dav/principals/alice/".into())),
                (&x_order, Value::Raw("3".into())),
            ],
            &[&unknown],
        );
        ms.status("/dav/calendars/alice/work/gone.ics", "404 Not Found");
        ms.sync_token("http://ksuite.invalid/sync/7-3");
        assert_eq!(
            ms.finish(),
            String::from_utf8_lossy(fixture!("multistatus-collection.xml")).trim_end()
        );
    }
}
