//! Shares: other users of this server given read or read/write access to a collection.
//! Granting and revoking are scoped by ownership in their own statements.

use ksuite_common::{CalendarAccess, CalendarShare};

use super::{Grant, Kind, access};
use crate::db::Db;
use crate::error::ApiError;

/// Who a collection the grant's user owns is shared with, by e-mail.
pub async fn list(db: &Db, owner: &Grant) -> Result<Vec<CalendarShare>, ApiError> {
    let t = owner.kind().tables();
    let sql = format!(
        "SELECT u.email, s.access FROM {s} s JOIN users u ON u.id = s.user_id \
         JOIN {c} c ON c.id = s.{k} WHERE s.{k} = $1 AND c.owner_id = $2 ORDER BY u.email",
        s = t.shares,
        c = t.collections,
        k = t.key
    );
    let rows: Vec<(String, String)> = crate::on_db!(db, |dbc| sqlx::query_as(&sql)
        .bind(owner.id())
        .bind(owner.user_id())
        .fetch_all(dbc)
        .await)?;
    Ok(rows
        .into_iter()
        .map(|(email, a)| CalendarShare {
            email,
            access: access::parse_access(&a),
        })
        .collect())
}

/// Shares a collection the grant's user owns with `user_id` (or changes their access);
/// 403 when the caller does not own it (any more).
pub async fn grant(
    db: &Db,
    owner: &Grant,
    user_id: i64,
    level: CalendarAccess,
) -> Result<(), ApiError> {
    let t = owner.kind().tables();
    let sql = format!(
        "INSERT INTO {s} ({k}, user_id, access) SELECT id, $1, $2 FROM {c} WHERE id = $3 AND owner_id = $4 \
         ON CONFLICT ({k}, user_id) DO UPDATE SET access = excluded.access",
        s = t.shares,
        c = t.collections,
        k = t.key
    );
    let done = crate::on_db!(db, |dbc| sqlx::query(&sql)
        .bind(user_id)
        .bind(access::access_code(level))
        .bind(owner.id())
        .bind(owner.user_id())
        .execute(dbc)
        .await
        .map(crate::db::Done::from))?;
    if done.rows_affected() == 0 {
        return Err(access::owner_only());
    }
    if owner.kind() == Kind::Calendar {
        crate::reminders::store::share_granted(db, owner.id(), user_id).await?;
    }
    Ok(())
}

/// Takes `user_id`'s share of a collection the grant's user owns away.
pub async fn revoke(db: &Db, owner: &Grant, user_id: i64) -> Result<(), ApiError> {
    let t = owner.kind().tables();
    let sql = format!(
        "DELETE FROM {s} WHERE {k} = $1 AND user_id = $2 AND {k} IN (SELECT id FROM {c} WHERE owner_id = $3)",
        s = t.shares,
        c = t.collections,
        k = t.key
    );
    crate::on_db!(db, |dbc| sqlx::query(&sql)
        .bind(owner.id())
        .bind(user_id)
        .bind(owner.user_id())
        .execute(dbc)
        .await
        .map(crate::db::Done::from))?;
    Ok(())
}

/// The grant's user gives up their own share (always allowed).
pub async fn leave(db: &Db, grant: &Grant) -> Result<(), ApiError> {
    let t = grant.kind().tables();
    let sql = format!(
        "DELETE FROM {} WHERE {} = $1 AND user_id = $2",
        t.shares, t.key
    );
    crate::on_db!(db, |dbc| sqlx::query(&sql)
        .bind(grant.id())
        .bind(grant.user_id())
        .execute(dbc)
        .await
        .map(crate::db::Done::from))?;
    Ok(())
}
