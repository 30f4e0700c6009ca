//! WebDAV XML wire format: request bodies read into a small namespace-resolved element
//! tree (quick-xml does the parsing; no DTDs or custom entities are expanded), and the
//! answers written by `quick_xml::Writer` with fixed prefixes for the namespaces we speak.

use std::borrow::Cow;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use super::model::Prop;

pub const DAV: &str = "DAV:";
pub const CALDAV: &str = "urn:ietf:params:xml:ns:caldav";
pub const CARDDAV: &str = "urn:ietf:params:xml:ns:carddav";
pub const CALSERVER: &str = "http://calendarserver.org/ns/";
pub const APPLE_ICAL: &str = "http://apple.com/ns/ical/";

/// Deepest element nesting accepted in a request body.
const MAX_DEPTH: usize = 64;

/// A namespace-qualified element or property name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Name {
    pub ns: String,
    pub local: String,
}

impl Name {
    pub fn new(ns: &str, local: &str) -> Name {
        Name {
            ns: ns.to_string(),
            local: local.to_string(),
        }
    }

    pub fn is(&self, ns: &str, local: &str) -> bool {
        self.ns == ns && self.local == local
    }
}

/// One element of a request body.
#[derive(Clone, Debug)]
pub struct Element {
    pub name: Name,
    /// Attributes by local name (DAV attributes are unqualified).
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    pub fn is(&self, ns: &str, local: &str) -> bool {
        self.name.is(ns, local)
    }

    pub fn child(&self, ns: &str, local: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.is(ns, local))
    }

    pub fn children_named<'a>(
        &'a self,
        ns: &'a str,
        local: &'a str,
    ) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.is(ns, local))
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Parses a request body into its root element.
pub fn parse(body: &[u8]) -> Result<Element, String> {
    let text = std::str::from_utf8(body).map_err(|_| "the XML body is not UTF-8".to_string())?;
    let mut reader = NsReader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    loop {
        let (ns, event) = reader
            .read_resolved_event()
            .map_err(|e| format!("malformed XML: {e}"))?;
        match event {
            Event::Start(ref start) | Event::Empty(ref start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err("the XML body is nested too deeply".into());
                }
                let ns = match ns {
                    ResolveResult::Bound(n) => String::from_utf8_lossy(n.as_ref()).into_owned(),
                    ResolveResult::Unbound => String::new(),
                    ResolveResult::Unknown(p) => {
                        return Err(format!(
                            "undeclared namespace prefix {:?}",
                            String::from_utf8_lossy(&p)
                        ));
                    }
                };
                let local = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
                let mut attrs = Vec::new();
                for a in start.attributes() {
                    let a = a.map_err(|e| format!("malformed XML attribute: {e}"))?;
                    let key = String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned();
                    let value = a
                        .unescape_value()
                        .map_err(|e| format!("malformed XML attribute: {e}"))?
                        .into_owned();
                    attrs.push((key, value));
                }
                let element = Element {
                    name: Name { ns, local },
                    attrs,
                    children: Vec::new(),
                    text: String::new(),
                };
                if matches!(event, Event::Empty(_)) {
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(element),
                        None => return Ok(element),
                    }
                } else {
                    stack.push(element);
                }
            }
            Event::End(_) => {
                let done = stack.pop().ok_or("unbalanced XML end tag")?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => return Ok(done),
                }
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    let s = t.decode().map_err(|e| format!("malformed XML text: {e}"))?;
                    top.text.push_str(&s);
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => {
                        let name = r.decode().map_err(|e| format!("malformed XML: {e}"))?;
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| format!("unknown XML entity &{name};"))?
                            .to_string()
                    }
                    Err(e) => return Err(format!("malformed XML: {e}")),
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&resolved);
                }
            }
            Event::Eof => return Err("the XML body ends before its root element closes".into()),
            _ => {}
        }
    }
}

/// Escapes text for element content or attribute values (plain-text bodies that quote XML).
pub fn escape(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

/// The fixed prefix of a namespace we declare on every answer.
fn prefix(ns: &str) -> Option<&'static str> {
    match ns {
        DAV => Some("d"),
        CALDAV => Some("c"),
        CARDDAV => Some("card"),
        CALSERVER => Some("cs"),
        APPLE_ICAL => Some("ic"),
        _ => None,
    }
}

