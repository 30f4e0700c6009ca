//! S3-compatible object storage (AWS S3, MinIO, Ceph RGW, Garage…) through the
//! `object_store` crate. A PUT is atomic there: readers see the whole object or none.

use std::io;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, PutPayload, WriteMultipart};
use tokio::io::AsyncReadExt;

use super::{BlobBackend, BlobStoreConfig};

/// Parts of a streamed upload (S3 wants at least 5 MiB per part but the last).
const PART_BYTES: usize = 8 * 1024 * 1024;

pub struct Objects {
    store: Arc<dyn ObjectStore>,
    prefix: String,
}

fn to_io(e: object_store::Error) -> io::Error {
    match e {
        object_store::Error::NotFound { .. } => io::Error::new(io::ErrorKind::NotFound, e),
        e => io::Error::other(e),
    }
}

impl Objects {
    /// `bucket[/prefix]` with the endpoint, region and credentials of `config`; what is
    /// not given comes from the standard `AWS_*` environment variables.
    pub fn s3(location: &str, config: &BlobStoreConfig) -> anyhow::Result<Objects> {
        let (bucket, prefix) = location.split_once('/').unwrap_or((location, ""));
        anyhow::ensure!(!bucket.is_empty(), "--blob-store s3:// needs a bucket name");
        let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
        if let Some(endpoint) = config.s3_endpoint.as_deref().filter(|e| !e.is_empty()) {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"));
        }
        if let Some(region) = config.s3_region.as_deref().filter(|r| !r.is_empty()) {
            builder = builder.with_region(region);
        }
        if let Some(key) = config.s3_access_key_id.as_deref() {
            builder = builder.with_access_key_id(key);
        }
        if let Some(secret) = config.s3_secret_access_key.as_deref() {
            builder = builder.with_secret_access_key(secret);
        }
        let store = builder
            .build()
            .with_context(|| format!("cannot use the S3 bucket {bucket}"))?;
        Ok(Objects {
            store: Arc::new(store),
            prefix: prefix.trim_matches('/').to_string(),
        })
    }

    fn path(&self, name: &str) -> ObjectPath {
        if self.prefix.is_empty() {
            ObjectPath::from(name)
        } else {
            ObjectPath::from(format!("{}/{name}", self.prefix))
        }
    }
}

impl BlobBackend for Objects {
    async fn put(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
        self.store
            .put(&self.path(name), PutPayload::from(bytes.to_vec()))
            .await
            .map(|_| ())
            .map_err(to_io)
    }

    async fn put_file(&self, name: &str, source: &Path) -> io::Result<()> {
        let mut file = tokio::fs::File::open(source).await?;
        let upload = self
            .store
            .put_multipart(&self.path(name))
            .await
            .map_err(to_io)?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_BYTES);
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = match file.read(&mut buf).await {
                Ok(n) => n,
                Err(e) => {
                    let _ = writer.abort().await;
                    return Err(e);
                }
            };
            if n == 0 {
                break;
            }
            writer.write(&buf[..n]);
        }
        writer.finish().await.map(|_| ()).map_err(to_io)
    }

    async fn get(&self, name: &str) -> io::Result<Vec<u8>> {
        let answer = self.store.get(&self.path(name)).await.map_err(to_io)?;
        Ok(answer.bytes().await.map_err(to_io)?.to_vec())
    }

    async fn exists(&self, name: &str) -> io::Result<bool> {
        match self.store.head(&self.path(name)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(to_io(e)),
        }
    }

    async fn list(&self, prefix: &str) -> io::Result<Vec<String>> {
        use futures_util::TryStreamExt;
        let under = self.path(prefix);
        let strip = if self.prefix.is_empty() {
            String::new()
        } else {
            format!("{}/", self.prefix)
        };
        let objects: Vec<object_store::ObjectMeta> = self
            .store
            .list(Some(&under))
            .try_collect()
            .await
            .map_err(to_io)?;
        Ok(objects
            .into_iter()
            .filter_map(|o| o.location.as_ref().strip_prefix(&strip).map(str::to_string))
            .collect())
    }

    async fn delete(&self, name: &str) -> io::Result<()> {
        match self.store.delete(&self.path(name)).await {
            Err(object_store::Error::NotFound { .. }) | Ok(()) => Ok(()),
            Err(e) => Err(to_io(e)),
        }
    }
}
