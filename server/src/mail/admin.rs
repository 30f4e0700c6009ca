//! Address administration (server administrators only): create addresses in the mail
//! domain, give users read / send-as / manage access, take it away, and delete an address
//! with its content once the administrator confirms by typing the address.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use ksuite_common::{
    AddressUser, AdminAddress, ErrorCode, Field, GrantAddress, NewAddress, Problem, Rule,
};
use serde::Deserialize;

use super::{blobs, compose, store};
use crate::auth::session::Session;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::state::AppState;

const PERMISSIONS: [&str; 3] = ["read", "send", "manage"];

use crate::auth::admin_users::require_admin;

async fn address_row(state: &AppState, id: i64) -> ApiResult<AdminAddress> {
    let (address,): (String,) = crate::on_db!(&state.db, |dbc| sqlx::query_as(
        "SELECT address FROM mail_addresses WHERE id = $1"
    )
    .bind(id)
    .fetch_one(dbc)
    .await)?;
    let users: Vec<(i64, String, String, String)> =
        crate::on_db!(&state.db, |dbc| sqlx::query_as(
            "SELECT u.id, u.email, u.display_name, au.permission FROM mail_address_users au \
         JOIN users u ON u.id = au.user_id WHERE au.address_id = $1 ORDER BY u.email",
        )
        .bind(id)
        .fetch_all(dbc)
        .await)?;
    let messages: i64 = crate::on_db!(&state.db, |dbc| {
        sqlx::query_scalar(
        "SELECT COUNT(*) FROM messages WHERE mailbox_id IN (SELECT id FROM mailboxes WHERE address_id = $1)",
    )
    .bind(id)
    .fetch_one(dbc).await
    })?;
    Ok(AdminAddress {
        id,
        address,
        users: users
            .into_iter()
            .map(|(user_id, email, display_name, permission)| AddressUser {
                user_id,
                email,
                display_name,
                permission,
            })
            .collect(),
        messages,
    })
}

/// Every address of the server with who may use it.
#[utoipa::path(get, path = "/api/admin/mail/addresses", tag = "mail",
    responses((status = 200, body = Vec<AdminAddress>), (status = 403, body = ksuite_common::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    session: Session,
) -> ApiResult<Json<Vec<AdminAddress>>> {
    require_admin(&state, &session).await?;
    let ids: Vec<i64> = crate::on_db!(&state.db, |dbc| sqlx::query_scalar(
        "SELECT id FROM mail_addresses ORDER BY address"
    )
    .fetch_all(dbc)
    .await)?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.push(address_row(&state, id).await?);
    }
    Ok(Json(out))
}

/// Create an address in the server's mail domain (with its system folders).
#[utoipa::path(post, path = "/api/admin/mail/addresses", tag = "mail", request_body = NewAddress,
    responses((status = 201, body = AdminAddress), (status = 409, body = ksuite_common::ErrorBody), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    session: Session,
    ApiJson(req): ApiJson<NewAddress>,
) -> ApiResult<(StatusCode, Json<AdminAddress>)> {
    require_admin(&state, &session).await?;
    let domain = &state.settings.mail_domain;
    let raw = req.address.trim().to_lowercase();
    let full = if raw.contains('@') {
        raw
    } else {
        format!("{raw}@{domain}")
    };
    let Some(mailbox) = compose::parse_mailbox(&full).filter(|m| m.name.is_none()) else {
        return Err(ApiError::invalid(
            Problem::new(Field::Address, Rule::Invalid),
            format!("{full:?} is not an e-mail address."),
        ));
    };
    if mailbox.domain() != domain {
        return Err(ApiError::invalid(
            Problem::new(Field::Address, Rule::Invalid),
            format!("Addresses here are in {domain}."),
        ));
    }
    let mut tx = crate::db::begin_write(&state.db).await?;
    let Some(id) = store::create_address(&mut tx, &mailbox.address.to_lowercase()).await? else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::Conflict,
            format!("{} already exists.", mailbox.address),
        )
        .with(Problem::new(Field::Address, Rule::Taken)));
    };
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(address_row(&state, id).await?)))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct DeleteQuery {
    /// The address typed again: deleting removes every message in it.
    confirm: String,
}

