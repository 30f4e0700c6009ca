//! A directory as the blob store: the data directory, or a path every process mounts.
//! Each object is written to a temporary file, flushed to disk and renamed into place, so
//! a reader (in any process) sees it whole or not at all.

use std::io;
use std::path::{Path, PathBuf};

use tokio::io::AsyncWriteExt;

use super::BlobBackend;

pub struct Files {
    root: PathBuf,
}

impl Files {
    pub fn new(root: PathBuf) -> Files {
        Files { root }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    /// A temporary name beside `path` no other writer (thread or process) uses.
    fn temporary(path: &Path) -> io::Result<PathBuf> {
        let dir = path
            .parent()
            .ok_or_else(|| io::Error::other("blob path without parent"))?;
        let file = path
            .file_name()
            .ok_or_else(|| io::Error::other("blob path without name"))?;
        let nonce = crate::random_hex(8);
        Ok(dir.join(format!(".{}.{nonce}.tmp", file.to_string_lossy())))
    }

    /// Moves the temporary file into place once `written` says it is complete (replacing
    /// identical bytes another writer put there meanwhile); removes it on any failure.
    async fn publish(tmp: &Path, path: &Path, written: io::Result<()>) -> io::Result<()> {
        let outcome = match written {
            Ok(()) => tokio::fs::rename(tmp, path).await,
            Err(e) => Err(e),
        };
        if outcome.is_err() {
            let _ = tokio::fs::remove_file(tmp).await;
        }
        outcome
    }

    async fn prepare(&self, name: &str) -> io::Result<Option<(PathBuf, PathBuf)>> {
        let path = self.path(name);
        // Names are content or random ids: bytes already there are the same bytes.
        if tokio::fs::try_exists(&path).await.unwrap_or(false) {
            return Ok(None);
        }
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        let tmp = Self::temporary(&path)?;
        Ok(Some((path, tmp)))
    }
}

impl BlobBackend for Files {
    async fn put(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
        let Some((path, tmp)) = self.prepare(name).await? else {
            return Ok(());
        };
        let written = async {
            let mut file = tokio::fs::File::create(&tmp).await?;
            file.write_all(bytes).await?;
            file.sync_all().await
        }
        .await;
        Self::publish(&tmp, &path, written).await
    }

    async fn put_file(&self, name: &str, source: &Path) -> io::Result<()> {
        let Some((path, tmp)) = self.prepare(name).await? else {
            return Ok(());
        };
        let copied = async {
            tokio::fs::copy(source, &tmp).await?;
            tokio::fs::File::open(&tmp).await?.sync_all().await
        }
        .await;
        Self::publish(&tmp, &path, copied).await
    }

    async fn get(&self, name: &str) -> io::Result<Vec<u8>> {
        tokio::fs::read(self.path(name)).await
    }

    async fn exists(&self, name: &str) -> io::Result<bool> {
        tokio::fs::try_exists(self.path(name)).await
    }

    async fn list(&self, prefix: &str) -> io::Result<Vec<String>> {
        // Two levels at most: `mail/<2 hex>/<digest>.eml`, `mail-uploads/<id>`.
        let mut names = Vec::new();
        let mut dirs = vec![(self.root.join(prefix), prefix.to_string(), 0)];
        while let Some((dir, name, depth)) = dirs.pop() {
            let mut entries = match tokio::fs::read_dir(&dir).await {
                Ok(entries) => entries,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            while let Some(entry) = entries.next_entry().await? {
                let file = entry.file_name().to_string_lossy().into_owned();
                if entry.file_type().await?.is_dir() {
                    if depth == 0 {
                        dirs.push((entry.path(), format!("{name}{file}/"), depth + 1));
                    }
                } else {
                    names.push(format!("{name}{file}"));
                }
            }
        }
        Ok(names)
    }

    async fn delete(&self, name: &str) -> io::Result<()> {
        match tokio::fs::remove_file(self.path(name)).await {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}
