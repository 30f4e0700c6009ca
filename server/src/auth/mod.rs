//! Accounts: sign-up, login (throttled), logout and the current session.

pub mod account;
pub mod admin_users;
pub mod app_passwords;
pub mod credential_cache;
pub mod device;
pub mod password;
pub mod session;
pub mod throttle;
pub mod two_factor;
pub mod users;

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{get, post};
use axum::{Json, Router};
use axum_extra::extract::cookie::CookieJar;
use ksuite_common::{
    ErrorCode, LoginRequest, SessionInfo, SignupPolicy, SignupRequest, password_weakness, paths,
};

use crate::error::{ApiError, ApiJson, ApiResult};
use crate::state::AppState;
use session::Session;
use throttle::Scope;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::SIGNUP, post(signup))
        .route(paths::LOGIN, post(login))
        .route(paths::LOGOUT, post(logout))
        .route(paths::ME, get(me))
        .route(paths::SESSION, get(current_session))
        .route(
            paths::APP_PASSWORDS,
            get(app_passwords::list).post(app_passwords::create),
        )
        .route(
            "/api/account/app-passwords/{id}",
            axum::routing::delete(app_passwords::revoke),
        )
        .route(paths::PASSWORD, post(account::change_password))
        .route(paths::SESSIONS, get(account::list_sessions))
        .route(
            "/api/account/sessions/{id}",
            axum::routing::delete(account::end_session),
        )
        .route(paths::SIGN_OUT_OTHERS, post(account::sign_out_others))
        .route(paths::ADMIN_USERS, get(admin_users::list_users))
        .route(
            "/api/admin/users/{id}",
            axum::routing::patch(admin_users::change_user),
        )
        .route(
            paths::ADMIN_INVITATIONS,
            get(admin_users::list_invitations).post(admin_users::create_invitation),
        )
        .route(
            "/api/admin/invitations/{id}",
            axum::routing::delete(admin_users::revoke_invitation),
        )
        .route(paths::TWO_FACTOR, get(two_factor::status))
        .route(paths::TWO_FACTOR_SETUP, post(two_factor::setup))
        .route(paths::TWO_FACTOR_ENABLE, post(two_factor::enable))
        .route(paths::TWO_FACTOR_DISABLE, post(two_factor::disable))
}

/// A 429 with `Retry-After`.
pub(crate) fn too_many(message: String, wait: u64) -> ApiError {
    let mut err = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::TooManyAttempts,
        message,
    );
    err.retry_after = Some(wait);
    err
}

fn user_agent(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
}

/// Starts a session for `user_id` and answers with the profile and the session cookie.
async fn start_session(
    state: &AppState,
    jar: CookieJar,
    headers: &HeaderMap,
    user_id: i64,
) -> ApiResult<(CookieJar, SessionInfo)> {
    let (session, token) = session::create(&state.db, user_id, user_agent(headers)).await?;
    let user = users::profile(&state.db, user_id).await?;
    let jar = jar.add(session::cookie(token, state.settings.secure_cookies));
    Ok((
        jar,
        SessionInfo {
            user,
            csrf_token: session.csrf_token,
        },
    ))
}

/// Create an account and sign in.
#[utoipa::path(post, path = "/api/auth/signup", tag = "auth", request_body = SignupRequest,
    responses((status = 201, body = SessionInfo), (status = 409, body = ksuite_common::ErrorBody, description = "e-mail taken"),
               (status = 422, body = ksuite_common::ErrorBody, description = "invalid field or weak password")))]
pub async fn signup(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    jar: CookieJar,
    headers: HeaderMap,
    ApiJson(req): ApiJson<SignupRequest>,
) -> ApiResult<(StatusCode, CookieJar, Json<SessionInfo>)> {
    let ip = state.settings.trusted_proxies.client(peer.ip(), &headers);
    state.signup_throttle.check(ip).await?.map_err(|wait| {
        too_many(
            format!(
                "Too many accounts were created from your network. Try again in {} minutes.",
                wait.div_ceil(60)
            ),
            wait,
        )
    })?;
    let email = users::normalize_email(&req.email)?;
    let display_name = users::normalize_display_name(&req.display_name)?;
    if let Some(reason) = password_weakness(&req.password, &email) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::WeakPassword,
            reason,
        ));
    }
    let time_zone = req
        .time_zone
        .as_deref()
        .filter(|tz| tz.parse::<chrono_tz::Tz>().is_ok())
        .unwrap_or("UTC")
        .to_string();
    let invitation = req
        .invitation
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string);
    let policy = state.settings.signup;
    if policy != SignupPolicy::Open && users::count(&state.db).await? > 0 {
        match (policy, &invitation) {
            (SignupPolicy::Closed, _) => {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    ErrorCode::Forbidden,
                    "This server does not take new accounts. Ask its administrator.",
                ));
            }
            (_, None) => {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    ErrorCode::InvitationRequired,
                    "This server takes new accounts by invitation. Enter the code you were sent.",
                ));
            }
            _ => {}
        }
    }
    let password_hash = password::hash(req.password).await?;
    let new_user = users::NewUser {
        email: &email,
        display_name: &display_name,
        password_hash: &password_hash,
        language: req.language.unwrap_or_default(),
        time_zone: &time_zone,
    };
    // The account, its default calendar, address book and mail address come into being
    // together or not at all.
    let mut tx = state.db.begin().await?;
    let Some(user_id) = users::insert(&mut tx, new_user).await? else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::EmailTaken,
            "An account with this e-mail address already exists. Log in instead.",
        ));
    };
    if policy == SignupPolicy::Invite
        && let Some(code) = &invitation
        && !admin_users::redeem(&mut tx, code, &email, user_id).await?
    {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::InvitationRequired,
            "This invitation is not valid: it was used, withdrawn, has expired or is for another address.",
        ));
    }
    crate::calendar::store::create_calendar(
        &mut tx,
        user_id,
        "Calendar",
        crate::calendar::store::DEFAULT_COLOR,
        true,
    )
    .await?;
    crate::contacts::store::create_book(&mut tx, user_id, "Contacts", true).await?;
    crate::mail::store::give_address(&mut tx, user_id, &email, &state.settings.mail_domain).await?;
    tx.commit().await?;
    tracing::info!(user_id, "account created");
    let (jar, info) = start_session(&state, jar, &headers, user_id).await?;
    Ok((StatusCode::CREATED, jar, Json(info)))
}

