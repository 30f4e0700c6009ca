//! Account security and device sync: two-factor authentication, application passwords and
//! the sync assistant's connection details.

use gloo_net::http::Request;
use ksuite_common::{
    ActiveSession, AppPasswordInfo, CreatedAppPassword, NewAppPassword, PasswordChange,
    RecoveryCodes, SyncInfo, TwoFactorCode, TwoFactorDisable, TwoFactorSetup, TwoFactorStatus,
    paths,
};

use super::{ApiError, get_json, send_empty, send_json, send_json_empty};

pub async fn app_passwords() -> Result<Vec<AppPasswordInfo>, ApiError> {
    get_json(paths::APP_PASSWORDS).await
}

pub async fn create_app_password(name: String) -> Result<CreatedAppPassword, ApiError> {
    send_json(
        Request::post(paths::APP_PASSWORDS),
        &NewAppPassword { name },
    )
    .await
}

pub async fn revoke_app_password(id: i64) -> Result<(), ApiError> {
    send_empty(Request::delete(&paths::app_password(id))).await
}

pub async fn two_factor() -> Result<TwoFactorStatus, ApiError> {
    get_json(paths::TWO_FACTOR).await
}

pub async fn two_factor_setup() -> Result<TwoFactorSetup, ApiError> {
    send_json(
        Request::post(paths::TWO_FACTOR_SETUP),
        &serde_json::json!({}),
    )
    .await
}

pub async fn two_factor_enable(code: String) -> Result<RecoveryCodes, ApiError> {
    send_json(
        Request::post(paths::TWO_FACTOR_ENABLE),
        &TwoFactorCode { code },
    )
    .await
}

pub async fn two_factor_disable(password: String) -> Result<(), ApiError> {
    send_json_empty(
        Request::post(paths::TWO_FACTOR_DISABLE),
        &TwoFactorDisable { password },
    )
    .await
}

pub async fn sync_info() -> Result<SyncInfo, ApiError> {
    get_json(paths::SYNC_INFO).await
}

pub async fn change_password(req: PasswordChange) -> Result<(), ApiError> {
    send_json_empty(Request::post(paths::PASSWORD), &req).await
}

pub async fn sessions() -> Result<Vec<ActiveSession>, ApiError> {
    get_json(paths::SESSIONS).await
}

pub async fn end_session(id: i64) -> Result<(), ApiError> {
    send_empty(Request::delete(&format!("{}/{id}", paths::SESSIONS))).await
}

pub async fn sign_out_others() -> Result<(), ApiError> {
    send_json_empty(
        Request::post(paths::SIGN_OUT_OTHERS),
        &serde_json::json!({}),
    )
    .await
}
