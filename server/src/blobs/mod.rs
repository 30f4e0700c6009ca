//! Where message bytes and uploads live: the data directory (default), a directory every
//! process shares, or S3-compatible object storage. Keys never collide between writers:
//! messages are named by their SHA-256, uploads by a random id, so a put is idempotent and
//! two processes storing the same message write the same bytes to the same name.
//!
//! Deciding *when* a message's bytes may go (no row points at them, no writer is about to
//! commit one that does) is the mail store's job: see `mail::blobs`.

mod files;
mod objects;

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;

pub use files::Files;
pub use objects::Objects;

/// What a stored object is; its name in every backend follows from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlobKey<'a> {
    /// A raw message (or a part of one kept apart), by the hex SHA-256 of its bytes.
    Message(&'a str),
    /// An attachment uploaded for a message being written, by its random hex id.
    Upload(&'a str),
}

impl BlobKey<'_> {
    /// The object's name below the store's root (the data directory's layout since the
    /// first release, so an existing server keeps its files). `None` for a malformed id,
    /// which therefore never reaches a file system or a bucket.
    pub fn name(&self) -> Option<String> {
        let hex = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit());
        match *self {
            BlobKey::Message(digest) if hex(digest, 64) => {
                Some(format!("mail/{}/{digest}.eml", &digest[..2]))
            }
            BlobKey::Upload(id) if hex(id, 32) => Some(format!("mail-uploads/{id}")),
            _ => None,
        }
    }

    /// The key a stored name stands for (the inverse of [`BlobKey::name`]); `None` for
    /// anything else found in a store (temporary files, foreign objects).
    pub fn from_name(name: &str) -> Option<BlobKey<'_>> {
        let key = if let Some(rest) = name.strip_prefix("mail-uploads/") {
            BlobKey::Upload(rest)
        } else {
            let file = name.strip_prefix("mail/")?.split_once('/')?.1;
            BlobKey::Message(file.strip_suffix(".eml")?)
        };
        (key.name().as_deref() == Some(name)).then_some(key)
    }

    fn checked_name(&self) -> io::Result<String> {
        self.name().ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "not a stored object's name")
        })
    }
}

/// What every backend does; callers hold a [`BlobStore`].
pub trait BlobBackend: Send + Sync {
    /// Stores `bytes` under `name` whole or not at all, durably before answering.
    fn put(&self, name: &str, bytes: &[u8]) -> impl Future<Output = io::Result<()>> + Send;
    /// Stores the file at `path` (a local temporary file) under `name` without holding it
    /// in memory.
    fn put_file(&self, name: &str, path: &Path) -> impl Future<Output = io::Result<()>> + Send;
    /// The bytes under `name`; `ErrorKind::NotFound` when there are none.
    fn get(&self, name: &str) -> impl Future<Output = io::Result<Vec<u8>>> + Send;
    /// Whether `name` holds bytes.
    fn exists(&self, name: &str) -> impl Future<Output = io::Result<bool>> + Send;
    /// Removes `name`; already gone is fine.
    fn delete(&self, name: &str) -> impl Future<Output = io::Result<()>> + Send;
    /// Every stored name under `prefix` (a directory-like `mail/` or `mail-uploads/`).
    fn list(&self, prefix: &str) -> impl Future<Output = io::Result<Vec<String>>> + Send;
}

enum Backend {
    Files(Files),
    Objects(Objects),
}

/// The configured store, cheap to clone into every task that reads or writes bytes.
#[derive(Clone)]
pub struct BlobStore(Arc<Backend>);

/// How `--blob-store` and the `--s3-*` settings name a store.
#[derive(Clone, Default)]
pub struct BlobStoreConfig {
    /// `None`: the data directory. A path or `file:///path`: that directory (shared by
    /// every process). `s3://bucket[/prefix]`: S3-compatible object storage.
    pub location: Option<String>,
    pub s3_endpoint: Option<String>,
    pub s3_region: Option<String>,
    pub s3_access_key_id: Option<String>,
    pub s3_secret_access_key: Option<String>,
}

/// Names the kind of store only (never credentials).
impl std::fmt::Debug for BlobStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &*self.0 {
            Backend::Files(_) => f.write_str("BlobStore(files)"),
            Backend::Objects(_) => f.write_str("BlobStore(s3)"),
        }
    }
}

