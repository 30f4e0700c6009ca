//! The inbound SMTP listener against hostile clients: connection floods, address
//! harvesting, SMTP smuggling, header injection through HELO, forged local senders and
//! oversized messages.

mod support;

use std::time::Duration;

use ksuite_common::{MessageDetail, MessagePage, SenderWarning};
use support::{Client, SmtpConn, TestServer, signed_in};

async fn server(adjust: impl FnOnce(&mut ksuite_server::config::Config)) -> TestServer {
    TestServer::start_with(|c| {
        c.mail_domain = Some("ksuite.test".into());
        c.max_message_size = 64 * 1024;
        c.smtp_failed_recipient_delay_ms = 5;
        adjust(c);
    })
    .await
}

async fn inbox_page(c: &Client) -> MessagePage {
    let inbox = support::mail_folder(c, "inbox").await;
    c.get(&format!("/api/mail/folders/{}/messages", inbox.id))
        .await
        .json()
        .await
        .expect("page")
}

async fn detail(c: &Client, id: i64) -> MessageDetail {
    c.get(&format!("/api/mail/messages/{id}"))
        .await
        .json()
        .await
        .expect("detail")
}

#[tokio::test(flavor = "multi_thread")]
async fn sessions_are_limited_overall_and_per_address() {
    let s = server(|c| {
        c.smtp_max_sessions = 10;
        c.smtp_max_sessions_per_ip = 2;
    })
    .await;
    let (a, g) = SmtpConn::open(s.smtp).await;
    assert!(g.starts_with("220"));
    let (_b, g) = SmtpConn::open(s.smtp).await;
    assert!(g.starts_with("220"));
    let (mut third, g) = SmtpConn::open(s.smtp).await;
    assert!(g.starts_with("421"), "third from one address: {g}");
    assert_eq!(third.reply().await, "", "and closed");
    drop(a);
    // The place is given back once a session ends.
    let mut greeting = String::new();
    for _ in 0..50 {
        let (_c, g) = SmtpConn::open(s.smtp).await;
        greeting = g;
        if greeting.starts_with("220") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(greeting.starts_with("220"), "{greeting}");

    let s = server(|c| {
        c.smtp_max_sessions = 2;
        c.smtp_max_sessions_per_ip = 10;
    })
    .await;
    let (_a, _) = SmtpConn::open(s.smtp).await;
    let (_b, _) = SmtpConn::open(s.smtp).await;
    let (_c, g) = SmtpConn::open(s.smtp).await;
    assert!(g.starts_with("421"), "over the global limit: {g}");
}

#[tokio::test(flavor = "multi_thread")]
async fn guessing_recipients_ends_the_session() {
    let s = server(|_| {}).await;
    let _ann = signed_in(&s, "ann@example.com").await;
    let (mut c, _) = SmtpConn::open(s.smtp).await;
    assert!(c.cmd("EHLO prober.example").await.starts_with("250"));
    assert!(
        c.cmd("MAIL FROM:<p@prober.example>")
            .await
            .starts_with("250")
    );
    for i in 0..4 {
        let r = c.cmd(&format!("RCPT TO:<guess{i}@ksuite.test>")).await;
        assert!(r.starts_with("550"), "{r}");
    }
    // A real address still works between misses…
    assert!(c.cmd("RCPT TO:<ann@ksuite.test>").await.starts_with("250"));
    // …but the fifth miss closes the session.
    let r = c.cmd("RCPT TO:<guess5@ksuite.test>").await;
    assert!(r.starts_with("421"), "{r}");
    assert_eq!(c.reply().await, "", "closed");
}

#[tokio::test(flavor = "multi_thread")]
async fn only_crlf_dot_crlf_ends_data() {
    let s = server(|_| {}).await;
    let ann = signed_in(&s, "ann@example.com").await;
    let (mut c, _) = SmtpConn::open(s.smtp).await;
    // A smuggled second message after a bare-LF end marker must stay part of the first.
    let smuggled = "From: <a@example.org>\r\nSubject: Outer\r\n\r\nHello\n.\nMAIL FROM:<boss@ksuite.test>\r\n\
RCPT TO:<ann@ksuite.test>\r\nDATA\r\nSubject: Smuggled\r\n\r\nPay now\r\n.\n\r\nstill outer";
    let r = c
        .deliver("a@example.org", "ann@ksuite.test", smuggled)
        .await;
    assert!(r.starts_with("250"), "{r}");
    // The next reply belongs to the next command, not to a smuggled one.
    assert!(c.cmd("NOOP").await.starts_with("250"));
    let page = inbox_page(&ann).await;
    assert_eq!(page.messages.len(), 1, "one message, not two");
    assert_eq!(page.messages[0].subject, "Outer");
    let body = support::raw_message(&ann, page.messages[0].id).await;
    assert!(body.contains("Pay now") && body.contains("still outer"));
}

#[tokio::test(flavor = "multi_thread")]
async fn helo_cannot_inject_headers_and_forged_local_senders_are_marked() {
    let s = server(|_| {}).await;
    let ann = signed_in(&s, "ann@example.com").await;
    let (mut c, _) = SmtpConn::open(s.smtp).await;
    assert!(
        c.cmd("EHLO evil.example\rX-Injected: yes")
            .await
            .starts_with("250")
    );
    assert!(
        c.cmd("MAIL FROM:<boss@ksuite.test>")
            .await
            .starts_with("250")
    );
    assert!(c.cmd("RCPT TO:<ann@ksuite.test>").await.starts_with("250"));
    assert!(c.cmd("DATA").await.starts_with("354"));
    c.send_raw(b"From: Boss <boss@ksuite.test>\r\nSubject: Wire the money\r\n\r\nNow.\r\n.\r\n")
        .await;
    assert!(c.reply().await.starts_with("250"));
    // An honest outside sender, trying to place our marker itself, is not marked.
    c.send_raw(b"MAIL FROM:<friend@example.org>\r\nRCPT TO:<ann@ksuite.test>\r\nDATA\r\n")
        .await;
    for _ in 0..3 {
        c.reply().await;
    }
    c.send_raw(
        b"X-Ksuite-Sender-Warning: none\r\nFrom: <friend@example.org>\r\nSubject: Hi\r\n\r\nHi.\r\n.\r\n",
    )
    .await;
    assert!(c.reply().await.starts_with("250"));

    let page = inbox_page(&ann).await;
    let forged = page
        .messages
        .iter()
        .find(|m| m.subject == "Wire the money")
        .expect("forged");
    let honest = page
        .messages
        .iter()
        .find(|m| m.subject == "Hi")
        .expect("honest");
    let text = support::raw_message(&ann, forged.id).await;
    let received = text
        .lines()
        .find(|l| l.starts_with("Received:"))
        .expect("trace header");
    assert!(received.contains("from evil.example "), "{received}");
    assert!(!text.contains("X-Injected"), "no injected header:\n{text}");
    assert_eq!(
        detail(&ann, forged.id).await.sender_warning,
        Some(SenderWarning::UnauthenticatedLocalSender)
    );
    assert_eq!(detail(&ann, honest.id).await.sender_warning, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_data_is_refused_and_leaves_nothing_behind() {
    let s = server(|_| {}).await;
    let ann = signed_in(&s, "ann@example.com").await;
    let (mut c, _) = SmtpConn::open(s.smtp).await;
    let big = format!("Subject: big\r\n\r\n{}", "0123456789\r\n".repeat(10_000));
    let r = c.deliver("a@example.org", "ann@ksuite.test", &big).await;
    assert!(r.starts_with("552"), "{r}");
    // The session goes on after the refusal.
    let r = c
        .deliver(
            "a@example.org",
            "ann@ksuite.test",
            "Subject: small\r\n\r\nok",
        )
        .await;
    assert!(r.starts_with("250"), "{r}");
    let page = inbox_page(&ann).await;
    assert_eq!(page.messages.len(), 1);
    let spooled = std::fs::read_dir(s.data_dir.join("tmp"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(spooled, 0, "spool files are removed");
}
