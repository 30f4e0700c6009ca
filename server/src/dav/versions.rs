//! The latest ctag of every calendar and address book, learnt from SQLite itself: hooks on
//! every pooled connection see each change to a collection row (and every write to an
//! event or contact bumps its collection's ctag in the same transaction). An answer
//! computed from a collection at ctag C stays valid while the latest known ctag is still
//! C, which lets object GETs skip the database entirely.
//!
//! A connection keeps what its open transaction changed and publishes it from the commit
//! hook, which SQLite runs before the commit becomes visible: a reader can never tag an
//! answer with a ctag that a committed write has already passed. A rolled-back
//! transaction (a cancelled request, a refused write) publishes nothing, so answers kept
//! before it stay current. ctags only grow (a re-created collection has a new generation,
//! a deleted one is marked dead for good), so a late reader cannot move the latest value
//! back. Changes undone by `ROLLBACK TO` a savepoint are still published at commit: the
//! latest value is then ahead of the database, and answers miss until the next write,
//! never go stale. Other processes' writes arrive through `invalidations` (within one
//! poll period).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use sqlx::sqlite::{PreupdateHookResult, SqliteOperation};

use super::path::Kind;
use crate::db::{Db, ObserverFactory, TransactionObserver};
use crate::error::ApiError;

/// The ctag of a collection that was deleted: no answer of it is current again.
const DEAD: i64 = i64::MAX;

/// A collection's identity: its kind, row id and generation.
type Key = (Kind, i64, i64);

/// Where `ctag` and `generation` are in a collection table's rows.
#[derive(Clone, Copy, Debug)]
struct Columns {
    ctag: i32,
    generation: i32,
}

#[derive(Default)]
pub struct CollectionVersions {
    /// (kind, id, generation) → latest ctag.
    latest: Mutex<HashMap<Key, i64>>,
    /// Column positions in `calendars` and `address_books`, read after migrations;
    /// until then (no request is served yet) changes are not followed.
    columns: OnceLock<(Columns, Columns)>,
}

async fn columns_of(db: &Db, table: &str) -> Result<Columns, ApiError> {
    let rows: Vec<(i64, String)> = sqlx::query_as(&format!(
        "SELECT cid, name FROM pragma_table_info('{table}')"
    ))
    .fetch_all(db)
    .await?;
    let find = |name: &str| {
        rows.iter()
            .find(|(_, n)| n == name)
            .map(|(i, _)| *i as i32)
            .ok_or_else(|| ApiError::internal(format!("{table}.{name} is missing")))
    };
    Ok(Columns {
        ctag: find("ctag")?,
        generation: find("generation")?,
    })
}

fn integer(v: sqlx::sqlite::SqliteValueRef<'_>) -> Option<i64> {
    <i64 as sqlx::Decode<sqlx::Sqlite>>::decode(v).ok()
}

impl CollectionVersions {
    /// Reads where the followed columns are; changes are followed from then on.
    pub async fn follow(&self, db: &Db) -> Result<(), ApiError> {
        let calendars = columns_of(db, "calendars").await?;
        let books = columns_of(db, "address_books").await?;
        let _ = self.columns.set((calendars, books));
        Ok(())
    }

    /// What a row change, if it commits, tells about a followed collection.
    fn change_of(&self, r: &PreupdateHookResult<'_>) -> Option<(Key, i64)> {
        let (calendars, books) = self.columns.get()?;
        let (kind, cols) = match r.table {
            "calendars" => (Kind::Calendar, calendars),
            "address_books" => (Kind::AddressBook, books),
            _ => return None,
        };
        if let SqliteOperation::Delete = r.operation {
            let id = r.get_old_row_id().ok()?;
            let generation = r
                .get_old_column_value(cols.generation)
                .ok()
                .and_then(integer)?;
            return Some(((kind, id, generation), DEAD));
        }
        let id = r.get_new_row_id().ok()?;
        let generation = r
            .get_new_column_value(cols.generation)
            .ok()
            .and_then(integer)?;
        let ctag = r.get_new_column_value(cols.ctag).ok().and_then(integer)?;
        Some(((kind, id, generation), ctag))
    }

    /// Makes the observer each pooled connection publishes its commits through.
    pub fn observers(self: &Arc<Self>) -> ObserverFactory {
        let versions = self.clone();
        Arc::new(move || {
            Box::new(ConnectionChanges {
                versions: versions.clone(),
                pending: Vec::new(),
            }) as Box<dyn TransactionObserver>
        })
    }

    /// A reader saw the collection at `ctag` (after a restart, the first news of it).
    pub fn observe(&self, kind: Kind, id: i64, generation: i64, ctag: i64) {
        self.publish(&[((kind, id, generation), ctag)]);
    }

    fn publish(&self, seen: &[(Key, i64)]) {
        if let Ok(mut latest) = self.latest.lock() {
            for &(key, ctag) in seen {
                let v = latest.entry(key).or_insert(ctag);
                *v = (*v).max(ctag);
            }
        }
    }

    /// Forgets every version (this process may have missed changes): no answer kept so
    /// far is current until a reader sees its collection again.
    pub fn forget_all(&self) {
        if let Ok(mut latest) = self.latest.lock() {
            latest.clear();
        }
    }

    /// Whether an answer computed at `ctag` still describes the collection.
    pub fn is_current(&self, kind: Kind, id: i64, generation: i64, ctag: i64) -> bool {
        self.latest
            .lock()
            .ok()
            .and_then(|l| l.get(&(kind, id, generation)).copied())
            == Some(ctag)
    }
}

