//! Raw messages in the blob store, named by their SHA-256, so the same message delivered
//! to several folders (or by several processes) is stored once.
//!
//! Storing and deleting are kept apart through the database, so that it holds across
//! processes: a writer *pins* a digest (a committed row) before it stores the bytes and
//! unpins it after the row that points at them is committed. Deletion records the digest
//! as garbage and removes the bytes inside a write transaction that first finds no pin and
//! no row pointing at it; a pin taken meanwhile waits for that transaction, so a writer
//! either sees the bytes gone and writes them again, or its pin stops the deletion. A
//! digest pinned at deletion time stays garbage and goes at a later sweep.

use std::io;

use sha2::{Digest, Sha256};

use crate::blobs::{BlobKey, BlobStore};
use crate::db::Db;
use crate::now_unix;

/// How long a pin holds when its writer never unpins (it crashed): longer than any
/// stretch between storing bytes and committing the row that names them.
const PIN_SECONDS: i64 = 15 * 60;

/// Garbage handled per sweep (the periodic sweep comes back for the rest).
const SWEEP_BATCH: i64 = 500;

/// Stored bytes whose row is not committed yet: call [`Stored::release`] after the
/// commit (dropping it unpins too, a moment later).
pub struct Stored {
    pub digest: String,
    db: Db,
    pins: Vec<i64>,
}

/// Where `sqlx` errors meet the store's `io::Result`s.
fn db_error(e: sqlx::Error) -> io::Error {
    io::Error::other(e)
}

async fn pin(db: &Db, digest: &str) -> io::Result<i64> {
    crate::on_db!(db, |dbc| sqlx::query_scalar(
        "INSERT INTO blob_pins (blob, until) VALUES ($1, $2) RETURNING id"
    )
    .bind(digest)
    .bind(now_unix() + PIN_SECONDS)
    .fetch_one(dbc)
    .await)
    .map_err(db_error)
}

async fn unpin(db: &Db, pins: &[i64]) {
    for id in pins {
        if let Err(e) = crate::on_db!(db, |dbc| sqlx::query("DELETE FROM blob_pins WHERE id = $1")
            .bind(id)
            .execute(dbc)
            .await
            .map(crate::db::Done::from))
        {
            tracing::warn!(error = %e, "a message pin stays until it lapses");
        }
    }
}

async fn pin_and_put(db: &Db, blobs: &BlobStore, raw: &[u8]) -> io::Result<(String, i64)> {
    let digest = digest_of(raw);
    let pin = pin(db, &digest).await?;
    match blobs.put(BlobKey::Message(&digest), raw).await {
        Ok(()) => Ok((digest, pin)),
        Err(e) => {
            unpin(db, &[pin]).await;
            Err(e)
        }
    }
}

/// Stores `raw`; keep the answer until the row naming its digest is committed.
pub async fn store(db: &Db, blobs: &BlobStore, raw: &[u8]) -> io::Result<Stored> {
    let (digest, pin) = pin_and_put(db, blobs, raw).await?;
    Ok(Stored {
        digest,
        db: db.clone(),
        pins: vec![pin],
    })
}

impl Stored {
    /// Stores another message under the same hold, released with it.
    pub async fn also(&mut self, blobs: &BlobStore, raw: &[u8]) -> io::Result<String> {
        let (digest, pin) = pin_and_put(&self.db, blobs, raw).await?;
        self.pins.push(pin);
        Ok(digest)
    }

    /// Unpins what was stored, once the rows that point at it are committed (or were not
    /// written: garbage bytes then wait for a deletion that names them).
    pub async fn release(mut self) {
        let pins = std::mem::take(&mut self.pins);
        unpin(&self.db, &pins).await;
    }
}

impl Drop for Stored {
    fn drop(&mut self) {
        let pins = std::mem::take(&mut self.pins);
        if pins.is_empty() {
            return;
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let db = self.db.clone();
            runtime.spawn(async move { unpin(&db, &pins).await });
        }
    }
}

/// The name `raw` is stored under (its SHA-256 in hex), known before storing it.
pub fn digest_of(raw: &[u8]) -> String {
    crate::hex(&Sha256::digest(raw))
}

pub async fn read(blobs: &BlobStore, digest: &str) -> io::Result<Vec<u8>> {
    blobs.get(BlobKey::Message(digest)).await
}

/// Removes the bytes of messages no row needs any more (called after the commit that
/// released them). Digests a row points at again are left alone; pinned ones wait for
/// the periodic [`sweep`].
pub async fn remove_all(db: &Db, blobs: &BlobStore, digests: impl IntoIterator<Item = String>) {
    let digests: Vec<String> = digests.into_iter().collect();
    if digests.is_empty() {
        return;
    }
    let now = now_unix();
    for digest in &digests {
        if let Err(e) = crate::on_db!(db, |dbc| {
            sqlx::query(
            "INSERT INTO blob_garbage (blob, since) VALUES ($1, $2) ON CONFLICT (blob) DO NOTHING",
        )
        .bind(digest)
        .bind(now)
        .execute(dbc).await.map(crate::db::Done::from)
        }) {
            tracing::warn!(error = %e, "kept a message file: cannot record it for removal");
        }
    }
    for digest in digests {
        collect(db, blobs, &digest).await;
    }
}

