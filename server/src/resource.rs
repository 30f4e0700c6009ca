//! Helpers shared by the resource APIs (calendar events, contacts): ETag / If-Match
//! handling and new UIDs. Access levels are [`crate::collections::Grant`]'s.

use axum::Json;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ksuite_common::{CalendarAccess, ErrorCode, Field, Problem, Rule};

use crate::error::ApiError;

/// A JSON answer carrying the resource's ETag.
pub fn with_etag<T: serde::Serialize>(status: StatusCode, etag: &str, body: T) -> Response {
    let mut resp = (status, Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(etag) {
        resp.headers_mut().insert(header::ETAG, v);
    }
    resp
}

pub fn if_match(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_string())
}

/// Updates must say which version they change, so concurrent edits are not lost.
pub fn require_if_match(headers: &HeaderMap) -> Result<String, ApiError> {
    if_match(headers).ok_or_else(|| {
        ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            ErrorCode::BadRequest,
            "Send the ETag in If-Match so concurrent changes are not overwritten.",
        )
    })
}

pub fn changed_meanwhile() -> ApiError {
    ApiError::new(
        StatusCode::PRECONDITION_FAILED,
        ErrorCode::Conflict,
        "It was changed meanwhile (by you elsewhere or by someone else). Reload it and try again.",
    )
    .with(Problem::new(Field::Request, Rule::Changed))
}

/// A random identifier in UUID v4 format.
pub fn new_uid() -> String {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    uuid_text(&b)
}

/// 16 bytes written the way UUIDs are (`8-4-4-4-12` lower-case hex).
pub fn uuid_text(b: &[u8; 16]) -> String {
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// The DAV resource name (`<name>.ics` / `.vcf`) of an object made in the web app or
/// imported: the UID when it is a safe path segment, otherwise a digest of it.
pub fn object_name(uid: &str, extension: &str) -> String {
    let safe = !uid.is_empty()
        && uid.len() <= 200
        && uid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'@'));
    if safe {
        format!("{uid}{extension}")
    } else {
        use sha2::{Digest, Sha256};
        let d = Sha256::digest(uid.as_bytes());
        let hex = crate::hex(&d[..16]);
        format!("{hex}{extension}")
    }
}

/// The user a share goes to: another existing user of this server, with read or
/// read/write access (owners cannot be granted).
pub async fn share_grantee(
    db: &crate::db::Db,
    owner_id: i64,
    share: &ksuite_common::CalendarShare,
) -> Result<i64, ApiError> {
    if share.access == CalendarAccess::Owner {
        return Err(ApiError::invalid(
            Problem::new(Field::Permission, Rule::Invalid),
            "Share with read or read_write access.",
        ));
    }
    let email = crate::auth::users::normalize_email(&share.email)?;
    let (target, _) = crate::auth::users::credentials(db, &email)
        .await?
        .ok_or_else(|| {
            ApiError::invalid(
                Problem::new(Field::User, Rule::NotFound),
                "There is no user with this e-mail address on this server.",
            )
        })?;
    if target == owner_id {
        return Err(ApiError::invalid(
            Problem::new(Field::User, Rule::ItSelf),
            "You cannot share with yourself: you own it.",
        ));
    }
    Ok(target)
}
