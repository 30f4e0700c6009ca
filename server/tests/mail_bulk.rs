//! Bulk changes to the list's selection: every action, all-or-nothing refusals (bad
//! input, a message the caller may not change, a move across addresses), the permission
//! matrix on a shared address, and that a bulk move lasts across SIGKILL and restart.

mod support;

use ksuite_common::{BulkOutcome, MessageSummary, paths};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{
    Client, ServerProcess, TestServer, address_folder, deliver_mail, folder_messages, mail_folder,
    shared_address, signed_in,
};

async fn server() -> TestServer {
    TestServer::start_with(|c| c.mail_domain = Some("ksuite.test".into())).await
}

/// Files messages with these subjects into a folder (through the import endpoint).
async fn seed(c: &Client, folder: i64, subjects: &[&str]) {
    let mbox: String = subjects
        .iter()
        .map(|s| format!("From x Mon Mar  4 10:00:00 2019\nFrom: a@example.org\nSubject: {s}\nStatus: O\n\nbody\n\n"))
        .collect();
    let mut req = c
        .http
        .post(c.url(&format!("/api/mail/folders/{folder}/import")))
        .body(mbox);
    if let Some(token) = &c.csrf {
        req = req.header(paths::CSRF_HEADER, token);
    }
    let r = req.send().await.expect("import");
    assert_eq!(r.status(), StatusCode::OK);
}

async fn bulk(c: &Client, ids: &[i64], action: Value) -> reqwest::Response {
    c.post(
        "/api/mail/messages/bulk",
        &json!({ "ids": ids, "action": action }),
    )
    .await
}

/// Expects 200 and returns how many were changed.
async fn changed(c: &Client, ids: &[i64], action: Value) -> u32 {
    let r = bulk(c, ids, action).await;
    let status = r.status();
    let body: Value = r.json().await.expect("answer");
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_value::<BulkOutcome>(body)
        .expect("outcome")
        .changed
}

fn ids(list: &[MessageSummary]) -> Vec<i64> {
    list.iter().map(|m| m.id).collect()
}