/// Works through recorded garbage (what a pin or a failure kept) and forgets lapsed pins;
/// run periodically.
pub async fn sweep(db: &Db, blobs: &BlobStore) {
    if let Err(e) = crate::on_db!(db, |dbc| sqlx::query(
        "DELETE FROM blob_pins WHERE until < $1"
    )
    .bind(now_unix())
    .execute(dbc)
    .await
    .map(crate::db::Done::from))
    {
        tracing::warn!(error = %e, "cannot forget lapsed message pins");
    }
    let garbage: Vec<String> = match crate::on_db!(db, |dbc| sqlx::query_scalar(
        "SELECT blob FROM blob_garbage ORDER BY since LIMIT $1"
    )
    .bind(SWEEP_BATCH)
    .fetch_all(dbc)
    .await)
    {
        Ok(g) => g,
        Err(e) => {
            tracing::warn!(error = %e, "cannot list message files to remove");
            return;
        }
    };
    for digest in garbage {
        collect(db, blobs, &digest).await;
    }
}

/// [`sweep`] at start and every minute until stopped.
pub async fn sweep_periodically(db: Db, blobs: BlobStore, stop: crate::jobs::Stop) {
    let minute = std::time::Duration::from_secs(60);
    crate::jobs::every(minute, stop, || sweep(&db, &blobs)).await;
}

/// What became of one garbage digest.
#[derive(Debug, PartialEq, Eq)]
enum Collected {
    Removed,
    InUse,
    Pinned,
}

/// Removes one garbage digest's bytes if nothing pins or names it, inside a write
/// transaction so no pin can be taken between the check and the removal.
async fn collect(db: &Db, blobs: &BlobStore, digest: &str) {
    match try_collect(db, blobs, digest).await {
        Ok(outcome) => tracing::debug!(?outcome, digest, "message file garbage handled"),
        Err(e) => tracing::warn!(error = %e, "kept a message file for a later sweep"),
    }
}

