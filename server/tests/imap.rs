//! IMAP against a real server: Python's imaplib for the protocol matrix, and a raw client
//! for what a library hides (permissions per grant, hostile input, changes crossing
//! between the webmail and IMAP, restarts and crashes).

mod support;

use std::path::PathBuf;
use std::process::Command;

use ksuite_common::MessageDetail;
use reqwest::{Method, StatusCode};
use serde_json::json;
use support::{
    Client, ImapConn, ServerProcess, SmtpConn, TestServer, address_folder, app_password,
    folder_messages, signed_in, test_python as python,
};

const DOMAIN: &str = "ksuite.test";

/// Delivers a message over SMTP with a subject, Message-ID and body text.
async fn deliver(smtp: std::net::SocketAddr, rcpt: &str, subject: &str, id: &str, body: &str) {
    let (mut conn, _) = SmtpConn::open(smtp).await;
    let data = format!(
        "From: Sender <sender@example.org>\r\nTo: <{rcpt}>\r\nSubject: {subject}\r\nMessage-ID: <{id}@example.org>\r\n\
         Date: Mon, 7 Dec 2026 10:00:00 +0000\r\n\r\n{body}"
    );
    let r = conn.deliver("sender@example.org", rcpt, &data).await;
    assert!(r.starts_with("250"), "delivery: {r}");
    let _ = conn.cmd("QUIT").await;
}

async fn first_message(web: &Client, folder: i64) -> ksuite_common::MessageSummary {
    folder_messages(web, folder)
        .await
        .into_iter()
        .next()
        .expect("a message")
}

#[tokio::test(flavor = "multi_thread")]
async fn imaplib_protocol_matrix() {
    let server = TestServer::start_with(|c| c.mail_domain = Some(DOMAIN.into())).await;
    let web = signed_in(&server, "ann@example.com").await;
    let password = app_password(&web).await;
    let address = format!("ann@{DOMAIN}");
    deliver(server.smtp, &address, "Alpha report", "alpha-1", "First.").await;
    deliver(
        server.smtp,
        &address,
        "Beta notes",
        "beta-1",
        "Bring a pineapple.",
    )
    .await;
    deliver(server.smtp, &address, "Gamma plans", "gamma-1", "Third.").await;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/clients/imap_client.py");
    let args = vec![
        script.display().to_string(),
        "127.0.0.1".into(),
        server.mail.imap.port().to_string(),
        server.mail.imaps.port().to_string(),
        server
            .data_dir
            .join("tls/self-signed.crt")
            .display()
            .to_string(),
        "ann@example.com".into(),
        password,
        server.smtp.port().to_string(),
        address,
    ];
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python())
            .args(&args)
            .output()
            .expect("python runs")
    })
    .await
    .expect("join");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("all checks passed"),
        "imaplib client failed\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
}

