//! Calendar: calendars, events with ETags, recurrence expansion, .ics import/export, sharing.

mod support;

use ksuite_common::{
    CalendarAccess, CalendarInfo, ErrorBody, ErrorCode, EventDetail, Field, ImportReport,
    Occurrence, Rule,
};
use reqwest::{Method, StatusCode};
use serde_json::json;
use support::{Client, TestServer, signed_in};

async fn calendars(c: &Client) -> Vec<CalendarInfo> {
    c.get("/api/calendars")
        .await
        .json()
        .await
        .expect("calendars")
}

async fn default_calendar(c: &Client) -> i64 {
    calendars(c)
        .await
        .into_iter()
        .find(|c| c.is_default)
        .expect("default calendar")
        .id
}

async fn occurrences(c: &Client, cal: i64, from: &str, to: &str) -> Vec<Occurrence> {
    let resp = c
        .get(&format!("/api/events?from={from}&to={to}&calendars={cal}"))
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    resp.json().await.expect("occurrences")
}

async fn create_event(c: &Client, cal: i64, body: serde_json::Value) -> (EventDetail, String) {
    let resp = c.post(&format!("/api/calendars/{cal}/events"), &body).await;
    assert_eq!(resp.status(), StatusCode::CREATED, "create {body}");
    let etag = resp
        .headers()
        .get("etag")
        .expect("etag")
        .to_str()
        .expect("ascii")
        .to_string();
    (resp.json().await.expect("event"), etag)
}

