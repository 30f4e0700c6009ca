//! Reading and writing iCalendar objects with the `icalendar` crate's parser. An object is
//! one VCALENDAR holding every VEVENT of one UID (the master and its modified
//! occurrences) plus the VTIMEZONEs they use: the unit CalDAV stores, and what we keep
//! verbatim so unknown properties and VALARMs survive.

use chrono::Duration;
use icalendar::parser::{self, Component, Parameter, Property, read_calendar, unfold};

use super::time::{IcalTime, parse_duration};

const PRODID: &str = "-//ksuite//ksuite calendar//EN";

/// The parts of a VEVENT the server understands.
#[derive(Clone, Debug)]
pub struct EventData {
    pub recurrence_id: Option<IcalTime>,
    pub summary: String,
    pub start: IcalTime,
    pub end: Option<IcalTime>,
    pub duration: Option<Duration>,
    pub location: Option<String>,
    pub description: Option<String>,
    pub transparent: bool,
    pub rrule: Option<String>,
    pub rdates: Vec<IcalTime>,
    pub exdates: Vec<IcalTime>,
    pub cancelled: bool,
    /// A VTODO with neither DTSTART nor DUE: it belongs to no time range in particular.
    pub undated: bool,
    /// Its VALARMs.
    pub alarms: Vec<super::alarms::Alarm>,
    /// Alarms due up to this instant were dismissed (`X-MOZ-LASTACK`).
    pub last_ack: Option<chrono::DateTime<chrono::Utc>>,
}

impl EventData {
    /// Length of each occurrence: DTEND − DTSTART, else DURATION, else one day for dates
    /// and zero for date-times (RFC 5545 §3.6.1).
    pub fn length(&self, zone: chrono_tz::Tz) -> Duration {
        if let Some(end) = &self.end {
            return (end.to_utc(zone) - self.start.to_utc(zone)).max(Duration::zero());
        }
        if let Some(d) = self.duration {
            return d.max(Duration::zero());
        }
        if self.start.is_date() {
            Duration::days(1)
        } else {
            Duration::zero()
        }
    }
}

/// One stored object, parsed.
#[derive(Clone, Debug)]
pub struct EventObject {
    pub uid: String,
    /// `VEVENT`, `VTODO` or `VJOURNAL` (an object holds one kind).
    pub component: &'static str,
    pub master: Option<EventData>,
    pub overrides: Vec<EventData>,
}

fn text(p: &Property<'_>) -> String {
    p.val.clone().unescape_text().as_str().to_string()
}

fn param<'a>(p: &'a Property<'_>, key: &str) -> Option<&'a str> {
    p.params
        .iter()
        .find(|x| x.key.as_str().eq_ignore_ascii_case(key))
        .and_then(|x| x.val.as_ref().map(|v| v.as_str()))
}

fn time_of(p: &Property<'_>) -> Result<IcalTime, String> {
    IcalTime::parse(p.val.as_str(), param(p, "TZID"), param(p, "VALUE"))
        .map_err(|e| format!("{}: {e}", p.name.as_str()))
}

/// Values of a multi-valued date property (EXDATE/RDATE may list several, comma-separated).
fn times_of(p: &Property<'_>) -> Result<Vec<IcalTime>, String> {
    p.val
        .as_str()
        .split(',')
        .filter(|v| !v.trim().is_empty())
        .map(|v| {
            IcalTime::parse(v, param(p, "TZID"), param(p, "VALUE"))
                .map_err(|e| format!("{}: {e}", p.name.as_str()))
        })
        .collect()
}

