//! Reminders' channels: chat webhooks and the devices that receive notifications.

use gloo_net::http::Request;
use ksuite_common::{
    DeliveryTest, EventDetail, PushDevice, PushSubscriptionInput, PushUnsubscribe, Reminder,
    VapidPublicKey, Webhook, WebhookInput, paths,
};

use super::{ApiError, get_json, send_empty, send_json};

pub async fn webhooks() -> Result<Vec<Webhook>, ApiError> {
    get_json(paths::WEBHOOKS).await
}

pub async fn create_webhook(input: WebhookInput) -> Result<Webhook, ApiError> {
    send_json(Request::post(paths::WEBHOOKS), &input).await
}

pub async fn update_webhook(id: i64, input: WebhookInput) -> Result<Webhook, ApiError> {
    send_json(Request::put(&paths::webhook(id)), &input).await
}

pub async fn delete_webhook(id: i64) -> Result<(), ApiError> {
    send_empty(Request::delete(&paths::webhook(id))).await
}

pub async fn test_webhook(id: i64) -> Result<DeliveryTest, ApiError> {
    send_json(
        Request::post(&paths::webhook_test(id)),
        &serde_json::json!({}),
    )
    .await
}

pub async fn vapid_key() -> Result<VapidPublicKey, ApiError> {
    get_json(paths::PUSH_VAPID_KEY).await
}

pub async fn devices() -> Result<Vec<PushDevice>, ApiError> {
    get_json(paths::PUSH_SUBSCRIPTIONS).await
}

pub async fn subscribe(input: PushSubscriptionInput) -> Result<PushDevice, ApiError> {
    send_json(Request::post(paths::PUSH_SUBSCRIPTIONS), &input).await
}

pub async fn remove_device(id: i64) -> Result<(), ApiError> {
    let body = PushUnsubscribe {
        endpoint: None,
        id: Some(id),
    };
    super::send_json_empty(Request::delete(paths::PUSH_SUBSCRIPTIONS), &body).await
}

pub async fn test_push() -> Result<DeliveryTest, ApiError> {
    send_json(Request::post(paths::PUSH_TEST), &serde_json::json!({})).await
}

/// Sets only the signed-in user's reminders on an event.
pub async fn set_event_reminders(
    calendar_id: i64,
    uid: &str,
    list: &[Reminder],
) -> Result<EventDetail, ApiError> {
    let path = paths::event_reminders(calendar_id, &js_sys_encode(uid));
    send_json(Request::put(&path), &list).await
}

fn js_sys_encode(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}