/// The namespace declarations on every answer's root element.
const NS_DECLS: [(&str, &str); 5] = [
    ("xmlns:d", DAV),
    ("xmlns:c", CALDAV),
    ("xmlns:card", CARDDAV),
    ("xmlns:cs", CALSERVER),
    ("xmlns:ic", APPLE_ICAL),
];

/// The prefixed name of an element; names in other namespaces get the prefix `x`, declared
/// on the element itself.
fn qname<'a>(ns: &str, local: &'a str) -> Cow<'a, str> {
    match prefix(ns) {
        Some(p) => Cow::Owned(format!("{p}:{local}")),
        None if ns.is_empty() => Cow::Borrowed(local),
        None => Cow::Owned(format!("x:{local}")),
    }
}

/// A property value ready to be written.
pub enum Value {
    /// Text content, escaped when written.
    Text(String),
    /// A constant text (content types and the like).
    Static(&'static str),
    /// One `DAV:href`.
    Href(String),
    /// Empty elements in a row (a resource type's `collection` and `calendar`).
    Markers(&'static [(&'static str, &'static str)]),
    /// A `DAV:privilege` around each of these DAV privileges.
    Privileges(Vec<&'static str>),
    /// A `DAV:supported-report` around each of these reports.
    Reports(&'static [(&'static str, &'static str)]),
    /// A `c:comp name="…"` per calendar component.
    Components(Vec<String>),
    /// Supported data formats: an empty `ns:local` element per version.
    DataTypes {
        ns: &'static str,
        local: &'static str,
        content_type: &'static str,
        versions: &'static [&'static str],
    },
    /// A `cs:email-address` per address.
    EmailAddresses(Vec<String>),
    /// A dead property's content as stored from the client's PROPPATCH.
    Raw(String),
}

/// An XML answer under construction, written by `quick_xml::Writer` into one buffer.
pub struct XmlWriter {
    w: Writer<Vec<u8>>,
    root: Option<(&'static str, &'static str)>,
}

impl XmlWriter {
    /// A document whose root element `ns:local` declares the prefixes we write.
    pub fn document(ns: &'static str, local: &'static str) -> XmlWriter {
        let mut x = XmlWriter {
            w: Writer::new(Vec::with_capacity(16 * 1024)),
            root: Some((ns, local)),
        };
        x.put(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)));
        x.w.get_mut().push(b'\n');
        let mut start = BytesStart::new(qname(ns, local));
        for decl in NS_DECLS {
            start.push_attribute(decl);
        }
        x.put(Event::Start(start));
        x
    }

    /// Content to be embedded in a document that declares the prefixes (dead properties).
    fn fragment() -> XmlWriter {
        XmlWriter {
            w: Writer::new(Vec::new()),
            root: None,
        }
    }

    fn put(&mut self, event: Event<'_>) {
        // Writing into a Vec cannot fail.
        let _ = self.w.write_event(event);
    }

    fn start<'a>(ns: &str, local: &'a str, attrs: &[(&str, &str)]) -> BytesStart<'a> {
        let mut start = BytesStart::new(qname(ns, local));
        if prefix(ns).is_none() && !ns.is_empty() {
            start.push_attribute(("xmlns:x", ns));
        }
        for a in attrs {
            start.push_attribute(*a);
        }
        start
    }

    pub fn open(&mut self, ns: &str, local: &str) {
        self.put(Event::Start(Self::start(ns, local, &[])));
    }

    pub fn close(&mut self, ns: &str, local: &str) {
        self.put(Event::End(BytesEnd::new(qname(ns, local))));
    }

    pub fn empty(&mut self, ns: &str, local: &str) {
        self.empty_with(ns, local, &[]);
    }

    pub fn empty_with(&mut self, ns: &str, local: &str, attrs: &[(&str, &str)]) {
        self.put(Event::Empty(Self::start(ns, local, attrs)));
    }

    pub fn text(&mut self, text: &str) {
        self.put(Event::Text(BytesText::new(text)));
    }

    /// `<ns:local>text</ns:local>`, or the empty element for empty text.
    pub fn leaf(&mut self, ns: &str, local: &str, text: &str) {
        if text.is_empty() {
            self.empty(ns, local);
        } else {
            self.open(ns, local);
            self.text(text);
            self.close(ns, local);
        }
    }

    pub fn href(&mut self, href: &str) {
        self.leaf(DAV, "href", href);
    }

    /// A property element holding `value`.
    pub fn property(&mut self, (ns, local): (&str, &str), value: &Value) {
        let empty = match value {
            Value::Text(t) | Value::Raw(t) => t.is_empty(),
            Value::Static(t) => t.is_empty(),
            Value::Markers(m) | Value::Reports(m) => m.is_empty(),
            Value::Privileges(p) => p.is_empty(),
            Value::Components(c) | Value::EmailAddresses(c) => c.is_empty(),
            Value::Href(_) | Value::DataTypes { .. } => false,
        };
        if empty {
            self.empty(ns, local);
            return;
        }
        self.open(ns, local);
        match value {
            Value::Text(t) => self.text(t),
            Value::Static(t) => self.text(t),
            Value::Raw(xml) => self.w.get_mut().extend_from_slice(xml.as_bytes()),
            Value::Href(h) => self.href(h),
            Value::Markers(names) => {
                for (ns, local) in names.iter() {
                    self.empty(ns, local);
                }
            }
            Value::Privileges(names) => {
                for p in names {
                    self.open(DAV, "privilege");
                    self.empty(DAV, p);
                    self.close(DAV, "privilege");
                }
            }
            Value::Reports(names) => {
                for (ns, local) in names.iter() {
                    self.open(DAV, "supported-report");
                    self.open(DAV, "report");
                    self.empty(ns, local);
                    self.close(DAV, "report");
                    self.close(DAV, "supported-report");
                }
            }
            Value::Components(names) => {
                for n in names {
                    self.empty_with(CALDAV, "comp", &[("name", n)]);
                }
            }
            Value::DataTypes {
                ns,
                local,
                content_type,
                versions,
            } => {
                for v in versions.iter() {
                    self.empty_with(ns, local, &[("content-type", content_type), ("version", v)]);
                }
            }
            Value::EmailAddresses(addresses) => {
                for a in addresses {
                    self.leaf(CALSERVER, "email-address", a);
                }
            }
        }
        self.close(ns, local);
    }

    /// Writes an element read from a request back out (dead property values).
    fn element(&mut self, e: &Element) {
        let attrs: Vec<(&str, &str)> = e
            .attrs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.put(Event::Start(Self::start(&e.name.ns, &e.name.local, &attrs)));
        self.content(e);
        self.close(&e.name.ns, &e.name.local);
    }

    fn content(&mut self, e: &Element) {
        if !e.text.is_empty() {
            self.text(&e.text);
        }
        for c in &e.children {
            self.element(c);
        }
    }

    /// The document, its root element closed.
    pub fn finish(mut self) -> String {
        if let Some((ns, local)) = self.root {
            self.close(ns, local);
        }
        // Only `str`s were written, so the bytes are UTF-8.
        String::from_utf8(self.w.into_inner())
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }
}

