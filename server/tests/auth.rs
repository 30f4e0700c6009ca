//! Accounts: sign-up, login, throttling, logout, CSRF and profile settings.

mod support;

use ksuite_common::{ErrorBody, ErrorCode, Language, SessionInfo, Theme, UserProfile, paths};
use reqwest::StatusCode;
use serde_json::json;
use support::{PASSWORD, TestServer};

async fn error_code(resp: reqwest::Response) -> ErrorCode {
    resp.json::<ErrorBody>().await.expect("error body").code
}

#[tokio::test]
async fn signup_logs_in_and_me_returns_profile() {
    let server = TestServer::start().await;
    let mut c = server.client();
    let info = c.signup("  Alice@Example.org ", PASSWORD).await;
    assert_eq!(info.user.email, "alice@example.org");
    assert_eq!(info.user.time_zone, "Europe/Zurich");
    assert_eq!(info.user.language, Language::En);

    let resp = c.get(paths::ME).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let me: SessionInfo = resp.json().await.expect("me");
    assert_eq!(me.user.id, info.user.id);
    assert_eq!(me.csrf_token, info.csrf_token);
}

#[tokio::test]
async fn the_current_session_is_null_for_visitors_and_signed_out_browsers() {
    let server = TestServer::start().await;
    let mut c = server.client();
    // A visitor: an ordinary answer, not a 401 the browser would log as an error.
    let resp = c.get(paths::SESSION).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.json::<Option<SessionInfo>>().await.expect("json"),
        None
    );
    let info = c.signup("carol@example.org", PASSWORD).await;
    let current: Option<SessionInfo> = c.get(paths::SESSION).await.json().await.expect("json");
    let current = current.expect("signed in");
    assert_eq!(current.user.id, info.user.id);
    assert_eq!(current.csrf_token, info.csrf_token);
    // Someone else's browser sees nobody.
    let other: Option<SessionInfo> = server
        .client()
        .get(paths::SESSION)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(other, None);
    // After signing out, the same browser is a visitor again.
    assert_eq!(
        c.post(paths::LOGOUT, &json!({})).await.status(),
        StatusCode::NO_CONTENT
    );
    let after: Option<SessionInfo> = c.get(paths::SESSION).await.json().await.expect("json");
    assert_eq!(after, None);
}

