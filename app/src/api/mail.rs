//! Mail endpoints.

use gloo_net::http::Request;
use ksuite_common::{
    AddressRouting, AutoReply, BulkChange, BulkOutcome, ContactSummary, Delivery, FilterInput,
    FilterOrder, MailAddress, MailFilter, MailFolder, MailImportReport, MessageDetail,
    MessageFlags, MessagePage, MessageSummary, MoveMessage, NewAlias, NewFolder, NewScheduledSend,
    OutgoingMessage, Redirect, RenameFolder, SavedDraft, ScheduleChange, ScheduledSend,
    SentMessage, SignatureDefaults, SignatureInput, UploadedFile,
};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

use super::{ApiError, get_json, send_empty, send_json, send_json_empty};

fn enc(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

pub async fn folders() -> Result<Vec<MailFolder>, ApiError> {
    get_json("/api/mail/folders").await
}

pub async fn page(
    folder: i64,
    before: Option<String>,
    threads: bool,
) -> Result<MessagePage, ApiError> {
    let cursor = before
        .map(|b| format!("&before={}", enc(&b)))
        .unwrap_or_default();
    get_json(&format!(
        "/api/mail/folders/{folder}/messages?limit=50&threads={threads}{cursor}"
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
    from: &str,
    to: &str,
) -> Result<Vec<MessageSummary>, ApiError> {
    let mut url = format!(
        "/api/mail/search?q={}&unread={unread}&attachments={attachments}",
        enc(q)
    );
    if !from.is_empty() {
        url.push_str(&format!("&from={}", enc(from)));
    }
    if !to.is_empty() {
        url.push_str(&format!("&to={}", enc(to)));
    }
    get_json(&url).await
}

pub async fn send(msg: &OutgoingMessage) -> Result<SentMessage, ApiError> {
    send_json(Request::post("/api/mail/send"), msg).await
}

/// Sends after the undo window (`send_at` absent) or at `send_at`; the draft waits until then.
pub async fn schedule(
    msg: &OutgoingMessage,
    send_at: Option<i64>,
) -> Result<ScheduledSend, ApiError> {
    let body = NewScheduledSend {
        message: msg.clone(),
        send_at,
    };
    send_json(Request::post("/api/mail/scheduled"), &body).await
}

pub async fn scheduled() -> Result<Vec<ScheduledSend>, ApiError> {
    get_json("/api/mail/scheduled").await
}

/// A new time for a waiting message; `None` sends it now.
pub async fn reschedule(id: i64, send_at: Option<i64>) -> Result<(), ApiError> {
    send_json_empty(
        Request::put(&format!("/api/mail/scheduled/{id}")),
        &ScheduleChange { send_at },
    )
    .await
}

/// Stops a waiting message; its draft stays (the answer names it: callers know it already,
/// and not parsing it keeps the app lighter).
pub async fn cancel_scheduled(id: i64) -> Result<(), ApiError> {
    send_empty(Request::delete(&format!("/api/mail/scheduled/{id}"))).await
}

pub async fn save_draft(msg: &OutgoingMessage) -> Result<SavedDraft, ApiError> {
    send_json(Request::post("/api/mail/drafts"), msg).await
}

pub async fn retry(outbox_id: i64) -> Result<Delivery, ApiError> {
    send_json(
        Request::post(&format!("/api/mail/outbox/{outbox_id}/retry")),
        &serde_json::json!({}),
    )
    .await
}

pub async fn discard_upload(id: &str) -> Result<(), ApiError> {
    send_empty(Request::delete(&format!("/api/mail/uploads/{}", enc(id)))).await
}

pub async fn addresses() -> Result<Vec<MailAddress>, ApiError> {
    get_json("/api/mail/addresses").await
}

pub async fn add_signature(address: &str, input: &SignatureInput) -> Result<MailAddress, ApiError> {
    send_json(Request::post(&address_path(address, "signatures")), input).await
}

pub async fn update_signature(
    address: &str,
    id: i64,
    input: &SignatureInput,
) -> Result<MailAddress, ApiError> {
    let path = address_path(address, &format!("signatures/{id}"));
    send_json(Request::put(&path), input).await
}

pub async fn delete_signature(address: &str, id: i64) -> Result<MailAddress, ApiError> {
    let path = address_path(address, &format!("signatures/{id}"));
    send_json(Request::delete(&path), &serde_json::json!({})).await
}

pub async fn set_signature_defaults(
    address: &str,
    defaults: &SignatureDefaults,
) -> Result<MailAddress, ApiError> {
    let path = address_path(address, "signature-defaults");
    send_json(Request::put(&path), defaults).await
}

pub async fn auto_reply(address: &str) -> Result<AutoReply, ApiError> {
    get_json(&address_path(address, "auto-reply")).await
}

pub async fn set_auto_reply(address: &str, reply: &AutoReply) -> Result<AutoReply, ApiError> {
    send_json(Request::put(&address_path(address, "auto-reply")), reply).await
}

fn address_path(address: &str, rest: &str) -> String {
    format!("/api/mail/addresses/{}/{rest}", enc(address))
}

pub async fn routing(address: &str) -> Result<AddressRouting, ApiError> {
    get_json(&address_path(address, "routing")).await
}

pub async fn add_alias(address: &str, alias: String) -> Result<AddressRouting, ApiError> {
    send_json(
        Request::post(&address_path(address, "aliases")),
        &NewAlias { alias },
    )
    .await
}

pub async fn remove_alias(address: &str, alias: &str) -> Result<(), ApiError> {
    send_empty(Request::delete(&address_path(
        address,
        &format!("aliases/{}", enc(alias)),
    )))
    .await
}

pub async fn set_redirect(address: &str, redirect: &Redirect) -> Result<AddressRouting, ApiError> {
    send_json(Request::put(&address_path(address, "redirect")), redirect).await
}

pub async fn filters() -> Result<Vec<MailFilter>, ApiError> {
    get_json("/api/mail/filters").await
}

pub async fn create_filter(input: &FilterInput) -> Result<MailFilter, ApiError> {
    send_json(Request::post("/api/mail/filters"), input).await
}

pub async fn update_filter(id: i64, input: &FilterInput) -> Result<MailFilter, ApiError> {
    send_json(Request::put(&format!("/api/mail/filters/{id}")), input).await
}

pub async fn delete_filter(id: i64) -> Result<(), ApiError> {
    send_empty(Request::delete(&format!("/api/mail/filters/{id}"))).await
}

pub async fn reorder_filters(ids: Vec<i64>) -> Result<Vec<MailFilter>, ApiError> {
    send_json(
        Request::put("/api/mail/filters/order"),
        &FilterOrder { ids },
    )
    .await
}

/// Contacts (and directory members) with an e-mail matching what is typed.
pub async fn suggest(q: &str) -> Result<Vec<ContactSummary>, ApiError> {
    get_json(&format!("/api/contacts/autocomplete?q={}", enc(q))).await
}

/// Uploads a file to attach, calling `progress` with the fraction sent.
pub async fn upload(
    file: web_sys::File,
    progress: impl Fn(f64) + 'static,
) -> Result<UploadedFile, ApiError> {
    let url = format!("/api/mail/uploads?name={}", enc(&file.name()));
    let body = post_file(&url, file, Box::new(progress)).await?;
    serde_json::from_str(&body).map_err(|e| ApiError::Network(e.to_string()))
}

/// Imports an `.mbox` or `.eml` file into a folder, calling `progress` with the fraction
/// sent; the server files messages as they arrive.
pub async fn import(
    folder: i64,
    file: web_sys::File,
    progress: impl Fn(f64) + 'static,
) -> Result<MailImportReport, ApiError> {
    let url = format!("/api/mail/folders/{folder}/import");
    let body = post_file(&url, file, Box::new(progress)).await?;
    serde_json::from_str(&body).map_err(|e| ApiError::Network(e.to_string()))
}

/// Posts a file as the request body with XMLHttpRequest (fetch has no upload progress);
/// returns the body of a successful answer. Not generic, so the code exists once.
async fn post_file(
    url: &str,
    file: web_sys::File,
    progress: Box<dyn Fn(f64)>,
) -> Result<String, ApiError> {
    let network = |e: wasm_bindgen::JsValue| {
        ApiError::Network(
            e.as_string()
                .unwrap_or_else(|| "XMLHttpRequest failed".into()),
        )
    };
    let xhr = web_sys::XmlHttpRequest::new().map_err(network)?;
    xhr.open("POST", url).map_err(network)?;
    if let Some(token) = super::csrf_token() {
        xhr.set_request_header(ksuite_common::paths::CSRF_HEADER, &token)
            .map_err(network)?;
    }
    let kind = file.type_();
    if !kind.is_empty() {
        xhr.set_request_header("Content-Type", &kind)
            .map_err(network)?;
    }
    let on_progress =
        Closure::<dyn Fn(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
            if e.length_computable() && e.total() > 0.0 {
                progress(e.loaded() / e.total());
            }
        });
    if let Ok(upload) = xhr.upload() {
        upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    }
    let done = js_sys::Promise::new(&mut |resolve, reject| {
        xhr.set_onload(Some(&resolve));
        xhr.set_onerror(Some(&reject));
        xhr.set_onabort(Some(&reject));
    });
    xhr.send_with_opt_blob(Some(&file)).map_err(network)?;
    wasm_bindgen_futures::JsFuture::from(done)
        .await
        .map_err(|_| ApiError::Network("the upload did not complete".into()))?;
    drop(on_progress);
    let status = xhr.status().unwrap_or(0);
    let body = xhr.response_text().ok().flatten().unwrap_or_default();
    if (200..300).contains(&status) {
        Ok(body)
    } else {
        let body = serde_json::from_str(&body).unwrap_or_else(|_| ksuite_common::ErrorBody {
            code: ksuite_common::ErrorCode::Internal,
            message: format!("HTTP {status}"),
            problem: None,
        });
        Err(ApiError::Server {
            status,
            body: Box::new(body),
        })
    }
}

/// One change to several messages, all or none.
pub async fn bulk(change: &BulkChange) -> Result<BulkOutcome, ApiError> {
    send_json(Request::post("/api/mail/messages/bulk"), change).await
}

pub async fn thread(id: i64) -> Result<Vec<MessageSummary>, ApiError> {
    get_json(&format!("/api/mail/messages/{id}/thread")).await
}

pub async fn create_folder(req: &NewFolder) -> Result<MailFolder, ApiError> {
    send_json(Request::post("/api/mail/folders"), req).await
}

pub async fn rename_folder(id: i64, name: String) -> Result<MailFolder, ApiError> {
    send_json(
        Request::patch(&format!("/api/mail/folders/{id}")),
        &RenameFolder { name },
    )
    .await
}

pub async fn delete_folder(id: i64) -> Result<(), ApiError> {
    send_empty(Request::delete(&format!("/api/mail/folders/{id}"))).await
}

pub async fn empty_folder(id: i64) -> Result<MailFolder, ApiError> {
    send_json(
        Request::post(&format!("/api/mail/folders/{id}/empty")),
        &serde_json::json!({}),
    )
    .await
}

pub async fn fetches() -> Result<Vec<ksuite_common::MailFetch>, ApiError> {
    get_json(ksuite_common::paths::MAIL_FETCHES).await
}

pub async fn start_fetch(
    req: ksuite_common::NewMailFetch,
) -> Result<ksuite_common::MailFetch, ApiError> {
    send_json(Request::post(ksuite_common::paths::MAIL_FETCHES), &req).await
}
