//! Raw messages as files under `<data-dir>/mail/`, named by their SHA-256: written to a
//! temporary file and renamed, so a message is either there whole or not at all, and the
//! same message delivered to several folders is stored once.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

/// Where the raw message with this digest lives.
pub fn path_of(data_dir: &Path, digest: &str) -> PathBuf {
    data_dir
        .join("mail")
        .join(&digest[..2.min(digest.len())])
        .join(format!("{digest}.eml"))
}

/// Stores `raw` and returns its digest.
pub async fn store(data_dir: &Path, raw: &[u8]) -> std::io::Result<String> {
    let digest: String = Sha256::digest(raw)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
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
/// them; a file already gone is fine).
pub async fn remove_all(data_dir: &Path, digests: impl IntoIterator<Item = String>) {
    for digest in digests {
        let _ = tokio::fs::remove_file(path_of(data_dir, &digest)).await;
    }
}
