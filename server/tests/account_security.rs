//! Settings → Security and Administration → Users: password change, active sessions,
//! sign-up policy with invitations, role addresses kept from sign-up, per-user sending
//! limits, and the administrators' view of accounts — each with its permission matrix.

mod support;

use ksuite_common::{
    ActiveSession, AdminUser, ErrorBody, ErrorCode, Invitation, MailAddress, Plan, SessionInfo,
    paths,
};
use reqwest::{Method, StatusCode};
use serde_json::json;
use support::{Client, PASSWORD, TestServer, signed_in};

const NEW_PASSWORD: &str = "a much better passphrase 2026";

async fn sessions(c: &Client) -> Vec<ActiveSession> {
    let r = c.get(paths::SESSIONS).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.expect("sessions")
}

async fn logged_in(server: &TestServer, email: &str, password: &str) -> Client {
    let mut c = server.client();
    let r = c.login(email, password).await;
    assert_eq!(r.status(), StatusCode::OK, "login {email}");
    let info: SessionInfo = r.json().await.expect("session");
    c.csrf = Some(info.csrf_token);
    c
}

#[tokio::test(flavor = "multi_thread")]
async fn password_change_and_sessions() {
    let server = TestServer::start().await;
    let laptop = signed_in(&server, "ann@example.org").await;
    let phone = logged_in(&server, "ann@example.org", PASSWORD).await;
    let tablet = logged_in(&server, "ann@example.org", PASSWORD).await;
    let other = signed_in(&server, "bob@example.org").await;

    let list = sessions(&laptop).await;
    assert_eq!(list.len(), 3);
    assert_eq!(list.iter().filter(|s| s.current).count(), 1);
    // Someone else's session cannot be ended (it looks missing).
    let bob_session = sessions(&other).await[0].id;
    let r = laptop
        .send_json(
            Method::DELETE,
            &format!("{}/{bob_session}", paths::SESSIONS),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(other.get(paths::ME).await.status(), StatusCode::OK);
    // End the tablet's session from the laptop.
    let tablet_id = sessions(&tablet)
        .await
        .into_iter()
        .find(|s| s.current)
        .expect("current")
        .id;
    let r = laptop
        .send_json(
            Method::DELETE,
            &format!("{}/{tablet_id}", paths::SESSIONS),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        tablet.get(paths::ME).await.status(),
        StatusCode::UNAUTHORIZED
    );

    // A wrong current password changes nothing; a weak new one is refused.
    let r = laptop
        .post(
            paths::PASSWORD,
            &json!({"current_password": "not it at all", "new_password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = laptop
        .post(
            paths::PASSWORD,
            &json!({"current_password": PASSWORD, "new_password": "short"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Anonymous clients can neither list nor end sessions.
    let anonymous = server.client();
    assert_eq!(
        anonymous.get(paths::SESSIONS).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let r = anonymous
        .send_json(
            Method::DELETE,
            &format!("{}/{bob_session}", paths::SESSIONS),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // Anonymous, and without the CSRF token: refused.
    let r = server
        .client()
        .post(
            paths::PASSWORD,
            &json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // The change signs every other session out.
    let r = laptop
        .post(
            paths::PASSWORD,
            &json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(laptop.get(paths::ME).await.status(), StatusCode::OK);
    assert_eq!(
        phone.get(paths::ME).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        server
            .client()
            .login("ann@example.org", PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let again = logged_in(&server, "ann@example.org", NEW_PASSWORD).await;
    // "Sign out everywhere else".
    let r = again.post(paths::SIGN_OUT_OTHERS, &json!({})).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        laptop.get(paths::ME).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(again.get(paths::ME).await.status(), StatusCode::OK);
    assert_eq!(sessions(&again).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn role_addresses_are_not_given_at_sign_up() {
    let server = TestServer::start_with(|c| c.mail_domain = Some("ksuite.test".into())).await;
    let _admin = signed_in(&server, "owner@example.org").await;
    for role in ["postmaster", "Abuse", "hostmaster", "webmaster", "admin"] {
        let c = signed_in(&server, &format!("{role}@elsewhere.org")).await;
        let addresses: Vec<MailAddress> = c
            .get("/api/mail/addresses")
            .await
            .json()
            .await
            .expect("addresses");
        assert_eq!(addresses.len(), 1);
        let got = &addresses[0].address;
        assert_eq!(got, &format!("{}2@ksuite.test", role.to_lowercase()));
        assert_eq!(addresses[0].permission, "manage");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn invitations_and_the_sign_up_policy() {
    let server = TestServer::start_with(|c| {
        c.signup = ksuite_server::config::SignupMode::Invite;
    })
    .await;
    // The first account is always allowed: it administers the server.
    let admin = signed_in(&server, "admin-person@example.org").await;
    let signup = |email: &'static str, invitation: Option<String>| {
        let c = server.client();
        async move {
            c.post(
                paths::SIGNUP,
                &json!({"email": email, "display_name": "N", "password": PASSWORD, "invitation": invitation}),
            )
            .await
        }
    };
    let r = signup("walkin@example.org", None).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let err: ErrorBody = r.json().await.expect("error");
    assert_eq!(err.code, ErrorCode::InvitationRequired);
    let r = signup("walkin@example.org", Some("made-up-code".into())).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Only administrators invite.
    let r = admin.post(paths::ADMIN_INVITATIONS, &json!({})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let open: Invitation = r.json().await.expect("invitation");
    let code = open.code.clone().expect("code shown once");
    let r = admin
        .post(
            paths::ADMIN_INVITATIONS,
            &json!({"email": "only.her@example.org"}),
        )
        .await;
    let personal: Invitation = r.json().await.expect("invitation");
    let listed: Vec<Invitation> = admin
        .get(paths::ADMIN_INVITATIONS)
        .await
        .json()
        .await
        .expect("list");
    assert_eq!(listed.len(), 2);
    assert!(
        listed.iter().all(|i| i.code.is_none()),
        "codes are not listed"
    );

    // An invitation works once; a personal one only for its address.
    let r = signup("guest@example.org", Some(code.clone())).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = signup("second@example.org", Some(code)).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let personal_code = personal.code.expect("code");
    let r = signup("someone.else@example.org", Some(personal_code.clone())).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = signup("only.her@example.org", Some(personal_code)).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let guest = logged_in(&server, "guest@example.org", PASSWORD).await;
    assert_eq!(
        guest
            .post(paths::ADMIN_INVITATIONS, &json!({}))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        server.client().get(paths::ADMIN_INVITATIONS).await.status(),
        StatusCode::UNAUTHORIZED
    );
    // Withdrawing is for administrators too (a used invitation stays as the record).
    let withdraw = format!("{}/{}", paths::ADMIN_INVITATIONS, personal.id);
    let r = guest.send_json(Method::DELETE, &withdraw, &json!({})).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = server
        .client()
        .send_json(Method::DELETE, &withdraw, &json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = admin.send_json(Method::DELETE, &withdraw, &json!({})).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // A closed server takes nobody after its first account.
    let closed =
        TestServer::start_with(|c| c.signup = ksuite_server::config::SignupMode::Closed).await;
    signed_in(&closed, "first@example.org").await;
    let r = closed
        .client()
        .post(
            paths::SIGNUP,
            &json!({"email": "x@example.org", "display_name": "X", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread")]
async fn administrators_manage_accounts() {
    let server = TestServer::start().await;
    let admin = signed_in(&server, "root-person@example.org").await;
    let bob = signed_in(&server, "bob@example.org").await;
    let anonymous = server.client();
    let users: Vec<AdminUser> = admin
        .get(paths::ADMIN_USERS)
        .await
        .json()
        .await
        .expect("users");
    assert_eq!(users.len(), 2);
    let bob_id = users
        .iter()
        .find(|u| u.email == "bob@example.org")
        .expect("bob")
        .id;
    let admin_id = users.iter().find(|u| u.is_admin).expect("admin").id;
    let path = format!("{}/{bob_id}", paths::ADMIN_USERS);

    // Non-administrators and anonymous clients can neither list nor change.
    assert_eq!(
        bob.get(paths::ADMIN_USERS).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        anonymous.get(paths::ADMIN_USERS).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let r = bob
        .send_json(Method::PATCH, &path, &json!({"plan": "business"}))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Plans (no more SQL), and a second administrator.
    let r = admin
        .send_json(
            Method::PATCH,
            &path,
            &json!({"plan": "business", "is_admin": true}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let changed: AdminUser = r.json().await.expect("user");
    assert_eq!(changed.plan, Plan::Business);
    assert!(changed.is_admin);
    let me: SessionInfo = bob.get(paths::ME).await.json().await.expect("me");
    assert_eq!(me.user.plan, Plan::Business);
    assert_eq!(bob.get(paths::ADMIN_USERS).await.status(), StatusCode::OK);

    // Nobody removes their own rights or disables themselves; the last admin stays.
    let own = format!("{}/{admin_id}", paths::ADMIN_USERS);
    let r = admin
        .send_json(Method::PATCH, &own, &json!({"is_admin": false}))
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let r = admin
        .send_json(Method::PATCH, &path, &json!({"is_admin": false}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);

    // Disabling signs the account out everywhere, web and devices.
    let r = admin
        .send_json(Method::PATCH, &path, &json!({"disabled": true}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(bob.get(paths::ME).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        server
            .client()
            .login("bob@example.org", PASSWORD)
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let dav = support::Dav::new(&server, "bob@example.org", PASSWORD);
    assert_eq!(
        dav.propfind("/dav/", "0", "<d:current-user-principal/>")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let r = admin
        .send_json(Method::PATCH, &path, &json!({"disabled": false}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    logged_in(&server, "bob@example.org", PASSWORD).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sending_is_limited_per_user_and_hour() {
    let server = TestServer::start_with(|c| {
        c.mail_domain = Some("ksuite.test".into());
        c.send_max_recipients_per_hour = 5;
    })
    .await;
    let ann = signed_in(&server, "ann@example.org").await;
    let bob = signed_in(&server, "bob@example.org").await;
    let to = |n: usize| (0..n).map(|_| "bob@ksuite.test").collect::<Vec<_>>();
    let msg =
        |from: &str, n: usize| json!({"from": from, "to": to(n), "subject": "hi", "text": "x"});
    assert_eq!(
        ann.post("/api/mail/send", &msg("ann@ksuite.test", 3))
            .await
            .status(),
        StatusCode::CREATED
    );
    let r = ann.post("/api/mail/send", &msg("ann@ksuite.test", 3)).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let err: ErrorBody = r.json().await.expect("error");
    assert!(err.message.contains("per hour"), "{}", err.message);
    assert_eq!(
        ann.post("/api/mail/send", &msg("ann@ksuite.test", 2))
            .await
            .status(),
        StatusCode::CREATED
    );
    // Bob has his own allowance.
    assert_eq!(
        bob.post("/api/mail/send", &msg("bob@ksuite.test", 1))
            .await
            .status(),
        StatusCode::CREATED
    );
}
