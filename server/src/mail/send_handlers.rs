//! The mail API for writing: send (now, later, or after the undo window), save drafts,
//! upload attachments, retry a delivery.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use ksuite_common::{
    CancelledSend, Delivery, NewScheduledSend, OutgoingMessage, SavedDraft, ScheduleChange,
    ScheduledSend, SentMessage, UploadedFile,
};
use serde::Deserialize;

use super::{outbox, scheduled, sending, uploads};
use crate::auth::session::Session;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::state::AppState;

/// Send a message: local recipients get it at once, others through the relay queue.
#[utoipa::path(post, path = "/api/mail/send", tag = "mail", request_body = OutgoingMessage,
    responses((status = 201, body = SentMessage), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn send(
    State(state): State<AppState>,
    session: Session,
    ApiJson(msg): ApiJson<OutgoingMessage>,
) -> ApiResult<(StatusCode, Json<SentMessage>)> {
    let sent = sending::send(&state, session.user_id, &msg).await?;
    Ok((StatusCode::CREATED, Json(sent)))
}

/// Save a draft (replacing `draft_id` when given).
#[utoipa::path(post, path = "/api/mail/drafts", tag = "mail", request_body = OutgoingMessage,
    responses((status = 201, body = SavedDraft), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn save_draft(
    State(state): State<AppState>,
    session: Session,
    ApiJson(msg): ApiJson<OutgoingMessage>,
) -> ApiResult<(StatusCode, Json<SavedDraft>)> {
    let saved = sending::save_draft(&state, session.user_id, &msg).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct UploadQuery {
    /// The file's name.
    name: String,
}

/// Upload a file to attach (the request body is the file; streamed to disk).
#[utoipa::path(post, path = "/api/mail/uploads", tag = "mail", params(UploadQuery),
    request_body(content = String, content_type = "application/octet-stream"),
    responses((status = 201, body = UploadedFile), (status = 413, body = ksuite_common::ErrorBody)))]
pub async fn upload(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<(StatusCode, Json<UploadedFile>)> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let file = uploads::receive(
        &state.db,
        &state.settings.data_dir,
        &state.settings.blobs,
        session.user_id,
        &q.name,
        content_type,
        body,
        state.settings.max_message_size,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(file)))
}

/// Remove an uploaded file before sending.
#[utoipa::path(delete, path = "/api/mail/uploads/{id}", tag = "mail", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn discard_upload(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    if uploads::discard(&state.db, &state.settings.blobs, session.user_id, &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found())
    }
}

/// Try a queued or failed delivery again now.
#[utoipa::path(post, path = "/api/mail/outbox/{id}/retry", tag = "mail", params(("id" = i64, Path)),
    responses((status = 200, body = Delivery), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn retry(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> ApiResult<Json<Delivery>> {
    let delivery = outbox::retry_now(&state.db, session.user_id, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    state.outbox_wake.notify_one();
    Ok(Json(delivery))
}

/// Send a message later: at `send_at`, or after the user's undo window when absent. It
/// waits as a draft and can be cancelled or moved until then.
#[utoipa::path(post, path = "/api/mail/scheduled", tag = "mail", request_body = NewScheduledSend,
    responses((status = 201, body = ScheduledSend), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn schedule(
    State(state): State<AppState>,
    session: Session,
    ApiJson(req): ApiJson<NewScheduledSend>,
) -> ApiResult<(StatusCode, Json<ScheduledSend>)> {
    let undo = scheduled::undo_seconds(&state, session.user_id).await?;
    let send_at = scheduled::checked_time(state.clock.now_unix(), req.send_at, undo)?;
    let saved = sending::schedule(&state, session.user_id, &req.message, send_at).await?;
    state.scheduled_wake.notify_one();
    let mine = scheduled::list(&state, session.user_id).await?;
    let made = mine
        .into_iter()
        .find(|s| s.draft_id == saved.id)
        .ok_or_else(|| ApiError::internal("a scheduled message was not found after saving"))?;
    Ok((StatusCode::CREATED, Json(made)))
}

/// The user's messages waiting to be sent, soonest first.
#[utoipa::path(get, path = "/api/mail/scheduled", tag = "mail",
    responses((status = 200, body = Vec<ScheduledSend>)))]
pub async fn scheduled_list(
    State(state): State<AppState>,
    session: Session,
) -> ApiResult<Json<Vec<ScheduledSend>>> {
    Ok(Json(scheduled::list(&state, session.user_id).await?))
}

/// Send a scheduled message at another time (absent: now); a failed one is tried again.
#[utoipa::path(put, path = "/api/mail/scheduled/{id}", tag = "mail", params(("id" = i64, Path)),
    request_body = ScheduleChange,
    responses((status = 200, body = ScheduledSend), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn reschedule(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    ApiJson(change): ApiJson<ScheduleChange>,
) -> ApiResult<Json<ScheduledSend>> {
    let send_at = scheduled::checked_time(state.clock.now_unix(), change.send_at, 0)?;
    scheduled::reschedule(&state, session.user_id, id, send_at)
        .await?
        .map(Json)
        .ok_or_else(not_waiting)
}

/// Don't send a scheduled message (Undo): it stays in Drafts to edit or send again.
#[utoipa::path(delete, path = "/api/mail/scheduled/{id}", tag = "mail", params(("id" = i64, Path)),
    responses((status = 200, body = CancelledSend), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn cancel_scheduled(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> ApiResult<Json<CancelledSend>> {
    scheduled::cancel(&state, session.user_id, id)
        .await?
        .map(|draft_id| Json(CancelledSend { draft_id }))
        .ok_or_else(not_waiting)
}

fn not_waiting() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ksuite_common::ErrorCode::NotFound,
        "This message is not waiting to be sent: it may have been sent already.",
    )
}
