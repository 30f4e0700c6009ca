//! Administration endpoints.

use gloo_net::http::Request;
use ksuite_common::{AdminAddress, GrantAddress, NewAddress};

use super::{ApiError, get_json, send_empty, send_json};

pub async fn addresses() -> Result<Vec<AdminAddress>, ApiError> {
    get_json("/api/admin/mail/addresses").await
}

pub async fn create(req: &NewAddress) -> Result<AdminAddress, ApiError> {
    send_json(Request::post("/api/admin/mail/addresses"), req).await
}

pub async fn grant(id: i64, req: &GrantAddress) -> Result<AdminAddress, ApiError> {
    send_json(
        Request::put(&format!("/api/admin/mail/addresses/{id}/users")),
        req,
    )
    .await
}

pub async fn revoke(id: i64, user_id: i64) -> Result<AdminAddress, ApiError> {
    send_json(
        Request::delete(&format!("/api/admin/mail/addresses/{id}/users/{user_id}")),
        &serde_json::json!({}),
    )
    .await
}

pub async fn delete(id: i64, confirm: &str) -> Result<(), ApiError> {
    let confirm = String::from(js_sys::encode_uri_component(confirm));
    send_empty(Request::delete(&format!(
        "/api/admin/mail/addresses/{id}?confirm={confirm}"
    )))
    .await
}
