//! Database connection and migrations: SQLite (the embedded default) or PostgreSQL.
//!
//! Every query is written once and compiled for both backends: [`on_db!`] runs it on
//! whichever typed connection (`SqliteConnection` or `PgConnection`) the pool or
//! transaction holds, so rows decode with each driver's own types (SQLite's integer
//! flags as `bool`, PostgreSQL's `BOOLEAN`). SQL shared by both uses `$1`-numbered
//! parameters, `TRUE`/`FALSE`, `ON CONFLICT` and `RETURNING`; where the dialects differ
//! (full-text search, how a write transaction is serialised) the code asks
//! [`Db::backend`] and keeps both texts side by side.

pub mod copy;

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Database, PgPool, Postgres, Sqlite, SqlitePool, Transaction};

/// Which database a pool or connection talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The pool every query module takes.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A connection taken from [`Db`], plain or inside a transaction.
pub enum Conn {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
    SqliteTx(Transaction<'static, Sqlite>),
    PostgresTx(Transaction<'static, Postgres>),
}

/// A [`Conn`] inside a transaction (from [`begin_write`] or [`Db::begin`]).
pub type Tx = Conn;

impl Db {
    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn acquire(&self) -> Result<Conn, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(p) => Conn::Sqlite(p.acquire().await?),
            Db::Postgres(p) => Conn::Postgres(p.acquire().await?),
        })
    }

    /// A transaction that only reads, or writes without reading first (see
    /// [`begin_write`] for the others).
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(p) => Conn::SqliteTx(p.begin().await?),
            Db::Postgres(p) => Conn::PostgresTx(p.begin().await?),
        })
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(p) => p.close().await,
            Db::Postgres(p) => p.close().await,
        }
    }
}

impl Conn {
    pub fn backend(&self) -> Backend {
        match self {
            Conn::Sqlite(_) | Conn::SqliteTx(_) => Backend::Sqlite,
            Conn::Postgres(_) | Conn::PostgresTx(_) => Backend::Postgres,
        }
    }

    /// Commits the transaction (a plain connection has nothing to commit).
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Conn::SqliteTx(t) => t.commit().await,
            Conn::PostgresTx(t) => t.commit().await,
            Conn::Sqlite(_) | Conn::Postgres(_) => Ok(()),
        }
    }

    /// Rolls the transaction back (dropping it does too, as the connection returns).
    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        match self {
            Conn::SqliteTx(t) => t.rollback().await,
            Conn::PostgresTx(t) => t.rollback().await,
            Conn::Sqlite(_) | Conn::Postgres(_) => Ok(()),
        }
    }
}

/// A typed connection to run one statement on: taken from the pool for the statement,
/// or borrowed from a [`Conn`].
pub enum Held<'a, DB: Database> {
    Pooled(PoolConnection<DB>),
    Borrowed(&'a mut DB::Connection),
}

impl<DB: Database> std::ops::Deref for Held<'_, DB> {
    type Target = DB::Connection;
    fn deref(&self) -> &DB::Connection {
        match self {
            Held::Pooled(c) => c,
            Held::Borrowed(c) => c,
        }
    }
}

impl<DB: Database> std::ops::DerefMut for Held<'_, DB> {
    fn deref_mut(&mut self) -> &mut DB::Connection {
        match self {
            Held::Pooled(c) => c,
            Held::Borrowed(c) => c,
        }
    }
}

/// The typed connection a statement runs on (see [`on_db!`]).
pub enum Picked<'a> {
    Sqlite(Held<'a, Sqlite>),
    Postgres(Held<'a, Postgres>),
}

/// What a statement can run on: the pool, or a connection or transaction.
pub trait Target<'a> {
    fn pick(self) -> impl std::future::Future<Output = Result<Picked<'a>, sqlx::Error>> + Send;
}

impl<'a> Target<'a> for &'a Db {
    async fn pick(self) -> Result<Picked<'a>, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(p) => Picked::Sqlite(Held::Pooled(p.acquire().await?)),
            Db::Postgres(p) => Picked::Postgres(Held::Pooled(p.acquire().await?)),
        })
    }
}

