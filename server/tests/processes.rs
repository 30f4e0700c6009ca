//! Several ksuite processes on one database (SQLite in one data directory, or one
//! PostgreSQL database on a `scripts/test-postgres.sh` run): a change made through one process reaches the caches
//! of the others within one `--invalidation-poll-ms`, and limits stay exact.

mod support;

use std::time::Duration;

use ksuite_common::{CreatedAppPassword, Link};
use reqwest::StatusCode;
use serde_json::json;
use support::{Client, Dav, PASSWORD, ServerProcess, default_calendar};

const FLAGS: [&str; 2] = ["--mail-domain", "ksuite.test"];

async fn signed_up(p: &ServerProcess, email: &str) -> Client {
    let mut c = p.client();
    c.signup(email, PASSWORD).await;
    c
}

/// Asks `probe` again (every 50 ms, at most 10 s) until it answers `want`; the answers it
/// gave on the way, for the failure message.
async fn eventually<F, Fut, T>(want: T, mut probe: F) -> Vec<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
    T: PartialEq + Clone,
{
    let mut seen = Vec::new();
    for _ in 0..200 {
        let got = probe().await;
        seen.push(got.clone());
        if got == want {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    seen
}

/// A relay port (the relay itself started later) and the flags that send through it.
struct RelaySetup {
    port: u16,
    url: String,
    dir: tempfile::TempDir,
}

impl RelaySetup {
    fn new() -> RelaySetup {
        let port = support::free_port();
        RelaySetup {
            port,
            url: format!("smtp://127.0.0.1:{port}"),
            dir: tempfile::tempdir().expect("relay dir"),
        }
    }

    fn flags(&self) -> Vec<&str> {
        let mut flags = FLAGS.to_vec();
        flags.extend(["--smtp-relay", &self.url, "--smtp-retry-seconds", "1"]);
        flags
    }

    fn start(&self) -> support::Relay {
        support::Relay::start(self.port, self.dir.path())
    }
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_revoked_app_password_an_edited_link_and_a_changed_event_reach_every_process() {
    let dir = tempfile::tempdir().expect("dir");
    let a = ServerProcess::start(dir.path(), &FLAGS);
    let b = ServerProcess::start(dir.path(), &FLAGS);
    let ann_a = signed_up(&a, "ann@example.com").await;

    // An application password, verified (and so cached) by B, revoked through A.
    let created: CreatedAppPassword = ann_a
        .post("/api/account/app-passwords", &json!({"name": "phone"}))
        .await
        .json()
        .await
        .expect("app password");
    let phone_b = Dav::at(&b.base, "ann@example.com", &created.password);
    let home = support::dav_home("ann@example.com");
    assert_eq!(
        phone_b
            .propfind(&home, "0", "<d:resourcetype/>")
            .await
            .status,
        StatusCode::MULTI_STATUS
    );
    let r = ann_a
        .send_json(
            reqwest::Method::DELETE,
            &format!("/api/account/app-passwords/{}", created.info.id),
            &json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let seen = eventually(StatusCode::UNAUTHORIZED, || async {
        phone_b
            .propfind(&home, "0", "<d:resourcetype/>")
            .await
            .status
    })
    .await;
    assert_eq!(seen.last(), Some(&StatusCode::UNAUTHORIZED), "{seen:?}");

    // A link followed through B (and cached there), disabled through A.
    let link: Link = ann_a
        .post("/api/links", &json!({"url": "https://example.org/first"}))
        .await
        .json()
        .await
        .expect("link");
    let visit_b = || async {
        no_redirects()
            .get(format!("{}/l/{}", b.base, link.slug))
            .send()
            .await
            .expect("visit")
            .status()
    };
    assert_eq!(visit_b().await, StatusCode::FOUND);
    let r = ann_a
        .send_json(
            reqwest::Method::PATCH,
            &format!("/api/links/{}", link.id),
            &json!({"enabled": false}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let seen = eventually(StatusCode::GONE, visit_b).await;
    assert_eq!(seen.last(), Some(&StatusCode::GONE), "{seen:?}");

    // An event read through B's DAV (its object cache), changed through A's.
    let device = support::app_password(&ann_a).await;
    let dav_a = Dav::at(&a.base, "ann@example.com", &device);
    let dav_b = Dav::at(&b.base, "ann@example.com", &device);
    let calendar = default_calendar(&dav_a).await;
    let href = format!("{calendar}shared-event.ics");
    let event = |summary: &str| {
        format!(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:shared-event\r\n\
             DTSTAMP:20261201T000000Z\r\nDTSTART:20261210T090000Z\r\nDTEND:20261210T100000Z\r\n\
             SUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        )
    };
    let put = dav_a
        .put(&href, &[("Content-Type", "text/calendar")], &event("First"))
        .await;
    assert_eq!(put.status, StatusCode::CREATED);
    for _ in 0..2 {
        let got = dav_b.send("GET", &href, &[], "").await;
        assert!(got.body.contains("SUMMARY:First"), "{}", got.body);
    }
    let etag = put.etag();
    let put = dav_a
        .put(
            &href,
            &[("Content-Type", "text/calendar"), ("If-Match", &etag)],
            &event("Second"),
        )
        .await;
    assert_eq!(put.status, StatusCode::NO_CONTENT);
    let seen = eventually(true, || async {
        dav_b
            .send("GET", &href, &[], "")
            .await
            .body
            .contains("SUMMARY:Second")
    })
    .await;
    assert_eq!(seen.last(), Some(&true), "B still serves the old event");
    a.stop();
    b.stop();
}

/// The redirector counts limited visits in the database before it redirects, so two
/// processes answering one link at once redirect exactly `max_visits` times in all.
#[tokio::test(flavor = "multi_thread")]
async fn a_visit_limit_holds_exactly_across_two_processes() {
    let dir = tempfile::tempdir().expect("dir");
    let a = ServerProcess::start(dir.path(), &FLAGS);
    let b = ServerProcess::start(dir.path(), &FLAGS);
    let ann = signed_up(&a, "ann@example.com").await;
    let link: Link = ann
        .post(
            "/api/links",
            &json!({"url": "https://example.org/limited", "max_visits": 100}),
        )
        .await
        .json()
        .await
        .expect("link");
    let http = no_redirects();
    let mut visits = Vec::new();
    for i in 0..160 {
        let url = format!(
            "{}/l/{}",
            if i % 2 == 0 { &a.base } else { &b.base },
            link.slug
        );
        let http = http.clone();
        visits.push(tokio::spawn(async move {
            http.get(url).send().await.expect("visit").status()
        }));
    }
    let mut redirected = 0;
    for v in visits {
        let status = v.await.expect("visit task");
        assert!(
            status == StatusCode::FOUND || status == StatusCode::GONE,
            "{status}"
        );
        redirected += usize::from(status == StatusCode::FOUND);
    }
    assert_eq!(redirected, 100);
    a.stop();
    b.stop();
}

/// Failed sign-ins are counted in the database: a guesser spreading attempts over two
/// processes gets the same five checks as against one, and a crash forgets none of them.
#[tokio::test(flavor = "multi_thread")]
async fn login_failures_are_counted_once_across_processes_and_crashes() {
    let dir = tempfile::tempdir().expect("dir");
    let a = ServerProcess::start(dir.path(), &FLAGS);
    let b = ServerProcess::start(dir.path(), &FLAGS);
    signed_up(&a, "ann@example.com").await;
    let mut answers = Vec::new();
    for i in 0..8 {
        let p = if i % 2 == 0 { &a } else { &b };
        let r = p.client().login("ann@example.com", "wrong guess").await;
        answers.push(r.status().as_u16());
    }
    assert_eq!(answers, [401, 401, 401, 401, 401, 429, 429, 429]);
    a.crash();
    let a = ServerProcess::start(dir.path(), &FLAGS);
    let r = a.client().login("ann@example.com", PASSWORD).await;
    assert_eq!(
        r.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the count outlived the crash"
    );
    a.stop();
    b.stop();
}

/// Both processes run the relay queue; each message is claimed by one of them, so the
/// relay gets every message once, whichever process queued it.
#[tokio::test(flavor = "multi_thread")]
async fn queued_mail_leaves_once_though_two_processes_run_the_queue() {
    let dir = tempfile::tempdir().expect("dir");
    let relay = RelaySetup::new();
    let flags = relay.flags();
    let a = ServerProcess::start(dir.path(), &flags);
    let b = ServerProcess::start(dir.path(), &flags);
    let ann = signed_up(&a, "ann@example.com").await;
    let bob = signed_up(&b, "bob@example.com").await;
    // The relay is down at first: every message waits, and both queues retry together.
    for i in 0..5 {
        for (who, c) in [("ann", &ann), ("bob", &bob)] {
            let r = c
                .post(
                    "/api/mail/send",
                    &json!({"from": format!("{who}@ksuite.test"), "to": [format!("x{i}@example.net")],
                            "subject": format!("{who} {i}"), "text": "Hello"}),
                )
                .await;
            assert_eq!(r.status(), StatusCode::CREATED);
        }
    }
    let relay = relay.start();
    let db = support::open_db(dir.path()).await;
    let waiting = eventually(0i64, || async {
        ksuite_server::on_db!(&db, |dbc| sqlx::query_scalar(
            "SELECT COUNT(*) FROM mail_outbox WHERE state <> 'sent'"
        )
        .fetch_one(dbc)
        .await)
        .expect("count")
    })
    .await;
    assert_eq!(waiting.last(), Some(&0), "{waiting:?}");
    // A second copy would be on its way by now; give it a moment to land.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut subjects: Vec<String> = relay
        .received()
        .iter()
        .filter_map(|m| {
            m["data"]
                .as_str()?
                .lines()
                .find_map(|l| l.strip_prefix("Subject: "))
                .map(str::to_string)
        })
        .collect();
    subjects.sort();
    let mut expected: Vec<String> = (0..5)
        .flat_map(|i| [format!("ann {i}"), format!("bob {i}")])
        .collect();
    expected.sort();
    assert_eq!(subjects, expected);
    a.stop();
    b.stop();
}

/// A process killed while handing a message to the relay leaves it claimed; once the
/// claim runs out, another process sends it.
#[tokio::test(flavor = "multi_thread")]
async fn a_message_claimed_by_a_killed_process_is_sent_by_another() {
    let dir = tempfile::tempdir().expect("dir");
    let relay = RelaySetup::new();
    let flags = relay.flags();
    let a = ServerProcess::start(dir.path(), &flags);
    let ann = signed_up(&a, "ann@example.com").await;
    let r = ann
        .post(
            "/api/mail/send",
            &json!({"from": "ann@ksuite.test", "to": ["x@example.net"],
                    "subject": "Orphaned", "text": "Hello"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    a.crash();
    // As if A died in the middle of the attempt: claimed, with a claim that ran out.
    let db = support::open_db(dir.path()).await;
    let claimed = ksuite_server::on_db!(&db, |dbc| sqlx::query(
        "UPDATE mail_outbox SET state = 'sending', lease_until = $1 WHERE state <> 'sent'",
    )
    .bind(ksuite_server::now_unix() - 1)
    .execute(dbc)
    .await
    .map(ksuite_server::db::Done::from))
    .expect("claim");
    assert_eq!(claimed.rows_affected(), 1);
    let relay = relay.start();
    let b = ServerProcess::start(dir.path(), &flags);
    let states = eventually("sent".to_string(), || async {
        ksuite_server::on_db!(&db, |dbc| sqlx::query_scalar(
            "SELECT state FROM mail_outbox"
        )
        .fetch_one(dbc)
        .await)
        .expect("state")
    })
    .await;
    assert_eq!(
        states.last().map(String::as_str),
        Some("sent"),
        "{states:?}"
    );
    assert_eq!(relay.received().len(), 1);
    b.stop();
}
