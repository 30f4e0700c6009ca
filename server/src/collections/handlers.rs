//! The bodies of the endpoints calendars and address books have alike (shares, delete or
//! leave); `calendar/` and `contacts/` route to them with their own paths and docs.

use axum::Json;
use axum::http::StatusCode;
use ksuite_common::{CalendarShare, ErrorCode};
use serde::Deserialize;

use super::{Grant, Kind, shares, store};
use crate::auth::users;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Whose share to remove.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct ShareQuery {
    pub email: String,
}

/// The shares of a collection the caller owns.
pub async fn list_shares(
    state: &AppState,
    user_id: i64,
    kind: Kind,
    id: i64,
) -> ApiResult<Json<Vec<CalendarShare>>> {
    let owner = Grant::of(&state.db, kind, user_id, id).await?.owned()?;
    Ok(Json(shares::list(&state.db, &owner).await?))
}

/// Shares with another user of this server, or changes their access.
pub async fn put_share(
    state: &AppState,
    user_id: i64,
    kind: Kind,
    id: i64,
    share: &CalendarShare,
) -> ApiResult<Json<Vec<CalendarShare>>> {
    let owner = Grant::of(&state.db, kind, user_id, id).await?.owned()?;
    let target = crate::resource::share_grantee(&state.db, user_id, share).await?;
    shares::grant(&state.db, &owner, target, share.access).await?;
    Ok(Json(shares::list(&state.db, &owner).await?))
}

/// The owner removes someone's share; a grantee may always remove their own (and then
/// sees no one else's).
pub async fn delete_share(
    state: &AppState,
    user_id: i64,
    kind: Kind,
    id: i64,
    email: &str,
) -> ApiResult<Json<Vec<CalendarShare>>> {
    let email = users::normalize_email(email)?;
    let grant = Grant::of(&state.db, kind, user_id, id).await?;
    if !grant.is_owner() && users::profile(&state.db, user_id).await?.email == email {
        shares::leave(&state.db, &grant).await?;
        return Ok(Json(Vec::new()));
    }
    let owner = grant.owned()?;
    if let Some((target, _)) = users::credentials(&state.db, &email).await? {
        shares::revoke(&state.db, &owner, target).await?;
    }
    Ok(Json(shares::list(&state.db, &owner).await?))
}

/// Deletes a collection the caller owns (never their default one); for a collection
/// shared with the caller, deleting it means leaving the share.
pub async fn delete_or_leave(
    state: &AppState,
    user_id: i64,
    kind: Kind,
    id: i64,
) -> ApiResult<StatusCode> {
    let grant = Grant::of(&state.db, kind, user_id, id).await?;
    if !grant.is_owner() {
        shares::leave(&state.db, &grant).await?;
        return Ok(StatusCode::NO_CONTENT);
    }
    if store::delete_owned(&state.db, &grant).await? {
        return Ok(StatusCode::NO_CONTENT);
    }
    // Not deleted: it is the default one, or it went meanwhile (404 from the read).
    store::name_and_default(&state.db, &grant).await?;
    Err(ApiError::new(
        StatusCode::CONFLICT,
        ErrorCode::Conflict,
        format!("The default {} cannot be deleted.", kind.noun()),
    ))
}
