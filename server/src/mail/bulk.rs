//! One change to many messages (the list's selection): read/unread, flag, move, archive,
//! spam, delete. All or nothing: every message must be one the caller may change, and
//! the change is one transaction, so a refusal leaves everything as it was and a crash
//! never leaves half a selection moved.

use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use ksuite_common::{BulkAction, BulkChange, BulkOutcome, Field, MAX_BULK_MESSAGES, Problem, Rule};

use super::store::{self, MessageAccess};
use crate::auth::session::Session;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::state::AppState;

/// Apply one change to several messages.
#[utoipa::path(post, path = "/api/mail/messages/bulk", tag = "mail", request_body = BulkChange,
    responses((status = 200, body = BulkOutcome), (status = 403, body = ksuite_common::ErrorBody),
        (status = 404, body = ksuite_common::ErrorBody), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn bulk(
    State(state): State<AppState>,
    session: Session,
    ApiJson(req): ApiJson<BulkChange>,
) -> ApiResult<Json<BulkOutcome>> {
    let mut ids = req.ids;
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() || ids.len() > MAX_BULK_MESSAGES {
        return Err(ApiError::invalid(
            Problem::count(Field::Messages, MAX_BULK_MESSAGES),
            format!("Choose 1 to {MAX_BULK_MESSAGES} messages at once."),
        ));
    }
    let user = session.user_id;
    let placed = store::placed_messages(&state.db, user, &ids, MessageAccess::Write).await?;
    if placed.len() < ids.len() {
        let readable = store::placed_messages(&state.db, user, &ids, MessageAccess::Read).await?;
        return Err(if readable.len() == ids.len() {
            ApiError::forbidden(
                "Some of these messages are in an address you may read but not change. Nothing was changed.",
            )
        } else {
            ApiError::new(
                axum::http::StatusCode::NOT_FOUND,
                ksuite_common::ErrorCode::NotFound,
                "Some of these messages no longer exist (deleted or moved away). Nothing was changed; reload the list.",
            )
        });
    }
    let target = match req.action {
        BulkAction::Move { folder_id } => {
            let (address, role) = store::writable_folder_of_user(&state.db, user, folder_id)
                .await?
                .ok_or_else(ApiError::not_found)?;
            if placed.iter().any(|p| p.2 != address) {
                return Err(ApiError::invalid(
                    Problem::new(Field::Folder, Rule::NotPossible),
                    "Messages move between folders of the same address. Nothing was changed.",
                ));
            }
            Some((folder_id, role.as_deref() == Some("trash")))
        }
        _ => None,
    };
    let mut tx = crate::db::begin_write(&state.db).await?;
    let mut role_folders: HashMap<(i64, &'static str), i64> = HashMap::new();
    for &(id, folder, address, ref role) in &placed {
        match req.action {
            BulkAction::MarkRead => set_flag(&mut tx, id, folder, "seen", true).await?,
            BulkAction::MarkUnread => set_flag(&mut tx, id, folder, "seen", false).await?,
            BulkAction::Flag => set_flag(&mut tx, id, folder, "flagged", true).await?,
            BulkAction::Unflag => set_flag(&mut tx, id, folder, "flagged", false).await?,
            BulkAction::Move { .. } => {
                if let Some((to, to_trash)) = target
                    && to != folder
                {
                    store::refile(&mut tx, id, to, to_trash).await?;
                }
            }
            BulkAction::Archive | BulkAction::Spam | BulkAction::NotSpam => {
                let wanted = match req.action {
                    BulkAction::Archive => "archive",
                    BulkAction::Spam => "spam",
                    _ => "inbox",
                };
                let to = role_folder(&mut tx, &mut role_folders, address, wanted).await?;
                if to != folder {
                    store::refile(&mut tx, id, to, false).await?;
                }
            }
            BulkAction::Delete => {
                if role.as_deref() == Some("trash") {
                    let modseq = store::next_modseq(&mut tx, folder).await?;
                    crate::on_db!(&mut tx, |dbc| sqlx::query(
                        "UPDATE messages SET deleted_at = $1, modseq = $2 WHERE id = $3"
                    )
                    .bind(crate::now_unix())
                    .bind(modseq)
                    .bind(id)
                    .execute(dbc)
                    .await
                    .map(crate::db::Done::from))?;
                } else {
                    let trash = role_folder(&mut tx, &mut role_folders, address, "trash").await?;
                    store::refile(&mut tx, id, trash, true).await?;
                }
            }
        }
    }
    tx.commit().await?;
    Ok(Json(BulkOutcome {
        changed: u32::try_from(placed.len()).unwrap_or(u32::MAX),
    }))
}

/// Sets `seen` or `flagged` (a fixed column name, never input) with a new MODSEQ so IMAP
/// sessions see the change.
async fn set_flag(
    tx: &mut crate::db::Conn,
    id: i64,
    folder: i64,
    column: &'static str,
    on: bool,
) -> Result<(), ApiError> {
    let modseq = store::next_modseq(&mut *tx, folder).await?;
    crate::on_db!(&mut *tx, |dbc| sqlx::query(&format!(
        "UPDATE messages SET {column} = $1, modseq = $2 WHERE id = $3"
    ))
    .bind(on)
    .bind(modseq)
    .bind(id)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    Ok(())
}

/// The address's folder with this role, looked up once per request.
async fn role_folder(
    tx: &mut crate::db::Conn,
    known: &mut HashMap<(i64, &'static str), i64>,
    address: i64,
    role: &'static str,
) -> Result<i64, ApiError> {
    if let Some(id) = known.get(&(address, role)) {
        return Ok(*id);
    }
    let id: i64 = crate::on_db!(&mut *tx, |dbc| sqlx::query_scalar(
        "SELECT id FROM mailboxes WHERE address_id = $1 AND role = $2"
    )
    .bind(address)
    .bind(role)
    .fetch_one(dbc)
    .await)?;
    known.insert((address, role), id);
    Ok(id)
}
