//! Signing in from devices (DAV, IMAP, submission): the account e-mail (or a mail address
//! the user manages) with an application password, or the account password when the
//! account has no 2FA. Verified credentials are cached (see `CredentialCache`) and
//! failures are throttled per account and client address, on their own counts so failed
//! web logins never lock out a phone.

use std::net::IpAddr;

use ksuite_common::DeviceProtocol;

use crate::auth::throttle::Scope;
use crate::auth::{app_passwords, password, two_factor, users};
use crate::error::ApiError;
use crate::state::AppState;

/// Why a device could not sign in.
#[derive(Debug)]
pub enum DeviceAuthError {
    /// Wrong e-mail or password.
    Refused,
    /// Too many failures: wait this many seconds.
    Throttled(u64),
    Internal(ApiError),
}

/// The user `email`/`secret` sign in as, from `peer`.
pub async fn sign_in(
    state: &AppState,
    email: &str,
    secret: &str,
    peer: IpAddr,
    protocol: DeviceProtocol,
) -> Result<i64, DeviceAuthError> {
    let email = email.trim().to_lowercase();
    if let Some(id) = cached(state, &email, secret, protocol).await {
        return Ok(id);
    }
    let _turn = state.credentials.turn(&email, secret).await;
    // Another connection of the same device may have verified them while we waited.
    if let Some(id) = cached(state, &email, secret, protocol).await {
        return Ok(id);
    }
    let attempt = state
        .login_throttle
        .begin(Scope::Device, &email, peer)
        .await
        .map_err(DeviceAuthError::Internal)?
        .map_err(DeviceAuthError::Throttled)?;
    let account = match account_email(state, &email).await {
        Ok(a) => a,
        Err(e) => return Err(DeviceAuthError::Internal(e)),
    };
    match verify(state, &account, secret, protocol).await {
        Ok(Some(id)) => {
            state.credentials.insert(&email, secret, id);
            state
                .credentials
                .first_use_by(&email, secret, protocol as u8);
            attempt
                .succeeded()
                .await
                .map_err(DeviceAuthError::Internal)?;
            Ok(id)
        }
        Ok(None) => {
            tracing::info!(%peer, protocol = protocol.as_str(), "failed device sign-in");
            Err(DeviceAuthError::Refused)
        }
        Err(e) => Err(DeviceAuthError::Internal(e)),
    }
}

/// The user these credentials were verified for recently, if any.
async fn cached(
    state: &AppState,
    email: &str,
    secret: &str,
    protocol: DeviceProtocol,
) -> Option<i64> {
    let id = state.credentials.get(email, secret)?;
    // Verified earlier, perhaps by another protocol: record this one's use once.
    if state
        .credentials
        .first_use_by(email, secret, protocol as u8)
        && let Err(e) = app_passwords::record_use(&state.db, id, secret, protocol).await
    {
        tracing::warn!(error = %e.message, "recording an app password's use failed");
    }
    Some(id)
}

/// The account a login names: the account e-mail itself, or a mail address exactly one
/// user manages (mail apps and autoconfig use the address as the user name).
async fn account_email(state: &AppState, login: &str) -> Result<String, ApiError> {
    let own: Option<i64> = crate::on_db!(&state.db, |dbc| sqlx::query_scalar(
        "SELECT id FROM users WHERE email = $1"
    )
    .bind(login)
    .fetch_optional(dbc)
    .await)?;
    if own.is_some() {
        return Ok(login.to_string());
    }
    let managers: Vec<String> = crate::on_db!(&state.db, |dbc| {
        sqlx::query_scalar(
        "SELECT u.email FROM users u JOIN mail_address_users m ON m.user_id = u.id \
         JOIN mail_addresses a ON a.id = m.address_id WHERE a.address = $1 AND m.permission = 'manage' LIMIT 2",
    )
    .bind(login)
    .fetch_all(dbc).await
    })?;
    Ok(match managers.as_slice() {
        [one] => one.clone(),
        _ => login.to_string(),
    })
}

async fn verify(
    state: &AppState,
    email: &str,
    secret: &str,
    protocol: DeviceProtocol,
) -> Result<Option<i64>, ApiError> {
    if let Some(id) = app_passwords::verify(&state.db, email, secret, protocol).await? {
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
