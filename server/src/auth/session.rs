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
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, user_agent) \
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(token_hash(&token))
    .bind(user_id)
    .bind(&csrf_token)
    .bind(now)
    .bind(now + SESSION_LIFETIME_SECS)
    .bind(user_agent)
    .fetch_one(db)
    .await?;
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
    sqlx::query("DELETE FROM sessions WHERE id = ?")
        .bind(session_id)
        .execute(db)
        .await?;
    Ok(())
}

async fn find(db: &Db, token: &str) -> Result<Option<Session>, ApiError> {
    let row: Option<(i64, i64, String)> = sqlx::query_as(
        "SELECT id, user_id, csrf_token FROM sessions WHERE token_hash = ? AND expires_at > ?",
    )
    .bind(token_hash(token))
    .bind(now_unix())
    .fetch_optional(db)
    .await?;
    Ok(row.map(|(id, user_id, csrf_token)| Session {
        id,
        user_id,
        csrf_token,
    }))
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
