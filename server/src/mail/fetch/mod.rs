//! Bringing mail over from another IMAP server ("fetch my old mailbox"): the user gives
//! host, port, security, user name and password and picks one of their addresses; a
//! background job ([`worker`]) copies every folder into the matching folder here (Inbox,
//! Sent, Drafts, Trash, Spam, Archive by special use, others by name, made when
//! missing), skipping messages already here, with progress the app polls. The password
//! is kept only until the fetch ends.

pub mod client;
pub mod worker;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use ksuite_common::{FetchSecurity, Field, MailFetch, MailFetchState, NewMailFetch, Problem, Rule};

use crate::auth::session::Session;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Fetches one user may have waiting or running at once.
const MAX_ACTIVE_PER_USER: i64 = 3;

type Row = (
    i64,
    String,
    String,
    String,
    String,
    i64,
    i64,
    i64,
    Option<String>,
    i64,
);

const SELECT: &str = "SELECT f.id, a.address, f.host, f.username, f.state, f.done, f.total, \
                      f.imported, f.error, f.created_at FROM mail_fetches f \
                      JOIN mail_addresses a ON a.id = f.address_id";

fn state_of(s: &str) -> MailFetchState {
    match s {
        "running" => MailFetchState::Running,
        "done" => MailFetchState::Done,
        "failed" => MailFetchState::Failed,
        _ => MailFetchState::Waiting,
    }
}

fn view(
    (id, address, host, username, state, done, total, imported, error, created_at): Row,
) -> MailFetch {
    MailFetch {
        id,
        address,
        host,
        username,
        state: state_of(&state),
        done,
        total,
        imported,
        error,
        created_at,
    }
}

fn security_code(s: FetchSecurity) -> &'static str {
    match s {
        FetchSecurity::Tls => "tls",
        FetchSecurity::StartTls => "starttls",
    }
}

pub fn security_of(code: &str) -> FetchSecurity {
    if code == "starttls" {
        FetchSecurity::StartTls
    } else {
        FetchSecurity::Tls
    }
}

/// The user's fetches, newest first.
#[utoipa::path(get, path = "/api/mail/fetches", tag = "mail",
    responses((status = 200, body = Vec<MailFetch>), (status = 401, body = ksuite_common::ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    session: Session,
) -> ApiResult<Json<Vec<MailFetch>>> {
    let rows: Vec<Row> = crate::on_db!(&state.db, |dbc| sqlx::query_as(&format!(
        "{SELECT} WHERE f.user_id = $1 ORDER BY f.id DESC LIMIT 50"
    ))
    .bind(session.user_id)
    .fetch_all(dbc)
    .await)?;
    Ok(Json(rows.into_iter().map(view).collect()))
}

/// Start fetching another server's mail into one of the user's addresses.
#[utoipa::path(post, path = "/api/mail/fetches", tag = "mail", request_body = NewMailFetch,
    responses((status = 201, body = MailFetch), (status = 403, body = ksuite_common::ErrorBody),
        (status = 404, body = ksuite_common::ErrorBody), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    session: Session,
    Json(req): Json<NewMailFetch>,
) -> ApiResult<(StatusCode, Json<MailFetch>)> {
    let host = req.host.trim().trim_end_matches('.').to_ascii_lowercase();
    if host.is_empty()
        || host.len() > 253
        || !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
    {
        return Err(ApiError::invalid(
            Problem::new(Field::Server, Rule::Invalid),
            "Give the other server's name, like imap.example.org.",
        ));
    }
    if req.port == 0 {
        return Err(ApiError::invalid(
            Problem::new(Field::Port, Rule::Invalid),
            "Give the other server's IMAP port (993 with TLS, 143 with STARTTLS).",
        ));
    }
    if req.username.trim().is_empty() || req.password.is_empty() {
        return Err(ApiError::invalid(
            Problem::new(Field::Credentials, Rule::Required),
            "Give the user name and password of the other account.",
        ));
    }
    if [&req.username, &req.password]
        .iter()
        .any(|v| v.contains(['\r', '\n', '\0']))
    {
        return Err(ApiError::invalid(
            Problem::new(Field::Credentials, Rule::Invalid),
            "User names and passwords cannot contain line breaks.",
        ));
    }
    if req.username.len() > 320 || req.password.len() > 1024 {
        return Err(ApiError::invalid(
            Problem::new(Field::Credentials, Rule::TooBig),
            "The user name or password is too long.",
        ));
    }
    let access: Option<(i64, String)> = crate::on_db!(&state.db, |dbc| sqlx::query_as(
        "SELECT a.id, u.permission FROM mail_addresses a \
         JOIN mail_address_users u ON u.address_id = a.id AND u.user_id = $1 WHERE a.address = $2",
    )
    .bind(session.user_id)
    .bind(req.address.trim().to_ascii_lowercase())
    .fetch_optional(dbc)
    .await)?;
    let Some((address_id, permission)) = access else {
        return Err(ApiError::not_found());
    };
    if permission == "read" {
        return Err(ApiError::forbidden(
            "You may read this address but not change its mail.",
        ));
    }
    let active: i64 = crate::on_db!(&state.db, |dbc| {
        sqlx::query_scalar(
        "SELECT COUNT(*) FROM mail_fetches WHERE user_id = $1 AND state IN ('waiting', 'running')",
    )
    .bind(session.user_id)
    .fetch_one(dbc).await
    })?;
    if active >= MAX_ACTIVE_PER_USER {
        return Err(ApiError::invalid(
            Problem::new(Field::Fetch, Rule::Busy),
            "Three fetches are already under way; wait for one to finish.",
        ));
    }
    let created_at = crate::now_unix();
    let id: i64 = crate::on_db!(&state.db, |dbc| {
        sqlx::query_scalar(
        "INSERT INTO mail_fetches (user_id, address_id, host, port, security, username, password, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(session.user_id)
    .bind(address_id)
    .bind(&host)
    .bind(i64::from(req.port))
    .bind(security_code(req.security))
    .bind(req.username.trim())
    .bind(&req.password)
    .bind(created_at)
    .fetch_one(dbc).await
    })?;
    state.mail_fetch_wake.notify_one();
    // As stored: it waits until the job picks it up.
    Ok((
        StatusCode::CREATED,
        Json(MailFetch {
            id,
            address: req.address.trim().to_ascii_lowercase(),
            host,
            username: req.username.trim().to_string(),
            state: MailFetchState::Waiting,
            done: 0,
            total: 0,
            imported: 0,
            error: None,
            created_at,
        }),
    ))
}
