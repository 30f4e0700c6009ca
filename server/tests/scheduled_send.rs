//! Send later and undo send: a scheduled message waits as a draft, goes once at its time
//! (to local mailboxes and through a real aiosmtpd relay), can be moved or cancelled until
//! then (Undo keeps the draft), and is dropped when its draft leaves Drafts. The
//! permission matrix, bad input, a sender losing the right to send before the time, and the
//! job surviving a SIGKILL and a clean restart.

mod support;

use ksuite_common::{CancelledSend, MessageSummary, ScheduledSend, ScheduledState, SessionInfo};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{
    Client, Relay, ServerProcess, TestClock, TestServer, address_folder, folder_messages,
    free_port, shared_address, signed_in,
};

/// 2026-12-07 09:00 UTC.
const T0: i64 = 1_796_634_000;

fn message(from: &str, to: &str, subject: &str) -> Value {
    json!({"from": from, "to": [to], "subject": subject, "text": format!("Body of {subject}.")})
}

async fn schedule(c: &Client, msg: Value, send_at: Option<i64>) -> reqwest::Response {
    let mut body = json!({ "message": msg });
    if let Some(at) = send_at {
        body["send_at"] = json!(at);
    }
    c.post("/api/mail/scheduled", &body).await
}

async fn scheduled(c: &Client, msg: Value, send_at: Option<i64>) -> ScheduledSend {
    let r = schedule(c, msg, send_at).await;
    let status = r.status();
    let body: Value = r.json().await.expect("answer");
    assert_eq!(status, StatusCode::CREATED, "{body}");
    serde_json::from_value(body).expect("scheduled")
}

async fn waiting(c: &Client) -> Vec<ScheduledSend> {
    let r = c.get("/api/mail/scheduled").await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.expect("list")
}

async fn messages(c: &Client, address: &str, role: &str) -> Vec<MessageSummary> {
    let folder = address_folder(c, address, role).await;
    folder_messages(c, folder.id).await
}

