//! Application passwords: named, revocable secrets that let a device sync (CalDAV/CardDAV)
//! without the 2FA prompt. They are random with ~100 bits of entropy, so a SHA-256 of
//! them is enough to store and look up (no slow hash needed).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use ksuite_common::{
    AppPasswordInfo, CreatedAppPassword, DeviceProtocol, Field, NewAppPassword, Problem,
};
use rand::Rng;
use sha2::{Digest, Sha256};

use super::session::Session;
use crate::db::Db;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::now_unix;
use crate::state::AppState;

const MAX_NAME_LEN: usize = 100;
/// Lower-case letters and digits without look-alikes (0/o, 1/l/i).
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
/// Recording the last use at most this often spares a write per sync request.
const LAST_USED_GRANULARITY_SECS: i64 = 60;

/// A new secret, shown as four groups of five characters.
fn generate() -> String {
    let mut rng = rand::rngs::OsRng;
    let chars: Vec<char> = (0..20)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    chars
        .chunks(5)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// Typed-in variants (spaces, no dashes, capitals) count as the same secret.
fn normalize(secret: &str) -> String {
    secret
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn digest(secret: &str) -> String {
    crate::hex(&Sha256::digest(normalize(secret).as_bytes()))
}

/// The user an application password belongs to, if `secret` is one of `email`'s; records
/// when and by which protocol it was used.
pub async fn verify(
    db: &Db,
    email: &str,
    secret: &str,
    protocol: DeviceProtocol,
) -> Result<Option<i64>, ApiError> {
    if normalize(secret).len() != 20 {
        return Ok(None);
    }
    let row: Option<(i64, i64, Option<i64>, Option<String>)> = crate::on_db!(db, |dbc| {
        sqlx::query_as(
        "SELECT a.id, a.user_id, a.last_used_at, a.last_used_protocol FROM app_passwords a JOIN users u ON u.id = a.user_id \
         WHERE a.secret_hash = $1 AND u.email = $2 AND NOT u.disabled",
    )
    .bind(digest(secret))
    .bind(email)
    .fetch_optional(dbc).await
    })?;
    let Some((id, user_id, last_used, last_protocol)) = row else {
        return Ok(None);
    };
    let now = now_unix();
    if last_used.is_none_or(|t| now - t >= LAST_USED_GRANULARITY_SECS)
        || last_protocol.as_deref() != Some(protocol.as_str())
    {
        crate::on_db!(db, |dbc| sqlx::query(
            "UPDATE app_passwords SET last_used_at = $1, last_used_protocol = $2 WHERE id = $3",
        )
        .bind(now)
        .bind(protocol.as_str())
        .bind(id)
        .execute(dbc)
        .await
        .map(crate::db::Done::from))?;
    }
    Ok(Some(user_id))
}

/// Records a use of `secret` (if it is one of the user's application passwords) by
/// `protocol`, for a sign-in the credential cache answered.
pub async fn record_use(
    db: &Db,
    user_id: i64,
    secret: &str,
    protocol: DeviceProtocol,
) -> Result<(), ApiError> {
    if normalize(secret).len() != 20 {
        return Ok(());
    }
    crate::on_db!(db, |dbc| {
        sqlx::query(
        "UPDATE app_passwords SET last_used_at = $1, last_used_protocol = $2 WHERE secret_hash = $3 AND user_id = $4",
    )
    .bind(now_unix())
    .bind(protocol.as_str())
    .bind(digest(secret))
    .bind(user_id)
    .execute(dbc).await.map(crate::db::Done::from)
    })?;
    Ok(())
}

type Row = (i64, String, i64, Option<i64>, Option<String>);

fn info((id, name, created_at, last_used_at, protocol): Row) -> AppPasswordInfo {
    AppPasswordInfo {
        id,
        name,
        created_at,
        last_used_at,
        last_used_protocol: protocol.as_deref().and_then(DeviceProtocol::parse),
    }
}

/// The user's application passwords, newest first.
#[utoipa::path(get, path = "/api/account/app-passwords", tag = "account",
    responses((status = 200, body = Vec<AppPasswordInfo>), (status = 401, body = ksuite_common::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    session: Session,
) -> ApiResult<Json<Vec<AppPasswordInfo>>> {
    let rows: Vec<Row> = crate::on_db!(&state.db, |dbc| {
        sqlx::query_as(
        "SELECT id, name, created_at, last_used_at, last_used_protocol FROM app_passwords WHERE user_id = $1 ORDER BY id DESC",
    )
    .bind(session.user_id)
    .fetch_all(dbc).await
    })?;
    Ok(Json(rows.into_iter().map(info).collect()))
}

/// Create an application password; the answer is the only time the secret is shown.
#[utoipa::path(post, path = "/api/account/app-passwords", tag = "account", request_body = NewAppPassword,
    responses((status = 201, body = CreatedAppPassword), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    session: Session,
    ApiJson(req): ApiJson<NewAppPassword>,
) -> ApiResult<(StatusCode, Json<CreatedAppPassword>)> {
    let name = req.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_LEN {
        return Err(ApiError::invalid(
            Problem::length(Field::Name, 100),
            "Give the password a name of 1 to 100 characters, e.g. the device it is for.",
        ));
    }
    let password = generate();
    let now = now_unix();
    let id: i64 = crate::on_db!(&state.db, |dbc| {
        sqlx::query_scalar(
        "INSERT INTO app_passwords (user_id, name, secret_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(session.user_id)
    .bind(name)
    .bind(digest(&password))
    .bind(now)
    .fetch_one(dbc).await
    })?;
    tracing::info!(
        user_id = session.user_id,
        id,
        "application password created"
    );
    Ok((
        StatusCode::CREATED,
        Json(CreatedAppPassword {
            info: info((id, name.to_string(), now, None, None)),
            password,
        }),
    ))
}

/// Revoke an application password: devices using it stop syncing at once.
#[utoipa::path(delete, path = "/api/account/app-passwords/{id}", tag = "account", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    let done = crate::on_db!(&state.db, |dbc| sqlx::query(
        "DELETE FROM app_passwords WHERE id = $1 AND user_id = $2"
    )
    .bind(id)
    .bind(session.user_id)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    if done.rows_affected() == 0 {
        return Err(ApiError::not_found());
    }
    state.credentials.clear();
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secrets_normalize_to_twenty_characters() {
        let s = generate();
        assert_eq!(s.len(), 23);
        assert_eq!(normalize(&s).len(), 20);
        assert_eq!(digest(&s), digest(&s.to_uppercase().replace('-', " ")));
        assert_ne!(generate(), s);
    }
}
