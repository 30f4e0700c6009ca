//! Server-side sessions: the cookie carries a random token, the database its SHA-256.
//! The `Session` extractor authenticates a request and, for state-changing methods,
//! checks the CSRF token bound to the session.

use axum::extract::FromRequestParts;
use axum::http::Method;
use axum::http::request::Parts;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ksuite_common::paths::CSRF_HEADER;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::db::Db;
use crate::error::ApiError;
use crate::now_unix;
use crate::state::AppState;

pub const COOKIE_NAME: &str = "ksuite_session";
pub const SESSION_LIFETIME_SECS: i64 = 30 * 24 * 3600;

/// An authenticated request's session.
#[derive(Clone, Debug)]
pub struct Session {
    pub id: i64,
    pub user_id: i64,
    pub csrf_token: String,
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Creates a session and returns it with the cookie token to hand to the browser.
pub async fn create(
    db: &Db,
    user_id: i64,
    user_agent: Option<&str>,
) -> Result<(Session, String), ApiError> {
    let token = random_token();
    let csrf_token = random_token();
    let now = now_unix();
    let user_agent = user_agent.map(|ua| ua.chars().take(300).collect::<String>());
    let id: i64 = crate::on_db!(db, |dbc| {
        sqlx::query_scalar(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, user_agent) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(token_hash(&token))
    .bind(user_id)
    .bind(&csrf_token)
    .bind(now)
    .bind(now + SESSION_LIFETIME_SECS)
    .bind(user_agent)
    .fetch_one(dbc).await
    })?;
    Ok((
        Session {
            id,
            user_id,
            csrf_token,
        },
        token,
    ))
}

pub async fn delete(db: &Db, session_id: i64) -> Result<(), ApiError> {
    crate::on_db!(db, |dbc| sqlx::query("DELETE FROM sessions WHERE id = $1")
        .bind(session_id)
        .execute(dbc)
        .await
        .map(crate::db::Done::from))?;
    Ok(())
}

/// How often a session's "last seen" time is written (not on every request).
const LAST_SEEN_GRANULARITY_SECS: i64 = 300;

async fn find(db: &Db, token: &str) -> Result<Option<Session>, ApiError> {
    let now = now_unix();
    let row: Option<(i64, i64, String, Option<i64>)> = crate::on_db!(db, |dbc| {
        sqlx::query_as(
        "SELECT s.id, s.user_id, s.csrf_token, s.last_seen_at FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT u.disabled",
    )
    .bind(token_hash(token))
    .bind(now)
    .fetch_optional(dbc).await
    })?;
    let Some((id, user_id, csrf_token, last_seen)) = row else {
        return Ok(None);
    };
    if last_seen.is_none_or(|t| now - t >= LAST_SEEN_GRANULARITY_SECS) {
        crate::on_db!(db, |dbc| sqlx::query(
            "UPDATE sessions SET last_seen_at = $1 WHERE id = $2"
        )
        .bind(now)
        .bind(id)
        .execute(dbc)
        .await
        .map(crate::db::Done::from))?;
    }
    Ok(Some(Session {
        id,
        user_id,
        csrf_token,
    }))
}

/// Every live session of a user, newest first.
pub async fn list(
    db: &Db,
    user_id: i64,
) -> Result<Vec<(i64, Option<String>, i64, Option<i64>)>, ApiError> {
    Ok(crate::on_db!(db, |dbc| {
        sqlx::query_as(
        "SELECT id, user_agent, created_at, last_seen_at FROM sessions \
         WHERE user_id = $1 AND expires_at > $2 ORDER BY COALESCE(last_seen_at, created_at) DESC, id DESC",
    )
    .bind(user_id)
    .bind(now_unix())
    .fetch_all(dbc).await
    })?)
}

/// Ends one of the user's sessions; `false` when it is not theirs (or gone).
pub async fn delete_own(db: &Db, user_id: i64, session_id: i64) -> Result<bool, ApiError> {
    let done = crate::on_db!(db, |dbc| sqlx::query(
        "DELETE FROM sessions WHERE id = $1 AND user_id = $2"
    )
    .bind(session_id)
    .bind(user_id)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    Ok(done.rows_affected() > 0)
}

/// Ends every session of the user but `keep` (all of them with `None`).
pub async fn delete_others(db: &Db, user_id: i64, keep: Option<i64>) -> Result<u64, ApiError> {
    let done = crate::on_db!(db, |dbc| sqlx::query(
        "DELETE FROM sessions WHERE user_id = $1 AND id IS DISTINCT FROM $2"
    )
    .bind(user_id)
    .bind(keep)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    Ok(done.rows_affected())
}

/// The session cookie: HttpOnly, SameSite=Lax, Secure when served over https.
pub fn cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build((COOKIE_NAME, token))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .path("/")
        .max_age(time::Duration::seconds(SESSION_LIFETIME_SECS))
        .build()
}

/// A cookie that makes the browser forget the session.
pub fn removal_cookie(secure: bool) -> Cookie<'static> {
    let mut c = cookie(String::new(), secure);
    c.make_removal();
    c
}

fn is_state_changing(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

impl FromRequestParts<AppState> for Session {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Session, ApiError> {
        let jar = CookieJar::from_headers(&parts.headers);
        let token = jar
            .get(COOKIE_NAME)
            .map(|c| c.value().to_string())
            .ok_or_else(ApiError::unauthorized)?;
        let session = find(&state.db, &token)
            .await?
            .ok_or_else(ApiError::unauthorized)?;
        if is_state_changing(&parts.method) {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !constant_time_eq(sent.as_bytes(), session.csrf_token.as_bytes()) {
                return Err(ApiError::csrf());
            }
        }
        Ok(session)
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