macro_rules! each_backend {
    ($store:expr, $b:ident => $call:expr) => {
        match &*$store.0 {
            Backend::Files($b) => $call,
            Backend::Objects($b) => $call,
        }
    };
}

impl BlobStore {
    /// The store `config` names, with the data directory as the default.
    pub fn open(config: &BlobStoreConfig, data_dir: &Path) -> anyhow::Result<BlobStore> {
        let location = config.location.as_deref().map(str::trim).unwrap_or("");
        let backend = if location.is_empty() {
            Backend::Files(Files::new(data_dir.to_path_buf()))
        } else if let Some(rest) = location.strip_prefix("s3://") {
            Backend::Objects(Objects::s3(rest, config)?)
        } else {
            let path = location.strip_prefix("file://").unwrap_or(location);
            let root = PathBuf::from(path);
            std::fs::create_dir_all(&root)
                .with_context(|| format!("cannot create blob store directory {path}"))?;
            Backend::Files(Files::new(root))
        };
        Ok(BlobStore(Arc::new(backend)))
    }

    /// The data directory's store (tests and tools).
    pub fn in_dir(dir: &Path) -> BlobStore {
        BlobStore(Arc::new(Backend::Files(Files::new(dir.to_path_buf()))))
    }

    pub async fn put(&self, key: BlobKey<'_>, bytes: &[u8]) -> io::Result<()> {
        let name = key.checked_name()?;
        each_backend!(self, b => b.put(&name, bytes).await)
    }

    pub async fn put_file(&self, key: BlobKey<'_>, path: &Path) -> io::Result<()> {
        let name = key.checked_name()?;
        each_backend!(self, b => b.put_file(&name, path).await)
    }

    pub async fn get(&self, key: BlobKey<'_>) -> io::Result<Vec<u8>> {
        let name = key.checked_name()?;
        each_backend!(self, b => b.get(&name).await)
    }

    pub async fn exists(&self, key: BlobKey<'_>) -> io::Result<bool> {
        let name = key.checked_name()?;
        each_backend!(self, b => b.exists(&name).await)
    }

    pub async fn delete(&self, key: BlobKey<'_>) -> io::Result<()> {
        let name = key.checked_name()?;
        each_backend!(self, b => b.delete(&name).await)
    }

    /// Copies every message and upload of this store into `target`, skipping what is
    /// already there (names are content or random ids, so equal names hold equal bytes):
    /// `ksuite copy-blobs`, when a server moves to another store. Answers how many objects
    /// were copied and how many were there already.
    pub async fn copy_into(&self, target: &BlobStore) -> io::Result<(u64, u64)> {
        let (mut copied, mut present) = (0, 0);
        for prefix in ["mail/", "mail-uploads/"] {
            let names = each_backend!(self, b => b.list(prefix).await)?;
            for name in &names {
                let Some(key) = BlobKey::from_name(name) else {
                    continue;
                };
                if target.exists(key).await? {
                    present += 1;
                } else {
                    target.put(key, &self.get(key).await?).await?;
                    copied += 1;
                }
            }
        }
        Ok((copied, present))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_the_data_directory_layout_and_refuse_malformed_ids() {
        let digest = "ab".repeat(32);
        assert_eq!(
            BlobKey::Message(&digest).name().as_deref(),
            Some(format!("mail/ab/{digest}.eml").as_str())
        );
        let id = "0f".repeat(16);
        assert_eq!(
            BlobKey::Upload(&id).name().as_deref(),
            Some(format!("mail-uploads/{id}").as_str())
        );
        for bad in ["", "../x", &"zz".repeat(32), &"ab".repeat(33)] {
            assert!(BlobKey::Message(bad).name().is_none(), "{bad}");
            assert!(BlobKey::Upload(bad).name().is_none(), "{bad}");
        }
        // Names read back from a store: only well-formed ones are keys.
        let message = format!("mail/ab/{digest}.eml");
        assert_eq!(
            BlobKey::from_name(&message),
            Some(BlobKey::Message(&digest))
        );
        let upload = format!("mail-uploads/{id}");
        assert_eq!(BlobKey::from_name(&upload), Some(BlobKey::Upload(&id)));
        for foreign in [
            format!("mail/cd/{digest}.eml"),
            format!("mail/ab/.{digest}.eml.0011.tmp"),
            "mail-uploads/../../etc/passwd".to_string(),
            "other/thing".to_string(),
        ] {
            assert_eq!(BlobKey::from_name(&foreign), None, "{foreign}");
        }
    }
}
