//! Importing old mail: an `.mbox` or `.eml` upload filed into a folder with its dates and
//! flags, searchable, without duplicates when run again; the limits (message size, upload
//! size, quota) answered clearly; the permission matrix; an upload cut off half-way
//! completed by running it again; and that imported mail lasts across SIGKILL and restart.

mod support;

use ksuite_common::{MailImportReport, MessageDetail, MessageSummary, paths};
use reqwest::StatusCode;
use serde_json::Value;
use support::{
    Client, ServerProcess, TestServer, address_folder, folder_messages, mail_folder,
    shared_address, signed_in,
};

/// 2019-03-04 10:00:00 UTC.
const MARCH_2019: i64 = 1_551_693_600;

/// One mbox entry: `From ` line, headers, body (body lines starting with `From ` escaped).
fn entry(subject: &str, message_id: Option<&str>, extra: &str, body: &str) -> String {
    let id = message_id.map_or(String::new(), |m| format!("Message-ID: <{m}>\n"));
    let body: String = body
        .lines()
        .map(|l| {
            if l.trim_start_matches('>').starts_with("From ") {
                format!(">{l}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    format!(
        "From old@example.org Mon Mar  4 10:00:00 2019\n\
         From: Old Friend <old@example.org>\nTo: ann@ksuite.test\n\
         Date: Mon, 04 Mar 2019 10:00:00 +0000\nSubject: {subject}\n{id}{extra}\n{body}\n"
    )
}

async fn import(c: &Client, folder: i64, body: impl Into<reqwest::Body>) -> reqwest::Response {
    let mut req = c
        .http
        .post(c.url(&format!("/api/mail/folders/{folder}/import")))
        .header("content-type", "application/mbox")
        .body(body);
    if let Some(token) = &c.csrf {
        req = req.header(paths::CSRF_HEADER, token);
    }
    req.send().await.expect("import request")
}

/// Imports and expects 200; returns the report.
async fn imported(c: &Client, folder: i64, body: &str) -> MailImportReport {
    let r = import(c, folder, body.to_string()).await;
    let status = r.status();
    let answer: Value = r.json().await.expect("answer");
    assert_eq!(status, StatusCode::OK, "{answer}");
    serde_json::from_value(answer).expect("report")
}

fn by_subject<'a>(list: &'a [MessageSummary], subject: &str) -> &'a MessageSummary {
    list.iter()
        .find(|m| m.subject == subject)
        .unwrap_or_else(|| panic!("{subject:?} in the folder"))
}

fn sample_mbox() -> String {
    [
        entry(
            "Read and flagged",
            Some("one@example.org"),
            "Status: RO\nX-Status: F\n",
            "From the start of a line\nplain line\n>From quoted once",
        ),
        entry(
            "Never opened",
            Some("two@example.org"),
            "Status: O\n",
            "hello",
        ),
        entry("No message id", None, "", "quarterly figures attached"),
        // Not a message: no header block.
        "From nobody Mon Mar  4 10:00:00 2019\njust some text\n\n".to_string(),
    ]
    .concat()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_mbox_is_filed_with_dates_and_flags_and_running_it_again_adds_nothing() {
    let server = TestServer::start_with(|c| c.mail_domain = Some("ksuite.test".into())).await;
    let ann = signed_in(&server, "ann@example.com").await;
    let inbox = mail_folder(&ann, "inbox").await;
    let mbox = sample_mbox();

    let report = imported(&ann, inbox.id, &mbox).await;
    assert_eq!(
        report,
        MailImportReport {
            imported: 3,
            unreadable: 1,
            ..MailImportReport::default()
        }
    );
    let list = folder_messages(&ann, inbox.id).await;
    assert_eq!(list.len(), 3);
    let flagged = by_subject(&list, "Read and flagged");
    assert!(flagged.seen && flagged.flagged);
    assert!(!by_subject(&list, "Never opened").seen);
    assert!(
        by_subject(&list, "No message id").seen,
        "no status: old mail is read"
    );
    for m in &list {
        assert_eq!(
            m.received_at, MARCH_2019,
            "{}: sorted by its date",
            m.subject
        );
        assert_eq!(m.from_address.as_deref(), Some("old@example.org"));
    }

    // The stored bytes: CRLF line ends, one `>` of the mboxrd escape taken off.
    let raw = ann
        .get(&format!("/api/mail/messages/{}/raw", flagged.id))
        .await
        .bytes()
        .await
        .expect("raw");
    let raw = String::from_utf8_lossy(&raw);
    assert!(
        raw.contains("\r\n\r\nFrom the start of a line\r\nplain line\r\n>From quoted once\r\n"),
        "{raw:?}"
    );
    assert!(!raw.contains("\n\n"), "every line ends in CRLF: {raw:?}");
    let detail: MessageDetail = ann
        .get(&format!("/api/mail/messages/{}", flagged.id))
        .await
        .json()
        .await
        .expect("message");
    assert_eq!(detail.message_id.as_deref(), Some("one@example.org"));

    // Searchable like delivered mail.
    let found: Vec<MessageSummary> = ann
        .get("/api/mail/search?q=quarterly")
        .await
        .json()
        .await
        .expect("search");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].subject, "No message id");

    // Again: everything is already there (by Message-ID, or by the same bytes).
    let again = imported(&ann, inbox.id, &mbox).await;
    assert_eq!((again.imported, again.duplicates), (0, 3));
    assert_eq!(folder_messages(&ann, inbox.id).await.len(), 3);

    // One .eml (CRLF, no From line) into a folder of the user's own.
    let r = ann
        .post(
            "/api/mail/folders",
            &serde_json::json!({"address": "ann@ksuite.test", "name": "Archive 2019"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let archive: ksuite_common::MailFolder = r.json().await.expect("folder");
    let eml = "From: Bob <bob@example.net>\r\nSubject: Single file\r\nDate: Mon, 04 Mar 2019 10:00:00 +0000\r\n\r\nFrom here on, one message.\r\n";
    let report = imported(&ann, archive.id, eml).await;
    assert_eq!(report.imported, 1);
    let list = folder_messages(&ann, archive.id).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].subject, "Single file");

    // Nothing, or only blank lines: a report of nothing, not an error.
    assert_eq!(
        imported(&ann, archive.id, "").await,
        MailImportReport::default()
    );
    assert_eq!(
        imported(&ann, archive.id, "\n\n").await,
        MailImportReport::default()
    );
    // A folder that does not exist.
    assert_eq!(
        import(&ann, archive.id + 1000, eml.to_string())
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn limits_answer_clearly_and_keep_what_fitted() {
    // Messages up to 4 KB, uploads up to 20 KB, 9 KB of mail per user.
    let server = TestServer::start_with(|c| {
        c.mail_domain = Some("ksuite.test".into());
        c.max_message_size = 4_000;
        c.max_import_size = 20_000;
        c.mail_quota_bytes = 9_000;
    })
    .await;
    let ann = signed_in(&server, "ann@example.com").await;
    let inbox = mail_folder(&ann, "inbox").await;

    // A message over the size limit is counted and left out; the next one is filed.
    let big = entry("Too big", Some("big@x"), "", &"a".repeat(5_000));
    let small = entry("Small", Some("small@x"), "", "ok");
    let report = imported(&ann, inbox.id, &format!("{big}{small}")).await;
    assert_eq!((report.imported, report.too_large), (1, 1));

    // The quota fills up: the import stops there and says so.
    let many: String = (0..10)
        .map(|i| {
            entry(
                &format!("Filler {i}"),
                Some(&format!("f{i}@x")),
                "",
                &"b".repeat(1_500),
            )
        })
        .collect();
    let report = imported(&ann, inbox.id, &many).await;
    assert!(report.stopped_full, "{report:?}");
    assert!(
        (1..10).contains(&report.imported),
        "some fitted: {report:?}"
    );
    let filed = folder_messages(&ann, inbox.id).await.len();
    assert_eq!(filed, 1 + report.imported as usize);

    // An upload over the import limit: 413 with a clear reason.
    let bob = signed_in(&server, "bob@example.com").await;
    let bob_inbox = mail_folder(&bob, "inbox").await;
    let r = import(&bob, bob_inbox.id, "X".repeat(25_000)).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let e: Value = r.json().await.expect("error");
    assert!(
        e["message"]
            .as_str()
            .unwrap_or("")
            .contains("split the file"),
        "{e}"
    );
    // A long line without line breaks never held more than a message in memory, and a
    // piece that is not mail is refused as unreadable, not filed.
    let report = imported(&bob, bob_inbox.id, &"Y".repeat(15_000)).await;
    assert_eq!(report.too_large, 1, "{report:?}");
    let report = imported(&bob, bob_inbox.id, "not mail at all\n").await;
    assert_eq!(report.unreadable, 1, "{report:?}");
    assert!(folder_messages(&bob, bob_inbox.id).await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn who_may_import_into_a_shared_address() {
    let server = TestServer::start_with(|c| c.mail_domain = Some("ksuite.test".into())).await;
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
    let inbox = address_folder(&boss, "team@ksuite.test", "inbox").await;
    let one = |n: &str| entry(n, Some(&format!("{n}@team")), "", "x");

    assert_eq!(imported(&boss, inbox.id, &one("by-boss")).await.imported, 1);
    assert_eq!(
        imported(&writer, inbox.id, &one("by-writer"))
            .await
            .imported,
        1
    );
    let r = import(&reader, inbox.id, one("by-reader")).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let e: Value = r.json().await.expect("error");
    assert!(e["message"].as_str().unwrap_or("").contains("read"), "{e}");
    assert_eq!(
        import(&stranger, inbox.id, one("by-stranger"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let anonymous = server.client();
    assert_eq!(
        import(&anonymous, inbox.id, one("anonymous"))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    // A signed-in browser without the CSRF token (a cross-site form post) is refused.
    let mut no_token = signed_in(&server, "forged@example.com").await;
    let forged_inbox = mail_folder(&no_token, "inbox").await;
    no_token.csrf = None;
    assert_eq!(
        import(&no_token, forged_inbox.id, one("forged"))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert!(folder_messages(&no_token, forged_inbox.id).await.is_empty());

    let subjects: Vec<String> = folder_messages(&boss, inbox.id)
        .await
        .into_iter()
        .map(|m| m.subject)
        .collect();
    assert_eq!(subjects.len(), 2, "{subjects:?}");
    assert!(subjects.contains(&"by-boss".to_string()));
    assert!(subjects.contains(&"by-writer".to_string()));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_import_cut_off_half_way_is_completed_by_running_it_again() {
    let server = TestServer::start_with(|c| c.mail_domain = Some("ksuite.test".into())).await;
    let ann = signed_in(&server, "ann@example.com").await;
    let inbox = mail_folder(&ann, "inbox").await;
    let entries: Vec<String> = (0..6)
        .map(|i| entry(&format!("Part {i}"), Some(&format!("p{i}@x")), "", "body"))
        .collect();
    // The first three entries arrive; once the two complete ones are filed (the third has
    // not ended yet), the connection breaks.
    let (tx, rx) = futures::channel::mpsc::unbounded::<Result<Vec<u8>, std::io::Error>>();
    tx.unbounded_send(Ok(entries[..3].concat().into_bytes()))
        .expect("queued");
    let request = ann
        .http
        .post(ann.url(&format!("/api/mail/folders/{}/import", inbox.id)))
        .header(paths::CSRF_HEADER, ann.csrf.clone().expect("token"))
        .body(reqwest::Body::wrap_stream(rx))
        .send();
    let upload = tokio::spawn(request);
    let mut kept = 0;
    for _ in 0..200 {
        kept = folder_messages(&ann, inbox.id).await.len();
        if kept == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(kept, 2, "the complete entries are filed as they arrive");
    tx.unbounded_send(Err(std::io::Error::other("the connection broke")))
        .expect("queued");
    let cut = upload.await.expect("request task");
    assert!(
        cut.as_ref().map_or(true, |r| !r.status().is_success()),
        "a broken upload is not reported as done"
    );
    assert_eq!(folder_messages(&ann, inbox.id).await.len(), 2);

    let report = imported(&ann, inbox.id, &entries.concat()).await;
    assert_eq!((report.imported, report.duplicates), (4, 2));
    assert_eq!(folder_messages(&ann, inbox.id).await.len(), 6);
}

#[tokio::test(flavor = "multi_thread")]
async fn imported_mail_lasts_across_sigkill_and_restart() {
    let dir = tempfile::tempdir().expect("dir");
    let flags = ["--mail-domain", "ksuite.test"];
    let p = ServerProcess::start(dir.path(), &flags);
    let mut ann = p.client();
    ann.signup("ann@example.com", support::PASSWORD).await;
    let inbox = mail_folder(&ann, "inbox").await;
    let report = imported(&ann, inbox.id, &sample_mbox()).await;
    assert_eq!(report.imported, 3);
    p.crash();

    let p = ServerProcess::start(dir.path(), &flags);
    let ann = p.signed_in("ann@example.com").await;
    let list = folder_messages(&ann, inbox.id).await;
    assert_eq!(list.len(), 3);
    let raw = ann
        .get(&format!("/api/mail/messages/{}/raw", list[0].id))
        .await;
    assert_eq!(raw.status(), StatusCode::OK, "the bytes were kept too");
    assert_eq!(imported(&ann, inbox.id, &sample_mbox()).await.duplicates, 3);
    p.stop();

    let p = ServerProcess::start(dir.path(), &flags);
    let ann = p.signed_in("ann@example.com").await;
    assert_eq!(folder_messages(&ann, inbox.id).await.len(), 3);
    p.stop();
}
