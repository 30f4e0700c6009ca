//! Bringing old mail in: an `.mbox` or `.eml` upload is filed into one folder while it
//! streams (one message in memory at a time), each message in its own transaction with
//! the same checks as an IMAP APPEND (write access, size, quota). Messages already in the
//! folder are skipped, so an import cut off half-way is completed by running it again.

pub mod mbox;

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use futures_util::StreamExt;
use ksuite_common::{ErrorCode, MailImportReport};

use crate::auth::session::Session;
use crate::error::{ApiError, ApiResult};
use crate::imap::changes::{self, Arrival, Filed, Refusal, SameMessage};
use crate::imap::folders::Folder;
use crate::imap::messages::Flags;
use crate::state::AppState;
use mbox::{Piece, Splitter};

/// Import an `.mbox` file or one `.eml` message (the request body) into a folder.
#[utoipa::path(post, path = "/api/mail/folders/{id}/import", tag = "mail", params(("id" = i64, Path)),
    request_body(content = String, content_type = "application/mbox"),
    responses((status = 200, body = MailImportReport), (status = 403, body = ksuite_common::ErrorBody),
        (status = 404, body = ksuite_common::ErrorBody), (status = 413, body = ksuite_common::ErrorBody)))]
pub async fn import(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    body: Body,
) -> ApiResult<Json<MailImportReport>> {
    let folder = crate::imap::folders::list(&state.db, session.user_id)
        .await?
        .into_iter()
        .find(|f| f.id == id && !f.placeholder)
        .ok_or_else(ApiError::not_found)?;
    if !folder.writable {
        return Err(ApiError::forbidden(
            "You may read this address but not change its mail.",
        ));
    }
    let max = state.settings.max_import_size;
    let mut splitter = Splitter::new(state.settings.max_message_size);
    let mut report = MailImportReport::default();
    let mut read = 0u64;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| {
            ApiError::bad_request(
                "The upload was interrupted. What arrived was imported; import the file again to add the rest.",
            )
        })?;
        read += chunk.len() as u64;
        if read > max {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::Validation,
                format!(
                    "One import can be at most {} MiB. What was read so far was imported; split the file and import the rest.",
                    max / (1024 * 1024)
                ),
            ));
        }
        for piece in splitter.push(&chunk) {
            if !file_piece(&state, &folder, piece, &mut report).await? {
                return Ok(Json(report));
            }
        }
    }
    for piece in splitter.finish() {
        if !file_piece(&state, &folder, piece, &mut report).await? {
            break;
        }
    }
    Ok(Json(report))
}

/// Files one piece and counts it; `false` when the mailbox is full and the import stops.
async fn file_piece(
    state: &AppState,
    folder: &Folder,
    piece: Piece,
    report: &mut MailImportReport,
) -> ApiResult<bool> {
    let raw = match piece {
        Piece::TooLarge => {
            report.too_large += 1;
            return Ok(true);
        }
        Piece::Message(raw) if !mbox::looks_like_message(&raw) => {
            report.unreadable += 1;
            return Ok(true);
        }
        Piece::Message(raw) => raw,
    };
    let flags = flags_of(&raw);
    // Filed in a task of its own: a client that goes away mid-message cancels the
    // request, not the filing of a message whose bytes are already being stored.
    let (state_for_task, folder_for_task) = (state.clone(), folder.clone());
    let filed = tokio::spawn(async move {
        changes::file(
            &state_for_task,
            &folder_for_task,
            &raw,
            &flags,
            Arrival::SentDate,
            SameMessage::AnyInFolder,
        )
        .await
    })
    .await
    .map_err(ApiError::internal)??;
    match filed {
        Ok(Filed::New(_)) => report.imported += 1,
        Ok(Filed::AlreadyThere(_)) => report.duplicates += 1,
        Err(Refusal("OVERQUOTA", _)) => {
            report.stopped_full = true;
            return Ok(false);
        }
        Err(Refusal("TOOBIG", _)) => report.too_large += 1,
        Err(Refusal(_, text)) => return Err(ApiError::forbidden(text)),
    }
    Ok(true)
}

/// The flags an mbox writer left in the headers (`Status`/`X-Status` of mutt and
/// Dovecot, `X-Mozilla-Status` of Thunderbird). Mail without them is old mail: read.
fn flags_of(raw: &[u8]) -> Flags {
    let mut flags = Flags {
        seen: true,
        ..Flags::default()
    };
    for line in header_lines(raw) {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "status" => flags.seen = value.contains('R'),
            "x-status" => {
                flags.flagged |= value.contains('F');
                flags.answered |= value.contains('A');
            }
            "x-mozilla-status" => {
                if let Ok(bits) = u16::from_str_radix(value, 16) {
                    flags.seen = bits & 0x0001 != 0;
                    flags.answered |= bits & 0x0002 != 0;
                    flags.flagged |= bits & 0x0004 != 0;
                }
            }
            _ => {}
        }
    }
    flags
}

/// The header block's lines (up to the first empty line, at most 64 KiB read).
fn header_lines(raw: &[u8]) -> impl Iterator<Item = String> + '_ {
    raw[..raw.len().min(64 * 1024)]
        .split(|&b| b == b'\n')
        .map(|l| String::from_utf8_lossy(l.strip_suffix(b"\r").unwrap_or(l)).into_owned())
        .take_while(|l| !l.is_empty())
}

#[cfg(test)]
mod tests {
    use super::flags_of;

    #[test]
    fn flags_from_mbox_writers() {
        let plain = flags_of(b"Subject: x\r\n\r\nStatus: O\r\n");
        assert!(plain.seen && !plain.flagged, "no status header: read");
        let unread = flags_of(b"Subject: x\r\nStatus: O\r\n\r\n");
        assert!(!unread.seen);
        let mutt = flags_of(b"Status: RO\r\nX-Status: AF\r\n\r\n");
        assert!(mutt.seen && mutt.flagged && mutt.answered);
        let thunderbird = flags_of(b"X-Mozilla-Status: 0004\r\n\r\n");
        assert!(!thunderbird.seen && thunderbird.flagged && !thunderbird.answered);
        let read_replied = flags_of(b"X-Mozilla-Status: 0003\r\n\r\n");
        assert!(read_replied.seen && read_replied.answered);
    }
}
