//! The DAV URL space and its hrefs:
//!
//! ```text
//! /dav/                                        root (current-user-principal)
//! /dav/principals/<email>/                     a user's principal
//! /dav/calendars/<email>/                      calendar home: own + shared calendars
//! /dav/calendars/<email>/<collection>/         a calendar
//! /dav/calendars/<email>/<collection>/<name>   an event or to-do (.ics)
//! /dav/addressbooks/<email>/…                  the same for address books (.vcf)
//! ```
//!
//! A collection segment is the owner's own name for it, or `shared-<id>` for one shared
//! with the user.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

pub const PREFIX: &str = "/dav";

pub use crate::collections::Kind;

/// What a request path names.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    Root,
    /// `/dav/principals/`, `/dav/calendars/`, `/dav/addressbooks/`: lists only the user's own.
    Principals,
    HomeSet(Kind),
    Principal(String),
    Home(Kind, String),
    Collection(Kind, String, String),
    Object(Kind, String, String, String),
}

/// Prefix given to shared collections inside the receiving user's home.
pub const SHARED_PREFIX: &str = "shared-";

/// Parses a request path; `None` when it is outside the DAV space or malformed.
pub fn parse(path: &str) -> Option<Target> {
    let rest = path.strip_prefix(PREFIX)?;
    if !(rest.is_empty() || rest.starts_with('/')) {
        return None;
    }
    let mut parts = Vec::new();
    for raw in rest.split('/').filter(|s| !s.is_empty()) {
        let decoded = percent_decode_str(raw).decode_utf8().ok()?;
        if decoded == "." || decoded == ".." || decoded.contains('/') {
            return None;
        }
        parts.push(decoded.into_owned());
    }
    let kind = |s: &str| match s {
        "calendars" => Some(Kind::Calendar),
        "addressbooks" => Some(Kind::AddressBook),
        _ => None,
    };
    Some(match parts.as_slice() {
        [] => Target::Root,
        [p] if p == "principals" => Target::Principals,
        [p, user] if p == "principals" => Target::Principal(user.to_lowercase()),
        [k] => Target::HomeSet(kind(k)?),
        [k, user] => Target::Home(kind(k)?, user.to_lowercase()),
        [k, user, coll] => Target::Collection(kind(k)?, user.to_lowercase(), coll.clone()),
        [k, user, coll, name] => {
            Target::Object(kind(k)?, user.to_lowercase(), coll.clone(), name.clone())
        }
        _ => return None,
    })
}

/// Characters left as they are in a path segment: unreserved ones and `@`.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'@');

fn seg(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

pub fn principal(email: &str) -> String {
    format!("{PREFIX}/principals/{}/", seg(email))
}

pub fn home(kind: Kind, email: &str) -> String {
    format!("{PREFIX}/{}/{}/", kind.home_segment(), seg(email))
}

pub fn collection(kind: Kind, email: &str, name: &str) -> String {
    format!("{}{}/", home(kind, email), seg(name))
}

pub fn object(collection_href: &str, name: &str) -> String {
    format!("{collection_href}{}", seg(name))
}

/// The last segment of an href a client sent (in a multiget), if it lies in `collection_href`.
pub fn member_name(collection_href: &str, href: &str) -> Option<String> {
    // Clients may send absolute URLs.
    let path = match href.find("://") {
        Some(i) => href[i + 3..].find('/').map(|j| &href[i + 3 + j..])?,
        None => href,
    };
    let decoded = |s: &str| {
        percent_decode_str(s)
            .decode_utf8()
            .ok()
            .map(|c| c.into_owned())
    };
    let (dir, name) = path.rsplit_once('/')?;
    let want = decoded(collection_href.trim_end_matches('/'))?;
    if decoded(dir)? != want || name.is_empty() {
        return None;
    }
    decoded(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_url_space() {
        assert_eq!(parse("/dav"), Some(Target::Root));
        assert_eq!(parse("/dav/"), Some(Target::Root));
        assert_eq!(parse("/davx"), None);
        assert_eq!(
            parse("/dav/principals/Ann%40example.com/"),
            Some(Target::Principal("ann@example.com".into()))
        );
        assert_eq!(
            parse("/dav/calendars/ann@example.com/work/a%20b.ics"),
            Some(Target::Object(
                Kind::Calendar,
                "ann@example.com".into(),
                "work".into(),
                "a b.ics".into()
            ))
        );
        assert_eq!(parse("/dav/calendars/ann/../x/"), None);
        assert_eq!(parse("/dav/calendars/ann/w/%2F.ics"), None);
        assert_eq!(parse("/dav/other/ann/"), None);
    }

    #[test]
    fn hrefs_round_trip() {
        let c = collection(Kind::AddressBook, "ann@example.com", "my book");
        assert_eq!(c, "/dav/addressbooks/ann@example.com/my%20book/");
        let o = object(&c, "x y.vcf");
        assert_eq!(member_name(&c, &o).as_deref(), Some("x y.vcf"));
        assert_eq!(
            member_name(&c, &format!("https://h.example{o}")).as_deref(),
            Some("x y.vcf")
        );
        assert_eq!(member_name(&c, "/dav/addressbooks/bob/x/y.vcf"), None);
    }
}