async fn send_with_etag(
    c: &Client,
    method: Method,
    path: &str,
    etag: Option<&str>,
    body: Option<serde_json::Value>,
) -> reqwest::Response {
    let mut req = c
        .http
        .request(method, c.url(path))
        .header("x-csrf-token", c.csrf.clone().expect("csrf"));
    if let Some(e) = etag {
        req = req.header("if-match", e);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send().await.expect("send")
}

async fn import(c: &Client, cal: i64, ics: &str) -> reqwest::Response {
    c.http
        .post(c.url(&format!("/api/calendars/{cal}/import")))
        .header("x-csrf-token", c.csrf.clone().expect("csrf"))
        .header("content-type", "text/calendar")
        .body(ics.to_string())
        .send()
        .await
        .expect("import")
}

fn starts(list: &[Occurrence]) -> Vec<&str> {
    list.iter().map(|o| o.start.as_str()).collect()
}

#[tokio::test]
async fn calendars_can_be_created_renamed_hidden_and_deleted() {
    let server = TestServer::start().await;
    let c = signed_in(&server, "a@example.org").await;
    let all = calendars(&c).await;
    assert_eq!(all.len(), 1, "a default calendar is created at sign-up");
    assert!(all[0].is_default && all[0].visible);

    let resp = c
        .post(
            "/api/calendars",
            &json!({"name": "Sport", "color": "#ff8800"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let sport: CalendarInfo = resp.json().await.expect("calendar");
    let resp = c
        .send_json(
            Method::PATCH,
            &format!("/api/calendars/{}", sport.id),
            &json!({"name": "Running", "visible": false}),
        )
        .await;
    let updated: CalendarInfo = resp.json().await.expect("calendar");
    assert_eq!((updated.name.as_str(), updated.visible), ("Running", false));
    let resp = c
        .post("/api/calendars", &json!({"name": "Bad", "color": "red"}))
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let resp = c
        .send_json(
            Method::DELETE,
            &format!("/api/calendars/{}", all[0].id),
            &json!({}),
        )
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::CONFLICT,
        "the default calendar stays"
    );
    let resp = c
        .send_json(
            Method::DELETE,
            &format!("/api/calendars/{}", sport.id),
            &json!({}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_eq!(calendars(&c).await.len(), 1);
}

#[tokio::test]
async fn weekly_event_with_one_occurrence_deleted() {
    let server = TestServer::start().await;
    let c = signed_in(&server, "b@example.org").await;
    let cal = default_calendar(&c).await;
    let (ev, etag) = create_event(
        &c,
        cal,
        json!({"title": "Yoga", "start": "2026-03-02T18:00", "end": "2026-03-02T19:00", "time_zone": "Europe/Zurich",
               "rrule": "FREQ=WEEKLY;COUNT=5"}),
    )
    .await;
    assert_eq!(ev.rrule.as_deref(), Some("FREQ=WEEKLY;COUNT=5"));
    let list = occurrences(&c, cal, "2026-03-01T00:00:00Z", "2026-04-30T00:00:00Z").await;
    assert_eq!(list.len(), 5);
    assert!(list.iter().all(|o| o.uid == ev.uid && o.recurring));
    // 18:00 in Zurich is 17:00Z before the 29 March DST change and 16:00Z after.
    assert_eq!(list[0].start, "2026-03-02T17:00:00+00:00");
    assert_eq!(list[4].start, "2026-03-30T16:00:00+00:00");

    let rid = list[2].recurrence_id.clone().expect("recurrence id");
    let path = format!("/api/calendars/{cal}/events/{}/occurrences/{rid}", ev.uid);
    let resp = send_with_etag(&c, Method::DELETE, &path, None, None).await;
    assert_eq!(resp.status(), StatusCode::PRECONDITION_REQUIRED);
    let resp = send_with_etag(&c, Method::DELETE, &path, Some(&etag), None).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let after: EventDetail = resp.json().await.expect("event");
    assert_eq!(after.exdates.len(), 1);
    let list = occurrences(&c, cal, "2026-03-01T00:00:00Z", "2026-04-30T00:00:00Z").await;
    assert_eq!(list.len(), 4);
    assert!(
        !list
            .iter()
            .any(|o| o.recurrence_id.as_deref() == Some(rid.as_str()))
    );
}

#[tokio::test]
async fn monthly_last_friday_dst_week_and_all_day_spans() {
    let server = TestServer::start().await;
    let c = signed_in(&server, "c@example.org").await;
    let cal = default_calendar(&c).await;
    let report: ImportReport = import(&c, cal, include_str!("fixtures/ics/outlook.ics"))
        .await
        .json()
        .await
        .expect("report");
    assert_eq!(report.imported, 2);
    assert_eq!(report.skipped.len(), 1, "{:?}", report.skipped);
    assert!(
        report.skipped[0].reason.contains("DTSTART"),
        "{:?}",
        report.skipped
    );

    // FREQ=MONTHLY;BYDAY=-1FR: the last Friday of each month, 14:00 Berlin time.
    let list = occurrences(&c, cal, "2026-01-01T00:00:00Z", "2026-07-01T00:00:00Z").await;
    let review: Vec<&str> = list
        .iter()
        .filter(|o| o.title == "Monthly review")
        .map(|o| o.start.as_str())
        .collect();
    assert_eq!(
        review,
        vec![
            "2026-01-30T13:00:00+00:00",
            "2026-02-27T13:00:00+00:00",
            "2026-03-27T13:00:00+00:00",
            "2026-04-24T12:00:00+00:00",
            "2026-05-29T12:00:00+00:00",
            "2026-06-26T12:00:00+00:00",
        ]
    );

    // Daily 09:00 Europe/Zurich across the 29 March 2026 change, plus an RDATE.
    let report: ImportReport = import(&c, cal, include_str!("fixtures/ics/apple.ics"))
        .await
        .json()
        .await
        .expect("report");
    assert_eq!(report.imported, 1);
    let list = occurrences(&c, cal, "2026-03-26T00:00:00Z", "2026-04-06T00:00:00Z").await;
    let runs: Vec<&str> = list
        .iter()
        .filter(|o| o.title == "Morning run")
        .map(|o| o.start.as_str())
        .collect();
    assert_eq!(
        runs,
        vec![
            "2026-03-26T08:00:00+00:00",
            "2026-03-27T08:00:00+00:00",
            "2026-03-28T08:00:00+00:00",
            "2026-03-29T07:00:00+00:00",
            "2026-03-30T07:00:00+00:00",
            "2026-03-31T07:00:00+00:00",
            "2026-04-01T07:00:00+00:00",
            "2026-04-05T07:00:00+00:00",
        ]
    );

    // An all-day event over three days shows on each of them.
    let (_, _) = create_event(
        &c,
        cal,
        json!({"title": "Conference", "start": "2026-06-10", "end": "2026-06-13", "all_day": true}),
    )
    .await;
    for day in ["2026-06-10", "2026-06-11", "2026-06-12"] {
        let list = occurrences(
            &c,
            cal,
            &format!("{day}T00:00:00Z"),
            &format!("{day}T23:59:59Z"),
        )
        .await;
        let conf: Vec<&Occurrence> = list.iter().filter(|o| o.title == "Conference").collect();
        assert_eq!(conf.len(), 1, "{day}");
        assert!(conf[0].all_day);
        assert_eq!(
            (conf[0].start.as_str(), conf[0].end.as_str()),
            ("2026-06-10T00:00:00+00:00", "2026-06-13T00:00:00+00:00")
        );
    }
    let list = occurrences(&c, cal, "2026-06-13T00:00:00Z", "2026-06-14T00:00:00Z").await;
    assert!(
        !list.iter().any(|o| o.title == "Conference"),
        "the end date is exclusive"
    );
}

#[tokio::test]
async fn concurrent_edits_are_detected_with_etags() {
    let server = TestServer::start().await;
    let c = signed_in(&server, "d@example.org").await;
    let cal = default_calendar(&c).await;
    let (ev, etag) = create_event(
        &c,
        cal,
        json!({"title": "Lunch", "start": "2026-05-05T12:00", "end": "2026-05-05T13:00"}),
    )
    .await;
    let path = format!("/api/calendars/{cal}/events/{}", ev.uid);
    let body =
        json!({"title": "Lunch with Ana", "start": "2026-05-05T12:30", "end": "2026-05-05T13:30"});
    let resp = send_with_etag(&c, Method::PUT, &path, None, Some(body.clone())).await;
    assert_eq!(resp.status(), StatusCode::PRECONDITION_REQUIRED);
    let resp = send_with_etag(&c, Method::PUT, &path, Some(&etag), Some(body.clone())).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let new_etag = resp
        .headers()
        .get("etag")
        .expect("etag")
        .to_str()
        .expect("ascii")
        .to_string();
    assert_ne!(new_etag, etag);
    // A second editor still holding the old ETag is refused, and nothing is lost.
    let stale =
        json!({"title": "Lunch (old tab)", "start": "2026-05-05T12:00", "end": "2026-05-05T13:00"});
    let resp = send_with_etag(&c, Method::PUT, &path, Some(&etag), Some(stale)).await;
    assert_eq!(resp.status(), StatusCode::PRECONDITION_FAILED);
    assert_eq!(
        resp.json::<ErrorBody>().await.expect("error").code,
        ErrorCode::Conflict
    );
    let resp = send_with_etag(&c, Method::DELETE, &path, Some(&etag), None).await;
    assert_eq!(resp.status(), StatusCode::PRECONDITION_FAILED);
    let current: EventDetail = c.get(&path).await.json().await.expect("event");
    assert_eq!(current.title, "Lunch with Ana");
    let one = format!("{path}/occurrences/20260505T100000Z");
    let resp = send_with_etag(&c, Method::DELETE, &one, Some(&new_etag), None).await;
    assert_eq!(
        resp.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "not a recurring event"
    );
    let resp = send_with_etag(&c, Method::DELETE, &path, Some(&new_etag), None).await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_eq!(c.get(&path).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn one_occurrence_can_be_moved() {
    let server = TestServer::start().await;
    let c = signed_in(&server, "e@example.org").await;
    let cal = default_calendar(&c).await;
    let (ev, etag) = create_event(
        &c,
        cal,
        json!({"title": "Standup", "start": "2026-09-07T09:00", "end": "2026-09-07T09:15", "time_zone": "UTC", "rrule": "FREQ=DAILY;COUNT=3"}),
    )
    .await;
    let path = format!(
        "/api/calendars/{cal}/events/{}/occurrences/20260908T090000Z",
        ev.uid
    );
    let body = json!({"title": "Standup (late)", "start": "2026-09-08T11:00", "end": "2026-09-08T11:15", "time_zone": "UTC"});
    let resp = send_with_etag(&c, Method::PUT, &path, Some(&etag), Some(body)).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let list = occurrences(&c, cal, "2026-09-07T00:00:00Z", "2026-09-10T00:00:00Z").await;
    assert_eq!(
        starts(&list),
        vec![
            "2026-09-07T09:00:00+00:00",
            "2026-09-08T11:00:00+00:00",
            "2026-09-09T09:00:00+00:00"
        ]
    );
    assert_eq!(list[1].title, "Standup (late)");
    assert_eq!(list[1].recurrence_id.as_deref(), Some("20260908T090000Z"));
}

#[tokio::test]
async fn ending_a_series_also_ends_its_moved_occurrences_after_the_cut() {
    let server = TestServer::start().await;
    let c = signed_in(&server, "cut@example.org").await;
    let cal = default_calendar(&c).await;
    let (ev, etag) = create_event(
        &c,
        cal,
        json!({"title": "Standup", "start": "2026-09-07T09:00", "end": "2026-09-07T09:15", "time_zone": "UTC", "rrule": "FREQ=DAILY;COUNT=5"}),
    )
    .await;
    // Move the second and the fourth occurrence.
    let mut etag = etag;
    for (rid, hour) in [("20260908T090000Z", "11"), ("20260910T090000Z", "12")] {
        let path = format!("/api/calendars/{cal}/events/{}/occurrences/{rid}", ev.uid);
        let day = &rid[6..8];
        let body = json!({"title": "Standup (moved)", "start": format!("2026-09-{day}T{hour}:00"), "end": format!("2026-09-{day}T{hour}:15"), "time_zone": "UTC"});
        let resp = send_with_etag(&c, Method::PUT, &path, Some(&etag), Some(body)).await;
        assert_eq!(resp.status(), StatusCode::OK);
        etag = resp.headers()["etag"].to_str().expect("etag").to_string();
    }
    // "This and following" from the third: the rule ends before it.
    let path = format!("/api/calendars/{cal}/events/{}", ev.uid);
    let body = json!({"title": "Standup", "start": "2026-09-07T09:00", "end": "2026-09-07T09:15", "time_zone": "UTC", "rrule": "FREQ=DAILY;UNTIL=20260908T235959Z"});
    let resp = send_with_etag(&c, Method::PUT, &path, Some(&etag), Some(body)).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let list = occurrences(&c, cal, "2026-09-07T00:00:00Z", "2026-09-14T00:00:00Z").await;
    // The moved second stays (before the cut); the moved fourth is gone with the rest.
    assert_eq!(
        starts(&list),
        vec!["2026-09-07T09:00:00+00:00", "2026-09-08T11:00:00+00:00"]
    );
    // And the stored iCalendar no longer carries the dropped override.
    let ics = c
        .get(&format!("/api/calendars/{cal}/export"))
        .await
        .text()
        .await
        .expect("ics");
    assert!(ics.contains("RECURRENCE-ID:20260908T090000Z"), "{ics}");
    assert!(!ics.contains("20260910T090000Z"), "{ics}");
}

#[tokio::test]
async fn sharing_gives_read_or_write_and_nothing_to_others() {
    let server = TestServer::start().await;
    let owner = signed_in(&server, "f@example.org").await;
    let friend = signed_in(&server, "g@example.org").await;
    let stranger = signed_in(&server, "h@example.org").await;
    let cal = default_calendar(&owner).await;
    create_event(
        &owner,
        cal,
        json!({"title": "Dinner", "start": "2026-07-01T19:00", "end": "2026-07-01T21:00"}),
    )
    .await;

    let resp = owner
        .send_json(
            Method::PUT,
            &format!("/api/calendars/{cal}/shares"),
            &json!({"email": "g@example.org", "access": "read"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let shared = calendars(&friend)
        .await
        .into_iter()
        .find(|c| c.id == cal)
        .expect("shared calendar listed");
    assert_eq!(shared.access, CalendarAccess::Read);
    assert_eq!(shared.owner_email.as_deref(), Some("f@example.org"));
    assert_eq!(
        occurrences(&friend, cal, "2026-07-01T00:00:00Z", "2026-07-02T00:00:00Z")
            .await
            .len(),
        1
    );
    let resp = friend
        .post(
            &format!("/api/calendars/{cal}/events"),
            &json!({"title": "X", "start": "2026-07-02T10:00", "end": "2026-07-02T11:00"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = friend
        .send_json(
            Method::PATCH,
            &format!("/api/calendars/{cal}"),
            &json!({"name": "Mine now"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);

    // A user without a share sees nothing: 404, and no events even when asking by id.
    assert_eq!(
        stranger
            .get(&format!("/api/calendars/{cal}/export"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert!(
        occurrences(
            &stranger,
            cal,
            "2026-07-01T00:00:00Z",
            "2026-07-02T00:00:00Z"
        )
        .await
        .is_empty()
    );
    let resp = stranger
        .post(
            &format!("/api/calendars/{cal}/events"),
            &json!({"title": "X", "start": "2026-07-02T10:00", "end": "2026-07-02T11:00"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);

    owner
        .send_json(
            Method::PUT,
            &format!("/api/calendars/{cal}/shares"),
            &json!({"email": "g@example.org", "access": "read_write"}),
        )
        .await;
    create_event(
        &friend,
        cal,
        json!({"title": "Brunch", "start": "2026-07-02T10:00", "end": "2026-07-02T11:00"}),
    )
    .await;
    let resp = owner
        .send_json(
            Method::DELETE,
            &format!("/api/calendars/{cal}/shares?email=g@example.org"),
            &json!({}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(calendars(&friend).await.iter().all(|c| c.id != cal));
    assert_eq!(
        friend
            .get(&format!("/api/calendars/{cal}/export"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn ics_round_trip_keeps_events_and_unknown_properties() {
    let server = TestServer::start().await;
    let c = signed_in(&server, "i@example.org").await;
    let cal = default_calendar(&c).await;
    let mut total = 0;
    for file in [
        include_str!("fixtures/ics/google.ics"),
        include_str!("fixtures/ics/outlook.ics"),
        include_str!("fixtures/ics/apple.ics"),
    ] {
        let report: ImportReport = import(&c, cal, file).await.json().await.expect("report");
        total += report.imported;
    }
    assert_eq!(total, 5);
    // Google: weekly with UNTIL and EXDATE, one moved occurrence; VTODO skipped.
    let list = occurrences(&c, cal, "2026-01-01T00:00:00Z", "2026-02-28T00:00:00Z").await;
    let standups: Vec<(&str, &str)> = list
        .iter()
        .filter(|o| o.title.starts_with("Stand-up"))
        .map(|o| (o.start.as_str(), o.title.as_str()))
        .collect();
    assert_eq!(
        standups,
        vec![
            ("2026-01-05T08:00:00+00:00", "Stand-up"),
            ("2026-01-12T09:00:00+00:00", "Stand-up (moved)"),
            ("2026-01-26T08:00:00+00:00", "Stand-up"),
            ("2026-02-02T08:00:00+00:00", "Stand-up"),
        ]
    );
    let export = c.get(&format!("/api/calendars/{cal}/export")).await;
    assert!(
        export
            .headers()
            .get("content-type")
            .expect("type")
            .to_str()
            .expect("ascii")
            .starts_with("text/calendar")
    );
    let ics = export.text().await.expect("ics");
    for kept in [
        "X-GOOGLE-CONFERENCE:https://meet.example/abc",
        "X-MICROSOFT-CDO-BUSYSTATUS:BUSY",
        "BEGIN:VALARM",
        "TRIGGER;RELATED=START:-PT15M",
        "X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC",
        "BEGIN:VTIMEZONE",
    ] {
        assert!(ics.contains(kept), "{kept} lost in export");
    }

    // Re-importing the export into a new calendar gives the same occurrences.
    let resp = c.post("/api/calendars", &json!({"name": "Copy"})).await;
    let copy: CalendarInfo = resp.json().await.expect("calendar");
    let report: ImportReport = import(&c, copy.id, &ics)
        .await
        .json()
        .await
        .expect("report");
    assert_eq!(
        (report.imported, report.skipped.len()),
        (5, 0),
        "{:?}",
        report.skipped
    );
    let a = occurrences(&c, cal, "2026-01-01T00:00:00Z", "2026-12-31T00:00:00Z").await;
    let b = occurrences(&c, copy.id, "2026-01-01T00:00:00Z", "2026-12-31T00:00:00Z").await;
    let key = |o: &Occurrence| {
        (
            o.uid.clone(),
            o.start.clone(),
            o.end.clone(),
            o.title.clone(),
            o.all_day,
            o.location.clone(),
        )
    };
    assert_eq!(
        a.iter().map(key).collect::<Vec<_>>(),
        b.iter().map(key).collect::<Vec<_>>()
    );
    // Importing the same file again skips every event as a duplicate.
    let again: ImportReport = import(&c, copy.id, &ics)
        .await
        .json()
        .await
        .expect("report");
    assert_eq!((again.imported, again.skipped.len()), (0, 5));
}

#[tokio::test]
async fn bad_input_is_refused_and_nothing_is_stored() {
    let server = TestServer::start().await;
    let c = signed_in(&server, "j@example.org").await;
    let cal = default_calendar(&c).await;
    let resp = import(&c, cal, "this is not a calendar").await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Each refusal names the field and rule the app translates it from.
    for (body, field, rule) in [
        (
            json!({"title": "", "start": "2026-05-05T12:00", "end": "2026-05-05T13:00"}),
            Field::Title,
            Rule::Length,
        ),
        (
            json!({"title": "Backwards", "start": "2026-05-05T12:00", "end": "2026-05-05T11:00"}),
            Field::End,
            Rule::BeforeStart,
        ),
        (
            json!({"title": "Bad rule", "start": "2026-05-05T12:00", "end": "2026-05-05T13:00", "rrule": "FREQ=SOMETIMES"}),
            Field::Repetition,
            Rule::Invalid,
        ),
        (
            json!({"title": "Bad zone", "start": "2026-05-05T12:00", "end": "2026-05-05T13:00", "time_zone": "Mars/Base"}),
            Field::TimeZone,
            Rule::Invalid,
        ),
        (
            json!({"title": "Bad date", "start": "tomorrow", "end": "2026-05-05T13:00"}),
            Field::Date,
            Rule::Invalid,
        ),
    ] {
        let resp = c.post(&format!("/api/calendars/{cal}/events"), &body).await;
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let refusal: ErrorBody = resp.json().await.expect("error body");
        let problem = refusal.problem.expect("a named field");
        assert_eq!((problem.field, problem.rule), (field, rule), "{body}");
    }
    let resp = c
        .get("/api/events?from=2026-01-01T00:00:00Z&to=2028-01-01T00:00:00Z")
        .await;
    assert_eq!(
        resp.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "ranges are bounded"
    );
    assert!(
        occurrences(&c, cal, "2026-01-01T00:00:00Z", "2026-12-31T00:00:00Z")
            .await
            .is_empty()
    );
}
