//! Aliases, sub-addresses and redirections: mail to an alias or to `local+tag` lands in
//! the address; aliases and addresses never share a name; a redirection sends every
//! arriving message on (local copies filed, outside ones through a real aiosmtpd relay
//! marked with `Delivered-To`), keeping a copy or not; loops stop with the message kept
//! exactly once; the permission matrix; settings surviving SIGKILL and a restart.

mod support;

use ksuite_common::{AddressRouting, ErrorBody};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{
    Client, Relay, ServerProcess, SmtpConn, TestServer, free_port, mail_folder, rand_token,
    signed_in,
};

/// Offers a message for `rcpt` over SMTP; returns the reply to RCPT (and delivers on 250).
async fn offer(smtp: std::net::SocketAddr, rcpt: &str, subject: &str, headers: &str) -> String {
    let (mut conn, _) = SmtpConn::open(smtp).await;
    assert!(conn.cmd("EHLO test.example").await.starts_with("250"));
    assert!(
        conn.cmd("MAIL FROM:<zoe@example.org>")
            .await
            .starts_with("250")
    );
    let r = conn.cmd(&format!("RCPT TO:<{rcpt}>")).await;
    if r.starts_with("250") {
        assert!(conn.cmd("DATA").await.starts_with("354"));
        conn.send_raw(
            format!(
                "From: <zoe@example.org>\r\nTo: <{rcpt}>\r\n{headers}Subject: {subject}\r\nMessage-ID: <{}@test>\r\n\r\nHello.\r\n.\r\n",
                rand_token()
            )
            .as_bytes(),
        )
        .await;
        let done = conn.reply().await;
        assert!(done.starts_with("250"), "{done}");
    }
    let _ = conn.cmd("QUIT").await;
    r
}

async fn subjects(c: &Client) -> Vec<String> {
    let id = mail_folder(c, "inbox").await.id;
    support::folder_messages(c, id)
        .await
        .into_iter()
        .map(|m| m.subject)
        .collect()
}

async fn add_alias(c: &Client, address: &str, alias: &str) -> reqwest::Response {
    c.post(
        &format!("/api/mail/addresses/{address}/aliases"),
        &json!({ "alias": alias }),
    )
    .await
}

async fn redirect(c: &Client, address: &str, body: Value) -> reqwest::Response {
    c.send_json(
        Method::PUT,
        &format!("/api/mail/addresses/{address}/redirect"),
        &body,
    )
    .await
}

async fn message_of(r: reqwest::Response) -> String {
    r.json::<ErrorBody>().await.expect("error body").message
}