/// One VEVENT, VTODO or VJOURNAL; `start_optional` for the last two, which may be undated.
fn read_event(c: &Component<'_>, start_optional: bool) -> Result<EventData, String> {
    let mut data = EventData {
        recurrence_id: None,
        summary: String::new(),
        start: IcalTime::Date(chrono::NaiveDate::default()),
        end: None,
        duration: None,
        location: None,
        description: None,
        transparent: false,
        rrule: None,
        rdates: Vec::new(),
        exdates: Vec::new(),
        cancelled: false,
        undated: false,
        alarms: super::alarms::read_alarms(c),
        last_ack: super::alarms::last_ack(c),
    };
    let mut has_start = false;
    let mut due = None;
    for p in &c.properties {
        match p.name.as_str().to_ascii_uppercase().as_str() {
            "DTSTART" => {
                data.start = time_of(p)?;
                has_start = true;
            }
            "DTEND" => data.end = Some(time_of(p)?),
            "DUE" if start_optional => due = Some(time_of(p)?),
            "DURATION" => data.duration = Some(parse_duration(p.val.as_str())?),
            "RECURRENCE-ID" => data.recurrence_id = Some(time_of(p)?),
            "SUMMARY" => data.summary = text(p),
            "LOCATION" => data.location = Some(text(p)).filter(|s| !s.is_empty()),
            "DESCRIPTION" => data.description = Some(text(p)).filter(|s| !s.is_empty()),
            "TRANSP" => data.transparent = p.val.as_str().eq_ignore_ascii_case("TRANSPARENT"),
            "STATUS" => data.cancelled = p.val.as_str().eq_ignore_ascii_case("CANCELLED"),
            "RRULE" => data.rrule = Some(p.val.as_str().to_string()),
            "RDATE" if param(p, "VALUE").is_none_or(|v| !v.eq_ignore_ascii_case("PERIOD")) => {
                data.rdates.extend(times_of(p)?)
            }
            "EXDATE" => data.exdates.extend(times_of(p)?),
            _ => {}
        }
    }
    if start_optional {
        // A to-do spans DTSTART..DUE; with only one of them it is that instant.
        match (has_start, due) {
            (true, due) => data.end = data.end.take().or(due),
            (false, Some(due)) => data.start = due,
            (false, None) => data.undated = true,
        }
    } else if !has_start {
        return Err("the event has no start (DTSTART)".into());
    }
    Ok(data)
}

fn uid_of(c: &Component<'_>) -> Option<String> {
    c.find_prop("UID")
        .map(|p| p.val.as_str().trim().to_string())
        .filter(|u| !u.is_empty())
}

/// Parses a stored object (one UID).
pub fn parse_object(source: &str) -> Result<EventObject, String> {
    let unfolded = unfold(source);
    let cal = read_calendar(&unfolded).map_err(|e| format!("not valid iCalendar: {e}"))?;
    let mut uid = None;
    let mut master = None;
    let mut overrides = Vec::new();
    let mut component = None;
    for c in &cal.components {
        let kind = match c.name.as_str().to_ascii_uppercase().as_str() {
            "VEVENT" => "VEVENT",
            "VTODO" => "VTODO",
            // Journal entries are kept for the devices that write them; they have a date
            // (or none) like a to-do, and the web calendar does not show them.
            "VJOURNAL" => "VJOURNAL",
            "VTIMEZONE" => continue,
            other => return Err(format!("{other} objects are not stored in calendars")),
        };
        if *component.get_or_insert(kind) != kind {
            return Err(
                "an object may hold one kind of component: events, to-dos or journal entries"
                    .into(),
            );
        }
        let this_uid = uid_of(c).ok_or("an event has no UID")?;
        if uid.get_or_insert_with(|| this_uid.clone()) != &this_uid {
            return Err("an object may only hold events of one UID".into());
        }
        let data = read_event(c, kind != "VEVENT")?;
        if data.recurrence_id.is_some() {
            overrides.push(data);
        } else if master.replace(data).is_some() {
            return Err("two events with the same UID and no RECURRENCE-ID".into());
        }
    }
    let uid = uid.ok_or("the calendar object holds no event")?;
    Ok(EventObject {
        uid,
        component: component.unwrap_or("VEVENT"),
        master,
        overrides,
    })
}

/// A file split into one object per UID, and what could not be used.
pub struct SplitFile {
    pub objects: Vec<(String, String)>,
    pub skipped: Vec<(Option<String>, String)>,
}

