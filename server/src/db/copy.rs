//! `ksuite copy-data`: moves an existing server's SQLite database into an empty PostgreSQL
//! one, row for row with the same ids, in one PostgreSQL transaction (foreign keys checked
//! at its commit, so tables go in any order; nothing is half-copied if it fails).
//!
//! Not copied: what is only meaningful to running processes (`invalidations`,
//! `blob_pins`) and the SQLite full-text index, which keeps no text to copy; the
//! PostgreSQL search index is rebuilt from the raw messages (see [`copy`]).

use anyhow::{Context, bail};
use futures_util::TryStreamExt;
use sqlx::{Column, PgPool, Row, SqlitePool, TypeInfo};

use super::Backend;
use crate::blobs::{BlobKey, BlobStore};
use crate::mail::store::{fts_index, search_texts, search_words};

/// Tables left behind (see the module comment).
const SKIPPED: [&str; 3] = ["invalidations", "blob_pins", "_sqlx_migrations"];

/// What was copied, per table.
#[derive(Debug, Default)]
pub struct Copied {
    pub tables: Vec<(String, u64)>,
    /// Messages whose whole text (body, attachment names) was indexed for search.
    pub bodies_indexed: u64,
    /// Messages indexed from subject, addresses and snippet only (no blob store named,
    /// or its raw message unreadable).
    pub bodies_missing: u64,
}

/// One stored value, as its declared column type says.
enum Value {
    Int(Option<i64>),
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
    Bool(Option<bool>),
}

fn read(row: &sqlx::sqlite::SqliteRow, i: usize, declared: &str) -> anyhow::Result<Value> {
    Ok(match declared {
        "INTEGER" => Value::Int(row.try_get(i)?),
        "TEXT" => Value::Text(row.try_get(i)?),
        "BLOB" => Value::Bytes(row.try_get(i)?),
        "BOOLEAN" => Value::Bool(row.try_get(i)?),
        other => bail!("column type {other} has no PostgreSQL twin"),
    })
}

/// Copies every table of `from` into `to`, which must hold no account yet; `to` is
/// migrated first. The search index is built from each raw message in `blobs` (the
/// server's blob store) where given, else from subjects, addresses and snippets.
pub async fn copy(
    from: &SqlitePool,
    to: &PgPool,
    blobs: Option<&BlobStore>,
) -> anyhow::Result<Copied> {
    super::migrate_postgres(to).await?;
    let accounts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(to)
        .await?;
    if accounts > 0 {
        bail!("the target database already has {accounts} accounts: copy into an empty one");
    }
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name NOT LIKE 'message_search%' ORDER BY name",
    )
    .fetch_all(from)
    .await?;
    let mut tx = to.begin().await?;
    sqlx::query("SET CONSTRAINTS ALL DEFERRED")
        .execute(&mut *tx)
        .await?;
    let mut copied = Copied::default();
    for table in tables.iter().filter(|t| !SKIPPED.contains(&t.as_str())) {
        let n = copy_table(from, &mut tx, table)
            .await
            .with_context(|| format!("copying {table}"))?;
        copied.tables.push((table.clone(), n));
    }
    // Rows copied with their ids: identity columns continue after the largest.
    let identities: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = 'public' AND is_identity = 'YES'",
    )
    .fetch_all(&mut *tx)
    .await?;
    for (table, column) in identities {
        sqlx::query(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), \
             COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)"
        ))
        .execute(&mut *tx)
        .await?;
    }
    // Search documents: from each raw message, as delivery indexes it, where the blob
    // store was named and holds it; else from what the messages table keeps (subject,
    // addresses, snippet). A thousand messages at a time.
    let mut after = 0_i64;
    loop {
        let batch: Vec<(i64, String, String, String, String)> = sqlx::query_as(
            "SELECT id, blob, subject, coalesce(from_name, '') || ' ' || coalesce(from_address, '') \
             || ' ' || to_addresses || ' ' || cc_addresses, snippet FROM messages \
             WHERE id > $1 ORDER BY id LIMIT 1000",
        )
        .bind(after)
        .fetch_all(&mut *tx)
        .await?;
        let Some(&(last, ..)) = batch.last() else {
            break;
        };
        for (id, digest, subject, addresses, snippet) in batch {
            let raw = match blobs {
                Some(store) => match store.get(BlobKey::Message(&digest)).await {
                    Ok(raw) => Some(raw),
                    Err(e) => {
                        tracing::warn!(message = id, error = %e, "raw message unreadable: indexed from its snippet");
                        None
                    }
                },
                None => None,
            };
            let (subject, addresses, body) = match raw {
                Some(raw) => {
                    copied.bodies_indexed += 1;
                    search_texts(Backend::Postgres, &crate::mail::index::index(&raw, ""))
                }
                None => {
                    copied.bodies_missing += 1;
                    (
                        search_words(&subject),
                        search_words(&addresses),
                        search_words(&snippet),
                    )
                }
            };
            sqlx::query(fts_index(Backend::Postgres))
                .bind(id)
                .bind(subject)
                .bind(addresses)
                .bind(body)
                .execute(&mut *tx)
                .await?;
        }
        after = last;
    }
    // Copying fired the insert triggers; no process has anything cached to forget.
    sqlx::query("DELETE FROM invalidations")
        .execute(&mut *tx)
        .await?;
    tx.commit()
        .await
        .context("checking references and committing")?;
    // Statistics for the planner now rather than at autovacuum's first pass: the server
    // that starts next answers from a freshly filled database.
    sqlx::query("ANALYZE")
        .execute(to)
        .await
        .context("analysing the copied tables")?;
    Ok(copied)
}

async fn copy_table(
    from: &SqlitePool,
    to: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    table: &str,
) -> anyhow::Result<u64> {
    let columns: Vec<(String, String)> =
        sqlx::query_as("SELECT name, type FROM pragma_table_info($1) ORDER BY cid")
            .bind(table)
            .fetch_all(from)
            .await?;
    let names: Vec<&str> = columns.iter().map(|(n, _)| n.as_str()).collect();
    let select = format!("SELECT {} FROM {table}", names.join(", "));
    let placeholders: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
    let insert = format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        names.join(", "),
        placeholders.join(", ")
    );
    // Streamed: a table of any size passes one row at a time.
    let mut rows = sqlx::query(&select).fetch(from);
    let mut copied = 0u64;
    while let Some(row) = rows.try_next().await? {
        let mut query = sqlx::query(&insert);
        for (i, (name, declared)) in columns.iter().enumerate() {
            let value = read(&row, i, declared).with_context(|| {
                let actual = row.columns()[i].type_info().name().to_string();
                format!("{table}.{name} holds a {actual}")
            })?;
            query = match value {
                Value::Int(v) => query.bind(v),
                Value::Text(v) => query.bind(v),
                Value::Bytes(v) => query.bind(v),
                Value::Bool(v) => query.bind(v),
            };
        }
        query.execute(&mut **to).await?;
        copied += 1;
    }
    Ok(copied)
}
