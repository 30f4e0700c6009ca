//! HTTP Basic authentication for DAV devices (see `auth::device` for what signs in).

use std::net::IpAddr;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use ksuite_common::DeviceProtocol;

use crate::auth::device::{self, DeviceAuthError};
use crate::state::AppState;

/// The authenticated user of a DAV request.
#[derive(Clone, Debug)]
pub struct DavUser {
    pub id: i64,
    pub email: String,
}

pub fn challenge() -> Response {
    let mut r = (
        StatusCode::UNAUTHORIZED,
        "Sign in with your e-mail address and an application password.\n",
    )
        .into_response();
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"ksuite\", charset=\"UTF-8\""),
    );
    r
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, pass) = text.split_once(':')?;
    Some((user.trim().to_lowercase(), pass.to_string()))
}

/// The user these request headers authenticate, or the response to send instead.
pub async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    peer: IpAddr,
) -> Result<DavUser, Response> {
    let Some((email, secret)) = basic_credentials(headers) else {
        return Err(challenge());
    };
    let peer = state.settings.trusted_proxies.client(peer, headers);
    match device::sign_in(state, &email, &secret, peer, DeviceProtocol::Dav).await {
        Ok(id) => Ok(DavUser { id, email }),
        Err(DeviceAuthError::Refused) => Err(challenge()),
        Err(DeviceAuthError::Throttled(wait)) => {
            let mut r = (
                StatusCode::TOO_MANY_REQUESTS,
                format!("Too many failed attempts. Try again in {wait} seconds.\n"),
            )
                .into_response();
            if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            Err(r)
        }
        Err(DeviceAuthError::Internal(e)) => Err(e.into_response()),
    }
}
