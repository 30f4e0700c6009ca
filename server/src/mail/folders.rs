//! The user's own folders (nested, per address): create, rename, delete (their messages go
//! to the Trash first, so nothing is lost), and emptying the Trash explicitly.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use ksuite_common::{Field, MailFolder, NewFolder, Problem, RenameFolder, Rule};

use super::store;
use crate::auth::session::Session;
use crate::db::Db;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::now_unix;
use crate::state::AppState;

const MAX_NAME: usize = 100;
const MAX_DEPTH: usize = 8;

fn clean_name(name: &str) -> ApiResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(ApiError::invalid(
            Problem::length(Field::Name, MAX_NAME),
            format!("A folder name has 1 to {MAX_NAME} characters."),
        ));
    }
    if name.contains(['/', '\\']) || name.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            Problem::new(Field::Name, Rule::Invalid),
            "A folder name cannot contain / or \\.",
        ));
    }
    Ok(name.to_string())
}

/// `(address id, role, parent id)` of a folder the user may change (send or manage access).
async fn changeable(
    db: &Db,
    user_id: i64,
    folder_id: i64,
) -> ApiResult<(i64, Option<String>, Option<i64>)> {
    crate::on_db!(db, |dbc| sqlx::query_as(
        "SELECT m.address_id, m.role, m.parent_id FROM mailboxes m JOIN mail_address_users u ON u.address_id = m.address_id \
         WHERE m.id = $1 AND u.user_id = $2 AND u.permission <> 'read'",
    )
    .bind(folder_id)
    .bind(user_id)
    .fetch_optional(dbc).await)?
    .ok_or_else(ApiError::not_found)
}

async fn name_taken(
    db: &Db,
    address_id: i64,
    parent_id: Option<i64>,
    name: &str,
    except: i64,
) -> ApiResult<bool> {
    let found: Option<i64> = crate::on_db!(db, |dbc| {
        sqlx::query_scalar(
        "SELECT id FROM mailboxes WHERE address_id = $1 AND parent_id IS NOT DISTINCT FROM $2 AND lower(name) = lower($3) AND id <> $4",
    )
    .bind(address_id)
    .bind(parent_id)
    .bind(name)
    .bind(except)
    .fetch_optional(dbc).await
    })?;
    Ok(found.is_some())
}

fn taken(name: &str) -> ApiError {
    ApiError::invalid(
        Problem::new(Field::Name, Rule::Taken),
        format!("There is already a folder {name:?} here."),
    )
}

/// The folder with its counts, as the folder list shows it.
async fn folder_view(db: &Db, user_id: i64, id: i64) -> ApiResult<MailFolder> {
    store::folders(db, user_id)
        .await?
        .into_iter()
        .find(|f| f.id == id)
        .ok_or_else(ApiError::not_found)
}

/// Create a folder (inside another one of the same address, or at the top).
#[utoipa::path(post, path = "/api/mail/folders", tag = "mail", request_body = NewFolder,
    responses((status = 201, body = MailFolder), (status = 404, body = ksuite_common::ErrorBody), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    session: Session,
    ApiJson(req): ApiJson<NewFolder>,
) -> ApiResult<(StatusCode, Json<MailFolder>)> {
    let address_id: i64 = crate::on_db!(&state.db, |dbc| sqlx::query_scalar(
        "SELECT a.id FROM mail_addresses a JOIN mail_address_users u ON u.address_id = a.id \
         WHERE a.address = $1 AND u.user_id = $2 AND u.permission <> 'read'",
    )
    .bind(req.address.trim().to_lowercase())
    .bind(session.user_id)
    .fetch_optional(dbc)
    .await)?
    .ok_or_else(ApiError::not_found)?;
    let id = create_folder(
        &state.db,
        session.user_id,
        address_id,
        req.parent_id,
        &req.name,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(folder_view(&state.db, session.user_id, id).await?),
    ))
}

