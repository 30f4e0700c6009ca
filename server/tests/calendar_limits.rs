//! Hostile recurring events: rules that repeat every second, windows centuries after the
//! series start, heavy titles multiplied by thousands of occurrences. Each is refused at
//! write time or answered within the request's budget with a clear error; the server
//! keeps answering everyone else meanwhile.

mod support;

use ksuite_common::{ErrorBody, ErrorCode, Occurrence};
use reqwest::StatusCode;
use serde_json::json;
use support::{Dav, PASSWORD, TestServer, default_calendar, signed_in};

fn event(title: &str, rrule: &str) -> serde_json::Value {
    json!({"title": title, "start": "2026-01-01T00:00:00", "end": "2026-01-01T00:00:30",
           "time_zone": "UTC", "rrule": rrule})
}

fn ics(uid: &str, rrule: &str, summary: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\n\
DTSTAMP:20260101T000000Z\r\nDTSTART:20260101T000000Z\r\nDURATION:PT30S\r\nRRULE:{rrule}\r\n\
SUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

fn query(from: &str, to: &str, expand: bool) -> String {
    let data = if expand {
        format!(r#"<c:calendar-data><c:expand start="{from}" end="{to}"/></c:calendar-data>"#)
    } else {
        "<c:calendar-data/>".into()
    };
    format!(
        r#"<?xml version="1.0"?><c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
<d:prop><d:getetag/>{data}</d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">
<c:time-range start="{from}" end="{to}"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"#
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn rules_that_never_end_and_repeat_every_second_are_refused() {
    let server = TestServer::start().await;
    let c = signed_in(&server, "ann@example.com").await;
    let cal = support::default_calendar_id(&c).await;
    for rule in [
        "FREQ=SECONDLY",
        "FREQ=MINUTELY",
        "FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23;BYMINUTE=0,5,10,15,20,25,30,35,40,45,50,55",
        "FREQ=DAILY;COUNT=1000000",
        "FREQ=SECONDLY;UNTIL=20300101T000000Z",
    ] {
        let r = c
            .post(&format!("/api/calendars/{cal}/events"), &event("x", rule))
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{rule}");
        let err: ErrorBody = r.json().await.expect("error");
        assert!(
            err.message.contains("often") || err.message.contains("at most"),
            "a reason for {rule}: {}",
            err.message
        );
    }
    // Dense but bounded rules are fine, and so is one every few minutes.
    for rule in [
        "FREQ=SECONDLY;COUNT=50",
        "FREQ=MINUTELY;UNTIL=20260102T000000Z",
        "FREQ=MINUTELY;INTERVAL=10",
    ] {
        let r = c
            .post(&format!("/api/calendars/{cal}/events"), &event("ok", rule))
            .await;
        assert_eq!(r.status(), StatusCode::CREATED, "{rule}");
    }
    // The same refusal over CalDAV.
    let dav = Dav::new(&server, "ann@example.com", PASSWORD);
    let path = default_calendar(&dav).await;
    let r = dav
        .put(
            &format!("{path}dense.ics"),
            &[("Content-Type", "text/calendar")],
            &ics("dense", "FREQ=SECONDLY", "x"),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("valid-calendar-object-resource"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_window_centuries_later_starts_near_the_window() {
    let server = TestServer::start().await;
    let c = signed_in(&server, "ann@example.com").await;
    let cal = support::default_calendar_id(&c).await;
    let r = c
        .post(
            &format!("/api/calendars/{cal}/events"),
            &event("every ten minutes", "FREQ=MINUTELY;INTERVAL=10"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    // 173 years after the start: walking from 2026 would take ~9 million steps, over the
    // budget; starting near the window it is 144 occurrences.
    let r = c
        .get(&format!(
            "/api/events?from=2199-06-01T00:00:00Z&to=2199-06-02T00:00:00Z&calendars={cal}"
        ))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let occ: Vec<Occurrence> = r.json().await.expect("occurrences");
    assert_eq!(occ.len(), 144);
    assert_eq!(occ[0].start, "2199-06-01T00:00:00+00:00");
    assert_eq!(occ[1].start, "2199-06-01T00:10:00+00:00");
    assert_eq!(occ[143].start, "2199-06-01T23:50:00+00:00");

    // Weekly with an interval keeps its phase: every other Thursday from 2026-01-01.
    let r = c
        .post(
            &format!("/api/calendars/{cal}/events"),
            &json!({"title": "fortnightly", "start": "2026-01-01T09:00:00", "end": "2026-01-01T10:00:00",
                    "time_zone": "Europe/Zurich", "rrule": "FREQ=WEEKLY;INTERVAL=2"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = c
        .get(&format!(
            "/api/events?from=2150-01-01T00:00:00Z&to=2150-02-01T00:00:00Z&calendars={cal}"
        ))
        .await;
    let occ: Vec<Occurrence> = r.json().await.expect("occurrences");
    let fortnightly: Vec<&str> = occ
        .iter()
        .filter(|o| o.title == "fortnightly")
        .map(|o| o.start.as_str())
        .collect();
    // 2026-01-01 + 2 weeks × n; 2150-01-01 is 45,290 days later = 6,470 weeks (even).
    assert_eq!(
        fortnightly,
        [
            "2150-01-01T08:00:00+00:00",
            "2150-01-15T08:00:00+00:00",
            "2150-01-29T08:00:00+00:00"
        ]
    );

    // And over CalDAV, a REPORT for the same far window.
    let dav = Dav::new(&server, "ann@example.com", PASSWORD);
    let path = default_calendar(&dav).await;
    let r = dav
        .report(&path, &query("21990601T000000Z", "21990601T010000Z", true))
        .await;
    assert_eq!(r.status, StatusCode::MULTI_STATUS, "{}", r.body);
    assert_eq!(r.body.matches("BEGIN:VEVENT").count(), 6, "{}", r.body);
}

#[tokio::test(flavor = "multi_thread")]
async fn heavy_events_are_capped_on_write_and_per_answer() {
    let server = TestServer::start_with(|c| {
        c.max_occurrences = 1000;
        c.max_answer_bytes = 512 * 1024;
    })
    .await;
    let c = signed_in(&server, "ann@example.com").await;
    let cal = support::default_calendar_id(&c).await;
    // A 200 KB title is refused outright.
    let huge = "x".repeat(200 * 1024);
    let r = c
        .post(
            &format!("/api/calendars/{cal}/events"),
            &event(&huge, "FREQ=MINUTELY;COUNT=5000"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let dav = Dav::new(&server, "ann@example.com", PASSWORD);
    let path = default_calendar(&dav).await;
    let r = dav
        .put(
            &format!("{path}huge.ics"),
            &[("Content-Type", "text/calendar")],
            &ics("huge", "FREQ=MINUTELY;COUNT=5000", &huge),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // 3 KB titles (allowed) times 5,000 occurrences exceed one answer: a clear refusal,
    // not a gigabyte.
    let title = "y".repeat(3 * 1024);
    let r = dav
        .put(
            &format!("{path}many.ics"),
            &[("Content-Type", "text/calendar")],
            &ics("many", "FREQ=MINUTELY;COUNT=5000", &title),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = c
        .get(&format!(
            "/api/events?from=2026-01-01T00:00:00Z&to=2026-01-05T00:00:00Z&calendars={cal}"
        ))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err: ErrorBody = r.json().await.expect("error");
    assert_eq!(err.code, ErrorCode::RangeTooLarge);
    assert!(err.message.contains("shorter range"), "{}", err.message);
    let r = dav
        .report(&path, &query("20260101T000000Z", "20260105T000000Z", true))
        .await;
    assert_eq!(r.status, StatusCode::INSUFFICIENT_STORAGE);
    assert!(r.body.contains("number-of-matches-within-limits"));
    assert!(r.body.len() < 4096);
    // A short window of the same series is fine.
    let r = c
        .get(&format!(
            "/api/events?from=2026-01-01T00:00:00Z&to=2026-01-01T01:00:00Z&calendars={cal}"
        ))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let occ: Vec<Occurrence> = r.json().await.expect("occurrences");
    assert_eq!(occ.len(), 60);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_work_budget_stops_expensive_requests_and_the_server_keeps_answering() {
    // A tiny budget makes an ordinary dense series too expensive on purpose.
    let server = TestServer::start_with(|c| c.max_expansion_steps = 500).await;
    let c = signed_in(&server, "ann@example.com").await;
    let cal = support::default_calendar_id(&c).await;
    let r = c
        .post(
            &format!("/api/calendars/{cal}/events"),
            &event("hourly", "FREQ=HOURLY"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let far =
        format!("/api/events?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z&calendars={cal}");
    let (expensive, health) = tokio::join!(c.get(&far), c.get("/api/health"));
    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(expensive.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err: ErrorBody = expensive.json().await.expect("error");
    assert_eq!(err.code, ErrorCode::RangeTooLarge);
    let dav = Dav::new(&server, "ann@example.com", PASSWORD);
    let path = default_calendar(&dav).await;
    let r = dav
        .report(&path, &query("20260101T000000Z", "20270101T000000Z", false))
        .await;
    assert_eq!(r.status, StatusCode::INSUFFICIENT_STORAGE);
    // A day is within the budget.
    let r = c
        .get(&format!(
            "/api/events?from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z&calendars={cal}"
        ))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let occ: Vec<Occurrence> = r.json().await.expect("occurrences");
    assert_eq!(occ.len(), 24);
}

#[tokio::test(flavor = "multi_thread")]
async fn rule_text_is_parsed_and_written_anew() {
    let server = TestServer::start().await;
    let c = signed_in(&server, "ann@example.com").await;
    let cal = support::default_calendar_id(&c).await;
    for bad in [
        "FREQ=DAILY\r\nX-INJECTED:yes",
        "FREQ=DAILY;COUNT=3\nEND:VEVENT",
        "FREQ=SOMETIMES",
    ] {
        let r = c
            .post(&format!("/api/calendars/{cal}/events"), &event("x", bad))
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
    }
    let r = c
        .post(
            &format!("/api/calendars/{cal}/events"),
            &event("x", "RRULE:freq=weekly;byday=mo,we;count=4"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let e: ksuite_common::EventDetail = r.json().await.expect("event");
    let ics = c
        .get(&format!("/api/calendars/{cal}/export"))
        .await
        .text()
        .await
        .expect("export");
    assert!(
        ics.contains("RRULE:FREQ=WEEKLY;COUNT=4;BYDAY=MO,WE"),
        "{ics}"
    );
    assert!(!ics.contains("X-INJECTED"));
    assert!(
        e.rrule
            .as_deref()
            .is_some_and(|r| r.starts_with("FREQ=WEEKLY"))
    );
}
