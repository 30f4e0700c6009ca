//! Automatic replies (out of office): one per sender per interval, only between the first
//! and last day, none to lists, bulk, automatic mail, bounces, Bcc copies or oneself;
//! replies to outside senders leave through the relay (a real aiosmtpd) with an empty
//! return path, to local senders they land in their inbox. The permission matrix of the
//! setting, and the setting and "who was answered" surviving a SIGKILL and a restart.

mod support;

use ksuite_common::{AutoReply, MailAddress, MessageSummary};
use reqwest::{Method, StatusCode};
use serde_json::json;
use support::{
    Client, Relay, ServerProcess, SmtpConn, TestClock, TestServer, free_port, mail_folder,
    rand_token, signed_in,
};

/// 2026-12-07 09:00 UTC, a Monday.
const MONDAY: i64 = 1_796_634_000;
const DAY: i64 = 86_400;

/// Delivers a message over SMTP with the given envelope sender and extra headers.
async fn deliver(smtp: std::net::SocketAddr, from: &str, to_header: &str, headers: &str) {
    let (mut conn, _) = SmtpConn::open(smtp).await;
    let body = format!(
        "From: <{from}>\r\nTo: {to_header}\r\n{headers}Subject: Lunch?\r\nMessage-ID: <{}@test>\r\n\r\nHello.",
        rand_token()
    );
    let r = conn.deliver(from, "ann@ksuite.test", &body).await;
    assert!(r.starts_with("250"), "delivery refused: {r}");
    let _ = conn.cmd("QUIT").await;
}

async fn set(c: &Client, address: &str, body: serde_json::Value) -> reqwest::Response {
    c.send_json(
        Method::PUT,
        &format!("/api/mail/addresses/{address}/auto-reply"),
        &body,
    )
    .await
}

async fn inbox(c: &Client) -> Vec<MessageSummary> {
    let id = mail_folder(c, "inbox").await.id;
    support::folder_messages(c, id).await
}

async fn answering(c: &Client) -> bool {
    let list: Vec<MailAddress> = c
        .get("/api/mail/addresses")
        .await
        .json()
        .await
        .expect("addresses");
    list.iter().any(|a| a.auto_reply_on)
}

