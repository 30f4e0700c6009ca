//! Chat webhooks: the user's named URLs with a message template, the body shapes of
//! common chat tools, sending (through the guarded client) and a log of attempts.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use ksuite_common::{
    DEFAULT_WEBHOOK_TEMPLATE, DeliveryTest, Field, MAX_WEBHOOK_NAME_LEN, MAX_WEBHOOK_TEMPLATE_LEN,
    Problem, Webhook, WebhookAttempt, WebhookFormat, WebhookInput, webhook_limit,
};
use serde_json::json;

use crate::auth::session::Session;
use crate::db::Db;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::net::{Outbound, SendError};
use crate::state::AppState;

/// Attempts kept per webhook.
const KEPT_ATTEMPTS: i64 = 20;
const MAX_URL_LEN: usize = 2048;

/// What a message says about an event.
pub struct EventText<'a> {
    pub subject: &'a str,
    pub date: &'a str,
    pub description: &'a str,
    pub location: &'a str,
}

/// Fills a template's placeholders.
pub fn render(template: &str, e: &EventText<'_>) -> String {
    template
        .replace("%subject%", e.subject)
        .replace("%date%", e.date)
        .replace("%description%", e.description)
        .replace("%location%", e.location)
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string()
}

/// The JSON body a chat tool of this kind expects.
pub fn body(format: WebhookFormat, text: &str, e: &EventText<'_>) -> serde_json::Value {
    match format {
        WebhookFormat::Slack => json!({ "text": text }),
        WebhookFormat::Discord => json!({ "content": text }),
        WebhookFormat::Teams => json!({
            "@type": "MessageCard",
            "@context": "https://schema.org/extensions",
            "summary": e.subject,
            "title": e.subject,
            "text": text.replace('\n', "\n\n"),
        }),
        WebhookFormat::Json => json!({
            "text": text,
            "subject": e.subject,
            "date": e.date,
            "description": e.description,
            "location": e.location,
        }),
    }
}

/// A stored webhook.
#[derive(sqlx::FromRow)]
pub struct Row {
    pub id: i64,
    pub name: String,
    pub url: String,
    pub template: String,
    pub format: String,
}

/// The webhook `id` if `user_id` owns it.
pub async fn owned(db: &Db, user_id: i64, id: i64) -> Result<Option<Row>, sqlx::Error> {
    crate::on_db!(db, |dbc| sqlx::query_as(
        "SELECT id, name, url, template, format FROM webhooks WHERE id = $1 AND user_id = $2",
    )
    .bind(id)
    .bind(user_id)
    .fetch_optional(dbc)
    .await)
}

/// How a send went: Ok(status) for any HTTP answer.
pub type SendResult = Result<u16, SendError>;

/// One attempt, for the delivery log.
pub struct Attempt {
    pub webhook_id: i64,
    pub ok: bool,
    pub status: Option<u16>,
    pub error: Option<String>,
    pub kind: &'static str,
}

impl Attempt {
    pub fn of(webhook_id: i64, result: &SendResult, kind: &'static str) -> Attempt {
        let (ok, status, error) = match result {
            Ok(s) if (200..300).contains(s) => (true, Some(*s), None),
            Ok(s) => (false, Some(*s), Some(format!("the chat tool answered {s}"))),
            Err(err) => (false, None, Some(err.to_string())),
        };
        Attempt {
            webhook_id,
            ok,
            status,
            error,
            kind,
        }
    }
}

/// Posts the message (the caller records the [`Attempt`]).
pub async fn send(
    out: &Outbound,
    hook: &Row,
    e: &EventText<'_>,
    idempotency_key: &str,
) -> SendResult {
    let format = WebhookFormat::from_code(&hook.format).unwrap_or_default();
    let text = render(&hook.template, e);
    let payload = serde_json::to_vec(&body(format, &text, e)).unwrap_or_default();
    let headers = [
        ("content-type".to_string(), "application/json".to_string()),
        ("idempotency-key".to_string(), idempotency_key.to_string()),
    ];
    out.post(&hook.url, &headers, payload)
        .await
        .map(|a| a.status)
}

