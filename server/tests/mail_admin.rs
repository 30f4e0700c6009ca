//! Address administration: the first account administers the server, creates shared
//! addresses, gives other users read / send-as / manage access, and deletes an address
//! with its content only once confirmed.

mod support;

use ksuite_common::{AdminAddress, MailFolder, SessionInfo};
use reqwest::StatusCode;
use serde_json::json;
use support::{TestServer, signed_in};

#[tokio::test(flavor = "multi_thread")]
async fn admins_create_share_and_delete_addresses() {
    let server = TestServer::start_with(|c| c.mail_domain = Some("ksuite.test".into())).await;
    let admin = signed_in(&server, "boss@example.com").await;
    let bob = signed_in(&server, "bob@example.com").await;
    let cat = signed_in(&server, "cat@example.com").await;
    let me: SessionInfo = admin.get("/api/me").await.json().await.expect("me");
    assert!(me.user.is_admin, "the first account administers the server");
    let bob_me: SessionInfo = bob.get("/api/me").await.json().await.expect("me");
    assert!(!bob_me.user.is_admin);
    assert_eq!(
        bob.get("/api/admin/mail/addresses").await.status(),
        StatusCode::FORBIDDEN
    );
    let r = bob
        .post("/api/admin/mail/addresses", &json!({"address": "x"}))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Create: a bare local part lands in the mail domain; other domains and clashes refused.
    let r = admin
        .post("/api/admin/mail/addresses", &json!({"address": "Team"}))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let team: AdminAddress = r.json().await.expect("address");
    assert_eq!(team.address, "team@ksuite.test");
    assert!(team.users.is_empty());
    let r = admin
        .post(
            "/api/admin/mail/addresses",
            &json!({"address": "team@ksuite.test"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let r = admin
        .post(
            "/api/admin/mail/addresses",
            &json!({"address": "team@elsewhere.org"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = admin
        .post(
            "/api/admin/mail/addresses",
            &json!({"address": "no spaces"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Bob may send as it, Cat may only read it.
    let grant = |email: &str, permission: &str| json!({"email": email, "permission": permission});
    let path = format!("/api/admin/mail/addresses/{}/users", team.id);
    for (who, perm) in [("bob@example.com", "send"), ("cat@example.com", "read")] {
        let r = admin
            .send_json(reqwest::Method::PUT, &path, &grant(who, perm))
            .await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    let r = admin
        .send_json(
            reqwest::Method::PUT,
            &path,
            &grant("nobody@example.com", "read"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = admin
        .send_json(
            reqwest::Method::PUT,
            &path,
            &grant("cat@example.com", "owner"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // One unified view: Bob sees both his own address and the team's folders.
    let folders: Vec<MailFolder> = bob
        .get("/api/mail/folders")
        .await
        .json()
        .await
        .expect("folders");
    let mut addresses: Vec<&str> = folders.iter().map(|f| f.address.as_str()).collect();
    addresses.dedup();
    assert_eq!(addresses, ["bob@ksuite.test", "team@ksuite.test"]);

    let msg = json!({"from": "team@ksuite.test", "to": ["boss@ksuite.test"], "subject": "From the team", "text": "Hi"});
    assert_eq!(
        bob.post("/api/mail/send", &msg).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(
        cat.post("/api/mail/send", &msg).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // Mail to the team reaches both.
    let to_team = json!({"from": "boss@ksuite.test", "to": ["team@ksuite.test"], "subject": "Hello team", "text": "Hi"});
    assert_eq!(
        admin.post("/api/mail/send", &to_team).await.status(),
        StatusCode::CREATED
    );
    let list: Vec<AdminAddress> = admin
        .get("/api/admin/mail/addresses")
        .await
        .json()
        .await
        .expect("list");
    let team_now = list.iter().find(|a| a.id == team.id).expect("team");
    // Bob's sent copy + the message from the boss.
    assert_eq!(team_now.messages, 2);
    assert_eq!(team_now.users.len(), 2);

    // Revoke Cat; delete only with the address typed again.
    let cat_id = team_now
        .users
        .iter()
        .find(|u| u.email == "cat@example.com")
        .expect("cat")
        .user_id;
    let r = admin
        .send_json(
            reqwest::Method::DELETE,
            &format!("{path}/{cat_id}"),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let folders: Vec<MailFolder> = cat
        .get("/api/mail/folders")
        .await
        .json()
        .await
        .expect("folders");
    assert!(folders.iter().all(|f| f.address == "cat@ksuite.test"));
    let base = format!("/api/admin/mail/addresses/{}", team.id);
    let r = admin
        .send_json(
            reqwest::Method::DELETE,
            &format!("{base}?confirm=wrong"),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = admin
        .send_json(
            reqwest::Method::DELETE,
            &format!("{base}?confirm=team@ksuite.test"),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let folders: Vec<MailFolder> = bob
        .get("/api/mail/folders")
        .await
        .json()
        .await
        .expect("folders");
    assert!(folders.iter().all(|f| f.address == "bob@ksuite.test"));
    // The boss's own copy in Sent is untouched.
    let boss: Vec<MailFolder> = admin
        .get("/api/mail/folders")
        .await
        .json()
        .await
        .expect("folders");
    let sent = boss
        .iter()
        .find(|f| f.role.as_deref() == Some("sent"))
        .expect("sent");
    assert_eq!(sent.total, 1);
}
