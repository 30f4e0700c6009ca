//! Settings → Administration → Users (administrators only): every account with its plan,
//! administrator flag and state; invitations for servers whose sign-up needs one.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ksuite_common::{
    AdminUser, AdminUserChange, ErrorCode, Field, Invitation, NewInvitation, Plan, Problem, Rule,
};
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::session::{self, Session};
use super::users;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::now_unix;
use crate::state::AppState;

/// How long an invitation can be used.
const INVITATION_DAYS: i64 = 14;

/// Refuses anyone but an administrator.
pub async fn require_admin(state: &AppState, session: &Session) -> ApiResult<()> {
    let admin: bool = crate::on_db!(&state.db, |dbc| sqlx::query_scalar(
        "SELECT is_admin FROM users WHERE id = $1"
    )
    .bind(session.user_id)
    .fetch_one(dbc)
    .await)?;
    if admin {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            "Only an administrator can do this.",
        ))
    }
}

type UserRow = (i64, String, String, String, bool, bool, i64);

fn admin_user(
    (id, email, display_name, plan, is_admin, disabled, created_at): UserRow,
) -> AdminUser {
    AdminUser {
        id,
        email,
        display_name,
        plan: Plan::from_code(&plan).unwrap_or_default(),
        is_admin,
        disabled,
        created_at,
    }
}

const USER_COLUMNS: &str = "id, email, display_name, plan, is_admin, disabled, created_at";

/// Every account of the server.
#[utoipa::path(get, path = "/api/admin/users", tag = "admin",
    responses((status = 200, body = Vec<AdminUser>), (status = 403, body = ksuite_common::ErrorBody)))]
pub async fn list_users(
    State(state): State<AppState>,
    session: Session,
) -> ApiResult<Json<Vec<AdminUser>>> {
    require_admin(&state, &session).await?;
    let rows: Vec<UserRow> = crate::on_db!(&state.db, |dbc| sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM users ORDER BY email"
    ))
    .fetch_all(dbc)
    .await)?;
    Ok(Json(rows.into_iter().map(admin_user).collect()))
}

/// Set an account's plan, make or remove an administrator, disable or enable it.
#[utoipa::path(patch, path = "/api/admin/users/{id}", tag = "admin", params(("id" = i64, Path)), request_body = AdminUserChange,
    responses((status = 200, body = AdminUser), (status = 403, body = ksuite_common::ErrorBody),
               (status = 404, body = ksuite_common::ErrorBody), (status = 409, body = ksuite_common::ErrorBody)))]
pub async fn change_user(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    ApiJson(change): ApiJson<AdminUserChange>,
) -> ApiResult<Json<AdminUser>> {
    require_admin(&state, &session).await?;
    let own = id == session.user_id;
    if own && (change.is_admin == Some(false) || change.disabled == Some(true)) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::Conflict,
            "You cannot remove your own administrator rights or disable your own account; \
             ask another administrator.",
        )
        .with(Problem::new(Field::User, Rule::ItSelf)));
    }
    let mut tx = crate::db::begin_write(&state.db).await?;
    let exists: Option<i64> = crate::on_db!(&mut tx, |dbc| sqlx::query_scalar(
        "SELECT id FROM users WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(dbc)
    .await)?;
    exists.ok_or_else(ApiError::not_found)?;
    crate::on_db!(&mut tx, |dbc| sqlx::query(
        "UPDATE users SET plan = COALESCE($1, plan), is_admin = COALESCE($2, is_admin), \
         disabled = COALESCE($3, disabled) WHERE id = $4",
    )
    .bind(change.plan.map(Plan::code))
    .bind(change.is_admin)
    .bind(change.disabled)
    .bind(id)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    let admins: i64 = crate::on_db!(&mut tx, |dbc| sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE is_admin AND NOT disabled"
    )
    .fetch_one(dbc)
    .await)?;
    if admins == 0 {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::Conflict,
            "The server needs at least one active administrator.",
        )
        .with(Problem::new(Field::Permission, Rule::Required)));
    }
    tx.commit().await?;
    if change.disabled == Some(true) {
        // Signed out everywhere at once; devices must verify again (and will fail).
        session::delete_others(&state.db, id, None).await?;
        state.credentials.clear();
        tracing::info!(user_id = id, by = session.user_id, "account disabled");
    }
    let row: UserRow = crate::on_db!(&state.db, |dbc| sqlx::query_as(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE id = $1"
    ))
    .bind(id)
    .fetch_one(dbc)
    .await)?;
    Ok(Json(admin_user(row)))
}

