//! Contacts endpoints.

use gloo_net::http::Request;
use ksuite_common::{
    AddressBookInfo, Contact, ContactImportReport, ContactInput, ContactSort, ContactSummary,
};

use super::{ApiError, get_json, send_empty, send_json, with_csrf};

fn enc(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

pub async fn books() -> Result<Vec<AddressBookInfo>, ApiError> {
    get_json("/api/address-books").await
}

/// Deletes an own address book, or leaves one shared with the user.
pub async fn delete_book(id: i64) -> Result<(), ApiError> {
    send_empty(Request::delete(&format!("/api/address-books/{id}"))).await
}

pub async fn list(
    book: i64,
    q: &str,
    group: &str,
    sort: ContactSort,
) -> Result<Vec<ContactSummary>, ApiError> {
    let sort = match sort {
        ContactSort::FirstName => "first_name",
        ContactSort::LastName => "last_name",
    };
    get_json(&format!(
        "/api/address-books/{book}/contacts?q={}&group={}&sort={sort}",
        enc(q),
        enc(group)
    ))
    .await
}

pub async fn groups(book: i64) -> Result<Vec<String>, ApiError> {
    get_json(&format!("/api/address-books/{book}/groups")).await
}

fn path(book: i64, uid: &str) -> String {
    format!("/api/address-books/{book}/contacts/{}", enc(uid))
}

pub async fn get(book: i64, uid: &str) -> Result<Contact, ApiError> {
    get_json(&path(book, uid)).await
}

pub async fn create(book: i64, input: &ContactInput) -> Result<Contact, ApiError> {
    send_json(
        Request::post(&format!("/api/address-books/{book}/contacts")),
        input,
    )
    .await
}

pub async fn update(
    book: i64,
    uid: &str,
    etag: &str,
    input: &ContactInput,
) -> Result<Contact, ApiError> {
    send_json(
        Request::put(&path(book, uid)).header("if-match", etag),
        input,
    )
    .await
}

pub async fn delete(book: i64, uid: &str, etag: &str) -> Result<(), ApiError> {
    send_empty(Request::delete(&path(book, uid)).header("if-match", etag)).await
}

/// Imports a .vcf file, or a Google/Outlook CSV export when `csv` is set.
pub async fn import(
    book: i64,
    content: String,
    csv: bool,
) -> Result<ContactImportReport, ApiError> {
    let req = with_csrf(Request::post(&format!("/api/address-books/{book}/import")))
        .header("content-type", if csv { "text/csv" } else { "text/vcard" })
        .body(content)
        .map_err(|e| ApiError::Network(e.to_string()))?;
    let resp = req
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    super::decode(resp).await
}

/// Merges `other_uid` into `uid` (the duplicate is deleted).
pub async fn merge(book: i64, uid: &str, other_uid: &str) -> Result<Contact, ApiError> {
    send_json(
        Request::post(&format!("{}/merge", path(book, uid))),
        &serde_json::json!({ "other_uid": other_uid }),
    )
    .await
}

/// Uploads a photo (the image file's bytes); the server checks type and size.
pub async fn put_photo(
    book: i64,
    uid: &str,
    etag: &str,
    bytes: js_sys::Uint8Array,
) -> Result<Contact, ApiError> {
    let req = with_csrf(Request::put(&format!("{}/photo", path(book, uid))))
        .header("if-match", etag)
        .header("content-type", "application/octet-stream")
        .body(bytes)
        .map_err(|e| ApiError::Network(e.to_string()))?;
    let resp = req
        .send()
        .await
        .map_err(|e| ApiError::Network(e.to_string()))?;
    super::decode(resp).await
}

pub fn photo_url(book: i64, uid: &str) -> String {
    format!("{}/photo", path(book, uid))
}
