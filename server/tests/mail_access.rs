//! The permission matrix of message writes on a shared address: the managing owner and a
//! `send` grantee may flag, move, delete, restore and replace drafts; a `read` grantee
//! may only read (403 on every write, nothing changed); a stranger and an anonymous
//! client see nothing (404 / 401).

mod support;

use ksuite_common::{MailFolder, MessageDetail, MessagePage, SavedDraft};
use reqwest::{Method, StatusCode};
use serde_json::json;
use support::{Client, TestServer, deliver_mail, signed_in};

async fn team_folder(c: &Client, role: &str) -> MailFolder {
    let folders: Vec<MailFolder> = c
        .get("/api/mail/folders")
        .await
        .json()
        .await
        .expect("folders");
    folders
        .into_iter()
        .find(|f| f.address == "team@ksuite.test" && f.role.as_deref() == Some(role))
        .unwrap_or_else(|| panic!("team {role} folder"))
}

async fn first_message(c: &Client, folder: i64) -> i64 {
    let page: MessagePage = c
        .get(&format!("/api/mail/folders/{folder}/messages"))
        .await
        .json()
        .await
        .expect("page");
    page.messages.first().expect("a message").id
}

/// Every message write, as `(name, method, path, body)`, against message `id`.
fn writes(id: i64, archive: i64) -> Vec<(&'static str, Method, String, serde_json::Value)> {
    vec![
        (
            "flag",
            Method::PATCH,
            format!("/api/mail/messages/{id}"),
            json!({"flagged": true, "seen": true}),
        ),
        (
            "move",
            Method::POST,
            format!("/api/mail/messages/{id}/move"),
            json!({"folder_id": archive}),
        ),
        (
            "delete",
            Method::DELETE,
            format!("/api/mail/messages/{id}"),
            json!({}),
        ),
        (
            "restore",
            Method::POST,
            format!("/api/mail/messages/{id}/restore"),
            json!({}),
        ),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn message_writes_need_send_or_manage() {
    let server = TestServer::start_with(|c| c.mail_domain = Some("ksuite.test".into())).await;
    let owner = signed_in(&server, "owner@example.com").await;
    let reader = signed_in(&server, "reader@example.com").await;
    let writer = signed_in(&server, "writer@example.com").await;
    let stranger = signed_in(&server, "stranger@example.com").await;
    let anonymous = server.client();

    support::shared_address(
        &owner,
        "team",
        &[
            ("owner@example.com", "manage"),
            ("reader@example.com", "read"),
            ("writer@example.com", "send"),
        ],
    )
    .await;
    deliver_mail(
        &server,
        "someone@elsewhere.org",
        "team@ksuite.test",
        "Quarterly numbers",
    )
    .await;
    let inbox = team_folder(&owner, "inbox").await;
    let archive = team_folder(&owner, "archive").await.id;
    let id = first_message(&owner, inbox.id).await;

    // The read-only grantee sees the message but every write is refused and changes nothing.
    assert_eq!(
        reader
            .get(&format!("/api/mail/messages/{id}"))
            .await
            .status(),
        StatusCode::OK
    );
    for (name, method, path, body) in writes(id, archive) {
        let r = reader.send_json(method, &path, &body).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "reader may not {name}");
        let err: ksuite_common::ErrorBody = r.json().await.expect("error body");
        assert!(
            err.message.contains("read"),
            "clear refusal: {}",
            err.message
        );
    }
    let after: MessageDetail = owner
        .get(&format!("/api/mail/messages/{id}"))
        .await
        .json()
        .await
        .expect("detail");
    assert_eq!(after.summary.folder_id, inbox.id, "not moved or deleted");
    assert!(!after.summary.flagged, "not flagged");
    assert!(!after.summary.seen, "not marked read");

    // Strangers and anonymous clients cannot tell the message exists.
    for (name, method, path, body) in writes(id, archive) {
        let r = stranger.send_json(method.clone(), &path, &body).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "stranger {name}");
        let r = anonymous.send_json(method, &path, &body).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "anonymous {name}");
    }
    assert_eq!(
        stranger
            .get(&format!("/api/mail/messages/{id}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // The writer and the owner may do each write.
    for c in [&writer, &owner] {
        let id = {
            deliver_mail(
                &server,
                "someone@elsewhere.org",
                "team@ksuite.test",
                "Again",
            )
            .await;
            first_message(c, inbox.id).await
        };
        for (name, method, path, body) in writes(id, archive) {
            let r = c.send_json(method, &path, &body).await;
            assert!(r.status().is_success(), "{name}: {}", r.status());
        }
    }

    // A draft of the team: the reader may not replace (and so delete) it by sending.
    let draft = json!({"from": "team@ksuite.test", "to": ["x@elsewhere.org"], "subject": "Draft", "text": "…"});
    let r = writer.post("/api/mail/drafts", &draft).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let saved: SavedDraft = r.json().await.expect("draft");
    let own = json!({"from": "reader@ksuite.test", "to": ["x@elsewhere.org"], "subject": "Mine",
        "text": "…", "draft_id": saved.id});
    let r = reader.post("/api/mail/send", &own).await;
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "reader cannot consume a team draft"
    );
    let r = reader.post("/api/mail/drafts", &own).await;
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "reader cannot replace a team draft"
    );
    assert_eq!(
        writer
            .get(&format!("/api/mail/messages/{}", saved.id))
            .await
            .status(),
        StatusCode::OK,
        "the draft is still there"
    );
}