/// Splits an .ics file (one or several VCALENDARs) into per-UID objects, each with the
/// VTIMEZONEs it references.
pub fn split_file(content: &str) -> Result<SplitFile, String> {
    let unfolded = unfold(content);
    let roots =
        parser::read_components(&unfolded).map_err(|e| format!("not valid iCalendar: {e}"))?;
    let calendars: Vec<&Component<'_>> = roots
        .iter()
        .filter(|c| c.name.as_str().eq_ignore_ascii_case("VCALENDAR"))
        .collect();
    if calendars.is_empty() {
        return Err("the file contains no VCALENDAR".into());
    }
    let mut timezones: Vec<(String, Component<'_>)> = Vec::new();
    let mut groups: Vec<(String, Vec<Component<'_>>)> = Vec::new();
    // UID → position in `groups`: finding a series' other parts stays O(1).
    let mut group_of: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut skipped = Vec::new();
    for cal in calendars {
        for c in &cal.components {
            let name = c.name.as_str().to_ascii_uppercase();
            match name.as_str() {
                "VTIMEZONE" => {
                    if let Some(id) = c.find_prop("TZID").map(|p| p.val.as_str().to_string()) {
                        timezones.push((id, c.clone()));
                    }
                }
                "VEVENT" => match uid_of(c) {
                    Some(uid) => match group_of.get(&uid) {
                        Some(&i) => groups[i].1.push(c.clone()),
                        None => {
                            group_of.insert(uid.clone(), groups.len());
                            groups.push((uid, vec![c.clone()]));
                        }
                    },
                    None => skipped.push((None, "an event without UID".to_string())),
                },
                "VTODO" | "VJOURNAL" | "VFREEBUSY" => skipped.push((
                    uid_of(c),
                    format!("{name} entries are not imported into a calendar"),
                )),
                _ => {}
            }
        }
    }
    let mut objects = Vec::new();
    for (uid, events) in groups {
        let used: Vec<&str> = events
            .iter()
            .flat_map(|e| e.properties.iter())
            .filter_map(|p| param(p, "TZID"))
            .collect();
        let mut components: Vec<Component<'_>> = timezones
            .iter()
            .filter(|(id, _)| used.contains(&id.as_str()))
            .map(|(_, c)| c.clone())
            .collect();
        components.dedup_by(|a, b| {
            a.find_prop("TZID").map(|p| p.val.as_str())
                == b.find_prop("TZID").map(|p| p.val.as_str())
        });
        components.extend(events);
        let text = write_calendar(components);
        objects.push((uid, text));
    }
    Ok(SplitFile { objects, skipped })
}

/// The components of a stored object, owned so they can be edited and written back.
fn stored_components(source: &str) -> Result<Vec<Component<'static>>, String> {
    let unfolded = unfold(source);
    let cal = read_calendar(&unfolded).map_err(|e| format!("stored object unreadable: {e}"))?;
    Ok(cal.components.iter().map(owned_component).collect())
}

fn write_calendar(components: Vec<Component<'_>>) -> String {
    let cal = parser::Calendar {
        properties: vec![
            Property::new_ref("VERSION", "2.0"),
            Property::new_ref("PRODID", PRODID),
        ],
        components,
    };
    cal.to_string()
}

/// Joins objects into one .ics file for export.
pub fn join_objects(sources: &[String], name: &str) -> String {
    let mut components: Vec<Component<'static>> = Vec::new();
    let mut seen_tz: Vec<String> = Vec::new();
    for source in sources {
        let unfolded = unfold(source);
        let Ok(cal) = read_calendar(&unfolded) else {
            continue;
        };
        for c in cal.components {
            if c.name.as_str().eq_ignore_ascii_case("VTIMEZONE") {
                let id = c
                    .find_prop("TZID")
                    .map(|p| p.val.as_str().to_string())
                    .unwrap_or_default();
                if seen_tz.contains(&id) {
                    continue;
                }
                seen_tz.push(id);
            }
            components.push(owned_component(&c));
        }
    }
    let mut cal = parser::Calendar {
        properties: vec![
            Property::new_ref("VERSION", "2.0"),
            Property::new_ref("PRODID", PRODID),
        ],
        components,
    };
    cal.properties.push(owned_property(
        "X-WR-CALNAME",
        &escape_text(name),
        Vec::new(),
    ));
    cal.to_string()
}

fn owned_property(name: &str, value: &str, params: Vec<(&str, String)>) -> Property<'static> {
    Property {
        name: name.to_string().into(),
        val: value.to_string().into(),
        params: params
            .into_iter()
            .map(|(k, v)| Parameter {
                key: k.to_string().into(),
                val: Some(v.into()),
            })
            .collect(),
    }
}

