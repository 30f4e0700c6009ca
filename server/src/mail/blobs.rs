//! Raw messages as files under `<data-dir>/mail/`, named by their SHA-256: written to a
//! temporary file and renamed, so a message is either there whole or not at all, and the
//! same message delivered to several folders is stored once.
//!
//! Storing and deleting share a gate: a writer holds [`Stored`] from writing the file
//! until the row that points at it is committed, and deletion waits for no writer to be
//! in that window and checks the database again first. So a message saved with the same
//! bytes as one being deleted never loses its file.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use tokio::sync::{RwLock, RwLockReadGuard};

use crate::db::Db;

static GATE: LazyLock<RwLock<()>> = LazyLock::new(|| RwLock::new(()));

/// A stored file whose row is not committed yet; drop it after the commit (and before
/// calling [`remove_all`], which waits for every one of these).
pub struct Stored {
    pub digest: String,
    _writing: RwLockReadGuard<'static, ()>,
}

/// Where the raw message with this digest lives.
pub fn path_of(data_dir: &Path, digest: &str) -> PathBuf {
    data_dir
        .join("mail")
        .join(&digest[..2.min(digest.len())])
        .join(format!("{digest}.eml"))
}

/// Stores `raw`; keep the answer until the row naming its digest is committed.
pub async fn store(data_dir: &Path, raw: &[u8]) -> std::io::Result<Stored> {
    let writing = GATE.read().await;
    let digest = write(data_dir, raw).await?;
    Ok(Stored {
        digest,
        _writing: writing,
    })
}

impl Stored {
    /// Stores another file under the same hold (taking the gate twice could wait behind
    /// a deletion that waits for this hold).
    pub async fn also(&self, data_dir: &Path, raw: &[u8]) -> std::io::Result<String> {
        write(data_dir, raw).await
    }
}

/// The name `raw` is stored under (its SHA-256 in hex), known before storing it.
pub fn digest_of(raw: &[u8]) -> String {
    Sha256::digest(raw)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn write(data_dir: &Path, raw: &[u8]) -> std::io::Result<String> {
    let digest = digest_of(raw);
    let path = path_of(data_dir, &digest);
    if tokio::fs::try_exists(&path).await.unwrap_or(false) {
        return Ok(digest);
    }
    let dir = path
        .parent()
        .ok_or_else(|| std::io::Error::other("blob path without parent"))?;
    tokio::fs::create_dir_all(dir).await?;
    let tmp = dir.join(format!(".{digest}.{}.tmp", std::process::id()));
    let mut file = tokio::fs::File::create(&tmp).await?;
    file.write_all(raw).await?;
    file.sync_all().await?;
    drop(file);
    tokio::fs::rename(&tmp, &path).await?;
    Ok(digest)
}

pub async fn read(data_dir: &Path, digest: &str) -> std::io::Result<Vec<u8>> {
    if digest.len() != 64 || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(std::io::Error::other("not a message digest"));
    }
    tokio::fs::read(path_of(data_dir, digest)).await
}

/// Deletes raw files no message needs any more (called after the commit that released
/// them; a file already gone is fine). Waits until no file is between being written and
/// being committed, and skips any digest a row points at again by now.
pub async fn remove_all(db: &Db, data_dir: &Path, digests: impl IntoIterator<Item = String>) {
    let digests: Vec<String> = digests.into_iter().collect();
    if digests.is_empty() {
        return;
    }
    let _deleting = GATE.write().await;
    for digest in digests {
        let in_use = match db.acquire().await {
            Ok(mut conn) => super::store::blob_in_use(&mut conn, &digest).await,
            Err(e) => Err(e.into()),
        };
        match in_use {
            Ok(false) => {
                let _ = tokio::fs::remove_file(path_of(data_dir, &digest)).await;
                // What IMAP derived from it goes too.
                let _ = sqlx::query("DELETE FROM mail_imap_structure WHERE blob = ?")
                    .bind(&digest)
                    .execute(db)
                    .await;
            }
            Ok(true) => {}
            Err(e) => {
                tracing::warn!(error = %e.message, "kept a message file: cannot check its use")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread")]
    async fn deletion_waits_for_writers_and_spares_files_in_use_again() {
        let dir = tempfile::tempdir().expect("dir");
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let db = crate::db::connect(&url).await.expect("db");
        let raw = b"Subject: same bytes\r\n\r\nHello";
        // A writer stores the same bytes a deletion is about to remove…
        let stored = store(dir.path(), raw).await.expect("store");
        let digest = stored.digest.clone();
        let deletion = tokio::spawn({
            let (db, data_dir, d) = (db.clone(), dir.path().to_path_buf(), digest.clone());
            async move { remove_all(&db, &data_dir, [d]).await }
        });
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        assert!(
            !deletion.is_finished(),
            "deletion waits for the writer's commit"
        );
        // …and commits a row that points at it before letting go.
        sqlx::query("INSERT INTO users (email, display_name, password_hash, created_at) VALUES ('a@b.c', 'A', 'x', 0)")
            .execute(&db)
            .await
            .expect("user");
        sqlx::query("INSERT INTO mail_outbox (user_id, blob, mail_from, recipients, state, next_attempt_at, created_at) \
                     VALUES (1, ?, 'a@b.c', 'x@y.z', 'queued', 0, 0)")
            .bind(&digest)
            .execute(&db)
            .await
            .expect("row");
        drop(stored);
        deletion.await.expect("deletion ends");
        assert_eq!(read(dir.path(), &digest).await.expect("kept"), raw);
        // Once nothing points at it, it goes.
        sqlx::query("DELETE FROM mail_outbox")
            .execute(&db)
            .await
            .expect("delete");
        remove_all(&db, dir.path(), [digest.clone()]).await;
        assert!(read(dir.path(), &digest).await.is_err());
    }
}
