//! Keeps the in-memory caches of every ksuite process on one database honest. Triggers
//! write an `invalidations` row in the same transaction as each change a cache depends
//! on (see migration 0024): a password or an application password, a link, a time zone
//! or a share, a collection's ctag. Each process reads the rows it has not seen every
//! `--invalidation-poll-ms` and forgets what they name, so a change made through one
//! process takes effect in all of them within one period. The process that made the
//! change has already forgotten it locally; reading its own rows again is harmless.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;

use crate::dav::path::Kind;
use crate::db::Db;
use crate::error::ApiError;
use crate::jobs::Stop;
use crate::state::AppState;

/// Rows read per round; more wait for the next one.
const BATCH: i64 = 1000;
/// Rows older than this are trimmed: a process that stalled longer forgets everything.
const KEEP_SECONDS: i64 = 600;

/// One change to forget.
#[derive(Debug, PartialEq, Eq)]
enum Invalidation {
    Credentials,
    Link(String),
    DavAnswers,
    Collection {
        kind: Kind,
        id: i64,
        generation: i64,
        ctag: i64,
    },
}

type Row = (
    i64,
    String,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<String>,
);

fn parse((_, topic, item, generation, version, name): Row) -> Option<Invalidation> {
    let collection = |kind| {
        Some(Invalidation::Collection {
            kind,
            id: item?,
            generation: generation?,
            ctag: version?,
        })
    };
    match topic.as_str() {
        "credentials" => Some(Invalidation::Credentials),
        "link" => name.map(Invalidation::Link),
        "dav_answers" => Some(Invalidation::DavAnswers),
        "calendar" => collection(Kind::Calendar),
        "address_book" => collection(Kind::AddressBook),
        _ => None,
    }
}

/// Where this process has read up to; shared by the poll job and by write requests,
/// which read their own rows before they answer.
pub struct Follower {
    last: tokio::sync::Mutex<i64>,
}

/// The newest row now: a process reads it before it caches anything, and follows from it.
pub async fn newest(db: &Db) -> Result<i64, ApiError> {
    let last: Option<i64> = crate::on_db!(db, |dbc| sqlx::query_scalar(
        "SELECT MAX(seq) FROM invalidations"
    )
    .fetch_one(dbc)
    .await)?;
    Ok(last.unwrap_or(0))
}

/// Whether rows between `last` and `first` were trimmed away (this process fell behind),
/// rather than never committed (a rolled-back row on PostgreSQL leaves a hole).
async fn missed_rows(db: &Db, last: i64, first: i64) -> Result<bool, ApiError> {
    if first == last + 1 {
        return Ok(false);
    }
    let oldest: Option<i64> = crate::on_db!(db, |dbc| sqlx::query_scalar(
        "SELECT MIN(seq) FROM invalidations"
    )
    .fetch_one(dbc)
    .await)?;
    Ok(oldest.is_none_or(|oldest| oldest > last + 1))
}

impl Follower {
    /// Follows the rows after `last` (from [`newest`]).
    pub fn after(last: i64) -> Follower {
        Follower {
            last: tokio::sync::Mutex::new(last),
        }
    }

    /// Reads and applies what is new; `true` when a full batch says more is waiting.
    async fn round(last: &mut i64, state: &AppState) -> Result<bool, ApiError> {
        let rows: Vec<Row> = crate::on_db!(&state.db, |dbc| sqlx::query_as(
            "SELECT seq, topic, item, generation, version, name FROM invalidations \
             WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(*last)
        .bind(BATCH)
        .fetch_all(dbc)
        .await)?;
        let Some(&(first, ..)) = rows.first() else {
            return Ok(false);
        };
        let full = rows.len() as i64 == BATCH;
        if missed_rows(&state.db, *last, first).await? {
            forget_everything(state);
        }
        *last = rows.last().map_or(*last, |r| r.0);
        apply(state, rows.into_iter().filter_map(parse));
        Ok(full)
    }

    async fn trim(db: &Db) -> Result<(), ApiError> {
        crate::on_db!(db, |dbc| sqlx::query(
            "DELETE FROM invalidations WHERE created_at < $1"
        )
        .bind(crate::now_unix() - KEEP_SECONDS)
        .execute(dbc)
        .await
        .map(crate::db::Done::from))?;
        Ok(())
    }

    /// Reads until nothing new is left (or the database fails, then next time).
    pub async fn catch_up(&self, state: &AppState) {
        let mut last = self.last.lock().await;
        loop {
            match Follower::round(&mut last, state).await {
                Ok(true) => continue,
                Ok(false) => break,
                Err(e) => {
                    tracing::warn!(error = %e.message, "cannot read cache invalidations");
                    break;
                }
            }
        }
    }

    /// Follows until stopped; trims old rows about once a minute.
    pub async fn run(self: Arc<Self>, state: AppState, period: Duration, mut stop: Stop) {
        let trim_every = (60_000 / period.as_millis().max(1)).max(1) as u32;
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut rounds: u32 = 0;
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stop.stopped() => return,
            }
            self.catch_up(&state).await;
            rounds = rounds.wrapping_add(1);
            if rounds.is_multiple_of(trim_every)
                && let Err(e) = Follower::trim(&state.db).await
            {
                tracing::warn!(error = %e.message, "cannot trim cache invalidations");
            }
        }
    }
}

/// Methods that never write (WebDAV's PROPFIND and REPORT included).
fn is_read(method: &Method) -> bool {
    matches!(
        method.as_str(),
        "GET" | "HEAD" | "OPTIONS" | "PROPFIND" | "REPORT"
    )
}

/// Reads the invalidation rows of a write request before its answer leaves: what the
/// write changed (a calendar's ctag, a share) is known to this process's caches before
/// the client can ask again.
pub async fn after_write(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let write = !is_read(req.method());
    let response = next.run(req).await;
    if write {
        state.invalidations.catch_up(&state).await;
    }
    response
}

fn forget_everything(state: &AppState) {
    state.credentials.clear();
    state.links.cache.clear();
    state.dav_cache.clear();
    state.dav_versions.forget_all();
}

fn apply(state: &AppState, changes: impl Iterator<Item = Invalidation>) {
    let (mut credentials, mut dav) = (false, false);
    for change in changes {
        match change {
            Invalidation::Credentials => credentials = true,
            Invalidation::DavAnswers => dav = true,
            Invalidation::Link(slug) => state.links.cache.invalidate(&slug),
            Invalidation::Collection {
                kind,
                id,
                generation,
                ctag,
            } => state.dav_versions.observe(kind, id, generation, ctag),
        }
    }
    if credentials {
        state.credentials.clear();
    }
    if dav {
        state.dav_cache.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_name_what_to_forget() {
        let row = |topic: &str, item, generation, version, name: Option<&str>| {
            parse((
                1,
                topic.to_string(),
                item,
                generation,
                version,
                name.map(str::to_string),
            ))
        };
        assert_eq!(
            row("credentials", None, None, None, None),
            Some(Invalidation::Credentials)
        );
        assert_eq!(
            row("link", None, None, None, Some("abc")),
            Some(Invalidation::Link("abc".into()))
        );
        assert_eq!(row("link", None, None, None, None), None);
        assert_eq!(
            row("calendar", Some(3), Some(7), Some(12), None),
            Some(Invalidation::Collection {
                kind: Kind::Calendar,
                id: 3,
                generation: 7,
                ctag: 12
            })
        );
        assert_eq!(row("address_book", Some(3), None, Some(12), None), None);
        assert_eq!(row("something new", None, None, None, None), None);
    }
}
