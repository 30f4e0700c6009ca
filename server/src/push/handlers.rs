//! The API browsers use to receive notifications: the server's public key, and adding,
//! listing, removing and testing this user's subscriptions.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ksuite_common::{
    DeliveryTest, Field, Problem, PushDevice, PushPayload, PushSubscriptionInput, PushUnsubscribe,
    Rule, VapidPublicKey,
};

use super::PushOutcome;
use crate::auth::session::Session;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::state::AppState;

/// Most devices per user; subscribing one more forgets the oldest.
const MAX_DEVICES: i64 = 20;
const MAX_ENDPOINT_LEN: usize = 1024;

#[utoipa::path(get, path = "/api/push/vapid-public-key", tag = "notifications",
    responses((status = 200, body = VapidPublicKey)))]
pub async fn vapid_public_key(
    State(state): State<AppState>,
    _session: Session,
) -> Json<VapidPublicKey> {
    Json(VapidPublicKey {
        key: state.vapid.public_key.clone(),
    })
}

fn check_key(value: &str, len: usize, what: &str) -> ApiResult<()> {
    match URL_SAFE_NO_PAD.decode(value.trim_end_matches('=')) {
        Ok(bytes) if bytes.len() == len => Ok(()),
        _ => Err(ApiError::invalid(
            Problem::new(Field::PushSubscription, Rule::Invalid),
            format!("The subscription's {what} key is not a valid browser key."),
        )),
    }
}

fn device_name(input: Option<&str>, headers: &HeaderMap) -> String {
    let raw = input
        .or_else(|| {
            headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
        })
        .unwrap_or("Browser");
    raw.chars().filter(|c| !c.is_control()).take(120).collect()
}

/// Adds this browser (its `PushSubscription`) to the user's devices.
#[utoipa::path(post, path = "/api/push/subscriptions", tag = "notifications", request_body = PushSubscriptionInput,
    responses((status = 201, body = PushDevice), (status = 422, body = ksuite_common::ErrorBody)))]
pub async fn subscribe(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    ApiJson(input): ApiJson<PushSubscriptionInput>,
) -> ApiResult<(StatusCode, Json<PushDevice>)> {
    if input.endpoint.len() > MAX_ENDPOINT_LEN {
        return Err(ApiError::invalid(
            Problem::new(Field::PushSubscription, Rule::TooBig),
            "The subscription's endpoint is too long.",
        ));
    }
    let url = crate::net::check_url(&input.endpoint, state.outbound.allows_private())
        .map_err(|e| ApiError::unsafe_target(&e))?;
    if url.scheme() != "https" && !state.outbound.allows_private() {
        return Err(ApiError::invalid(
            Problem::new(Field::PushSubscription, Rule::Invalid),
            "Push services are reached over https only.",
        ));
    }
    check_key(&input.keys.p256dh, 65, "p256dh")?;
    check_key(&input.keys.auth, 16, "auth")?;
    let name = device_name(input.device_name.as_deref(), &headers);
    let now = crate::now_unix();
    let mut tx = crate::db::begin_write(&state.db).await?;
    // An endpoint belongs to one browser profile: whoever subscribed it last gets it.
    let id: i64 = crate::on_db!(&mut tx, |dbc| {
        sqlx::query_scalar(
        "INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, device_name, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (endpoint) DO UPDATE SET user_id = excluded.user_id, \
         p256dh = excluded.p256dh, auth = excluded.auth, device_name = excluded.device_name RETURNING id",
    )
    .bind(session.user_id)
    .bind(&input.endpoint)
    .bind(&input.keys.p256dh)
    .bind(&input.keys.auth)
    .bind(&name)
    .bind(now)
    .fetch_one(dbc).await
    })?;
    crate::db::keep_newest(
        &mut tx,
        "push_subscriptions",
        "user_id",
        session.user_id,
        MAX_DEVICES,
    )
    .await?;
    tx.commit().await?;
    let device = devices_of(&state, session.user_id)
        .await?
        .into_iter()
        .find(|d| d.id == id)
        .ok_or_else(|| ApiError::internal("subscription vanished"))?;
    Ok((StatusCode::CREATED, Json(device)))
}

