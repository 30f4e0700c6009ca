//! Spam filtering with a real rspamd (`--rspamd-url`): spam is filed in Spam with its
//! score, rspamd's rejects are refused at DATA, mail is accepted unscored while rspamd is
//! down, and moving mail into or out of Spam teaches rspamd, also when the lesson had to
//! wait across a SIGKILL.

mod support;

use serde_json::json;
use support::rspamd::{GTUBE, Rspamd, SPAM_PHRASE};
use support::{Client, ServerProcess, SmtpConn, TestServer, free_port, rand_token, signed_in};

fn message(subject: &str, text: &str) -> String {
    format!(
        "From: Friend <friend@example.org>\r\nTo: <ann@ksuite.test>\r\nSubject: {subject}\r\n\
         Message-ID: <{}@example.org>\r\nDate: Sun, 6 Dec 2026 01:00:00 +0000\r\n\r\n{text}\r\n",
        rand_token()
    )
}

/// Long enough for rspamd's Bayes classifier to learn from (11 tokens at least).
const WORDS: &str = "Dear Ann, the quarterly figures are attached and the meeting moves to \
                     Thursday afternoon in the large room on the third floor.";

async fn offer(smtp: std::net::SocketAddr, body: &str) -> String {
    let (mut conn, _) = SmtpConn::open(smtp).await;
    let r = conn
        .deliver("friend@example.org", "ann@ksuite.test", body)
        .await;
    let _ = conn.cmd("QUIT").await;
    r
}

/// Subjects in the folder with this role.
async fn subjects(c: &Client, role: &str) -> Vec<String> {
    let folder = support::mail_folder(c, role).await;
    support::folder_messages(c, folder.id)
        .await
        .into_iter()
        .map(|m| m.subject)
        .collect()
}

async fn id_of(c: &Client, role: &str, subject: &str) -> i64 {
    let folder = support::mail_folder(c, role).await;
    support::folder_messages(c, folder.id)
        .await
        .into_iter()
        .find(|m| m.subject == subject)
        .unwrap_or_else(|| panic!("{subject} in {role}"))
        .id
}

