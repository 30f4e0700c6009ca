//! Two-factor authentication with TOTP (RFC 6238, 30 s steps, 6 digits, SHA-1: what every
//! authenticator app speaks) and one-time recovery codes. A code is accepted one step
//! early or late, and never twice (the last used step is stored).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use ksuite_common::{
    ErrorCode, Field, Problem, RecoveryCodes, Rule, TwoFactorCode, TwoFactorDisable,
    TwoFactorSetup, TwoFactorStatus,
};
use rand::Rng;
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Secret, TOTP};

use super::session::Session;
use super::{password, users};
use crate::db::Db;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::now_unix;
use crate::state::AppState;

const STEP_SECS: u64 = 30;
const RECOVERY_CODES: usize = 10;
const ISSUER: &str = "ksuite";

fn totp(secret_b32: &str, email: &str) -> Result<TOTP, ApiError> {
    let bytes = Secret::Encoded(secret_b32.to_string())
        .to_bytes()
        .map_err(|e| ApiError::internal(format!("stored TOTP secret unreadable: {e:?}")))?;
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        STEP_SECS,
        bytes,
        Some(ISSUER.into()),
        email.replace(':', ""),
    )
    .map_err(|e| ApiError::internal(format!("TOTP setup: {e}")))
}

fn digest(code: &str) -> String {
    crate::hex(&Sha256::digest(code.as_bytes()))
}

fn only_alnum(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The step of `code` if it is valid around `now` (one step of clock drift allowed).
fn matching_step(t: &TOTP, code: &str, now: u64) -> Option<u64> {
    let step = now / STEP_SECS;
    [step.saturating_sub(1), step, step + 1]
        .into_iter()
        .find(|s| {
            let expected = t.generate(s * STEP_SECS);
            // Constant-time comparison of equal-length digit strings.
            expected.len() == code.len()
                && expected
                    .bytes()
                    .zip(code.bytes())
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                    == 0
        })
}

/// The enabled TOTP secret of a user, if 2FA is on.
pub async fn secret(db: &Db, user_id: i64) -> Result<Option<String>, ApiError> {
    Ok(crate::on_db!(db, |dbc| sqlx::query_scalar::<
        _,
        Option<String>,
    >(
        "SELECT totp_secret FROM users WHERE id = $1"
    )
    .bind(user_id)
    .fetch_one(dbc)
    .await)?)
}

/// Checks a login code: a fresh authenticator code or an unused recovery code (which is
/// then spent).
pub async fn verify_login_code(
    db: &Db,
    user_id: i64,
    email: &str,
    secret_b32: &str,
    code: &str,
) -> Result<bool, ApiError> {
    let cleaned = only_alnum(code);
    if cleaned.len() == 6 && cleaned.bytes().all(|b| b.is_ascii_digit()) {
        let t = totp(secret_b32, email)?;
        let Some(step) = matching_step(&t, &cleaned, now_unix().max(0) as u64) else {
            return Ok(false);
        };
        // Refuse a replay: the step must be newer than the last accepted one.
        let done = crate::on_db!(db, |dbc| sqlx::query(
            "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $3"
        )
        .bind(step as i64)
        .bind(user_id)
        .bind(step as i64)
        .execute(dbc)
        .await
        .map(crate::db::Done::from))?;
        return Ok(done.rows_affected() == 1);
    }
    let spent = crate::on_db!(db, |dbc| {
        sqlx::query(
        "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
    )
    .bind(now_unix())
    .bind(user_id)
    .bind(digest(&cleaned))
    .execute(dbc).await.map(crate::db::Done::from)
    })?;
    Ok(spent.rows_affected() == 1)
}

/// Whether 2FA is on, and how many recovery codes are left.
#[utoipa::path(get, path = "/api/account/two-factor", tag = "account",
    responses((status = 200, body = TwoFactorStatus), (status = 401, body = ksuite_common::ErrorBody)))]
pub async fn status(
    State(state): State<AppState>,
    session: Session,
) -> ApiResult<Json<TwoFactorStatus>> {
    let enabled = secret(&state.db, session.user_id).await?.is_some();
    let left: i64 = crate::on_db!(&state.db, |dbc| sqlx::query_scalar(
        "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
    )
    .bind(session.user_id)
    .fetch_one(dbc)
    .await)?;
    Ok(Json(TwoFactorStatus {
        enabled,
        recovery_codes_left: if enabled { left as u32 } else { 0 },
    }))
}

/// Start setting up 2FA: a new secret to scan. Nothing changes until a code confirms it.
#[utoipa::path(post, path = "/api/account/two-factor/setup", tag = "account",
    responses((status = 200, body = TwoFactorSetup), (status = 409, body = ksuite_common::ErrorBody, description = "already on")))]