/// Adds attempts to the delivery logs (keeping the last [`KEPT_ATTEMPTS`] of each).
pub async fn record(
    tx: &mut crate::db::Conn,
    attempts: &[Attempt],
    at: i64,
) -> Result<(), sqlx::Error> {
    for a in attempts {
        crate::on_db!(&mut *tx, |dbc| {
            sqlx::query(
            "INSERT INTO webhook_attempts (webhook_id, at, ok, status, error, kind) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(a.webhook_id)
        .bind(at)
        .bind(a.ok)
        .bind(a.status.map(i64::from))
        .bind(&a.error)
        .bind(a.kind)
        .execute(dbc).await.map(crate::db::Done::from)
        })?;
        crate::db::keep_newest(
            tx,
            "webhook_attempts",
            "webhook_id",
            a.webhook_id,
            KEPT_ATTEMPTS,
        )
        .await?;
    }
    Ok(())
}

async fn to_api(db: &Db, row: Row) -> Result<Webhook, ApiError> {
    type AttemptRow = (i64, bool, Option<i64>, Option<String>, String);
    let attempts: Vec<AttemptRow> = crate::on_db!(db, |dbc| {
        sqlx::query_as(
        "SELECT at, ok, status, error, kind FROM webhook_attempts WHERE webhook_id = $1 ORDER BY id DESC",
    )
    .bind(row.id)
    .fetch_all(dbc).await
    })?;
    Ok(Webhook {
        id: row.id,
        name: row.name,
        url: row.url,
        template: row.template,
        format: WebhookFormat::from_code(&row.format).unwrap_or_default(),
        attempts: attempts
            .into_iter()
            .map(|(at, ok, status, error, kind)| WebhookAttempt {
                at: chrono::DateTime::from_timestamp(at, 0)
                    .map(|d| d.to_rfc3339())
                    .unwrap_or_default(),
                ok,
                status: status.and_then(|s| u16::try_from(s).ok()),
                error,
                kind,
            })
            .collect(),
    })
}

struct Checked {
    name: String,
    url: String,
    template: String,
    format: WebhookFormat,
}

fn check(state: &AppState, input: &WebhookInput) -> ApiResult<Checked> {
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > MAX_WEBHOOK_NAME_LEN {
        return Err(ApiError::invalid(
            Problem::length(Field::Name, MAX_WEBHOOK_NAME_LEN),
            format!("A webhook needs a name of 1 to {MAX_WEBHOOK_NAME_LEN} characters."),
        ));
    }
    let url = input.url.trim();
    if url.len() > MAX_URL_LEN {
        return Err(ApiError::invalid(
            Problem::too_long(Field::WebAddress, MAX_URL_LEN),
            "The webhook address is too long.",
        ));
    }
    crate::net::check_url(url, state.outbound.allows_private())
        .map_err(|e| ApiError::unsafe_target(&e))?;
    let template = input
        .template
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or(DEFAULT_WEBHOOK_TEMPLATE);
    if template.chars().count() > MAX_WEBHOOK_TEMPLATE_LEN {
        return Err(ApiError::invalid(
            Problem::too_long(Field::Template, MAX_WEBHOOK_TEMPLATE_LEN),
            format!("The message template may have at most {MAX_WEBHOOK_TEMPLATE_LEN} characters."),
        ));
    }
    Ok(Checked {
        name: name.to_string(),
        url: url.to_string(),
        template: template.to_string(),
        format: input.format,
    })
}

#[utoipa::path(get, path = "/api/webhooks", tag = "notifications", responses((status = 200, body = Vec<Webhook>)))]
pub async fn list(
    State(state): State<AppState>,
    session: Session,
) -> ApiResult<Json<Vec<Webhook>>> {
    let rows: Vec<Row> = crate::on_db!(&state.db, |dbc| sqlx::query_as(
        "SELECT id, name, url, template, format FROM webhooks WHERE user_id = $1 ORDER BY id",
    )
    .bind(session.user_id)
    .fetch_all(dbc)
    .await)?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(to_api(&state.db, row).await?);
    }
    Ok(Json(out))
}

