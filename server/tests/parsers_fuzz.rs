//! Property tests: the iCalendar, vCard, MIME and WebDAV XML parsers (and recurrence
//! expansion under a budget) never panic, whatever bytes arrive. Inputs are built from
//! fragments of each format, so the generator reaches deep into the parsers instead of
//! stopping at the first line.

use chrono::{TimeZone, Utc};
use ksuite_server::calendar::{expand, ical};
use ksuite_server::contacts::vcard;
use ksuite_server::dav::xml;
use ksuite_server::mail::import::mbox::{Piece, Splitter};
use ksuite_server::mail::index;
use proptest::prelude::*;

const ICAL_FRAGMENTS: &[&str] = &[
    "BEGIN:VCALENDAR\r\n",
    "END:VCALENDAR\r\n",
    "BEGIN:VEVENT\r\n",
    "END:VEVENT\r\n",
    "BEGIN:VTODO\r\n",
    "END:VTODO\r\n",
    "BEGIN:VTIMEZONE\r\n",
    "END:VTIMEZONE\r\n",
    "UID:a\r\n",
    "UID:b\r\n",
    "DTSTART:20260101T100000Z\r\n",
    "DTSTART;VALUE=DATE:20260101\r\n",
    "DTSTART;TZID=Europe/Zurich:20260329T023000\r\n",
    "DTSTART;TZID=Nowhere/X:2026\r\n",
    "DTEND:20260101T110000Z\r\n",
    "DURATION:PT1H\r\n",
    "DURATION:-P1W\r\n",
    "RRULE:FREQ=DAILY;COUNT=3\r\n",
    "RRULE:FREQ=WEEKLY;BYDAY=MO,-1FR\r\n",
    "RRULE:FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO,TU\r\n",
    "RRULE:FREQ=YEARLY;BYWEEKNO=53\r\n",
    "RRULE:FREQ=SECONDLY\r\n",
    "RRULE:FREQ=MINUTELY;INTERVAL=0\r\n",
    "RRULE:garbage\r\n",
    "EXDATE:20260102T100000Z\r\n",
    "RDATE:20260105T100000Z\r\n",
    "RECURRENCE-ID:20260102T100000Z\r\n",
    "SUMMARY:hello\r\n",
    " folded\r\n",
    "SUMMARY;LANGUAGE=fr:été\r\n",
    "X-UNKNOWN:1\r\n",
    "STATUS:CANCELLED\r\n",
    ":\r\n",
    ";;;\r\n",
    "\r\n",
    "\n",
    "é",
    "\u{0}",
];

const MBOX_FRAGMENTS: &[&str] = &[
    "From a@b Mon Jan  1 00:00:00 2024\n",
    "From ",
    ">From x\n",
    ">>From y\n",
    "Subject: s\n",
    "Message-ID: <m@x>\n",
    "\n",
    "\r\n",
    "\r",
    "body text ",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "é",
];

const VCARD_FRAGMENTS: &[&str] = &[
    "BEGIN:VCARD\r\n",
    "END:VCARD\r\n",
    "VERSION:3.0\r\n",
    "VERSION:4.0\r\n",
    "UID:x\r\n",
    "FN:Ann\r\n",
    "N:Doe;Ann;;;\r\n",
    "N:;;;;;;;;\r\n",
    "EMAIL;TYPE=work:a@b.c\r\n",
    "TEL;TYPE=cell:+41 79\r\n",
    "ADR;TYPE=home:;;Street 1;City;;1000;CH\r\n",
    "BDAY:--0229\r\n",
    "BDAY:20261340\r\n",
    "PHOTO;ENCODING=b;TYPE=JPEG:AAAA\r\n",
    "CATEGORIES:a,b\r\n",
    " fold\r\n",
    "item1.EMAIL:x@y\r\n",
    "X-ABLabel:l\r\n",
    "\r\n",
    ":",
    ";",
    "=",
    "\\n",
    "é",
];

