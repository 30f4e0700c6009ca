//! Mail: addresses at sign-up, inbound SMTP with real messages (Python smtplib), the store
//! and the JSON API (folders, keyset pages, messages, raw download), and access checks.

mod support;

use std::process::Command;

use ksuite_common::{MailFolder, MessageDetail, MessagePage};
use reqwest::StatusCode;
use support::{Client, TestServer, signed_in};

const MAX_SIZE: usize = 64 * 1024;

async fn server() -> TestServer {
    TestServer::start_with(|c| {
        c.mail_domain = Some("ksuite.test".into());
        c.max_message_size = MAX_SIZE;
    })
    .await
}

async fn inbox(c: &Client) -> MailFolder {
    support::mail_folder(c, "inbox").await
}

async fn page(c: &Client, folder: i64, query: &str) -> MessagePage {
    let r = c
        .get(&format!("/api/mail/folders/{folder}/messages{query}"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.expect("page")
}

/// Runs the smtplib client against the server's listener.
async fn deliver_with_smtplib(server: &TestServer, rcpt: &str) {
    run_smtplib(server, rcpt, &[]).await;
}

async fn run_smtplib(server: &TestServer, rcpt: &str, extra: &[&str]) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/smtp_deliver.py");
    let mut args = vec![
        script.to_string(),
        server.smtp.ip().to_string(),
        server.smtp.port().to_string(),
        rcpt.to_string(),
        MAX_SIZE.to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let out = tokio::task::spawn_blocking(move || {
        Command::new("python3")
            .args(&args)
            .output()
            .expect("python3 runs")
    })
    .await
    .expect("join");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("all checks passed"),
        "smtplib client failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn smtp_delivery_store_and_api() {
    let server = server().await;
    let ann = signed_in(&server, "Ann.Smith@example.com").await;
    let folders: Vec<MailFolder> = ann
        .get("/api/mail/folders")
        .await
        .json()
        .await
        .expect("folders");
    let roles: Vec<_> = folders.iter().filter_map(|f| f.role.clone()).collect();
    assert_eq!(
        roles,
        ["inbox", "drafts", "sent", "archive", "spam", "trash"]
    );
    assert!(folders.iter().all(|f| f.address == "ann.smith@ksuite.test"));

    deliver_with_smtplib(&server, "Ann.Smith@ksuite.test").await;

    let inbox = inbox(&ann).await;
    // 3 messages + 5 numbered; the refused ones left nothing behind.
    assert_eq!((inbox.total, inbox.unread), (8, 8));

    // Keyset pages, newest first, no duplicates, no gaps.
    let first = page(&ann, inbox.id, "?limit=3").await;
    assert_eq!(first.messages.len(), 3);
    let cursor = first.next.clone().expect("more pages");
    let second = page(&ann, inbox.id, &format!("?limit=3&before={cursor}")).await;
    let third = page(
        &ann,
        inbox.id,
        &format!("?limit=3&before={}", second.next.clone().expect("more")),
    )
    .await;
    assert_eq!(third.messages.len(), 2);
    assert_eq!(third.next, None);
    let mut ids: Vec<i64> = [&first, &second, &third]
        .iter()
        .flat_map(|p| p.messages.iter().map(|m| m.id))
        .collect();
    assert_eq!(first.messages[0].subject, "Numbered 4");
    ids.dedup();
    assert_eq!(ids.len(), 8);
    let all = page(&ann, inbox.id, "?limit=50").await.messages;

    // Multipart with an attachment.
    let report = all
        .iter()
        .find(|m| m.subject == "Quarterly report")
        .expect("report");
    assert!(report.has_attachments);
    assert_eq!(report.from_name.as_deref(), Some("Alice Sender"));
    assert_eq!(report.thread_id, "report-1@example.org");
    let detail: MessageDetail = ann
        .get(&format!("/api/mail/messages/{}", report.id))
        .await
        .json()
        .await
        .expect("detail");
    assert!(detail.text.contains("the report is attached"));
    assert_eq!(detail.attachments.len(), 1);
    assert_eq!(detail.attachments[0].name, "report.pdf");
    assert_eq!(detail.attachments[0].content_type, "application/pdf");

    // ISO-8859-1 decoded.
    let latin = all
        .iter()
        .find(|m| m.subject == "Café crème")
        .expect("latin-1 subject decoded");
    assert_eq!(latin.from_name.as_deref(), Some("René"));
    assert!(latin.snippet.contains("Un café crème, s'il vous plaît."));

    // Malformed MIME is stored and shown as well as possible.
    let broken = all
        .iter()
        .find(|m| m.subject == "Broken MIME")
        .expect("broken message listed");
    let detail: MessageDetail = ann
        .get(&format!("/api/mail/messages/{}", broken.id))
        .await
        .json()
        .await
        .expect("detail");
    assert!(
        detail
            .text
            .contains("The visible part of a broken message."),
        "{}",
        detail.text
    );

    // The raw message is kept as received, with our Received header on top.
    let raw = ann
        .get(&format!("/api/mail/messages/{}/raw", broken.id))
        .await
        .text()
        .await
        .expect("raw");
    assert!(raw.starts_with("Received: from client.example.org"));
    assert!(raw.contains("boundary=\"never-closed\""));

    // Another user sees none of it.
    let bob = signed_in(&server, "bob@example.com").await;
    assert_eq!(
        bob.get(&format!("/api/mail/messages/{}", report.id))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        bob.get(&format!("/api/mail/folders/{}/messages", inbox.id))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        ann.get(&format!(
            "/api/mail/folders/{}/messages?before=nonsense",
            inbox.id
        ))
        .await
        .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn addresses_are_unique_per_user() {
    let server = server().await;
    let first = signed_in(&server, "sam@example.com").await;
    let second = signed_in(&server, "sam@example.org").await;
    assert_eq!(inbox(&first).await.address, "sam@ksuite.test");
    assert_eq!(inbox(&second).await.address, "sam2@ksuite.test");
}

#[tokio::test(flavor = "multi_thread")]
async fn flags_search_trash_and_restore() {
    use reqwest::Method;
    use serde_json::json;
    let server = server().await;
    let ann = signed_in(&server, "ann@example.com").await;
    deliver_with_smtplib(&server, "ann@ksuite.test").await;
    let inbox = inbox(&ann).await;
    let all = page(&ann, inbox.id, "").await.messages;
    let report = all
        .iter()
        .find(|m| m.subject == "Quarterly report")
        .expect("report");

    // Flags.
    let r = ann
        .send_json(
            Method::PATCH,
            &format!("/api/mail/messages/{}", report.id),
            &json!({"seen": true, "flagged": true}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let summary: ksuite_common::MessageSummary = r.json().await.expect("summary");
    assert!(summary.seen && summary.flagged);
    assert_eq!(self::inbox(&ann).await.unread, 7);

    // Search: words as prefixes, accents folded, addresses and body, with filters.
    let search = |q: &'static str| {
        let ann = &ann;
        async move {
            let found: Vec<ksuite_common::MessageSummary> = ann
                .get(&format!("/api/mail/search?{q}"))
                .await
                .json()
                .await
                .expect("results");
            found.into_iter().map(|m| m.subject).collect::<Vec<_>>()
        }
    };
    assert_eq!(search("q=cafe").await, ["Café crème"]);
    assert_eq!(search("q=attached").await, ["Quarterly report"]);
    assert_eq!(search("q=rene%40example").await, ["Café crème"]);
    assert_eq!(search("q=numb").await.len(), 5);
    assert_eq!(search("attachments=true").await, ["Quarterly report"]);
    assert!(
        !search("unread=true")
            .await
            .contains(&"Quarterly report".to_string())
    );
    assert_eq!(
        search("q=report&from=2000-01-01&to=2000-12-31").await.len(),
        0
    );
    let bad = ann.get("/api/mail/search?from=yesterday").await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Move to Archive, then delete: it goes to the Trash.
    let folders: Vec<MailFolder> = ann
        .get("/api/mail/folders")
        .await
        .json()
        .await
        .expect("folders");
    let folder = |role: &str| {
        folders
            .iter()
            .find(|f| f.role.as_deref() == Some(role))
            .expect("folder")
            .id
    };
    let r = ann
        .post(
            &format!("/api/mail/messages/{}/move", report.id),
            &json!({"folder_id": folder("archive")}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let del = |id: i64| {
        let ann = &ann;
        async move {
            ann.send_json(
                Method::DELETE,
                &format!("/api/mail/messages/{id}"),
                &json!({}),
            )
            .await
        }
    };
    assert_eq!(del(report.id).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(page(&ann, folder("trash"), "").await.messages.len(), 1);
    assert_eq!(page(&ann, folder("archive"), "").await.messages.len(), 0);
    // Deleted from the Trash: gone from every list and search, but restorable.
    assert_eq!(del(report.id).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(page(&ann, folder("trash"), "").await.messages.len(), 0);
    assert!(search("q=attached").await.is_empty());
    let deleted: Vec<ksuite_common::MessageSummary> = ann
        .get("/api/mail/deleted")
        .await
        .json()
        .await
        .expect("deleted");
    assert_eq!(deleted.len(), 1);
    let r = ann
        .post(
            &format!("/api/mail/messages/{}/restore", report.id),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    // Back where it was before the Trash, flags intact.
    let archive = page(&ann, folder("archive"), "").await.messages;
    assert_eq!(archive.len(), 1);
    assert!(archive[0].flagged);
    let empty: Vec<ksuite_common::MessageSummary> = ann
        .get("/api/mail/deleted")
        .await
        .json()
        .await
        .expect("deleted");
    assert!(empty.is_empty());

    // Nobody else can touch it.
    let bob = signed_in(&server, "bob@example.com").await;
    let r = bob
        .send_json(
            Method::DELETE,
            &format!("/api/mail/messages/{}", report.id),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let bob_inbox = self::inbox(&bob).await;
    let r = ann
        .post(
            &format!("/api/mail/messages/{}/move", report.id),
            &json!({"folder_id": bob_inbox.id}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread")]
async fn html_is_sanitized_framed_and_remote_images_wait() {
    let server = server().await;
    let ann = signed_in(&server, "ann@example.com").await;
    run_smtplib(&server, "ann@ksuite.test", &["html"]).await;
    let inbox = inbox(&ann).await;
    let msg = &page(&ann, inbox.id, "").await.messages[0];
    let detail: MessageDetail = ann
        .get(&format!("/api/mail/messages/{}", msg.id))
        .await
        .json()
        .await
        .expect("detail");
    assert!(detail.has_html && detail.remote_images);
    assert!(detail.text.contains("Plain version"));

    let r = ann
        .get(&format!("/api/mail/messages/{}/html", msg.id))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_string();
    assert!(csp.contains("sandbox") && csp.contains("default-src 'none'"));
    assert!(
        !csp.contains("https:"),
        "remote images blocked by default: {csp}"
    );
    assert_eq!(r.headers()["x-frame-options"], "SAMEORIGIN");
    let body = r.text().await.expect("html").to_lowercase();
    assert!(body.contains("<b>news</b>"));
    for bad in ["<script", "onclick", "javascript:"] {
        assert!(!body.contains(bad), "{bad} survived: {body}");
    }
    let allowed = ann
        .get(&format!("/api/mail/messages/{}/html?images=true", msg.id))
        .await;
    assert!(
        allowed.headers()["content-security-policy"]
            .to_str()
            .expect("csp")
            .contains("https:")
    );
    // Other pages keep the app's policy and cannot be framed.
    let other = ann.get("/api/mail/folders").await;
    assert!(
        other.headers()["content-security-policy"]
            .to_str()
            .expect("csp")
            .contains("frame-ancestors 'none'")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn attachments_download_as_files() {
    let server = server().await;
    let ann = signed_in(&server, "ann@example.com").await;
    deliver_with_smtplib(&server, "ann@ksuite.test").await;
    let inbox = inbox(&ann).await;
    let all = page(&ann, inbox.id, "").await.messages;
    let report = all
        .iter()
        .find(|m| m.subject == "Quarterly report")
        .expect("report");
    let r = ann
        .get(&format!("/api/mail/messages/{}/attachments/0", report.id))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/octet-stream");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .expect("cd")
            .contains("report.pdf")
    );
    assert_eq!(
        r.bytes().await.expect("bytes").as_ref(),
        b"%PDF-1.4 fake pdf bytes"
    );
    let missing = ann
        .get(&format!("/api/mail/messages/{}/attachments/5", report.id))
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}