#[tokio::test]
async fn session_cookie_is_http_only_and_same_site() {
    let server = TestServer::start().await;
    let c = server.client();
    let resp = c
        .post(
            paths::SIGNUP,
            &json!({"email": "c@example.org", "display_name": "C", "password": PASSWORD}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CREATED);
    let cookie = resp
        .headers()
        .get("set-cookie")
        .expect("cookie set")
        .to_str()
        .expect("ascii")
        .to_string();
    assert!(cookie.starts_with("ksuite_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
}

#[tokio::test]
async fn duplicate_signup_is_a_conflict() {
    let server = TestServer::start().await;
    server.client().signup("bob@example.org", PASSWORD).await;
    let resp = server
        .client()
        .post(
            paths::SIGNUP,
            &json!({"email": "BOB@example.org", "display_name": "Bob 2", "password": PASSWORD}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    assert_eq!(error_code(resp).await, ErrorCode::EmailTaken);
}

#[tokio::test]
async fn signup_refuses_weak_password_and_bad_email() {
    let server = TestServer::start().await;
    let c = server.client();
    let resp = c
        .post(
            paths::SIGNUP,
            &json!({"email": "d@example.org", "display_name": "D", "password": "short"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(resp).await, ErrorCode::WeakPassword);

    let resp = c
        .post(
            paths::SIGNUP,
            &json!({"email": "not-an-email", "display_name": "D", "password": PASSWORD}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_code(resp).await, ErrorCode::Validation);

    let resp = c
        .post(paths::SIGNUP, &json!({"email": "d@example.org"}))
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "missing fields");
    assert_eq!(error_code(resp).await, ErrorCode::BadRequest);
    // Nothing was created by the refused attempts.
    assert_eq!(
        c.login("d@example.org", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn login_with_right_and_wrong_password() {
    let server = TestServer::start().await;
    server.client().signup("erin@example.org", PASSWORD).await;

    let c = server.client();
    let resp = c.login("erin@example.org", "wrong password here").await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(resp).await, ErrorCode::InvalidCredentials);
    assert_eq!(c.get(paths::ME).await.status(), StatusCode::UNAUTHORIZED);

    let resp = c.login("Erin@Example.org", PASSWORD).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let info: SessionInfo = resp.json().await.expect("info");
    assert_eq!(info.user.email, "erin@example.org");
    assert_eq!(c.get(paths::ME).await.status(), StatusCode::OK);

    // Unknown accounts answer exactly like a wrong password.
    let resp = c.login("nobody@example.org", PASSWORD).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(resp).await, ErrorCode::InvalidCredentials);
}

#[tokio::test]
async fn login_is_throttled_after_repeated_failures() {
    let server = TestServer::start_with(|c| c.login_max_failures = 3).await;
    server.client().signup("frank@example.org", PASSWORD).await;
    let c = server.client();
    for _ in 0..3 {
        assert_eq!(
            c.login("frank@example.org", "guess guess guess")
                .await
                .status(),
            StatusCode::UNAUTHORIZED
        );
    }
    // Even the right password is refused while throttled, so guessing gains nothing.
    let resp = c.login("frank@example.org", PASSWORD).await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = resp
        .headers()
        .get("retry-after")
        .expect("retry-after")
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!(retry > 0 && retry <= 15 * 60);
    assert_eq!(error_code(resp).await, ErrorCode::TooManyAttempts);
}

#[tokio::test]
async fn logout_revokes_the_session_server_side() {
    let server = TestServer::start().await;
    let mut c = server.client();
    c.signup("gina@example.org", PASSWORD).await;

    // Copy the session cookie into a second client, as a thief would.
    let resp = c.login("gina@example.org", PASSWORD).await;
    let cookie = resp
        .headers()
        .get("set-cookie")
        .expect("cookie")
        .to_str()
        .expect("ascii")
        .to_string();
    let info: SessionInfo = resp.json().await.expect("info");
    c.csrf = Some(info.csrf_token);
    let token = cookie.split(';').next().expect("pair").to_string();
    let thief = reqwest::Client::new();
    let me = thief
        .get(server.url(paths::ME))
        .header("cookie", &token)
        .send()
        .await
        .expect("get");
    assert_eq!(me.status(), StatusCode::OK);

    assert_eq!(
        c.post(paths::LOGOUT, &json!({})).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(c.get(paths::ME).await.status(), StatusCode::UNAUTHORIZED);
    let me = thief
        .get(server.url(paths::ME))
        .header("cookie", &token)
        .send()
        .await
        .expect("get");
    assert_eq!(
        me.status(),
        StatusCode::UNAUTHORIZED,
        "the copied cookie is dead too"
    );
}

#[tokio::test]
async fn state_changing_requests_need_the_csrf_token() {
    let server = TestServer::start().await;
    let mut c = server.client();
    c.signup("hank@example.org", PASSWORD).await;
    let token = c.csrf.take().expect("token");

    let resp = c
        .send_json(
            reqwest::Method::PATCH,
            paths::PROFILE,
            &json!({"display_name": "Evil"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(resp).await, ErrorCode::CsrfFailed);
    let resp = c.post(paths::LOGOUT, &json!({})).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);

    c.csrf = Some("wrong-token".into());
    let resp = c
        .send_json(
            reqwest::Method::PATCH,
            paths::PROFILE,
            &json!({"display_name": "Evil"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);

    // A right token from a foreign origin is still refused.
    let resp = c
        .http
        .patch(c.url(paths::PROFILE))
        .header(paths::CSRF_HEADER, &token)
        .header("origin", "https://evil.example")
        .json(&json!({"display_name": "Evil"}))
        .send()
        .await
        .expect("patch");
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);

    let me: SessionInfo = c.get(paths::ME).await.json().await.expect("me");
    assert_eq!(me.user.display_name, "Test User", "nothing changed");

    c.csrf = Some(token);
    let resp = c
        .send_json(
            reqwest::Method::PATCH,
            paths::PROFILE,
            &json!({"display_name": "Hank"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
}

#[tokio::test]
async fn me_without_a_session_is_401() {
    let server = TestServer::start().await;
    let resp = server.client().get(paths::ME).await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(resp).await, ErrorCode::Unauthorized);
    let resp = reqwest::Client::new()
        .get(server.url(paths::ME))
        .header("cookie", "ksuite_session=forged")
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn profile_settings_update_and_validate() {
    let server = TestServer::start().await;
    let mut c = server.client();
    c.signup("ivy@example.org", PASSWORD).await;
    let resp = c
        .send_json(
            reqwest::Method::PATCH,
            paths::PROFILE,
            &json!({"display_name": " Ivy ", "language": "fr", "time_zone": "America/New_York", "theme": "dark"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let p: UserProfile = resp.json().await.expect("profile");
    assert_eq!(p.display_name, "Ivy");
    assert_eq!(p.language, Language::Fr);
    assert_eq!(p.time_zone, "America/New_York");
    assert_eq!(p.theme, Theme::Dark);

    let resp = c
        .send_json(
            reqwest::Method::PATCH,
            paths::PROFILE,
            &json!({"time_zone": "Mars/Olympus"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let resp = c
        .send_json(
            reqwest::Method::PATCH,
            paths::PROFILE,
            &json!({"language": "xx"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let me: SessionInfo = c.get(paths::ME).await.json().await.expect("me");
    assert_eq!(
        me.user.time_zone, "America/New_York",
        "refused updates change nothing"
    );

    let zones: Vec<String> = c.get(paths::TIME_ZONES).await.json().await.expect("zones");
    assert!(zones.iter().any(|z| z == "Europe/Zurich"));
    assert!(zones.windows(2).all(|w| w[0] <= w[1]), "sorted");
}

#[tokio::test]
async fn users_cannot_see_each_other() {
    let server = TestServer::start().await;
    let mut a = server.client();
    let mut b = server.client();
    let ia = a.signup("jo@example.org", PASSWORD).await;
    let ib = b.signup("kim@example.org", PASSWORD).await;
    let ma: SessionInfo = a.get(paths::ME).await.json().await.expect("me");
    let mb: SessionInfo = b.get(paths::ME).await.json().await.expect("me");
    assert_eq!(ma.user.id, ia.user.id);
    assert_eq!(mb.user.id, ib.user.id);
    assert_ne!(ma.csrf_token, mb.csrf_token);
    // A's token does not authorise B's session.
    b.csrf = Some(ma.csrf_token);
    let resp = b
        .send_json(
            reqwest::Method::PATCH,
            paths::PROFILE,
            &json!({"display_name": "X"}),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread")]
async fn parallel_guesses_get_only_the_allowed_checks_and_devices_keep_working() {
    let server = TestServer::start_with(|c| c.login_max_failures = 5).await;
    server.client().signup("gina@example.org", PASSWORD).await;
    let attacker = server.client();
    let guesses = (0..60).map(|i| {
        let c = &attacker;
        async move {
            c.login("gina@example.org", &format!("guess number {i}"))
                .await
                .status()
        }
    });
    let statuses = futures::future::join_all(guesses).await;
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(
        checked, 5,
        "only as many real checks as the limit: {statuses:?}"
    );
    assert_eq!(refused, 55);
    // The web login waits now, but the owner's device (HTTP Basic) is not locked out.
    assert_eq!(
        attacker.login("gina@example.org", PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    let dav = reqwest::Client::new()
        .request(
            reqwest::Method::from_bytes(b"PROPFIND").expect("method"),
            server.url("/dav/"),
        )
        .basic_auth("gina@example.org", Some(PASSWORD))
        .header("Depth", "0")
        .send()
        .await
        .expect("propfind");
    assert_eq!(dav.status(), StatusCode::MULTI_STATUS);
}

#[tokio::test(flavor = "multi_thread")]
async fn behind_a_trusted_proxy_each_client_is_throttled_alone() {
    let server = TestServer::start_with(|c| {
        c.login_max_failures = 2;
        c.trusted_proxies = "127.0.0.1".into();
    })
    .await;
    server.client().signup("hugo@example.org", PASSWORD).await;
    let c = server.client();
    let login_from = |xff: &'static str, email: String, password: &'static str| {
        c.http
            .post(c.url(paths::LOGIN))
            .header("x-forwarded-for", xff)
            .json(&json!({"email": email, "password": password}))
            .send()
    };
    // One client fails 8 times (4 × the per-account limit) over many accounts…
    for i in 0..8 {
        let r = login_from("198.51.100.1", format!("nobody{i}@example.org"), "x")
            .await
            .expect("login");
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = login_from("198.51.100.1", "other@example.org".into(), "x")
        .await
        .expect("login");
    assert_eq!(
        r.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "that client waits"
    );
    // …and everyone else behind the same proxy still signs in.
    let r = login_from("203.0.113.7", "hugo@example.org".into(), PASSWORD)
        .await
        .expect("login");
    assert_eq!(r.status(), StatusCode::OK);

    // Without trusted proxies the header is ignored: it cannot be used to dodge the limit.
    let server = TestServer::start_with(|c| c.login_max_failures = 2).await;
    let c = server.client();
    for i in 0..8 {
        let r = c
            .http
            .post(c.url(paths::LOGIN))
            .header("x-forwarded-for", format!("192.0.2.{i}"))
            .json(&json!({"email": format!("n{i}@example.org"), "password": "x"}))
            .send()
            .await
            .expect("login");
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = c.login("n9@example.org", "x").await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test(flavor = "multi_thread")]
async fn signups_are_throttled_per_address() {
    let server = TestServer::start_with(|c| c.signup_max_per_ip = 3).await;
    for i in 0..3 {
        server
            .client()
            .signup(&format!("s{i}@example.org"), PASSWORD)
            .await;
    }
    let r = server
        .client()
        .post(
            paths::SIGNUP,
            &json!({"email": "s9@example.org", "display_name": "S", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().contains_key("retry-after"));
    assert_eq!(error_code(r).await, ErrorCode::TooManyAttempts);
}
