//! Sharing endpoints, the same for calendars and address books: `{base}/shares` where
//! `base` is e.g. `/api/calendars/3` or `/api/address-books/5`.

use gloo_net::http::Request;
use ksuite_common::CalendarShare;

use super::{ApiError, get_json, send_empty, send_json};

pub async fn list(base: &str) -> Result<Vec<CalendarShare>, ApiError> {
    get_json(&format!("{base}/shares")).await
}

pub async fn put(base: &str, share: &CalendarShare) -> Result<Vec<CalendarShare>, ApiError> {
    send_json(Request::put(&format!("{base}/shares")), share).await
}

pub async fn remove(base: &str, email: &str) -> Result<(), ApiError> {
    let email = String::from(js_sys::encode_uri_component(email));
    send_empty(Request::delete(&format!("{base}/shares?email={email}"))).await
}