/// Waits (bounded, about 20 s) until the folder holds `n` messages; returns them.
async fn wait_for(c: &Client, address: &str, role: &str, n: usize) -> Vec<MessageSummary> {
    let mut got = Vec::new();
    for _ in 0..400 {
        got = messages(c, address, role).await;
        if got.len() >= n {
            return got;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{address} {role}: wanted {n} messages, have {got:?}");
}

async fn upload(c: &Client, name: &str, body: &[u8]) -> Value {
    let r = c.upload(name, "text/plain", body.to_vec()).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json().await.expect("uploaded")
}

async fn start(clock: &TestClock, relay_port: u16) -> TestServer {
    let path = clock.path.clone();
    TestServer::start_with(move |c| {
        c.mail_domain = Some("ksuite.test".into());
        c.smtp_relay = Some(format!("smtp://127.0.0.1:{relay_port}"));
        c.smtp_retry_seconds = 1;
        c.test_clock_file = Some(path);
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn goes_once_at_its_time_and_undo_keeps_the_draft() {
    let dir = tempfile::tempdir().expect("dir");
    let clock = TestClock::new(dir.path(), T0);
    let port = free_port();
    let relay = Relay::start(port, dir.path());
    let server = start(&clock, port).await;
    let ann = signed_in(&server, "ann@example.com").await;
    let bob = signed_in(&server, "bob@example.com").await;
    let me: SessionInfo = ann.get("/api/me").await.json().await.expect("me");
    assert_eq!(me.user.undo_send_seconds, 10, "the default undo window");

    // Send with the undo window, then Undo: nothing goes, the draft stays.
    let a = scheduled(
        &ann,
        message("ann@ksuite.test", "bob@ksuite.test", "Oops"),
        None,
    )
    .await;
    assert_eq!(a.send_at, T0 + 10);
    assert_eq!(a.state, ScheduledState::Waiting);
    assert_eq!(a.to, vec!["bob@ksuite.test"]);
    let drafts = messages(&ann, "ann@ksuite.test", "drafts").await;
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].id, a.draft_id);
    let r = ann
        .send_json(
            Method::DELETE,
            &format!("/api/mail/scheduled/{}", a.id),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let undone: CancelledSend = r.json().await.expect("cancelled");
    assert_eq!(undone.draft_id, a.draft_id);
    assert!(waiting(&ann).await.is_empty());
    // Cancelling twice is a clear 404, not a second success.
    let r = ann
        .send_json(
            Method::DELETE,
            &format!("/api/mail/scheduled/{}", a.id),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let body: Value = r.json().await.expect("error");
    assert!(
        body["message"]
            .as_str()
            .unwrap_or("")
            .contains("sent already")
    );

    // Later, with an attachment, moved earlier; and one for outside through the relay.
    let file = upload(&ann, "agenda.txt", b"1. Budget").await;
    let mut later = message("ann@ksuite.test", "bob@ksuite.test", "Later");
    later["attachments"] = json!([{"kind": "upload", "id": file["id"]}]);
    let b = scheduled(&ann, later, Some(T0 + 3600)).await;
    let c = scheduled(
        &ann,
        message("ann@ksuite.test", "zoe@example.org", "Outside"),
        Some(T0 + 7200),
    )
    .await;
    let list = waiting(&ann).await;
    assert_eq!(
        list.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![b.id, c.id]
    );
    let r = ann
        .send_json(
            Method::PUT,
            &format!("/api/mail/scheduled/{}", b.id),
            &json!({"send_at": T0 + 1800}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let moved: ScheduledSend = r.json().await.expect("moved");
    assert_eq!(moved.send_at, T0 + 1800);
    assert!(messages(&bob, "bob@ksuite.test", "inbox").await.is_empty());

    // Its time: Bob gets "Later" with its attachment; the undone "Oops" (due long before)
    // never went.
    clock.set(T0 + 1800);
    let inbox = wait_for(&bob, "bob@ksuite.test", "inbox", 1).await;
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].subject, "Later");
    assert!(inbox[0].has_attachments);
    let sent = messages(&ann, "ann@ksuite.test", "sent").await;
    assert_eq!(sent.len(), 1);
    let drafts = messages(&ann, "ann@ksuite.test", "drafts").await;
    assert!(
        drafts.iter().all(|d| d.id != b.draft_id),
        "the draft became the sent message"
    );
    assert!(
        drafts.iter().any(|d| d.id == a.draft_id),
        "the undone draft stays"
    );
    assert_eq!(
        waiting(&ann).await.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![c.id]
    );

    // The outside one through the relay, once.
    clock.set(T0 + 7200);
    server
        .wait_until("SELECT COUNT(*) FROM mail_outbox WHERE state = 'sent'", 1)
        .await;
    let got = relay.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["to"], json!(["zoe@example.org"]));
    assert!(waiting(&ann).await.is_empty());

    // The undone draft, edited, is sent like any draft.
    let mut oops = message("ann@ksuite.test", "bob@ksuite.test", "Oops, fixed");
    oops["draft_id"] = json!(a.draft_id);
    let r = ann.post("/api/mail/send", &oops).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let inbox = messages(&bob, "bob@ksuite.test", "inbox").await;
    let mut subjects: Vec<_> = inbox.iter().map(|m| m.subject.as_str()).collect();
    subjects.sort();
    assert_eq!(subjects, vec!["Later", "Oops, fixed"]);
    assert_eq!(
        server.scalar("SELECT COUNT(*) FROM mail_scheduled").await,
        0
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn who_may_schedule_and_what_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let clock = TestClock::new(dir.path(), T0);
    let server = start(&clock, free_port()).await;
    let admin = signed_in(&server, "boss@example.com").await;
    let reader = signed_in(&server, "reader@example.com").await;
    let writer = signed_in(&server, "writer@example.com").await;
    let manager = signed_in(&server, "manager@example.com").await;
    let stranger = signed_in(&server, "stranger@example.com").await;
    shared_address(
        &admin,
        "team",
        &[
            ("reader@example.com", "read"),
            ("writer@example.com", "send"),
            ("manager@example.com", "manage"),
        ],
    )
    .await;
    let team = |subject: &str| message("team@ksuite.test", "boss@ksuite.test", subject);

    // Sending as team@ later: as for Send, read access is not enough.
    let r = schedule(&reader, team("Reader"), Some(T0 + 60)).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.expect("error");
    assert!(
        body["message"]
            .as_str()
            .unwrap_or("")
            .contains("may not send as")
    );
    let r = schedule(&stranger, team("Stranger"), Some(T0 + 60)).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let from_writer = scheduled(&writer, team("Writer"), Some(T0 + 60)).await;
    let from_manager = scheduled(&manager, team("Manager"), Some(T0 + 120)).await;

    // Each sees and changes only their own schedules.
    assert_eq!(waiting(&writer).await.len(), 1);
    assert!(waiting(&reader).await.is_empty());
    assert!(waiting(&stranger).await.is_empty());
    for other in [&reader, &manager, &stranger] {
        let path = format!("/api/mail/scheduled/{}", from_writer.id);
        let r = other.send_json(Method::PUT, &path, &json!({})).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let r = other.send_json(Method::DELETE, &path, &json!({})).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
    // The read-only grantee cannot delete the waiting draft either.
    let r = reader
        .send_json(
            Method::DELETE,
            &format!("/api/mail/messages/{}", from_writer.draft_id),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Anonymous: every route answers 401.
    let anon = server.client();
    assert_eq!(
        anon.get("/api/mail/scheduled").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let r = anon
        .post("/api/mail/scheduled", &json!({"message": team("Anon")}))
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let path = format!("/api/mail/scheduled/{}", from_writer.id);
    for method in [Method::PUT, Method::DELETE] {
        let r = anon.send_json(method, &path, &json!({})).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }

    // Bad input: clear refusals, nothing stored.
    let before = server.scalar("SELECT COUNT(*) FROM mail_scheduled").await;
    for (msg, at, says) in [
        (team("Far"), Some(T0 + 400 * 86_400), "a year ahead"),
        (
            json!({"from": "team@ksuite.test", "to": [], "subject": "Nobody"}),
            Some(T0 + 60),
            "at least one recipient",
        ),
        (
            message("team@ksuite.test", "nobody@ksuite.test", "Typo"),
            Some(T0 + 60),
            "no address nobody@ksuite.test",
        ),
    ] {
        let r = schedule(&writer, msg, at).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = r.json().await.expect("error");
        assert!(
            body["message"].as_str().unwrap_or("").contains(says),
            "{body} says {says}"
        );
    }
    let r = writer
        .post("/api/mail/scheduled", &json!({"message": "not a message"}))
        .await;
    assert!(r.status().is_client_error());
    assert_eq!(
        server.scalar("SELECT COUNT(*) FROM mail_scheduled").await,
        before
    );
    // A time in the past means now; the undo window is bounded.
    let past = scheduled(&manager, team("Past"), Some(T0 - 3600)).await;
    assert_eq!(past.send_at, T0);
    let r = writer
        .send_json(
            Method::PATCH,
            "/api/settings/profile",
            &json!({"undo_send_seconds": 31}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = writer
        .send_json(
            Method::PATCH,
            "/api/settings/profile",
            &json!({"undo_send_seconds": 0}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let now = scheduled(&writer, team("No undo"), None).await;
    assert_eq!(now.send_at, T0);
    let inbox = wait_for(&admin, "boss@ksuite.test", "inbox", 2).await;
    let mut subjects: Vec<_> = inbox.iter().map(|m| m.subject.as_str()).collect();
    subjects.sort();
    assert_eq!(subjects, vec!["No undo", "Past"]);

    // A draft moved to Trash is not sent; a sender whose access went is told why.
    let r = manager
        .send_json(
            Method::DELETE,
            &format!("/api/mail/messages/{}", from_manager.draft_id),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let grant = server
        .scalar("SELECT id FROM mail_addresses WHERE address = 'team@ksuite.test'")
        .await;
    let r = admin
        .send_json(
            Method::PUT,
            &format!("/api/admin/mail/addresses/{grant}/users"),
            &json!({"email": "writer@example.com", "permission": "read"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    clock.set(T0 + 300);
    server
        .wait_until(
            "SELECT COUNT(*) FROM mail_scheduled WHERE state = 'failed'",
            1,
        )
        .await;
    let failed = waiting(&writer).await;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].id, from_writer.id);
    assert_eq!(failed[0].state, ScheduledState::Failed);
    assert!(
        failed[0]
            .last_error
            .as_deref()
            .unwrap_or("")
            .contains("may not send as"),
        "{failed:?}"
    );
    server
        .wait_until("SELECT COUNT(*) FROM mail_scheduled", 1)
        .await;
    assert!(
        waiting(&manager).await.is_empty(),
        "the trashed draft's send is gone"
    );
    assert_eq!(messages(&admin, "boss@ksuite.test", "inbox").await.len(), 2);

    // Access back, a new time: it goes.
    let r = admin
        .send_json(
            Method::PUT,
            &format!("/api/admin/mail/addresses/{grant}/users"),
            &json!({"email": "writer@example.com", "permission": "send"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = writer
        .send_json(
            Method::PUT,
            &format!("/api/mail/scheduled/{}", from_writer.id),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let inbox = wait_for(&admin, "boss@ksuite.test", "inbox", 3).await;
    assert!(inbox.iter().any(|m| m.subject == "Writer"));
}

#[tokio::test(flavor = "multi_thread")]
async fn scheduled_sends_survive_sigkill_and_restart() {
    let dir = tempfile::tempdir().expect("dir");
    let clock = TestClock::new(dir.path(), T0);
    let clock_path = clock.path.display().to_string();
    let flags = [
        "--mail-domain",
        "ksuite.test",
        "--test-clock-file",
        &clock_path,
    ];
    let p = ServerProcess::start(dir.path(), &flags);
    let mut ann = p.client();
    ann.signup("ann@example.com", support::PASSWORD).await;
    let mut bob = p.client();
    bob.signup("bob@example.com", support::PASSWORD).await;
    scheduled(
        &ann,
        message("ann@ksuite.test", "bob@ksuite.test", "After crash"),
        Some(T0 + 60),
    )
    .await;
    p.crash();

    let p = ServerProcess::start(dir.path(), &flags);
    let bob = p.signed_in("bob@example.com").await;
    let ann = p.signed_in("ann@example.com").await;
    assert_eq!(waiting(&ann).await.len(), 1);
    clock.set(T0 + 60);
    wait_for(&bob, "bob@ksuite.test", "inbox", 1).await;
    scheduled(
        &ann,
        message("ann@ksuite.test", "bob@ksuite.test", "After restart"),
        Some(T0 + 120),
    )
    .await;
    p.stop();

    let p = ServerProcess::start(dir.path(), &flags);
    let bob = p.signed_in("bob@example.com").await;
    let ann = p.signed_in("ann@example.com").await;
    clock.set(T0 + 120);
    let inbox = wait_for(&bob, "bob@ksuite.test", "inbox", 2).await;
    let mut subjects: Vec<_> = inbox.iter().map(|m| m.subject.as_str()).collect();
    subjects.sort();
    assert_eq!(subjects, vec!["After crash", "After restart"]);
    assert!(waiting(&ann).await.is_empty());
    assert_eq!(messages(&ann, "ann@ksuite.test", "sent").await.len(), 2);
    p.stop();
}