const MIME_FRAGMENTS: &[&str] = &[
    "From: A <a@b.c>\r\n",
    "To: b@c.d, \"x\" <y@z>\r\n",
    "Subject: =?utf-8?B?w6k=?=\r\n",
    "Subject: =?utf-8?Q?=E2=82=AC?=\r\n",
    "Message-ID: <id@x>\r\n",
    "References: <a> <b>\r\n",
    "Date: Thu, 3 Dec 2026 10:00:00 +0100\r\n",
    "Date: nonsense\r\n",
    "Content-Type: multipart/mixed; boundary=\"b\"\r\n",
    "Content-Type: text/html; charset=koi8-r\r\n",
    "Content-Transfer-Encoding: base64\r\n",
    "Content-Transfer-Encoding: quoted-printable\r\n",
    "Content-Disposition: attachment; filename*=utf-8''%E2%82%AC.pdf\r\n",
    "\r\n",
    "--b\r\n",
    "--b--\r\n",
    "SGVsbG8=\r\n",
    "=E2=82\r\n",
    "<p>hi<img src=x>\r\n",
    "\u{0}",
    "é",
];

const XML_FRAGMENTS: &[&str] = &[
    "<?xml version=\"1.0\"?>",
    "<d:propfind xmlns:d=\"DAV:\">",
    "</d:propfind>",
    "<d:prop>",
    "</d:prop>",
    "<d:getetag/>",
    "<c:calendar-query xmlns:c=\"urn:ietf:params:xml:ns:caldav\">",
    "</c:calendar-query>",
    "<c:time-range start=\"20260101T000000Z\" end=\"x\"/>",
    "<!DOCTYPE x [<!ENTITY a \"aaaa\">]>",
    "&a;",
    "&amp;",
    "<![CDATA[x]]>",
    "<!-- c -->",
    "<x:y xmlns:x=\"\">",
    "</x:y>",
    "<a b='1' b='2'>",
    "</a>",
    "text",
    "<",
    ">",
    "\u{0}",
];

fn assembled(fragments: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(fragments).prop_map(str::to_string),
            1 => any::<String>(),
        ],
        0..max,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn icalendar_never_panics(text in assembled(ICAL_FRAGMENTS, 40)) {
        let _ = ical::split_file(&text);
        if let Ok(obj) = ical::parse_object(&text) {
            let from = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().expect("date");
            let to = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).single().expect("date");
            let mut budget = expand::Budget::new(expand::Limits::default());
            let _ = expand::occurrences(&obj, from, to, chrono_tz::Tz::UTC, &mut budget);
            let _ = expand::bounds(&obj, chrono_tz::Tz::UTC);
            let mut budget = expand::Budget::new(expand::Limits::default());
            let _ = ical::expand_to_utc(&text, from, to, chrono_tz::Tz::UTC, &mut budget);
        }
    }

    #[test]
    fn vcard_never_panics(text in assembled(VCARD_FRAGMENTS, 30)) {
        for card in vcard::split_cards(&text) {
            if let Ok(parsed) = vcard::parse_one(&card) {
                let _ = vcard::fields(&parsed);
            }
            let _ = vcard::for_client(&card, Some(true));
            let _ = vcard::for_client(&card, Some(false));
        }
    }

    #[test]
    fn mime_never_panics(text in assembled(MIME_FRAGMENTS, 40)) {
        let _ = index::index(text.as_bytes(), "fallback");
        let _ = ksuite_server::mail::html::sanitize(&text);
    }

    #[test]
    fn mime_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = index::index(&bytes, "fallback");
    }

    #[test]
    fn dav_xml_never_panics(text in assembled(XML_FRAGMENTS, 30)) {
        let _ = xml::parse(text.as_bytes());
    }

    /// However an upload is cut into chunks, the same messages come out, none over the
    /// limit, and nothing is left in memory beyond it.
    #[test]
    fn mbox_splitting_does_not_depend_on_chunks(
        text in assembled(MBOX_FRAGMENTS, 60),
        chunk in 1usize..64,
        max in 16usize..400,
    ) {
        let split = |size: usize| {
            let mut s = Splitter::new(max);
            let mut out = Vec::new();
            for part in text.as_bytes().chunks(size) {
                out.extend(s.push(part));
            }
            out.extend(s.finish());
            out
        };
        let whole = split(text.len().max(1));
        prop_assert_eq!(&split(chunk), &whole);
        for piece in &whole {
            if let Piece::Message(m) = piece {
                prop_assert!(m.len() <= max);
                prop_assert!(!m.is_empty());
            }
        }
    }
}
