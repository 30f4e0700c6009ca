//! Administration endpoints.

use gloo_net::http::Request;
use ksuite_common::{
    AdminAddress, AdminUser, AdminUserChange, DkimKey, GrantAddress, Invitation, NewAddress,
    NewInvitation, paths,
};

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

pub async fn users() -> Result<Vec<AdminUser>, ApiError> {
    get_json(paths::ADMIN_USERS).await
}

pub async fn change_user(id: i64, change: AdminUserChange) -> Result<AdminUser, ApiError> {
    send_json(
        Request::patch(&format!("{}/{id}", paths::ADMIN_USERS)),
        &change,
    )
    .await
}

pub async fn invitations() -> Result<Vec<Invitation>, ApiError> {
    get_json(paths::ADMIN_INVITATIONS).await
}

pub async fn invite(req: NewInvitation) -> Result<Invitation, ApiError> {
    send_json(Request::post(paths::ADMIN_INVITATIONS), &req).await
}

pub async fn revoke_invitation(id: i64) -> Result<(), ApiError> {
    send_empty(Request::delete(&format!(
        "{}/{id}",
        paths::ADMIN_INVITATIONS
    )))
    .await
}

pub async fn dkim_keys() -> Result<Vec<DkimKey>, ApiError> {
    get_json(paths::ADMIN_DKIM).await
}

pub async fn prepare_dkim_key() -> Result<Vec<DkimKey>, ApiError> {
    send_json(
        Request::post(paths::ADMIN_DKIM_NEXT),
        &serde_json::json!({}),
    )
    .await
}

pub async fn activate_dkim_key() -> Result<Vec<DkimKey>, ApiError> {
    send_json(
        Request::post(paths::ADMIN_DKIM_ACTIVATE),
        &serde_json::json!({}),
    )
    .await
}
