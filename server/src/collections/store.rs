//! Whole-collection queries that are the same for calendars and address books.

use super::{Grant, Kind, access};
use crate::db::Db;
use crate::error::ApiError;

/// A collection's name and whether it is the owner's default one.
pub async fn name_and_default(db: &Db, grant: &Grant) -> Result<(String, bool), ApiError> {
    let sql = format!(
        "SELECT name, is_default FROM {} WHERE id = $1",
        grant.kind().tables().collections
    );
    Ok(crate::on_db!(db, |dbc| sqlx::query_as(&sql)
        .bind(grant.id())
        .fetch_one(dbc)
        .await)?)
}

/// Deletes a collection the grant's user owns, with its objects and shares (by foreign
/// key); false when they do not own it (any more).
pub async fn delete_owned(db: &Db, grant: &Grant) -> Result<bool, ApiError> {
    let sql = format!(
        "DELETE FROM {} WHERE id = $1 AND owner_id = $2 AND NOT is_default",
        grant.kind().tables().collections
    );
    let done = crate::on_db!(db, |dbc| sqlx::query(&sql)
        .bind(grant.id())
        .bind(grant.user_id())
        .execute(dbc)
        .await
        .map(crate::db::Done::from))?;
    Ok(done.rows_affected() == 1)
}

/// Renames a collection the grant's user owns (and recolours a calendar), bumping its
/// ctag so clients see the change; 403 when they do not own it (any more).
pub async fn update_owned(
    db: &Db,
    grant: &Grant,
    name: Option<&str>,
    color: Option<&str>,
) -> Result<(), ApiError> {
    let calendar = grant.kind() == Kind::Calendar;
    let sql = format!(
        "UPDATE {} SET name = COALESCE($1, name), {}ctag = ctag + 1 WHERE id = $2 AND owner_id = $3",
        grant.kind().tables().collections,
        if calendar {
            "color = COALESCE($4, color), "
        } else {
            ""
        }
    );
    let done = crate::on_db!(db, |dbc| {
        let mut query = sqlx::query(&sql)
            .bind(name)
            .bind(grant.id())
            .bind(grant.user_id());
        if calendar {
            query = query.bind(color);
        }
        query.execute(dbc).await.map(crate::db::Done::from)
    })?;
    if done.rows_affected() == 0 {
        return Err(access::owner_only());
    }
    Ok(())
}

/// Objects in every collection of this kind owned by the owner of `collection_id`: what
/// counts against their quota, whoever writes into the collection.
pub async fn owner_object_count(db: &Db, kind: Kind, collection_id: i64) -> Result<i64, ApiError> {
    let t = kind.tables();
    let sql = format!(
        "SELECT COUNT(*) FROM {o} WHERE {k} IN \
         (SELECT id FROM {c} WHERE owner_id = (SELECT owner_id FROM {c} WHERE id = $1))",
        o = t.objects,
        k = t.key,
        c = t.collections
    );
    Ok(crate::on_db!(db, |dbc| sqlx::query_scalar(&sql)
        .bind(collection_id)
        .fetch_one(dbc)
        .await)?)
}