/// Sign in with e-mail and password.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = SessionInfo), (status = 401, body = ksuite_common::ErrorBody, description = "wrong credentials"),
               (status = 429, body = ksuite_common::ErrorBody, description = "too many failed attempts")))]
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    jar: CookieJar,
    headers: HeaderMap,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<(CookieJar, Json<SessionInfo>)> {
    let email = req.email.trim().to_lowercase();
    let ip = state.settings.trusted_proxies.client(peer.ip(), &headers);
    // Counted before the password is checked: parallel guesses cannot outrun the limit.
    let attempt = state
        .login_throttle
        .begin(Scope::Web, &email, ip)
        .await?
        .map_err(|wait| {
            too_many(
                format!(
                    "Too many failed attempts. Try again in {} minutes.",
                    wait.div_ceil(60)
                ),
                wait,
            )
        })?;
    let stored = users::credentials(&state.db, &email).await?;
    let user_id = stored.as_ref().map(|(id, _)| *id);
    let ok = password::verify(req.password, stored.map(|(_, h)| h)).await?;
    let (true, Some(user_id)) = (ok, user_id) else {
        tracing::info!(peer = %ip, "failed login");
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::InvalidCredentials,
            "The e-mail address or the password is wrong.",
        ));
    };
    if let Some(secret) = two_factor::secret(&state.db, user_id).await? {
        let Some(code) = req.totp.as_deref().filter(|c| !c.trim().is_empty()) else {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::TotpRequired,
                "Enter the 6-digit code from your authenticator app, or a recovery code.",
            ));
        };
        if !two_factor::verify_login_code(&state.db, user_id, &email, &secret, code).await? {
            tracing::info!(peer = %ip, "failed two-factor code");
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::InvalidTotp,
                "This code is not right, or it was already used. Enter the current code.",
            ));
        }
    }
    attempt.succeeded().await?;
    let (jar, info) = start_session(&state, jar, &headers, user_id).await?;
    Ok((jar, Json(info)))
}

/// Sign out: the session is deleted server-side, so a copied cookie stops working too.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth",
    responses((status = 204), (status = 401, body = ksuite_common::ErrorBody), (status = 403, body = ksuite_common::ErrorBody, description = "CSRF check failed")))]
pub async fn logout(
    State(state): State<AppState>,
    session: Session,
    jar: CookieJar,
) -> ApiResult<(StatusCode, CookieJar)> {
    session::delete(&state.db, session.id).await?;
    let jar = jar.add(session::removal_cookie(state.settings.secure_cookies));
    Ok((StatusCode::NO_CONTENT, jar))
}

/// The signed-in session, or `null`: what the app asks on every load, so an anonymous
/// visit gets an ordinary answer instead of a 401 that browsers log as an error.
#[utoipa::path(get, path = "/api/session", tag = "auth",
    responses((status = 200, body = Option<SessionInfo>)))]
pub async fn current_session(
    State(state): State<AppState>,
    session: Result<Session, ApiError>,
) -> ApiResult<Json<Option<SessionInfo>>> {
    match session {
        Ok(session) => me(State(state), session).await.map(|Json(i)| Json(Some(i))),
        Err(e) if e.status == StatusCode::UNAUTHORIZED => Ok(Json(None)),
        Err(e) => Err(e),
    }
}

/// Who is signed in, with the CSRF token for this session.
#[utoipa::path(get, path = "/api/me", tag = "auth",
    responses((status = 200, body = SessionInfo), (status = 401, body = ksuite_common::ErrorBody)))]
pub async fn me(State(state): State<AppState>, session: Session) -> ApiResult<Json<SessionInfo>> {
    let user = users::profile(&state.db, session.user_id).await?;
    Ok(Json(SessionInfo {
        user,
        csrf_token: session.csrf_token,
    }))
}
