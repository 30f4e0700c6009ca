//! DKIM signing of outgoing mail: what the relay receives checks with dkimpy (an
//! independent implementation) against the DNS record shown to administrators; the
//! two-step key rotation; only administrators see or change keys; keys last across
//! SIGKILL and restart, so a record published once stays right.

mod support;

use std::time::Duration;

use ksuite_common::{DkimKey, DkimKeyState, MessageDetail};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{Client, Relay, ServerProcess, TestServer, free_port, signed_in};

async fn keys(c: &Client) -> Vec<DkimKey> {
    let r = c.get("/api/admin/mail/dkim").await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.expect("keys")
}

fn in_state(keys: &[DkimKey], state: DkimKeyState) -> Vec<&DkimKey> {
    keys.iter().filter(|k| k.state == state).collect()
}

/// dkimpy's verdict on `message` with these records published: ("pass" or "fail: why",
/// d=, s=).
fn verify(message: &str, records: &[&DkimKey]) -> (String, String, String) {
    let records: Vec<std::ffi::OsString> = records
        .iter()
        .map(|k| format!("{}={}", k.dns_name, k.dns_value).into())
        .collect();
    let args: Vec<&std::ffi::OsStr> = records.iter().map(|r| r.as_os_str()).collect();
    let out = support::run_client("dkim_verify.py", &args, message.as_bytes());
    let text = String::from_utf8_lossy(&out).into_owned();
    let mut lines = text.lines();
    (
        lines.next().unwrap_or_default().to_string(),
        lines.next().unwrap_or_default().to_string(),
        lines.next().unwrap_or_default().to_string(),
    )
}