async fn refused(c: &Client, ids: &[i64], action: Value, status: StatusCode, says: &str) {
    let r = bulk(c, ids, action).await;
    assert_eq!(r.status(), status);
    let e: Value = r.json().await.expect("error");
    assert!(
        e["message"].as_str().unwrap_or("").contains(says),
        "{e} should say {says:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_bulk_action_changes_exactly_the_selection() {
    let server = server().await;
    let ann = signed_in(&server, "ann@example.com").await;
    let inbox = mail_folder(&ann, "inbox").await;
    seed(&ann, inbox.id, &["a", "b", "c", "d", "e"]).await;
    let all = folder_messages(&ann, inbox.id).await;
    assert_eq!(all.len(), 5);
    let (three, rest) = all.split_at(3);
    let three = ids(three);

    // Read and flagged: exactly the three (a repeated id counts once).
    let mut with_repeat = three.clone();
    with_repeat.push(three[0]);
    assert_eq!(
        changed(&ann, &with_repeat, json!({"kind": "mark_read"})).await,
        3
    );
    assert_eq!(changed(&ann, &three, json!({"kind": "flag"})).await, 3);
    let now = folder_messages(&ann, inbox.id).await;
    for m in &now {
        let picked = three.contains(&m.id);
        assert_eq!((m.seen, m.flagged), (picked, picked), "{}", m.subject);
    }
    assert_eq!(
        changed(&ann, &three, json!({"kind": "mark_unread"})).await,
        3
    );
    assert_eq!(changed(&ann, &three, json!({"kind": "unflag"})).await, 3);
    assert!(
        folder_messages(&ann, inbox.id)
            .await
            .iter()
            .all(|m| !m.seen && !m.flagged)
    );

    // Move two to a folder of one's own, archive one, spam one.
    let r = ann
        .post(
            "/api/mail/folders",
            &json!({"address": "ann@ksuite.test", "name": "Projects"}),
        )
        .await;
    let projects: ksuite_common::MailFolder = r.json().await.expect("folder");
    assert_eq!(
        changed(
            &ann,
            &three[..2],
            json!({"kind": "move", "folder_id": projects.id})
        )
        .await,
        2
    );
    assert_eq!(
        changed(&ann, &three[2..], json!({"kind": "archive"})).await,
        1
    );
    assert_eq!(
        changed(&ann, &[rest[0].id], json!({"kind": "spam"})).await,
        1
    );
    assert_eq!(folder_messages(&ann, projects.id).await.len(), 2);
    let archive = mail_folder(&ann, "archive").await;
    assert_eq!(ids(&folder_messages(&ann, archive.id).await), three[2..]);
    let spam = mail_folder(&ann, "spam").await;
    assert_eq!(ids(&folder_messages(&ann, spam.id).await), vec![rest[0].id]);
    assert_eq!(
        ids(&folder_messages(&ann, inbox.id).await),
        vec![rest[1].id]
    );

    // Delete from two folders at once: into the Trash; from the Trash: gone but
    // restorable.
    let mut both = vec![three[0], rest[1].id];
    both.sort_unstable();
    assert_eq!(changed(&ann, &both, json!({"kind": "delete"})).await, 2);
    let trash = mail_folder(&ann, "trash").await;
    let mut in_trash = ids(&folder_messages(&ann, trash.id).await);
    in_trash.sort_unstable();
    assert_eq!(in_trash, both);
    assert_eq!(changed(&ann, &both, json!({"kind": "delete"})).await, 2);
    assert!(folder_messages(&ann, trash.id).await.is_empty());
    let deleted: Vec<MessageSummary> = ann
        .get("/api/mail/deleted")
        .await
        .json()
        .await
        .expect("deleted");
    assert_eq!(deleted.len(), 2);
    let r = ann
        .post(
            &format!("/api/mail/messages/{}/restore", rest[1].id),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        ids(&folder_messages(&ann, inbox.id).await),
        vec![rest[1].id]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn refusals_are_complete_and_change_nothing() {
    let server = server().await;
    let ann = signed_in(&server, "ann@example.com").await;
    let bob = signed_in(&server, "bob@example.com").await;
    let inbox = mail_folder(&ann, "inbox").await;
    seed(&ann, inbox.id, &["one", "two"]).await;
    let mine = ids(&folder_messages(&ann, inbox.id).await);
    let bob_inbox = mail_folder(&bob, "inbox").await;
    seed(&bob, bob_inbox.id, &["bob's"]).await;
    let bobs = ids(&folder_messages(&bob, bob_inbox.id).await);

    refused(
        &ann,
        &[],
        json!({"kind": "mark_read"}),
        StatusCode::UNPROCESSABLE_ENTITY,
        "1 to 1000",
    )
    .await;
    let too_many: Vec<i64> = (1..=1001).collect();
    refused(
        &ann,
        &too_many,
        json!({"kind": "mark_read"}),
        StatusCode::UNPROCESSABLE_ENTITY,
        "1 to 1000",
    )
    .await;
    let r = bulk(&ann, &mine, json!({"kind": "explode"})).await;
    assert!(r.status().is_client_error());
    // One message that is not hers (bob's, or one that does not exist): nothing changes.
    for other in [bobs[0], mine[1] + 1000] {
        let mut mixed = mine.clone();
        mixed.push(other);
        refused(
            &ann,
            &mixed,
            json!({"kind": "delete"}),
            StatusCode::NOT_FOUND,
            "Nothing was changed",
        )
        .await;
    }
    // Into someone else's folder, or across her own addresses: refused.
    refused(
        &ann,
        &mine,
        json!({"kind": "move", "folder_id": bob_inbox.id}),
        StatusCode::NOT_FOUND,
        "Not found",
    )
    .await;
    let list = folder_messages(&ann, inbox.id).await;
    assert_eq!(ids(&list), mine);
    assert!(list.iter().all(|m| !m.seen));
    assert_eq!(folder_messages(&bob, bob_inbox.id).await.len(), 1);

    // A message of a shared address she manages cannot move into her own Archive.
    shared_address(&ann, "team", &[("ann@example.com", "manage")]).await;
    let team_inbox = address_folder(&ann, "team@ksuite.test", "inbox").await;
    seed(&ann, team_inbox.id, &["team mail"]).await;
    let team_mail = ids(&folder_messages(&ann, team_inbox.id).await);
    let archive = mail_folder(&ann, "archive").await;
    let mut across = mine.clone();
    across.extend(&team_mail);
    refused(
        &ann,
        &across,
        json!({"kind": "move", "folder_id": archive.id}),
        StatusCode::UNPROCESSABLE_ENTITY,
        "same address",
    )
    .await;
    assert_eq!(folder_messages(&ann, team_inbox.id).await.len(), 1);
    // Archive files each message in its own address's Archive.
    assert_eq!(changed(&ann, &across, json!({"kind": "archive"})).await, 3);
    assert_eq!(folder_messages(&ann, archive.id).await.len(), 2);
    let team_archive = address_folder(&ann, "team@ksuite.test", "archive").await;
    assert_eq!(
        ids(&folder_messages(&ann, team_archive.id).await),
        team_mail
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn who_may_change_a_shared_address_in_bulk() {
    let server = server().await;
    let boss = signed_in(&server, "boss@example.com").await;
    let reader = signed_in(&server, "reader@example.com").await;
    let writer = signed_in(&server, "writer@example.com").await;
    let stranger = signed_in(&server, "stranger@example.com").await;
    shared_address(
        &boss,
        "team",
        &[
            ("boss@example.com", "manage"),
            ("reader@example.com", "read"),
            ("writer@example.com", "send"),
        ],
    )
    .await;
    for subject in ["first", "second"] {
        deliver_mail(&server, "client@example.org", "team@ksuite.test", subject).await;
    }
    let inbox = address_folder(&boss, "team@ksuite.test", "inbox").await;
    let team = ids(&folder_messages(&boss, inbox.id).await);
    assert_eq!(team.len(), 2);

    for action in [
        json!({"kind": "delete"}),
        json!({"kind": "mark_read"}),
        json!({"kind": "spam"}),
        json!({"kind": "not_spam"}),
    ] {
        refused(
            &reader,
            &team,
            action.clone(),
            StatusCode::FORBIDDEN,
            "read but not change",
        )
        .await;
        refused(
            &stranger,
            &team,
            action.clone(),
            StatusCode::NOT_FOUND,
            "Nothing was changed",
        )
        .await;
        assert_eq!(
            bulk(&server.client(), &team, action).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    // The reader's own message with the team's: still all or nothing.
    let own_inbox = mail_folder(&reader, "inbox").await;
    seed(&reader, own_inbox.id, &["reader's own"]).await;
    let mut mixed = ids(&folder_messages(&reader, own_inbox.id).await);
    mixed.extend(&team);
    refused(
        &reader,
        &mixed,
        json!({"kind": "mark_read"}),
        StatusCode::FORBIDDEN,
        "Nothing was changed",
    )
    .await;
    assert!(
        folder_messages(&reader, own_inbox.id)
            .await
            .iter()
            .all(|m| !m.seen)
    );
    let list = folder_messages(&boss, inbox.id).await;
    assert!(list.iter().all(|m| !m.seen), "nothing changed");

    assert_eq!(
        changed(&writer, &team, json!({"kind": "mark_read"})).await,
        2
    );
    assert_eq!(changed(&boss, &team, json!({"kind": "archive"})).await, 2);
    let archive = address_folder(&boss, "team@ksuite.test", "archive").await;
    let archived = folder_messages(&reader, archive.id).await;
    assert_eq!(archived.len(), 2, "the reader sees the change");
    assert!(archived.iter().all(|m| m.seen));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bulk_change_lasts_across_sigkill_and_restart() {
    let dir = tempfile::tempdir().expect("dir");
    let flags = ["--mail-domain", "ksuite.test"];
    let p = ServerProcess::start(dir.path(), &flags);
    let mut ann = p.client();
    ann.signup("ann@example.com", support::PASSWORD).await;
    let inbox = mail_folder(&ann, "inbox").await;
    seed(&ann, inbox.id, &["x", "y", "z"]).await;
    let all = ids(&folder_messages(&ann, inbox.id).await);
    assert_eq!(
        changed(&ann, &all[..2], json!({"kind": "archive"})).await,
        2
    );
    p.crash();

    let p = ServerProcess::start(dir.path(), &flags);
    let ann = p.signed_in("ann@example.com").await;
    let archive = mail_folder(&ann, "archive").await;
    assert_eq!(folder_messages(&ann, archive.id).await.len(), 2);
    assert_eq!(changed(&ann, &all, json!({"kind": "flag"})).await, 3);
    p.stop();

    let p = ServerProcess::start(dir.path(), &flags);
    let ann = p.signed_in("ann@example.com").await;
    assert_eq!(ids(&folder_messages(&ann, inbox.id).await), all[2..]);
    let archived = folder_messages(&ann, archive.id).await;
    assert!(archived.iter().all(|m| m.flagged));
    p.stop();
}
