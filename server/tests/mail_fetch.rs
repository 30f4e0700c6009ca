//! Bringing mail over from another IMAP server: a second ksuite plays the old provider
//! (a real IMAP server with TLS and STARTTLS). Folders land by special use, flags come
//! along, a second run adds nothing, refusals are clear, only writers may fetch into an
//! address, private networks are refused unless allowed, and a fetch cut off by SIGKILL
//! finishes after restart without copying anything twice.

mod support;

use std::time::Duration;

use ksuite_common::{FetchSecurity, MailFetch, MailFetchState};
use reqwest::StatusCode;
use serde_json::json;
use support::{
    Client, ServerProcess, TestServer, address_folder, app_password, deliver_mail, folder_messages,
    shared_address, signed_in,
};

/// The old provider: bob's account with `n` messages in INBOX, the newest archived.
async fn old_provider(n: usize) -> (TestServer, String) {
    let source = TestServer::start_with(|c| c.mail_domain = Some("old.test".into())).await;
    let bob = signed_in(&source, "bob@example.com").await;
    for i in 0..n {
        deliver_mail(
            &source,
            "friend@example.org",
            "bob@old.test",
            &format!("Old {i}"),
        )
        .await;
    }
    let inbox = address_folder(&bob, "bob@old.test", "inbox").await;
    let messages = folder_messages(&bob, inbox.id).await;
    let newest = messages[0].id;
    let r = bob
        .post(
            "/api/mail/messages/bulk",
            &json!({"ids": [newest], "action": {"kind": "archive"}}),
        )
        .await;
    assert!(r.status().is_success());
    let r = bob
        .post(
            "/api/mail/messages/bulk",
            &json!({"ids": [messages[1].id], "action": {"kind": "flag"}}),
        )
        .await;
    assert!(r.status().is_success());
    let password = app_password(&bob).await;
    (source, password)
}

fn request(address: &str, port: u16, security: FetchSecurity, password: &str) -> serde_json::Value {
    json!({
        "address": address, "host": "localhost", "port": port,
        "security": security, "username": "bob@example.com", "password": password,
    })
}

