//! The mail API for writing: send, save drafts, upload attachments, retry a delivery.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use ksuite_common::{Delivery, OutgoingMessage, SavedDraft, SentMessage, UploadedFile};
use serde::Deserialize;

use super::{outbox, sending, uploads};
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
    if uploads::discard(&state.db, &state.settings.data_dir, session.user_id, &id).await? {
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
