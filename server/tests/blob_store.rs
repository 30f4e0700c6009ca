//! Message bytes and uploads in S3-compatible storage (a real moto server), shared by two
//! ksuite processes on one database: what arrives through one is read through the other,
//! an upload taken by one goes out in a message sent by the other, and bytes no row needs
//! leave the bucket.

mod support;

use std::collections::BTreeSet;

use ksuite_common::{MessageDetail, SavedDraft, UploadedFile};
use reqwest::StatusCode;
use serde_json::json;
use support::s3::S3;
use support::{
    Client, PASSWORD, ServerProcess, SmtpConn, folder_messages, mail_folder, raw_message,
};

async fn upload(c: &Client, name: &str, body: &[u8]) -> UploadedFile {
    let r = c.upload(name, "application/pdf", body.to_vec()).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json().await.expect("uploaded")
}

async fn signed_up(p: &ServerProcess, email: &str) -> Client {
    let mut c = p.client();
    c.signup(email, PASSWORD).await;
    c
}

#[tokio::test(flavor = "multi_thread")]
async fn two_processes_share_messages_and_uploads_in_s3() {
    let s3 = S3::start().await;
    let dir = tempfile::tempdir().expect("dir");
    let mut flags = s3.flags("store");
    flags.extend(["--mail-domain".into(), "ksuite.test".into()]);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let a = ServerProcess::start(dir.path(), &flags);
    let b = ServerProcess::start(dir.path(), &flags);
    let ann_a = signed_up(&a, "ann@example.com").await;
    signed_up(&a, "bob@example.com").await;
    let ann_b = b.signed_in("ann@example.com").await;
    let bob_b = b.signed_in("bob@example.com").await;

    // Mail arriving through A is read through B.
    let (mut smtp, _) = SmtpConn::open(a.smtp).await;
    let r = smtp
        .deliver(
            "x@example.net",
            "ann@ksuite.test",
            "From: <x@example.net>\r\nTo: <ann@ksuite.test>\r\nSubject: Through A\r\n\r\nHello from A.",
        )
        .await;
    assert!(r.starts_with("250"), "{r}");
    let inbox = mail_folder(&ann_b, "inbox").await;
    let arrived = folder_messages(&ann_b, inbox.id).await;
    assert_eq!(arrived.len(), 1);
    assert!(
        raw_message(&ann_b, arrived[0].id)
            .await
            .contains("Hello from A.")
    );
    assert_eq!(s3.keys("store/mail/").await.len(), 1);

    // An upload taken by B goes out in a message sent through A, and then leaves.
    let file = upload(&ann_b, "plan.pdf", b"%PDF-1.4 the plan").await;
    assert_eq!(s3.keys("store/mail-uploads/").await.len(), 1);
    let r = ann_a
        .post(
            "/api/mail/send",
            &json!({"from": "ann@ksuite.test", "to": ["bob@ksuite.test"], "subject": "Plan",
                    "text": "Attached.", "attachments": [{"kind": "upload", "id": file.id}]}),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap_or_default()
    );
    let bob_inbox = mail_folder(&bob_b, "inbox").await;
    let got = folder_messages(&bob_b, bob_inbox.id).await;
    assert_eq!(got.len(), 1);
    let detail: MessageDetail = bob_b
        .get(&format!("/api/mail/messages/{}", got[0].id))
        .await
        .json()
        .await
        .expect("detail");
    assert_eq!(detail.attachments.len(), 1);
    assert_eq!(detail.attachments[0].name, "plan.pdf");
    assert!(s3.keys("store/mail-uploads/").await.is_empty());

    // A draft saved again through B: the first version's bytes leave the bucket.
    let draft = json!({"from": "ann@ksuite.test", "to": ["bob@ksuite.test"],
                       "subject": "Draft", "text": "First version"});
    let first: SavedDraft = ann_a
        .post("/api/mail/drafts", &draft)
        .await
        .json()
        .await
        .expect("draft");
    let before: BTreeSet<String> = s3.keys("store/mail/").await.into_iter().collect();
    let mut again = draft.clone();
    again["text"] = json!("Second version");
    again["draft_id"] = json!(first.id);
    let r = ann_b.post("/api/mail/drafts", &again).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let after: BTreeSet<String> = s3.keys("store/mail/").await.into_iter().collect();
    assert_eq!(
        before.difference(&after).count(),
        1,
        "the first version went"
    );
    assert_eq!(
        after.difference(&before).count(),
        1,
        "the second one is there"
    );

    // Nothing of it was kept in the data directory.
    for local in ["mail", "mail-uploads"] {
        assert!(!dir.path().join(local).exists(), "{local} in the data dir");
    }
    a.stop();
    b.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_shared_directory_holds_the_bytes_instead_of_the_data_directory() {
    let shared = tempfile::tempdir().expect("shared dir");
    let root = shared.path().join("ksuite-blobs");
    let server = support::TestServer::start_with(|c| {
        c.blob_store = Some(format!("file://{}", root.display()));
        c.mail_domain = Some("ksuite.test".into());
    })
    .await;
    let ann = support::signed_in(&server, "ann@example.com").await;
    support::deliver_mail(&server, "x@example.net", "ann@ksuite.test", "Shared").await;
    let inbox = mail_folder(&ann, "inbox").await;
    let arrived = folder_messages(&ann, inbox.id).await;
    assert_eq!(arrived.len(), 1);
    assert!(
        raw_message(&ann, arrived[0].id)
            .await
            .contains("Subject: Shared")
    );
    let stored: Vec<_> = walk(&root.join("mail"));
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert!(!server.data_dir.join("mail").exists());
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}

/// What a SIGKILL can leave behind: a deletion recorded but not carried out, and a pin
/// whose writer died. The sweep that runs at start removes those bytes and keeps the ones
/// a message still names.
#[tokio::test(flavor = "multi_thread")]
async fn a_restart_after_sigkill_finishes_deletions_and_keeps_what_rows_name() {
    let dir = tempfile::tempdir().expect("dir");
    let flags = ["--mail-domain", "ksuite.test"];
    let server = ServerProcess::start(dir.path(), &flags);
    signed_up(&server, "ann@example.com").await;
    let (mut smtp, _) = SmtpConn::open(server.smtp).await;
    let r = smtp
        .deliver(
            "x@example.net",
            "ann@ksuite.test",
            "From: <x@example.net>\r\nSubject: Kept\r\n\r\nStill here.",
        )
        .await;
    assert!(r.starts_with("250"), "{r}");
    server.crash();

    let store = ksuite_server::blobs::BlobStore::in_dir(dir.path());
    let kept = walk(&dir.path().join("mail"));
    assert_eq!(kept.len(), 1);
    let kept_digest = digest_of_path(&kept[0]);
    let (orphan, dead_writer) = (b"orphaned bytes".as_slice(), b"a dead writer's".as_slice());
    let digest = |raw: &[u8]| ksuite_server::mail::blobs::digest_of(raw);
    for raw in [orphan, dead_writer] {
        store
            .put(ksuite_server::blobs::BlobKey::Message(&digest(raw)), raw)
            .await
            .expect("put");
    }
    let db = support::open_db(dir.path()).await;
    for d in [digest(orphan), kept_digest, digest(dead_writer)] {
        ksuite_server::on_db!(&db, |dbc| sqlx::query(
            "INSERT INTO blob_garbage (blob, since) VALUES ($1, 0)"
        )
        .bind(d)
        .execute(dbc)
        .await
        .map(ksuite_server::db::Done::from))
        .expect("garbage");
    }
    ksuite_server::on_db!(&db, |dbc| sqlx::query(
        "INSERT INTO blob_pins (blob, until) VALUES ($1, 1)"
    )
    .bind(digest(dead_writer))
    .execute(dbc)
    .await
    .map(ksuite_server::db::Done::from))
    .expect("lapsed pin");

    let server = ServerProcess::start(dir.path(), &flags);
    let mut left = i64::MAX;
    for _ in 0..200 {
        left = ksuite_server::on_db!(&db, |dbc| sqlx::query_scalar(
            "SELECT COUNT(*) FROM blob_garbage"
        )
        .fetch_one(dbc)
        .await)
        .expect("count");
        if left == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(left, 0, "the sweep at start worked through the garbage");
    let files: Vec<_> = walk(&dir.path().join("mail"));
    assert_eq!(files, kept, "only the message a row names is left");
    let ann_again = server.signed_in("ann@example.com").await;
    let inbox = mail_folder(&ann_again, "inbox").await;
    let messages = folder_messages(&ann_again, inbox.id).await;
    assert!(
        raw_message(&ann_again, messages[0].id)
            .await
            .contains("Still here.")
    );
    server.stop();
}

fn digest_of_path(path: &std::path::Path) -> String {
    path.file_stem()
        .and_then(|s| s.to_str())
        .expect("a digest name")
        .to_string()
}

/// A server that kept its mail in the data directory moves to S3: `ksuite copy-blobs`
/// copies what is there (again without harm), and the server started on the bucket reads
/// the old mail.
#[tokio::test(flavor = "multi_thread")]
async fn copy_blobs_moves_a_data_directory_into_s3() {
    let s3 = S3::start().await;
    let dir = tempfile::tempdir().expect("dir");
    let local = ServerProcess::start(dir.path(), &["--mail-domain", "ksuite.test"]);
    let ann = signed_up(&local, "ann@example.com").await;
    for i in 0..3 {
        let (mut smtp, _) = SmtpConn::open(local.smtp).await;
        let body = format!("From: <x@example.net>\r\nSubject: Old {i}\r\n\r\nKept {i}.");
        let r = smtp
            .deliver("x@example.net", "ann@ksuite.test", &body)
            .await;
        assert!(r.starts_with("250"), "{r}");
    }
    let r = ann
        .upload("left.pdf", "application/pdf", b"%PDF-1.4".to_vec())
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    local.stop();

    let flags = s3.flags("moved");
    let copy = |to_flags: &[String]| {
        let mut args = vec![
            "copy-blobs".to_string(),
            "--from".into(),
            dir.path().display().to_string(),
            "--to".into(),
        ];
        args.extend(to_flags.iter().skip(1).cloned());
        std::process::Command::new(env!("CARGO_BIN_EXE_ksuite"))
            .args(&args)
            .output()
            .expect("copy-blobs runs")
    };
    let first = copy(&flags);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&first.stdout).trim(),
        "copied 4 objects (0 were there already)"
    );
    let again = copy(&flags);
    assert_eq!(
        String::from_utf8_lossy(&again.stdout).trim(),
        "copied 0 objects (4 were there already)"
    );
    assert_eq!(s3.keys("moved/mail/").await.len(), 3);
    assert_eq!(s3.keys("moved/mail-uploads/").await.len(), 1);

    // The old files go; the server on the bucket still reads every message.
    std::fs::remove_dir_all(dir.path().join("mail")).expect("remove local mail");
    let mut server_flags = flags.clone();
    server_flags.extend(["--mail-domain".into(), "ksuite.test".into()]);
    let refs: Vec<&str> = server_flags.iter().map(String::as_str).collect();
    let moved = ServerProcess::start(dir.path(), &refs);
    let ann = moved.signed_in("ann@example.com").await;
    let inbox = mail_folder(&ann, "inbox").await;
    let messages = folder_messages(&ann, inbox.id).await;
    assert_eq!(messages.len(), 3);
    for m in &messages {
        assert!(raw_message(&ann, m.id).await.contains("Kept "));
    }
    moved.stop();
}
