//! Several signatures per address: each user keeps their own on each address they use,
//! with one for new messages and one for replies. The permission matrix (owner, read-only
//! grantee, sender, stranger, anonymous), bad input, the limits, and that they last across
//! a restart and a SIGKILL.

mod support;

use ksuite_common::{MailAddress, MailSignature};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{Client, ServerProcess, TestServer, shared_address, signed_in};

async fn server() -> TestServer {
    TestServer::start_with(|c| c.mail_domain = Some("ksuite.test".into())).await
}

fn base(address: &str) -> String {
    format!("/api/mail/addresses/{address}")
}

async fn add(c: &Client, address: &str, name: &str, body: &str) -> reqwest::Response {
    c.post(
        &format!("{}/signatures", base(address)),
        &json!({"name": name, "body": body}),
    )
    .await
}

/// Adds a signature that must be accepted; returns it.
async fn added(c: &Client, address: &str, name: &str, body: &str) -> MailSignature {
    let r = add(c, address, name, body).await;
    let status = r.status();
    let a: Value = r.json().await.expect("answer");
    assert_eq!(status, StatusCode::CREATED, "{a}");
    let a: MailAddress = serde_json::from_value(a).expect("address");
    a.signatures
        .into_iter()
        .rfind(|s| s.name == name)
        .expect("the new signature")
}

async fn address_of(c: &Client, address: &str) -> MailAddress {
    let all: Vec<MailAddress> = c
        .get("/api/mail/addresses")
        .await
        .json()
        .await
        .expect("addresses");
    all.into_iter()
        .find(|a| a.address == address)
        .expect("the address is listed")
}

async fn defaults(c: &Client, address: &str, new: Option<i64>, reply: Option<i64>) -> StatusCode {
    c.send_json(
        Method::PUT,
        &format!("{}/signature-defaults", base(address)),
        &json!({"new_signature": new, "reply_signature": reply}),
    )
    .await
    .status()
}

