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

/// PUTs a new object, which must be created.
async fn create(dav: &Dav, href: &str, body: &str) {
    let put = dav.put(href, &[], body).await;
    assert_eq!(put.status, StatusCode::CREATED, "{href}: {}", put.body);
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
    create(
        &dav,
        &format!("{path}old.ics"),
        &event("old", "20260401T100000Z", "Old"),
    )
    .await;
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
    create(
        &dav,
        &format!("{path}new.ics"),
        &event("new", "20260401T100000Z", "New"),
    )
    .await;
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

/// The hrefs in a multistatus body, percent-decoded (`@` and `%40` name the same thing).
fn hrefs(body: &str) -> Vec<String> {
    body.match_indices("<d:href>")
        .map(|(i, _)| &body[i + 8..])
        .map(|rest| decoded(&rest[..rest.find("</d:href>").expect("end of href")]))
        .collect()
}

fn decoded(href: &str) -> String {
    percent_encoding::percent_decode_str(href)
        .decode_utf8()
        .expect("UTF-8 href")
        .into_owned()
}

#[tokio::test]
async fn long_folded_and_unsafe_uids_are_found_by_listing_uid_and_href() {
    let (_server, dav) = setup().await;
    let cal = support::default_calendar(&dav).await;
    let long = "040000008200E00074C5B7101A82E00800000000F0A1B2C3D4E5DA01000000000000000010000000AB12CD34EF56";
    // Folded over two lines, with bare LF line ends as some clients write.
    let folded = event(long, "20260401T100000Z", "Folded")
        .replace(
            &format!("UID:{long}"),
            &format!("UID:{}\n {}", &long[..60], &long[60..]),
        )
        .replace("\r\n", "\n");
    let unsafe_uid = "a b/c?d#e%f@example.com";
    // A slash cannot be in a resource name (`%2F` is refused), so the name leaves it out.
    let unsafe_href = format!("{cal}a%20b%3Fd%23e%25f%40example.com.ics");
    let put = dav.put(&format!("{cal}{long}.ics"), &[], &folded).await;
    assert_eq!(put.status, StatusCode::CREATED, "{}", put.body);
    create(
        &dav,
        &unsafe_href,
        &event(unsafe_uid, "20260402T100000Z", "Unsafe"),
    )
    .await;

    let listing = dav
        .report(&cal, &query(r#"<c:comp-filter name="VEVENT"/>"#))
        .await;
    let listed = hrefs(&listing.body);
    assert!(listed.contains(&format!("{cal}{long}.ics")), "{listed:?}");
    assert!(listed.contains(&decoded(&unsafe_href)), "{listed:?}");

    for (uid, href) in [
        (long.to_string(), format!("{cal}{long}.ics")),
        (xml_escape(unsafe_uid), unsafe_href.clone()),
    ] {
        let by_uid = dav
            .report(
                &cal,
                &query(&format!(
                    r#"<c:comp-filter name="VEVENT"><c:prop-filter name="UID"><c:text-match collation="i;octet" match-type="equals">{uid}</c:text-match></c:prop-filter></c:comp-filter>"#
                )),
            )
            .await;
        assert_eq!(hrefs(&by_uid.body), vec![decoded(&href)], "{}", by_uid.body);
        let got = dav.send("GET", &href, &[], "").await;
        assert_eq!(got.status, StatusCode::OK);
    }
    let got = dav.send("GET", &format!("{cal}{long}.ics"), &[], "").await;
    assert!(got.body.contains(&long[60..]));
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;")
}

#[tokio::test]
async fn component_text_and_todo_filters_return_the_right_objects() {
    let (_server, dav) = setup().await;
    let cal = support::default_calendar(&dav).await;
    let objects = [
        (
            "party.ics",
            event("party", "20260401T100000Z", "Café party"),
        ),
        (
            "meeting.ics",
            event("meeting", "20260402T100000Z", "Budget meeting"),
        ),
        (
            "open.ics",
            ics(
                "VTODO",
                "open",
                "SUMMARY:Open task\r\nSTATUS:NEEDS-ACTION\r\n",
            ),
        ),
        (
            "done.ics",
            ics(
                "VTODO",
                "done",
                "SUMMARY:Done task\r\nSTATUS:COMPLETED\r\nCOMPLETED:20260101T100000Z\r\n",
            ),
        ),
    ];
    for (name, body) in &objects {
        let put = dav.put(&format!("{cal}{name}"), &[], body).await;
        assert_eq!(put.status, StatusCode::CREATED, "{name}: {}", put.body);
    }
    let names = |body: &str| {
        let mut n: Vec<String> = hrefs(body)
            .into_iter()
            .map(|h| h.rsplit('/').next().unwrap_or_default().to_string())
            .collect();
        n.sort();
        n
    };
    let events = dav
        .report(&cal, &query(r#"<c:comp-filter name="VEVENT"/>"#))
        .await;
    assert_eq!(names(&events.body), ["meeting.ics", "party.ics"]);
    let todos = dav
        .report(&cal, &query(r#"<c:comp-filter name="VTODO"/>"#))
        .await;
    assert_eq!(names(&todos.body), ["done.ics", "open.ics"]);

    // Pending to-dos, the two ways clients ask.
    let not_completed = dav
        .report(
            &cal,
            &query(r#"<c:comp-filter name="VTODO"><c:prop-filter name="COMPLETED"><c:is-not-defined/></c:prop-filter></c:comp-filter>"#),
        )
        .await;
    assert_eq!(names(&not_completed.body), ["open.ics"]);
    let status_not = dav
        .report(
            &cal,
            &query(r#"<c:comp-filter name="VTODO"><c:prop-filter name="STATUS"><c:text-match negate-condition="yes">COMPLETED</c:text-match></c:prop-filter></c:comp-filter>"#),
        )
        .await;
    assert_eq!(names(&status_not.body), ["open.ics"]);

    // SUMMARY text, case-insensitive, in UTF-8.
    for needle in ["café", "CAFÉ", "Café party"] {
        let found = dav
            .report(
                &cal,
                &query(&format!(
                    r#"<c:comp-filter name="VEVENT"><c:prop-filter name="SUMMARY"><c:text-match>{needle}</c:text-match></c:prop-filter></c:comp-filter>"#
                )),
            )
            .await;
        assert_eq!(names(&found.body), ["party.ics"], "{needle}");
    }
}

/// The ETag in a multistatus body (the first one).
fn etag_in(body: &str) -> String {
    let s = body.find("<d:getetag>").expect("getetag") + 11;
    body[s..s + body[s..].find('<').expect("end")].replace("&quot;", "\"")
}

#[tokio::test]
async fn etags_are_strong_and_the_same_on_every_path() {
    let (_server, dav) = setup().await;
    let cal = support::default_calendar(&dav).await;
    let href = format!("{cal}weekly.ics");
    let weekly = ics(
        "VEVENT",
        "weekly",
        "DTSTART:20260105T090000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=WEEKLY;COUNT=10\r\nSUMMARY:Standup\r\n",
    );
    let put = dav.put(&href, &[], &weekly).await;
    assert_eq!(put.status, StatusCode::CREATED);
    let from_put = put.etag();
    assert!(from_put.starts_with('"') && !from_put.starts_with("W/"));
    let from_get = dav.send("GET", &href, &[], "").await.etag();
    let from_propfind = etag_in(&dav.propfind(&href, "0", "<d:getetag/>").await.body);
    let expanded = dav
        .report(
            &cal,
            r#"<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data><c:expand start="20260101T000000Z" end="20260301T000000Z"/></c:calendar-data></d:prop>
<c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="20260101T000000Z" end="20260301T000000Z"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"#,
        )
        .await;
    let from_expanded = etag_in(&expanded.body);
    let from_sync = etag_in(&dav.report(&cal, &sync_body("", None)).await.body);
    for e in [&from_get, &from_propfind, &from_expanded, &from_sync] {
        assert_eq!(e, &from_put);
    }
    // Editing one occurrence with the ETag learnt from the expanded search succeeds.
    let edited = format!(
        "{}BEGIN:VEVENT\r\nUID:weekly\r\nDTSTAMP:20260101T000000Z\r\nRECURRENCE-ID:20260112T090000Z\r\nDTSTART:20260112T100000Z\r\nDURATION:PT1H\r\nSUMMARY:Moved standup\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        weekly.trim_end_matches("END:VCALENDAR\r\n")
    );
    let r = dav
        .put(&href, &[("If-Match", &from_expanded)], &edited)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    // …and a second writer holding the old one is refused, not silently overwritten.
    let stale = dav
        .put(&href, &[("If-Match", &from_expanded)], &weekly)
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
}

#[tokio::test]
async fn calendars_hold_the_components_they_were_made_for_journals_included() {
    let (_server, dav) = setup().await;
    let tasks = format!("{CAL}tasks/");
    let journal = format!("{CAL}journal/");
    let comps = |names: &[&str]| {
        let inner: String = names
            .iter()
            .map(|n| format!(r#"<c:comp name="{n}"/>"#))
            .collect();
        format!("<c:supported-calendar-component-set>{inner}</c:supported-calendar-component-set>")
    };
    assert_eq!(
        mkcalendar(&dav, &tasks, &comps(&["VTODO"])).await,
        StatusCode::CREATED
    );
    assert_eq!(
        mkcalendar(&dav, &journal, &comps(&["VJOURNAL"])).await,
        StatusCode::CREATED
    );
    let shown = dav
        .propfind(&tasks, "0", "<c:supported-calendar-component-set/>")
        .await;
    assert!(shown.body.contains(r#"<c:comp name="VTODO"/>"#));
    assert!(!shown.body.contains("VEVENT"), "{}", shown.body);

    let todo = ics("VTODO", "t1", "SUMMARY:Buy milk\r\n");
    let ev = event("e1", "20260401T100000Z", "Not here");
    let entry = ics(
        "VJOURNAL",
        "j1",
        "DTSTART;VALUE=DATE:20260401\r\nSUMMARY:Notes\r\nDESCRIPTION:Went well\r\n",
    );
    assert_eq!(
        dav.put(&format!("{tasks}t1.ics"), &[], &todo).await.status,
        StatusCode::CREATED
    );
    for (coll, body) in [(&tasks, &ev), (&tasks, &entry), (&journal, &ev)] {
        let r = dav.put(&format!("{coll}x.ics"), &[], body).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{coll}");
        assert!(
            r.body.contains("supported-calendar-component"),
            "{}",
            r.body
        );
    }
    let put = dav.put(&format!("{journal}j1.ics"), &[], &entry).await;
    assert_eq!(put.status, StatusCode::CREATED, "{}", put.body);
    let got = dav.send("GET", &format!("{journal}j1.ics"), &[], "").await;
    assert!(got.body.contains("DESCRIPTION:Went well"));
    let journals = dav
        .report(&journal, &query(r#"<c:comp-filter name="VJOURNAL"/>"#))
        .await;
    assert_eq!(hrefs(&journals.body), vec![format!("{journal}j1.ics")]);

    // A kind we cannot store, or none at all, is refused at creation.
    for bad in [comps(&["VFREEBUSY"]), comps(&[])] {
        assert_eq!(
            mkcalendar(&dav, &format!("{CAL}bad/"), &bad).await,
            StatusCode::FORBIDDEN
        );
    }
}

#[tokio::test]
async fn colour_names_are_kept_and_nonsense_is_refused() {
    let (_server, dav) = setup().await;
    let blue = format!("{CAL}blue/");
    let color = |c: &str| format!("<ic:calendar-color>{c}</ic:calendar-color>");
    assert_eq!(
        mkcalendar(&dav, &blue, &color("blue")).await,
        StatusCode::CREATED
    );
    let shown = dav
        .propfind(
            &blue,
            "0",
            "<ic:calendar-color xmlns:ic=\"http://apple.com/ns/ical/\"/>",
        )
        .await;
    assert!(shown.body.contains("#0000ff"), "{}", shown.body);
    let bad = dav.send(
        "MKCALENDAR",
        &format!("{CAL}odd/"),
        &[],
        &format!(r#"<c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:ic="http://apple.com/ns/ical/"><d:set><d:prop>{}</d:prop></d:set></c:mkcalendar>"#, color("not-a-colour")),
    ).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("not a colour"), "{}", bad.body);
    let patch = r#"<d:propertyupdate xmlns:d="DAV:" xmlns:ic="http://apple.com/ns/ical/"><d:set><d:prop><ic:calendar-color>Green</ic:calendar-color></d:prop></d:set></d:propertyupdate>"#;
    let r = dav.send("PROPPATCH", &blue, &[], patch).await;
    assert!(r.body.contains("200 OK"), "{}", r.body);
    let shown = dav
        .propfind(
            &blue,
            "0",
            "<ic:calendar-color xmlns:ic=\"http://apple.com/ns/ical/\"/>",
        )
        .await;
    assert!(shown.body.contains("#008000"), "{}", shown.body);
}

#[tokio::test]
async fn sync_collection_honours_limit_with_checkpoint_tokens() {
    let (_server, dav) = setup().await;
    let cal = support::default_calendar(&dav).await;
    for i in 0..5 {
        dav.put(
            &format!("{cal}e{i}.ics"),
            &[],
            &event(&format!("e{i}"), "20260401T100000Z", "x"),
        )
        .await;
    }
    dav.send("DELETE", &format!("{cal}e0.ics"), &[], "").await;
    let mut token = String::new();
    let mut seen: Vec<String> = Vec::new();
    let mut rounds = 0;
    loop {
        rounds += 1;
        assert!(rounds < 10, "the checkpoints never end");
        let r = dav.report(&cal, &sync_body(&token, Some(2))).await;
        assert_eq!(r.status, StatusCode::MULTI_STATUS, "{}", r.body);
        let responses: Vec<&str> = r.body.split("<d:response>").skip(1).collect();
        let members: Vec<&str> = responses
            .iter()
            .copied()
            .filter(|x| hrefs(x).first().is_some_and(|h| h.ends_with(".ics")))
            .collect();
        assert!(members.len() <= 2, "{}", r.body);
        // What the client's copy looks like: changed members in, removed ones out.
        for m in members {
            let href = hrefs(m).remove(0);
            seen.retain(|h| *h != href);
            if !m.contains("<d:status>HTTP/1.1 404") {
                seen.push(href);
            }
        }
        token = token_of(&r.body);
        if !r.body.contains("507 Insufficient Storage") {
            break;
        }
        assert!(r.body.contains("number-of-matches-within-limits"));
    }
    seen.sort();
    let want: Vec<String> = (1..5).map(|i| format!("{cal}e{i}.ics")).collect();
    assert_eq!(seen, want);
    assert!(rounds >= 2);
    // From the last token on, nothing is left.
    let r = dav.report(&cal, &sync_body(&token, Some(2))).await;
    assert!(
        hrefs(&r.body).iter().all(|h| !h.ends_with(".ics")),
        "{}",
        r.body
    );
    // A limit that is not a number is a clear error.
    let bad = dav
        .report(
            &cal,
            &sync_body("", None).replace(
                "<d:prop>",
                "<d:limit><d:nresults>many</d:nresults></d:limit><d:prop>",
            ),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

/// Ann's default calendar id, shared with `reader` (read) and `writer` (read/write).
async fn share_default_calendar(web: &support::Client) -> i64 {
    let cal_id = web
        .get("/api/calendars")
        .await
        .json::<serde_json::Value>()
        .await
        .expect("calendars")[0]["id"]
        .as_i64()
        .expect("id");
    for (who, access) in [
        ("reader@example.com", "read"),
        ("writer@example.com", "read_write"),
    ] {
        let r = web
            .send_json(
                reqwest::Method::PUT,
                &format!("/api/calendars/{cal_id}/shares"),
                &serde_json::json!({"email": who, "access": access}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    cal_id
}

#[tokio::test]
async fn free_busy_shows_busy_times_only_to_those_who_can_read_the_calendar() {
    let server = TestServer::start().await;
    let web = signed_in(&server, EMAIL).await;
    for who in [
        "reader@example.com",
        "writer@example.com",
        "stranger@example.com",
    ] {
        signed_in(&server, who).await;
    }
    let cal_id = share_default_calendar(&web).await;
    let ann = Dav::new(&server, EMAIL, PASSWORD);
    let cal = support::default_calendar(&ann).await;
    let put = |name: &'static str, body: String| {
        let ann = &ann;
        let href = format!("{cal}{name}");
        async move { assert_eq!(ann.put(&href, &[], &body).await.status, StatusCode::CREATED) }
    };
    put(
        "a.ics",
        ics(
            "VEVENT",
            "a",
            "DTSTART:20260401T090000Z\r\nDTEND:20260401T100000Z\r\nSUMMARY:Secret one\r\n",
        ),
    )
    .await;
    put(
        "b.ics",
        ics(
            "VEVENT",
            "b",
            "DTSTART:20260401T093000Z\r\nDTEND:20260401T110000Z\r\nSUMMARY:Overlaps\r\n",
        ),
    )
    .await;
    put("free.ics", ics("VEVENT", "free", "DTSTART:20260401T140000Z\r\nDTEND:20260401T150000Z\r\nTRANSP:TRANSPARENT\r\nSUMMARY:Free\r\n")).await;
    put("daily.ics", ics("VEVENT", "daily", "DTSTART:20260402T080000Z\r\nDURATION:PT30M\r\nRRULE:FREQ=DAILY;COUNT=3\r\nSUMMARY:Daily\r\n")).await;
    let body = r#"<c:free-busy-query xmlns:c="urn:ietf:params:xml:ns:caldav"><c:time-range start="20260401T000000Z" end="20260404T000000Z"/></c:free-busy-query>"#;

    let r = ann.report(&cal, body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.headers["content-type"]
            .to_str()
            .is_ok_and(|t| t.starts_with("text/calendar"))
    );
    let busy: Vec<&str> = r
        .body
        .lines()
        .filter(|l| l.starts_with("FREEBUSY:"))
        .collect();
    assert_eq!(
        busy,
        [
            "FREEBUSY:20260401T090000Z/20260401T110000Z",
            "FREEBUSY:20260402T080000Z/20260402T083000Z",
            "FREEBUSY:20260403T080000Z/20260403T083000Z",
        ]
    );
    assert!(!r.body.contains("Secret"), "free-busy reveals no details");

    let shared = format!("/dav/calendars/{{}}/shared-{cal_id}/");
    for who in ["reader@example.com", "writer@example.com"] {
        let dav = Dav::new(&server, who, PASSWORD);
        let r = dav.report(&shared.replace("{}", who), body).await;
        assert_eq!(r.status, StatusCode::OK, "{who}");
        assert_eq!(r.body.matches("FREEBUSY:").count(), 3, "{who}");
    }
    let stranger = Dav::new(&server, "stranger@example.com", PASSWORD);
    assert_eq!(
        stranger.report(&cal, body).await.status,
        StatusCode::NOT_FOUND
    );
    let anonymous = Dav::new(&server, EMAIL, "wrong password");
    assert_eq!(
        anonymous.report(&cal, body).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn principal_search_finds_colleagues_but_not_their_calendars() {
    let server = TestServer::start().await;
    signed_in(&server, EMAIL).await;
    signed_in(&server, "bob.martin@example.com").await;
    let ann = Dav::new(&server, EMAIL, PASSWORD);
    let search = |prop: &str, text: &str| {
        format!(
            r#"<d:principal-property-search xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:property-search><d:prop>{prop}</d:prop><d:match>{text}</d:match></d:property-search><d:prop><d:displayname/><c:calendar-user-address-set/></d:prop></d:principal-property-search>"#
        )
    };
    let bob = "/dav/principals/bob.martin@example.com/";
    let by_mail = ann
        .report(
            "/dav/",
            &search("<c:calendar-user-address-set/>", "BOB.MARTIN"),
        )
        .await;
    assert_eq!(by_mail.status, StatusCode::MULTI_STATUS, "{}", by_mail.body);
    assert_eq!(
        hrefs(&by_mail.body).first().map(String::as_str),
        Some(bob),
        "{}",
        by_mail.body
    );
    assert!(by_mail.body.contains("mailto:bob.martin@example.com"));
    let nobody = ann
        .report("/dav/principals/", &search("<d:displayname/>", "zzz"))
        .await;
    assert_eq!(nobody.status, StatusCode::MULTI_STATUS);
    assert!(hrefs(&nobody.body).is_empty(), "{}", nobody.body);
    let everyone = ann
        .report("/dav/", r#"<d:principal-property-search xmlns:d="DAV:"><d:prop><d:displayname/></d:prop></d:principal-property-search>"#)
        .await;
    assert_eq!(hrefs(&everyone.body).len(), 2, "{}", everyone.body);
    let set = ann
        .report(
            "/dav/",
            r#"<d:principal-search-property-set xmlns:d="DAV:"/>"#,
        )
        .await;
    assert_eq!(set.status, StatusCode::OK);
    assert!(set.body.contains("displayname"));

    // Bob's principal answers its public properties; his calendars stay his.
    let p = ann
        .propfind(bob, "0", "<d:displayname/><c:calendar-user-address-set/>")
        .await;
    assert_eq!(p.status, StatusCode::MULTI_STATUS);
    assert!(p.body.contains("mailto:bob.martin@example.com"));
    let home = ann
        .propfind(
            "/dav/calendars/bob.martin@example.com/",
            "1",
            "<d:displayname/>",
        )
        .await;
    assert_eq!(home.status, StatusCode::NOT_FOUND);
    let missing = ann
        .propfind(
            "/dav/principals/nobody@example.com/",
            "0",
            "<d:displayname/>",
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let anonymous = Dav::new(&server, EMAIL, "wrong password");
    assert_eq!(
        anonymous
            .report("/dav/", &search("<d:displayname/>", "bob"))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_organization_directory_is_a_read_only_address_book_for_everyone() {
    let server = TestServer::start().await;
    signed_in(&server, EMAIL).await;
    signed_in(&server, "bob@example.com").await;
    let bob = Dav::new(&server, "bob@example.com", PASSWORD);
    let home = "/dav/addressbooks/bob@example.com/";
    let dir = format!("{home}directory/");
    let listing = bob
        .propfind(
            home,
            "1",
            "<d:displayname/><d:resourcetype/><d:current-user-privilege-set/>",
        )
        .await;
    assert!(hrefs(&listing.body).contains(&dir), "{}", listing.body);

    let q = r#"<card:addressbook-query xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/><card:address-data/></d:prop><card:filter><card:prop-filter name="EMAIL"><card:text-match>ann@</card:text-match></card:prop-filter></card:filter></card:addressbook-query>"#;
    let found = bob.report(&dir, q).await;
    assert_eq!(found.status, StatusCode::MULTI_STATUS, "{}", found.body);
    assert_eq!(hrefs(&found.body).len(), 1, "{}", found.body);
    assert!(
        found
            .body
            .contains("EMAIL;TYPE=INTERNET,WORK:ann@example.com"),
        "{}",
        found.body
    );
    let card = hrefs(&found.body).remove(0);
    let got = bob.send("GET", &card, &[], "").await;
    assert_eq!(got.status, StatusCode::OK);
    assert!(got.body.starts_with("BEGIN:VCARD"));

    // Sync works like any address book; a new colleague changes the ctag and the listing.
    let first = bob.report(&dir, &sync_body("", None)).await;
    assert_eq!(
        hrefs(&first.body)
            .iter()
            .filter(|h| h.ends_with(".vcf"))
            .count(),
        2
    );
    let token = token_of(&first.body);
    let same = bob.report(&dir, &sync_body(&token, None)).await;
    assert!(hrefs(&same.body).is_empty(), "{}", same.body);
    signed_in(&server, "carol@example.com").await;
    let after = bob.report(&dir, &sync_body(&token, None)).await;
    assert_eq!(
        after.status,
        StatusCode::FORBIDDEN,
        "an old token asks for a fresh start"
    );
    assert!(after.body.contains("valid-sync-token"));

    // Nobody writes to it, deletes it, or makes their own under its name.
    let r = bob
        .put(
            &format!("{dir}x.vcf"),
            &[],
            "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:x\r\nFN:X\r\nEND:VCARD\r\n",
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        bob.send("DELETE", &card, &[], "").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        bob.send("DELETE", &dir, &[], "").await.status,
        StatusCode::FORBIDDEN
    );
    let patch = r#"<d:propertyupdate xmlns:d="DAV:"><d:set><d:prop><d:displayname>Mine</d:displayname></d:prop></d:set></d:propertyupdate>"#;
    assert!(
        bob.send("PROPPATCH", &dir, &[], patch)
            .await
            .body
            .contains("403 Forbidden")
    );
    let mkcol = r#"<d:mkcol xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:set><d:prop><d:resourcetype><d:collection/><card:addressbook/></d:resourcetype></d:prop></d:set></d:mkcol>"#;
    assert_eq!(
        bob.send("MKCOL", &dir, &[], mkcol).await.status,
        StatusCode::FORBIDDEN
    );
    let still = bob.report(&dir, &sync_body("", None)).await;
    assert_eq!(
        hrefs(&still.body)
            .iter()
            .filter(|h| h.ends_with(".vcf"))
            .count(),
        3
    );
    // Someone else's home still shows nothing.
    let other = bob
        .propfind(
            "/dav/addressbooks/ann@example.com/directory/",
            "1",
            "<d:getetag/>",
        )
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn what_people_publish_reaches_the_directory_on_devices_and_the_web() {
    let server = TestServer::start().await;
    let ann = signed_in(&server, EMAIL).await;
    let bob_web = signed_in(&server, "bob@example.com").await;
    let publish = |card: serde_json::Value| {
        let ann = &ann;
        async move {
            ann.send_json(
                reqwest::Method::PATCH,
                "/api/settings/profile",
                &serde_json::json!({ "directory": card }),
            )
            .await
        }
    };
    let r = publish(serde_json::json!({"phone": " +33 1 23 45 67 89 ", "title": "Head of sales", "department": "Sales"})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let profile: ksuite_common::UserProfile = r.json().await.expect("profile");
    assert_eq!(profile.directory.phone, "+33 1 23 45 67 89");

    let bob = Dav::new(&server, "bob@example.com", PASSWORD);
    let dir = "/dav/addressbooks/bob@example.com/directory/";
    let q = r#"<card:addressbook-query xmlns:d="DAV:" xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><card:address-data/></d:prop><card:filter><card:prop-filter name="TITLE"><card:text-match>sales</card:text-match></card:prop-filter></card:filter></card:addressbook-query>"#;
    let found = bob.report(dir, q).await;
    assert!(
        found.body.contains("TEL;TYPE=WORK:+33 1 23 45 67 89"),
        "{}",
        found.body
    );
    assert!(found.body.contains("ORG:;Sales"));
    let web: Vec<ksuite_common::ContactSummary> = bob_web
        .get("/api/address-books/0/contacts?q=ann")
        .await
        .json()
        .await
        .expect("directory");
    assert_eq!(web.len(), 1);
    assert_eq!(web[0].phone.as_deref(), Some("+33 1 23 45 67 89"));

    // Clearing a field unpublishes it; nonsense is refused with a clear message.
    let r =
        publish(serde_json::json!({"phone": "", "title": "Head of sales", "department": "Sales"}))
            .await;
    assert_eq!(r.status(), StatusCode::OK);
    let found = bob.report(dir, q).await;
    assert!(!found.body.contains("TEL"), "{}", found.body);
    for bad in [
        serde_json::json!({"title": "a\nb"}),
        serde_json::json!({"department": "x".repeat(101)}),
    ] {
        let r = publish(bad).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: ksuite_common::ErrorBody = r.json().await.expect("error");
        assert!(body.message.contains("directory"), "{}", body.message);
    }
}

#[tokio::test]
async fn repeated_gets_never_serve_a_stale_or_withdrawn_object() {
    let server = TestServer::start().await;
    let web = signed_in(&server, EMAIL).await;
    signed_in(&server, "reader@example.com").await;
    signed_in(&server, "writer@example.com").await;
    let cal_id = share_default_calendar(&web).await;
    let ann = Dav::new(&server, EMAIL, PASSWORD);
    let cal = support::default_calendar(&ann).await;
    let href = format!("{cal}lunch.ics");
    assert_eq!(
        ann.put(&href, &[], &event("lunch", "20260401T120000Z", "Lunch"))
            .await
            .status,
        StatusCode::CREATED
    );
    for _ in 0..3 {
        assert!(
            ann.send("GET", &href, &[], "")
                .await
                .body
                .contains("SUMMARY:Lunch")
        );
    }
    // A change through the web app shows at once, with its new ETag.
    let etag = ann.send("GET", &href, &[], "").await.etag();
    let r = web
        .http
        .put(web.url(&format!("/api/calendars/{cal_id}/events/lunch")))
        .header("x-csrf-token", web.csrf.clone().expect("csrf"))
        .header("if-match", etag)
        .json(&serde_json::json!({"title": "Long lunch", "start": "2026-04-01T12:00", "end": "2026-04-01T14:00", "time_zone": "UTC"}))
        .send()
        .await
        .expect("update");
    assert_eq!(r.status(), StatusCode::OK);
    let got = ann.send("GET", &href, &[], "").await;
    assert!(got.body.contains("SUMMARY:Long lunch"), "{}", got.body);
    let propfind_etag = etag_in(&ann.propfind(&href, "0", "<d:getetag/>").await.body);
    assert_eq!(got.etag(), propfind_etag);
    // A writer's change over DAV, then a delete.
    let writer = Dav::new(&server, "writer@example.com", PASSWORD);
    let shared = format!("/dav/calendars/writer@example.com/shared-{cal_id}/lunch.ics");
    let w = writer
        .put(
            &shared,
            &[("If-Match", &got.etag())],
            &event("lunch", "20260401T120000Z", "Team lunch"),
        )
        .await;
    assert_eq!(w.status, StatusCode::NO_CONTENT, "{}", w.body);
    assert!(
        ann.send("GET", &href, &[], "")
            .await
            .body
            .contains("SUMMARY:Team lunch")
    );
    // A grantee reads it; once the share is withdrawn, it is gone for them.
    let reader = Dav::new(&server, "reader@example.com", PASSWORD);
    let as_reader = format!("/dav/calendars/reader@example.com/shared-{cal_id}/lunch.ics");
    assert_eq!(
        reader.send("GET", &as_reader, &[], "").await.status,
        StatusCode::OK
    );
    let r = web
        .send_json(
            reqwest::Method::DELETE,
            &format!("/api/calendars/{cal_id}/shares?email=reader@example.com"),
            &serde_json::json!({}),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.status());
    assert_eq!(
        reader.send("GET", &as_reader, &[], "").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        ann.send("DELETE", &href, &[], "").await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        ann.send("GET", &href, &[], "").await.status,
        StatusCode::NOT_FOUND
    );

    // A calendar deleted and made again under the same name and row id.
    let work = format!("{CAL}work/");
    assert_eq!(mkcalendar(&ann, &work, "").await, StatusCode::CREATED);
    let old = format!("{work}x.ics");
    ann.put(&old, &[], &event("x", "20260401T120000Z", "Old x"))
        .await;
    assert!(ann.send("GET", &old, &[], "").await.body.contains("Old x"));
    assert_eq!(
        ann.send("DELETE", &work, &[], "").await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        ann.send("GET", &old, &[], "").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(mkcalendar(&ann, &work, "").await, StatusCode::CREATED);
    ann.put(&old, &[], &event("x", "20260401T120000Z", "New x"))
        .await;
    assert!(ann.send("GET", &old, &[], "").await.body.contains("New x"));
}