/// Creates a folder of an address the user may change, inside `parent_id` (a folder of
/// the same address) or at the top; returns its id.
pub async fn create_folder(
    db: &Db,
    user_id: i64,
    address_id: i64,
    parent_id: Option<i64>,
    name: &str,
) -> ApiResult<i64> {
    let name = clean_name(name)?;
    let may_change: Option<i64> = crate::on_db!(db, |dbc| {
        sqlx::query_scalar(
        "SELECT address_id FROM mail_address_users WHERE address_id = $1 AND user_id = $2 AND permission <> 'read'",
    )
    .bind(address_id)
    .bind(user_id)
    .fetch_optional(dbc).await
    })?;
    if may_change.is_none() {
        return Err(ApiError::not_found());
    }
    if let Some(parent) = parent_id {
        check_parent(db, user_id, address_id, parent).await?;
    }
    if name_taken(db, address_id, parent_id, &name, 0).await? {
        return Err(taken(&name));
    }
    Ok(crate::on_db!(db, |dbc| {
        sqlx::query_scalar(
        "INSERT INTO mailboxes (address_id, parent_id, name, uidvalidity) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(address_id)
    .bind(parent_id)
    .bind(&name)
    .bind(now_unix())
    .fetch_one(dbc).await
    })?)
}

/// A parent for a folder of `address_id`: changeable by the user, of the same address,
/// not too deep.
async fn check_parent(db: &Db, user_id: i64, address_id: i64, parent: i64) -> ApiResult<Vec<i64>> {
    let (parent_address, _, _) = changeable(db, user_id, parent).await?;
    if parent_address != address_id {
        return Err(ApiError::invalid(
            Problem::new(Field::Folder, Rule::NotPossible),
            "A folder goes inside a folder of the same address.",
        ));
    }
    let above = ancestors(db, parent).await?;
    if above.len() >= MAX_DEPTH {
        return Err(ApiError::invalid(
            Problem::new(Field::Folder, Rule::OutOfRange),
            format!("Folders nest at most {MAX_DEPTH} deep."),
        ));
    }
    Ok(above)
}

/// The folder and the folders it is in, innermost first.
async fn ancestors(db: &Db, id: i64) -> ApiResult<Vec<i64>> {
    Ok(crate::on_db!(db, |dbc| {
        sqlx::query_scalar(
        "WITH RECURSIVE up(id, parent_id) AS (SELECT id, parent_id FROM mailboxes WHERE id = $1 \
         UNION ALL SELECT m.id, m.parent_id FROM mailboxes m JOIN up ON m.id = up.parent_id) SELECT id FROM up",
    )
    .bind(id)
    .fetch_all(dbc).await
    })?)
}

/// Rename one of the user's own folders.
#[utoipa::path(patch, path = "/api/mail/folders/{id}", tag = "mail", params(("id" = i64, Path)), request_body = RenameFolder,
    responses((status = 200, body = MailFolder), (status = 404, body = ksuite_common::ErrorBody), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn rename(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<RenameFolder>,
) -> ApiResult<Json<MailFolder>> {
    let (_, _, parent_id) = changeable(&state.db, session.user_id, id).await?;
    rename_folder(&state.db, session.user_id, id, parent_id, &req.name).await?;
    Ok(Json(folder_view(&state.db, session.user_id, id).await?))
}

/// Renames one of the user's own folders and may move it under another folder of the
/// same address (`parent_id`; IMAP RENAME does both), never into itself.
pub async fn rename_folder(
    db: &Db,
    user_id: i64,
    id: i64,
    parent_id: Option<i64>,
    name: &str,
) -> ApiResult<()> {
    let name = clean_name(name)?;
    let (address_id, role, _) = changeable(db, user_id, id).await?;
    if role.is_some() {
        return Err(ApiError::invalid(
            Problem::new(Field::Folder, Rule::NotPossible),
            "System folders keep their names.",
        ));
    }
    if let Some(parent) = parent_id
        && check_parent(db, user_id, address_id, parent)
            .await?
            .contains(&id)
    {
        return Err(ApiError::invalid(
            Problem::new(Field::Folder, Rule::ItSelf),
            "A folder cannot go inside itself.",
        ));
    }
    if name_taken(db, address_id, parent_id, &name, id).await? {
        return Err(taken(&name));
    }
    crate::on_db!(db, |dbc| sqlx::query(
        "UPDATE mailboxes SET name = $1, parent_id = $2 WHERE id = $3"
    )
    .bind(&name)
    .bind(parent_id)
    .bind(id)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    Ok(())
}

/// Delete one of the user's own folders with its subfolders; their messages go to the
/// Trash first (restorable as any deleted message).
#[utoipa::path(delete, path = "/api/mail/folders/{id}", tag = "mail", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ksuite_common::ErrorBody), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    delete_folder(&state.db, session.user_id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes one of the user's own folders with its subfolders; their messages go to the
/// Trash first.
pub async fn delete_folder(db: &Db, user_id: i64, id: i64) -> ApiResult<()> {
    let (address_id, role, _) = changeable(db, user_id, id).await?;
    if role.is_some() {
        return Err(ApiError::invalid(
            Problem::new(Field::Folder, Rule::NotPossible),
            "System folders cannot be deleted.",
        ));
    }
    let mut tx = crate::db::begin_write(db).await?;
    let trash = store::folder_with_role(&mut tx, address_id, "trash").await?;
    let inside: Vec<i64> = crate::on_db!(&mut tx, |dbc| {
        sqlx::query_scalar(
        "WITH RECURSIVE down(id) AS (SELECT $1 UNION ALL SELECT m.id FROM mailboxes m JOIN down ON m.parent_id = down.id) \
         SELECT x.id FROM messages x WHERE x.mailbox_id IN (SELECT id FROM down)",
    )
    .bind(id)
    .fetch_all(dbc).await
    })?;
    for message in inside {
        store::refile(&mut tx, message, trash, false).await?;
    }
    crate::on_db!(&mut tx, |dbc| sqlx::query(
        "DELETE FROM mailboxes WHERE id = $1"
    )
    .bind(id)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    tx.commit().await?;
    Ok(())
}

/// Empty the Trash: its messages are deleted, still restorable for the retention period.
#[utoipa::path(post, path = "/api/mail/folders/{id}/empty", tag = "mail", params(("id" = i64, Path)),
    responses((status = 200, body = MailFolder), (status = 404, body = ksuite_common::ErrorBody), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn empty(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> ApiResult<Json<MailFolder>> {
    let (_, role, _) = changeable(&state.db, session.user_id, id).await?;
    if role.as_deref() != Some("trash") {
        return Err(ApiError::invalid(
            Problem::new(Field::Folder, Rule::NotPossible),
            "Only the Trash can be emptied.",
        ));
    }
    let mut tx = crate::db::begin_write(&state.db).await?;
    let modseq = store::next_modseq(&mut tx, id).await?;
    crate::on_db!(&mut tx, |dbc| {
        sqlx::query(
        "UPDATE messages SET deleted_at = $1, modseq = $2 WHERE mailbox_id = $3 AND deleted_at IS NULL",
    )
    .bind(now_unix())
    .bind(modseq)
    .bind(id)
    .execute(dbc).await.map(crate::db::Done::from)
    })?;
    tx.commit().await?;
    Ok(Json(folder_view(&state.db, session.user_id, id).await?))
}
