//! Account endpoints.

use gloo_net::http::Request;
use ksuite_common::{LoginRequest, SessionInfo, SignupRequest, paths};

use super::{ApiError, get_json, send_empty, send_json, set_csrf_token};

fn remember(info: SessionInfo) -> SessionInfo {
    set_csrf_token(Some(info.csrf_token.clone()));
    info
}

pub async fn signup(req: &SignupRequest) -> Result<SessionInfo, ApiError> {
    send_json(Request::post(paths::SIGNUP), req)
        .await
        .map(remember)
}

pub async fn login(req: &LoginRequest) -> Result<SessionInfo, ApiError> {
    send_json(Request::post(paths::LOGIN), req)
        .await
        .map(remember)
}

/// The signed-in session, if any (`None` for a visitor, without an error answer).
pub async fn current_session() -> Result<Option<SessionInfo>, ApiError> {
    get_json::<Option<SessionInfo>>(paths::SESSION)
        .await
        .map(|s| s.map(remember))
}

pub async fn logout() -> Result<(), ApiError> {
    let result = send_empty(Request::post(paths::LOGOUT)).await;
    set_csrf_token(None);
    result
}
