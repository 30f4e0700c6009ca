//! HTTP Basic authentication for devices: the account e-mail with an application password,
//! or the account password when the account has no 2FA. Verified credentials are cached
//! (see `CredentialCache`) and failures are throttled like web logins.

use std::net::IpAddr;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::auth::throttle::Scope;
use crate::auth::{app_passwords, password, two_factor, users};
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
    if let Some(id) = state.credentials.get(&email, &secret) {
        return Ok(DavUser { id, email });
    }
    let peer = state.settings.trusted_proxies.client(peer, headers);
    // Devices have their own counts: failed web logins never lock out a phone's calendar.
    let attempt = match state.login_throttle.begin(Scope::Device, &email, peer) {
        Ok(a) => a,
        Err(wait) => {
            let mut r = (
                StatusCode::TOO_MANY_REQUESTS,
                format!("Too many failed attempts. Try again in {wait} seconds.\n"),
            )
                .into_response();
            if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return Err(r);
        }
    };
    match verify(state, &email, &secret).await {
        Ok(Some(id)) => {
            state.credentials.insert(&email, &secret, id);
            attempt.succeeded();
            Ok(DavUser { id, email })
        }
        Ok(None) => {
            tracing::info!(%peer, "failed DAV authentication");
            Err(challenge())
        }
        Err(e) => Err(e.into_response()),
    }
}

async fn verify(
    state: &AppState,
    email: &str,
    secret: &str,
) -> Result<Option<i64>, crate::error::ApiError> {
    if let Some(id) = app_passwords::verify(&state.db, email, secret).await? {
        return Ok(Some(id));
    }
    let stored = users::credentials(&state.db, email).await?;
    let user_id = stored.as_ref().map(|(id, _)| *id);
    if let Some(id) = user_id
        && two_factor::secret(&state.db, id).await?.is_some()
    {
        // With 2FA the account password alone must not open the account.
        return Ok(None);
    }
    let ok = password::verify(secret.to_string(), stored.map(|(_, h)| h)).await?;
    Ok(user_id.filter(|_| ok))
}
