//! Database connection and migrations. SQLite is the embedded default.

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

/// The pool type every query module takes; one place to change for PostgreSQL.
pub type Db = sqlx::SqlitePool;

/// Sees every row change on every pooled connection, before its transaction commits
/// (see `dav::versions`). Must be quick: it runs inside SQLite.
pub type RowObserver = std::sync::Arc<dyn Fn(&sqlx::sqlite::PreupdateHookResult<'_>) + Send + Sync>;

pub async fn connect(url: &str) -> anyhow::Result<Db> {
    connect_observed(url, None).await
}

/// [`connect`], with `observer` hooked onto every connection the pool opens.
pub async fn connect_observed(url: &str, observer: Option<RowObserver>) -> anyhow::Result<Db> {
    let options = SqliteConnectOptions::from_str(url)
        .with_context(|| format!("invalid database URL {url}"))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .after_connect(move |conn, _meta| {
            let observer = observer.clone();
            Box::pin(async move {
                if let Some(observer) = observer {
                    conn.lock_handle()
                        .await?
                        .set_preupdate_hook(move |r| observer(&r));
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .with_context(|| format!("cannot open database {url}"))?;
    sqlx::migrate!("./migrations/sqlite")
        .run(&pool)
        .await
        .context("database migration failed")?;
    Ok(pool)
}

/// Starts a transaction that holds the write lock from its first statement. A deferred
/// transaction that reads before it writes cannot be upgraded once another connection
/// has written meanwhile (SQLite answers "busy" at once, without waiting), so every write
/// transaction that starts with a read must begin this way.
pub async fn begin_write(db: &Db) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
    db.begin_with("BEGIN IMMEDIATE").await
}

/// Deletes all but the newest `keep` rows (by id) of `table` whose `owner_column` is
/// `owner`: bounded logs and lists (webhook attempts, push devices). Table and column
/// names are the caller's constants, never input.
pub async fn keep_newest(
    tx: &mut sqlx::SqliteConnection,
    table: &'static str,
    owner_column: &'static str,
    owner: i64,
    keep: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "DELETE FROM {table} WHERE {owner_column} = ? AND id NOT IN \
         (SELECT id FROM {table} WHERE {owner_column} = ? ORDER BY id DESC LIMIT ?)"
    ))
    .bind(owner)
    .bind(owner)
    .bind(keep)
    .execute(tx)
    .await?;
    Ok(())
}
