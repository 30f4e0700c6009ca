//! Virus scanning of arriving mail with a real clamd (`--clamd`): infected mail is
//! refused at DATA with a clear reply and never stored, clean mail arrives, and while clamd
//! is down, hung or missing, mail is deferred (4xx) rather than let through unscanned.

mod support;

use support::clamd::{Clamd, EICAR};
use support::{Client, SmtpConn, TestServer, free_port, rand_token, signed_in};

async fn server(clamd: &str, timeout_secs: u64) -> TestServer {
    let clamd = clamd.to_string();
    TestServer::start_with(move |c| {
        c.mail_domain = Some("ksuite.test".into());
        c.clamd = Some(clamd);
        c.clamd_timeout_secs = timeout_secs;
    })
    .await
}

fn clean(subject: &str) -> String {
    format!(
        "From: <friend@example.org>\r\nTo: <ann@ksuite.test>\r\nSubject: {subject}\r\n\
         Message-ID: <{}@example.org>\r\n\r\nJust words.",
        rand_token()
    )
}

/// EICAR as a base64 attachment, the way a virus arrives by mail.
fn infected() -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(EICAR);
    format!(
        "From: <friend@example.org>\r\nTo: <ann@ksuite.test>\r\nSubject: Invoice\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain\r\n\r\nPlease see the attachment.\r\n\
         --b1\r\nContent-Type: application/octet-stream; name=\"invoice.com\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{b64}\r\n--b1--"
    )
}

async fn subjects(c: &Client) -> Vec<String> {
    let inbox = support::mail_folder(c, "inbox").await;
    support::folder_messages(c, inbox.id)
        .await
        .into_iter()
        .map(|m| m.subject)
        .collect()
}

fn spool_files(s: &TestServer) -> usize {
    std::fs::read_dir(&s.data_dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().ends_with(".spool"))
                .count()
        })
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
async fn infected_mail_is_refused_at_data_and_clean_mail_arrives() {
    let clamd = Clamd::start();
    let s = server(&clamd.addr, 60).await;
    let ann = signed_in(&s, "ann@example.com").await;

    let (mut conn, _) = SmtpConn::open(s.smtp).await;
    let r = conn
        .deliver("friend@example.org", "ann@ksuite.test", &infected())
        .await;
    assert!(
        r.starts_with("554 5.7.1") && r.contains("virus (Eicar-Test-Signature"),
        "{r}"
    );
    // The same session goes on: a clean message after a refused one is delivered.
    assert!(conn.cmd("RSET").await.starts_with("250"));
    let r = conn
        .deliver("friend@example.org", "ann@ksuite.test", &clean("Lunch"))
        .await;
    assert!(r.starts_with("250"), "{r}");
    // The bare test string in the body is found too.
    let bare = format!("Subject: Bare\r\n\r\n{EICAR}");
    let r = conn
        .deliver("friend@example.org", "ann@ksuite.test", &bare)
        .await;
    assert!(r.starts_with("554 5.7.1"), "{r}");
    let _ = conn.cmd("QUIT").await;

    assert_eq!(subjects(&ann).await, vec!["Lunch".to_string()]);
    assert_eq!(spool_files(&s), 0, "refused mail leaves nothing on disk");
}

#[tokio::test(flavor = "multi_thread")]
async fn mail_waits_while_the_scanner_is_down_and_arrives_once_it_is_back() {
    let port = free_port();
    let s = server(&format!("127.0.0.1:{port}"), 60).await;
    let ann = signed_in(&s, "ann@example.com").await;

    let (mut conn, _) = SmtpConn::open(s.smtp).await;
    let r = conn
        .deliver("friend@example.org", "ann@ksuite.test", &clean("Retry me"))
        .await;
    assert!(
        r.starts_with("451 4.7.1") && r.contains("virus scanner"),
        "{r}"
    );
    let _ = conn.cmd("QUIT").await;
    assert!(subjects(&ann).await.is_empty(), "not let through unscanned");

    // The sending server retries once clamd is up again.
    let _clamd = Clamd::start_on(port);
    let (mut conn, _) = SmtpConn::open(s.smtp).await;
    let r = conn
        .deliver("friend@example.org", "ann@ksuite.test", &clean("Retry me"))
        .await;
    assert!(r.starts_with("250"), "{r}");
    assert_eq!(subjects(&ann).await, vec!["Retry me".to_string()]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scanner_that_never_answers_costs_one_timeout_not_a_stuck_session() {
    // Accepts connections and reads, but never replies.
    let hung = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = hung.local_addr().expect("addr").to_string();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((sock, _)) = hung.accept().await {
            held.push(sock);
        }
    });
    let s = server(&addr, 1).await;
    let ann = signed_in(&s, "ann@example.com").await;
    let (mut conn, _) = SmtpConn::open(s.smtp).await;
    let r = conn
        .deliver("friend@example.org", "ann@ksuite.test", &clean("Stuck?"))
        .await;
    assert!(r.starts_with("451 4.7.1"), "{r}");
    assert!(
        conn.cmd("NOOP").await.starts_with("250"),
        "session still answers"
    );
    assert!(subjects(&ann).await.is_empty());
}
