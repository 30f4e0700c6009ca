//! The change sequence of a collection (its ctag, the modseq of each write, the number
//! behind sync tokens) and the tombstones incremental sync reports deletions from.

use super::{Grant, Kind, access};
use crate::error::ApiError;

/// Bumps the collection's ctag and returns it as this write's sequence number, only while
/// the grant's user may still change the collection: the access check is part of the
/// statement that starts every object write, inside the write's transaction.
pub async fn next_seq(tx: &mut crate::db::Conn, grant: &Grant) -> Result<i64, ApiError> {
    let t = grant.kind().tables();
    let sql = format!(
        "UPDATE {} SET ctag = ctag + 1 WHERE id = $1 AND {} RETURNING ctag",
        t.collections,
        access::writable_by_user(grant.kind(), 2)
    );
    let seq: Option<i64> = crate::on_db!(&mut *tx, |dbc| sqlx::query_scalar(&sql)
        .bind(grant.id())
        .bind(grant.user_id())
        .fetch_optional(dbc)
        .await)?;
    if let Some(seq) = seq {
        return Ok(seq);
    }
    // Made read-only, or no longer shared (or gone), since the grant was learnt.
    let sql = format!(
        "SELECT COUNT(*) FROM {} WHERE id = $1 AND {}",
        t.collections,
        access::visible_to_user(grant.kind(), 2)
    );
    let visible: i64 = crate::on_db!(&mut *tx, |dbc| sqlx::query_scalar(&sql)
        .bind(grant.id())
        .bind(grant.user_id())
        .fetch_one(dbc)
        .await)?;
    Err(if visible > 0 {
        access::read_only()
    } else {
        ApiError::not_found()
    })
}

/// Records that the object at `href` is gone as of `seq`.
pub async fn tombstone(
    tx: &mut crate::db::Conn,
    kind: Kind,
    collection_id: i64,
    href: &str,
    seq: i64,
) -> Result<(), ApiError> {
    let t = kind.tables();
    let sql = format!(
        "INSERT INTO {tomb} ({k}, href, modseq) VALUES ($1, $2, $3) \
         ON CONFLICT ({k}, href) DO UPDATE SET modseq = excluded.modseq",
        tomb = t.tombstones,
        k = t.key
    );
    crate::on_db!(tx, |dbc| sqlx::query(&sql)
        .bind(collection_id)
        .bind(href)
        .bind(seq)
        .execute(dbc)
        .await
        .map(crate::db::Done::from))?;
    Ok(())
}

/// Forgets the tombstone of `href` when an object is stored there again.
pub async fn clear_tombstone(
    tx: &mut crate::db::Conn,
    kind: Kind,
    collection_id: i64,
    href: &str,
) -> Result<(), ApiError> {
    let t = kind.tables();
    let sql = format!(
        "DELETE FROM {} WHERE {} = $1 AND href = $2",
        t.tombstones, t.key
    );
    crate::on_db!(tx, |dbc| sqlx::query(&sql)
        .bind(collection_id)
        .bind(href)
        .execute(dbc)
        .await
        .map(crate::db::Done::from))?;
    Ok(())
}