async fn devices_of(state: &AppState, user_id: i64) -> ApiResult<Vec<PushDevice>> {
    let rows: Vec<(i64, String, String, i64, Option<i64>)> =
        crate::on_db!(&state.db, |dbc| sqlx::query_as(
            "SELECT id, device_name, endpoint, created_at, last_success_at FROM push_subscriptions \
         WHERE user_id = $1 ORDER BY id",
        )
        .bind(user_id)
        .fetch_all(dbc)
        .await)?;
    let time = |t: i64| {
        chrono::DateTime::from_timestamp(t, 0)
            .map(|d| d.to_rfc3339())
            .unwrap_or_default()
    };
    Ok(rows
        .into_iter()
        .map(|(id, device_name, endpoint, created, success)| PushDevice {
            id,
            device_name,
            service: url::Url::parse(&endpoint)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
                .unwrap_or_default(),
            created_at: time(created),
            last_success_at: success.map(time),
        })
        .collect())
}

#[utoipa::path(get, path = "/api/push/subscriptions", tag = "notifications",
    responses((status = 200, body = Vec<PushDevice>)))]
pub async fn list(
    State(state): State<AppState>,
    session: Session,
) -> ApiResult<Json<Vec<PushDevice>>> {
    Ok(Json(devices_of(&state, session.user_id).await?))
}

/// Removes this browser's subscription (by endpoint) or a listed device (by id).
#[utoipa::path(delete, path = "/api/push/subscriptions", tag = "notifications", request_body = PushUnsubscribe,
    responses((status = 204), (status = 404, body = ksuite_common::ErrorBody)))]
pub async fn unsubscribe(
    State(state): State<AppState>,
    session: Session,
    ApiJson(input): ApiJson<PushUnsubscribe>,
) -> ApiResult<StatusCode> {
    if input.endpoint.is_none() && input.id.is_none() {
        return Err(ApiError::invalid(
            Problem::new(Field::Request, Rule::Required),
            "Say which device: its endpoint or its id.",
        ));
    }
    let removed = crate::on_db!(&state.db, |dbc| sqlx::query(
        "DELETE FROM push_subscriptions WHERE user_id = $1 AND (endpoint = $2 OR id = $3)",
    )
    .bind(session.user_id)
    .bind(input.endpoint)
    .bind(input.id)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    if removed.rows_affected() == 0 {
        return Err(ApiError::not_found());
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Sends a test notification to every device of the user.
#[utoipa::path(post, path = "/api/push/test", tag = "notifications",
    responses((status = 200, body = DeliveryTest)))]
pub async fn test(
    State(state): State<AppState>,
    session: Session,
) -> ApiResult<Json<DeliveryTest>> {
    let subs = super::subscriptions_of(&state.db, session.user_id).await?;
    if subs.is_empty() {
        return Ok(Json(DeliveryTest {
            ok: false,
            detail: "No device receives notifications yet: enable them on this device first."
                .into(),
        }));
    }
    let payload = PushPayload {
        title: "ksuite".into(),
        body: "Notifications work on this device.".into(),
        url: "/settings/notifications".into(),
        token: None,
        tag: format!("test-{}", crate::now_unix()),
    };
    let (mut ok, mut problems, mut accepted) = (0, Vec::new(), Vec::new());
    for sub in &subs {
        match super::send(
            &state.db,
            &state.outbound,
            &state.vapid,
            sub,
            &payload,
            &payload.tag,
        )
        .await
        {
            PushOutcome::Accepted => {
                ok += 1;
                accepted.push(sub.id);
            }
            PushOutcome::Gone => {
                problems.push("a device had unsubscribed and was removed".to_string())
            }
            PushOutcome::Retry(e, _) | PushOutcome::Failed(e) => problems.push(e),
        }
    }
    let mut tx = crate::db::begin_write(&state.db).await?;
    super::mark_delivered(&mut tx, &accepted, crate::now_unix()).await?;
    tx.commit().await?;
    let mut detail = format!("Sent to {ok} of {} devices.", subs.len());
    if !problems.is_empty() {
        detail.push(' ');
        detail.push_str(&problems.join("; "));
    }
    Ok(Json(DeliveryTest { ok: ok > 0, detail }))
}
