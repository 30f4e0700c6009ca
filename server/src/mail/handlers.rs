//! The mail JSON API: folders, message pages and messages.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use ksuite_common::{
    AttachmentInfo, Field, MailFolder, MessageDetail, MessageFlags, MessagePage, MessageSummary,
    MoveMessage, Problem, Rule,
};
use mail_parser::{MessageParser, MimeHeaders};
use serde::Deserialize;

use super::{blobs, store};
use crate::auth::session::Session;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::state::AppState;

const DEFAULT_PAGE: i64 = 50;
const MAX_PAGE: i64 = 200;

/// The folders of all the user's addresses, with unread counts.
#[utoipa::path(get, path = "/api/mail/folders", tag = "mail",
    responses((status = 200, body = Vec<MailFolder>), (status = 401, body = ksuite_common::ErrorBody)))]
pub async fn folders(
    State(state): State<AppState>,
    session: Session,
) -> ApiResult<Json<Vec<MailFolder>>> {
    Ok(Json(store::folders(&state.db, session.user_id).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct PageQuery {
    /// Cursor from the previous page's `next`.
    #[serde(default)]
    before: Option<String>,
    /// Messages per page (1–200, default 50).
    #[serde(default)]
    limit: Option<i64>,
    /// One row per conversation (its newest message, with `thread_count`).
    #[serde(default)]
    threads: bool,
}

fn cursor(s: &str) -> Result<(i64, i64), ApiError> {
    s.split_once('.')
        .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
        .ok_or_else(|| {
            ApiError::invalid(
                Problem::new(Field::Request, Rule::Invalid),
                "The page cursor is not valid.",
            )
        })
}

pub(super) async fn own_message(
    state: &AppState,
    user_id: i64,
    id: i64,
) -> ApiResult<store::MessageRow> {
    store::message(&state.db, user_id, id)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// A message the user may change: a read-only grant answers 403 (the message is visible
/// to them, so pretending it is missing would only confuse), no grant 404.
pub(super) async fn writable_message(
    state: &AppState,
    user_id: i64,
    id: i64,
) -> ApiResult<store::MessageRow> {
    match store::message_for(&state.db, user_id, id, store::MessageAccess::Write).await? {
        Some(row) => Ok(row),
        None => {
            own_message(state, user_id, id).await?;
            Err(read_only())
        }
    }
}

fn read_only() -> ApiError {
    ApiError::forbidden("You may read this address but not change its mail.")
}

/// A message the user may read, with its raw bytes.
pub(super) async fn with_raw(
    state: &AppState,
    user_id: i64,
    id: i64,
) -> ApiResult<(store::MessageRow, Vec<u8>)> {
    let row = own_message(state, user_id, id).await?;
    let raw = blobs::read(&state.settings.blobs, &row.blob)
        .await
        .map_err(ApiError::internal)?;
    Ok((row, raw))
}

/// A page of a folder, newest first (keyset pagination: fast at any depth).
#[utoipa::path(get, path = "/api/mail/folders/{id}/messages", tag = "mail", params(("id" = i64, Path), PageQuery),
    responses((status = 200, body = MessagePage), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn messages(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> ApiResult<Json<MessagePage>> {
    if !store::may_read_folder(&state.db, session.user_id, id).await? {
        return Err(ApiError::not_found());
    }
    let limit = q.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
    let before = q.before.as_deref().map(cursor).transpose()?;
    let rows = store::page(&state.db, id, before, limit, q.threads).await?;
    let next = (rows.len() as i64 == limit)
        .then(|| rows.last().map(|r| format!("{}.{}", r.received_at, r.id)))
        .flatten();
    Ok(Json(MessagePage {
        messages: rows.iter().map(store::MessageRow::summary).collect(),
        next,
    }))
}

/// One message: headers, the text body and the list of attachments.
#[utoipa::path(get, path = "/api/mail/messages/{id}", tag = "mail", params(("id" = i64, Path)),
    responses((status = 200, body = MessageDetail), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn message(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> ApiResult<Json<MessageDetail>> {
    let (row, raw) = with_raw(&state, session.user_id, id).await?;
    let parsed = MessageParser::default().parse(&raw[..]);
    let remote_images = parsed
        .as_ref()
        .and_then(|m| m.body_html(0))
        .is_some_and(|h| super::html::has_remote_images(&super::html::sanitize(&h)));
    let (text, has_html, attachments) = match &parsed {
        Some(m) => (
            m.body_text(0)
                .map(|t| t.to_string())
                .filter(|t| !t.trim().is_empty())
                .unwrap_or_else(|| salvage_text(m, &raw)),
            m.parts
                .iter()
                .any(|p| matches!(p.body, mail_parser::PartType::Html(_))),
            m.attachments()
                .filter(|a| super::index::is_real_attachment(a))
                .enumerate()
                .map(|(index, a)| AttachmentInfo {
                    index,
                    name: a
                        .attachment_name()
                        .map(str::to_string)
                        .unwrap_or_else(|| format!("attachment-{}", index + 1)),
                    content_type: super::index::content_type_of(a),
                    size: a.contents().len(),
                })
                .collect(),
        ),
        // Not MIME at all: show the bytes as text rather than nothing.
        None => (
            String::from_utf8_lossy(&raw).into_owned(),
            false,
            Vec::new(),
        ),
    };
    // A draft written as rich text reopens as rich text.
    let draft_html = parsed
        .as_ref()
        .filter(|m| {
            row.draft
                && m.parts
                    .iter()
                    .any(|p| matches!(p.body, mail_parser::PartType::Html(_)))
        })
        .and_then(|m| m.body_html(0))
        .map(|h| super::compose::clean_html(&h));
    let (bcc, reply_to) = parsed
        .as_ref()
        .map(|m| {
            (
                super::index::addresses(m.bcc()),
                super::index::addresses(m.reply_to()),
            )
        })
        .unwrap_or_default();
    Ok(Json(MessageDetail {
        summary: row.summary(),
        cc: store::lines(&row.cc_addresses),
        bcc,
        reply_to,
        delivery: super::outbox::delivery_of(&state.db, row.id).await?,
        draft_html,
        message_id: row.message_id.clone(),
        text,
        has_html,
        remote_images,
        attachments,
        sender_warning: crate::smtp::inbound::sender_warning(&raw),
    }))
}

/// Text of a message whose structure is broken: any text part the parser found, else the
/// bytes after the header block, so the reader sees what there is.
fn salvage_text(m: &mail_parser::Message<'_>, raw: &[u8]) -> String {
    let parts: Vec<String> = m
        .parts
        .iter()
        .filter_map(|p| match &p.body {
            mail_parser::PartType::Text(t) => Some(t.to_string()),
            _ => None,
        })
        .filter(|t| !t.trim().is_empty())
        .collect();
    if !parts.is_empty() {
        return parts.join("\n\n");
    }
    let body_start = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4)
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n").map(|i| i + 2))
        .unwrap_or(0);
    String::from_utf8_lossy(&raw[body_start..])
        .trim()
        .to_string()
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct HtmlQuery {
    /// Load remote images too.
    #[serde(default)]
    images: bool,
}

/// The HTML body, cleaned, as a document for a sandboxed frame with its own strict CSP.
#[utoipa::path(get, path = "/api/mail/messages/{id}/html", tag = "mail", params(("id" = i64, Path), HtmlQuery),
    responses((status = 200, content_type = "text/html", body = String), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn html(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    Query(q): Query<HtmlQuery>,
) -> ApiResult<impl IntoResponse> {
    let (_, raw) = with_raw(&state, session.user_id, id).await?;
    let body = MessageParser::default()
        .parse(&raw[..])
        .and_then(|m| m.body_html(0).map(|h| h.to_string()))
        .ok_or_else(ApiError::not_found)?;
    let document = super::html::document(&super::html::sanitize(&body));
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()),
            (
                header::CONTENT_SECURITY_POLICY,
                super::html::frame_policy(q.images),
            ),
            (header::X_FRAME_OPTIONS, "SAMEORIGIN".to_string()),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        document,
    ))
}

/// File name safe for a Content-Disposition header.
fn safe_file_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '"' | '\\' | '/') {
                '_'
            } else {
                c
            }
        })
        .collect();
    if cleaned.trim().is_empty() {
        "attachment".into()
    } else {
        cleaned
    }
}

/// One attachment, as a download.
#[utoipa::path(get, path = "/api/mail/messages/{id}/attachments/{index}", tag = "mail",
    params(("id" = i64, Path), ("index" = usize, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = String), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn attachment(
    State(state): State<AppState>,
    session: Session,
    Path((id, index)): Path<(i64, usize)>,
) -> ApiResult<impl IntoResponse> {
    let (_, raw) = with_raw(&state, session.user_id, id).await?;
    let parsed = MessageParser::default()
        .parse(&raw[..])
        .ok_or_else(ApiError::not_found)?;
    let part = super::index::nth_attachment(&parsed, index).ok_or_else(ApiError::not_found)?;
    let name = safe_file_name(part.attachment_name().unwrap_or("attachment"));
    // Served as a download, never rendered: an HTML "attachment" cannot run in our origin.
    let disposition = format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        name.replace(|c: char| !c.is_ascii(), "_"),
        url::form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>()
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        part.contents().to_vec(),
    ))
}

/// The message exactly as received (`.eml`).
#[utoipa::path(get, path = "/api/mail/messages/{id}/raw", tag = "mail", params(("id" = i64, Path)),
    responses((status = 200, content_type = "message/rfc822", body = String), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn raw(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> ApiResult<impl IntoResponse> {
    let (_, raw) = with_raw(&state, session.user_id, id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "message/rfc822"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"message.eml\"",
            ),
        ],
        raw,
    ))
}

