//! CalDAV/CardDAV behaviours that real clients (python-caldav's own suite, Apple, DAVx⁵)
//! depend on, each pinned with raw requests: collections re-created under a reused id,
//! component sets, journals, free-busy, principal search, sync limits, colours, odd UIDs,
//! query filters and ETags that are the same on every path.

mod support;

use reqwest::StatusCode;
use support::{Dav, PASSWORD, TestServer, signed_in};

const EMAIL: &str = "ann@example.com";
const CAL: &str = "/dav/calendars/ann@example.com/";

async fn setup() -> (TestServer, Dav) {
    let server = TestServer::start().await;
    signed_in(&server, EMAIL).await;
    let dav = Dav::new(&server, EMAIL, PASSWORD);
    (server, dav)
}

fn ics(component: &str, uid: &str, body: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:{component}\r\nUID:{uid}\r\n\
DTSTAMP:20260101T000000Z\r\n{body}END:{component}\r\nEND:VCALENDAR\r\n"
    )
}

fn event(uid: &str, start: &str, summary: &str) -> String {
    ics(
        "VEVENT",
        uid,
        &format!("DTSTART:{start}\r\nDURATION:PT1H\r\nSUMMARY:{summary}\r\n"),
    )
}

async fn mkcalendar(dav: &Dav, path: &str, props: &str) -> StatusCode {
    let body = format!(
        r#"<c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:ic="http://apple.com/ns/ical/"><d:set><d:prop>{props}</d:prop></d:set></c:mkcalendar>"#
    );
    dav.send("MKCALENDAR", path, &[], &body).await.status
}

fn sync_body(token: &str, limit: Option<usize>) -> String {
    let limit = limit.map_or(String::new(), |n| {
        format!("<d:limit><d:nresults>{n}</d:nresults></d:limit>")
    });
    format!(
        r#"<d:sync-collection xmlns:d="DAV:"><d:sync-token>{token}</d:sync-token><d:sync-level>1</d:sync-level>{limit}<d:prop><d:getetag/></d:prop></d:sync-collection>"#
    )
}

fn token_of(body: &str) -> String {
    let s = body.find("<d:sync-token>").expect("token") + 14;
    body[s..s + body[s..].find('<').expect("end")].to_string()
}

fn query(filter: &str) -> String {
    format!(
        r#"<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR">{filter}</c:comp-filter></c:filter></c:calendar-query>"#
    )
}

#[tokio::test]
async fn a_recreated_calendar_is_never_taken_for_the_deleted_one() {
    let (_server, dav) = setup().await;
    let path = format!("{CAL}work/");
    assert_eq!(mkcalendar(&dav, &path, "").await, StatusCode::CREATED);
    let put = dav
        .put(
            &format!("{path}old.ics"),
            &[],
            &event("old", "20260401T100000Z", "Old"),
        )
        .await;
    assert_eq!(put.status, StatusCode::CREATED);
    let listing = dav.report(&path, &query("")).await;
    assert!(listing.body.contains("old.ics"));
    let sync = dav.report(&path, &sync_body("", None)).await;
    let old_token = token_of(&sync.body);
    let old_ctag = dav.propfind(&path, "0", "<cs:getctag/>").await.body;

    assert_eq!(
        dav.send("DELETE", &path, &[], "").await.status,
        StatusCode::NO_CONTENT
    );
    // Same name, and SQLite hands out the same row id again; one write brings the new
    // calendar to the ctag the old one had.
    assert_eq!(mkcalendar(&dav, &path, "").await, StatusCode::CREATED);
    let put = dav
        .put(
            &format!("{path}new.ics"),
            &[],
            &event("new", "20260401T100000Z", "New"),
        )
        .await;
    assert_eq!(put.status, StatusCode::CREATED);
    let listing = dav.report(&path, &query("")).await;
    assert_eq!(listing.status, StatusCode::MULTI_STATUS);
    assert!(
        listing.body.contains("new.ics") && !listing.body.contains("old.ics"),
        "a cached answer of the deleted calendar: {}",
        listing.body
    );
    let stale = dav.report(&path, &sync_body(&old_token, None)).await;
    assert_eq!(stale.status, StatusCode::FORBIDDEN, "{}", stale.body);
    assert!(stale.body.contains("valid-sync-token"));
    let new_ctag = dav.propfind(&path, "0", "<cs:getctag/>").await.body;
    assert_ne!(old_ctag, new_ctag);
}
