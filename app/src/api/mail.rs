//! Mail endpoints.

use gloo_net::http::Request;
use ksuite_common::{
    MailFolder, MessageDetail, MessageFlags, MessagePage, MessageSummary, MoveMessage,
};

use super::{ApiError, get_json, send_empty, send_json};

fn enc(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

pub async fn folders() -> Result<Vec<MailFolder>, ApiError> {
    get_json("/api/mail/folders").await
}

pub async fn page(folder: i64, before: Option<String>) -> Result<MessagePage, ApiError> {
    let cursor = before
        .map(|b| format!("&before={}", enc(&b)))
        .unwrap_or_default();
    get_json(&format!(
        "/api/mail/folders/{folder}/messages?limit=50{cursor}"
    ))
    .await
}

pub async fn message(id: i64) -> Result<MessageDetail, ApiError> {
    get_json(&format!("/api/mail/messages/{id}")).await
}

pub async fn set_flags(id: i64, flags: MessageFlags) -> Result<MessageSummary, ApiError> {
    send_json(Request::patch(&format!("/api/mail/messages/{id}")), &flags).await
}

pub async fn move_to(id: i64, folder_id: i64) -> Result<MessageSummary, ApiError> {
    send_json(
        Request::post(&format!("/api/mail/messages/{id}/move")),
        &MoveMessage { folder_id },
    )
    .await
}

pub async fn delete(id: i64) -> Result<(), ApiError> {
    send_empty(Request::delete(&format!("/api/mail/messages/{id}"))).await
}

pub async fn deleted() -> Result<Vec<MessageSummary>, ApiError> {
    get_json("/api/mail/deleted").await
}

pub async fn restore(id: i64) -> Result<MessageSummary, ApiError> {
    send_json(
        Request::post(&format!("/api/mail/messages/{id}/restore")),
        &serde_json::json!({}),
    )
    .await
}

pub async fn search(
    q: &str,
    unread: bool,
    attachments: bool,
) -> Result<Vec<MessageSummary>, ApiError> {
    get_json(&format!(
        "/api/mail/search?q={}&unread={unread}&attachments={attachments}",
        enc(q)
    ))
    .await
}
