//! CalDAV/CardDAV over real HTTP: discovery, every method, the reports, sync tokens,
//! sharing, application passwords and two-factor authentication.

mod support;

use ksuite_common::{CreatedAppPassword, RecoveryCodes, TwoFactorSetup};
use reqwest::{Method, StatusCode};
use serde_json::json;
use support::{Client, Dav, PASSWORD, TestServer, default_calendar, signed_in};

const EMAIL: &str = "ann@example.com";
const CAL: &str = "/dav/calendars/ann@example.com/";
const BOOK: &str = "/dav/addressbooks/ann@example.com/";

fn event(uid: &str, start: &str, summary: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\n\
DTSTART:{start}\r\nDURATION:PT1H\r\nSUMMARY:{summary}\r\nX-CUSTOM-PROP:kept\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

async fn setup() -> (TestServer, Client, Dav) {
    let server = TestServer::start().await;
    let web = signed_in(&server, EMAIL).await;
    let dav = Dav::new(&server, EMAIL, PASSWORD);
    (server, web, dav)
}

#[tokio::test]
async fn discovery_and_authentication() {
    let (server, _web, dav) = setup().await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    for wk in ["/.well-known/caldav", "/.well-known/carddav"] {
        let r = http.get(server.url(wk)).send().await.expect("well-known");
        assert_eq!(r.status(), StatusCode::PERMANENT_REDIRECT);
        assert_eq!(r.headers()["location"], "/dav/");
    }
    let options = http
        .request(Method::OPTIONS, server.url("/dav/"))
        .send()
        .await
        .expect("options");
    let classes = options.headers()["dav"].to_str().expect("dav header");
    assert!(classes.contains("calendar-access") && classes.contains("addressbook"));
    assert!(
        !classes.contains("auto-schedule"),
        "no scheduling advertised"
    );

    // No credentials, wrong password, unknown user: a Basic challenge.
    let r = http
        .request(
            Method::from_bytes(b"PROPFIND").expect("m"),
            server.url("/dav/"),
        )
        .send()
        .await
        .expect("propfind");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(
        r.headers()["www-authenticate"]
            .to_str()
            .expect("h")
            .starts_with("Basic")
    );
    let wrong = Dav::new(&server, EMAIL, "not the password");
    assert_eq!(
        wrong
            .propfind("/dav/", "0", "<d:current-user-principal/>")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    let root = dav
        .propfind("/dav/", "0", "<d:current-user-principal/>")
        .await;
    assert_eq!(root.status, StatusCode::MULTI_STATUS);
    assert!(
        root.body
            .contains("<d:href>/dav/principals/ann@example.com/</d:href>"),
        "{}",
        root.body
    );

    let principal = dav
        .propfind(
            "/dav/principals/ann@example.com/",
            "0",
            "<c:calendar-home-set/><card:addressbook-home-set/><c:calendar-user-address-set/><d:displayname/><c:schedule-inbox-URL/>",
        )
        .await;
    assert!(principal.body.contains(&format!("<d:href>{CAL}</d:href>")));
    assert!(principal.body.contains(&format!("<d:href>{BOOK}</d:href>")));
    assert!(principal.body.contains("mailto:ann@example.com"));
    assert!(principal.body.contains("Test User"));
    // Scheduling properties are not there.
    assert!(principal.body.contains("404 Not Found"));

    let home = dav
        .propfind(CAL, "1", "<d:resourcetype/><d:displayname/><cs:getctag/><d:sync-token/><c:supported-calendar-component-set/><d:current-user-privilege-set/>")
        .await;
    assert!(home.body.contains("<c:calendar/>"));
    assert!(home.body.contains("<cs:getctag>"));
    assert!(home.body.contains("/dav/sync/c"));
    assert!(home.body.contains("<c:comp name=\"VTODO\"/>"));
    assert!(home.body.contains("<d:write/>"));

    let books = dav
        .propfind(BOOK, "1", "<d:resourcetype/><card:supported-address-data/>")
        .await;
    assert!(books.body.contains("<card:addressbook/>"));
    assert!(books.body.contains("version=\"3.0\""));

    // Another user's home does not exist for Ann.
    signed_in(&server, "bob@example.com").await;
    let other = dav
        .propfind("/dav/calendars/bob@example.com/", "1", "<d:resourcetype/>")
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);

    // Bad XML is a clear 400.
    let bad = dav
        .send(
            "PROPFIND",
            CAL,
            &[("Depth", "0")],
            "<d:propfind xmlns:d=\"DAV:\"><d:prop>",
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("XML"), "{}", bad.body);
}

#[tokio::test]
async fn events_put_get_delete_with_etags_and_the_web_app_sees_them() {
    let (_server, web, dav) = setup().await;
    let cal = default_calendar(&dav).await;
    let href = format!("{cal}meeting.ics");
    let body = event("meeting-1", "20260310T090000Z", "Planning");

    let created = dav
        .put(
            &href,
            &[("If-None-Match", "*"), ("Content-Type", "text/calendar")],
            &body,
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let etag = created.etag();
    let again = dav.put(&href, &[("If-None-Match", "*")], &body).await;
    assert_eq!(again.status, StatusCode::PRECONDITION_FAILED);

    let got = dav.send("GET", &href, &[], "").await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.body, body, "the stored source comes back unchanged");
    assert_eq!(got.etag(), etag);

    // The web app lists it.
    let list: serde_json::Value = web
        .get("/api/events?from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list[0]["title"], "Planning");

    // A stale If-Match never overwrites.
    let stale = dav
        .put(
            &href,
            &[("If-Match", "\"stale\"")],
            &body.replace("Planning", "X"),
        )
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    let updated = dav
        .put(
            &href,
            &[("If-Match", &etag)],
            &body.replace("Planning", "Planning v2"),
        )
        .await;
    assert_eq!(updated.status, StatusCode::NO_CONTENT);
    let etag2 = updated.etag();
    assert_ne!(etag, etag2);

    // The same UID under another name is refused.
    let dup = dav.put(&format!("{cal}other.ics"), &[], &body).await;
    assert_eq!(dup.status, StatusCode::FORBIDDEN);
    assert!(dup.body.contains("no-uid-conflict"));
    // Not iCalendar: refused with the CalDAV precondition.
    let junk = dav.put(&format!("{cal}junk.ics"), &[], "hello").await;
    assert_eq!(junk.status, StatusCode::FORBIDDEN);
    assert!(junk.body.contains("valid-calendar-object-resource"));

    // An event made in the web app is served over DAV with its stored source.
    let cal_id: i64 = web
        .get("/api/calendars")
        .await
        .json::<serde_json::Value>()
        .await
        .expect("cals")[0]["id"]
        .as_i64()
        .expect("id");
    let made = web
        .post(
            &format!("/api/calendars/{cal_id}/events"),
            &json!({"title": "From the web", "start": "2026-03-12T10:00", "end": "2026-03-12T11:00"}),
        )
        .await;
    assert_eq!(made.status(), StatusCode::CREATED);
    let listing = dav.propfind(&cal, "1", "<d:getetag/>").await;
    assert_eq!(
        listing.body.matches("<d:getetag>").count(),
        2,
        "{}",
        listing.body
    );

    let del_stale = dav.send("DELETE", &href, &[("If-Match", &etag)], "").await;
    assert_eq!(del_stale.status, StatusCode::PRECONDITION_FAILED);
    let del = dav.send("DELETE", &href, &[("If-Match", &etag2)], "").await;
    assert_eq!(del.status, StatusCode::NO_CONTENT);
    assert_eq!(
        dav.send("GET", &href, &[], "").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn calendar_query_expands_recurrences_and_filters_todos() {
    let (_server, _web, dav) = setup().await;
    let cal = default_calendar(&dav).await;
    let weekly = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:weekly\r\nDTSTAMP:20260101T000000Z\r\n\
DTSTART;TZID=Europe/Zurich:20260105T090000\r\nDTEND;TZID=Europe/Zurich:20260105T093000\r\nRRULE:FREQ=WEEKLY;COUNT=20\r\n\
SUMMARY:Standup\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    assert_eq!(
        dav.put(&format!("{cal}weekly.ics"), &[], weekly)
            .await
            .status,
        StatusCode::CREATED
    );
    let once = event("once", "20260105T120000Z", "Lunch");
    assert_eq!(
        dav.put(&format!("{cal}once.ics"), &[], &once).await.status,
        StatusCode::CREATED
    );
    let todo = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VTODO\r\nUID:todo-1\r\nDTSTAMP:20260101T000000Z\r\n\
DUE:20260320T170000Z\r\nSUMMARY:Report\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";
    assert_eq!(
        dav.put(&format!("{cal}todo.ics"), &[], todo).await.status,
        StatusCode::CREATED
    );

    // March: only the weekly series has occurrences then (the lunch was in January).
    let query = |comp: &str, expand: &str| {
        format!(
            r#"<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data>{expand}</c:calendar-data></d:prop>
<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="{comp}"><c:time-range start="20260301T000000Z" end="20260401T000000Z"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"#
        )
    };
    let march = dav.report(&cal, &query("VEVENT", "")).await;
    assert_eq!(march.status, StatusCode::MULTI_STATUS);
    assert!(march.body.contains("weekly.ics"), "{}", march.body);
    assert!(!march.body.contains("once.ics"));
    assert!(!march.body.contains("todo.ics"));
    assert!(
        march.body.contains("RRULE:FREQ=WEEKLY"),
        "unexpanded data is the source"
    );

    let expanded = dav
        .report(
            &cal,
            &query(
                "VEVENT",
                r#"<c:expand start="20260301T000000Z" end="20260401T000000Z"/>"#,
            ),
        )
        .await;
    // Five Mondays in March 2026; 09:00 in Zurich is 08:00 UTC before DST (29 March).
    assert_eq!(
        expanded.body.matches("RECURRENCE-ID:").count(),
        5,
        "{}",
        expanded.body
    );
    assert!(expanded.body.contains("DTSTART:20260302T080000Z"));
    assert!(
        expanded.body.contains("DTSTART:20260330T070000Z"),
        "after DST: {}",
        expanded.body
    );
    assert!(!expanded.body.contains("RRULE"));
    assert!(
        expanded.body.contains("BEGIN:VALARM"),
        "alarms survive expansion"
    );

    let todos = dav.report(&cal, &query("VTODO", "")).await;
    assert!(todos.body.contains("todo.ics"));
    assert!(!todos.body.contains("weekly.ics"));

    // Lookup by UID (what python-caldav's event_by_uid sends).
    let by_uid = r#"<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop>
<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:prop-filter name="UID"><c:text-match collation="i;octet">once</c:text-match></c:prop-filter></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"#;
    let found = dav.report(&cal, by_uid).await;
    assert!(found.body.contains("once.ics"));
    assert!(!found.body.contains("weekly.ics"));

    // Multiget: one known, one missing.
    let multiget = format!(
        r#"<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop>
<d:href>{cal}once.ics</d:href><d:href>{cal}missing.ics</d:href></c:calendar-multiget>"#
    );
    let got = dav.report(&cal, &multiget).await;
    assert!(got.body.contains("SUMMARY:Lunch"));
    assert!(got.body.contains("X-CUSTOM-PROP:kept"));
    assert!(
        got.body
            .contains("missing.ics</d:href><d:status>HTTP/1.1 404 Not Found")
    );

    let no_range = dav
        .report(
            &cal,
            r#"<c:free-busy-query xmlns:c="urn:ietf:params:xml:ns:caldav"/>"#,
        )
        .await;
    assert_eq!(no_range.status, StatusCode::BAD_REQUEST);
    assert!(no_range.body.contains("time-range"), "{}", no_range.body);
    let bad_range = dav
        .report(
            &cal,
            &query("VEVENT", "").replace("20260301T000000Z", "March"),
        )
        .await;
    assert_eq!(bad_range.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn sync_collection_reports_changes_and_deletions() {
    let (_server, _web, dav) = setup().await;
    let cal = default_calendar(&dav).await;
    let sync = |token: &str| {
        format!(
            r#"<d:sync-collection xmlns:d="DAV:"><d:sync-token>{token}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>"#
        )
    };
    let token_of = |body: &str| {
        let s = body.find("<d:sync-token>").expect("token") + 14;
        body[s..s + body[s..].find('<').expect("end")].to_string()
    };
    for name in ["a", "b", "c"] {
        let put = dav
            .put(
                &format!("{cal}{name}.ics"),
                &[],
                &event(name, "20260401T100000Z", name),
            )
            .await;
        assert_eq!(put.status, StatusCode::CREATED);
    }
    let initial = dav.report(&cal, &sync("")).await;
    assert_eq!(initial.status, StatusCode::MULTI_STATUS);
    assert_eq!(initial.body.matches("<d:getetag>").count(), 3);
    let t1 = token_of(&initial.body);

    // Nothing changed: nothing reported, same token.
    let same = dav.report(&cal, &sync(&t1)).await;
    assert_eq!(
        same.body.matches("<d:response>").count(),
        0,
        "{}",
        same.body
    );
    assert_eq!(token_of(&same.body), t1);

    // Change one, delete one, add one.
    let b = dav.send("GET", &format!("{cal}b.ics"), &[], "").await;
    let changed = dav
        .put(
            &format!("{cal}b.ics"),
            &[("If-Match", &b.etag())],
            &event("b", "20260402T100000Z", "b2"),
        )
        .await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT);
    assert_eq!(
        dav.send("DELETE", &format!("{cal}c.ics"), &[], "")
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    dav.put(
        &format!("{cal}d.ics"),
        &[],
        &event("d", "20260403T100000Z", "d"),
    )
    .await;

    let delta = dav.report(&cal, &sync(&t1)).await;
    assert!(delta.body.contains("b.ics"));
    assert!(delta.body.contains("d.ics"));
    assert!(!delta.body.contains("a.ics"));
    assert!(
        delta
            .body
            .contains("c.ics</d:href><d:status>HTTP/1.1 404 Not Found"),
        "{}",
        delta.body
    );
    let t2 = token_of(&delta.body);
    assert_ne!(t1, t2);

    // A token from elsewhere is refused with the RFC 6578 precondition.
    let bad = dav
        .report(&cal, &sync("http://example.com/sync/c999-1"))
        .await;
    assert_eq!(bad.status, StatusCode::FORBIDDEN);
    assert!(bad.body.contains("valid-sync-token"));

    // The ctag moved too.
    let ctag = dav.propfind(&cal, "0", "<cs:getctag/>").await;
    assert!(ctag.body.contains("<cs:getctag>"));
}

#[tokio::test]
async fn address_books_vcards_queries_and_versions() {
    let (_server, web, dav) = setup().await;
    let home = dav.propfind(BOOK, "1", "<d:resourcetype/>").await;
    let book = home
        .body
        .split("<d:href>")
        .skip(1)
        .map(|s| s[..s.find("</d:href>").expect("end")].to_string())
        .find(|h| h.len() > BOOK.len())
        .expect("default address book");
    let v3 = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:jane-1\r\nFN:Jane Doe\r\nN:Doe;Jane;;;\r\nEMAIL;TYPE=work:jane@example.org\r\nX-TWITTER:@jane\r\nEND:VCARD\r\n";
    let put = dav
        .put(&format!("{book}jane.vcf"), &[("If-None-Match", "*")], v3)
        .await;
    assert_eq!(put.status, StatusCode::CREATED);
    let v4 = "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:max-1\r\nFN:Max Muster\r\nN:Muster;Max;;;\r\nTEL;TYPE=cell:+41 79 123 45 67\r\nEND:VCARD\r\n";
    assert_eq!(
        dav.put(&format!("{book}max.vcf"), &[], v4).await.status,
        StatusCode::CREATED
    );

    // Stored 3.0 comes back exactly; stored 4.0 is converted to 3.0 unless 4.0 is asked for.
    assert_eq!(
        dav.send("GET", &format!("{book}jane.vcf"), &[], "")
            .await
            .body,
        v3
    );
    let as3 = dav
        .send("GET", &format!("{book}max.vcf"), &[], "")
        .await
        .body;
    assert!(as3.contains("VERSION:3.0"), "{as3}");
    assert!(as3.contains("Max Muster"));
    let as4 = dav
        .send(
            "GET",
            &format!("{book}max.vcf"),
            &[("Accept", "text/vcard; version=4.0")],
            "",
        )
        .await
        .body;
    assert_eq!(as4, v4);

    // The web app shows both.
    let book_id: i64 = web
        .get("/api/address-books")
        .await
        .json::<serde_json::Value>()
        .await
        .expect("books")[0]["id"]
        .as_i64()
        .expect("id");
    let list: serde_json::Value = web
        .get(&format!("/api/address-books/{book_id}/contacts"))
        .await
        .json()
        .await
        .expect("contacts");
    assert_eq!(list.as_array().map(Vec::len), Some(2));

    let query = r#"<card:addressbook-query xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/><card:address-data/></d:prop>
<card:filter><card:prop-filter name="EMAIL"><card:text-match match-type="contains">JANE@</card:text-match></card:prop-filter></card:filter></card:addressbook-query>"#;
    let found = dav.report(&book, query).await;
    assert!(found.body.contains("jane.vcf"));
    assert!(!found.body.contains("max.vcf"));
    assert!(found.body.contains("X-TWITTER:@jane"));

    let multiget = format!(
        r#"<card:addressbook-multiget xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/><card:address-data content-type="text/vcard" version="4.0"/></d:prop><d:href>{book}max.vcf</d:href></card:addressbook-multiget>"#
    );
    let got = dav.report(&book, &multiget).await;
    assert!(got.body.contains("VERSION:4.0"));

    // A card without UID is refused.
    let no_uid = dav
        .put(
            &format!("{book}x.vcf"),
            &[],
            "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:X\r\nEND:VCARD\r\n",
        )
        .await;
    assert_eq!(no_uid.status, StatusCode::FORBIDDEN);
    assert!(no_uid.body.contains("valid-address-data"));
}

#[tokio::test]
async fn collections_are_made_patched_and_deleted() {
    let (_server, web, dav) = setup().await;
    let path = format!("{CAL}team-{}/", 7);
    let mk = String::from(
        r#"<c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:ic="http://apple.com/ns/ical/"><d:set><d:prop><d:displayname>Team</d:displayname><ic:calendar-color>#FF8800FF</ic:calendar-color></d:prop></d:set></c:mkcalendar>"#,
    );
    assert_eq!(
        dav.send("MKCALENDAR", &path, &[], &mk).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        dav.send("MKCALENDAR", &path, &[], &mk).await.status,
        StatusCode::METHOD_NOT_ALLOWED
    );
    let cals: serde_json::Value = web.get("/api/calendars").await.json().await.expect("cals");
    let team = cals
        .as_array()
        .expect("list")
        .iter()
        .find(|c| c["name"] == "Team")
        .expect("new calendar in the web app");
    assert_eq!(team["color"], "#ff8800");

    let patch = r#"<d:propertyupdate xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop><d:displayname>Team A</d:displayname><c:calendar-description>Our team</c:calendar-description></d:prop></d:set></d:propertyupdate>"#;
    let r = dav.send("PROPPATCH", &path, &[], patch).await;
    assert_eq!(r.status, StatusCode::MULTI_STATUS);
    assert!(r.body.contains("200 OK"));
    let shown = dav
        .propfind(&path, "0", "<d:displayname/><c:calendar-description/>")
        .await;
    assert!(shown.body.contains("Team A") && shown.body.contains("Our team"));

    // A protected property fails the whole update (403 + 424) and changes nothing.
    let mixed = r#"<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><d:displayname>Renamed</d:displayname><d:getetag>"x"</d:getetag></d:prop></d:set></d:propertyupdate>"#;
    let r = dav.send("PROPPATCH", &path, &[], mixed).await;
    assert!(
        r.body.contains("403 Forbidden") && r.body.contains("424 Failed Dependency"),
        "{}",
        r.body
    );
    assert!(
        dav.propfind(&path, "0", "<d:displayname/>")
            .await
            .body
            .contains("Team A")
    );

    // Properties ksuite does not interpret (Apple's calendar-order) are kept as sent.
    let order = r#"<d:propertyupdate xmlns:d="DAV:" xmlns:ic="http://apple.com/ns/ical/" xmlns:x="urn:example"><d:set><d:prop><ic:calendar-order>3</ic:calendar-order><x:thing><x:inner a="1">v &amp; w</x:inner></x:thing></d:prop></d:set></d:propertyupdate>"#;
    let r = dav.send("PROPPATCH", &path, &[], order).await;
    assert!(
        r.body.contains("200 OK") && !r.body.contains("403"),
        "{}",
        r.body
    );
    let ask = |props: &'static str| {
        format!(
            r#"<d:propfind xmlns:d="DAV:" xmlns:ic="http://apple.com/ns/ical/" xmlns:x="urn:example"><d:prop>{props}</d:prop></d:propfind>"#
        )
    };
    let shown = dav
        .send(
            "PROPFIND",
            &path,
            &[("Depth", "0")],
            &ask("<ic:calendar-order/><x:thing/>"),
        )
        .await;
    assert!(
        shown
            .body
            .contains("<ic:calendar-order>3</ic:calendar-order>"),
        "{}",
        shown.body
    );
    assert!(
        shown.body.contains(r#"a="1">v &amp; w</x:inner>"#),
        "{}",
        shown.body
    );
    let remove = r#"<d:propertyupdate xmlns:d="DAV:" xmlns:ic="http://apple.com/ns/ical/"><d:remove><d:prop><ic:calendar-order/></d:prop></d:remove></d:propertyupdate>"#;
    assert_eq!(
        dav.send("PROPPATCH", &path, &[], remove).await.status,
        StatusCode::MULTI_STATUS
    );
    let gone = dav
        .send(
            "PROPFIND",
            &path,
            &[("Depth", "0")],
            &ask("<ic:calendar-order/>"),
        )
        .await;
    assert!(gone.body.contains("404 Not Found"), "{}", gone.body);

    // Extended MKCOL for an address book; plain MKCOL is refused.
    let mkcol = r#"<d:mkcol xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:set><d:prop><d:resourcetype><d:collection/><card:addressbook/></d:resourcetype><d:displayname>Clients</d:displayname></d:prop></d:set></d:mkcol>"#;
    assert_eq!(
        dav.send("MKCOL", &format!("{BOOK}clients/"), &[], mkcol)
            .await
            .status,
        StatusCode::CREATED
    );
    assert_eq!(
        dav.send("MKCOL", &format!("{BOOK}plain/"), &[], "")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let books: serde_json::Value = web
        .get("/api/address-books")
        .await
        .json()
        .await
        .expect("books");
    assert!(
        books
            .as_array()
            .expect("list")
            .iter()
            .any(|b| b["name"] == "Clients")
    );

    assert_eq!(
        dav.send("DELETE", &path, &[], "").await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        dav.propfind(&path, "0", "<d:displayname/>").await.status,
        StatusCode::NOT_FOUND
    );
    // The default calendar stays.
    let default = default_calendar(&dav).await;
    assert_eq!(
        dav.send("DELETE", &default, &[], "").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn shared_calendars_appear_in_the_grantees_home_read_only() {
    let (server, owner, owner_dav) = setup().await;
    let _guest = signed_in(&server, "guest@example.com").await;
    let cal_id: i64 = owner
        .get("/api/calendars")
        .await
        .json::<serde_json::Value>()
        .await
        .expect("cals")[0]["id"]
        .as_i64()
        .expect("id");
    let own = default_calendar(&owner_dav).await;
    owner_dav
        .put(
            &format!("{own}x.ics"),
            &[],
            &event("x", "20260501T100000Z", "Shared event"),
        )
        .await;
    let r = owner
        .send_json(
            Method::PUT,
            &format!("/api/calendars/{cal_id}/shares"),
            &json!({"email": "guest@example.com", "access": "read"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);

    let guest = Dav::new(&server, "guest@example.com", PASSWORD);
    let home = guest
        .propfind(
            "/dav/calendars/guest@example.com/",
            "1",
            "<d:displayname/><d:current-user-privilege-set/>",
        )
        .await;
    let shared = format!("/dav/calendars/guest@example.com/shared-{cal_id}/");
    assert!(home.body.contains(&shared), "{}", home.body);
    let x = guest.send("GET", &format!("{shared}x.ics"), &[], "").await;
    assert!(x.body.contains("Shared event"));
    let write = guest
        .put(
            &format!("{shared}y.ics"),
            &[],
            &event("y", "20260501T100000Z", "No"),
        )
        .await;
    assert_eq!(write.status, StatusCode::FORBIDDEN);
    let privileges = guest
        .propfind(&shared, "0", "<d:current-user-privilege-set/>")
        .await;
    assert!(privileges.body.contains("<d:read/>"));
    assert!(!privileges.body.contains("<d:write/>"));
    // The owner's own path is not reachable by the guest.
    assert_eq!(
        guest.propfind(&own, "0", "<d:displayname/>").await.status,
        StatusCode::NOT_FOUND
    );
}

fn current_code(secret: &str, email: &str, offset: i64) -> String {
    let t = totp_rs::TOTP::new(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        30,
        totp_rs::Secret::Encoded(secret.into())
            .to_bytes()
            .expect("secret"),
        Some("ksuite".into()),
        email.into(),
    )
    .expect("totp");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_secs() as i64;
    t.generate((now + offset) as u64)
}

#[tokio::test]
async fn app_passwords_and_two_factor_authentication() {
    let (server, web, dav) = setup().await;
    // Without 2FA the account password syncs.
    assert_eq!(
        dav.propfind("/dav/", "0", "<d:current-user-principal/>")
            .await
            .status,
        StatusCode::MULTI_STATUS
    );

    let created = web
        .post("/api/account/app-passwords", &json!({"name": "Phone"}))
        .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: CreatedAppPassword = created.json().await.expect("created");
    let phone = Dav::new(&server, EMAIL, &created.password);
    assert_eq!(
        phone
            .propfind("/dav/", "0", "<d:current-user-principal/>")
            .await
            .status,
        StatusCode::MULTI_STATUS
    );
    // Typed differently (upper case, spaces for dashes): the same password.
    let typed = Dav::new(
        &server,
        EMAIL,
        &created.password.to_uppercase().replace('-', " "),
    );
    assert_eq!(
        typed
            .propfind("/dav/", "0", "<d:current-user-principal/>")
            .await
            .status,
        StatusCode::MULTI_STATUS
    );
    let listed: serde_json::Value = web
        .get("/api/account/app-passwords")
        .await
        .json()
        .await
        .expect("list");
    assert_eq!(listed[0]["name"], "Phone");
    assert!(listed[0]["last_used_at"].is_i64(), "last use recorded");
    assert!(
        listed[0].get("password").is_none(),
        "the secret is never listed"
    );
    // Another user's e-mail with Ann's app password: refused.
    signed_in(&server, "eve@example.com").await;
    let eve = Dav::new(&server, "eve@example.com", &created.password);
    assert_eq!(
        eve.propfind("/dav/", "0", "<d:current-user-principal/>")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    // Turn on 2FA.
    let setup: TwoFactorSetup = web
        .post("/api/account/two-factor/setup", &json!({}))
        .await
        .json()
        .await
        .expect("setup");
    assert!(setup.otpauth_url.starts_with("otpauth://totp/"));
    assert!(setup.qr_svg.contains("<svg"));
    let wrong = web
        .post("/api/account/two-factor/enable", &json!({"code": "000000"}))
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let enabled = web
        .post(
            "/api/account/two-factor/enable",
            &json!({"code": current_code(&setup.secret, EMAIL, -30)}),
        )
        .await;
    assert_eq!(enabled.status(), StatusCode::OK);
    let codes: RecoveryCodes = enabled.json().await.expect("codes");
    assert_eq!(codes.codes.len(), 10);

    // Now the account password no longer opens DAV; the app password still does.
    assert_eq!(
        dav.propfind("/dav/", "0", "<d:current-user-principal/>")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        phone
            .propfind("/dav/", "0", "<d:current-user-principal/>")
            .await
            .status,
        StatusCode::MULTI_STATUS
    );

    // Login asks for the code.
    let fresh = server.client();
    let r = fresh.login(EMAIL, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.json::<serde_json::Value>().await.expect("err")["code"],
        "totp_required"
    );
    let with_code = |code: String| {
        let fresh = server.client();
        async move {
            fresh
                .post(
                    "/api/auth/login",
                    &json!({"email": EMAIL, "password": PASSWORD, "totp": code}),
                )
                .await
        }
    };
    let bad = with_code("123456".into()).await;
    assert_eq!(
        bad.json::<serde_json::Value>().await.expect("err")["code"],
        "invalid_totp"
    );
    let code = current_code(&setup.secret, EMAIL, 0);
    assert_eq!(with_code(code.clone()).await.status(), StatusCode::OK);
    // The same code twice is a replay.
    assert_eq!(with_code(code).await.status(), StatusCode::UNAUTHORIZED);
    // A recovery code works once.
    assert_eq!(
        with_code(codes.codes[0].clone()).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        with_code(codes.codes[0].clone()).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let status: serde_json::Value = web
        .get("/api/account/two-factor")
        .await
        .json()
        .await
        .expect("status");
    assert_eq!(status["enabled"], true);
    assert_eq!(status["recovery_codes_left"], 9);

    // Revoking the app password stops the device at once (the cache is dropped).
    let id = created.info.id;
    let r = web
        .send_json(
            Method::DELETE,
            &format!("/api/account/app-passwords/{id}"),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        phone
            .propfind("/dav/", "0", "<d:current-user-principal/>")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    // Turning 2FA off needs the password.
    let r = web
        .post(
            "/api/account/two-factor/disable",
            &json!({"password": "nope"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = web
        .post(
            "/api/account/two-factor/disable",
            &json!({"password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        dav.propfind("/dav/", "0", "<d:current-user-principal/>")
            .await
            .status,
        StatusCode::MULTI_STATUS
    );
}

#[tokio::test]
async fn sync_assistant_details_and_apple_profile() {
    let (server, web, _dav) = setup().await;
    let info: serde_json::Value = web.get("/api/sync").await.json().await.expect("info");
    assert_eq!(info["username"], EMAIL);
    assert_eq!(info["caldav_url"], format!("{}{CAL}", server.base));
    assert_eq!(info["two_factor_enabled"], false);
    let profile = web.get("/api/sync/apple.mobileconfig").await;
    assert_eq!(profile.status(), StatusCode::OK);
    assert_eq!(
        profile.headers()["content-type"],
        "application/x-apple-aspen-config"
    );
    let text = profile.text().await.expect("profile");
    assert!(
        text.contains("com.apple.caldav.account") && text.contains("com.apple.carddav.account")
    );
    // Signed out: no profile.
    assert_eq!(
        server
            .client()
            .get("/api/sync/apple.mobileconfig")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn repeated_requests_never_see_stale_answers_and_failures_are_throttled() {
    let server = TestServer::start_with(|c| c.login_max_failures = 3).await;
    signed_in(&server, EMAIL).await;
    let dav = Dav::new(&server, EMAIL, PASSWORD);
    let cal = default_calendar(&dav).await;
    // The same listing twice (the second from the cache), then a change, then again.
    for _ in 0..2 {
        let listing = dav.propfind(&cal, "1", "<d:getetag/>").await;
        assert_eq!(listing.body.matches("<d:getetag>").count(), 0);
    }
    dav.put(
        &format!("{cal}new.ics"),
        &[],
        &event("new", "20260701T100000Z", "New"),
    )
    .await;
    let listing = dav.propfind(&cal, "1", "<d:getetag/>").await;
    assert_eq!(
        listing.body.matches("<d:getetag>").count(),
        1,
        "{}",
        listing.body
    );
    let del = dav.send("DELETE", &format!("{cal}new.ics"), &[], "").await;
    assert_eq!(del.status, StatusCode::NO_CONTENT);
    let listing = dav.propfind(&cal, "1", "<d:getetag/>").await;
    assert_eq!(
        listing.body.matches("<d:getetag>").count(),
        0,
        "{}",
        listing.body
    );

    // Wrong passwords: three failures, then even the right one waits.
    let wrong = Dav::new(&server, EMAIL, "wrong password");
    for _ in 0..3 {
        assert_eq!(
            wrong
                .propfind("/dav/", "0", "<d:current-user-principal/>")
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
    }
    let blocked = wrong
        .propfind("/dav/", "0", "<d:current-user-principal/>")
        .await;
    assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(blocked.headers.contains_key("retry-after"));
}

#[tokio::test]
async fn a_device_opening_many_connections_at_once_is_not_throttled() {
    let server = TestServer::start_with(|c| c.login_max_failures = 3).await;
    let web = signed_in(&server, EMAIL).await;
    let secret = support::app_password(&web).await;
    // A fresh application password, never verified yet, on 24 connections at once (one
    // client each): more first requests in flight than the throttle allows failures.
    let answers = futures::future::join_all((0..24).map(|_| {
        let dav = Dav::new(&server, EMAIL, &secret);
        async move {
            dav.propfind("/dav/", "0", "<d:current-user-principal/>")
                .await
                .status
        }
    }))
    .await;
    assert!(
        answers.iter().all(|s| *s == StatusCode::MULTI_STATUS),
        "{answers:?}"
    );
    // Nothing was counted as a failure: a wrong password is still just refused.
    let wrong = Dav::new(&server, EMAIL, "wrong password");
    assert_eq!(
        wrong
            .propfind("/dav/", "0", "<d:current-user-principal/>")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}
