//! Nothing acknowledged is lost: the real binary is stopped cleanly (SIGTERM) and killed
//! (SIGKILL) after writes of every kind — events, contacts, mail delivered over SMTP,
//! uploads, link visits — and everything it answered for is there after a restart. A
//! link's visit limit holds across restarts and crashes.

mod support;

use ksuite_common::{Link, LinkStats};
use reqwest::StatusCode;
use serde_json::json;
use support::{Client, PASSWORD, ServerProcess, SmtpConn};

async fn visits(c: &Client, id: i64) -> u64 {
    let stats: LinkStats = c
        .get(&format!("/api/links/{id}/stats"))
        .await
        .json()
        .await
        .expect("stats");
    stats.total
}

async fn follow(p: &ServerProcess, slug: &str) -> StatusCode {
    p.client().get(&format!("/l/{slug}")).await.status()
}

#[tokio::test(flavor = "multi_thread")]
async fn link_visits_survive_restarts_and_crashes_and_limits_hold() {
    let dir = tempfile::tempdir().expect("dir");
    let p = ServerProcess::start(dir.path(), &[]);
    let mut c = p.client();
    c.signup("ann@example.com", PASSWORD).await;
    let mk = |body: serde_json::Value| {
        let c = &c;
        async move {
            let r = c.post("/api/links", &body).await;
            assert_eq!(r.status(), StatusCode::CREATED);
            r.json::<Link>().await.expect("link")
        }
    };
    let open = mk(json!({"url": "https://example.org/open"})).await;
    let limited = mk(json!({"url": "https://example.org/limited", "max_visits": 5})).await;

    // Three visits, clean stop: all three are there.
    for _ in 0..3 {
        assert_eq!(follow(&p, &open.slug).await, StatusCode::FOUND);
    }
    p.stop();
    let p = ServerProcess::start(dir.path(), &[]);
    let c = p.signed_in("ann@example.com").await;
    assert_eq!(visits(&c, open.id).await, 3, "flushed at shutdown");

    // Two more, then a crash after the flush period: durable within seconds.
    for _ in 0..2 {
        assert_eq!(follow(&p, &open.slug).await, StatusCode::FOUND);
    }
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    p.crash();
    let p = ServerProcess::start(dir.path(), &[]);
    let c = p.signed_in("ann@example.com").await;
    assert_eq!(visits(&c, open.id).await, 5, "flushed within the period");

    // The limited link: 3 visits, crash at once, then only 2 more redirect.
    for _ in 0..3 {
        assert_eq!(follow(&p, &limited.slug).await, StatusCode::FOUND);
    }
    p.crash();
    let p = ServerProcess::start(dir.path(), &[]);
    let mut served = 0;
    for _ in 0..6 {
        match follow(&p, &limited.slug).await {
            StatusCode::FOUND => served += 1,
            StatusCode::GONE => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(served, 2, "the limit of 5 holds across a crash");
    p.stop();
    let p = ServerProcess::start(dir.path(), &[]);
    assert_eq!(follow(&p, &limited.slug).await, StatusCode::GONE);
    let c = p.signed_in("ann@example.com").await;
    assert_eq!(visits(&c, limited.id).await, 5);
}

#[tokio::test(flavor = "multi_thread")]
async fn acknowledged_writes_survive_sigkill() {
    let dir = tempfile::tempdir().expect("dir");
    let p = ServerProcess::start(dir.path(), &["--mail-domain", "ksuite.test"]);
    let mut c = p.client();
    c.signup("ann@example.com", PASSWORD).await;

    // An event.
    let cal = support::default_calendar_id(&c).await;
    let r = c
        .post(
            &format!("/api/calendars/{cal}/events"),
            &json!({"title": "Dentist", "start": "2026-12-10T09:00:00", "end": "2026-12-10T10:00:00"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let event: ksuite_common::EventDetail = r.json().await.expect("event");

    // A contact.
    let books: Vec<ksuite_common::AddressBookInfo> = c
        .get("/api/address-books")
        .await
        .json()
        .await
        .expect("books");
    let book = books
        .iter()
        .find(|b| b.is_default)
        .expect("default book")
        .id;
    let r = c
        .post(
            &format!("/api/address-books/{book}/contacts"),
            &json!({"given_name": "Bea", "family_name": "Crash", "emails": [{"kind": "home", "value": "bea@example.org"}]}),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap_or_default()
    );

    // An upload.
    let r = c
        .http
        .post(c.url("/api/mail/uploads?name=notes.txt"))
        .header(
            ksuite_common::paths::CSRF_HEADER,
            c.csrf.clone().expect("csrf"),
        )
        .header("content-type", "text/plain")
        .body("keep me")
        .send()
        .await
        .expect("upload");
    assert_eq!(r.status(), StatusCode::CREATED);
    let upload: ksuite_common::UploadedFile = r.json().await.expect("upload");

    // Mail delivered over SMTP: the 250 is the acknowledgement.
    let (mut smtp, greeting) = SmtpConn::open(p.smtp).await;
    assert!(greeting.starts_with("220"));
    let reply = smtp
        .deliver(
            "someone@example.org",
            "ann@ksuite.test",
            "From: <someone@example.org>\r\nSubject: Survives\r\n\r\nBody.",
        )
        .await;
    assert!(reply.starts_with("250"), "{reply}");

    p.crash();
    let p = ServerProcess::start(dir.path(), &["--mail-domain", "ksuite.test"]);
    let c = p.signed_in("ann@example.com").await;
    let r = c
        .get(&format!("/api/calendars/{cal}/events/{}", event.uid))
        .await;
    assert_eq!(r.status(), StatusCode::OK, "the event survived");
    let list: serde_json::Value = c
        .get(&format!("/api/address-books/{book}/contacts"))
        .await
        .json()
        .await
        .expect("contacts");
    assert!(list.to_string().contains("Crash"), "the contact survived");
    let inbox = support::mail_folder(&c, "inbox").await;
    let page: ksuite_common::MessagePage = c
        .get(&format!("/api/mail/folders/{}/messages", inbox.id))
        .await
        .json()
        .await
        .expect("page");
    assert_eq!(page.messages.len(), 1);
    assert_eq!(page.messages[0].subject, "Survives");
    let raw = c
        .get(&format!("/api/mail/messages/{}/raw", page.messages[0].id))
        .await;
    assert_eq!(raw.status(), StatusCode::OK);
    assert!(raw.text().await.expect("raw").contains("Body."));
    // The upload can still be attached and sent.
    let r = c
        .post(
            "/api/mail/send",
            &json!({"from": "ann@ksuite.test", "to": ["ann@ksuite.test"], "subject": "With file",
                    "text": "see attached", "attachments": [{"kind": "upload", "id": upload.id}]}),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap_or_default()
    );
    // No spool files are left behind by the SMTP listener.
    let leftovers = std::fs::read_dir(dir.path().join("tmp"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(leftovers, 0);
}