impl<'a> Target<'a> for &'a mut Conn {
    async fn pick(self) -> Result<Picked<'a>, sqlx::Error> {
        Ok(match self {
            Conn::Sqlite(c) => Picked::Sqlite(Held::Borrowed(&mut **c)),
            Conn::SqliteTx(t) => Picked::Sqlite(Held::Borrowed(&mut **t)),
            Conn::Postgres(c) => Picked::Postgres(Held::Borrowed(&mut **c)),
            Conn::PostgresTx(t) => Picked::Postgres(Held::Borrowed(&mut **t)),
        })
    }
}

/// What a statement changed: the part of each driver's result the code reads.
#[derive(Clone, Copy, Debug)]
pub struct Done(u64);

impl Done {
    pub fn rows_affected(&self) -> u64 {
        self.0
    }
}

impl From<sqlx::sqlite::SqliteQueryResult> for Done {
    fn from(r: sqlx::sqlite::SqliteQueryResult) -> Done {
        Done(r.rows_affected())
    }
}

impl From<sqlx::postgres::PgQueryResult> for Done {
    fn from(r: sqlx::postgres::PgQueryResult) -> Done {
        Done(r.rows_affected())
    }
}

/// Runs `body` (a sqlx query ending in `.fetch_*(conn)` or `.execute(conn)`, awaited)
/// on the typed connection of `target` (`&Db` or `&mut Conn`): the same text compiled
/// once per backend. Evaluates to `Result<_, sqlx::Error>`.
#[macro_export]
macro_rules! on_db {
    ($target:expr, |$conn:ident| $body:expr) => {
        match $crate::db::Target::pick($target).await {
            Err(e) => Err(e),
            Ok($crate::db::Picked::Sqlite(mut held)) => {
                let $conn = &mut *held;
                $body
            }
            Ok($crate::db::Picked::Postgres(mut held)) => {
                let $conn = &mut *held;
                $body
            }
        }
    };
}

/// Pool sizes: SQLite has one writer at a time, so a few connections serve reads;
/// PostgreSQL is shared by several processes and keeps its own limit.
const SQLITE_CONNECTIONS: u32 = 8;
const POSTGRES_CONNECTIONS: u32 = 16;

/// How the server's pool is sized and bounded (tools and tests take the defaults).
#[derive(Clone, Debug, Default)]
pub struct PoolSettings {
    /// Connections kept open at most (0: [`SQLITE_CONNECTIONS`] or [`POSTGRES_CONNECTIONS`]).
    pub max_connections: u32,
    /// PostgreSQL only: the longest any one statement may run before the server cancels
    /// it, so that no query plan can hold a request (or the write lock) for minutes.
    /// Migrations run on a connection of their own without it.
    pub statement_timeout: Option<Duration>,
    /// PostgreSQL only: the text search configuration mail search stems words with
    /// (`None`: [`DEFAULT_SEARCH_LANGUAGE`]); see [`postgres_options`].
    pub search_language: Option<String>,
}

/// The language PostgreSQL mail search stems words in unless told otherwise.
pub const DEFAULT_SEARCH_LANGUAGE: &str = "english";

/// How to connect to the PostgreSQL at `url`: each session's default text search
/// configuration is the search language, so the one-argument `to_tsvector`/`to_tsquery`
/// that index and search mail stem words in it (see `mail::store::fts_index`).
pub fn postgres_options(
    url: &str,
    search_language: Option<&str>,
) -> anyhow::Result<PgConnectOptions> {
    let language = search_language.unwrap_or(DEFAULT_SEARCH_LANGUAGE);
    anyhow::ensure!(
        !language.is_empty() && language.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
        "search language {language:?}: name a PostgreSQL text search configuration, \
         such as english, french, german, italian, spanish, portuguese or simple"
    );
    Ok(PgConnectOptions::from_str(url)
        .with_context(|| format!("invalid database URL {}", without_password(url)))?
        .options([("default_text_search_config", language)]))
}

/// Opens (creating an SQLite file if needed) and migrates the database at `url`.
pub async fn connect(url: &str) -> anyhow::Result<Db> {
    connect_with(url, PoolSettings::default()).await
}