#[utoipa::path(post, path = "/api/webhooks", tag = "notifications", request_body = WebhookInput,
    responses((status = 201, body = Webhook), (status = 403, body = ksuite_common::ErrorBody), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    session: Session,
    ApiJson(input): ApiJson<WebhookInput>,
) -> ApiResult<(StatusCode, Json<Webhook>)> {
    let c = check(&state, &input)?;
    let plan = crate::auth::users::profile(&state.db, session.user_id)
        .await?
        .plan;
    let limit = webhook_limit(plan);
    let mut tx = crate::db::begin_write(&state.db).await?;
    let count: i64 = crate::on_db!(&mut tx, |dbc| sqlx::query_scalar(
        "SELECT COUNT(*) FROM webhooks WHERE user_id = $1"
    )
    .bind(session.user_id)
    .fetch_one(dbc)
    .await)?;
    if count >= limit as i64 {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ksuite_common::ErrorCode::QuotaExceeded,
            format!(
                "Your plan allows {limit} webhook{}; delete one or change plan to add another.",
                if limit == 1 { "" } else { "s" }
            ),
        ));
    }
    let id: i64 = crate::on_db!(&mut tx, |dbc| {
        sqlx::query_scalar(
        "INSERT INTO webhooks (user_id, name, url, template, format, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(session.user_id)
    .bind(&c.name)
    .bind(&c.url)
    .bind(&c.template)
    .bind(c.format.code())
    .bind(crate::now_unix())
    .fetch_one(dbc).await
    })?;
    tx.commit().await?;
    let row = owned(&state.db, session.user_id, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok((StatusCode::CREATED, Json(to_api(&state.db, row).await?)))
}

#[utoipa::path(put, path = "/api/webhooks/{id}", tag = "notifications", params(("id" = i64, Path)), request_body = WebhookInput,
    responses((status = 200, body = Webhook), (status = 404, body = ksuite_common::ErrorBody), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<WebhookInput>,
) -> ApiResult<Json<Webhook>> {
    let c = check(&state, &input)?;
    let updated = crate::on_db!(&state.db, |dbc| {
        sqlx::query(
        "UPDATE webhooks SET name = $1, url = $2, template = $3, format = $4 WHERE id = $5 AND user_id = $6",
    )
    .bind(&c.name)
    .bind(&c.url)
    .bind(&c.template)
    .bind(c.format.code())
    .bind(id)
    .bind(session.user_id)
    .execute(dbc).await.map(crate::db::Done::from)
    })?;
    if updated.rows_affected() == 0 {
        return Err(ApiError::not_found());
    }
    let row = owned(&state.db, session.user_id, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(to_api(&state.db, row).await?))
}

/// Deletes a webhook; reminders that used it stop (they are not moved elsewhere).
#[utoipa::path(delete, path = "/api/webhooks/{id}", tag = "notifications", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    let deleted = crate::on_db!(&state.db, |dbc| sqlx::query(
        "DELETE FROM webhooks WHERE id = $1 AND user_id = $2"
    )
    .bind(id)
    .bind(session.user_id)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    if deleted.rows_affected() == 0 {
        return Err(ApiError::not_found());
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Sends a sample reminder through the webhook now.
#[utoipa::path(post, path = "/api/webhooks/{id}/test", tag = "notifications", params(("id" = i64, Path)),
    responses((status = 200, body = DeliveryTest), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn test(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<i64>,
) -> ApiResult<Json<DeliveryTest>> {
    let hook = owned(&state.db, session.user_id, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let date = chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string();
    let sample = EventText {
        subject: "Test reminder from ksuite",
        date: &date,
        description: "If you read this, reminders reach this channel.",
        location: "",
    };
    let key = format!("test-{}", crate::resource::new_uid());
    let result = send(&state.outbound, &hook, &sample, &key).await;
    let mut tx = crate::db::begin_write(&state.db).await?;
    record(
        &mut tx,
        &[Attempt::of(hook.id, &result, "test")],
        crate::now_unix(),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(match result {
        Ok(status) if (200..300).contains(&status) => DeliveryTest {
            ok: true,
            detail: format!("Delivered (the chat tool answered {status})."),
        },
        Ok(status) => DeliveryTest {
            ok: false,
            detail: format!(
                "The chat tool refused the message (it answered {status}). Check the address."
            ),
        },
        Err(e) => DeliveryTest {
            ok: false,
            detail: format!("Not delivered: {e}."),
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_templates_for_each_tool() {
        let e = EventText {
            subject: "Review",
            date: "Mon 2 March 2026, 10:00",
            description: "",
            location: "Room 4",
        };
        let text = render(DEFAULT_WEBHOOK_TEMPLATE, &e);
        assert_eq!(text, "Reminder: Review on Mon 2 March 2026, 10:00\nRoom 4");
        assert_eq!(body(WebhookFormat::Slack, &text, &e)["text"], text);
        assert_eq!(body(WebhookFormat::Discord, &text, &e)["content"], text);
        assert_eq!(body(WebhookFormat::Teams, &text, &e)["title"], "Review");
        assert_eq!(body(WebhookFormat::Json, &text, &e)["location"], "Room 4");
    }
}
