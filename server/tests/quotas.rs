//! Per-user storage quotas answer a clear error when reached and change nothing; large
//! imports are written in batches and keep every object.

mod support;

use ksuite_common::{ErrorBody, ErrorCode, ImportReport};
use reqwest::{Method, StatusCode};
use serde_json::json;
use support::{Client, Dav, PASSWORD, SmtpConn, TestServer, default_calendar, signed_in};

fn event(n: usize) -> serde_json::Value {
    json!({"title": format!("E{n}"), "start": "2026-05-01T10:00:00", "end": "2026-05-01T11:00:00"})
}

fn ics_file(uids: impl Iterator<Item = String>) -> String {
    let mut s = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n");
    for uid in uids {
        s.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260301T100000Z\r\nDURATION:PT1H\r\nSUMMARY:{uid}\r\nEND:VEVENT\r\n"
        ));
    }
    s.push_str("END:VCALENDAR\r\n");
    s
}

async fn import(c: &Client, cal: i64, body: String) -> reqwest::Response {
    c.http
        .post(c.url(&format!("/api/calendars/{cal}/import")))
        .header(
            ksuite_common::paths::CSRF_HEADER,
            c.csrf.clone().expect("csrf"),
        )
        .header("content-type", "text/calendar")
        .body(body)
        .send()
        .await
        .expect("import")
}

#[tokio::test(flavor = "multi_thread")]
async fn event_and_contact_quotas() {
    let server = TestServer::start_with(|c| {
        c.max_events_per_user = 3;
        c.max_contacts_per_user = 2;
    })
    .await;
    let owner = signed_in(&server, "owner@example.org").await;
    let writer = signed_in(&server, "writer@example.org").await;
    let cal = support::default_calendar_id(&owner).await;
    let r = owner
        .send_json(
            Method::PUT,
            &format!("/api/calendars/{cal}/shares"),
            &json!({"email": "writer@example.org", "access": "read_write"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    for n in 0..2 {
        let r = owner
            .post(&format!("/api/calendars/{cal}/events"), &event(n))
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    // A grantee's writes count against the owner.
    let r = writer
        .post(&format!("/api/calendars/{cal}/events"), &event(2))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = owner
        .post(&format!("/api/calendars/{cal}/events"), &event(3))
        .await;
    assert_eq!(r.status(), StatusCode::INSUFFICIENT_STORAGE);
    let err: ErrorBody = r.json().await.expect("error");
    assert_eq!(err.code, ErrorCode::QuotaExceeded);
    assert!(err.message.contains("at most 3 events"), "{}", err.message);
    let r = import(&owner, cal, ics_file((0..2).map(|i| format!("imp{i}")))).await;
    assert_eq!(r.status(), StatusCode::INSUFFICIENT_STORAGE);
    let dav = Dav::new(&server, "owner@example.org", PASSWORD);
    let path = default_calendar(&dav).await;
    let r = dav
        .put(
            &format!("{path}extra.ics"),
            &[("Content-Type", "text/calendar")],
            &ics_file(std::iter::once("extra".to_string())),
        )
        .await;
    assert_eq!(r.status, StatusCode::INSUFFICIENT_STORAGE);
    assert!(r.body.contains("quota-not-exceeded"));
    let occ: Vec<ksuite_common::Occurrence> = owner
        .get(&format!(
            "/api/events?from=2026-01-01T00:00:00Z&to=2026-12-31T00:00:00Z&calendars={cal}"
        ))
        .await
        .json()
        .await
        .expect("events");
    assert_eq!(occ.len(), 3, "nothing over the quota was stored");

    let books: Vec<ksuite_common::AddressBookInfo> = owner
        .get("/api/address-books")
        .await
        .json()
        .await
        .expect("books");
    let book = books.iter().find(|b| b.is_default).expect("book").id;
    for (n, expected) in [
        (0, StatusCode::CREATED),
        (1, StatusCode::CREATED),
        (2, StatusCode::INSUFFICIENT_STORAGE),
    ] {
        let r = owner
            .post(
                &format!("/api/address-books/{book}/contacts"),
                &json!({"given_name": format!("P{n}")}),
            )
            .await;
        assert_eq!(r.status(), expected, "contact {n}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_mailbox_refuses_new_mail_clearly() {
    let server = TestServer::start_with(|c| {
        c.mail_domain = Some("ksuite.test".into());
        c.mail_quota_bytes = 3000;
    })
    .await;
    let ann = signed_in(&server, "ann@example.org").await;
    let (mut conn, _) = SmtpConn::open(server.smtp).await;
    let big = format!("Subject: big\r\n\r\n{}", "x".repeat(3500));
    let r = conn.deliver("a@example.org", "ann@ksuite.test", &big).await;
    assert!(r.starts_with("250"), "{r}");
    // Now over the quota: the next message is refused at RCPT with "mailbox full".
    assert!(
        conn.cmd("MAIL FROM:<a@example.org>")
            .await
            .starts_with("250")
    );
    let r = conn.cmd("RCPT TO:<ann@ksuite.test>").await;
    assert!(r.starts_with("452"), "{r}");
    assert!(r.contains("full"));
    // Sending keeps a copy in Sent: refused too, with the reason.
    let r = ann
        .post(
            "/api/mail/send",
            &json!({"from": "ann@ksuite.test", "to": ["x@elsewhere.org"], "subject": "s", "text": "t"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::INSUFFICIENT_STORAGE);
    let err: ErrorBody = r.json().await.expect("error");
    assert!(err.message.contains("is full"), "{}", err.message);
}

#[tokio::test(flavor = "multi_thread")]
async fn large_imports_are_written_in_batches_and_keep_everything() {
    let server = TestServer::start().await;
    let c = signed_in(&server, "ann@example.org").await;
    let cal = support::default_calendar_id(&c).await;
    // 1,203 objects (three batches), one UID twice in the file (its parts join).
    let mut body = ics_file((0..1203).map(|i| format!("bulk-{i}")));
    body = body.replace(
        "END:VCALENDAR",
        "BEGIN:VEVENT\r\nUID:bulk-7\r\nRECURRENCE-ID:20260301T100000Z\r\nDTSTAMP:20260101T000000Z\r\n\
DTSTART:20260301T120000Z\r\nDURATION:PT1H\r\nSUMMARY:moved\r\nEND:VEVENT\r\nEND:VCALENDAR",
    );
    let r = import(&c, cal, body.clone()).await;
    assert_eq!(r.status(), StatusCode::OK);
    let report: ImportReport = r.json().await.expect("report");
    assert_eq!(report.imported, 1203);
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    // Importing again adds nothing and says why.
    let report: ImportReport = import(&c, cal, body).await.json().await.expect("report");
    assert_eq!(report.imported, 0);
    assert_eq!(report.skipped.len(), 1203);
    let r = c.get(&format!("/api/calendars/{cal}/events/bulk-7")).await;
    assert_eq!(r.status(), StatusCode::OK);
}
