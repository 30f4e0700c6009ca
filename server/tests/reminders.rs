//! Reminders end to end: a real scheduler inside a real server, a test clock instead of
//! sleeping, and real receivers on loopback (a chat webhook, a push service whose
//! payloads the test decrypts with the browser's keys, the user's own mailbox).

mod support;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ksuite_common::{PushPayload, VapidPublicKey};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{
    Client, Receiver, ServerProcess, TestClock, TestServer, default_calendar_id, signed_in,
};

/// Monday 7 January 2030, 08:00 UTC.
const T0: i64 = 1_894_003_200;

async fn server_with_clock() -> (TestServer, TestClock, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("dir");
    let clock = TestClock::new(dir.path(), T0);
    let path = clock.path.clone();
    let server = TestServer::start_with(move |c| c.test_clock_file = Some(path)).await;
    (server, clock, dir)
}

async fn create_webhook(c: &Client, url: &str, template: &str) -> i64 {
    let res = c
        .post(
            "/api/webhooks",
            &json!({"name": "Team chat", "url": url, "template": template, "format": "slack"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json::<Value>().await.expect("json")["id"]
        .as_i64()
        .expect("id")
}

async fn create_event(
    c: &Client,
    calendar: i64,
    title: &str,
    start: &str,
    reminders: Value,
) -> Value {
    let res = c
        .post(
            &format!("/api/calendars/{calendar}/events"),
            &json!({"title": title, "start": start, "end": start.replace("T09", "T10"),
                    "time_zone": "UTC", "location": "Room 4", "reminders": reminders}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "{:?}", res.text().await);
    res.json().await.expect("json")
}

/// The `text` of a chat message a receiver got.
fn text_of(r: &support::Received) -> String {
    serde_json::from_slice::<Value>(&r.body).expect("json")["text"]
        .as_str()
        .expect("text")
        .to_string()
}

/// A browser's push subscription: its keys stay here to decrypt what arrives.
struct Browser {
    keys: Box<dyn ece::LocalKeyPair>,
    auth: [u8; 16],
}

impl Browser {
    fn new() -> Browser {
        let (keys, auth) = ece::generate_keypair_and_auth_secret().expect("keys");
        Browser { keys, auth }
    }

    async fn subscribe(&self, c: &Client, endpoint: &str) -> reqwest::Response {
        c.post(
            "/api/push/subscriptions",
            &json!({"endpoint": endpoint, "keys": {
                "p256dh": URL_SAFE_NO_PAD.encode(self.keys.pub_as_raw().expect("raw")),
                "auth": URL_SAFE_NO_PAD.encode(self.auth)}}),
        )
        .await
    }

    /// A new browser whose subscription the server accepted.
    async fn subscribed(c: &Client, endpoint: &str) -> Browser {
        let browser = Browser::new();
        assert_eq!(
            browser.subscribe(c, endpoint).await.status(),
            StatusCode::CREATED
        );
        browser
    }

    fn open(&self, body: &[u8]) -> PushPayload {
        let plain = ece::decrypt(
            &self.keys.raw_components().expect("components"),
            &self.auth,
            body,
        )
        .expect("the payload decrypts with the browser's keys (RFC 8291)");
        serde_json::from_slice(&plain).expect("payload json")
    }
}

#[tokio::test]
async fn webhook_email_and_push_reminders_fire_once_each_at_their_time() {
    let (server, clock, _dir) = server_with_clock().await;
    let chat = Receiver::start().await;
    let push = Receiver::start().await;
    let alice = signed_in(&server, "alice@example.com").await;
    let cal = default_calendar_id(&alice).await;
    let hook = create_webhook(
        &alice,
        &format!("{}/hooks/abc", chat.base),
        "Don't forget %subject% on %date% at %location%",
    )
    .await;
    let browser = Browser::subscribed(&alice, &format!("{}/push/1", push.base)).await;
    let key: VapidPublicKey = alice
        .get("/api/push/vapid-public-key")
        .await
        .json()
        .await
        .expect("key");

    let event = create_event(
        &alice,
        cal,
        "Design review",
        "2030-01-07T09:00",
        json!([
            {"before_minutes": 30, "channel": "webhook", "webhook_id": hook},
            {"before_minutes": 15, "channel": "notification"},
            {"before_minutes": 15, "channel": "email"},
        ]),
    )
    .await;
    assert_eq!(event["reminders"].as_array().expect("list").len(), 3);

    // 08:20: nothing is due yet.
    clock.set(T0 + 20 * 60);
    server
        .wait_until(
            "SELECT COUNT(*) FROM reminder_schedule WHERE next_due > 0",
            1,
        )
        .await;
    assert!(chat.all().is_empty() && push.all().is_empty());

    // 08:31: the webhook's reminder (08:30) goes out, rendered from the template.
    clock.set(T0 + 31 * 60);
    let got = chat.wait_for(1).await;
    let body: Value = serde_json::from_slice(&got[0].body).expect("json");
    assert_eq!(
        body["text"],
        "Don't forget Design review on Monday 7 January 2030, 10:00 at Room 4"
    );
    assert_eq!(got[0].headers["content-type"], "application/json");
    assert!(!got[0].headers["idempotency-key"].is_empty());
    assert!(push.all().is_empty(), "the notification is due at 08:45");

    // 08:46: the notification (encrypted for the browser, signed with our VAPID key)
    // and the e-mail.
    clock.set(T0 + 46 * 60);
    let pushed = push.wait_for(1).await;
    let p = &pushed[0];
    assert_eq!(p.path, "/push/1");
    assert_eq!(p.headers["content-encoding"], "aes128gcm");
    assert_eq!(p.headers["urgency"], "high");
    assert!(p.headers["ttl"].parse::<u32>().expect("ttl") > 0);
    let auth = &p.headers["authorization"];
    assert!(auth.starts_with("vapid t="), "{auth}");
    assert!(
        auth.contains(&format!("k={}", key.key)),
        "signed with the advertised key"
    );
    let jwt = auth
        .split("t=")
        .nth(1)
        .and_then(|r| r.split(',').next())
        .expect("jwt");
    let claims: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(jwt.split('.').nth(1).expect("claims"))
            .expect("b64"),
    )
    .expect("claims json");
    assert_eq!(
        claims["aud"], push.base,
        "the JWT audience is the push service's origin"
    );
    assert!(claims["sub"].as_str().expect("sub").starts_with("mailto:"));
    let payload = browser.open(&p.body);
    assert_eq!(payload.title, "Design review");
    assert!(
        payload.body.contains("10:00") && payload.body.contains("Room 4"),
        "{}",
        payload.body
    );
    assert!(payload.url.starts_with("/calendar"));
    let token = payload.token.clone().expect("a snooze token");
    server
        .wait_until(
            "SELECT COUNT(*) FROM messages WHERE subject = 'Reminder: Design review'",
            1,
        )
        .await;

    // Later passes send nothing twice.
    clock.set(T0 + 3 * 3600);
    server
        .wait_until(
            "SELECT COUNT(*) FROM reminder_deliveries WHERE state = 'sent'",
            3,
        )
        .await;
    server
        .wait_until(
            "SELECT COUNT(*) FROM reminder_schedule WHERE next_due IS NULL",
            1,
        )
        .await;
    assert_eq!(chat.all().len(), 1);
    assert_eq!(push.all().len(), 1);

    // "Snooze 10 min" from the notification, without a session: one more push.
    let anonymous = server.client();
    let res = anonymous
        .post(
            &format!("/api/reminders/{token}/snooze"),
            &json!({"minutes": 10}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    // Clicking twice snoozes once.
    let res = anonymous
        .post(
            &format!("/api/reminders/{token}/snooze"),
            &json!({"minutes": 10}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    clock.set(T0 + 3 * 3600 + 11 * 60);
    let pushed = push.wait_for(2).await;
    assert_eq!(browser.open(&pushed[1].body).title, "Design review");
    server
        .wait_until(
            "SELECT COUNT(*) FROM reminder_deliveries WHERE state = 'sent'",
            4,
        )
        .await;
    assert_eq!(push.all().len(), 2);
    // A token that was never given out snoozes nothing.
    let res = anonymous
        .post("/api/reminders/not-a-token/snooze", &json!({"minutes": 10}))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn recurring_reminders_follow_moves_and_exdates_and_late_ones_are_marked() {
    let (server, clock, _dir) = server_with_clock().await;
    let chat = Receiver::start().await;
    let alice = signed_in(&server, "alice@example.com").await;
    let cal = default_calendar_id(&alice).await;
    let hook = create_webhook(&alice, &format!("{}/h", chat.base), "%subject% %date%").await;
    let res = alice
        .post(
            &format!("/api/calendars/{cal}/events"),
            &json!({"title": "Standup", "start": "2030-01-07T09:00", "end": "2030-01-07T09:15",
                    "time_zone": "UTC", "rrule": "FREQ=DAILY;COUNT=5",
                    "reminders": [{"before_minutes": 10, "channel": "webhook", "webhook_id": hook}]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let event: Value = res.json().await.expect("json");
    let (uid, etag) = (
        event["uid"].as_str().expect("uid"),
        event["etag"].as_str().expect("etag"),
    );
    // Tuesday's occurrence is cancelled, Wednesday's moved to 14:00.
    let res = alice
        .http
        .delete(alice.url(&format!(
            "/api/calendars/{cal}/events/{uid}/occurrences/20300108T090000Z"
        )))
        .header("if-match", etag)
        .header("x-csrf-token", alice.csrf.clone().expect("csrf"))
        .send()
        .await
        .expect("delete");
    assert_eq!(res.status(), StatusCode::OK);
    let etag = res.headers()["etag"].to_str().expect("etag").to_string();
    let res = alice
        .http
        .put(alice.url(&format!("/api/calendars/{cal}/events/{uid}/occurrences/20300109T090000Z")))
        .header("if-match", etag)
        .header("x-csrf-token", alice.csrf.clone().expect("csrf"))
        .json(&json!({"title": "Standup (moved)", "start": "2030-01-09T14:00", "end": "2030-01-09T14:15", "time_zone": "UTC"}))
        .send()
        .await
        .expect("put");
    assert_eq!(res.status(), StatusCode::OK);

    // The server was "down" until Wednesday 13:55: Monday's and Tuesday's are more than
    // the grace period (1 h) old and missed; Wednesday's moved one is due right now.
    clock.set(T0 + 2 * 86_400 + 5 * 3600 + 55 * 60);
    server
        .wait_until(
            "SELECT COUNT(*) FROM reminder_deliveries WHERE state = 'sent'",
            1,
        )
        .await;
    let got = chat.wait_for(1).await;
    let text = text_of(&got[0]);
    assert_eq!(text, "Standup (moved) Wednesday 9 January 2030, 15:00");
    server
        .wait_until(
            "SELECT COUNT(*) FROM reminder_deliveries WHERE state = 'missed'",
            1,
        )
        .await;
    // Thursday 09:20: Thursday's reminder (08:50) is 30 min late: sent, within the grace.
    clock.set(T0 + 3 * 86_400 + 80 * 60);
    let got = chat.wait_for(2).await;
    let text = text_of(&got[1]);
    assert_eq!(text, "Standup Thursday 10 January 2030, 10:00");
    // Friday 08:51: Friday's, on time.
    clock.set(T0 + 4 * 86_400 + 51 * 60);
    chat.wait_for(3).await;
    clock.set(T0 + 10 * 86_400);
    server
        .wait_until(
            "SELECT COUNT(*) FROM reminder_schedule WHERE next_due IS NULL",
            1,
        )
        .await;
    server
        .wait_until(
            "SELECT COUNT(*) FROM reminder_deliveries WHERE state = 'sent'",
            3,
        )
        .await;
    assert_eq!(
        chat.all().len(),
        3,
        "Mon missed, Tue excluded, Wed moved, Thu late, Fri"
    );
    assert_eq!(
        server
            .scalar("SELECT COUNT(*) FROM reminder_deliveries WHERE due_at = 1894089000")
            .await,
        0,
        "no reminder for the cancelled Tuesday"
    );
}

#[tokio::test]
async fn shared_calendars_keep_each_users_reminders_to_themselves() {
    let (server, clock, _dir) = server_with_clock().await;
    let chat = Receiver::start().await;
    let alice = signed_in(&server, "alice@example.com").await;
    let writer = signed_in(&server, "writer@example.com").await;
    let reader = signed_in(&server, "reader@example.com").await;
    let stranger = signed_in(&server, "stranger@example.com").await;
    let cal = default_calendar_id(&alice).await;
    for (who, access) in [
        ("writer@example.com", "read_write"),
        ("reader@example.com", "read"),
    ] {
        let res = alice
            .send_json(
                reqwest::Method::PUT,
                &format!("/api/calendars/{cal}/shares"),
                &json!({"email": who, "access": access}),
            )
            .await;
        assert!(res.status().is_success(), "{:?}", res.text().await);
    }
    let alice_hook =
        create_webhook(&alice, &format!("{}/alice", chat.base), "alice %subject%").await;
    let reader_hook = create_webhook(
        &reader,
        &format!("{}/reader", chat.base),
        "reader %subject%",
    )
    .await;
    let event = create_event(
        &alice,
        cal,
        "Board meeting",
        "2030-01-07T09:00",
        json!([
        {"before_minutes": 20, "channel": "webhook", "webhook_id": alice_hook}]),
    )
    .await;
    let uid = event["uid"].as_str().expect("uid");
    let path = format!("/api/calendars/{cal}/events/{uid}/reminders");

    // The read-only grantee sets their own reminder; the owner's event is untouched.
    let mine = json!([{"before_minutes": 30, "channel": "webhook", "webhook_id": reader_hook}]);
    let res = reader.send_json(reqwest::Method::PUT, &path, &mine).await;
    assert_eq!(res.status(), StatusCode::OK, "{:?}", res.text().await);
    let seen: Value = res.json().await.expect("json");
    assert_eq!(seen["reminders"], mine);
    let owner_view: Value = alice
        .get(&format!("/api/calendars/{cal}/events/{uid}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(owner_view["reminders"].as_array().expect("list").len(), 1);
    assert_eq!(
        owner_view["etag"], event["etag"],
        "the owner's event was not rewritten"
    );
    // Someone else's webhook cannot be used, and strangers and anonymous see nothing.
    let res = writer
        .send_json(
            reqwest::Method::PUT,
            &path,
            &json!([{"before_minutes": 5, "channel": "webhook", "webhook_id": alice_hook}]),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = stranger
        .send_json(reqwest::Method::PUT, &path, &json!([]))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = server
        .client()
        .send_json(reqwest::Method::PUT, &path, &json!([]))
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // Default reminders are each user's own too: the read-only grantee sets theirs without
    // touching the owner's; strangers and anonymous callers reach nothing.
    let cal_path = format!("/api/calendars/{cal}");
    let defaults = json!({"default_reminders": [{"before_minutes": 5, "channel": "email"}]});
    let res = reader
        .send_json(reqwest::Method::PATCH, &cal_path, &defaults)
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{:?}", res.text().await);
    let theirs: Value = res.json().await.expect("json");
    assert_eq!(theirs["default_reminders"], defaults["default_reminders"]);
    let owners: Value = alice
        .get("/api/calendars")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(owners[0]["default_reminders"], json!([]));
    let res = stranger
        .send_json(reqwest::Method::PATCH, &cal_path, &defaults)
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = server
        .client()
        .send_json(reqwest::Method::PATCH, &cal_path, &defaults)
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // The writer edits the event without touching anyone's reminders.
    let res = writer
        .http
        .put(writer.url(&format!("/api/calendars/{cal}/events/{uid}")))
        .header("if-match", event["etag"].as_str().expect("etag"))
        .header("x-csrf-token", writer.csrf.clone().expect("csrf"))
        .json(&json!({"title": "Board meeting (room 2)", "start": "2030-01-07T09:00", "end": "2030-01-07T10:00", "time_zone": "UTC"}))
        .send()
        .await
        .expect("put");
    assert_eq!(res.status(), StatusCode::OK);

    clock.set(T0 + 3600);
    let got = chat.wait_for(2).await;
    let mut seen: Vec<(String, String)> =
        got.iter().map(|r| (r.path.clone(), text_of(r))).collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            (
                "/alice".to_string(),
                "alice Board meeting (room 2)".to_string()
            ),
            (
                "/reader".to_string(),
                "reader Board meeting (room 2)".to_string()
            ),
        ]
    );
    // Once the share is withdrawn, the former grantee's reminders stop.
    let event2 = create_event(&alice, cal, "Later", "2030-01-08T09:00", json!([])).await;
    let path2 = format!(
        "/api/calendars/{cal}/events/{}/reminders",
        event2["uid"].as_str().expect("uid")
    );
    assert_eq!(
        reader
            .send_json(reqwest::Method::PUT, &path2, &mine)
            .await
            .status(),
        StatusCode::OK
    );
    let res = alice
        .http
        .delete(alice.url(&format!(
            "/api/calendars/{cal}/shares?email=reader@example.com"
        )))
        .header("x-csrf-token", alice.csrf.clone().expect("csrf"))
        .send()
        .await
        .expect("unshare");
    assert!(res.status().is_success());
    clock.set(T0 + 86_400 + 3600);
    server
        .wait_until(
            "SELECT COUNT(*) FROM reminder_schedule WHERE next_due IS NULL",
            2,
        )
        .await;
    assert_eq!(chat.all().len(), 2);
}

#[tokio::test]
async fn webhooks_are_private_to_their_owner_and_limited_by_plan() {
    let server = TestServer::start().await;
    let chat = Receiver::start().await;
    let owner = signed_in(&server, "owner@example.com").await;
    let stranger = signed_in(&server, "stranger@example.com").await;
    let id = create_webhook(&owner, &format!("{}/x", chat.base), "%subject%").await;
    // The free plan has one webhook.
    let res = owner
        .post(
            "/api/webhooks",
            &json!({"name": "Second", "url": format!("{}/y", chat.base)}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let err: Value = res.json().await.expect("json");
    assert_eq!(err["code"], "quota_exceeded");
    assert!(
        err["message"]
            .as_str()
            .expect("message")
            .contains("1 webhook")
    );

    let res = owner
        .post(&format!("/api/webhooks/{id}/test"), &json!({}))
        .await;
    let test: Value = res.json().await.expect("json");
    assert_eq!(test["ok"], true, "{test}");
    assert_eq!(chat.wait_for(1).await.len(), 1);
    let list: Value = owner.get("/api/webhooks").await.json().await.expect("json");
    assert_eq!(list[0]["attempts"][0]["kind"], "test");
    assert_eq!(list[0]["attempts"][0]["status"], 201);

    let update = json!({"name": "Mine now", "url": format!("{}/z", chat.base)});
    for (who, expect) in [
        (&stranger, StatusCode::NOT_FOUND),
        (&server.client(), StatusCode::UNAUTHORIZED),
    ] {
        assert_eq!(
            who.send_json(
                reqwest::Method::PUT,
                &format!("/api/webhooks/{id}"),
                &update
            )
            .await
            .status(),
            expect
        );
        assert_eq!(
            who.post(&format!("/api/webhooks/{id}/test"), &json!({}))
                .await
                .status(),
            expect
        );
        assert_eq!(
            who.send_json(
                reqwest::Method::DELETE,
                &format!("/api/webhooks/{id}"),
                &json!({})
            )
            .await
            .status(),
            expect
        );
    }
    let theirs: Value = stranger
        .get("/api/webhooks")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(theirs, json!([]));
    assert_eq!(chat.all().len(), 1, "nobody but the owner could fire it");
    assert_eq!(
        owner
            .send_json(
                reqwest::Method::DELETE,
                &format!("/api/webhooks/{id}"),
                &json!({})
            )
            .await
            .status(),
        StatusCode::NO_CONTENT
    );

    // Push devices, likewise.
    let browser = Browser::new();
    let res = browser
        .subscribe(&owner, &format!("{}/push", chat.base))
        .await;
    let device: Value = res.json().await.expect("json");
    let res = stranger
        .send_json(
            reqwest::Method::DELETE,
            "/api/push/subscriptions",
            &json!({"id": device["id"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = owner.post("/api/push/subscriptions", &json!({"endpoint": format!("{}/p", chat.base), "keys": {"p256dh": "short", "auth": "x"}})).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let mine: Value = owner
        .get("/api/push/subscriptions")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(mine.as_array().expect("list").len(), 1);
    // Anonymous callers get nothing from any of it.
    let anonymous = server.client();
    for path in [
        "/api/webhooks",
        "/api/push/subscriptions",
        "/api/push/vapid-public-key",
    ] {
        assert_eq!(
            anonymous.get(path).await.status(),
            StatusCode::UNAUTHORIZED,
            "{path}"
        );
    }
    assert_eq!(
        anonymous.post("/api/push/test", &json!({})).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        anonymous
            .post(
                "/api/webhooks",
                &json!({"name": "x", "url": format!("{}/x", chat.base)})
            )
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn webhook_and_push_targets_in_private_networks_are_refused() {
    let server = TestServer::start_with(|c| c.allow_private_targets = false).await;
    let user = signed_in(&server, "user@example.com").await;
    for url in [
        "http://127.0.0.1:9/hook",
        "http://10.0.0.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://localhost:8080/",
        "ftp://example.com/hook",
    ] {
        let res = user
            .post("/api/webhooks", &json!({"name": "x", "url": url}))
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{url}");
        let err: Value = res.json().await.expect("json");
        assert_eq!(err["code"], "unsafe_target", "{url}");
        assert!(
            err["message"]
                .as_str()
                .expect("message")
                .starts_with("This address cannot be used")
        );
    }
    // A name that resolves to loopback passes the form check, and is refused at connect
    // time (no rebinding trick gets a request out).
    let res = user
        .post(
            "/api/webhooks",
            &json!({"name": "sneaky", "url": "http://ip6-localhost:9/hook"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<Value>().await.expect("json")["id"]
        .as_i64()
        .expect("id");
    let test: Value = user
        .post(&format!("/api/webhooks/{id}/test"), &json!({}))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(test["ok"], false);
    let detail = test["detail"].as_str().expect("detail");
    assert!(
        detail.contains("private or local network") || detail.contains("could not be found"),
        "{detail}"
    );
    let browser = Browser::new();
    let res = browser.subscribe(&user, "https://10.1.2.3/push").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

/// Reminders due while the server is down, across a clean restart and a SIGKILL, are
/// each delivered exactly once when it is back.
#[tokio::test]
async fn reminders_survive_restart_and_sigkill_and_fire_exactly_once() {
    let dir = tempfile::tempdir().expect("dir");
    let clock = TestClock::new(dir.path(), T0);
    let clock_arg = clock.path.to_str().expect("path").to_string();
    let args = [
        "--test-clock-file",
        clock_arg.as_str(),
        "--allow-private-targets",
        "--reminder-poll-ms",
        "50",
    ];
    let chat = Receiver::start().await;

    let server = ServerProcess::start(dir.path(), &args);
    let mut alice = server.client();
    alice.signup("alice@example.com", support::PASSWORD).await;
    let key: VapidPublicKey = alice
        .get("/api/push/vapid-public-key")
        .await
        .json()
        .await
        .expect("key");
    let cal = default_calendar_id(&alice).await;
    let hook = create_webhook(&alice, &format!("{}/h", chat.base), "%subject%").await;
    for n in 0..10 {
        create_event(
            &alice,
            cal,
            &format!("first {n}"),
            "2030-01-07T09:00",
            json!([
            {"before_minutes": 30, "channel": "webhook", "webhook_id": hook}]),
        )
        .await;
    }
    server.stop();

    let server = ServerProcess::start(dir.path(), &args);
    let mut alice = server.client();
    let res = alice.login("alice@example.com", support::PASSWORD).await;
    alice.csrf = res
        .json::<Value>()
        .await
        .ok()
        .and_then(|v| v["csrf_token"].as_str().map(str::to_string));
    let again: VapidPublicKey = alice
        .get("/api/push/vapid-public-key")
        .await
        .json()
        .await
        .expect("key");
    assert_eq!(
        again, key,
        "the VAPID key is kept across restarts (browsers' subscriptions depend on it)"
    );
    for n in 0..10 {
        create_event(
            &alice,
            cal,
            &format!("second {n}"),
            "2030-01-07T09:00",
            json!([
            {"before_minutes": 20, "channel": "webhook", "webhook_id": hook}]),
        )
        .await;
    }
    // SIGKILL before anything was due.
    server.crash();

    clock.set(T0 + 45 * 60);
    let server = ServerProcess::start(dir.path(), &args);
    let got = chat.wait_for(20).await;
    // Let the scheduler run further passes; none may send again.
    clock.set(T0 + 2 * 3600);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    server.stop();
    let server = ServerProcess::start(dir.path(), &args);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    server.crash();
    let all = chat.all();
    assert_eq!(all.len(), 20, "each reminder exactly once: {:?}", all.len());
    let mut texts: Vec<String> = got.iter().map(text_of).collect();
    texts.sort();
    texts.dedup();
    assert_eq!(texts.len(), 20);
    let mut keys: Vec<&String> = all.iter().map(|r| &r.headers["idempotency-key"]).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 20);

    // A month later, the finished deliveries are forgotten (checked at start, then hourly).
    clock.set(T0 + 31 * 86_400 + 3600);
    let server = ServerProcess::start(dir.path(), &args);
    let pool = support::open_db(dir.path()).await;
    let mut left: i64 = -1;
    for _ in 0..200 {
        left = ksuite_server::on_db!(&pool, |dbc| sqlx::query_scalar(
            "SELECT COUNT(*) FROM reminder_deliveries"
        )
        .fetch_one(dbc)
        .await)
        .expect("count");
        if left == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    pool.close().await;
    server.stop();
    assert_eq!(left, 0);
}

/// Alarms set by CalDAV clients fire too; one the client acknowledged does not.
#[tokio::test]
async fn alarms_written_by_caldav_clients_fire_unless_acknowledged() {
    let (server, clock, _dir) = server_with_clock().await;
    let push = Receiver::start().await;
    let alice = signed_in(&server, "alice@example.com").await;
    let browser = Browser::subscribed(&alice, &format!("{}/push/a", push.base)).await;
    let dav = support::Dav::new(&server, "alice@example.com", support::PASSWORD);
    let cal = support::default_calendar(&dav).await;
    let event = |uid: &str, title: &str, extra: &str| {
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Thunderbird//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\n\
             DTSTAMP:20300101T000000Z\r\nDTSTART:20300107T090000Z\r\nDTEND:20300107T100000Z\r\nSUMMARY:{title}\r\n{extra}\
             BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:x\r\nTRIGGER:-PT10M\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        )
    };
    let put = dav
        .put(
            &format!("{cal}tb-1.ics"),
            &[("Content-Type", "text/calendar")],
            &event("tb-1", "From Thunderbird", ""),
        )
        .await;
    assert_eq!(put.status, StatusCode::CREATED);
    let put = dav
        .put(
            &format!("{cal}tb-2.ics"),
            &[("Content-Type", "text/calendar")],
            &event(
                "tb-2",
                "Dismissed in Thunderbird",
                "X-MOZ-LASTACK:20300107T085500Z\r\n",
            ),
        )
        .await;
    assert_eq!(put.status, StatusCode::CREATED);
    // The app shows the client's alarm as a reminder.
    let cal_id = default_calendar_id(&alice).await;
    let seen: Value = alice
        .get(&format!("/api/calendars/{cal_id}/events/tb-1"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        seen["reminders"],
        json!([{"before_minutes": 10, "channel": "notification"}])
    );

    clock.set(T0 + 51 * 60);
    let got = push.wait_for(1).await;
    assert_eq!(browser.open(&got[0].body).title, "From Thunderbird");
    clock.set(T0 + 3 * 3600);
    server
        .wait_until(
            "SELECT COUNT(*) FROM reminder_schedule WHERE next_due IS NULL",
            2,
        )
        .await;
    assert_eq!(push.all().len(), 1, "the acknowledged alarm stays quiet");
}

/// A push service that says the subscription is gone loses it; one that is busy is
/// tried again after the pause it asked for.
#[tokio::test]
async fn push_services_answers_gone_and_busy_are_honoured() {
    let (server, clock, _dir) = server_with_clock().await;
    let push = Receiver::start().await;
    let alice = signed_in(&server, "alice@example.com").await;
    let cal = default_calendar_id(&alice).await;
    Browser::subscribed(&alice, &format!("{}/busy/1", push.base)).await;
    Browser::subscribed(&alice, &format!("{}/gone/1", push.base)).await;
    create_event(
        &alice,
        cal,
        "Retry me",
        "2030-01-07T09:00",
        json!([{"before_minutes": 10, "channel": "notification"}]),
    )
    .await;

    clock.set(T0 + 51 * 60);
    push.wait_for(2).await;
    server
        .wait_until("SELECT COUNT(*) FROM push_subscriptions", 1)
        .await;
    server
        .wait_until(
            "SELECT COUNT(*) FROM reminder_deliveries WHERE state = 'pending' AND attempts = 1",
            1,
        )
        .await;
    let devices: Value = alice
        .get("/api/push/subscriptions")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        devices.as_array().expect("list").len(),
        1,
        "the gone one was removed"
    );
    // Retry-After: 1 → tried again once the clock has moved on.
    clock.set(T0 + 51 * 60 + 2);
    push.wait_for(3).await;
    assert_eq!(
        push.all()
            .iter()
            .filter(|r| r.path.starts_with("/busy"))
            .count(),
        2
    );
}

/// Dismissing a notification drops its pending snooze; all-day reminders follow the
/// user's time zone when it changes.
#[tokio::test]
async fn dismissing_stops_a_snooze_and_time_zone_changes_move_all_day_reminders() {
    let (server, clock, _dir) = server_with_clock().await;
    let push = Receiver::start().await;
    let alice = signed_in(&server, "alice@example.com").await;
    let cal = default_calendar_id(&alice).await;
    let browser = Browser::subscribed(&alice, &format!("{}/push/a", push.base)).await;
    create_event(
        &alice,
        cal,
        "Call",
        "2030-01-07T09:00",
        json!([{"before_minutes": 10, "channel": "notification"}]),
    )
    .await;
    clock.set(T0 + 51 * 60);
    let got = push.wait_for(1).await;
    let token = browser.open(&got[0].body).token.expect("token");
    let anonymous = server.client();
    assert_eq!(
        anonymous
            .post(
                &format!("/api/reminders/{token}/snooze"),
                &json!({"minutes": 5})
            )
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        anonymous
            .post(&format!("/api/reminders/{token}/dismiss"), &json!({}))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        anonymous
            .post("/api/reminders/nope/dismiss", &json!({}))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    clock.set(T0 + 60 * 60);
    server
        .wait_until(
            "SELECT COUNT(*) FROM reminder_deliveries WHERE state = 'dismissed'",
            2,
        )
        .await;
    assert_eq!(push.all().len(), 1, "the dismissed snooze never fires");

    // An all-day event on 10 January, reminded the day before at 09:00, Zurich time…
    let res = alice
        .post(
            &format!("/api/calendars/{cal}/events"),
            &json!({"title": "Holiday", "start": "2030-01-10", "end": "2030-01-10", "all_day": true,
                    "reminders": [{"before_minutes": 900, "channel": "notification"}]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let next = "SELECT next_due FROM reminder_schedule s JOIN events e ON e.id = s.event_id WHERE e.ics LIKE '%Holiday%'";
    server.wait_until(next, 1_894_176_000).await; // 2030-01-09T08:00Z = 09:00 CET
    // …then in New York time.
    let res = alice
        .send_json(
            reqwest::Method::PATCH,
            "/api/settings/profile",
            &json!({"time_zone": "America/New_York"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    server.wait_until(next, 1_894_197_600).await; // 09:00 EST = 14:00Z
}
