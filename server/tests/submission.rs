//! Mail submission from mail apps with Python's smtplib: TLS before AUTH, who may send as
//! which address (owner, sender, read-only grantee, stranger, anonymous), and where the
//! message ends up (recipient's inbox, relay queue, one Sent copy even when the app also
//! saves its own over IMAP).

mod support;

use std::path::PathBuf;
use std::process::Command;

use reqwest::{Method, StatusCode};
use serde_json::json;
use support::{
    ImapConn, TestServer, address_folder, app_password, folder_messages, mail_folder, signed_in,
    test_python as python,
};

const DOMAIN: &str = "ksuite.test";

async fn run(args: Vec<String>) -> String {
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/clients/submission_client.py");
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python())
            .arg(script)
            .args(&args)
            .output()
            .expect("python runs")
    })
    .await
    .expect("join");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "smtplib client failed\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
    stdout
}

#[tokio::test(flavor = "multi_thread")]
async fn smtplib_submits_through_tls_and_auth() {
    let server = TestServer::start_with(|c| c.mail_domain = Some(DOMAIN.into())).await;
    let ann = signed_in(&server, "ann@example.com").await;
    let bob = signed_in(&server, "bob@example.com").await;
    let password = app_password(&ann).await;
    let cafile = server.data_dir.join("tls/self-signed.crt");
    let out = run(vec![
        "flow".into(),
        "localhost".into(),
        server.mail.submission.port().to_string(),
        server.mail.submissions.port().to_string(),
        cafile.display().to_string(),
        "ann@example.com".into(),
        password.clone(),
        format!("ann@{DOMAIN}"),
        format!("bob@{DOMAIN}"),
        "friend@elsewhere.example".into(),
    ])
    .await;
    assert!(out.contains("all checks passed"), "{out}");

    // Bob got both messages; forged ones never arrived.
    let inbox = mail_folder(&bob, "inbox").await;
    let got = folder_messages(&bob, inbox.id).await;
    let subjects: Vec<&str> = got.iter().map(|m| m.subject.as_str()).collect();
    assert!(
        subjects.contains(&"From the app") && subjects.contains(&"Over implicit TLS"),
        "{subjects:?}"
    );
    assert!(
        !subjects.iter().any(|s| s.starts_with("Forged")),
        "{subjects:?}"
    );

    // Ann's Sent has one copy of each; the remote recipient waits in the relay queue.
    let sent = mail_folder(&ann, "sent").await;
    let copies = folder_messages(&ann, sent.id).await;
    assert_eq!(copies.len(), 2, "{copies:?}");
    let to_friend = copies
        .iter()
        .find(|m| m.subject == "From the app")
        .expect("Sent copy");
    assert_eq!(to_friend.delivery.as_deref(), Some("queued"));

    // An app that also saves its own copy in Sent (Apple Mail, Thunderbird) does not get
    // two: the APPEND of the same message is recognised.
    let raw = ann
        .get(&format!("/api/mail/messages/{}/raw", to_friend.id))
        .await
        .bytes()
        .await
        .expect("raw");
    let mut imap = ImapConn::signed_in(
        server.mail.imap,
        &server.data_dir,
        "ann@example.com",
        &password,
    )
    .await;
    imap.send(format!("a1 APPEND Sent (\\Seen) {{{}+}}\r\n", raw.len()).as_bytes())
        .await;
    imap.send(&raw).await;
    imap.send(b"\r\n").await;
    let r = imap.until_tagged("a1").await;
    assert!(
        r.ends_with_ok() && r.tagged().contains("APPENDUID"),
        "{r:?}"
    );
    assert_eq!(
        folder_messages(&ann, sent.id).await.len(),
        2,
        "no duplicate in Sent"
    );

    // Settings → Security shows which protocol used the app password last.
    let list: Vec<ksuite_common::AppPasswordInfo> = ann
        .get("/api/account/app-passwords")
        .await
        .json()
        .await
        .expect("list");
    assert!(list[0].last_used_at.is_some());
    assert_eq!(
        list[0].last_used_protocol,
        Some(ksuite_common::DeviceProtocol::Imap)
    );
}

/// Who may send as a shared address: owner (manage) and sender (send) may; the read-only
/// grantee, a stranger and an anonymous client may not, each with a clear code.
#[tokio::test(flavor = "multi_thread")]
async fn send_as_permission_matrix() {
    let server = TestServer::start_with(|c| c.mail_domain = Some(DOMAIN.into())).await;
    let owner = signed_in(&server, "owner@example.com").await;
    let r = owner
        .post("/api/admin/mail/addresses", &json!({"address": "team"}))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let team: ksuite_common::AdminAddress = r.json().await.expect("address");
    let mut passwords = vec![("owner", app_password(&owner).await)];
    for (who, perm) in [
        ("sender", Some("send")),
        ("reader", Some("read")),
        ("stranger", None),
    ] {
        let web = signed_in(&server, &format!("{who}@example.com")).await;
        if let Some(perm) = perm {
            let r = owner
                .send_json(
                    Method::PUT,
                    &format!("/api/admin/mail/addresses/{}/users", team.id),
                    &json!({"email": format!("{who}@example.com"), "permission": perm}),
                )
                .await;
            assert_eq!(r.status(), StatusCode::OK);
        }
        passwords.push((who, app_password(&web).await));
    }
    let r = owner
        .send_json(
            Method::PUT,
            &format!("/api/admin/mail/addresses/{}/users", team.id),
            &json!({"email": "owner@example.com", "permission": "manage"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let cafile = server
        .data_dir
        .join("tls/self-signed.crt")
        .display()
        .to_string();
    let attempt = |email: String, password: String| {
        let cafile = cafile.clone();
        let port = server.mail.submission.port().to_string();
        async move {
            run(vec![
                "send-as".into(),
                "localhost".into(),
                port,
                cafile,
                email,
                password,
                format!("team@{DOMAIN}"),
                format!("owner@{DOMAIN}"),
            ])
            .await
        }
    };
    for (who, password) in &passwords {
        let out = attempt(format!("{who}@example.com"), password.clone()).await;
        match *who {
            "owner" | "sender" => assert!(out.trim_end().ends_with("sent"), "{who}: {out}"),
            _ => assert!(out.contains("refused 550"), "{who}: {out}"),
        }
    }
    let out = attempt("-".into(), "-".into()).await;
    assert!(out.contains("refused 530"), "anonymous: {out}");
    let team_sent = address_folder(&owner, &format!("team@{DOMAIN}"), "sent").await;
    assert_eq!(
        folder_messages(&owner, team_sent.id).await.len(),
        2,
        "two allowed sends, two copies"
    );
}
