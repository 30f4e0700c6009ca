//! Files uploaded for attachments of a message being written: streamed to a temporary
//! file under `<data-dir>/tmp/` (never held whole in memory while uploading), then put in
//! the blob store, so the request that sends the message may reach any process. Owned by
//! the uploader, removed a day after upload.

use std::path::Path;

use axum::body::Body;
use futures_util::StreamExt;
use ksuite_common::UploadedFile;
use tokio::io::AsyncWriteExt;

use crate::blobs::{BlobKey, BlobStore};
use crate::db::Db;
use crate::error::ApiError;
use crate::now_unix;

/// How long an upload waits for its message.
const KEEP_SECONDS: i64 = 24 * 3600;

fn new_id() -> String {
    crate::random_hex(16)
}

/// A name safe to store and to put in a MIME header.
fn clean_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if matches!(c, '/' | '\\') { '_' } else { c })
        .take(200)
        .collect();
    let trimmed = cleaned.trim();
    if trimmed.is_empty() {
        "attachment".into()
    } else {
        trimmed.to_string()
    }
}

/// A MIME type as `type/subtype` of safe characters, else the generic binary type.
fn clean_type(ct: Option<&str>) -> String {
    let ct = ct
        .and_then(|c| c.split(';').next())
        .map(|c| c.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let ok = ct.split_once('/').is_some_and(|(a, b)| {
        !a.is_empty()
            && !b.is_empty()
            && ct
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || b"/+-.".contains(&c))
    });
    if ok {
        ct
    } else {
        "application/octet-stream".into()
    }
}

/// Streams an upload to disk, then to the blob store; refuses (and removes) it past `max`
/// bytes.
#[allow(clippy::too_many_arguments)]
pub async fn receive(
    db: &Db,
    data_dir: &Path,
    blobs: &BlobStore,
    user_id: i64,
    name: &str,
    content_type: Option<&str>,
    body: Body,
    max: usize,
) -> Result<UploadedFile, ApiError> {
    let id = new_id();
    let dir = data_dir.join("tmp");
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(ApiError::internal)?;
    let path = dir.join(format!("upload-{id}"));
    let mut file = tokio::fs::File::create(&path)
        .await
        .map_err(ApiError::internal)?;
    let mut size = 0usize;
    let mut stream = body.into_data_stream();
    let outcome: Result<(), ApiError> = async {
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|_| ApiError::bad_request("The upload was interrupted."))?;
            size += chunk.len();
            if size > max {
                return Err(ApiError::new(
                    axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                    ksuite_common::ErrorCode::Validation,
                    format!("Attachments can be at most {} MiB.", max / (1024 * 1024)),
                ));
            }
            file.write_all(&chunk).await.map_err(ApiError::internal)?;
        }
        file.flush().await.map_err(ApiError::internal)
    }
    .await;
    drop(file);
    let outcome = match outcome {
        Ok(()) => blobs
            .put_file(BlobKey::Upload(&id), &path)
            .await
            .map_err(ApiError::internal),
        Err(e) => Err(e),
    };
    let _ = tokio::fs::remove_file(&path).await;
    outcome?;
    let upload = UploadedFile {
        id,
        name: clean_name(name),
        content_type: clean_type(content_type),
        size: size as i64,
    };
    crate::on_db!(db, |dbc| {
        sqlx::query(
        "INSERT INTO mail_uploads (id, user_id, name, content_type, size, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&upload.id)
    .bind(user_id)
    .bind(&upload.name)
    .bind(&upload.content_type)
    .bind(upload.size)
    .bind(now_unix())
    .execute(dbc).await.map(crate::db::Done::from)
    })?;
    Ok(upload)
}

/// One of the user's uploads with its bytes; `None` if it is not theirs or is gone.
pub async fn read(
    db: &Db,
    blobs: &BlobStore,
    user_id: i64,
    id: &str,
) -> Result<Option<(UploadedFile, Vec<u8>)>, ApiError> {
    let row: Option<(String, String, i64)> = crate::on_db!(db, |dbc| sqlx::query_as(
        "SELECT name, content_type, size FROM mail_uploads WHERE id = $1 AND user_id = $2",
    )
    .bind(id)
    .bind(user_id)
    .fetch_optional(dbc)
    .await)?;
    let Some((name, content_type, size)) = row else {
        return Ok(None);
    };
    match blobs.get(BlobKey::Upload(id)).await {
        Ok(bytes) => Ok(Some((
            UploadedFile {
                id: id.to_string(),
                name,
                content_type,
                size,
            },
            bytes,
        ))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ApiError::internal(e)),
    }
}

/// Removes one of the user's uploads (taken off the message before sending).
pub async fn discard(db: &Db, blobs: &BlobStore, user_id: i64, id: &str) -> Result<bool, ApiError> {
    let done = crate::on_db!(db, |dbc| sqlx::query(
        "DELETE FROM mail_uploads WHERE id = $1 AND user_id = $2"
    )
    .bind(id)
    .bind(user_id)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    if let Err(e) = blobs.delete(BlobKey::Upload(id)).await {
        tracing::warn!(error = %e, "an upload's bytes stay behind");
    }
    Ok(true)
}

/// Removes uploads older than a day (their message was sent, saved or abandoned).
pub async fn purge_old(db: &Db, blobs: &BlobStore) -> Result<(), ApiError> {
    let old: Vec<String> = crate::on_db!(db, |dbc| sqlx::query_scalar(
        "DELETE FROM mail_uploads WHERE created_at < $1 RETURNING id"
    )
    .bind(now_unix() - KEEP_SECONDS)
    .fetch_all(dbc)
    .await)?;
    for id in old {
        if let Err(e) = blobs.delete(BlobKey::Upload(&id)).await {
            tracing::warn!(error = %e, "an old upload's bytes stay behind");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_types_are_made_safe() {
        assert_eq!(clean_name("../../etc/passwd"), ".._.._etc_passwd");
        assert_eq!(clean_name("a\r\nb.txt"), "ab.txt");
        assert_eq!(clean_name("  "), "attachment");
        assert_eq!(clean_type(Some("Image/PNG; x=1")), "image/png");
        assert_eq!(
            clean_type(Some("text/html\r\nX: y")),
            "application/octet-stream"
        );
        assert_eq!(clean_type(None), "application/octet-stream");
    }
}
