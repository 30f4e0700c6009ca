//! Object writes that are the same for events and contacts.

use super::{Grant, changes};
use crate::db::Db;
use crate::error::ApiError;

/// Deletes the object `uid` if its ETag matches (or unconditionally with `None`), leaving
/// a tombstone for incremental sync; false when it is missing or has another ETag.
pub async fn delete(
    db: &Db,
    grant: &Grant,
    uid: &str,
    if_match: Option<&str>,
) -> Result<bool, ApiError> {
    let t = grant.kind().tables();
    let mut tx = crate::db::begin_write(db).await?;
    let seq = changes::next_seq(&mut tx, grant).await?;
    let sql = format!(
        "DELETE FROM {} WHERE {} = $1 AND uid = $2 AND ($3 IS NULL OR etag = $4) RETURNING href",
        t.objects, t.key
    );
    let href: Option<String> = crate::on_db!(&mut tx, |dbc| sqlx::query_scalar(&sql)
        .bind(grant.id())
        .bind(uid)
        .bind(if_match)
        .bind(if_match)
        .fetch_optional(dbc)
        .await)?;
    let Some(href) = href else {
        return Ok(false);
    };
    changes::tombstone(&mut tx, grant.kind(), grant.id(), &href, seq).await?;
    tx.commit().await?;
    Ok(true)
}