/// Waits (bounded) until the fetch has ended.
async fn finished(c: &Client, id: i64) -> MailFetch {
    for _ in 0..600 {
        let all: Vec<MailFetch> = c.get("/api/mail/fetches").await.json().await.expect("list");
        let f = all.into_iter().find(|f| f.id == id).expect("listed");
        if matches!(f.state, MailFetchState::Done | MailFetchState::Failed) {
            return f;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("fetch {id} did not end within a minute");
}

async fn start(c: &Client, body: &serde_json::Value) -> MailFetch {
    let r = c.post("/api/mail/fetches", body).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json().await.expect("fetch")
}

fn trusting(source: &TestServer) -> impl FnOnce(&mut ksuite_server::config::Config) {
    let ca = source.data_dir.join("tls/self-signed.crt");
    move |c| {
        c.mail_domain = Some("ksuite.test".into());
        c.mail_fetch_ca_file = Some(ca);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn old_mail_comes_over_with_its_folders_and_flags_once() {
    let (source, password) = old_provider(3).await;
    let s = TestServer::start_with(trusting(&source)).await;
    let ann = signed_in(&s, "ann@example.com").await;

    let f = start(
        &ann,
        &request(
            "ann@ksuite.test",
            source.mail.imaps.port(),
            FetchSecurity::Tls,
            &password,
        ),
    )
    .await;
    assert_eq!(f.state, MailFetchState::Waiting);
    let f = finished(&ann, f.id).await;
    assert_eq!(
        (f.state, f.done, f.total, f.imported),
        (MailFetchState::Done, 3, 3, 3),
        "{f:?}"
    );

    let inbox = address_folder(&ann, "ann@ksuite.test", "inbox").await;
    let archive = address_folder(&ann, "ann@ksuite.test", "archive").await;
    let here = folder_messages(&ann, inbox.id).await;
    let mut subjects: Vec<_> = here.iter().map(|m| m.subject.clone()).collect();
    subjects.sort();
    assert_eq!(subjects, vec!["Old 0", "Old 1"]);
    assert_eq!(folder_messages(&ann, archive.id).await[0].subject, "Old 2");
    let old1 = here.iter().find(|m| m.subject == "Old 1").expect("Old 1");
    assert!(old1.flagged, "flags come along");
    assert!(!old1.seen);

    // Again, this time over STARTTLS: everything is already here.
    let again = start(
        &ann,
        &request(
            "ann@ksuite.test",
            source.mail.imap.port(),
            FetchSecurity::StartTls,
            &password,
        ),
    )
    .await;
    let again = finished(&ann, again.id).await;
    assert_eq!(
        (again.state, again.imported, again.done),
        (MailFetchState::Done, 0, 3),
        "{again:?}"
    );
    assert_eq!(folder_messages(&ann, inbox.id).await.len(), 2);

    // A wrong password: a clear failure, and the password is not kept.
    let wrong = start(
        &ann,
        &request(
            "ann@ksuite.test",
            source.mail.imaps.port(),
            FetchSecurity::Tls,
            "wrong",
        ),
    )
    .await;
    let wrong = finished(&ann, wrong.id).await;
    assert_eq!(wrong.state, MailFetchState::Failed);
    assert!(
        wrong
            .error
            .as_deref()
            .unwrap_or("")
            .contains("user name or password"),
        "{wrong:?}"
    );
    let kept = s
        .scalar("SELECT COUNT(*) FROM mail_fetches WHERE password IS NOT NULL")
        .await;
    assert_eq!(kept, 0, "passwords are wiped when fetches end");
}

#[tokio::test(flavor = "multi_thread")]
async fn only_writers_fetch_into_an_address_and_private_networks_are_refused() {
    let (source, password) = old_provider(2).await;
    let ca = source.data_dir.join("tls/self-signed.crt");
    let s = TestServer::start_with(move |c| {
        c.mail_domain = Some("ksuite.test".into());
        c.mail_fetch_ca_file = Some(ca);
        c.allow_private_targets = false;
    })
    .await;
    let admin = signed_in(&s, "admin@example.com").await;
    let reader = signed_in(&s, "reader@example.com").await;
    let writer = signed_in(&s, "writer@example.com").await;
    let stranger = signed_in(&s, "stranger@example.com").await;
    shared_address(
        &admin,
        "team",
        &[
            ("reader@example.com", "read"),
            ("writer@example.com", "send"),
        ],
    )
    .await;
    let body = request(
        "team@ksuite.test",
        source.mail.imaps.port(),
        FetchSecurity::Tls,
        &password,
    );

    let r = reader.post("/api/mail/fetches", &body).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(
        r.text()
            .await
            .unwrap_or_default()
            .contains("not change its mail")
    );
    assert_eq!(
        stranger.post("/api/mail/fetches", &body).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.client().post("/api/mail/fetches", &body).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        s.client().get("/api/mail/fetches").await.status(),
        StatusCode::UNAUTHORIZED
    );

    // The writer may; this server does not connect to loopback, so it fails clearly.
    let f = start(&writer, &body).await;
    let f = finished(&writer, f.id).await;
    assert_eq!(f.state, MailFetchState::Failed);
    assert!(
        f.error.as_deref().unwrap_or("").contains("private network"),
        "{f:?}"
    );
    // Nobody else sees it.
    let others: Vec<MailFetch> = reader
        .get("/api/mail/fetches")
        .await
        .json()
        .await
        .expect("list");
    assert!(others.is_empty());

    // Bad input gets clear refusals.
    for (field, value) in [
        ("host", json!("")),
        ("port", json!(0)),
        ("password", json!("")),
    ] {
        let mut bad = body.clone();
        bad[field] = value;
        let r = writer.post("/api/mail/fetches", &bad).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{field}");
    }
    let mut injected = body.clone();
    injected["username"] = json!("bob\r\nk9 DELETE INBOX");
    let r = writer.post("/api/mail/fetches", &injected).await;
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "no line breaks in credentials"
    );
}

/// Waits (bounded) until the newest fetch runs and has copied some, not all.
async fn part_way(c: &Client) {
    for _ in 0..4000 {
        let all: Vec<MailFetch> = c.get("/api/mail/fetches").await.json().await.expect("list");
        if all[0].state == MailFetchState::Running && all[0].done > 0 && all[0].done < all[0].total
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("the fetch was never seen running part-way");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fetch_cut_off_by_sigkill_or_a_stop_finishes_after_restart_without_doubles() {
    const N: usize = 300;
    let (source, password) = old_provider(N).await;
    let dir = tempfile::tempdir().expect("temp");
    let ca = source.data_dir.join("tls/self-signed.crt");
    let flags = [
        "--mail-domain",
        "ksuite.test",
        "--allow-private-targets",
        "--mail-fetch-ca-file",
        ca.to_str().expect("path"),
        // A killed process's fetch is taken up again after this many seconds.
        "--job-lease-secs",
        "2",
    ];
    let server = ServerProcess::start(dir.path(), &flags);
    let mut ann = server.client();
    ann.signup("ann@example.com", support::PASSWORD).await;
    let f = start(
        &ann,
        &request(
            "ann@ksuite.test",
            source.mail.imaps.port(),
            FetchSecurity::Tls,
            &password,
        ),
    )
    .await;
    // Kill it part-way; then, in a second life, stop it cleanly part-way.
    part_way(&ann).await;
    server.crash();
    let server = ServerProcess::start(dir.path(), &flags);
    part_way(&server.signed_in("ann@example.com").await).await;
    server.stop();

    let server = ServerProcess::start(dir.path(), &flags);
    let ann = server.signed_in("ann@example.com").await;
    let f = finished(&ann, f.id).await;
    assert_eq!(f.state, MailFetchState::Done, "{f:?}");
    assert_eq!(f.done as usize, N);
    let inbox = address_folder(&ann, "ann@ksuite.test", "inbox").await;
    let archive = address_folder(&ann, "ann@ksuite.test", "archive").await;
    let count = |c: &ksuite_common::MailFolder| c.total;
    let folders: Vec<ksuite_common::MailFolder> = ann
        .get("/api/mail/folders")
        .await
        .json()
        .await
        .expect("folders");
    let total: i64 = folders
        .iter()
        .filter(|f| f.id == inbox.id || f.id == archive.id)
        .map(count)
        .sum();
    assert_eq!(total as usize, N, "every message once");
    server.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stalling_server_holds_up_only_its_own_fetch() {
    let (source, password) = old_provider(2).await;
    // Accepts connections and never says a word.
    let tarpit = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let tarpit_port = tarpit.local_addr().expect("addr").port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((sock, _)) = tarpit.accept().await {
            held.push(sock);
        }
    });
    let ca = source.data_dir.join("tls/self-signed.crt");
    let s = TestServer::start_with(move |c| {
        c.mail_domain = Some("ksuite.test".into());
        c.mail_fetch_ca_file = Some(ca);
        c.mail_fetch_concurrent = 2;
    })
    .await;
    let mallory = signed_in(&s, "mallory@example.com").await;
    let ann = signed_in(&s, "ann@example.com").await;
    // Mallory asks for three stalled fetches first; they take one slot between them.
    for _ in 0..3 {
        start(
            &mallory,
            &request("mallory@ksuite.test", tarpit_port, FetchSecurity::Tls, "x"),
        )
        .await;
    }
    let f = start(
        &ann,
        &request(
            "ann@ksuite.test",
            source.mail.imaps.port(),
            FetchSecurity::Tls,
            &password,
        ),
    )
    .await;
    let f = finished(&ann, f.id).await;
    assert_eq!((f.state, f.imported), (MailFetchState::Done, 2), "{f:?}");
    let stalled: Vec<MailFetch> = mallory
        .get("/api/mail/fetches")
        .await
        .json()
        .await
        .expect("list");
    assert_eq!(
        stalled
            .iter()
            .filter(|f| f.state == MailFetchState::Running)
            .count(),
        1,
        "one of mallory's fetches runs at a time"
    );
}
