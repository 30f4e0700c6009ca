//! Query filters of calendar-query (RFC 4791 §9.7) and addressbook-query (RFC 6352 §10.5):
//! read from the request XML, then matched against stored objects. Property filters look
//! at the unfolded content lines of the component they name, so they work the same for
//! iCalendar and vCard and for properties we do not otherwise understand.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};

use super::xml::{CALDAV, CARDDAV, Element};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchType {
    Equals,
    Contains,
    StartsWith,
    EndsWith,
}

#[derive(Debug, Clone)]
pub struct TextMatch {
    pub value: String,
    pub case_sensitive: bool,
    pub negate: bool,
    pub match_type: MatchType,
}

impl TextMatch {
    fn read(e: &Element) -> TextMatch {
        TextMatch {
            value: e.text.clone(),
            case_sensitive: e.attr("collation") == Some("i;octet"),
            negate: e.attr("negate-condition") == Some("yes"),
            match_type: match e.attr("match-type") {
                Some("equals") => MatchType::Equals,
                Some("starts-with") => MatchType::StartsWith,
                Some("ends-with") => MatchType::EndsWith,
                _ => MatchType::Contains,
            },
        }
    }

    pub fn matches(&self, value: &str) -> bool {
        let (v, q) = if self.case_sensitive {
            (value.to_string(), self.value.clone())
        } else {
            (value.to_lowercase(), self.value.to_lowercase())
        };
        let hit = match self.match_type {
            MatchType::Equals => v == q,
            MatchType::Contains => v.contains(&q),
            MatchType::StartsWith => v.starts_with(&q),
            MatchType::EndsWith => v.ends_with(&q),
        };
        hit != self.negate
    }
}

#[derive(Debug, Clone)]
pub struct PropFilter {
    pub name: String,
    pub is_not_defined: bool,
    pub all_of: bool,
    pub text_matches: Vec<TextMatch>,
}

impl PropFilter {
    fn read(e: &Element, ns: &str) -> PropFilter {
        PropFilter {
            name: e.attr("name").unwrap_or("").to_ascii_uppercase(),
            is_not_defined: e.child(ns, "is-not-defined").is_some(),
            all_of: e.attr("test") == Some("allof"),
            text_matches: e
                .children_named(ns, "text-match")
                .map(TextMatch::read)
                .collect(),
        }
    }

    /// Whether the property values of one component satisfy this filter.
    fn matches(&self, props: &[(String, String)]) -> bool {
        let values: Vec<&str> = props
            .iter()
            .filter(|(n, _)| *n == self.name)
            .map(|(_, v)| v.as_str())
            .collect();
        if self.is_not_defined {
            return values.is_empty();
        }
        if values.is_empty() {
            return false;
        }
        let one = |t: &TextMatch| values.iter().any(|v| t.matches(v));
        match (self.text_matches.is_empty(), self.all_of) {
            (true, _) => true,
            (false, true) => self.text_matches.iter().all(one),
            (false, false) => self.text_matches.iter().any(one),
        }
    }
}

/// A calendar-query filter, as far as we evaluate it: one component kind, an optional
/// time range and property filters on that component.
#[derive(Debug, Clone, Default)]
pub struct CalendarFilter {
    /// `VEVENT`, `VTODO`…; `None` matches any object.
    pub component: Option<String>,
    /// The query asks for objects without that component: nothing we store matches.
    pub component_not_defined: bool,
    pub time_range: Option<(DateTime<Utc>, DateTime<Utc>)>,
    pub props: Vec<PropFilter>,
}

/// A time in a `time-range` attribute (`20260101T000000Z`).
pub fn parse_utc(s: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(s.trim(), "%Y%m%dT%H%M%SZ")
        .ok()
        .map(|n| Utc.from_utc_datetime(&n))
}