#[tokio::test(flavor = "multi_thread")]
async fn replies_once_per_sender_within_its_days_and_never_to_automatic_mail() {
    let port = free_port();
    let clock_dir = tempfile::tempdir().expect("dir");
    let clock = TestClock::new(clock_dir.path(), MONDAY);
    let relay = Relay::start(port, clock_dir.path());
    let path = clock.path.clone();
    let server = TestServer::start_with(move |c| {
        c.mail_domain = Some("ksuite.test".into());
        c.smtp_relay = Some(format!("smtp://127.0.0.1:{port}"));
        c.smtp_retry_seconds = 1;
        c.test_clock_file = Some(path);
    })
    .await;
    let ann = signed_in(&server, "ann@example.com").await;
    let bob = signed_in(&server, "bob@example.com").await;
    let queued = "SELECT COUNT(*) FROM mail_outbox";

    let r = set(
        &ann,
        "ann@ksuite.test",
        json!({"enabled": true, "starts_on": "2026-12-08", "ends_on": "2026-12-11",
               "subject": "Away until Friday", "text": "I am away.\r\nBack on Monday.",
               "interval_days": 2}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let saved: AutoReply = ann
        .get("/api/mail/addresses/ann@ksuite.test/auto-reply")
        .await
        .json()
        .await
        .expect("reply");
    assert_eq!(saved.text, "I am away.\nBack on Monday.");
    assert_eq!(saved.ends_on.as_deref(), Some("2026-12-11"));

    // Before the first day: silence.
    assert!(!answering(&ann).await);
    deliver(server.smtp, "zoe@example.org", "<ann@ksuite.test>", "").await;
    assert_eq!(server.scalar(queued).await, 0);

    // From the first day: one reply to the return path, through the relay, marked as an
    // automatic reply with an empty return path and threaded under the message.
    clock.set(MONDAY + DAY);
    assert!(answering(&ann).await);
    deliver(server.smtp, "zoe@example.org", "Ann <ann@ksuite.test>", "").await;
    assert_eq!(server.scalar(queued).await, 1);
    server
        .wait_until("SELECT COUNT(*) FROM mail_outbox WHERE state = 'sent'", 1)
        .await;
    let got = relay.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["from"], "<>", "RFC 3834: MAIL FROM:<>");
    assert_eq!(got[0]["to"], json!(["zoe@example.org"]));
    let data = got[0]["data"].as_str().expect("data");
    for needle in [
        "Auto-Submitted: auto-replied",
        "Subject: Away until Friday",
        "From: <ann@ksuite.test>",
        "In-Reply-To: <",
        "Back on Monday.",
    ] {
        assert!(data.contains(needle), "{needle} in {data}");
    }

    // Zoe again within the interval: nothing more.
    deliver(server.smtp, "zoe@example.org", "<ann@ksuite.test>", "").await;
    assert_eq!(server.scalar(queued).await, 1);

    // Lists, bulk, automatic mail, bounces, role senders and Bcc copies: silence.
    for (from, to, headers) in [
        (
            "team@lists.example.org",
            "<team@lists.example.org>",
            "List-Id: <team.lists.example.org>\r\n",
        ),
        (
            "news@shop.example",
            "<ann@ksuite.test>",
            "Precedence: bulk\r\n",
        ),
        (
            "cal@example.org",
            "<ann@ksuite.test>",
            "Auto-Submitted: auto-generated\r\n",
        ),
        (
            "away@example.org",
            "<ann@ksuite.test>",
            "Auto-Submitted: auto-replied\r\n",
        ),
        ("", "<ann@ksuite.test>", ""),
        ("no-reply@shop.example", "<ann@ksuite.test>", ""),
        ("max@example.org", "<someone@example.org>", ""),
    ] {
        deliver(server.smtp, from, to, headers).await;
        assert_eq!(
            server.scalar(queued).await,
            1,
            "no reply to {from} {headers}"
        );
    }

    // A local sender gets the reply in their inbox, once; writing to oneself gets none.
    for _ in 0..2 {
        let r = bob
            .post(
                "/api/mail/send",
                &json!({"from": "bob@ksuite.test", "to": ["ann@ksuite.test"], "subject": "Budget", "text": "?"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let got = inbox(&bob).await;
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].subject, "Away until Friday");
    let r = ann
        .post(
            "/api/mail/send",
            &json!({"from": "ann@ksuite.test", "to": ["ann@ksuite.test"], "subject": "Note", "text": "x"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert!(
        !inbox(&ann)
            .await
            .iter()
            .any(|m| m.subject == "Away until Friday"),
        "no reply to oneself"
    );

    // After the interval Zoe is answered again; after the last day nobody is.
    clock.set(MONDAY + 3 * DAY);
    deliver(server.smtp, "zoe@example.org", "<ann@ksuite.test>", "").await;
    assert_eq!(server.scalar(queued).await, 2);
    clock.set(MONDAY + 5 * DAY + 60);
    assert!(!answering(&ann).await);
    deliver(server.smtp, "zoe@example.org", "<ann@ksuite.test>", "").await;
    deliver(server.smtp, "new@example.org", "<ann@ksuite.test>", "").await;
    assert_eq!(server.scalar(queued).await, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_filter_filing_as_spam_or_deleting_means_no_reply() {
    let server = TestServer::start_with(|c| c.mail_domain = Some("ksuite.test".into())).await;
    let ann = signed_in(&server, "ann@example.com").await;
    let r = set(
        &ann,
        "ann@ksuite.test",
        json!({"enabled": true, "subject": "", "text": "Away.", "interval_days": 1}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    for (word, folder) in [("casino", "spam"), ("lottery", "trash")] {
        let r = ann
            .post(
                "/api/mail/filters",
                &json!({"name": word, "enabled": true, "match_all": true, "stop": true,
                        "conditions": [{"field": "from", "op": "contains", "value": word}],
                        "actions": [{"action": "move", "folder": folder}]}),
            )
            .await;
        assert_eq!(
            r.status(),
            StatusCode::CREATED,
            "{}",
            r.text().await.unwrap_or_default()
        );
    }
    deliver(server.smtp, "casino@example.org", "<ann@ksuite.test>", "").await;
    deliver(server.smtp, "lottery@example.org", "<ann@ksuite.test>", "").await;
    assert_eq!(server.scalar("SELECT COUNT(*) FROM mail_outbox").await, 0);
    // An ordinary message is answered, with "Re: " and its subject when none is set.
    deliver(server.smtp, "zoe@example.org", "<ann@ksuite.test>", "").await;
    assert_eq!(server.scalar("SELECT COUNT(*) FROM mail_outbox").await, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn only_managers_set_it_and_bad_settings_are_refused() {
    let server = TestServer::start_with(|c| c.mail_domain = Some("ksuite.test".into())).await;
    let owner = signed_in(&server, "owner@example.com").await;
    let reader = signed_in(&server, "reader@example.com").await;
    let writer = signed_in(&server, "writer@example.com").await;
    let stranger = signed_in(&server, "stranger@example.com").await;
    let anonymous = server.client();
    support::shared_address(
        &owner,
        "team",
        &[
            ("owner@example.com", "manage"),
            ("reader@example.com", "read"),
            ("writer@example.com", "send"),
        ],
    )
    .await;
    let path = "/api/mail/addresses/team@ksuite.test/auto-reply";
    let on = json!({"enabled": true, "subject": "Closed", "text": "Closed this week.", "interval_days": 4});
    assert_eq!(
        set(&owner, "team@ksuite.test", on.clone()).await.status(),
        StatusCode::OK
    );

    let off = json!({"enabled": false, "subject": "", "text": "", "interval_days": 4});
    for (who, c) in [("reader", &reader), ("writer", &writer)] {
        assert_eq!(c.get(path).await.status(), StatusCode::OK, "{who} reads it");
        let r = set(c, "team@ksuite.test", off.clone()).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{who} may not change it");
        let err: ksuite_common::ErrorBody = r.json().await.expect("error");
        assert!(err.message.contains("manage"), "{}", err.message);
    }
    for (who, c, status) in [
        ("stranger", &stranger, StatusCode::NOT_FOUND),
        ("anonymous", &anonymous, StatusCode::UNAUTHORIZED),
    ] {
        assert_eq!(c.get(path).await.status(), status, "{who} reads");
        assert_eq!(
            set(c, "team@ksuite.test", off.clone()).await.status(),
            status,
            "{who} writes"
        );
    }
    let kept: AutoReply = owner.get(path).await.json().await.expect("reply");
    assert!(
        kept.enabled && kept.subject == "Closed",
        "nothing changed: {kept:?}"
    );

    for (bad, why) in [
        (
            json!({"enabled": true, "subject": "", "text": " ", "interval_days": 4}),
            "message",
        ),
        (
            json!({"enabled": true, "subject": "", "text": "x", "interval_days": 0}),
            "days",
        ),
        (
            json!({"enabled": true, "subject": "", "text": "x", "interval_days": 4, "starts_on": "tomorrow"}),
            "date",
        ),
        (
            json!({"enabled": true, "subject": "", "text": "x", "interval_days": 4,
                "starts_on": "2026-12-10", "ends_on": "2026-12-01"}),
            "before",
        ),
    ] {
        let r = set(&owner, "team@ksuite.test", bad).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{why}");
        let err: ksuite_common::ErrorBody = r.json().await.expect("error");
        assert!(err.message.contains(why), "{why}: {}", err.message);
    }
    let kept: AutoReply = owner.get(path).await.json().await.expect("reply");
    assert_eq!(kept.text, "Closed this week.");
}

async fn outbox_rows(dir: &std::path::Path) -> i64 {
    let pool = support::open_db(dir).await;
    let n = ksuite_server::on_db!(&pool, |dbc| sqlx::query_scalar(
        "SELECT COUNT(*) FROM mail_outbox"
    )
    .fetch_one(dbc)
    .await)
    .expect("count");
    pool.close().await;
    n
}

#[tokio::test(flavor = "multi_thread")]
async fn the_setting_and_who_was_answered_survive_sigkill_and_restart() {
    let dir = tempfile::tempdir().expect("dir");
    let flags = ["--mail-domain", "ksuite.test"];
    let p = ServerProcess::start(dir.path(), &flags);
    let mut c = p.client();
    c.signup("ann@example.com", support::PASSWORD).await;
    let r = set(
        &c,
        "ann@ksuite.test",
        json!({"enabled": true, "subject": "Away", "text": "Back soon.", "interval_days": 7}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    p.crash();

    let p = ServerProcess::start(dir.path(), &flags);
    let c = p.signed_in("ann@example.com").await;
    let kept: AutoReply = c
        .get("/api/mail/addresses/ann@ksuite.test/auto-reply")
        .await
        .json()
        .await
        .expect("reply");
    assert!(kept.enabled && kept.text == "Back soon.", "{kept:?}");
    deliver(p.smtp, "zoe@example.org", "<ann@ksuite.test>", "").await;
    assert_eq!(outbox_rows(dir.path()).await, 1, "answered and queued");
    p.crash();

    let p = ServerProcess::start(dir.path(), &flags);
    deliver(p.smtp, "zoe@example.org", "<ann@ksuite.test>", "").await;
    assert_eq!(
        outbox_rows(dir.path()).await,
        1,
        "still answered once after SIGKILL"
    );
    p.stop();

    let p = ServerProcess::start(dir.path(), &flags);
    deliver(p.smtp, "zoe@example.org", "<ann@ksuite.test>", "").await;
    assert_eq!(
        outbox_rows(dir.path()).await,
        1,
        "and after a clean restart"
    );
    let c = p.signed_in("ann@example.com").await;
    let sent = inbox(&c).await;
    assert_eq!(sent.len(), 3, "every message filed");
    p.stop();
}