/// Owner (manage), writer (send), read-only grantee, stranger and anonymous on a shared
/// address: what each may see and do over IMAP, and that refused writes change nothing.
#[tokio::test(flavor = "multi_thread")]
async fn permission_matrix_on_a_shared_address() {
    let server = TestServer::start_with(|c| c.mail_domain = Some(DOMAIN.into())).await;
    let owner = signed_in(&server, "owner@example.com").await;
    let mut clients = Vec::new();
    for who in ["reader", "writer", "stranger"] {
        let web = signed_in(&server, &format!("{who}@example.com")).await;
        let password = app_password(&web).await;
        clients.push((who, web, password));
    }
    let owner_password = app_password(&owner).await;
    support::shared_address(
        &owner,
        "team",
        &[
            ("reader@example.com", "read"),
            ("writer@example.com", "send"),
            ("owner@example.com", "manage"),
        ],
    )
    .await;
    let team_address = format!("team@{DOMAIN}");
    deliver(
        server.smtp,
        &team_address,
        "Shared news",
        "shared-1",
        "For the team.",
    )
    .await;
    let inbox = format!("\"Shared/{team_address}/INBOX\"");
    let team_inbox = address_folder(&owner, &team_address, "inbox").await;

    // Anonymous: nothing before signing in.
    let (mut anon, greeting) = ImapConn::open(server.mail.imap).await;
    assert!(greeting.starts_with("* OK"), "{greeting}");
    for cmd in [
        format!("SELECT {inbox}"),
        "LIST \"\" *".into(),
        format!("STATUS {inbox} (MESSAGES)"),
    ] {
        let r = anon.cmd(&cmd).await;
        assert_eq!(r.status(), "BAD", "anonymous {cmd}: {r:?}");
        assert!(r.tagged().contains("Sign in first"), "{r:?}");
    }

    let login = |who: &str| format!("{who}@example.com");
    let conn = |who: &str, password: &str| {
        let (who, password) = (login(who), password.to_string());
        let data_dir = server.data_dir.clone();
        let addr = server.mail.imap;
        async move { ImapConn::signed_in(addr, &data_dir, &who, &password).await }
    };
    let (_, _, reader_pw) = &clients[0];
    let (_, _, writer_pw) = &clients[1];
    let (_, _, stranger_pw) = &clients[2];

    // Stranger: the shared folders do not exist for them.
    let mut stranger = conn("stranger", stranger_pw).await;
    let list = stranger.cmd("LIST \"\" *").await;
    assert!(
        list.ends_with_ok() && !list.text().contains("Shared"),
        "{list:?}"
    );
    for cmd in [
        format!("SELECT {inbox}"),
        format!("EXAMINE {inbox}"),
        format!("STATUS {inbox} (MESSAGES)"),
        format!("DELETE {inbox}"),
    ] {
        let r = stranger.cmd(&cmd).await;
        assert_eq!(r.status(), "NO", "stranger {cmd}: {r:?}");
        assert!(r.tagged().contains("NONEXISTENT"), "{r:?}");
    }
    stranger
        .send(format!("t90 APPEND {inbox} {{5+}}\r\nhello\r\n").as_bytes())
        .await;
    let r = stranger.until_tagged("t90").await;
    assert_eq!(r.status(), "NO", "stranger APPEND: {r:?}");

    // Read-only grantee: sees it, changes nothing (not even \Seen by reading).
    let mut reader = conn("reader", reader_pw).await;
    let list = reader.cmd("LIST \"\" *").await;
    assert!(
        list.text()
            .contains(&format!("Shared/{team_address}/INBOX")),
        "{list:?}"
    );
    let r = reader.cmd(&format!("SELECT {inbox}")).await;
    assert!(
        r.ends_with_ok() && r.tagged().contains("[READ-ONLY]"),
        "{r:?}"
    );
    assert!(r.text().contains("* 1 EXISTS"), "{r:?}");
    let r = reader.cmd("FETCH 1 (BODY[])").await;
    assert!(
        r.ends_with_ok() && r.text().contains("For the team."),
        "{r:?}"
    );
    for cmd in [
        "STORE 1 +FLAGS (\\Flagged)".to_string(),
        "STORE 1 +FLAGS (\\Deleted)".into(),
        "EXPUNGE".into(),
        format!("MOVE 1 \"Shared/{team_address}/Archive\""),
        format!("COPY 1 \"Shared/{team_address}/Archive\""),
        format!("CREATE \"Shared/{team_address}/Mine\""),
    ] {
        let r = reader.cmd(&cmd).await;
        assert_eq!(r.status(), "NO", "reader {cmd}: {r:?}");
    }
    reader
        .send(format!("t91 APPEND {inbox} {{5+}}\r\nhello\r\n").as_bytes())
        .await;
    let r = reader.until_tagged("t91").await;
    assert!(
        r.status() == "NO" && r.tagged().contains("NOPERM"),
        "reader APPEND: {r:?}"
    );
    let after: MessageDetail = owner
        .get(&format!(
            "/api/mail/messages/{}",
            first_message(&owner, team_inbox.id).await.id
        ))
        .await
        .json()
        .await
        .expect("detail");
    assert!(
        !after.summary.seen && !after.summary.flagged,
        "reader changed nothing"
    );
    assert_eq!(after.summary.folder_id, team_inbox.id);

    // Writer: may flag and move; the owner sees it in the webmail.
    let mut writer = conn("writer", writer_pw).await;
    let r = writer.cmd(&format!("SELECT {inbox}")).await;
    assert!(r.tagged().contains("[READ-WRITE]"), "{r:?}");
    let r = writer.cmd("STORE 1 +FLAGS (\\Flagged)").await;
    assert!(r.ends_with_ok(), "{r:?}");
    let seen_by_owner = first_message(&owner, team_inbox.id).await;
    assert!(seen_by_owner.flagged, "writer's flag shows in the webmail");

    // Owner: everything, including the own INBOX at the top.
    let mut own = conn("owner", &owner_password).await;
    let list = own.cmd("LIST \"\" %").await;
    assert!(
        list.text().contains("\"INBOX\"") || list.text().contains(" INBOX"),
        "{list:?}"
    );
    let r = own.cmd(&format!("SELECT {inbox}")).await;
    assert!(r.tagged().contains("[READ-WRITE]"), "{r:?}");
    let r = own
        .cmd(&format!("MOVE 1 \"Shared/{team_address}/Archive\""))
        .await;
    assert!(
        r.ends_with_ok() && r.text().contains("* 1 EXPUNGE"),
        "{r:?}"
    );
    let r = own.cmd("MOVE 1 INBOX").await;
    assert_eq!(r.status(), "BAD", "nothing left to move: {r:?}");
}