/// `start`/`end` of a time-range (either may be missing: open-ended).
pub fn time_range(e: &Element) -> Result<(DateTime<Utc>, DateTime<Utc>), String> {
    let read = |attr: &str, default: DateTime<Utc>| match e.attr(attr) {
        Some(v) => parse_utc(v).ok_or_else(|| {
            format!("time-range {attr}={v:?} is not a UTC date-time like 20260101T000000Z")
        }),
        None => Ok(default),
    };
    let start = read("start", DateTime::<Utc>::MIN_UTC)?;
    let end = read("end", DateTime::<Utc>::MAX_UTC)?;
    if end <= start {
        return Err("time-range end must be after its start".into());
    }
    Ok((start, end))
}

impl CalendarFilter {
    pub fn read(filter: Option<&Element>) -> Result<CalendarFilter, String> {
        let mut out = CalendarFilter::default();
        let Some(filter) = filter else {
            return Ok(out);
        };
        let Some(cal) = filter.child(CALDAV, "comp-filter") else {
            return Ok(out);
        };
        if !cal
            .attr("name")
            .is_some_and(|n| n.eq_ignore_ascii_case("VCALENDAR"))
        {
            return Err("the outer comp-filter must name VCALENDAR".into());
        }
        if cal.child(CALDAV, "is-not-defined").is_some() {
            out.component_not_defined = true;
            return Ok(out);
        }
        let Some(comp) = cal.child(CALDAV, "comp-filter") else {
            return Ok(out);
        };
        out.component = comp.attr("name").map(|n| n.to_ascii_uppercase());
        if comp.child(CALDAV, "is-not-defined").is_some() {
            out.component_not_defined = true;
        }
        if let Some(tr) = comp.child(CALDAV, "time-range") {
            out.time_range = Some(time_range(tr)?);
        }
        out.props = comp
            .children_named(CALDAV, "prop-filter")
            .map(|p| PropFilter::read(p, CALDAV))
            .collect();
        Ok(out)
    }

    /// Property filters against the object's source (time ranges are checked separately).
    pub fn props_match(&self, source: &str) -> bool {
        if self.props.is_empty() {
            return true;
        }
        let component = self.component.as_deref().unwrap_or("VEVENT");
        components(source, component)
            .iter()
            .any(|props| self.props.iter().all(|f| f.matches(props)))
    }
}

/// An addressbook-query filter.
#[derive(Debug, Clone, Default)]
pub struct CardFilter {
    pub all_of: bool,
    pub props: Vec<PropFilter>,
}

impl CardFilter {
    pub fn read(filter: Option<&Element>) -> CardFilter {
        let Some(filter) = filter else {
            return CardFilter::default();
        };
        CardFilter {
            all_of: filter.attr("test") == Some("allof"),
            props: filter
                .children_named(CARDDAV, "prop-filter")
                .map(|p| PropFilter::read(p, CARDDAV))
                .collect(),
        }
    }

    pub fn matches(&self, source: &str) -> bool {
        if self.props.is_empty() {
            return true;
        }
        components(source, "VCARD").iter().any(|props| {
            if self.all_of {
                self.props.iter().all(|f| f.matches(props))
            } else {
                self.props.iter().any(|f| f.matches(props))
            }
        })
    }
}

/// Reverses content-line text escaping (`\,` `\;` `\\` `\n`).
fn unescape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(x) => out.push(x),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Splits a content line into its upper-case name (without group) and its value.
fn split_line(line: &str) -> Option<(String, String)> {
    let mut in_quotes = false;
    let mut name_end = None;
    for (i, c) in line.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            ';' if name_end.is_none() && !in_quotes => name_end = Some(i),
            ':' if !in_quotes => {
                let name = &line[..name_end.unwrap_or(i)];
                let name = name.rsplit('.').next().unwrap_or(name);
                return Some((name.to_ascii_uppercase(), unescape(&line[i + 1..])));
            }
            _ => {}
        }
    }
    None
}