/// A multistatus body (RFC 4918 §13) under construction.
pub struct Multistatus {
    x: XmlWriter,
}

impl Default for Multistatus {
    fn default() -> Self {
        Self::new()
    }
}

impl Multistatus {
    pub fn new() -> Multistatus {
        Multistatus {
            x: XmlWriter::document(DAV, "multistatus"),
        }
    }

    fn open_response(&mut self, href_value: &str) {
        self.x.open(DAV, "response");
        self.x.href(href_value);
    }

    fn status_line(&mut self, status: &str) {
        self.x.leaf(DAV, "status", &format!("HTTP/1.1 {status}"));
    }

    /// A response with the properties found (200) and those not found (404).
    pub fn propstat(&mut self, href_value: &str, found: &[(&Prop, Value)], missing: &[&Prop]) {
        self.open_response(href_value);
        if !found.is_empty() {
            self.x.open(DAV, "propstat");
            self.x.open(DAV, "prop");
            for (prop, value) in found {
                self.x.property(prop.name(), value);
            }
            self.x.close(DAV, "prop");
            self.status_line("200 OK");
            self.x.close(DAV, "propstat");
        }
        self.status_group(missing.iter().copied(), "404 Not Found");
        self.x.close(DAV, "response");
    }

    /// A response listing property names under one status per group (PROPPATCH).
    pub fn prop_statuses(&mut self, href_value: &str, groups: &[(&[Prop], &str)]) {
        self.open_response(href_value);
        for (props, status) in groups {
            self.status_group(props.iter(), status);
        }
        self.x.close(DAV, "response");
    }

