//! `ksuite copy-data` moves a used SQLite server into a real, empty PostgreSQL: every row
//! with its id, identity columns continuing after them, a search index for the copied
//! mail; a second copy into the filled database is refused; `ksuite migrate` migrates.

mod support;

use std::process::Command;

use reqwest::StatusCode;
use serde_json::json;
use sqlx::{PgPool, SqlitePool};
use support::postgres::Postgres;
use support::{PASSWORD, ServerProcess, SmtpConn};

fn ksuite(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ksuite"))
        .args(args)
        .output()
        .expect("ksuite runs")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_used_sqlite_server_moves_to_postgres_row_for_row() {
    // A server in use: an account with an event, a contact, a link and a message.
    let dir = tempfile::tempdir().expect("dir");
    let from = format!("sqlite://{}", dir.path().join("ksuite.db").display());
    let server = ServerProcess::start(
        dir.path(),
        &["--mail-domain", "ksuite.test", "--database-url", &from],
    );
    let mut ann = server.client();
    ann.signup("ann@example.com", PASSWORD).await;
    let calendar = support::default_calendar_id(&ann).await;
    let r = ann
        .post(
            &format!("/api/calendars/{calendar}/events"),
            &json!({"title": "Yoga", "start": "2026-03-02T18:00", "end": "2026-03-02T19:00",
                    "time_zone": "Europe/Zurich", "rrule": "FREQ=WEEKLY;COUNT=5"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = ann
        .post("/api/links", &json!({"url": "https://example.org/moved"}))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    support::app_password(&ann).await;
    let (mut smtp, _) = SmtpConn::open(server.smtp).await;
    let r = smtp
        .deliver(
            "x@example.net",
            "ann@ksuite.test",
            &format!(
                "From: Xavier <x@example.net>\r\nSubject: Quarterly figures\r\n\r\nAttached.\r\n{}\r\nThe zeppelin lands at noon.",
                "Figures and more figures. ".repeat(12)
            ),
        )
        .await;
    assert!(r.starts_with("250"), "{r}");
    server.stop();

    let pg = Postgres::start();
    let data_dir = dir.path().display().to_string();
    let out = ksuite(&[
        "copy-data",
        "--from",
        &from,
        "--to",
        &pg.url,
        "--blobs",
        &data_dir,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.starts_with("copied "), "{report}");
    assert!(
        report.contains("search index: 1 messages whole, 0 from subject"),
        "{report}"
    );

    let sqlite = SqlitePool::connect(&from).await.expect("sqlite");
    let postgres = PgPool::connect(&pg.url).await.expect("postgres");
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name NOT LIKE 'message_search%' AND name NOT IN ('invalidations', 'blob_pins', '_sqlx_migrations')",
    )
    .fetch_all(&sqlite)
    .await
    .expect("tables");
    let mut filled = 0;
    for table in &tables {
        let count = format!("SELECT COUNT(*) FROM {table}");
        let lite: i64 = sqlx::query_scalar(&count)
            .fetch_one(&sqlite)
            .await
            .expect("count");
        let pgs: i64 = sqlx::query_scalar(&count)
            .fetch_one(&postgres)
            .await
            .expect("count");
        assert_eq!(lite, pgs, "rows of {table}");
        filled += usize::from(lite > 0);
    }
    assert!(filled >= 10, "only {filled} tables had rows");
    let same = |sql: &'static str| {
        let (sqlite, postgres) = (sqlite.clone(), postgres.clone());
        async move {
            let a: Vec<(i64, String)> = sqlx::query_as(sql).fetch_all(&sqlite).await.expect(sql);
            let b: Vec<(i64, String)> = sqlx::query_as(sql).fetch_all(&postgres).await.expect(sql);
            assert_eq!(a, b, "{sql}");
        }
    };
    same("SELECT id, email FROM users ORDER BY id").await;
    same("SELECT id, ics FROM events ORDER BY id").await;
    same("SELECT id, subject FROM messages ORDER BY id").await;
    same("SELECT id, url FROM links ORDER BY id").await;
    // The copied mail can be found, and new rows get new ids.
    let found: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM message_search WHERE document @@ plainto_tsquery('simple', 'quarterly xavier')",
    )
    .fetch_one(&postgres)
    .await
    .expect("search");
    assert_eq!(found, 1);
    // Its body too, past the snippet: read from the blob store named with --blobs, and
    // stemmed in the search language ("landing" finds "lands").
    let body: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM message_search \
         WHERE document @@ to_tsquery('english', 'zeppelin & landing')",
    )
    .fetch_one(&postgres)
    .await
    .expect("search");
    assert_eq!(body, 1);
    let max: i64 = sqlx::query_scalar("SELECT MAX(id) FROM users")
        .fetch_one(&postgres)
        .await
        .expect("max");
    let next: i64 = sqlx::query_scalar(
        "INSERT INTO users (email, display_name, password_hash, created_at) VALUES ('new@example.com', 'N', 'x', 0) RETURNING id",
    )
    .fetch_one(&postgres)
    .await
    .expect("a new account");
    assert_eq!(next, max + 1);

    // Without --blobs: subjects, addresses and snippets only, and the report says so.
    support::postgres::create_database(&pg.url, "snippets_only");
    let (server_url, _) = pg.url.rsplit_once('/').expect("a database URL");
    let bare = format!("{server_url}/snippets_only");
    let out = ksuite(&["copy-data", "--from", &from, "--to", &bare]);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success()
            && report.contains(
                "1 from subject, addresses and snippet (name the blob store with --blobs"
            ),
        "{report}"
    );
    let bare = PgPool::connect(&bare).await.expect("postgres");
    let found: (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*) FILTER (WHERE document @@ to_tsquery('simple', 'quarterly')), \
         COUNT(*) FILTER (WHERE document @@ to_tsquery('simple', 'zeppelin')) FROM message_search",
    )
    .fetch_one(&bare)
    .await
    .expect("search");
    assert_eq!(found, (1, 0));

    // Into a database that holds accounts: refused, saying why; migrate is a no-op there.
    let again = ksuite(&["copy-data", "--from", &from, "--to", &pg.url]);
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("copy into an empty one"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let migrate = ksuite(&["migrate", "--database-url", &pg.url]);
    assert!(
        migrate.status.success(),
        "{}",
        String::from_utf8_lossy(&migrate.stderr)
    );
}