/// The (name, value) lines of every `component` in the source, each component apart.
fn components(source: &str, component: &str) -> Vec<Vec<(String, String)>> {
    let unfolded = source
        .replace("\r\n ", "")
        .replace("\r\n\t", "")
        .replace("\n ", "")
        .replace("\n\t", "");
    let mut out = Vec::new();
    let mut stack: Vec<String> = Vec::new();
    for line in unfolded.lines() {
        let Some((name, value)) = split_line(line.trim_end_matches('\r')) else {
            continue;
        };
        match name.as_str() {
            "BEGIN" => {
                let kind = value.trim().to_ascii_uppercase();
                if kind == component {
                    out.push(Vec::new());
                }
                stack.push(kind);
            }
            "END" => {
                stack.pop();
            }
            _ => {
                if stack.last().is_some_and(|k| k == component)
                    && let Some(props) = out.last_mut()
                {
                    props.push((name, value));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dav::xml;

    const CARD: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:u1\r\nFN:Jane Doe\r\nitem1.EMAIL;TYPE=work:jane@ex\r\n ample.com\r\nNOTE:a\\, b\r\nEND:VCARD\r\n";

    #[test]
    fn card_filters() {
        let f = |x: &str| {
            let root = xml::parse(x.as_bytes()).expect("xml");
            CardFilter::read(Some(&root))
        };
        let ns = "xmlns:C=\"urn:ietf:params:xml:ns:carddav\"";
        assert!(f(&format!("<C:filter {ns}><C:prop-filter name=\"EMAIL\"><C:text-match>JANE@EXAMPLE</C:text-match></C:prop-filter></C:filter>")).matches(CARD));
        assert!(f(&format!("<C:filter {ns}><C:prop-filter name=\"FN\"><C:text-match match-type=\"starts-with\">jane</C:text-match></C:prop-filter></C:filter>")).matches(CARD));
        assert!(!f(&format!("<C:filter {ns}><C:prop-filter name=\"FN\"><C:text-match match-type=\"equals\">jane</C:text-match></C:prop-filter></C:filter>")).matches(CARD));
        assert!(f(&format!("<C:filter {ns}><C:prop-filter name=\"NOTE\"><C:text-match>a, b</C:text-match></C:prop-filter></C:filter>")).matches(CARD));
        assert!(f(&format!("<C:filter {ns}><C:prop-filter name=\"TEL\"><C:is-not-defined/></C:prop-filter></C:filter>")).matches(CARD));
        assert!(!f(&format!("<C:filter {ns} test=\"allof\"><C:prop-filter name=\"FN\"/><C:prop-filter name=\"TEL\"/></C:filter>")).matches(CARD));
        assert!(f(&format!("<C:filter {ns}><C:prop-filter name=\"FN\"><C:text-match negate-condition=\"yes\">bob</C:text-match></C:prop-filter></C:filter>")).matches(CARD));
    }

    #[test]
    fn uid_filter_in_event() {
        let ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:abc-1\r\nSUMMARY:x\r\nBEGIN:VALARM\r\nUID:alarm\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let x = r#"<C:filter xmlns:C="urn:ietf:params:xml:ns:caldav"><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
            <C:prop-filter name="UID"><C:text-match collation="i;octet">abc-1</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter></C:filter>"#;
        let root = xml::parse(x.as_bytes()).expect("xml");
        let f = CalendarFilter::read(Some(&root)).expect("filter");
        assert_eq!(f.component.as_deref(), Some("VEVENT"));
        assert!(f.props_match(ics));
        assert!(!f.props_match(&ics.replace("abc-1", "ABC-1")));
    }

    #[test]
    fn bad_time_range() {
        let x = r#"<C:filter xmlns:C="urn:ietf:params:xml:ns:caldav"><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
            <C:time-range start="yesterday"/></C:comp-filter></C:comp-filter></C:filter>"#;
        let root = xml::parse(x.as_bytes()).expect("xml");
        assert!(CalendarFilter::read(Some(&root)).is_err());
    }
}