/// Sends a message to an outside address and returns what the relay received.
async fn relayed(c: &Client, relay: &Relay, subject: &str) -> String {
    let before = relay.received().len();
    let r = c
        .post(
            "/api/mail/send",
            &json!({"from": "ann@ksuite.test", "to": ["zoe@example.org"], "cc": ["bob@example.net"],
                    "subject": subject, "text": "Hello from ksuite.\nSecond line."}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    for _ in 0..200 {
        let got = relay.received();
        if got.len() > before {
            return got[before]["data"].as_str().expect("data").to_string();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the relay received nothing");
}

#[tokio::test(flavor = "multi_thread")]
async fn outgoing_mail_is_signed_and_checks_against_the_published_record() {
    // The relay binds its port before the server starts: the other way round, one of the
    // server's own listeners could take the port first (it happened once in CI).
    let port = free_port();
    let relay_dir = tempfile::tempdir().expect("dir");
    let relay = Relay::start(port, relay_dir.path());
    let server = TestServer::start_with(move |c| {
        c.mail_domain = Some("ksuite.test".into());
        c.smtp_relay = Some(format!("smtp://127.0.0.1:{port}"));
        c.smtp_retry_seconds = 1;
    })
    .await;
    // The first account is the administrator.
    let admin = signed_in(&server, "admin@example.com").await;
    let ann = signed_in(&server, "ann@example.com").await;

    let first = keys(&admin).await;
    assert_eq!(first.len(), 1);
    let active = first[0].clone();
    assert_eq!(active.state, DkimKeyState::Active);
    assert_eq!(active.domain, "ksuite.test");
    assert_eq!(
        active.dns_name,
        format!("{}._domainkey.ksuite.test", active.selector)
    );
    assert!(
        active.dns_value.starts_with("v=DKIM1; k=rsa; p=MIIB"),
        "{}",
        active.dns_value
    );

    let message = relayed(&ann, &relay, "Signed").await;
    assert!(message.starts_with("DKIM-Signature:"), "{message}");
    assert_eq!(
        verify(&message, &[&active]),
        ("pass".into(), "ksuite.test".into(), active.selector.clone())
    );
    // Changed on the way, it no longer checks; nor with another key's record.
    let tampered = message.replace("Hello from ksuite.", "Hello from someone else.");
    let verdict = verify(&tampered, &[&active]).0;
    assert!(verdict.starts_with("fail: body hash mismatch"), "{verdict}");

    // Rotation, step 1: a key is prepared; mail is still signed with the active one.
    let r = admin.post("/api/admin/mail/dkim/next", &json!({})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let prepared: Vec<DkimKey> = r.json().await.expect("keys");
    let next = in_state(&prepared, DkimKeyState::Next)[0].clone();
    assert_ne!(next.selector, active.selector);
    // Asking again keeps the same prepared key (its record may be published already).
    let again: Vec<DkimKey> = admin
        .post("/api/admin/mail/dkim/next", &json!({}))
        .await
        .json()
        .await
        .expect("keys");
    assert_eq!(
        in_state(&again, DkimKeyState::Next)[0].selector,
        next.selector
    );
    let message = relayed(&ann, &relay, "Still the old key").await;
    assert_eq!(verify(&message, &[&active]).2, active.selector);
    let verdict = verify(&message, &[&next]).0;
    assert!(
        verdict.starts_with("fail:"),
        "the prepared key signs nothing yet: {verdict}"
    );

    // Step 2: switch; the old key is listed as retired, mail checks with the new record.
    let r = admin
        .post("/api/admin/mail/dkim/activate", &json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let switched: Vec<DkimKey> = r.json().await.expect("keys");
    assert_eq!(
        in_state(&switched, DkimKeyState::Active)[0].selector,
        next.selector
    );
    assert_eq!(
        in_state(&switched, DkimKeyState::Retired)[0].selector,
        active.selector
    );
    assert!(in_state(&switched, DkimKeyState::Next).is_empty());
    let message = relayed(&ann, &relay, "New key").await;
    assert_eq!(
        verify(&message, &[&next]),
        ("pass".into(), "ksuite.test".into(), next.selector.clone())
    );
    // Nothing prepared: a clear refusal, nothing changes.
    let r = admin
        .post("/api/admin/mail/dkim/activate", &json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await.expect("error");
    assert!(
        e["message"].as_str().unwrap_or("").contains("Prepare one"),
        "{e}"
    );
    assert_eq!(keys(&admin).await, switched);

    // The copy in Sent is the user's own, unsigned.
    let sent = support::mail_folder(&ann, "sent").await;
    let newest = support::folder_messages(&ann, sent.id).await[0].id;
    let raw = ann
        .get(&format!("/api/mail/messages/{newest}/raw"))
        .await
        .text()
        .await
        .expect("raw");
    assert!(!raw.contains("DKIM-Signature"));
    let detail: MessageDetail = ann
        .get(&format!("/api/mail/messages/{newest}"))
        .await
        .json()
        .await
        .expect("detail");
    assert_eq!(detail.summary.subject, "New key");
}

#[tokio::test(flavor = "multi_thread")]
async fn only_administrators_see_and_rotate_keys() {
    let server = TestServer::start_with(|c| c.mail_domain = Some("ksuite.test".into())).await;
    let admin = signed_in(&server, "admin@example.com").await;
    let user = signed_in(&server, "user@example.com").await;
    let before = keys(&admin).await;
    for (method, path) in [
        ("GET", "/api/admin/mail/dkim"),
        ("POST", "/api/admin/mail/dkim/next"),
        ("POST", "/api/admin/mail/dkim/activate"),
    ] {
        let as_user = if method == "GET" {
            user.get(path).await
        } else {
            user.post(path, &json!({})).await
        };
        assert_eq!(as_user.status(), StatusCode::FORBIDDEN, "{method} {path}");
        let body = as_user.text().await.expect("body");
        assert!(!body.contains("DKIM1"), "no key material in a refusal");
        let anonymous = server.client();
        let status = if method == "GET" {
            anonymous.get(path).await.status()
        } else {
            anonymous.post(path, &json!({})).await.status()
        };
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}");
    }
    assert_eq!(keys(&admin).await, before, "nothing changed");
    // The private key never leaves the server.
    let text = admin
        .get("/api/admin/mail/dkim")
        .await
        .text()
        .await
        .expect("body");
    assert!(!text.contains("PRIVATE"));
}

#[tokio::test(flavor = "multi_thread")]
async fn keys_last_across_sigkill_and_restart() {
    let dir = tempfile::tempdir().expect("dir");
    let flags = ["--mail-domain", "ksuite.test"];
    let p = ServerProcess::start(dir.path(), &flags);
    let mut admin = p.client();
    admin.signup("admin@example.com", support::PASSWORD).await;
    let first = keys(&admin).await;
    let r = admin.post("/api/admin/mail/dkim/next", &json!({})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let prepared: Vec<DkimKey> = r.json().await.expect("keys");
    p.crash();

    let p = ServerProcess::start(dir.path(), &flags);
    let admin = p.signed_in("admin@example.com").await;
    assert_eq!(keys(&admin).await, prepared, "the same keys after a crash");
    assert_eq!(
        in_state(&prepared, DkimKeyState::Active)[0].selector,
        first[0].selector
    );
    let r = admin
        .post("/api/admin/mail/dkim/activate", &json!({}))
        .await;
    let switched: Vec<DkimKey> = r.json().await.expect("keys");
    p.stop();

    let p = ServerProcess::start(dir.path(), &flags);
    let admin = p.signed_in("admin@example.com").await;
    assert_eq!(keys(&admin).await, switched);
    p.stop();
}