/// The conversation of a message, oldest first, across the user's folders.
#[utoipa::path(get, path = "/api/mail/messages/{id}/thread", tag = "mail", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<MessageSummary>), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn thread(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<MessageSummary>>> {
    let row = own_message(&state, session.user_id, id).await?;
    let rows = store::thread(&state.db, session.user_id, &row.thread_id).await?;
    Ok(Json(rows.iter().map(store::MessageRow::summary).collect()))
}

/// Mark read/unread, flag/unflag.
#[utoipa::path(patch, path = "/api/mail/messages/{id}", tag = "mail", params(("id" = i64, Path)), request_body = MessageFlags,
    responses((status = 200, body = MessageSummary), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    ApiJson(flags): ApiJson<MessageFlags>,
) -> ApiResult<Json<MessageSummary>> {
    let row = writable_message(&state, session.user_id, id).await?;
    store::set_flags(&state.db, &row, flags.seen, flags.flagged).await?;
    Ok(Json(
        own_message(&state, session.user_id, id).await?.summary(),
    ))
}

/// Move to another folder of the same address.
#[utoipa::path(post, path = "/api/mail/messages/{id}/move", tag = "mail", params(("id" = i64, Path)), request_body = MoveMessage,
    responses((status = 200, body = MessageSummary), (status = 404, body = ksuite_common::ErrorBody), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn move_message(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    ApiJson(req): ApiJson<MoveMessage>,
) -> ApiResult<Json<MessageSummary>> {
    let row = writable_message(&state, session.user_id, id).await?;
    let (from_address, _) =
        store::writable_folder_of_user(&state.db, session.user_id, row.mailbox_id)
            .await?
            .ok_or_else(read_only)?;
    let (to_address, role) =
        store::writable_folder_of_user(&state.db, session.user_id, req.folder_id)
            .await?
            .ok_or_else(ApiError::not_found)?;
    if to_address != from_address {
        return Err(ApiError::invalid(
            Problem::new(Field::Folder, Rule::NotPossible),
            "Messages move between folders of the same address.",
        ));
    }
    let to_trash = role.as_deref() == Some("trash");
    store::move_message(&state.db, &row, req.folder_id, to_trash).await?;
    Ok(Json(
        own_message(&state, session.user_id, id).await?.summary(),
    ))
}

/// Delete: from any folder it goes to the Trash; from the Trash it is deleted, and can
/// still be restored during the retention period.
#[utoipa::path(delete, path = "/api/mail/messages/{id}", tag = "mail", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    let row = writable_message(&state, session.user_id, id).await?;
    let trash = store::role_folder(&state.db, row.mailbox_id, "trash").await?;
    if row.mailbox_id == trash {
        store::mark_deleted(&state.db, &row).await?;
    } else {
        store::move_message(&state.db, &row, trash, true).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Deleted messages that can still be restored.
#[utoipa::path(get, path = "/api/mail/deleted", tag = "mail",
    responses((status = 200, body = Vec<MessageSummary>)))]