fn code_hash(code: &str) -> Vec<u8> {
    Sha256::digest(code.trim().as_bytes()).to_vec()
}

type InvitationRow = (i64, Option<String>, i64, i64, Option<i64>);

fn invitation((id, email, created_at, expires_at, used_by): InvitationRow) -> Invitation {
    Invitation {
        id,
        email,
        code: None,
        created_at,
        expires_at,
        used: used_by.is_some(),
    }
}

/// The invitations made on this server, newest first.
#[utoipa::path(get, path = "/api/admin/invitations", tag = "admin",
    responses((status = 200, body = Vec<Invitation>), (status = 403, body = ksuite_common::ErrorBody)))]
pub async fn list_invitations(
    State(state): State<AppState>,
    session: Session,
) -> ApiResult<Json<Vec<Invitation>>> {
    require_admin(&state, &session).await?;
    let rows: Vec<InvitationRow> = crate::on_db!(&state.db, |dbc| {
        sqlx::query_as(
        "SELECT id, email, created_at, expires_at, used_by FROM invitations ORDER BY id DESC LIMIT 500",
    )
    .fetch_all(dbc).await
    })?;
    Ok(Json(rows.into_iter().map(invitation).collect()))
}

/// Make an invitation; its code is in this answer only.
#[utoipa::path(post, path = "/api/admin/invitations", tag = "admin", request_body = NewInvitation,
    responses((status = 201, body = Invitation), (status = 403, body = ksuite_common::ErrorBody), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn create_invitation(
    State(state): State<AppState>,
    session: Session,
    ApiJson(req): ApiJson<NewInvitation>,
) -> ApiResult<(StatusCode, Json<Invitation>)> {
    require_admin(&state, &session).await?;
    let email = req
        .email
        .as_deref()
        .filter(|e| !e.trim().is_empty())
        .map(users::normalize_email)
        .transpose()?;
    let mut bytes = [0u8; 18];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let code = URL_SAFE_NO_PAD.encode(bytes);
    let now = now_unix();
    let expires_at = now + INVITATION_DAYS * 86_400;
    let id: i64 = crate::on_db!(&state.db, |dbc| sqlx::query_scalar(
        "INSERT INTO invitations (code_hash, email, created_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(code_hash(&code))
    .bind(&email)
    .bind(session.user_id)
    .bind(now)
    .bind(expires_at)
    .fetch_one(dbc)
    .await)?;
    Ok((
        StatusCode::CREATED,
        Json(Invitation {
            id,
            email,
            code: Some(code),
            created_at: now,
            expires_at,
            used: false,
        }),
    ))
}

/// Withdraw an invitation nobody used yet.
#[utoipa::path(delete, path = "/api/admin/invitations/{id}", tag = "admin", params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ksuite_common::ErrorBody), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn revoke_invitation(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    require_admin(&state, &session).await?;
    let done = crate::on_db!(&state.db, |dbc| sqlx::query(
        "DELETE FROM invitations WHERE id = $1 AND used_by IS NULL"
    )
    .bind(id)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    if done.rows_affected() == 0 {
        return Err(ApiError::not_found());
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Uses up an invitation for the new account `user_id` (in the sign-up transaction).
pub async fn redeem(
    tx: &mut crate::db::Conn,
    code: &str,
    email: &str,
    user_id: i64,
) -> Result<bool, ApiError> {
    let now = now_unix();
    let done = crate::on_db!(&mut *tx, |dbc| {
        sqlx::query(
        "UPDATE invitations SET used_by = $1, used_at = $2 WHERE code_hash = $3 AND used_by IS NULL \
         AND expires_at > $4 AND (email IS NULL OR email = $5)",
    )
    .bind(user_id)
    .bind(now)
    .bind(code_hash(code))
    .bind(now)
    .bind(email)
    .execute(dbc).await.map(crate::db::Done::from)
    })?;
    Ok(done.rows_affected() == 1)
}