pub async fn setup(
    State(state): State<AppState>,
    session: Session,
) -> ApiResult<Json<TwoFactorSetup>> {
    if secret(&state.db, session.user_id).await?.is_some() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::Conflict,
            "Two-factor authentication is already on. Turn it off first to use a new authenticator.",
        ));
    }
    let email = users::profile(&state.db, session.user_id).await?.email;
    let secret_b32 = match Secret::generate_secret().to_encoded() {
        Secret::Encoded(s) => s,
        Secret::Raw(_) => return Err(ApiError::internal("secret not encoded")),
    };
    let url = totp(&secret_b32, &email)?.get_url();
    crate::on_db!(&state.db, |dbc| sqlx::query(
        "UPDATE users SET totp_pending = $1 WHERE id = $2"
    )
    .bind(&secret_b32)
    .bind(session.user_id)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    let qr_svg = qrcode::QrCode::new(url.as_bytes())
        .map_err(ApiError::internal)?
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .build();
    Ok(Json(TwoFactorSetup {
        secret: secret_b32,
        otpauth_url: url,
        qr_svg,
    }))
}

fn wrong_code() -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::InvalidTotp,
        "This code is not right. Check the time on your phone and enter the current code.",
    )
}

/// Confirm the authenticator with a current code: 2FA is on, recovery codes are shown once.
#[utoipa::path(post, path = "/api/account/two-factor/enable", tag = "account", request_body = TwoFactorCode,
    responses((status = 200, body = RecoveryCodes), (status = 422, body = ksuite_common::ErrorBody, description = "wrong code")))]
pub async fn enable(
    State(state): State<AppState>,
    session: Session,
    ApiJson(req): ApiJson<TwoFactorCode>,
) -> ApiResult<Json<RecoveryCodes>> {
    let pending: Option<String> = crate::on_db!(&state.db, |dbc| sqlx::query_scalar(
        "SELECT totp_pending FROM users WHERE id = $1"
    )
    .bind(session.user_id)
    .fetch_one(dbc)
    .await)?;
    let Some(pending) = pending else {
        return Err(ApiError::invalid(
            Problem::new(Field::Code, Rule::NotFound),
            "Start the setup first: scan a new code.",
        ));
    };
    let email = users::profile(&state.db, session.user_id).await?.email;
    let code = only_alnum(&req.code);
    let Some(step) = matching_step(&totp(&pending, &email)?, &code, now_unix().max(0) as u64)
    else {
        return Err(wrong_code());
    };
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| recovery_code()).collect();
    let mut tx = state.db.begin().await?;
    crate::on_db!(&mut tx, |dbc| {
        sqlx::query(
        "UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = $1 WHERE id = $2",
    )
    .bind(step as i64)
    .bind(session.user_id)
    .execute(dbc).await.map(crate::db::Done::from)
    })?;
    crate::on_db!(&mut tx, |dbc| sqlx::query(
        "DELETE FROM recovery_codes WHERE user_id = $1"
    )
    .bind(session.user_id)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    for c in &codes {
        crate::on_db!(&mut tx, |dbc| sqlx::query(
            "INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)"
        )
        .bind(session.user_id)
        .bind(digest(&only_alnum(c)))
        .execute(dbc)
        .await
        .map(crate::db::Done::from))?;
    }
    tx.commit().await?;
    // The account password no longer opens DAV on its own.
    state.credentials.clear();
    tracing::info!(
        user_id = session.user_id,
        "two-factor authentication enabled"
    );
    Ok(Json(RecoveryCodes { codes }))
}

/// Turn 2FA off (needs the account password).
#[utoipa::path(post, path = "/api/account/two-factor/disable", tag = "account", request_body = TwoFactorDisable,
    responses((status = 204), (status = 422, body = ksuite_common::ErrorBody, description = "wrong password")))]
pub async fn disable(
    State(state): State<AppState>,
    session: Session,
    ApiJson(req): ApiJson<TwoFactorDisable>,
) -> ApiResult<StatusCode> {
    let email = users::profile(&state.db, session.user_id).await?.email;
    let stored = users::credentials(&state.db, &email).await?.map(|(_, h)| h);
    if !password::verify(req.password, stored).await? {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidCredentials,
            "The password is wrong.",
        ));
    }
    let mut tx = state.db.begin().await?;
    crate::on_db!(&mut tx, |dbc| sqlx::query(
        "UPDATE users SET totp_secret = NULL, totp_pending = NULL WHERE id = $1"
    )
    .bind(session.user_id)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    crate::on_db!(&mut tx, |dbc| sqlx::query(
        "DELETE FROM recovery_codes WHERE user_id = $1"
    )
    .bind(session.user_id)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    tx.commit().await?;
    state.credentials.clear();
    tracing::info!(
        user_id = session.user_id,
        "two-factor authentication disabled"
    );
    Ok(StatusCode::NO_CONTENT)
}

/// `xxxxx-xxxxx` from an alphabet without look-alikes (~50 bits).
fn recovery_code() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    let mut s: String = (0..10)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    s.insert(5, '-');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_one_step_of_drift_only() {
        let secret = match Secret::generate_secret().to_encoded() {
            Secret::Encoded(s) => s,
            Secret::Raw(_) => unreachable!("to_encoded encodes"),
        };
        let t = totp(&secret, "a@example.com").expect("totp");
        let now = 1_800_000_000u64;
        let code = t.generate(now);
        assert_eq!(matching_step(&t, &code, now), Some(now / 30));
        assert_eq!(matching_step(&t, &code, now + 30), Some(now / 30));
        assert_eq!(matching_step(&t, &code, now + 90), None);
        assert_eq!(matching_step(&t, "12345", now), None);
    }
}