fn owned_component(c: &Component<'_>) -> Component<'static> {
    Component {
        name: c.name.to_owned(),
        properties: c
            .properties
            .iter()
            .map(|p| Property {
                name: p.name.to_owned(),
                val: p.val.to_owned(),
                params: p
                    .params
                    .iter()
                    .map(|x| Parameter {
                        key: x.key.to_owned(),
                        val: x.val.as_ref().map(|v| v.to_owned()),
                    })
                    .collect(),
            })
            .collect(),
        components: c.components.iter().map(owned_component).collect(),
    }
}

/// RFC 5545 TEXT escaping.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// What the editor sets on a VEVENT; other properties and sub-components stay.
pub struct EventFields {
    pub summary: String,
    pub start: IcalTime,
    pub end: IcalTime,
    pub location: Option<String>,
    pub description: Option<String>,
    pub transparent: bool,
    pub rrule: Option<String>,
    /// The owner's reminders (written as VALARMs); `None` keeps the alarms there are.
    pub reminders: Option<Vec<ksuite_common::Reminder>>,
    /// Where e-mail alarms go (the owner's address).
    pub alarm_email: Option<String>,
}

/// Properties the editor owns on the master VEVENT.
const MANAGED: [&str; 9] = [
    "SUMMARY",
    "DTSTART",
    "DTEND",
    "DURATION",
    "LOCATION",
    "DESCRIPTION",
    "TRANSP",
    "RRULE",
    "DTSTAMP",
];

fn apply_fields(props: &mut Vec<Property<'static>>, f: &EventFields, sequence_bump: bool) {
    props.retain(|p| {
        !MANAGED
            .iter()
            .any(|m| p.name.as_str().eq_ignore_ascii_case(m))
    });
    let now = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    props.push(owned_property("DTSTAMP", &now, Vec::new()));
    let (sp, sv) = f.start.to_ical();
    props.push(owned_property("DTSTART", &sv, sp));
    let (ep, ev) = f.end.to_ical();
    props.push(owned_property("DTEND", &ev, ep));
    props.push(owned_property(
        "SUMMARY",
        &escape_text(&f.summary),
        Vec::new(),
    ));
    if let Some(l) = &f.location {
        props.push(owned_property("LOCATION", &escape_text(l), Vec::new()));
    }
    if let Some(d) = &f.description {
        props.push(owned_property("DESCRIPTION", &escape_text(d), Vec::new()));
    }
    props.push(owned_property(
        "TRANSP",
        if f.transparent {
            "TRANSPARENT"
        } else {
            "OPAQUE"
        },
        Vec::new(),
    ));
    if let Some(r) = &f.rrule {
        props.push(owned_property("RRULE", r, Vec::new()));
    }
    set_last_modified(props, &now, sequence_bump);
}

fn set_last_modified(props: &mut Vec<Property<'static>>, now: &str, sequence_bump: bool) {
    props.retain(|p| !p.name.as_str().eq_ignore_ascii_case("LAST-MODIFIED"));
    props.push(owned_property("LAST-MODIFIED", now, Vec::new()));
    if sequence_bump {
        let seq = props
            .iter()
            .find(|p| p.name.as_str().eq_ignore_ascii_case("SEQUENCE"))
            .and_then(|p| p.val.as_str().trim().parse::<u32>().ok());
        props.retain(|p| !p.name.as_str().eq_ignore_ascii_case("SEQUENCE"));
        props.push(owned_property(
            "SEQUENCE",
            &seq.map_or(0, |s| s + 1).to_string(),
            Vec::new(),
        ));
    }
}

/// A new object with one master event.
pub fn new_object(uid: &str, f: &EventFields) -> String {
    let mut props = vec![owned_property("UID", uid, Vec::new())];
    let now = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    props.push(owned_property("CREATED", &now, Vec::new()));
    apply_fields(&mut props, f, false);
    let mut event = Component {
        name: "VEVENT".to_string().into(),
        properties: props,
        components: Vec::new(),
    };
    apply_alarms(&mut event, f);
    write_calendar(vec![event])
}

/// Edits an existing object: a new master (`recurrence_id == None`) or the override of
/// one occurrence, keeping everything the editor does not own.
pub fn update_object(
    source: &str,
    f: &EventFields,
    recurrence_id: Option<&IcalTime>,
) -> Result<String, String> {
    let mut components = stored_components(source)?;
    let uid = components
        .iter()
        .find(|c| c.name.as_str().eq_ignore_ascii_case("VEVENT"))
        .and_then(uid_of)
        .ok_or("stored object has no event")?;
    let target = components.iter_mut().find(|c| {
        c.name.as_str().eq_ignore_ascii_case("VEVENT") && same_recurrence(c, recurrence_id)
    });
    match (target, recurrence_id) {
        (Some(c), None) => {
            apply_fields(&mut c.properties, f, true);
            apply_alarms(c, f);
            if let Some(until) = f.rrule.as_deref().and_then(rule_until) {
                drop_overrides_after(&mut components, until);
            }
        }
        (Some(c), Some(_)) => {
            let mut fields = EventFields {
                rrule: None,
                ..clone_fields(f)
            };
            fields.rrule = None;
            apply_fields(&mut c.properties, &fields, true);
        }
        (None, Some(rid)) => {
            let mut props = vec![owned_property("UID", &uid, Vec::new())];
            let (rp, rv) = rid.to_ical();
            props.push(owned_property("RECURRENCE-ID", &rv, rp));
            let fields = EventFields {
                rrule: None,
                ..clone_fields(f)
            };
            apply_fields(&mut props, &fields, false);
            components.push(Component {
                name: "VEVENT".to_string().into(),
                properties: props,
                components: Vec::new(),
            });
        }
        (None, None) => return Err("stored object has no master event".into()),
    }
    Ok(write_calendar(components))
}

/// The UNTIL of a rule as a UTC instant (a date UNTIL covers that whole day).
fn rule_until(rule: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let value = rule
        .split(';')
        .find_map(|part| part.trim().strip_prefix("UNTIL="))?;
    let until = IcalTime::parse(value, None, None).ok()?;
    let end = until.to_utc(chrono_tz::UTC);
    Some(match until {
        IcalTime::Date(_) => end + chrono::Duration::days(1) - chrono::Duration::seconds(1),
        _ => end,
    })
}

/// Ending a series ("this and following") must also end its modified occurrences after
/// the cut: they would otherwise still show as lone events.
fn drop_overrides_after(
    components: &mut Vec<Component<'static>>,
    until: chrono::DateTime<chrono::Utc>,
) {
    components.retain(|c| {
        let own = c
            .find_prop("RECURRENCE-ID")
            .and_then(|p| time_of(p).ok())
            .map(|t| t.to_utc(chrono_tz::UTC));
        !(c.name.as_str().eq_ignore_ascii_case("VEVENT") && own.is_some_and(|t| t > until))
    });
}

/// Replaces the reminders of the master event only (the app's reminder editor).
pub fn set_alarms(
    source: &str,
    reminders: &[ksuite_common::Reminder],
    email: Option<&str>,
) -> Result<String, String> {
    let mut components = stored_components(source)?;
    let master = components
        .iter_mut()
        .find(|c| {
            (c.name.as_str().eq_ignore_ascii_case("VEVENT")
                || c.name.as_str().eq_ignore_ascii_case("VTODO"))
                && c.find_prop("RECURRENCE-ID").is_none()
        })
        .ok_or("the object has no main event")?;
    let summary = master.find_prop("SUMMARY").map(text).unwrap_or_default();
    super::alarms::replace_alarms(master, reminders, &summary, email);
    let now = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    set_last_modified(&mut master.properties, &now, false);
    Ok(write_calendar(components))
}

fn apply_alarms(event: &mut Component<'static>, f: &EventFields) {
    if let Some(reminders) = &f.reminders {
        super::alarms::replace_alarms(event, reminders, &f.summary, f.alarm_email.as_deref());
    }
}

fn clone_fields(f: &EventFields) -> EventFields {
    EventFields {
        summary: f.summary.clone(),
        start: f.start,
        end: f.end,
        location: f.location.clone(),
        description: f.description.clone(),
        transparent: f.transparent,
        rrule: f.rrule.clone(),
        reminders: None,
        alarm_email: None,
    }
}

fn same_recurrence(c: &Component<'_>, rid: Option<&IcalTime>) -> bool {
    let own = c.find_prop("RECURRENCE-ID").and_then(|p| time_of(p).ok());
    match (own, rid) {
        (None, None) => true,
        (Some(a), Some(b)) => a.to_utc(chrono_tz::UTC) == b.to_utc(chrono_tz::UTC),
        _ => false,
    }
}

/// Removes one occurrence: an EXDATE on the master, and its override if any.
pub fn exclude_occurrence(source: &str, rid: &IcalTime) -> Result<String, String> {
    let mut components = stored_components(source)?;
    components.retain(|c| {
        !(c.name.as_str().eq_ignore_ascii_case("VEVENT") && same_recurrence(c, Some(rid)))
    });
    let master = components
        .iter_mut()
        .find(|c| {
            c.name.as_str().eq_ignore_ascii_case("VEVENT") && c.find_prop("RECURRENCE-ID").is_none()
        })
        .ok_or("the event has no series to remove an occurrence from")?;
    let (params, value) = rid.to_ical();
    master
        .properties
        .push(owned_property("EXDATE", &value, params));
    let now = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    set_last_modified(&mut master.properties, &now, true);
    Ok(write_calendar(components))
}

/// The object's occurrences in `[from, to)` as separate components in UTC, without
/// recurrence rules (CalDAV `expand`, RFC 4791 §9.6.5). Unknown properties and alarms of
/// each instance's master or override are kept.
pub fn expand_to_utc(
    source: &str,
    from: chrono::DateTime<chrono::Utc>,
    to: chrono::DateTime<chrono::Utc>,
    reader: chrono_tz::Tz,
    budget: &mut super::expand::Budget,
) -> Result<String, super::expand::ExpandError> {
    use super::expand::ExpandError;
    let obj = parse_object(source).map_err(ExpandError::Invalid)?;
    let instances = super::expand::occurrences(&obj, from, to, reader, budget)?;
    let unfolded = unfold(source);
    let cal = read_calendar(&unfolded)
        .map_err(|e| ExpandError::Invalid(format!("not valid iCalendar: {e}")))?;
    let items: Vec<&Component<'_>> = cal
        .components
        .iter()
        .filter(|c| !c.name.as_str().eq_ignore_ascii_case("VTIMEZONE"))
        .collect();
    let master = items
        .iter()
        .find(|c| c.find_prop("RECURRENCE-ID").is_none());
    let overrides: Vec<&&Component<'_>> = items
        .iter()
        .filter(|c| c.find_prop("RECURRENCE-ID").is_some())
        .collect();
    const TIMING: [&str; 7] = [
        "DTSTART",
        "DTEND",
        "DURATION",
        "RRULE",
        "RDATE",
        "EXDATE",
        "RECURRENCE-ID",
    ];
    let mut out = Vec::new();
    for i in &instances {
        // Each instance repeats (about) the whole object: charged before it is built.
        budget.answer(source.len())?;
        let comp = match obj.overrides.iter().position(|o| std::ptr::eq(o, i.event)) {
            Some(n) => overrides.get(n).map(|c| **c),
            None => master.copied(),
        };
        let Some(comp) = comp else { continue };
        let mut c = owned_component(comp);
        c.properties.retain(|p| {
            !TIMING
                .iter()
                .any(|t| p.name.as_str().eq_ignore_ascii_case(t))
        });
        let date = i.event.start.is_date();
        let stamp = |t: chrono::DateTime<chrono::Utc>| {
            if date {
                (
                    t.format("%Y%m%d").to_string(),
                    vec![("VALUE", "DATE".to_string())],
                )
            } else {
                (t.format("%Y%m%dT%H%M%SZ").to_string(), Vec::new())
            }
        };
        let (v, p) = stamp(i.start);
        c.properties.push(owned_property("DTSTART", &v, p));
        let end_name = if obj.component == "VTODO" {
            "DUE"
        } else {
            "DTEND"
        };
        if obj.component != "VTODO" || i.end != i.start {
            let (v, p) = stamp(i.end);
            c.properties
                .retain(|p| !p.name.as_str().eq_ignore_ascii_case(end_name));
            c.properties.push(owned_property(end_name, &v, p));
        }
        if let Some(rid) = i.recurrence_id.filter(|_| i.recurring) {
            let (v, p) = stamp(rid);
            c.properties.push(owned_property("RECURRENCE-ID", &v, p));
        }
        out.push(c);
    }
    Ok(write_calendar(out))
}
