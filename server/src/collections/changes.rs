//! The change sequence of a collection (its ctag, the modseq of each write, the number
//! behind sync tokens) and the tombstones incremental sync reports deletions from.

use super::{Grant, Kind, access};
use crate::error::ApiError;

/// Bumps the collection's ctag and returns it as this write's sequence number, only while
/// the grant's user may still change the collection: the access check is part of the
/// statement that starts every object write, inside the write's transaction.
pub async fn next_seq(tx: &mut sqlx::SqliteConnection, grant: &Grant) -> Result<i64, ApiError> {
    let t = grant.kind().tables();
    let sql = format!(
        "UPDATE {} SET ctag = ctag + 1 WHERE id = ? AND {} RETURNING ctag",
        t.collections,
        access::writable_by_user(grant.kind())
    );
    let seq: Option<i64> = sqlx::query_scalar(&sql)
        .bind(grant.id())
        .bind(grant.user_id())
        .bind(grant.user_id())
        .fetch_optional(&mut *tx)
        .await?;
    if let Some(seq) = seq {
        return Ok(seq);
    }
    // Made read-only, or no longer shared (or gone), since the grant was learnt.
    let sql = format!(
        "SELECT COUNT(*) FROM {} WHERE id = ? AND {}",
        t.collections,
        access::visible_to_user(grant.kind())
    );
    let visible: i64 = sqlx::query_scalar(&sql)
        .bind(grant.id())
        .bind(grant.user_id())
        .bind(grant.user_id())
        .fetch_one(&mut *tx)
        .await?;
    Err(if visible > 0 {
        access::read_only()
    } else {
        ApiError::not_found()
    })
}

/// Records that the object at `href` is gone as of `seq`.
pub async fn tombstone(
    tx: &mut sqlx::SqliteConnection,
    kind: Kind,
    collection_id: i64,
    href: &str,
    seq: i64,
) -> Result<(), ApiError> {
    let t = kind.tables();
    let sql = format!(
        "INSERT INTO {tomb} ({k}, href, modseq) VALUES (?, ?, ?) \
         ON CONFLICT ({k}, href) DO UPDATE SET modseq = excluded.modseq",
        tomb = t.tombstones,
        k = t.key
    );
    sqlx::query(&sql)
        .bind(collection_id)
        .bind(href)
        .bind(seq)
        .execute(tx)
        .await?;
    Ok(())
}

/// Forgets the tombstone of `href` when an object is stored there again.
pub async fn clear_tombstone(
    tx: &mut sqlx::SqliteConnection,
    kind: Kind,
    collection_id: i64,
    href: &str,
) -> Result<(), ApiError> {
    let t = kind.tables();
    let sql = format!(
        "DELETE FROM {} WHERE {} = ? AND href = ?",
        t.tombstones, t.key
    );
    sqlx::query(&sql)
        .bind(collection_id)
        .bind(href)
        .execute(tx)
        .await?;
    Ok(())
}
