//! Browser notifications over Web Push (RFC 8030), encrypted for each browser
//! (RFC 8291) and signed with this server's VAPID key (RFC 8292) by the `web-push`
//! crate; sent through the guarded outbound client.

pub mod handlers;
pub mod vapid;

use ksuite_common::PushPayload;
use web_push::{ContentEncoding, SubscriptionInfo, Urgency, WebPushMessageBuilder};

use crate::db::Db;
use crate::net::{Outbound, SendError};

/// How long a push service keeps a reminder for an offline device (a reminder older
/// than a day is no use).
const TTL_SECS: u32 = 24 * 3600;

/// A stored subscription.
#[derive(sqlx::FromRow, Clone)]
pub struct Subscription {
    pub id: i64,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
}

/// What became of one push.
#[derive(Debug)]
pub enum PushOutcome {
    Accepted,
    /// The subscription is gone (404/410): it has been removed.
    Gone,
    /// Try again later (429, 5xx, no answer), after this many seconds if the service said.
    Retry(String, Option<u64>),
    /// Refused for good (bad key, payload too large…).
    Failed(String),
}

pub async fn subscriptions_of(db: &Db, user_id: i64) -> Result<Vec<Subscription>, sqlx::Error> {
    crate::on_db!(db, |dbc| sqlx::query_as(
        "SELECT id, endpoint, p256dh, auth FROM push_subscriptions WHERE user_id = $1"
    )
    .bind(user_id)
    .fetch_all(dbc)
    .await)
}

/// Encrypts and sends `payload` to one subscription. `topic` makes a repeat of the same
/// reminder replace the undelivered one at the push service instead of doubling it.
pub async fn send(
    db: &Db,
    out: &Outbound,
    keys: &vapid::VapidKeys,
    sub: &Subscription,
    payload: &PushPayload,
    topic: &str,
) -> PushOutcome {
    let (headers, body) = match build(keys, sub, payload, topic) {
        Ok(r) => r,
        Err(e) => return PushOutcome::Failed(e),
    };
    let answer = match out.post(&sub.endpoint, &headers, body).await {
        Ok(a) => a,
        Err(SendError::Target(t)) => {
            // A subscription that cannot be reached safely never will be.
            remove(db, sub.id).await;
            return PushOutcome::Failed(t.to_string());
        }
        Err(e) => return PushOutcome::Retry(e.to_string(), None),
    };
    match answer.status {
        200..=299 => PushOutcome::Accepted,
        404 | 410 => {
            remove(db, sub.id).await;
            PushOutcome::Gone
        }
        429 | 500..=599 => PushOutcome::Retry(
            format!("the push service answered {}", answer.status),
            answer.retry_after,
        ),
        status => PushOutcome::Failed(format!("the push service refused the message ({status})")),
    }
}

/// HTTP headers as (name, value) pairs.
type Headers = Vec<(String, String)>;

fn build(
    keys: &vapid::VapidKeys,
    sub: &Subscription,
    payload: &PushPayload,
    topic: &str,
) -> Result<(Headers, Vec<u8>), String> {
    let info = SubscriptionInfo::new(&sub.endpoint, &sub.p256dh, &sub.auth);
    let body = serde_json::to_vec(payload).map_err(|e| e.to_string())?;
    let mut builder = WebPushMessageBuilder::new(&info);
    builder.set_payload(ContentEncoding::Aes128Gcm, &body);
    builder.set_ttl(TTL_SECS);
    builder.set_urgency(Urgency::High);
    // Topic: at most 32 URL-safe characters.
    builder.set_topic(
        topic
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(32)
            .collect(),
    );
    builder.set_vapid_signature(keys.signature(&info)?);
    let message = builder
        .build()
        .map_err(|e| format!("cannot build the push message: {e}"))?;
    let request = web_push::request_builder::build_request::<Vec<u8>>(message);
    let headers = request
        .headers()
        .iter()
        .filter(|(name, _)| name.as_str() != "content-length")
        .filter_map(|(name, value)| {
            Some((name.as_str().to_string(), value.to_str().ok()?.to_string()))
        })
        .collect();
    Ok((headers, request.into_body()))
}

/// Records that these subscriptions accepted a message (the device list shows it).
pub async fn mark_delivered(
    tx: &mut crate::db::Conn,
    ids: &[i64],
    at: i64,
) -> Result<(), sqlx::Error> {
    for id in ids {
        crate::on_db!(&mut *tx, |dbc| sqlx::query(
            "UPDATE push_subscriptions SET last_success_at = $1 WHERE id = $2"
        )
        .bind(at)
        .bind(id)
        .execute(dbc)
        .await
        .map(crate::db::Done::from))?;
    }
    Ok(())
}

async fn remove(db: &Db, id: i64) {
    if let Err(e) = crate::on_db!(db, |dbc| sqlx::query(
        "DELETE FROM push_subscriptions WHERE id = $1"
    )
    .bind(id)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))
    {
        tracing::warn!(error = %e, "removing a dead push subscription failed");
    }
}
