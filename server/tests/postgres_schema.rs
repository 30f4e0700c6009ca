//! The PostgreSQL migrations build the same schema as the SQLite ones (tables, columns
//! and their types and nullability, index and trigger names), on a real PostgreSQL the
//! test starts, and the PostgreSQL triggers do what the SQLite ones do.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use sqlx::{PgPool, SqlitePool};
use support::postgres::Postgres;

/// (topic, generation, version, name) of an invalidation row.
type Published = (String, Option<i64>, Option<i64>, Option<String>);

/// (column, type, not null) per table.
type Schema = BTreeMap<String, Vec<(String, String, bool)>>;

/// FTS5 keeps its own shadow tables; PostgreSQL has one tsvector table instead.
fn compared(table: &str) -> bool {
    !table.starts_with("_sqlx")
        && !table.starts_with("sqlite_")
        && !table.starts_with("message_search")
}

async fn sqlite_schema(db: &SqlitePool) -> Schema {
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .fetch_all(db)
            .await
            .expect("tables");
    let mut schema = Schema::new();
    for table in tables.into_iter().filter(|t| compared(t)) {
        let columns: Vec<(String, String, bool, i64)> = sqlx::query_as(
            "SELECT name, type, \"notnull\", pk FROM pragma_table_info(?) ORDER BY cid",
        )
        .bind(&table)
        .fetch_all(db)
        .await
        .expect("columns");
        let columns = columns
            .into_iter()
            .map(|(name, ty, not_null, pk)| {
                let ty = match ty.as_str() {
                    "INTEGER" => "bigint",
                    "TEXT" => "text",
                    "BLOB" => "bytea",
                    "BOOLEAN" => "boolean",
                    other => panic!("{table}.{name}: SQLite type {other} has no PostgreSQL twin"),
                };
                (name, ty.to_string(), not_null || pk > 0)
            })
            .collect();
        schema.insert(table, columns);
    }
    schema
}

async fn postgres_schema(db: &PgPool) -> Schema {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    )
    .fetch_all(db)
    .await
    .expect("tables");
    let mut schema = Schema::new();
    for table in tables.into_iter().filter(|t| compared(t)) {
        let columns: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT column_name::text, data_type::text, is_nullable::text FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
        )
        .bind(&table)
        .fetch_all(db)
        .await
        .expect("columns");
        let columns = columns
            .into_iter()
            .map(|(name, ty, nullable)| (name, ty, nullable == "NO"))
            .collect();
        schema.insert(table, columns);
    }
    schema
}

async fn names(db: &SqlitePool, kind: &str) -> BTreeSet<String> {
    sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = ? AND sql IS NOT NULL AND name NOT LIKE 'sqlite_%'",
    )
    .bind(kind)
    .fetch_all(db)
    .await
    .expect("names")
    .into_iter()
    .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_migrations_build_the_sqlite_schema_and_their_triggers_work() {
    let pg = Postgres::start();
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("k.db").display());
    ksuite_server::db::migrate(&url).await.expect("sqlite");
    let sqlite = SqlitePool::connect(&url).await.expect("sqlite");
    let postgres = PgPool::connect(&pg.url).await.expect("postgres");
    ksuite_server::db::migrate_postgres(&postgres)
        .await
        .expect("migrations");
    // Twice, as a second process starting would: nothing left to do.
    ksuite_server::db::migrate_postgres(&postgres)
        .await
        .expect("migrations again");

    let (lite, pgs) = (
        sqlite_schema(&sqlite).await,
        postgres_schema(&postgres).await,
    );
    assert_eq!(
        lite.keys().collect::<Vec<_>>(),
        pgs.keys().collect::<Vec<_>>(),
        "the same tables"
    );
    for (table, columns) in &lite {
        assert_eq!(columns, &pgs[table], "columns of {table}");
    }
    let pg_indexes: BTreeSet<String> =
        sqlx::query_scalar("SELECT indexname::text FROM pg_indexes WHERE schemaname = 'public'")
            .fetch_all(&postgres)
            .await
            .expect("indexes")
            .into_iter()
            .collect();
    let missing: Vec<_> = names(&sqlite, "index")
        .await
        .into_iter()
        .filter(|i| !pg_indexes.contains(i))
        .collect();
    assert!(
        missing.is_empty(),
        "indexes missing in PostgreSQL: {missing:?}"
    );
    let pg_triggers: BTreeSet<String> =
        sqlx::query_scalar("SELECT tgname::text FROM pg_trigger WHERE NOT tgisinternal")
            .fetch_all(&postgres)
            .await
            .expect("triggers")
            .into_iter()
            .collect();
    assert_eq!(
        names(&sqlite, "trigger").await,
        pg_triggers,
        "the same triggers"
    );

    // The triggers at work: a new calendar gets a generation, a ctag change and a link
    // write are published, a message leaving its folder is remembered as expunged.
    let exec = |sql: &'static str| {
        let db = postgres.clone();
        async move { sqlx::query(sql).execute(&db).await.expect(sql) }
    };
    exec("INSERT INTO users (id, email, display_name, password_hash, created_at) VALUES (1, 'a@b.c', 'A', 'x', 0)").await;
    exec("INSERT INTO calendars (id, owner_id, name, color, created_at) VALUES (1, 1, 'Work', '#000', 0)").await;
    let generation: i64 = sqlx::query_scalar("SELECT generation FROM calendars WHERE id = 1")
        .fetch_one(&postgres)
        .await
        .expect("generation");
    assert!(generation > 0);
    exec("UPDATE calendars SET ctag = 7 WHERE id = 1").await;
    exec("INSERT INTO links (user_id, slug, url, created_at) VALUES (1, 'abc', 'https://example.org/', 0)").await;
    exec("UPDATE users SET password_hash = 'y' WHERE id = 1").await;
    let published: Vec<Published> =
        sqlx::query_as("SELECT topic, generation, version, name FROM invalidations ORDER BY seq")
            .fetch_all(&postgres)
            .await
            .expect("invalidations");
    assert_eq!(
        published,
        vec![
            ("calendar".into(), Some(generation), Some(7), None),
            ("link".into(), None, None, Some("abc".into())),
            ("credentials".into(), None, None, None),
        ]
    );
    exec("INSERT INTO mail_addresses (id, address, created_at) VALUES (1, 'a@b.c', 0)").await;
    exec("INSERT INTO mailboxes (id, address_id, name, uidvalidity) VALUES (1, 1, 'INBOX', 1)")
        .await;
    exec("INSERT INTO messages (id, mailbox_id, uid, modseq, blob, size, to_addresses, cc_addresses, subject, snippet, received_at, thread_id, has_attachments) \
          VALUES (1, 1, 5, 1, 'x', 1, '', '', 's', 's', 0, 't', FALSE)").await;
    exec("DELETE FROM messages WHERE id = 1").await;
    let expunged: (i64, i64) = sqlx::query_as("SELECT uid, modseq FROM mail_expunged")
        .fetch_one(&postgres)
        .await
        .expect("expunged");
    assert_eq!(expunged, (5, 1));
}