/// [`connect`] with the pool sized and bounded as `settings` say.
pub async fn connect_with(url: &str, settings: PoolSettings) -> anyhow::Result<Db> {
    let max = |default| {
        if settings.max_connections == 0 {
            default
        } else {
            settings.max_connections
        }
    };
    if is_postgres(url) {
        let opened = || format!("cannot open database {}", without_password(url));
        let options = postgres_options(url, settings.search_language.as_deref())?;
        // Migrating may rebuild indexes on large tables: no statement timeout for it.
        let migrator = PgPoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await
            .with_context(opened)?;
        migrate_postgres(&migrator).await?;
        migrator.close().await;
        let options = match settings.statement_timeout {
            Some(limit) => options.options([("statement_timeout", limit.as_millis().to_string())]),
            None => options,
        };
        let pool = PgPoolOptions::new()
            .max_connections(max(POSTGRES_CONNECTIONS))
            .connect_with(options)
            .await
            .with_context(opened)?;
        return Ok(Db::Postgres(pool));
    }
    let options = SqliteConnectOptions::from_str(url)
        .with_context(|| format!("invalid database URL {url}"))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    let pool = SqlitePoolOptions::new()
        .max_connections(max(SQLITE_CONNECTIONS))
        .connect_with(options)
        .await
        .with_context(|| format!("cannot open database {url}"))?;
    sqlx::migrate!("./migrations/sqlite")
        .run(&pool)
        .await
        .context("database migration failed")?;
    Ok(Db::Sqlite(pool))
}

/// Brings the database at `url` to the current schema and exits (`ksuite migrate`).
pub async fn migrate(url: &str) -> anyhow::Result<()> {
    connect(url).await.map(|_| ())
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
/// together migrate once.
pub async fn migrate_postgres(pool: &sqlx::PgPool) -> anyhow::Result<()> {
    sqlx::migrate!("./migrations/postgres")
        .run(pool)
        .await
        .context("PostgreSQL migration failed")
}

/// The advisory lock every PostgreSQL write transaction takes (see [`begin_write`]).
const WRITE_LOCK: i64 = 118_143_635_256_421; // 0x6b7375697465, "ksuite"; also in migration 0029

/// Starts a transaction that writes, serialised with every other one.
///
/// SQLite: `BEGIN IMMEDIATE` holds the write lock from the first statement (a deferred
/// transaction that reads before it writes cannot be upgraded once another connection has
/// written meanwhile). PostgreSQL: the same guarantee from a transaction-scoped advisory
/// lock, so code that reads then writes (a folder's next UID, a visit limit, a quota)
/// keeps SQLite's serial semantics across every process. Readers are never blocked.
pub async fn begin_write(db: &Db) -> Result<Tx, sqlx::Error> {
    match db {
        Db::Sqlite(p) => Ok(Conn::SqliteTx(p.begin_with("BEGIN IMMEDIATE").await?)),
        Db::Postgres(p) => {
            let mut tx = p.begin().await?;
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(WRITE_LOCK)
                .execute(&mut *tx)
                .await?;
            Ok(Conn::PostgresTx(tx))
        }
    }
}

/// Deletes all but the newest `keep` rows (by id) of `table` whose `owner_column` is
/// `owner`: bounded logs and lists (webhook attempts, push devices). Table and column
/// names are the caller's constants, never input.
pub async fn keep_newest(
    tx: &mut Conn,
    table: &'static str,
    owner_column: &'static str,
    owner: i64,
    keep: i64,
) -> Result<(), sqlx::Error> {
    let sql = format!(
        "DELETE FROM {table} WHERE {owner_column} = $1 AND id NOT IN \
         (SELECT id FROM {table} WHERE {owner_column} = $1 ORDER BY id DESC LIMIT $2)"
    );
    crate::on_db!(tx, |conn| sqlx::query(&sql)
        .bind(owner)
        .bind(keep)
        .execute(conn)
        .await
        .map(Done::from))?;
    Ok(())
}

/// `$first, $first+1, …`: `count` numbered parameters for an `IN (…)` list.
pub fn params(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A subquery of the integers in the JSON array bound at `$n` (a list of ids of any length
/// as one parameter).
pub fn json_ids(db: &Db, n: usize) -> String {
    match db.backend() {
        Backend::Sqlite => format!("SELECT value FROM json_each(${n})"),
        Backend::Postgres => format!(
            "SELECT CAST(value AS BIGINT) FROM jsonb_array_elements_text(CAST(${n} AS jsonb))"
        ),
    }
}
