//! Database connection and migrations. SQLite is the embedded default.

pub mod copy;

use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

/// The pool type every query module takes; one place to change for PostgreSQL.
pub type Db = sqlx::SqlitePool;

/// Follows one connection's writes: told of each row change before it happens (must be
/// quick: it runs inside SQLite), then whether the transaction around them committed or
/// rolled back, so that what it learnt is published only once it is true.
pub trait TransactionObserver: Send {
    fn row_changed(&mut self, change: &sqlx::sqlite::PreupdateHookResult<'_>);
    fn committed(&mut self);
    fn rolled_back(&mut self);
}

/// Makes the observer of each connection the pool opens (see `dav::versions`).
pub type ObserverFactory = Arc<dyn Fn() -> Box<dyn TransactionObserver> + Send + Sync>;

pub async fn connect(url: &str) -> anyhow::Result<Db> {
    connect_observed(url, None).await
}

/// [`connect`], with an observer from `observers` hooked onto every connection the pool
/// opens.
pub async fn connect_observed(url: &str, observers: Option<ObserverFactory>) -> anyhow::Result<Db> {
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
            let observers = observers.clone();
            Box::pin(async move {
                if let Some(observers) = observers {
                    hook(&mut conn.lock_handle().await?, observers());
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

/// Brings the database at `url` to the current schema (`ksuite migrate`): PostgreSQL for
/// `postgres://` URLs, else SQLite.
pub async fn migrate(url: &str) -> anyhow::Result<()> {
    if is_postgres(url) {
        let pool = sqlx::PgPool::connect(url)
            .await
            .with_context(|| format!("cannot open database {}", without_password(url)))?;
        migrate_postgres(&pool).await
    } else {
        connect(url).await.map(|_| ())
    }
}

pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// A database URL fit for a log line or an error message.
pub fn without_password(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

/// Brings a PostgreSQL database to the current schema: the PostgreSQL twin of every
/// SQLite migration (same tables, columns, constraint, index and trigger names; see
/// `migrations/postgres/`). sqlx holds an advisory lock meanwhile, so processes starting
/// together migrate once. The server does not run on PostgreSQL yet (#15): this is what
/// the schema tests and the coming backend use.
pub async fn migrate_postgres(pool: &sqlx::PgPool) -> anyhow::Result<()> {
    sqlx::migrate!("./migrations/postgres")
        .run(pool)
        .await
        .context("PostgreSQL migration failed")
}

/// Hooks `observer` onto one connection. The three hooks run on the thread that holds the
/// connection, one at a time, so the lock is never contended. A connection closed in the
/// middle of a transaction drops its observer (and what it saw) with it.
fn hook(handle: &mut sqlx::sqlite::LockedSqliteHandle<'_>, observer: Box<dyn TransactionObserver>) {
    let observer = Arc::new(Mutex::new(observer));
    let on_change = observer.clone();
    handle.set_preupdate_hook(move |change| {
        if let Ok(mut o) = on_change.lock() {
            o.row_changed(&change);
        }
    });
    let on_commit = observer.clone();
    handle.set_commit_hook(move || {
        if let Ok(mut o) = on_commit.lock() {
            o.committed();
        }
        true
    });
    handle.set_rollback_hook(move || {
        if let Ok(mut o) = observer.lock() {
            o.rolled_back();
        }
    });
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