/// Delete an address and everything in it (confirmed by typing the address).
#[utoipa::path(delete, path = "/api/admin/mail/addresses/{id}", tag = "mail", params(("id" = i64, Path), DeleteQuery),
    responses((status = 204), (status = 404, body = ksuite_common::ErrorBody), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Query(q): Query<DeleteQuery>,
) -> ApiResult<StatusCode> {
    require_admin(&state, &session).await?;
    let row = address_row(&state, id).await?;
    if q.confirm.trim().to_lowercase() != row.address {
        return Err(ApiError::invalid(
            Problem::new(Field::Confirmation, Rule::Invalid),
            format!(
                "Type {} to confirm: its {} messages are deleted with it.",
                row.address, row.messages
            ),
        ));
    }
    let mut tx = crate::db::begin_write(&state.db).await?;
    let blobs_used: Vec<String> = crate::on_db!(&mut tx, |dbc| {
        sqlx::query_scalar(
        "SELECT DISTINCT blob FROM messages WHERE mailbox_id IN (SELECT id FROM mailboxes WHERE address_id = $1)",
    )
    .bind(id)
    .fetch_all(dbc).await
    })?;
    crate::on_db!(&mut tx, |dbc| sqlx::query(
        "DELETE FROM message_search WHERE rowid IN (SELECT id FROM messages WHERE mailbox_id IN \
         (SELECT id FROM mailboxes WHERE address_id = $1))",
    )
    .bind(id)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    // Folders, messages and access go with it (foreign keys cascade).
    crate::on_db!(&mut tx, |dbc| sqlx::query(
        "DELETE FROM mail_addresses WHERE id = $1"
    )
    .bind(id)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    let mut unused = Vec::new();
    for blob in blobs_used {
        if !store::blob_in_use(&mut tx, &blob).await? {
            unused.push(blob);
        }
    }
    tx.commit().await?;
    blobs::remove_all(&state.db, &state.settings.blobs, unused).await;
    tracing::info!(address = %row.address, "mail address deleted");
    Ok(StatusCode::NO_CONTENT)
}

/// Give a user access to an address, or change it.
#[utoipa::path(put, path = "/api/admin/mail/addresses/{id}/users", tag = "mail", params(("id" = i64, Path)), request_body = GrantAddress,
    responses((status = 200, body = AdminAddress), (status = 404, body = ksuite_common::ErrorBody), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn grant(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<GrantAddress>,
) -> ApiResult<Json<AdminAddress>> {
    require_admin(&state, &session).await?;
    if !PERMISSIONS.contains(&req.permission.as_str()) {
        return Err(ApiError::invalid(
            Problem::new(Field::Permission, Rule::Invalid),
            "The permission is read, send or manage.",
        ));
    }
    address_row(&state, id).await?;
    let user: Option<i64> = crate::on_db!(&state.db, |dbc| sqlx::query_scalar(
        "SELECT id FROM users WHERE email = $1"
    )
    .bind(req.email.trim().to_lowercase())
    .fetch_optional(dbc)
    .await)?;
    let Some(user_id) = user else {
        return Err(ApiError::invalid(
            Problem::new(Field::User, Rule::NotFound),
            format!("There is no account {}.", req.email.trim()),
        ));
    };
    crate::on_db!(&state.db, |dbc| sqlx::query(
        "INSERT INTO mail_address_users (address_id, user_id, permission) VALUES ($1, $2, $3) \
         ON CONFLICT (address_id, user_id) DO UPDATE SET permission = excluded.permission",
    )
    .bind(id)
    .bind(user_id)
    .bind(&req.permission)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    Ok(Json(address_row(&state, id).await?))
}

/// Take a user's access to an address away.
#[utoipa::path(delete, path = "/api/admin/mail/addresses/{id}/users/{user_id}", tag = "mail",
    params(("id" = i64, Path), ("user_id" = i64, Path)),
    responses((status = 200, body = AdminAddress), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    session: Session,
    Path((id, user_id)): Path<(i64, i64)>,
) -> ApiResult<Json<AdminAddress>> {
    require_admin(&state, &session).await?;
    let done = crate::on_db!(&state.db, |dbc| sqlx::query(
        "DELETE FROM mail_address_users WHERE address_id = $1 AND user_id = $2"
    )
    .bind(id)
    .bind(user_id)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    if done.rows_affected() == 0 {
        return Err(ApiError::not_found());
    }
    Ok(Json(address_row(&state, id).await?))
}