fn with_rspamd(r: &Rspamd) -> impl FnOnce(&mut ksuite_server::config::Config) {
    let (url, controller) = (r.url.clone(), r.controller.clone());
    move |c| {
        c.mail_domain = Some("ksuite.test".into());
        c.rspamd_url = Some(url);
        c.rspamd_controller_url = Some(controller);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn spam_is_filed_in_spam_and_the_worst_is_refused() {
    let rspamd = Rspamd::start();
    let s = TestServer::start_with(with_rspamd(&rspamd)).await;
    let ann = signed_in(&s, "ann@example.com").await;

    let r = offer(s.smtp, &message("Figures", WORDS)).await;
    assert!(r.starts_with("250"), "{r}");
    let r = offer(
        s.smtp,
        &message("Cheap offer", &format!("Buy now: {SPAM_PHRASE}")),
    )
    .await;
    assert!(r.starts_with("250"), "spam is accepted, then filed: {r}");
    let r = offer(s.smtp, &message("Test", GTUBE)).await;
    assert!(r.starts_with("550 5.7.1") && r.contains("spam"), "{r}");

    assert_eq!(subjects(&ann, "inbox").await, vec!["Figures".to_string()]);
    assert_eq!(
        subjects(&ann, "spam").await,
        vec!["Cheap offer".to_string()]
    );
    let ham = support::raw_message(&ann, id_of(&ann, "inbox", "Figures").await).await;
    assert!(ham.contains("X-Spam-Status: No, score="), "{ham}");
    assert!(!ham.contains("X-Spam-Flag"));
    let spam = support::raw_message(&ann, id_of(&ann, "spam", "Cheap offer").await).await;
    assert!(spam.contains("X-Spam-Status: Yes, score="), "{spam}");
    assert!(spam.contains("X-Spam-Flag: YES"));
    assert!(
        spam.contains("KSUITE_TEST_SPAM"),
        "the rule that fired is named"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn mail_is_accepted_unscored_while_rspamd_is_down() {
    let port = free_port();
    let s = TestServer::start_with(move |c| {
        c.mail_domain = Some("ksuite.test".into());
        c.rspamd_url = Some(format!("http://127.0.0.1:{port}"));
    })
    .await;
    let ann = signed_in(&s, "ann@example.com").await;
    let r = offer(s.smtp, &message("Still here", WORDS)).await;
    assert!(r.starts_with("250"), "{r}");
    let kept = support::raw_message(&ann, id_of(&ann, "inbox", "Still here").await).await;
    assert!(!kept.contains("X-Spam-Status"), "{kept}");
}

#[tokio::test(flavor = "multi_thread")]
async fn moving_into_and_out_of_spam_teaches_rspamd() {
    let rspamd = Rspamd::start();
    let s = TestServer::start_with(with_rspamd(&rspamd)).await;
    let ann = signed_in(&s, "ann@example.com").await;
    for subject in ["One", "Two", "Three"] {
        // Different words: rspamd learns the same text only once.
        let text = format!("{WORDS} Reference {subject}.");
        let r = offer(s.smtp, &message(subject, &text)).await;
        assert!(r.starts_with("250"), "{r}");
    }
    assert_eq!(rspamd.learned().await, 0);

    // "Mark as spam" in bulk: a spam lesson.
    let one = id_of(&ann, "inbox", "One").await;
    let r = ann
        .post(
            "/api/mail/messages/bulk",
            &json!({"ids": [one], "action": {"kind": "spam"}}),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.status());
    rspamd.wait_learned(1).await;

    // "Not spam": back to the inbox, a ham lesson.
    let r = ann
        .post(
            "/api/mail/messages/bulk",
            &json!({"ids": [one], "action": {"kind": "not_spam"}}),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.status());
    assert!(subjects(&ann, "inbox").await.contains(&"One".to_string()));
    rspamd.wait_learned(2).await;

    // Moves that do not touch Spam teach nothing; nor does deleting from Spam.
    let two = id_of(&ann, "inbox", "Two").await;
    let archive = support::mail_folder(&ann, "archive").await;
    let r = ann
        .post(
            &format!("/api/mail/messages/{two}/move"),
            &json!({"folder_id": archive.id}),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.status());
    mark_spam(&ann, "Three").await;
    rspamd.wait_learned(3).await;
    let three = id_of(&ann, "spam", "Three").await;
    let r = ann
        .post(
            "/api/mail/messages/bulk",
            &json!({"ids": [three], "action": {"kind": "delete"}}),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.status());
    tokio::time::sleep(std::time::Duration::from_secs(6)).await; // a lesson round
    assert_eq!(rspamd.learned().await, 3);

    // A mail app moving a message into Spam over IMAP teaches it too.
    let password = support::app_password(&ann).await;
    let mut imap =
        support::ImapConn::signed_in(s.mail.imap, &s.data_dir, "ann@example.com", &password).await;
    assert!(imap.cmd("SELECT Archive").await.ends_with_ok());
    let r = imap.cmd("MOVE 1 Spam").await;
    assert!(r.ends_with_ok(), "{r:?}");
    rspamd.wait_learned(4).await;
}

/// Marks the message with this subject as spam in bulk.
async fn mark_spam(c: &Client, subject: &str) {
    let id = id_of(c, "inbox", subject).await;
    let r = c
        .post(
            "/api/mail/messages/bulk",
            &json!({"ids": [id], "action": {"kind": "spam"}}),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.status());
}

#[tokio::test(flavor = "multi_thread")]
async fn lessons_wait_for_rspamd_across_sigkill_and_restart() {
    let rspamd = Rspamd::start();
    let dir = tempfile::tempdir().expect("temp");
    let down = format!("http://127.0.0.1:{}", free_port());
    let flags = |controller: &str| {
        [
            "--mail-domain",
            "ksuite.test",
            "--rspamd-url",
            &rspamd.url,
            "--rspamd-controller-url",
            controller,
        ]
        .map(String::from)
    };
    // While the controller is unreachable, lessons stay queued: one through a SIGKILL…
    let down_flags = flags(&down);
    let down_flags: Vec<&str> = down_flags.iter().map(String::as_str).collect();
    let server = ServerProcess::start(dir.path(), &down_flags);
    let mut ann = server.client();
    ann.signup("ann@example.com", support::PASSWORD).await;
    for subject in ["First", "Second"] {
        // Different words: rspamd learns the same text only once.
        let text = format!("{WORDS} Reference {subject}.");
        let r = offer(server.smtp, &message(subject, &text)).await;
        assert!(r.starts_with("250"), "{r}");
    }
    mark_spam(&ann, "First").await;
    server.crash();
    // …and one through a clean stop.
    let server = ServerProcess::start(dir.path(), &down_flags);
    mark_spam(&server.signed_in("ann@example.com").await, "Second").await;
    server.stop();
    assert_eq!(rspamd.learned().await, 0);

    // With the controller back, both lessons arrive.
    let up_flags = flags(&rspamd.controller);
    let up_flags: Vec<&str> = up_flags.iter().map(String::as_str).collect();
    let server = ServerProcess::start(dir.path(), &up_flags);
    rspamd.wait_learned(2).await;
    server.stop();
}
