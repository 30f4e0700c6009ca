//! The mail JSON API: folders, message pages and messages.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use ksuite_common::{AttachmentInfo, MailFolder, MessageDetail, MessagePage};
use mail_parser::{MessageParser, MimeHeaders};
use serde::Deserialize;

use super::{blobs, store};
use crate::auth::session::Session;
use crate::error::{ApiError, ApiResult};
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
}

fn cursor(s: &str) -> Result<(i64, i64), ApiError> {
    s.split_once('.')
        .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
        .ok_or_else(|| ApiError::validation("The page cursor is not valid."))
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
    let rows = store::page(&state.db, id, before, limit).await?;
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
    let row = store::message(&state.db, session.user_id, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let raw = blobs::read(&state.settings.data_dir, &row.blob)
        .await
        .map_err(ApiError::internal)?;
    let parsed = MessageParser::default().parse(&raw[..]);
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
                .enumerate()
                .map(|(index, a)| AttachmentInfo {
                    index,
                    name: a
                        .attachment_name()
                        .map(str::to_string)
                        .unwrap_or_else(|| format!("attachment-{}", index + 1)),
                    content_type: a
                        .content_type()
                        .map(|c| match c.subtype() {
                            Some(sub) => format!("{}/{sub}", c.ctype()),
                            None => c.ctype().to_string(),
                        })
                        .unwrap_or_else(|| "application/octet-stream".into()),
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
    Ok(Json(MessageDetail {
        summary: row.summary(),
        cc: store::lines(&row.cc_addresses),
        message_id: row.message_id.clone(),
        text,
        has_html,
        attachments,
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

/// The message exactly as received (`.eml`).
#[utoipa::path(get, path = "/api/mail/messages/{id}/raw", tag = "mail", params(("id" = i64, Path)),
    responses((status = 200, content_type = "message/rfc822", body = String), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn raw(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> ApiResult<impl IntoResponse> {
    let row = store::message(&state.db, session.user_id, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let raw = blobs::read(&state.settings.data_dir, &row.blob)
        .await
        .map_err(ApiError::internal)?;
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
