//! Mail search on PostgreSQL is language-aware: besides every word as a prefix (what
//! SQLite's FTS5 does), words are stemmed in the server's `--search-language`, so a
//! search for "meetings" finds a message about a "meeting". An unknown language is a
//! clear refusal at start.

mod support;

use ksuite_common::MessageSummary;
use ksuite_server::db::PoolSettings;
use support::postgres::Postgres;
use support::{SmtpConn, TestServer, signed_in};

async fn deliver(server: &TestServer, subject: &str, body: &str) {
    let (mut conn, _) = SmtpConn::open(server.smtp).await;
    let message = format!(
        "From: Xavier <x@example.net>\r\nTo: <ann@ksuite.test>\r\nSubject: {subject}\r\n\
         Message-ID: <{}@test>\r\n\r\n{body}",
        support::rand_token()
    );
    let r = conn
        .deliver("x@example.net", "ann@ksuite.test", &message)
        .await;
    assert!(r.starts_with("250"), "delivery refused: {r}");
}

/// Subjects of Ann's messages matching `q`, sorted.
async fn found(ann: &support::Client, q: &str) -> Vec<String> {
    let hits: Vec<MessageSummary> = ann
        .get(&format!("/api/mail/search?q={q}"))
        .await
        .json()
        .await
        .expect("results");
    let mut subjects: Vec<String> = hits.into_iter().map(|m| m.subject).collect();
    subjects.sort();
    subjects
}

#[tokio::test(flavor = "multi_thread")]
async fn words_are_found_by_their_stem_in_the_search_language() {
    let pg = Postgres::start();
    let url = pg.url.clone();
    let server = TestServer::start_with(move |c| {
        c.database_url = Some(url);
        c.mail_domain = Some("ksuite.test".into());
        c.search_language = "english".into();
    })
    .await;
    let ann = signed_in(&server, "ann@example.com").await;
    deliver(&server, "Budget meeting", "The reports were running late.").await;
    deliver(&server, "Café crème", "Ponies and horses.").await;

    // Prefixes, as on SQLite.
    assert_eq!(found(&ann, "meet").await, ["Budget meeting"]);
    assert_eq!(found(&ann, "cafe").await, ["Café crème"]);
    assert_eq!(found(&ann, "x%40example").await.len(), 2);
    // Stems: neither word is a prefix of what the messages say.
    assert_eq!(found(&ann, "meetings").await, ["Budget meeting"]);
    assert_eq!(found(&ann, "runs%20report").await, ["Budget meeting"]);
    assert_eq!(found(&ann, "pony").await, ["Café crème"]);
    // Every word must match, stemmed or as a prefix.
    assert!(found(&ann, "meetings%20ponies").await.is_empty());
    // A stop word alone still matches as a prefix ("the" of "The reports").
    assert_eq!(found(&ann, "the").await, ["Budget meeting"]);
    // Stemming is not guessing: another word stays another word.
    assert!(found(&ann, "ran").await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_search_language_is_refused_at_start() {
    let pg = Postgres::start();
    let settings = |language: &str| PoolSettings {
        search_language: Some(language.to_string()),
        ..PoolSettings::default()
    };
    let err = ksuite_server::db::connect_with(&pg.url, settings("klingon"))
        .await
        .expect_err("no such configuration");
    let message = format!("{err:#}");
    assert!(
        message.contains("default_text_search_config") && message.contains("klingon"),
        "{message}"
    );
    // Not a name at all: refused before it reaches PostgreSQL's options.
    let err = ksuite_server::db::connect_with(&pg.url, settings("english -c fsync=off"))
        .await
        .expect_err("not a configuration name");
    assert!(
        format!("{err:#}").contains("name a PostgreSQL text search configuration"),
        "{err:#}"
    );
    // A known one connects.
    ksuite_server::db::connect_with(&pg.url, settings("french"))
        .await
        .expect("french is a configuration");
}