pub async fn deleted(
    State(state): State<AppState>,
    session: Session,
) -> ApiResult<Json<Vec<MessageSummary>>> {
    let since = crate::now_unix() - state.settings.mail_retention_days * 86_400;
    let rows = store::deleted(&state.db, session.user_id, since).await?;
    Ok(Json(rows.iter().map(store::MessageRow::summary).collect()))
}

/// Bring a deleted (or trashed) message back where it was.
#[utoipa::path(post, path = "/api/mail/messages/{id}/restore", tag = "mail", params(("id" = i64, Path)),
    responses((status = 200, body = MessageSummary), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn restore(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> ApiResult<Json<MessageSummary>> {
    let row = writable_message(&state, session.user_id, id).await?;
    let target = match store::restore_target(&state.db, id).await? {
        Some(t) => t,
        None => store::role_folder(&state.db, row.mailbox_id, "inbox").await?,
    };
    store::move_message(&state.db, &row, target, false).await?;
    Ok(Json(
        own_message(&state, session.user_id, id).await?.summary(),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct SearchQuery {
    /// Words to find in subject, addresses or body (each as a prefix).
    #[serde(default)]
    q: String,
    #[serde(default)]
    unread: bool,
    #[serde(default)]
    attachments: bool,
    /// `YYYY-MM-DD`, inclusive (UTC).
    #[serde(default)]
    from: Option<String>,
    /// `YYYY-MM-DD`, inclusive (UTC).
    #[serde(default)]
    to: Option<String>,
}

fn day_start(s: &str) -> Result<i64, ApiError> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc().timestamp())
        .map_err(|_| {
            ApiError::invalid(
                Problem::new(Field::Date, Rule::Invalid),
                format!("{s:?} is not a date like 2026-11-25."),
            )
        })
}

/// Full-text search with filters over all the user's folders, newest first.
#[utoipa::path(get, path = "/api/mail/search", tag = "mail", params(SearchQuery),
    responses((status = 200, body = Vec<MessageSummary>), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<SearchQuery>,
) -> ApiResult<Json<Vec<MessageSummary>>> {
    let filters = store::SearchFilters {
        unread_only: q.unread,
        with_attachments: q.attachments,
        from: q.from.as_deref().map(day_start).transpose()?,
        to: q
            .to
            .as_deref()
            .map(|d| day_start(d).map(|t| t + 86_400))
            .transpose()?,
    };
    let rows = store::search(&state.db, session.user_id, &q.q, &filters, MAX_PAGE).await?;
    Ok(Json(rows.iter().map(store::MessageRow::summary).collect()))
}

/// Removes, for good, what was deleted longer ago than the retention period.
pub async fn purge_expired(
    db: &crate::db::Db,
    blob_store: &crate::blobs::BlobStore,
    retention_days: i64,
) {
    let before = crate::now_unix() - retention_days * 86_400;
    match store::purge(db, before).await {
        Ok(blobs_unused) => blobs::remove_all(db, blob_store, blobs_unused).await,
        Err(e) => tracing::warn!(error = %e.message, "purging deleted mail failed"),
    }
}
