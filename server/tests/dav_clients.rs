//! Real DAV clients against a real server: the python `caldav` library and `vdirsyncer`
//! (installed by `scripts/setup.sh --test` into `.tools/py`), signing in with an
//! application password like a device does.

mod support;

use std::path::PathBuf;
use std::process::Command;

use reqwest::StatusCode;
use support::{TestServer, signed_in, test_python as python};

fn script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/clients")
        .join(name)
}

/// Runs a client script off the async runtime (the server keeps serving meanwhile).
async fn run(args: Vec<String>) {
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python())
            .args(&args)
            .output()
            .expect("client script runs")
    })
    .await
    .expect("join");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "client failed\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
    assert!(stdout.contains("all checks passed"), "{stdout}");
}

/// A signed-up user and an application password for their device.
async fn device(server: &TestServer, email: &str) -> String {
    support::app_password(&signed_in(server, email).await).await
}

#[tokio::test(flavor = "multi_thread")]
async fn python_caldav_client() {
    let server = TestServer::start().await;
    let password = device(&server, "py@example.com").await;
    run(vec![
        script("caldav_client.py").display().to_string(),
        server.base.clone(),
        "py@example.com".into(),
        password,
    ])
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn vdirsyncer_two_way_sync() {
    let server = TestServer::start().await;
    let email = "sync@example.com";
    let password = device(&server, email).await;
    let http = reqwest::Client::new();
    let put = |path: String, body: &'static str| {
        http.put(server.url(&path))
            .basic_auth(email, Some(&password))
            .body(body)
            .send()
    };
    let event = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:server-event\r\n\
DTSTAMP:20260101T000000Z\r\nDTSTART:20260601T090000Z\r\nDTEND:20260601T100000Z\r\nSUMMARY:From the server\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let card = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:server-card\r\nFN:Server Person\r\nEND:VCARD\r\n";
    // Web-made collections are named by id; the user's first ones are 1.
    let r = put(format!("/dav/calendars/{email}/1/server-event.ics"), event)
        .await
        .expect("put event");
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = put(format!("/dav/addressbooks/{email}/1/server-card.vcf"), card)
        .await
        .expect("put card");
    assert_eq!(r.status(), StatusCode::CREATED);
    let work = tempfile::tempdir().expect("work dir");
    run(vec![
        script("vdirsyncer_sync.py").display().to_string(),
        server.base.clone(),
        email.into(),
        password.clone(),
        work.path().display().to_string(),
    ])
    .await;
}
