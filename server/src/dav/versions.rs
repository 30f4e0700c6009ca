//! The latest ctag of every calendar and address book, learnt from SQLite itself: a
//! pre-update hook on every pooled connection sees each change to a collection row (and
//! every write to an event or contact bumps its collection's ctag in the same
//! transaction). An answer computed from a collection at ctag C stays valid while the
//! latest known ctag is still C, which lets object GETs skip the database entirely.
//!
//! The hook runs before the writing transaction commits, so a reader can never tag an
//! answer with a ctag that a started write has already passed; ctags only grow (a
//! re-created collection has a new generation, a deleted one is marked dead for good), so
//! a late reader cannot move the latest value back. A rolled-back write leaves the latest
//! value ahead of the database: answers then miss until the next write, never go stale.
//! Only this process's writes are seen (several processes need a shared signal).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use sqlx::sqlite::{PreupdateHookResult, SqliteOperation};

use super::path::Kind;
use crate::db::Db;
use crate::error::ApiError;

/// The ctag of a collection that was deleted: no answer of it is current again.
const DEAD: i64 = i64::MAX;

/// Where `ctag` and `generation` are in a collection table's rows.
#[derive(Clone, Copy, Debug)]
struct Columns {
    ctag: i32,
    generation: i32,
}

#[derive(Default)]
pub struct CollectionVersions {
    /// (kind, id, generation) → latest ctag.
    latest: Mutex<HashMap<(Kind, i64, i64), i64>>,
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

    /// Called by the pre-update hook for every row change on every connection.
    pub fn on_row_change(&self, r: &PreupdateHookResult<'_>) {
        let Some((calendars, books)) = self.columns.get() else {
            return;
        };
        let (kind, cols) = match r.table {
            "calendars" => (Kind::Calendar, calendars),
            "address_books" => (Kind::AddressBook, books),
            _ => return,
        };
        let Ok(mut latest) = self.latest.lock() else {
            return;
        };
        match r.operation {
            SqliteOperation::Delete => {
                let id = r.get_old_row_id().ok();
                let generation = r
                    .get_old_column_value(cols.generation)
                    .ok()
                    .and_then(integer);
                if let (Some(id), Some(generation)) = (id, generation) {
                    latest.insert((kind, id, generation), DEAD);
                }
            }
            _ => {
                let id = r.get_new_row_id().ok();
                let generation = r
                    .get_new_column_value(cols.generation)
                    .ok()
                    .and_then(integer);
                let ctag = r.get_new_column_value(cols.ctag).ok().and_then(integer);
                if let (Some(id), Some(generation), Some(ctag)) = (id, generation, ctag) {
                    let v = latest.entry((kind, id, generation)).or_insert(ctag);
                    *v = (*v).max(ctag);
                }
            }
        }
    }

    /// A reader saw the collection at `ctag` (after a restart, the first news of it).
    pub fn observe(&self, kind: Kind, id: i64, generation: i64, ctag: i64) {
        if let Ok(mut latest) = self.latest.lock() {
            let v = latest.entry((kind, id, generation)).or_insert(ctag);
            *v = (*v).max(ctag);
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