/// Changes cross both ways at once: webmail → IMAP (NOOP and IDLE) and IMAP → webmail.
#[tokio::test(flavor = "multi_thread")]
async fn webmail_and_imap_see_each_other() {
    let server = TestServer::start_with(|c| c.mail_domain = Some(DOMAIN.into())).await;
    let web = signed_in(&server, "bo@example.com").await;
    let password = app_password(&web).await;
    let address = format!("bo@{DOMAIN}");
    deliver(server.smtp, &address, "One", "one", "1").await;
    deliver(server.smtp, &address, "Two", "two", "2").await;
    let inbox = address_folder(&web, &address, "inbox").await;
    let archive = address_folder(&web, &address, "archive").await;
    let mut imap = ImapConn::signed_in(
        server.mail.imap,
        &server.data_dir,
        "bo@example.com",
        &password,
    )
    .await;
    let r = imap.cmd("SELECT INBOX").await;
    assert!(r.text().contains("* 2 EXISTS"), "{r:?}");

    // Webmail marks the newest read: NOOP tells IMAP.
    let newest = first_message(&web, inbox.id).await;
    let r = web
        .send_json(
            Method::PATCH,
            &format!("/api/mail/messages/{}", newest.id),
            &json!({"seen": true}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = imap.cmd("NOOP").await;
    assert!(
        r.text().contains("FETCH (UID") && r.text().contains("\\Seen"),
        "{r:?}"
    );

    // IMAP flags and moves: the webmail shows it.
    let r = imap.cmd("STORE 1 +FLAGS (\\Flagged)").await;
    assert!(r.ends_with_ok(), "{r:?}");
    let r = imap.cmd("UID MOVE 1:* Archive").await;
    assert!(r.ends_with_ok(), "{r:?}");
    assert!(r.text().contains("COPYUID"), "{r:?}");
    let moved = first_message(&web, archive.id).await;
    assert_eq!(moved.folder_id, archive.id);
    let r = imap.cmd("SELECT Archive").await;
    assert!(r.text().contains("* 2 EXISTS"), "{r:?}");

    // IDLE wakes when the webmail deletes one (it goes to the Trash: EXPUNGE here).
    imap.send(b"t50 IDLE\r\n").await;
    let plus = imap.line().await.expect("continuation");
    assert!(plus.starts_with('+'), "{plus}");
    let r = web
        .send_json(
            Method::DELETE,
            &format!("/api/mail/messages/{}", moved.id),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let pushed = imap.line().await.expect("an update while idling");
    assert!(pushed.ends_with("EXPUNGE"), "{pushed}");
    imap.send(b"DONE\r\n").await;
    let r = imap.until_tagged("t50").await;
    assert!(r.ends_with_ok(), "{r:?}");
    // Trash has it; the webmail can restore it, and IMAP sees it come back.
    let r = imap.cmd("STATUS Trash (MESSAGES)").await;
    assert!(r.text().contains("MESSAGES 1"), "{r:?}");
    let r = web
        .post(
            &format!("/api/mail/messages/{}/restore", moved.id),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = imap.cmd("NOOP").await;
    assert!(
        r.text().contains("* 2 EXISTS"),
        "restored message announced: {r:?}"
    );
}

/// What a hostile client can send: every refusal is a complete answer, and work and memory
/// stay bounded.
#[tokio::test(flavor = "multi_thread")]
async fn hostile_input_gets_clear_bounded_refusals() {
    let server = TestServer::start_with(|c| {
        c.mail_domain = Some(DOMAIN.into());
        c.mail_clients.imap_max_connections_per_ip = 3;
        c.mail_clients.imap_max_bad_commands = 4;
        c.max_message_size = 64 * 1024;
    })
    .await;
    let web = signed_in(&server, "eve@example.com").await;
    let password = app_password(&web).await;

    // A line longer than the command limit: BYE, connection closed.
    let (mut c, _) = ImapConn::open(server.mail.imap).await;
    c.send(&vec![b'a'; 200 * 1024]).await;
    let bye = c.line().await.unwrap_or_default();
    assert!(
        bye.starts_with("* BYE") && bye.contains("too long"),
        "{bye}"
    );
    assert!(c.line().await.is_none(), "closed after BYE");

    // Before signing in, no large literal is accepted (no APPEND memory to reserve).
    let (mut anon, _) = ImapConn::open(server.mail.imap).await;
    anon.send(b"x1 APPEND INBOX {70000}\r\n").await;
    let r = anon.until_tagged("x1").await;
    assert!(
        r.status() == "BAD" && r.tagged().contains("Sign in first"),
        "{r:?}"
    );

    // A literal larger than a command may be (not an APPEND): BAD, and the session goes on.
    let mut c = ImapConn::signed_in(
        server.mail.imap,
        &server.data_dir,
        "eve@example.com",
        &password,
    )
    .await;
    c.send(b"s1 SELECT {100000}\r\n").await;
    let r = c.until_tagged("s1").await;
    assert_eq!(r.status(), "BAD", "{r:?}");
    // APPEND beyond the message size limit: refused before any byte of it is read.
    c.send(b"s2 APPEND INBOX {100000}\r\n").await;
    let r = c.until_tagged("s2").await;
    assert!(
        r.status() == "BAD" && r.tagged().contains("too large"),
        "{r:?}"
    );
    let r = c.cmd("NOOP").await;
    assert!(r.ends_with_ok(), "session still usable: {r:?}");
    // The same sent as LITERAL+ cannot be resynchronised: BYE.
    c.send(b"s3 APPEND INBOX {100000+}\r\n").await;
    let bye = c.line().await.unwrap_or_default();
    assert!(bye.starts_with("* BYE"), "{bye}");

    // Garbage: BAD each time, then BYE after the limit.
    let (mut g, _) = ImapConn::open(server.mail.imap).await;
    for i in 0..3 {
        let r = g.cmd(&format!("FROB{i} ((((")).await;
        assert_eq!(r.status(), "BAD", "{r:?}");
    }
    g.send(b"x4 NONSENSE\r\n").await;
    let mut lines = Vec::new();
    while let Some(l) = g.line().await {
        lines.push(l);
    }
    assert!(lines.iter().any(|l| l.starts_with("* BYE")), "{lines:?}");

    // A huge sequence set costs what the folder holds, not what the numbers say.
    for n in 0..2 {
        deliver(
            server.smtp,
            &format!("eve@{DOMAIN}"),
            "Hi",
            &format!("eve-{n}"),
            "x",
        )
        .await;
    }
    let mut c = ImapConn::signed_in(
        server.mail.imap,
        &server.data_dir,
        "eve@example.com",
        &password,
    )
    .await;
    assert!(c.cmd("SELECT INBOX").await.ends_with_ok());
    let r = c
        .cmd("UID FETCH 1:4294967295,1:4294967295,2:4294967295 (FLAGS)")
        .await;
    assert!(r.ends_with_ok() && r.0.len() == 3, "{r:?}");
    let r = c.cmd("FETCH 1:* (FLAGS)").await;
    assert!(r.ends_with_ok() && r.0.len() == 3, "{r:?}");
    // Sequence numbers past the last message are an error, answered in full.
    let r = c.cmd("FETCH 1:4294967295 (FLAGS)").await;
    assert!(
        r.status() == "BAD" && r.tagged().contains("No such message"),
        "{r:?}"
    );
    let r = c
        .cmd("UID SEARCH UID 1:4294967295 NOT UID 5:4294967295")
        .await;
    assert!(r.ends_with_ok(), "{r:?}");
    // A search nested past the limit is refused, not evaluated.
    let deep = "NOT ".repeat(300) + "ALL";
    let r = c.cmd(&format!("SEARCH {deep}")).await;
    assert!(matches!(r.status(), "NO" | "BAD"), "{r:?}");

    // Connections per address are limited; the refusal says why.
    let (_a, _) = ImapConn::open(server.mail.imap).await;
    let (_b, _) = ImapConn::open(server.mail.imap).await;
    let (mut d, greeting) = ImapConn::open(server.mail.imap).await;
    assert!(
        greeting.starts_with("* BYE") && greeting.contains("Too many"),
        "{greeting}"
    );
    assert!(d.line().await.is_none());
}

/// AUTHENTICATE PLAIN with the response after an empty challenge, and inline (SASL-IR);
/// signing in as someone else than the credentials' owner is refused.
#[tokio::test(flavor = "multi_thread")]
async fn authenticate_plain_both_ways() {
    use base64::Engine;
    let server = TestServer::start().await;
    let web = signed_in(&server, "pia@example.com").await;
    let password = app_password(&web).await;
    let b64 = |s: String| base64::engine::general_purpose::STANDARD.encode(s);
    let (mut c, _) = ImapConn::open(server.mail.imap).await;
    c.starttls(&server.data_dir).await;
    c.send(b"p1 AUTHENTICATE PLAIN\r\n").await;
    let challenge = c.line().await.unwrap_or_default();
    assert_eq!(
        challenge.trim_end(),
        "+",
        "an empty challenge: {challenge:?}"
    );
    c.send(format!("{}\r\n", b64(format!("\0pia@example.com\0{password}"))).as_bytes())
        .await;
    let r = c.until_tagged("p1").await;
    assert!(r.ends_with_ok(), "{r:?}");

    let (mut c, _) = ImapConn::open(server.mail.imap).await;
    c.starttls(&server.data_dir).await;
    let r = c
        .cmd(&format!(
            "AUTHENTICATE PLAIN {}",
            b64(format!("\0pia@example.com\0{password}"))
        ))
        .await;
    assert!(r.ends_with_ok(), "SASL-IR: {r:?}");

    let (mut c, _) = ImapConn::open(server.mail.imap).await;
    c.starttls(&server.data_dir).await;
    let r = c
        .cmd(&format!(
            "AUTHENTICATE PLAIN {}",
            b64(format!("someone@example.com\0pia@example.com\0{password}"))
        ))
        .await;
    assert!(
        r.status() == "NO" && r.tagged().contains("AUTHORIZATIONFAILED"),
        "{r:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn failed_logins_are_throttled() {
    let server = TestServer::start_with(|c| c.login_max_failures = 3).await;
    let _web = signed_in(&server, "max@example.com").await;
    let mut refused = Vec::new();
    for _ in 0..4 {
        let (mut c, _) = ImapConn::open(server.mail.imap).await;
        c.starttls(&server.data_dir).await;
        let r = c.cmd("LOGIN max@example.com wrong-password").await;
        assert_eq!(r.status(), "NO", "{r:?}");
        refused.push(r.tagged().to_string());
    }
    assert!(refused[0].contains("AUTHENTICATIONFAILED"), "{refused:?}");
    assert!(
        refused[3].contains("UNAVAILABLE") && refused[3].contains("seconds"),
        "throttled with a wait: {refused:?}"
    );
}

/// UIDs, UIDVALIDITY, flags and appended messages survive a clean stop and a SIGKILL
/// (what a client acknowledged is there after either).
#[tokio::test(flavor = "multi_thread")]
async fn uids_and_writes_survive_restart_and_crash() {
    let dir = tempfile::tempdir().expect("dir");
    let args = ["--mail-domain", DOMAIN];
    let server = ServerProcess::start(dir.path(), &args);
    let mut web = server.client();
    web.signup("uma@example.com", support::PASSWORD).await;
    let password = app_password(&web).await;
    deliver(
        server.smtp,
        &format!("uma@{DOMAIN}"),
        "Kept",
        "kept-1",
        "Kept.",
    )
    .await;
    let mut c = ImapConn::signed_in(server.imap, dir.path(), "uma@example.com", &password).await;
    let before = c.cmd("SELECT INBOX").await.text();
    let r = c.cmd("STORE 1 +FLAGS (\\Flagged $Important)").await;
    assert!(r.ends_with_ok(), "{r:?}");
    c.send(b"a1 APPEND INBOX (\\Seen) {14+}\r\nSubject: x\r\n\r\n\r\n")
        .await;
    let r = c.until_tagged("a1").await;
    assert!(
        r.ends_with_ok() && r.tagged().contains("APPENDUID"),
        "{r:?}"
    );
    drop(c);
    server.stop();

    let validity = |text: &str| {
        text.lines()
            .find(|l| l.contains("UIDVALIDITY"))
            .map(str::to_string)
            .expect("UIDVALIDITY")
    };
    let server = ServerProcess::start(dir.path(), &args);
    let mut c = ImapConn::signed_in(server.imap, dir.path(), "uma@example.com", &password).await;
    let after = c.cmd("SELECT INBOX").await.text();
    assert_eq!(validity(&before), validity(&after), "UIDVALIDITY is stable");
    let r = c.cmd("UID FETCH 1:* (FLAGS)").await.text();
    assert!(r.contains("UID 1 FLAGS (\\Flagged $Important)"), "{r}");
    assert!(r.contains("UID 2 FLAGS (\\Seen)"), "{r}");
    // Acknowledged, then SIGKILL: still there.
    let r = c.cmd("UID STORE 2 +FLAGS (\\Answered)").await;
    assert!(r.ends_with_ok(), "{r:?}");
    c.send(b"a2 APPEND INBOX {14+}\r\nSubject: y\r\n\r\n\r\n")
        .await;
    assert!(c.until_tagged("a2").await.ends_with_ok());
    drop(c);
    // A message a mail app submitted (250 received) is kept too.
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/clients/submission_client.py");
    let submit_args = vec![
        script.display().to_string(),
        "send-as".into(),
        "localhost".into(),
        server.submission.port().to_string(),
        dir.path().join("tls/self-signed.crt").display().to_string(),
        "uma@example.com".into(),
        password.clone(),
        format!("uma@{DOMAIN}"),
        format!("uma@{DOMAIN}"),
    ];
    let out = tokio::task::spawn_blocking(move || {
        Command::new(python())
            .args(&submit_args)
            .output()
            .expect("python runs")
    })
    .await
    .expect("join");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("sent"),
        "{out:?}"
    );
    server.crash();

    let server = ServerProcess::start(dir.path(), &args);
    let mut c = ImapConn::signed_in(server.imap, dir.path(), "uma@example.com", &password).await;
    c.cmd("SELECT INBOX").await;
    let r = c
        .cmd("UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        .await
        .text();
    assert!(
        r.contains("UID 2 FLAGS (\\Answered \\Seen)")
            || r.contains("UID 2 FLAGS (\\Seen \\Answered)"),
        "{r}"
    );
    assert!(r.contains("UID 3") && r.contains("Subject: y"), "{r}");
    assert!(
        r.contains("UID 4") && r.contains("Subject: Matrix"),
        "submitted before the crash: {r}"
    );
    let r = c.cmd("STATUS Sent (MESSAGES)").await;
    assert!(r.text().contains("MESSAGES 1"), "its Sent copy too: {r:?}");
    server.stop();
}

/// Thunderbird-style autoconfig and the Apple profile name the mail servers, and the mail
/// address works as the user name (what autoconfig tells apps to use).
#[tokio::test(flavor = "multi_thread")]
async fn one_step_setup_and_login_by_address() {
    let server = TestServer::start_with(|c| c.mail_domain = Some(DOMAIN.into())).await;
    let web = signed_in(&server, "cy@example.com").await;
    let password = app_password(&web).await;
    let anonymous = reqwest::Client::new();
    for path in [
        format!("/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=cy%40{DOMAIN}"),
        format!("/mail/config-v1.1.xml?emailaddress=cy%40{DOMAIN}"),
    ] {
        let r = anonymous
            .get(server.url(&path))
            .send()
            .await
            .expect("autoconfig");
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let xml = r.text().await.expect("xml");
        assert!(
            xml.contains(&format!("<port>{}</port>", server.mail.imaps.port())),
            "{xml}"
        );
        assert!(
            xml.contains(&format!("<port>{}</port>", server.mail.submissions.port())),
            "{xml}"
        );
        assert!(xml.contains(&format!("<domain>{DOMAIN}</domain>")), "{xml}");
    }
    let info: ksuite_common::SyncInfo = web.get("/api/sync").await.json().await.expect("sync info");
    assert_eq!(info.mail.imaps_port, server.mail.imaps.port());
    assert!(info.mail.self_signed);
    assert_eq!(info.mail.addresses, vec![format!("cy@{DOMAIN}")]);
    let profile = web
        .get("/api/sync/apple.mobileconfig")
        .await
        .text()
        .await
        .expect("profile");
    assert!(
        profile.contains("com.apple.mail.managed") && profile.contains(&format!("cy@{DOMAIN}"))
    );
    assert!(!profile.contains(&password), "no secret in the profile");

    // The address as user name, as autoconfig says.
    let c = ImapConn::signed_in(
        server.mail.imap,
        &server.data_dir,
        &format!("cy@{DOMAIN}"),
        &password,
    )
    .await;
    drop(c);
}

/// mbsync (isync) keeps a Maildir and the server in step both ways: new mail, flags and
/// deletions made on either side arrive on the other.
#[tokio::test(flavor = "multi_thread")]
async fn mbsync_two_way_sync() {
    let server = TestServer::start_with(|c| c.mail_domain = Some(DOMAIN.into())).await;
    let web = signed_in(&server, "dee@example.com").await;
    let password = app_password(&web).await;
    let address = format!("dee@{DOMAIN}");
    deliver(server.smtp, &address, "First", "first", "1").await;
    deliver(server.smtp, &address, "Second", "second", "2").await;
    let work = tempfile::tempdir().expect("dir");
    let maildir = work.path().join("mail");
    std::fs::create_dir_all(&maildir).expect("maildir");
    let config = work.path().join("mbsyncrc");
    std::fs::write(
        &config,
        format!(
            "IMAPAccount ks\nHost localhost\nPort {port}\nUser dee@example.com\nPass {password}\n\
             SSLType IMAPS\nCertificateFile {ca}\nAuthMechs LOGIN\n\n\
             IMAPStore ks-remote\nAccount ks\n\n\
             MaildirStore ks-local\nPath {dir}/\nInbox {dir}/INBOX\nSubFolders Verbatim\n\n\
             Channel ks\nFar :ks-remote:\nNear :ks-local:\nPatterns *\nCreate Both\nExpunge Both\nSyncState *\n",
            port = server.mail.imaps.port(),
            ca = server.data_dir.join("tls/self-signed.crt").display(),
            dir = maildir.display(),
        ),
    )
    .expect("config");
    let sync = || {
        let config = config.clone();
        async move {
            let out = tokio::task::spawn_blocking(move || {
                Command::new("mbsync")
                    .arg("-c")
                    .arg(&config)
                    .arg("ks")
                    .output()
                    .expect("mbsync runs (apt install isync; make test does)")
            })
            .await
            .expect("join");
            assert!(
                out.status.success(),
                "mbsync failed\n{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    };
    let files = |folder: &str| -> Vec<PathBuf> {
        ["cur", "new"]
            .iter()
            .flat_map(|sub| {
                std::fs::read_dir(maildir.join(folder).join(sub))
                    .into_iter()
                    .flatten()
            })
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect()
    };
    sync().await;
    let local = files("INBOX");
    assert_eq!(local.len(), 2, "{local:?}");
    assert!(maildir.join("Sent").exists() && maildir.join("Trash").exists());

    // Near side: flag "First" as read and flagged, and write a new message.
    let first = local
        .iter()
        .find(|p| std::fs::read_to_string(p).is_ok_and(|t| t.contains("Subject: First")))
        .expect("First")
        .clone();
    let name = first
        .file_name()
        .and_then(|n| n.to_str())
        .expect("name")
        .to_string();
    let base = name.split(":2,").next().expect("base");
    std::fs::rename(
        &first,
        maildir.join("INBOX/cur").join(format!("{base}:2,FS")),
    )
    .expect("flag");
    std::fs::write(
        maildir.join("INBOX/new/1700000000.local.host"),
        "From: dee@ksuite.test\r\nTo: dee@ksuite.test\r\nSubject: Written offline\r\n\r\nhello\r\n",
    )
    .expect("new local message");
    // Far side: the webmail flags "Second", and new mail arrives.
    let inbox = address_folder(&web, &address, "inbox").await;
    let page: ksuite_common::MessagePage = web
        .get(&format!("/api/mail/folders/{}/messages", inbox.id))
        .await
        .json()
        .await
        .expect("page");
    let second = page
        .messages
        .iter()
        .find(|m| m.subject == "Second")
        .expect("Second");
    let r = web
        .send_json(
            Method::PATCH,
            &format!("/api/mail/messages/{}", second.id),
            &json!({"flagged": true}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    deliver(server.smtp, &address, "Third", "third", "3").await;
    sync().await;

    let page: ksuite_common::MessagePage = web
        .get(&format!("/api/mail/folders/{}/messages", inbox.id))
        .await
        .json()
        .await
        .expect("page");
    let by_subject = |s: &str| page.messages.iter().find(|m| m.subject == s).cloned();
    let first_far = by_subject("First").expect("First on the server");
    assert!(first_far.seen && first_far.flagged, "near flags went up");
    assert!(
        by_subject("Written offline").is_some(),
        "near message went up"
    );
    let local: Vec<String> = files("INBOX")
        .iter()
        .map(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("")
                .to_string()
                + "|"
                + &std::fs::read_to_string(p).unwrap_or_default()
        })
        .collect();
    assert_eq!(local.len(), 4, "{local:?}");
    assert!(
        local.iter().any(|f| f.contains("Subject: Third")),
        "far mail came down"
    );
    assert!(
        local.iter().any(|f| f.contains("Subject: Second")
            && f.split('|').next().is_some_and(|n| n.contains(":2,F"))),
        "far flag came down: {local:?}"
    );

    // Deleting on the near side: the server's message goes to its Trash, like the webmail.
    let third = files("INBOX")
        .into_iter()
        .find(|p| std::fs::read_to_string(p).is_ok_and(|t| t.contains("Subject: Third")))
        .expect("Third");
    std::fs::remove_file(&third).expect("delete");
    sync().await;
    let trash = address_folder(&web, &address, "trash").await;
    let trashed: ksuite_common::MessagePage = web
        .get(&format!("/api/mail/folders/{}/messages", trash.id))
        .await
        .json()
        .await
        .expect("trash");
    assert!(
        trashed.messages.iter().any(|m| m.subject == "Third"),
        "in the server's Trash"
    );
}

/// The administrator's certificate is used, and a renewed one is picked up on SIGHUP
/// without a restart; a broken file keeps the old one in use.
#[tokio::test(flavor = "multi_thread")]
async fn certificate_reloads_on_sighup() {
    let dir = tempfile::tempdir().expect("dir");
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    let issue = |name: &str| {
        let made =
            rcgen::generate_simple_self_signed(vec!["localhost".to_string(), name.to_string()])
                .expect("certificate");
        (made.cert.pem(), made.signing_key.serialize_pem())
    };
    let (first_cert, first_key) = issue("first.example");
    std::fs::write(&cert, &first_cert).expect("cert");
    std::fs::write(&key, &first_key).expect("key");
    let first_pem = dir.path().join("first.pem");
    std::fs::write(&first_pem, &first_cert).expect("copy");
    let args = [
        "--tls-cert",
        cert.to_str().expect("path"),
        "--tls-key",
        key.to_str().expect("path"),
    ];
    let server = ServerProcess::start(dir.path(), &args);
    let handshake = |pem: PathBuf| async move {
        let (mut c, _) = ImapConn::open(server.imap).await;
        c.starttls_with(&support::trusting(&pem)).await.is_ok()
    };
    assert!(
        handshake(first_pem.clone()).await,
        "the given certificate is used"
    );
    assert!(
        !dir.path().join("tls/self-signed.crt").exists(),
        "nothing generated"
    );

    let (second_cert, second_key) = issue("second.example");
    let second_pem = dir.path().join("second.pem");
    std::fs::write(&second_pem, &second_cert).expect("copy");
    std::fs::write(&cert, &second_cert).expect("renewed cert");
    std::fs::write(&key, &second_key).expect("renewed key");
    let hup = |pid: u32| {
        let status = Command::new("kill")
            .args(["-HUP", &pid.to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
    };
    hup(server.child.id());
    let mut renewed = false;
    for _ in 0..50 {
        if handshake(second_pem.clone()).await {
            renewed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(renewed, "the renewed certificate is served after SIGHUP");

    // A broken renewal keeps the working certificate.
    std::fs::write(&cert, "not a certificate").expect("broken");
    hup(server.child.id());
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        handshake(second_pem).await,
        "still the last good certificate"
    );
    server.stop();
}

/// Revoking an application password ends the sessions signed in with it, idling or not.
#[tokio::test(flavor = "multi_thread")]
async fn revoking_an_app_password_ends_its_sessions() {
    let server = TestServer::start().await;
    let web = signed_in(&server, "rex@example.com").await;
    let password = app_password(&web).await;
    let mut busy = ImapConn::signed_in(
        server.mail.imap,
        &server.data_dir,
        "rex@example.com",
        &password,
    )
    .await;
    let mut idle = ImapConn::signed_in(
        server.mail.imap,
        &server.data_dir,
        "rex@example.com",
        &password,
    )
    .await;
    assert!(idle.cmd("SELECT INBOX").await.ends_with_ok());
    idle.send(b"i1 IDLE\r\n").await;
    assert!(idle.line().await.unwrap_or_default().starts_with('+'));
    let list: Vec<ksuite_common::AppPasswordInfo> = web
        .get("/api/account/app-passwords")
        .await
        .json()
        .await
        .expect("list");
    let r = web
        .send_json(
            Method::DELETE,
            &format!("/api/account/app-passwords/{}", list[0].id),
            &json!({}),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.status());
    let bye = idle.line().await.unwrap_or_default();
    assert!(bye.starts_with("* BYE") && bye.contains("revoked"), "{bye}");
    let r = busy.cmd("NOOP").await;
    assert!(
        r.text().contains("* BYE") && r.text().contains("revoked"),
        "{r:?}"
    );
    let (mut again, _) = ImapConn::open(server.mail.imap).await;
    again.starttls(&server.data_dir).await;
    let r = again
        .cmd(&format!("LOGIN rex@example.com {password}"))
        .await;
    assert_eq!(r.status(), "NO", "{r:?}");
}