/// One connection's view: the collection changes of its open transaction.
struct ConnectionChanges {
    versions: Arc<CollectionVersions>,
    pending: Vec<(Key, i64)>,
}

impl TransactionObserver for ConnectionChanges {
    fn row_changed(&mut self, change: &PreupdateHookResult<'_>) {
        if let Some(seen) = self.versions.change_of(change) {
            self.pending.push(seen);
        }
    }

    fn committed(&mut self) {
        self.versions.publish(&self.pending);
        self.pending.clear();
    }

    fn rolled_back(&mut self) {
        self.pending.clear();
    }
}

#[cfg(test)]
mod tests {
    //! Real SQLite with the real hooks: what each kind of transaction end publishes.

    use super::*;

    async fn setup() -> (tempfile::TempDir, Db, Arc<CollectionVersions>, i64, i64) {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("k.db").display());
        let versions = Arc::new(CollectionVersions::default());
        let db = crate::db::connect_observed(&url, Some(versions.observers()))
            .await
            .expect("database");
        versions.follow(&db).await.expect("follow");
        sqlx::query(
            "INSERT INTO users (id, email, display_name, password_hash, created_at) VALUES (1, 'o@example.org', 'O', '', 0)",
        )
        .execute(&db)
        .await
        .expect("user");
        let mut conn = db.acquire().await.expect("connection");
        let id = crate::calendar::store::create_calendar(&mut conn, 1, "Work", "#2454d6", false)
            .await
            .expect("calendar");
        drop(conn);
        let (generation, ctag): (i64, i64) =
            sqlx::query_as("SELECT generation, ctag FROM calendars WHERE id = ?")
                .bind(id)
                .fetch_one(&db)
                .await
                .expect("calendar row");
        versions.observe(Kind::Calendar, id, generation, ctag);
        (dir, db, versions, id, generation)
    }

    async fn ctag(db: &Db, id: i64) -> i64 {
        sqlx::query_scalar("SELECT ctag FROM calendars WHERE id = ?")
            .bind(id)
            .fetch_one(db)
            .await
            .expect("ctag")
    }

    const BUMP: &str = "UPDATE calendars SET ctag = ctag + 1 WHERE id = ?";

    /// An open write transaction that has bumped the calendar's ctag.
    async fn bumped_in_transaction(db: &Db, id: i64) -> sqlx::Transaction<'static, sqlx::Sqlite> {
        let mut tx = crate::db::begin_write(db).await.expect("begin");
        sqlx::query(BUMP)
            .bind(id)
            .execute(&mut *tx)
            .await
            .expect("bump");
        tx
    }

    #[tokio::test]
    async fn a_commit_is_published_and_only_at_commit() {
        let (_dir, db, versions, id, generation) = setup().await;
        let before = ctag(&db, id).await;
        let tx = bumped_in_transaction(&db, id).await;
        // Readers still see `before` until the commit: answers at `before` stay right.
        assert!(versions.is_current(Kind::Calendar, id, generation, before));
        tx.commit().await.expect("commit");
        assert!(!versions.is_current(Kind::Calendar, id, generation, before));
        assert!(versions.is_current(Kind::Calendar, id, generation, before + 1));
        assert_eq!(ctag(&db, id).await, before + 1);

        // A statement outside a transaction commits on its own.
        sqlx::query(BUMP).bind(id).execute(&db).await.expect("bump");
        assert!(versions.is_current(Kind::Calendar, id, generation, before + 2));
    }

    #[tokio::test]
    async fn a_rolled_back_write_keeps_answers_current() {
        let (_dir, db, versions, id, generation) = setup().await;
        let before = ctag(&db, id).await;
        let tx = bumped_in_transaction(&db, id).await;
        tx.rollback().await.expect("rollback");
        assert_eq!(ctag(&db, id).await, before);
        assert!(versions.is_current(Kind::Calendar, id, generation, before));
    }

    #[tokio::test]
    async fn a_cancelled_request_keeps_answers_current() {
        let (_dir, db, versions, id, generation) = setup().await;
        let before = ctag(&db, id).await;
        // What a client disconnecting mid-PUT does: the request's future, and with it
        // the open transaction, is dropped after the ctag bump.
        let write = {
            let db = db.clone();
            async move {
                let tx = bumped_in_transaction(&db, id).await;
                std::future::pending::<()>().await;
                tx.commit().await.expect("commit");
            }
        };
        let cancelled = tokio::time::timeout(std::time::Duration::from_millis(50), write).await;
        assert!(cancelled.is_err(), "the write was cut off");
        // The pool rolls the dropped transaction back before lending the connection again.
        assert_eq!(ctag(&db, id).await, before);
        assert!(versions.is_current(Kind::Calendar, id, generation, before));

        // The next write that commits is published as usual.
        sqlx::query(BUMP).bind(id).execute(&db).await.expect("bump");
        assert!(versions.is_current(Kind::Calendar, id, generation, before + 1));
    }

    #[tokio::test]
    async fn a_deleted_collection_is_never_current_again() {
        let (_dir, db, versions, id, generation) = setup().await;
        let before = ctag(&db, id).await;
        sqlx::query("DELETE FROM calendars WHERE id = ?")
            .bind(id)
            .execute(&db)
            .await
            .expect("delete");
        assert!(!versions.is_current(Kind::Calendar, id, generation, before));
        versions.observe(Kind::Calendar, id, generation, before);
        assert!(!versions.is_current(Kind::Calendar, id, generation, before));
    }
}