    fn status_group<'a>(&mut self, props: impl ExactSizeIterator<Item = &'a Prop>, status: &str) {
        if props.len() == 0 {
            return;
        }
        self.x.open(DAV, "propstat");
        self.x.open(DAV, "prop");
        for p in props {
            let (ns, local) = p.name();
            self.x.empty(ns, local);
        }
        self.x.close(DAV, "prop");
        self.status_line(status);
        self.x.close(DAV, "propstat");
    }

    /// A response that is only a status (a missing href in a multiget, a deleted member).
    pub fn status(&mut self, href_value: &str, status: &str) {
        self.open_response(href_value);
        self.status_line(status);
        self.x.close(DAV, "response");
    }

    /// A response that is a status with a `DAV:error` condition (a truncated sync).
    pub fn status_with_error(&mut self, href_value: &str, status: &str, ns: &str, condition: &str) {
        self.open_response(href_value);
        self.status_line(status);
        self.x.open(DAV, "error");
        self.x.empty(ns, condition);
        self.x.close(DAV, "error");
        self.x.close(DAV, "response");
    }

    pub fn sync_token(&mut self, token: &str) {
        self.x.leaf(DAV, "sync-token", token);
    }

    pub fn finish(self) -> String {
        self.x.finish()
    }
}

/// The content of an element written back as XML (for dead properties).
pub fn inner_xml(e: &Element) -> String {
    let mut x = XmlWriter::fragment();
    x.content(e);
    x.finish()
}

/// A `DAV:error` body naming the precondition that failed (RFC 4918 §16).
pub fn error_body(ns: &str, condition: &str) -> String {
    let mut x = XmlWriter::document(DAV, "error");
    x.empty(ns, condition);
    x.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_namespaces_and_entities() {
        let body = br#"<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
            <D:prop><D:displayname/><C:calendar-data>a &amp; b &#x41;</C:calendar-data></D:prop></D:propfind>"#;
        let root = parse(body).expect("parses");
        assert!(root.is(DAV, "propfind"));
        let prop = root.child(DAV, "prop").expect("prop");
        assert!(prop.child(DAV, "displayname").is_some());
        assert_eq!(
            prop.child(CALDAV, "calendar-data").map(|e| e.text.as_str()),
            Some("a & b A")
        );
    }

    #[test]
    fn empty_root_element() {
        let root = parse(br#"<propfind xmlns="DAV:"/>"#).expect("parses");
        assert!(root.is(DAV, "propfind"));
    }

    #[test]
    fn rejects_bad_xml() {
        assert!(parse(b"<a><b></a>").is_err());
        assert!(parse(b"<x:a/>").is_err());
        assert!(parse(b"<a>").is_err());
        assert!(parse(b"<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>").is_err());
    }

    #[test]
    fn unknown_namespace_declared_inline() {
        let mut x = XmlWriter::fragment();
        x.empty("urn:x", "p");
        x.leaf("urn:y", "q", "a<b");
        assert_eq!(
            x.finish(),
            "<x:p xmlns:x=\"urn:x\"/><x:q xmlns:x=\"urn:y\">a&lt;b</x:q>"
        );
    }

    #[test]
    fn dead_property_content_round_trips() {
        let body = br#"<D:prop xmlns:D="DAV:" xmlns:A="http://apple.com/ns/ical/"><A:x a="1&amp;">t<D:href>/p</D:href></A:x></D:prop>"#;
        let root = parse(body).expect("parses");
        assert_eq!(
            inner_xml(&root),
            "<ic:x a=\"1&amp;\">t<d:href>/p</d:href></ic:x>"
        );
    }
}