#[tokio::test(flavor = "multi_thread")]
async fn several_signatures_with_defaults_for_new_mail_and_replies() {
    let server = server().await;
    let ann = signed_in(&server, "ann@example.com").await;
    let me = "ann@ksuite.test";

    // The first one becomes the default for both; later ones do not.
    let work = added(&ann, me, "Work", "Ann Smith\r\nAcme, sales\r\n\r\n").await;
    assert_eq!(
        work.body, "Ann Smith\nAcme, sales",
        "CRLF and trailing blank lines"
    );
    let short = added(&ann, me, "Short", "— A.").await;
    let a = address_of(&ann, me).await;
    assert_eq!(a.signatures.len(), 2);
    assert_eq!(a.new_signature, Some(work.id));
    assert_eq!(a.reply_signature, Some(work.id));

    // Short for replies, none for new mail.
    assert_eq!(
        defaults(&ann, me, None, Some(short.id)).await,
        StatusCode::OK
    );
    let a = address_of(&ann, me).await;
    assert_eq!(a.default_signature(false), None);
    assert_eq!(
        a.default_signature(true).map(|s| s.name.as_str()),
        Some("Short")
    );

    // Edit it; delete it and the reply default goes with it.
    let r = ann
        .send_json(
            Method::PUT,
            &format!("{}/signatures/{}", base(me), short.id),
            &json!({"name": "Brief", "body": "A."}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let a: MailAddress = r.json().await.expect("address");
    assert_eq!(
        a.default_signature(true).map(|s| s.body.as_str()),
        Some("A.")
    );
    let r = ann
        .send_json(
            Method::DELETE,
            &format!("{}/signatures/{}", base(me), short.id),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let a = address_of(&ann, me).await;
    assert_eq!(a.signatures, vec![work.clone()]);
    assert_eq!(a.reply_signature, None);

    // Bad input: clear refusals, nothing stored.
    let long_name = "n".repeat(101);
    let long_body = "b".repeat(10_001);
    for (name, body, says) in [
        ("  ", "x", "name"),
        (long_name.as_str(), "x", "at most 100"),
        ("Long", long_body.as_str(), "at most 10000"),
    ] {
        let r = add(&ann, me, name, body).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let e: Value = r.json().await.expect("error");
        assert!(e["message"].as_str().unwrap_or("").contains(says), "{e}");
    }
    let r = ann
        .post(&format!("{}/signatures", base(me)), &json!({"body": 5}))
        .await;
    assert!(r.status().is_client_error());
    assert_eq!(
        defaults(&ann, me, Some(work.id + 1000), None).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(address_of(&ann, me).await.signatures.len(), 1);

    // At most 20 per address.
    for i in 1..20 {
        added(&ann, me, &format!("S{i}"), "x").await;
    }
    let r = add(&ann, me, "One too many", "x").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(address_of(&ann, me).await.signatures.len(), 20);
}

#[tokio::test(flavor = "multi_thread")]
async fn each_user_keeps_their_own_signatures_on_a_shared_address() {
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
    let team = "team@ksuite.test";
    let mine = added(&boss, team, "Team", "The team").await;
    let writers = added(&writer, team, "Writer on team", "W.").await;

    // Members see only their own; the stranger's requests find no such address.
    assert_eq!(address_of(&boss, team).await.signatures, vec![mine.clone()]);
    assert_eq!(
        address_of(&writer, team).await.signatures,
        vec![writers.clone()]
    );
    assert!(address_of(&reader, team).await.signatures.is_empty());
    assert_eq!(
        add(&stranger, team, "Mine", "x").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        defaults(&stranger, team, None, None).await,
        StatusCode::NOT_FOUND
    );

    // Nobody changes, deletes or chooses another member's signature.
    let path = format!("{}/signatures/{}", base(team), mine.id);
    for other in [&reader, &writer, &stranger] {
        let r = other
            .send_json(
                Method::PUT,
                &path,
                &json!({"name": "Taken", "body": "over"}),
            )
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let r = other.send_json(Method::DELETE, &path, &json!({})).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
    assert_eq!(
        defaults(&writer, team, Some(mine.id), None).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // Nor reaches it through another address of theirs.
    let r = writer
        .send_json(
            Method::DELETE,
            &format!("{}/signatures/{}", base("writer@ksuite.test"), mine.id),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(address_of(&boss, team).await.signatures, vec![mine.clone()]);

    // A read-only grantee may keep signatures too (their own, for when they may send).
    added(&reader, team, "Reader", "R.").await;
    assert_eq!(address_of(&boss, team).await.signatures, vec![mine]);

    // Anonymous: every route answers 401.
    let anon = server.client();
    assert_eq!(
        anon.get("/api/mail/addresses").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        add(&anon, team, "Anon", "x").await.status(),
        StatusCode::UNAUTHORIZED
    );
    for method in [Method::PUT, Method::DELETE] {
        let r = anon
            .send_json(method, &path, &json!({"name": "a", "body": "b"}))
            .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        defaults(&anon, team, None, None).await,
        StatusCode::UNAUTHORIZED
    );

    // Losing access to the address takes the signatures with it.
    let id = server
        .scalar("SELECT id FROM mail_addresses WHERE address = 'team@ksuite.test'")
        .await;
    let writer_id = server
        .scalar("SELECT id FROM users WHERE email = 'writer@example.com'")
        .await;
    let r = boss
        .send_json(
            Method::DELETE,
            &format!("/api/admin/mail/addresses/{id}/users/{writer_id}"),
            &json!({}),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.status());
    assert_eq!(
        server
            .scalar(&format!(
                "SELECT COUNT(*) FROM mail_signatures WHERE id = {}",
                writers.id
            ))
            .await,
        0
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn signatures_last_across_sigkill_and_restart() {
    let dir = tempfile::tempdir().expect("dir");
    let flags = ["--mail-domain", "ksuite.test"];
    let p = ServerProcess::start(dir.path(), &flags);
    let mut ann = p.client();
    ann.signup("ann@example.com", support::PASSWORD).await;
    let me = "ann@ksuite.test";
    let first = added(&ann, me, "First", "One").await;
    let second = added(&ann, me, "Second", "Two").await;
    assert_eq!(
        defaults(&ann, me, Some(first.id), Some(second.id)).await,
        StatusCode::OK
    );
    p.crash();

    let p = ServerProcess::start(dir.path(), &flags);
    let ann = p.signed_in("ann@example.com").await;
    let a = address_of(&ann, me).await;
    assert_eq!(a.signatures, vec![first.clone(), second.clone()]);
    assert_eq!(
        (a.new_signature, a.reply_signature),
        (Some(first.id), Some(second.id))
    );
    let r = ann
        .send_json(
            Method::DELETE,
            &format!("{}/signatures/{}", base(me), first.id),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    p.stop();

    let p = ServerProcess::start(dir.path(), &flags);
    let ann = p.signed_in("ann@example.com").await;
    let a = address_of(&ann, me).await;
    assert_eq!(a.signatures, vec![second.clone()]);
    assert_eq!(
        (a.new_signature, a.reply_signature),
        (None, Some(second.id))
    );
    p.stop();
}

/// A database from before several signatures keeps each user's one signature, chosen for
/// new mail and replies; users without one get none.
#[tokio::test(flavor = "multi_thread")]
async fn the_single_signature_of_older_databases_becomes_the_first() {
    use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
    let dir = tempfile::tempdir().expect("dir");
    let options = SqliteConnectOptions::new()
        .filename(dir.path().join("old.db"))
        .create_if_missing(true)
        .foreign_keys(true);
    let db = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .expect("database");
    let all = sqlx::migrate!("./migrations/sqlite");
    let mut before = sqlx::migrate!("./migrations/sqlite");
    before.migrations = all
        .migrations
        .iter()
        .filter(|m| m.version < 18)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    before.run(&db).await.expect("migrations up to 17");
    for sql in [
        "INSERT INTO users (id, email, display_name, password_hash, created_at) \
         VALUES (1, 'ann@example.com', 'Ann', 'x', 0), (2, 'bob@example.com', 'Bob', 'x', 0)",
        "INSERT INTO mail_addresses (id, address, created_at) \
         VALUES (1, 'ann@ksuite.test', 0), (2, 'bob@ksuite.test', 0)",
        "INSERT INTO mail_address_users (address_id, user_id, permission, signature) \
         VALUES (1, 1, 'manage', '-- \nAnn'), (2, 2, 'manage', '')",
    ] {
        sqlx::query(sql).execute(&db).await.expect(sql);
    }
    all.run(&db).await.expect("migration 18");
    type Row = (i64, String, String, Option<i64>, Option<i64>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT u.user_id, s.name, s.body, u.new_signature_id - s.id, u.reply_signature_id - s.id \
         FROM mail_address_users u JOIN mail_signatures s \
           ON s.address_id = u.address_id AND s.user_id = u.user_id",
    )
    .fetch_all(&db)
    .await
    .expect("signatures");
    assert_eq!(
        rows,
        vec![(1, "Signature".into(), "-- \nAnn".into(), Some(0), Some(0))]
    );
    let bob: (Option<i64>, Option<i64>) = sqlx::query_as(
        "SELECT new_signature_id, reply_signature_id FROM mail_address_users WHERE user_id = 2",
    )
    .fetch_one(&db)
    .await
    .expect("bob");
    assert_eq!(bob, (None, None));
}
