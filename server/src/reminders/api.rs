//! Snoozing and dismissing a delivered reminder. The notification carries a token for
//! its own delivery, so the service worker can act without the session cookie (which a
//! notification click outside the app may not have), and the token allows nothing else.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use ksuite_common::{Field, Problem, Rule, SnoozeRequest};

use crate::error::{ApiError, ApiJson, ApiResult};
use crate::state::AppState;

const MAX_SNOOZE_MINUTES: u32 = 24 * 60;

/// Reminds again in `minutes` (default 10). Asking twice for one notification snoozes once.
#[utoipa::path(post, path = "/api/reminders/{token}/snooze", tag = "notifications", params(("token" = String, Path)),
    request_body = SnoozeRequest, responses((status = 204), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn snooze(
    State(state): State<AppState>,
    Path(token): Path<String>,
    ApiJson(req): ApiJson<SnoozeRequest>,
) -> ApiResult<StatusCode> {
    if req.minutes == 0 || req.minutes > MAX_SNOOZE_MINUTES {
        return Err(ApiError::invalid(
            Problem::new(Field::Snooze, Rule::OutOfRange),
            "Snooze for 1 minute to 24 hours.",
        ));
    }
    let due = state.clock.now_unix() + i64::from(req.minutes) * 60;
    // The new delivery's key derives from the snoozed one's token: one snooze per
    // notification, whatever the number of clicks.
    let inserted = crate::on_db!(&state.db, |dbc| {
        sqlx::query(
        "INSERT INTO reminder_deliveries (idempotency_key, user_id, calendar_id, event_uid, occurrence_start, \
         all_day, channel, webhook_id, due_at, state, next_attempt_at, token, title, location, description, created_at) \
         SELECT idempotency_key || '-snooze-' || token, user_id, calendar_id, event_uid, occurrence_start, all_day, \
         channel, webhook_id, $1, 'pending', $2, $3, title, location, description, $4 \
         FROM reminder_deliveries WHERE token = $5 AND state IN ('sent', 'sending', 'failed') \
         ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(due)
    .bind(due)
    .bind(super::worker::new_token())
    .bind(state.clock.now_unix())
    .bind(&token)
    .execute(dbc).await.map(crate::db::Done::from)
    })?;
    if inserted.rows_affected() == 0 && !exists(&state, &token).await? {
        return Err(ApiError::not_found());
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Stops a reminder: its pending retries and snoozes are dropped.
#[utoipa::path(post, path = "/api/reminders/{token}/dismiss", tag = "notifications", params(("token" = String, Path)),
    responses((status = 204), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn dismiss(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> ApiResult<StatusCode> {
    let key: Option<String> = crate::on_db!(&state.db, |dbc| sqlx::query_scalar(
        "SELECT idempotency_key FROM reminder_deliveries WHERE token = $1"
    )
    .bind(&token)
    .fetch_optional(dbc)
    .await)?;
    let Some(key) = key else {
        return Err(ApiError::not_found());
    };
    crate::on_db!(&state.db, |dbc| sqlx::query(
        "UPDATE reminder_deliveries SET state = 'dismissed', lease_until = NULL \
         WHERE (token = $1 OR (idempotency_key LIKE $2 ESCAPE '\\' AND state = 'pending')) \
         AND state IN ('pending', 'sending', 'failed', 'sent')",
    )
    .bind(&token)
    .bind(format!(
        "{}-snooze-%",
        key.replace('%', "\\%").replace('_', "\\_")
    ))
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    Ok(StatusCode::NO_CONTENT)
}

async fn exists(state: &AppState, token: &str) -> ApiResult<bool> {
    let found: Option<i64> = crate::on_db!(&state.db, |dbc| sqlx::query_scalar(
        "SELECT id FROM reminder_deliveries WHERE token = $1"
    )
    .bind(token)
    .fetch_optional(dbc)
    .await)?;
    Ok(found.is_some())
}
