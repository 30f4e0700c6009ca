//! Settings → Security: change the password (asking the current one again) and see the
//! signed-in browsers and devices, signing out any of them or all the others.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use ksuite_common::{ActiveSession, ErrorCode, PasswordChange, password_weakness};

use super::session::{self, Session};
use super::throttle::Scope;
use super::{password, users};
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::state::AppState;

/// Change the password: the current one must be given; every other session ends and
/// devices signed in with the old account password must sign in again.
#[utoipa::path(post, path = "/api/account/password", tag = "auth", request_body = PasswordChange,
    responses((status = 204), (status = 401, body = ksuite_common::ErrorBody, description = "current password wrong"),
               (status = 422, body = ksuite_common::ErrorBody, description = "weak new password"),
               (status = 429, body = ksuite_common::ErrorBody)))]
pub async fn change_password(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    session: Session,
    ApiJson(req): ApiJson<PasswordChange>,
) -> ApiResult<StatusCode> {
    let profile = users::profile(&state.db, session.user_id).await?;
    let ip = state.settings.trusted_proxies.client(peer.ip(), &headers);
    // A stolen session must not become a way to guess the password.
    let attempt = state
        .login_throttle
        .begin(Scope::Web, &profile.email, ip)
        .await?
        .map_err(|wait| {
            super::too_many(
                format!(
                    "Too many failed attempts. Try again in {} minutes.",
                    wait.div_ceil(60)
                ),
                wait,
            )
        })?;
    let stored = users::credentials(&state.db, &profile.email)
        .await?
        .map(|(_, hash)| hash);
    if !password::verify(req.current_password, stored).await? {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::InvalidCredentials,
            "The current password is wrong.",
        ));
    }
    attempt.succeeded().await?;
    if let Some(reason) = password_weakness(&req.new_password, &profile.email) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::WeakPassword,
            reason,
        ));
    }
    let hash = password::hash(req.new_password).await?;
    crate::on_db!(&state.db, |dbc| sqlx::query(
        "UPDATE users SET password_hash = $1 WHERE id = $2"
    )
    .bind(hash)
    .bind(session.user_id)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    session::delete_others(&state.db, session.user_id, Some(session.id)).await?;
    // Devices that cached the old account password must verify again.
    state.credentials.clear();
    tracing::info!(user_id = session.user_id, "password changed");
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in browsers and devices of the account.
#[utoipa::path(get, path = "/api/account/sessions", tag = "auth",
    responses((status = 200, body = Vec<ActiveSession>), (status = 401, body = ksuite_common::ErrorBody)))]
pub async fn list_sessions(
    State(state): State<AppState>,
    session: Session,
) -> ApiResult<Json<Vec<ActiveSession>>> {
    let rows = session::list(&state.db, session.user_id).await?;
    Ok(Json(
        rows.into_iter()
            .map(|(id, device, created_at, last_seen_at)| ActiveSession {
                id,
                device,
                created_at,
                last_seen_at,
                current: id == session.id,
            })
            .collect(),
    ))
}

/// Sign one session out (the current one too: that is a logout).
#[utoipa::path(delete, path = "/api/account/sessions/{id}", tag = "auth", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn end_session(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    if session::delete_own(&state.db, session.user_id, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found())
    }
}

/// Sign out everywhere else.
#[utoipa::path(post, path = "/api/account/sessions/sign-out-others", tag = "auth",
    responses((status = 204), (status = 401, body = ksuite_common::ErrorBody)))]
pub async fn sign_out_others(
    State(state): State<AppState>,
    session: Session,
) -> ApiResult<StatusCode> {
    session::delete_others(&state.db, session.user_id, Some(session.id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
