//! Access levels and the [`Grant`] a request acts under.

use axum::http::StatusCode;
use ksuite_common::{CalendarAccess, ErrorCode};

use super::Kind;
use crate::db::Db;
use crate::error::ApiError;

/// What one user may do with one collection. Reads use it as learnt; writes repeat its
/// condition in their own statement ([`super::changes::next_seq`], the owner-only
/// statements), so it is a statement of intent, never a licence on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grant {
    kind: Kind,
    id: i64,
    user_id: i64,
    access: CalendarAccess,
}

impl Grant {
    /// The caller's access to collection `id`; 404 when they have none, so a collection
    /// one may not see answers like a missing one.
    pub async fn of(db: &Db, kind: Kind, user_id: i64, id: i64) -> Result<Grant, ApiError> {
        let t = kind.tables();
        let sql = format!(
            "SELECT c.owner_id, s.access FROM {} c LEFT JOIN {} s ON s.{} = c.id AND s.user_id = $1 WHERE c.id = $2",
            t.collections, t.shares, t.key
        );
        let row: Option<(i64, Option<String>)> = crate::on_db!(db, |dbc| sqlx::query_as(&sql)
            .bind(user_id)
            .bind(id)
            .fetch_optional(dbc)
            .await)?;
        let access = match row {
            Some((owner, _)) if owner == user_id => CalendarAccess::Owner,
            Some((_, Some(a))) => parse_access(&a),
            _ => return Err(ApiError::not_found()),
        };
        Ok(Grant {
            kind,
            id,
            user_id,
            access,
        })
    }

    /// A grant resolved elsewhere (the DAV layer's collection cache).
    pub fn resolved(kind: Kind, id: i64, user_id: i64, access: CalendarAccess) -> Grant {
        Grant {
            kind,
            id,
            user_id,
            access,
        }
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    pub fn id(&self) -> i64 {
        self.id
    }

    pub fn user_id(&self) -> i64 {
        self.user_id
    }

    pub fn access(&self) -> CalendarAccess {
        self.access
    }

    pub fn is_owner(&self) -> bool {
        self.access == CalendarAccess::Owner
    }

    /// This grant if it allows changing objects; 403 for a read-only share.
    pub fn writable(self) -> Result<Grant, ApiError> {
        match self.access {
            CalendarAccess::Read => Err(read_only()),
            _ => Ok(self),
        }
    }

    /// This grant if the caller owns the collection; 403 otherwise.
    pub fn owned(self) -> Result<Grant, ApiError> {
        if self.is_owner() {
            Ok(self)
        } else {
            Err(owner_only())
        }
    }
}

pub fn read_only() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        ErrorCode::Forbidden,
        "This is shared with you read-only.",
    )
}

pub fn owner_only() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        ErrorCode::Forbidden,
        "Only the owner can do this.",
    )
}

/// The stored form of a share's access.
pub fn parse_access(s: &str) -> CalendarAccess {
    if s == "read_write" {
        CalendarAccess::ReadWrite
    } else {
        CalendarAccess::Read
    }
}

pub fn access_code(a: CalendarAccess) -> &'static str {
    match a {
        CalendarAccess::ReadWrite => "read_write",
        _ => "read",
    }
}

/// SQL condition on the collection table (by its name) true when the user bound at its
/// two `?` may change objects in it.
pub(crate) fn writable_by_user(kind: Kind, user_param: usize) -> String {
    shared_with_user(kind, " AND {s}.access = 'read_write'", user_param)
}

/// SQL condition on the collection table true when the user bound at `$user_param` sees it.
pub(crate) fn visible_to_user(kind: Kind, user_param: usize) -> String {
    shared_with_user(kind, "", user_param)
}

fn shared_with_user(kind: Kind, share_condition: &str, user_param: usize) -> String {
    let t = kind.tables();
    let share_condition = share_condition.replace("{s}", t.shares);
    format!(
        "({c}.owner_id = ${user_param} OR EXISTS (SELECT 1 FROM {s} WHERE {s}.{k} = {c}.id \
         AND {s}.user_id = ${user_param}{share_condition}))",
        c = t.collections,
        s = t.shares,
        k = t.key
    )
}