async fn try_collect(db: &Db, blobs: &BlobStore, digest: &str) -> io::Result<Collected> {
    // The write lock from the start: a new pin waits for this transaction to end.
    let mut tx = crate::db::begin_write(db).await.map_err(db_error)?;
    // Lapsed pins (a writer that died) do not count; the sweep forgets them.
    let pinned: Option<i64> = crate::on_db!(&mut tx, |dbc| sqlx::query_scalar(
        "SELECT until FROM blob_pins WHERE blob = $1 AND until >= $2 LIMIT 1"
    )
    .bind(digest)
    .bind(now_unix())
    .fetch_optional(dbc)
    .await)
    .map_err(db_error)?;
    if pinned.is_some() {
        return Ok(Collected::Pinned);
    }
    let in_use = super::store::blob_in_use(&mut tx, digest)
        .await
        .map_err(|e| io::Error::other(e.message))?;
    if !in_use {
        blobs.delete(BlobKey::Message(digest)).await?;
        // What IMAP derived from it goes too.
        crate::on_db!(&mut tx, |dbc| sqlx::query(
            "DELETE FROM mail_imap_structure WHERE blob = $1"
        )
        .bind(digest)
        .execute(dbc)
        .await
        .map(crate::db::Done::from))
        .map_err(db_error)?;
    }
    crate::on_db!(&mut tx, |dbc| sqlx::query(
        "DELETE FROM blob_garbage WHERE blob = $1"
    )
    .bind(digest)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))
    .map_err(db_error)?;
    tx.commit().await.map_err(db_error)?;
    Ok(if in_use {
        Collected::InUse
    } else {
        Collected::Removed
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn database(dir: &std::path::Path) -> Db {
        let url = format!("sqlite://{}", dir.join("t.db").display());
        let db = crate::db::connect(&url).await.expect("db");
        crate::on_db!(&db, |dbc| sqlx::query("INSERT INTO users (id, email, display_name, password_hash, created_at) VALUES (1, 'a@b.c', 'A', 'x', 0) ON CONFLICT DO NOTHING")
            .execute(dbc).await.map(crate::db::Done::from))
            .expect("user");
        db
    }

    /// A row that needs `digest` (a queued outgoing message).
    async fn point_at(db: &Db, digest: &str) -> i64 {
        crate::on_db!(db, |dbc| sqlx::query_scalar("INSERT INTO mail_outbox (user_id, blob, mail_from, recipients, state, next_attempt_at, created_at) \
                     VALUES (1, $1, 'a@b.c', 'x@y.z', 'queued', 0, 0) RETURNING id")
            .bind(digest)
            .fetch_one(dbc).await)
            .expect("row")
    }

    async fn garbage(db: &Db) -> Vec<String> {
        crate::on_db!(db, |dbc| sqlx::query_scalar(
            "SELECT blob FROM blob_garbage"
        )
        .fetch_all(dbc)
        .await)
        .expect("garbage")
    }

    #[tokio::test]
    async fn pinned_bytes_survive_a_deletion_and_go_at_the_next_sweep() {
        let dir = tempfile::tempdir().expect("dir");
        let (db, blobs) = (database(dir.path()).await, BlobStore::in_dir(dir.path()));
        let raw = b"Subject: same bytes\r\n\r\nHello";
        let stored = store(&db, &blobs, raw).await.expect("store");
        let digest = stored.digest.clone();
        // A deletion of the same bytes while the writer has not committed its row…
        remove_all(&db, &blobs, [digest.clone()]).await;
        assert_eq!(read(&blobs, &digest).await.expect("kept while pinned"), raw);
        assert_eq!(garbage(&db).await, vec![digest.clone()]);
        // …and the writer commits one: the sweep keeps the bytes and forgets the garbage.
        let row = point_at(&db, &digest).await;
        stored.release().await;
        sweep(&db, &blobs).await;
        assert_eq!(read(&blobs, &digest).await.expect("kept in use"), raw);
        assert!(garbage(&db).await.is_empty());
        // Once nothing points at it, it goes at once.
        crate::on_db!(&db, |dbc| sqlx::query(
            "DELETE FROM mail_outbox WHERE id = $1"
        )
        .bind(row)
        .execute(dbc)
        .await
        .map(crate::db::Done::from))
        .expect("delete");
        remove_all(&db, &blobs, [digest.clone()]).await;
        let gone = read(&blobs, &digest).await.expect_err("removed");
        assert_eq!(gone.kind(), io::ErrorKind::NotFound);
        assert!(garbage(&db).await.is_empty());
    }

    #[tokio::test]
    async fn an_abandoned_write_leaves_garbage_for_the_sweep_once_unpinned() {
        let dir = tempfile::tempdir().expect("dir");
        let (db, blobs) = (database(dir.path()).await, BlobStore::in_dir(dir.path()));
        let mut stored = store(&db, &blobs, b"first").await.expect("store");
        let second = stored.also(&blobs, b"second").await.expect("also");
        remove_all(&db, &blobs, [stored.digest.clone(), second.clone()]).await;
        assert_eq!(garbage(&db).await.len(), 2, "both pinned, both kept");
        // Dropped without release (an error path): the pins go a moment later.
        drop(stored);
        for _ in 0..100 {
            let pins: i64 = crate::on_db!(&db, |dbc| sqlx::query_scalar(
                "SELECT COUNT(*) FROM blob_pins"
            )
            .fetch_one(dbc)
            .await)
            .expect("pins");
            if pins == 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        sweep(&db, &blobs).await;
        assert!(garbage(&db).await.is_empty());
        assert!(read(&blobs, &second).await.is_err());
    }

    /// Two pools on one database file stand for two processes: their only common ground
    /// is the database's locks and the directory, as between processes.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_processes_storing_and_deleting_the_same_bytes_never_lose_a_committed_row() {
        let dir = tempfile::tempdir().expect("dir");
        let (writer_db, blobs) = (database(dir.path()).await, BlobStore::in_dir(dir.path()));
        let deleter_db = database(dir.path()).await;
        let deleter_blobs = BlobStore::in_dir(dir.path());
        for round in 0..60 {
            let raw = format!("Subject: round {}\r\n\r\nsame bytes", round % 3).into_bytes();
            let digest = digest_of(&raw);
            let writer = {
                let (db, blobs, raw) = (writer_db.clone(), blobs.clone(), raw.clone());
                tokio::spawn(async move {
                    let stored = store(&db, &blobs, &raw).await.expect("store");
                    let row = point_at(&db, &stored.digest).await;
                    stored.release().await;
                    row
                })
            };
            let deleter = {
                let (db, blobs, d) = (deleter_db.clone(), deleter_blobs.clone(), digest.clone());
                tokio::spawn(async move { remove_all(&db, &blobs, [d]).await })
            };
            let row = writer.await.expect("writer");
            deleter.await.expect("deleter");
            assert_eq!(
                read(&blobs, &digest)
                    .await
                    .expect("a committed row's bytes are there"),
                raw,
                "round {round}"
            );
            // The row goes; so do the bytes, from the other process.
            crate::on_db!(&writer_db, |dbc| sqlx::query(
                "DELETE FROM mail_outbox WHERE id = $1"
            )
            .bind(row)
            .execute(dbc)
            .await
            .map(crate::db::Done::from))
            .expect("delete");
            remove_all(&deleter_db, &deleter_blobs, [digest.clone()]).await;
            assert!(read(&blobs, &digest).await.is_err(), "round {round}");
        }
    }
}
