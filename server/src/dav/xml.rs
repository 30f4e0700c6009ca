//! WebDAV XML wire format: request bodies read into a small namespace-resolved element
//! tree (quick-xml does the parsing; no DTDs or custom entities are expanded), and the
//! multistatus answers written with fixed prefixes for the namespaces we speak.

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

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

/// Escapes text for element content or attribute values.
pub fn escape(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

/// Appends `s` escaped, without an intermediate string.
fn push_escaped(out: &mut String, s: &str) {
    out.push_str(&quick_xml::escape::escape(s));
}

/// The fixed prefix of a namespace we declare on every multistatus.
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

pub const NS_DECLS: &str = "xmlns:d=\"DAV:\" xmlns:c=\"urn:ietf:params:xml:ns:caldav\" \
xmlns:card=\"urn:ietf:params:xml:ns:carddav\" xmlns:cs=\"http://calendarserver.org/ns/\" \
xmlns:ic=\"http://apple.com/ns/ical/\"";

/// Appends `<name>` (or `<name/>` when `empty`), declaring an unknown namespace inline.
fn push_open(out: &mut String, name: &Name, empty: bool) {
    out.push('<');
    match prefix(&name.ns) {
        Some(p) => {
            out.push_str(p);
            out.push(':');
            out.push_str(&name.local);
        }
        None if name.ns.is_empty() => out.push_str(&name.local),
        None => {
            out.push_str("x:");
            out.push_str(&name.local);
            out.push_str(" xmlns:x=\"");
            push_escaped(out, &name.ns);
            out.push('"');
        }
    }
    out.push_str(if empty { "/>" } else { ">" });
}

fn push_close(out: &mut String, name: &Name) {
    out.push_str("</");
    match prefix(&name.ns) {
        Some(p) => {
            out.push_str(p);
            out.push(':');
        }
        None if name.ns.is_empty() => {}
        None => out.push_str("x:"),
    }
    out.push_str(&name.local);
    out.push('>');
}

/// Writes `<name>inner</name>` (or an empty element), declaring unknown namespaces inline.
pub fn element(name: &Name, inner: &str) -> String {
    let mut out = String::with_capacity(inner.len() + 2 * name.local.len() + 8);
    push_open(&mut out, name, inner.is_empty());
    if !inner.is_empty() {
        out.push_str(inner);
        push_close(&mut out, name);
    }
    out
}

/// Shorthand for an element in a namespace we know.
pub fn el(ns: &str, local: &str, inner: &str) -> String {
    element(&Name::new(ns, local), inner)
}

pub fn href(h: &str) -> String {
    format!("<d:href>{}</d:href>", escape(h))
}

/// A property value ready to be written.
pub enum Value {
    /// Escaped as text.
    Text(String),
    /// A constant text (content types and the like), escaped as text.
    Static(&'static str),
    /// Already-built XML (hrefs, resource types, privilege sets…).
    Xml(String),
}

/// A multistatus body under construction, written straight into one buffer.
pub struct Multistatus {
    out: String,
}

impl Default for Multistatus {
    fn default() -> Self {
        Self::new()
    }
}

impl Multistatus {
    pub fn new() -> Multistatus {
        let mut out = String::with_capacity(16 * 1024);
        out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<d:multistatus ");
        out.push_str(NS_DECLS);
        out.push('>');
        Multistatus { out }
    }

    fn open_response(&mut self, href_value: &str) {
        self.out.push_str("<d:response><d:href>");
        push_escaped(&mut self.out, href_value);
        self.out.push_str("</d:href>");
    }

    /// A response with the properties found (200) and those not found (404).
    pub fn propstat(&mut self, href_value: &str, found: &[(&Name, Value)], missing: &[&Name]) {
        self.open_response(href_value);
        if !found.is_empty() {
            self.out.push_str("<d:propstat><d:prop>");
            for (name, value) in found {
                let (text, xml) = match value {
                    Value::Text(t) => (t.as_str(), false),
                    Value::Static(t) => (*t, false),
                    Value::Xml(x) => (x.as_str(), true),
                };
                push_open(&mut self.out, name, text.is_empty());
                if !text.is_empty() {
                    if xml {
                        self.out.push_str(text);
                    } else {
                        push_escaped(&mut self.out, text);
                    }
                    push_close(&mut self.out, name);
                }
            }
            self.out
                .push_str("</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>");
        }
        self.status_group(missing.iter().copied(), "404 Not Found");
        self.out.push_str("</d:response>");
    }

    /// A response listing property names under one status per group (PROPPATCH).
    pub fn prop_statuses(&mut self, href_value: &str, groups: &[(&[Name], &str)]) {
        self.open_response(href_value);
        for (names, status) in groups {
            self.status_group(names.iter(), status);
        }
        self.out.push_str("</d:response>");
    }

    fn status_group<'a>(&mut self, names: impl ExactSizeIterator<Item = &'a Name>, status: &str) {
        if names.len() == 0 {
            return;
        }
        self.out.push_str("<d:propstat><d:prop>");
        for name in names {
            push_open(&mut self.out, name, true);
        }
        self.out.push_str("</d:prop><d:status>HTTP/1.1 ");
        self.out.push_str(status);
        self.out.push_str("</d:status></d:propstat>");
    }

    /// A response that is only a status (a missing href in a multiget, a deleted member).
    pub fn status(&mut self, href_value: &str, status: &str) {
        self.open_response(href_value);
        self.out.push_str("<d:status>HTTP/1.1 ");
        self.out.push_str(status);
        self.out.push_str("</d:status></d:response>");
    }

    /// A response that is a status with a `DAV:error` condition (a truncated sync).
    pub fn status_with_error(&mut self, href_value: &str, status: &str, ns: &str, condition: &str) {
        self.open_response(href_value);
        self.out.push_str("<d:status>HTTP/1.1 ");
        self.out.push_str(status);
        self.out.push_str("</d:status><d:error>");
        self.out.push_str(&el(ns, condition, ""));
        self.out.push_str("</d:error></d:response>");
    }

    pub fn sync_token(&mut self, token: &str) {
        self.out.push_str("<d:sync-token>");
        push_escaped(&mut self.out, token);
        self.out.push_str("</d:sync-token>");
    }

    pub fn finish(mut self) -> String {
        self.out.push_str("</d:multistatus>");
        self.out
    }
}

/// The content of an element written back as XML (for dead properties).
pub fn inner_xml(e: &Element) -> String {
    let mut out = String::new();
    push_escaped(&mut out, &e.text);
    for c in &e.children {
        write_element(&mut out, c);
    }
    out
}

fn write_element(out: &mut String, e: &Element) {
    let mut open = String::new();
    push_open(&mut open, &e.name, false);
    // Attributes go before the closing `>` of the start tag.
    open.pop();
    for (k, v) in &e.attrs {
        open.push(' ');
        open.push_str(k);
        open.push_str("=\"");
        push_escaped(&mut open, v);
        open.push('"');
    }
    open.push('>');
    out.push_str(&open);
    out.push_str(&inner_xml(e));
    push_close(out, &e.name);
}

/// A `DAV:error` body naming the precondition that failed (RFC 4918 §16).
pub fn error_body(ns: &str, condition: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<d:error {NS_DECLS}>{}</d:error>",
        el(ns, condition, "")
    )
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
        let s = element(&Name::new("urn:x", "p"), "");
        assert_eq!(s, "<x:p xmlns:x=\"urn:x\"/>");
    }
}
