//! Sending mail: local delivery between users, replies that thread and mark the original
//! answered, Bcc kept out of what recipients get, drafts, attachments uploaded and
//! forwarded, signatures, filters on arrival, and the relay queue against a real SMTP
//! server (aiosmtpd) that is down at first, then up, then refuses a recipient.

mod support;

use std::time::Duration;

use ksuite_common::{
    Delivery, MailAddress, MailFilter, MailFolder, MessageDetail, MessagePage, MessageSummary,
    SavedDraft, SentMessage, UploadedFile,
};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{Client, Relay, TestServer, mail_folder as folder, signed_in};

async fn server_with(relay_port: Option<u16>) -> TestServer {
    TestServer::start_with(move |c| {
        c.mail_domain = Some("ksuite.test".into());
        c.max_message_size = 256 * 1024;
        c.smtp_relay = relay_port.map(|p| format!("smtp://127.0.0.1:{p}"));
        c.smtp_retry_seconds = 1;
    })
    .await
}

async fn list(c: &Client, role: &str) -> Vec<MessageSummary> {
    let id = folder(c, role).await.id;
    let page: MessagePage = c
        .get(&format!("/api/mail/folders/{id}/messages"))
        .await
        .json()
        .await
        .expect("page");
    page.messages
}

async fn detail(c: &Client, id: i64) -> MessageDetail {
    let r = c.get(&format!("/api/mail/messages/{id}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.expect("detail")
}

async fn send(c: &Client, body: Value) -> SentMessage {
    let r = c.post("/api/mail/send", &body).await;
    let status = r.status();
    let text = r.text().await.expect("body");
    assert_eq!(status, StatusCode::CREATED, "{text}");
    serde_json::from_str(&text).expect("sent")
}

async fn refused(c: &Client, path: &str, body: Value) -> String {
    let r = c.post(path, &body).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    r.json::<Value>().await.expect("error")["message"]
        .as_str()
        .expect("message")
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn local_send_reply_bcc_and_answered() {
    let server = server_with(None).await;
    let ann = signed_in(&server, "ann@example.com").await;
    let bob = signed_in(&server, "bob@example.com").await;
    let cat = signed_in(&server, "cat@example.com").await;

    let sent = send(
        &ann,
        json!({"from": "ann@ksuite.test", "to": ["Bob <bob@ksuite.test>"], "bcc": ["cat@ksuite.test"],
               "subject": "Lunch on Friday?", "text": "Shall we meet at noon?"}),
    )
    .await;
    assert_eq!(sent.delivery, None, "all recipients are local");

    // Bob and Cat have it at once; nobody but Ann sees the Bcc.
    let bob_inbox = list(&bob, "inbox").await;
    assert_eq!(bob_inbox.len(), 1);
    let original = &bob_inbox[0];
    assert_eq!(original.subject, "Lunch on Friday?");
    assert_eq!(original.from_address.as_deref(), Some("ann@ksuite.test"));
    assert!(!original.seen);
    let read = detail(&bob, original.id).await;
    assert!(read.text.contains("Shall we meet at noon?"));
    assert!(read.bcc.is_empty());
    let raw = bob
        .get(&format!("/api/mail/messages/{}/raw", original.id))
        .await
        .text()
        .await
        .expect("raw");
    // No Bcc header (checked as a header: random ids may contain the letters "bcc").
    let lower = raw.to_lowercase();
    assert!(
        !lower.starts_with("bcc:") && !lower.contains("\nbcc:"),
        "{raw}"
    );
    assert_eq!(list(&cat, "inbox").await.len(), 1);
    let ann_sent = list(&ann, "sent").await;
    assert_eq!(ann_sent.len(), 1);
    assert!(ann_sent[0].seen);
    assert_eq!(ann_sent[0].id, sent.id);
    assert_eq!(detail(&ann, sent.id).await.bcc, vec!["cat@ksuite.test"]);

    // Bob replies: it threads with the original and marks it answered.
    send(
        &bob,
        json!({"from": "bob@ksuite.test", "to": ["ann@ksuite.test"], "subject": "Re: Lunch on Friday?",
               "text": "Yes!\n\n> Shall we meet at noon?", "in_reply_to": original.id}),
    )
    .await;
    let reply = &list(&ann, "inbox").await[0];
    assert_eq!(reply.subject, "Re: Lunch on Friday?");
    assert_eq!(reply.thread_id, original.thread_id);
    assert!(list(&bob, "inbox").await[0].answered);
    assert_eq!(list(&bob, "sent").await[0].thread_id, original.thread_id);

    // Ann answers again: Bob's inbox now holds two messages of one conversation.
    send(
        &ann,
        json!({"from": "ann@ksuite.test", "to": ["bob@ksuite.test"], "subject": "Re: Lunch on Friday?",
               "text": "Great, see you.", "in_reply_to": reply.id}),
    )
    .await;
    let inbox_id = folder(&bob, "inbox").await.id;
    let conversations: MessagePage = bob
        .get(&format!(
            "/api/mail/folders/{inbox_id}/messages?threads=true"
        ))
        .await
        .json()
        .await
        .expect("conversations");
    assert_eq!(conversations.messages.len(), 1);
    assert_eq!(conversations.messages[0].thread_count, Some(2));
    assert!(
        detail(&bob, conversations.messages[0].id)
            .await
            .text
            .contains("see you")
    );
    assert_eq!(list(&bob, "inbox").await.len(), 2);

    // The conversation, oldest first, across folders.
    let thread: Vec<MessageSummary> = bob
        .get(&format!("/api/mail/messages/{}/thread", original.id))
        .await
        .json()
        .await
        .expect("thread");
    let subjects: Vec<&str> = thread.iter().map(|m| m.subject.as_str()).collect();
    assert_eq!(
        subjects,
        [
            "Lunch on Friday?",
            "Re: Lunch on Friday?",
            "Re: Lunch on Friday?"
        ]
    );
    assert_eq!(
        cat.get(&format!("/api/mail/messages/{}/thread", original.id))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // Found by search in Sent too.
    let found: Vec<MessageSummary> = bob
        .get("/api/mail/search?q=yes")
        .await
        .json()
        .await
        .expect("search");
    assert_eq!(found.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_sends_are_refused_and_store_nothing() {
    let server = server_with(None).await;
    let ann = signed_in(&server, "ann@example.com").await;
    let bob = signed_in(&server, "bob@example.com").await;
    let msg = refused(
        &ann,
        "/api/mail/send",
        json!({"from": "ann@ksuite.test", "to": ["bob", "ok@example.org", "x@@y"], "subject": "s", "text": "t"}),
    )
    .await;
    assert!(msg.contains("bob") && msg.contains("x@@y"), "{msg}");
    let msg = refused(
        &ann,
        "/api/mail/send",
        json!({"from": "ann@ksuite.test", "to": ["nobody@ksuite.test"], "subject": "s", "text": "t"}),
    )
    .await;
    assert!(msg.contains("nobody@ksuite.test"), "{msg}");
    let msg = refused(
        &ann,
        "/api/mail/send",
        json!({"from": "bob@ksuite.test", "to": ["ann@ksuite.test"], "subject": "s", "text": "t"}),
    )
    .await;
    assert!(msg.contains("may not send as"), "{msg}");
    refused(
        &ann,
        "/api/mail/send",
        json!({"from": "ann@ksuite.test", "subject": "s", "text": "t"}),
    )
    .await;
    // Replying to someone else's message or attaching their upload: not found.
    let theirs: UploadedFile = bob
        .http
        .post(bob.url("/api/mail/uploads?name=secret.txt"))
        .header(
            ksuite_common::paths::CSRF_HEADER,
            bob.csrf.clone().expect("csrf"),
        )
        .body("secret")
        .send()
        .await
        .expect("upload")
        .json()
        .await
        .expect("uploaded");
    refused(
        &ann,
        "/api/mail/send",
        json!({"from": "ann@ksuite.test", "to": ["bob@ksuite.test"], "subject": "s", "text": "t",
               "attachments": [{"kind": "upload", "id": theirs.id}]}),
    )
    .await;
    assert!(list(&ann, "sent").await.is_empty());
    assert!(list(&bob, "inbox").await.is_empty());
}

async fn upload(c: &Client, name: &str, body: Vec<u8>) -> reqwest::Response {
    c.upload(name, "application/pdf", body).await
}

#[tokio::test(flavor = "multi_thread")]
async fn drafts_attachments_forward_and_signature() {
    let server = server_with(None).await;
    let ann = signed_in(&server, "ann@example.com").await;
    let bob = signed_in(&server, "bob@example.com").await;

    // Upload: streamed, with a size limit.
    let r = upload(&ann, "plan.pdf", b"%PDF-1.4 the plan".to_vec()).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let file: UploadedFile = r.json().await.expect("file");
    assert_eq!((file.name.as_str(), file.size), ("plan.pdf", 17));
    assert_eq!(file.content_type, "application/pdf");
    let r = upload(&ann, "big.bin", vec![0u8; 300 * 1024]).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);

    // A draft, saved twice: one copy stays, with the attachment.
    let mut draft = json!({"from": "ann@ksuite.test", "to": ["bob@ksuite.test"], "bcc": ["ann@ksuite.test"],
        "subject": "The plan", "text": "First version",
        "attachments": [{"kind": "upload", "id": file.id}]});
    let r = ann.post("/api/mail/drafts", &draft).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let first: SavedDraft = r.json().await.expect("draft");
    assert_eq!(first.attachments.len(), 1);
    draft["text"] = json!("Second version");
    draft["draft_id"] = json!(first.id);
    draft["attachments"] = serde_json::to_value(&first.attachments).expect("refs");
    let second: SavedDraft = ann
        .post("/api/mail/drafts", &draft)
        .await
        .json()
        .await
        .expect("draft");
    let drafts = list(&ann, "drafts").await;
    assert_eq!(drafts.len(), 1);
    assert!(drafts[0].draft);
    let d = detail(&ann, second.id).await;
    assert_eq!(d.text.trim(), "Second version");
    assert_eq!(d.bcc, vec!["ann@ksuite.test"]);
    assert_eq!(d.attachments[0].name, "plan.pdf");
    assert_eq!(
        ann.get(&format!("/api/mail/messages/{}", first.id))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // Sending the draft removes it; the attachment arrives whole.
    draft["draft_id"] = json!(second.id);
    draft["attachments"] = serde_json::to_value(&second.attachments).expect("refs");
    send(&ann, draft).await;
    assert!(list(&ann, "drafts").await.is_empty());
    let got = &list(&bob, "inbox").await[0];
    assert!(got.has_attachments);
    let bytes = bob
        .get(&format!("/api/mail/messages/{}/attachments/0", got.id))
        .await
        .bytes()
        .await
        .expect("attachment");
    assert_eq!(&bytes[..], b"%PDF-1.4 the plan");

    // Bob forwards it to Ann with the attachment taken from the message.
    send(
        &bob,
        json!({"from": "bob@ksuite.test", "to": ["ann@ksuite.test"], "subject": "Fwd: The plan",
               "text": "---------- Forwarded message ----------",
               "attachments": [{"kind": "message", "message_id": got.id, "index": 0}]}),
    )
    .await;
    let fwd = list(&ann, "inbox").await;
    let fwd = fwd
        .iter()
        .find(|m| m.subject == "Fwd: The plan")
        .expect("forward");
    assert_eq!(detail(&ann, fwd.id).await.attachments[0].name, "plan.pdf");
    // Ann's own Bcc copy arrived too.
    assert!(
        list(&ann, "inbox")
            .await
            .iter()
            .any(|m| m.subject == "The plan")
    );

    // A rich-text draft comes back as (cleaned) rich text to continue in.
    let rich: SavedDraft = ann
        .post(
            "/api/mail/drafts",
            &json!({"from": "ann@ksuite.test", "subject": "Rich", "text": "Bold move",
                    "html": "<p><b>Bold</b> move<script>alert(1)</script></p>"}),
        )
        .await
        .json()
        .await
        .expect("draft");
    let html = detail(&ann, rich.id).await.draft_html.expect("draft html");
    assert!(
        html.contains("<b>Bold</b>") && !html.contains("script"),
        "{html}"
    );
    assert_eq!(detail(&bob, got.id).await.draft_html, None);

    // Signatures per address (several: tests/mail_signatures.rs).
    let r = ann
        .post(
            "/api/mail/addresses/ann@ksuite.test/signatures",
            &json!({"name": "Work", "body": "-- \nAnn\r\n"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let addresses: Vec<MailAddress> = ann
        .get("/api/mail/addresses")
        .await
        .json()
        .await
        .expect("addresses");
    assert_eq!(addresses.len(), 1);
    assert_eq!(
        addresses[0]
            .default_signature(false)
            .map(|s| s.body.as_str()),
        Some("-- \nAnn")
    );
    assert_eq!(addresses[0].permission, "manage");
    let r = bob
        .post(
            "/api/mail/addresses/ann@ksuite.test/signatures",
            &json!({"name": "Mine", "body": "not mine"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread")]
async fn filters_apply_on_arrival_in_order() {
    let server = server_with(None).await;
    let ann = signed_in(&server, "ann@example.com").await;
    let bob = signed_in(&server, "bob@example.com").await;
    let invoices = json!({"name": "Invoices", "conditions": [
            {"field": "subject", "op": "contains", "value": "invoice"},
            {"field": "from", "op": "contains", "value": "bob@"}],
        "actions": [{"action": "move", "folder": "archive"}, {"action": "mark_read"}], "stop": true});
    let r = ann.post("/api/mail/filters", &invoices).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let flag_all = json!({"name": "Flag everything", "match_all": false,
        "conditions": [{"field": "size", "op": "greater", "value": "0"},
                       {"field": "body", "op": "contains", "value": "urgent"}],
        "actions": [{"action": "flag"}, {"action": "forward", "to": "bob@ksuite.test"}]});
    let flag: MailFilter = ann
        .post("/api/mail/filters", &flag_all)
        .await
        .json()
        .await
        .expect("filter");
    // Nonsense is refused with a reason.
    let msg = refused(
        &ann,
        "/api/mail/filters",
        json!({"name": "x", "conditions": [{"field": "size", "op": "greater", "value": "huge"}],
               "actions": [{"action": "flag"}]}),
    )
    .await;
    assert!(msg.contains("KiB"), "{msg}");

    for subject in ["Invoice 42", "Hello"] {
        send(
            &bob,
            json!({"from": "bob@ksuite.test", "to": ["ann@ksuite.test"], "subject": subject, "text": "urgent: see this"}),
        )
        .await;
    }
    // The invoice went to the Archive, read; the first filter stopped the second.
    let archived = list(&ann, "archive").await;
    assert_eq!(archived.len(), 1);
    assert_eq!(archived[0].subject, "Invoice 42");
    assert!(archived[0].seen && !archived[0].flagged);
    // "Hello" was flagged and forwarded to Bob (filed directly: no rule loops).
    let inbox = list(&ann, "inbox").await;
    assert_eq!(inbox.len(), 1);
    assert!(inbox[0].flagged && !inbox[0].seen);
    let bob_inbox = list(&bob, "inbox").await;
    assert_eq!(bob_inbox.len(), 1);
    assert_eq!(bob_inbox[0].subject, "Hello");

    // Reordering puts the flag filter first.
    let r = ann
        .send_json(
            reqwest::Method::PUT,
            "/api/mail/filters/order",
            &json!({"ids": [flag.id]}),
        )
        .await;
    let ordered: Vec<MailFilter> = r.json().await.expect("filters");
    assert_eq!(ordered[0].name, "Flag everything");
    // Bob cannot touch Ann's filters.
    let r = bob
        .send_json(
            reqwest::Method::DELETE,
            &format!("/api/mail/filters/{}", flag.id),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

/// Polls the delivery of a sent message until `done` holds (at most ~20 s).
async fn wait_for(c: &Client, sent: i64, done: impl Fn(&Delivery) -> bool) -> Delivery {
    for _ in 0..200 {
        if let Some(d) = detail(c, sent).await.delivery
            && done(&d)
        {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "delivery did not reach the expected state: {:?}",
        detail(c, sent).await.delivery
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn relay_queue_retries_until_the_relay_takes_it() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let server = server_with(Some(port)).await;
    let ann = signed_in(&server, "ann@example.com").await;
    let bob = signed_in(&server, "bob@example.com").await;

    // The relay is down: the message waits in the queue with the error shown.
    let sent = send(
        &ann,
        json!({"from": "ann@ksuite.test", "to": ["zoe@example.org", "bob@ksuite.test"],
               "bcc": ["secret@example.net"], "subject": "Out there", "text": "Hello world"}),
    )
    .await;
    let queued = sent.delivery.expect("a relay delivery");
    assert_eq!(queued.state, "queued");
    assert_eq!(
        queued.recipients,
        vec!["zoe@example.org", "secret@example.net"]
    );
    // Bob, local, has it already.
    assert_eq!(list(&bob, "inbox").await.len(), 1);
    let failing = wait_for(&ann, sent.id, |d| d.attempts >= 1).await;
    assert_eq!(failing.state, "queued");
    assert!(failing.last_error.is_some());
    assert_eq!(
        list(&ann, "sent").await[0].delivery.as_deref(),
        Some("queued")
    );

    // The relay comes up: the next retry delivers, without the Bcc header.
    let relay = Relay::start(port, &server.data_dir);
    let done = wait_for(&ann, sent.id, |d| d.state == "sent").await;
    assert!(done.attempts >= 2);
    let got = relay.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["from"], "ann@ksuite.test");
    assert_eq!(
        got[0]["to"],
        json!(["zoe@example.org", "secret@example.net"])
    );
    let data = got[0]["data"].as_str().expect("data");
    assert!(data.contains("Subject: Out there"));
    assert!(!data.to_lowercase().contains("bcc:"), "{data}");

    // A recipient the relay refuses (550) fails for good, and says why; retry is offered.
    let sent = send(
        &ann,
        json!({"from": "ann@ksuite.test", "to": ["reject@example.org"], "subject": "No", "text": "x"}),
    )
    .await;
    let failed = wait_for(&ann, sent.id, |d| d.state == "failed").await;
    assert!(
        failed.last_error.as_deref().unwrap_or("").contains("550"),
        "{failed:?}"
    );
    let r = ann
        .post(&format!("/api/mail/outbox/{}/retry", failed.id), &json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = bob
        .post(&format!("/api/mail/outbox/{}/retry", failed.id), &json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(relay.received().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn own_folders_nest_rename_delete_and_the_trash_empties() {
    let server = server_with(None).await;
    let ann = signed_in(&server, "ann@example.com").await;
    let bob = signed_in(&server, "bob@example.com").await;
    let create = |name: &str, parent: Option<i64>| json!({"address": "ann@ksuite.test", "name": name, "parent_id": parent});
    let r = ann
        .post("/api/mail/folders", &create("Projects", None))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let projects: MailFolder = r.json().await.expect("folder");
    assert_eq!((projects.role.clone(), projects.parent_id), (None, None));
    let apollo: MailFolder = ann
        .post("/api/mail/folders", &create("Apollo", Some(projects.id)))
        .await
        .json()
        .await
        .expect("subfolder");
    assert_eq!(apollo.parent_id, Some(projects.id));
    // Clashes, bad names, other people's addresses and folders are refused.
    for (body, status) in [
        (create("projects", None), StatusCode::UNPROCESSABLE_ENTITY),
        (create("a/b", None), StatusCode::UNPROCESSABLE_ENTITY),
        (create(" ", None), StatusCode::UNPROCESSABLE_ENTITY),
        (
            json!({"address": "bob@ksuite.test", "name": "Mine"}),
            StatusCode::NOT_FOUND,
        ),
    ] {
        assert_eq!(ann.post("/api/mail/folders", &body).await.status(), status);
    }
    let r = bob
        .post(
            "/api/mail/folders",
            &json!({"address": "bob@ksuite.test", "name": "X", "parent_id": projects.id}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // Rename; system folders keep their names.
    let r = ann
        .send_json(
            reqwest::Method::PATCH,
            &format!("/api/mail/folders/{}", apollo.id),
            &json!({"name": "Apollo 11"}),
        )
        .await;
    assert_eq!(
        r.json::<MailFolder>().await.expect("renamed").name,
        "Apollo 11"
    );
    let inbox = folder(&ann, "inbox").await;
    let r = ann
        .send_json(
            reqwest::Method::PATCH,
            &format!("/api/mail/folders/{}", inbox.id),
            &json!({"name": "Post"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // A message filed in the subfolder goes to the Trash when its parent is deleted.
    send(
        &bob,
        json!({"from": "bob@ksuite.test", "to": ["ann@ksuite.test"], "subject": "Launch", "text": "Go"}),
    )
    .await;
    let launch = list(&ann, "inbox").await[0].id;
    let r = ann
        .post(
            &format!("/api/mail/messages/{launch}/move"),
            &json!({"folder_id": apollo.id}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = ann
        .send_json(
            reqwest::Method::DELETE,
            &format!("/api/mail/folders/{}", projects.id),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let folders: Vec<MailFolder> = ann
        .get("/api/mail/folders")
        .await
        .json()
        .await
        .expect("folders");
    assert!(
        folders.iter().all(|f| f.role.is_some()),
        "both folders are gone"
    );
    let trash = list(&ann, "trash").await;
    assert_eq!(trash.len(), 1);
    assert_eq!(trash[0].subject, "Launch");

    // Emptying the Trash is explicit, and what it held stays restorable.
    let trash_id = folder(&ann, "trash").await.id;
    let r = ann
        .post(&format!("/api/mail/folders/{}/empty", inbox.id), &json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = ann
        .post(&format!("/api/mail/folders/{trash_id}/empty"), &json!({}))
        .await;
    assert_eq!(r.json::<MailFolder>().await.expect("trash").total, 0);
    let deleted: Vec<MessageSummary> = ann
        .get("/api/mail/deleted")
        .await
        .json()
        .await
        .expect("deleted");
    assert_eq!(deleted.len(), 1);
    let r = ann
        .post(&format!("/api/mail/messages/{launch}/restore"), &json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
}