#[tokio::test(flavor = "multi_thread")]
async fn aliases_and_sub_addresses_deliver_into_the_address() {
    let server = TestServer::start_with(|c| c.mail_domain = Some("ksuite.test".into())).await;
    let admin = signed_in(&server, "first@example.com").await;
    let ann = signed_in(&server, "ann@example.com").await;
    let bob = signed_in(&server, "bob@example.com").await;

    let r = add_alias(&ann, "ann@ksuite.test", "Ann.Smith").await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let routing: AddressRouting = r.json().await.expect("routing");
    assert_eq!(routing.aliases, vec!["ann.smith@ksuite.test"]);

    assert!(
        offer(server.smtp, "ann.smith@ksuite.test", "Via alias", "")
            .await
            .starts_with("250")
    );
    assert!(
        offer(server.smtp, "ANN+trips@ksuite.test", "Via tag", "")
            .await
            .starts_with("250")
    );
    let r = bob
        .post(
            "/api/mail/send",
            &json!({"from": "bob@ksuite.test", "to": ["ann.smith@ksuite.test"], "subject": "From Bob", "text": "x"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let mut got = subjects(&ann).await;
    got.sort();
    assert_eq!(got, vec!["From Bob", "Via alias", "Via tag"]);

    // Names are taken once: an alias over an address or another alias is refused, and so
    // is an address over an alias; role names are for administrators.
    for taken in ["bob", "ann.smith"] {
        let r = add_alias(&bob, "bob@ksuite.test", taken).await;
        assert_eq!(r.status(), StatusCode::CONFLICT, "{taken}");
        assert!(message_of(r).await.contains("already taken"));
    }
    let r = admin
        .post(
            "/api/admin/mail/addresses",
            &json!({"address": "ann.smith"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let r = add_alias(&bob, "bob@ksuite.test", "postmaster").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message_of(r).await.contains("administrator"));
    assert_eq!(
        add_alias(&admin, "first@ksuite.test", "postmaster")
            .await
            .status(),
        StatusCode::CREATED
    );
    let r = add_alias(&bob, "bob@ksuite.test", "bob@elsewhere.example").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // At most ten per address for a user.
    for i in 0..10 {
        let r = add_alias(&bob, "bob@ksuite.test", &format!("bob{i}.x")).await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let r = add_alias(&bob, "bob@ksuite.test", "bob10.x").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Removed, the alias takes no more mail.
    let r = ann
        .send_json(
            Method::DELETE,
            "/api/mail/addresses/ann@ksuite.test/aliases/ann.smith@ksuite.test",
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert!(
        offer(server.smtp, "ann.smith@ksuite.test", "Gone", "")
            .await
            .starts_with("550")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn redirection_sends_on_keeps_a_copy_or_not_and_stops_loops() {
    let port = free_port();
    let dir = tempfile::tempdir().expect("dir");
    let relay = Relay::start(port, dir.path());
    let server = TestServer::start_with(move |c| {
        c.mail_domain = Some("ksuite.test".into());
        c.smtp_relay = Some(format!("smtp://127.0.0.1:{port}"));
        c.smtp_retry_seconds = 1;
    })
    .await;
    let ann = signed_in(&server, "ann@example.com").await;
    let bob = signed_in(&server, "bob@example.com").await;
    let cy = signed_in(&server, "cy@example.com").await;

    // Ann redirects to Bob and to an outside address, keeping nothing.
    let r = redirect(
        &ann,
        "ann@ksuite.test",
        json!({"targets": ["bob@ksuite.test", "Zoe <zoe@example.net>"], "keep_copy": false}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let routing: AddressRouting = r.json().await.expect("routing");
    assert_eq!(
        routing.redirect.targets,
        vec!["bob@ksuite.test", "zoe@example.net"]
    );
    assert!(
        offer(server.smtp, "ann@ksuite.test", "One", "")
            .await
            .starts_with("250")
    );
    assert!(subjects(&ann).await.is_empty(), "no copy kept");
    assert_eq!(subjects(&bob).await, vec!["One"]);
    server
        .wait_until("SELECT COUNT(*) FROM mail_outbox WHERE state = 'sent'", 1)
        .await;
    let got = relay.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["from"], "ann@ksuite.test");
    assert_eq!(got[0]["to"], json!(["zoe@example.net"]));
    let data = got[0]["data"].as_str().expect("data");
    assert!(data.starts_with("Delivered-To: ann@ksuite.test"), "{data}");
    assert!(data.contains("Subject: One"));

    // Keeping a copy: both have it.
    let r = redirect(
        &ann,
        "ann@ksuite.test",
        json!({"targets": ["bob@ksuite.test"], "keep_copy": true}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        offer(server.smtp, "ann@ksuite.test", "Two", "")
            .await
            .starts_with("250")
    );
    assert_eq!(subjects(&ann).await, vec!["Two"]);
    assert_eq!(subjects(&bob).await.len(), 2);

    // A loop (Ann → Bob → Cy → Ann, nobody keeping copies) ends with one copy, at the
    // last address before the loop closes.
    for (who, c, to) in [
        ("ann", &ann, "bob@ksuite.test"),
        ("bob", &bob, "cy@ksuite.test"),
        ("cy", &cy, "ann@ksuite.test"),
    ] {
        let r = redirect(
            c,
            &format!("{who}@ksuite.test"),
            json!({"targets": [to], "keep_copy": false}),
        )
        .await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    assert!(
        offer(server.smtp, "ann@ksuite.test", "Loop", "")
            .await
            .starts_with("250")
    );
    let mut holders = Vec::new();
    for c in [&ann, &bob, &cy] {
        holders.push(subjects(c).await.iter().filter(|s| *s == "Loop").count());
    }
    assert_eq!(holders, vec![0, 0, 1], "kept once, by Cy");

    // A copy this server already redirected from Ann, coming back: kept, not sent again.
    let r = redirect(
        &ann,
        "ann@ksuite.test",
        json!({"targets": ["zoe@example.net"], "keep_copy": false}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let before = server.scalar("SELECT COUNT(*) FROM mail_outbox").await;
    let r = offer(
        server.smtp,
        "ann@ksuite.test",
        "Came back",
        "Delivered-To: ann@ksuite.test\r\n",
    )
    .await;
    assert!(r.starts_with("250"));
    assert!(subjects(&ann).await.contains(&"Came back".to_string()));
    assert_eq!(
        server.scalar("SELECT COUNT(*) FROM mail_outbox").await,
        before
    );

    // Ending the redirection: mail stays again.
    let r = redirect(
        &ann,
        "ann@ksuite.test",
        json!({"targets": [], "keep_copy": true}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        offer(server.smtp, "ann@ksuite.test", "Home", "")
            .await
            .starts_with("250")
    );
    assert!(subjects(&ann).await.contains(&"Home".to_string()));

    // Bad redirections are refused with a reason.
    for (body, why) in [
        (
            json!({"targets": ["ann@ksuite.test"], "keep_copy": true}),
            "itself",
        ),
        (
            json!({"targets": ["nobody"], "keep_copy": true}),
            "not an e-mail address",
        ),
        (json!({"targets": [], "keep_copy": false}), "keep the mail"),
    ] {
        let r = redirect(&ann, "ann@ksuite.test", body).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(message_of(r).await.contains(why), "{why}");
    }
}

/// Each change to team@'s aliases and redirection, as the answer statuses.
async fn writes(c: &Client, base: &str) -> Vec<StatusCode> {
    vec![
        add_alias(c, "team@ksuite.test", "squad").await.status(),
        c.send_json(
            Method::DELETE,
            &format!("{base}/aliases/crew@ksuite.test"),
            &json!({}),
        )
        .await
        .status(),
        redirect(
            c,
            "team@ksuite.test",
            json!({"targets": ["x@example.org"], "keep_copy": false}),
        )
        .await
        .status(),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn only_managers_change_aliases_and_redirections() {
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
    let base = "/api/mail/addresses/team@ksuite.test";
    assert_eq!(
        add_alias(&owner, "team@ksuite.test", "crew").await.status(),
        StatusCode::CREATED
    );

    for (who, c, read, write) in [
        ("reader", &reader, StatusCode::OK, StatusCode::FORBIDDEN),
        ("writer", &writer, StatusCode::OK, StatusCode::FORBIDDEN),
        (
            "stranger",
            &stranger,
            StatusCode::NOT_FOUND,
            StatusCode::NOT_FOUND,
        ),
        (
            "anonymous",
            &anonymous,
            StatusCode::UNAUTHORIZED,
            StatusCode::UNAUTHORIZED,
        ),
    ] {
        assert_eq!(
            c.get(&format!("{base}/routing")).await.status(),
            read,
            "{who} reads"
        );
        assert_eq!(writes(c, base).await, vec![write; 3], "{who} writes");
    }
    let kept: AddressRouting = owner
        .get(&format!("{base}/routing"))
        .await
        .json()
        .await
        .expect("routing");
    assert_eq!(kept.aliases, vec!["crew@ksuite.test"]);
    assert!(kept.redirect.targets.is_empty(), "nothing changed");
    assert_eq!(
        writes(&owner, base).await,
        vec![StatusCode::CREATED, StatusCode::NO_CONTENT, StatusCode::OK]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn aliases_and_redirections_survive_sigkill_and_restart() {
    let dir = tempfile::tempdir().expect("dir");
    let flags = ["--mail-domain", "ksuite.test"];
    let p = ServerProcess::start(dir.path(), &flags);
    let mut ann = p.client();
    ann.signup("ann@example.com", support::PASSWORD).await;
    let mut bob = p.client();
    bob.signup("bob@example.com", support::PASSWORD).await;
    assert_eq!(
        add_alias(&ann, "ann@ksuite.test", "annie").await.status(),
        StatusCode::CREATED
    );
    let r = redirect(
        &ann,
        "ann@ksuite.test",
        json!({"targets": ["bob@ksuite.test"], "keep_copy": false}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    p.crash();

    let p = ServerProcess::start(dir.path(), &flags);
    assert!(
        offer(p.smtp, "annie@ksuite.test", "After crash", "")
            .await
            .starts_with("250")
    );
    p.stop();
    let p = ServerProcess::start(dir.path(), &flags);
    assert!(
        offer(p.smtp, "annie@ksuite.test", "After restart", "")
            .await
            .starts_with("250")
    );
    let bob = p.signed_in("bob@example.com").await;
    let mut got = subjects(&bob).await;
    got.sort();
    assert_eq!(got, vec!["After crash", "After restart"]);
    p.stop();
}
