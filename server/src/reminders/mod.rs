//! Reminders: VALARMs (and users' own reminders on shared calendars) turned into due
//! times, a durable scheduler, and the channels that deliver them (browser push,
//! e-mail, chat webhooks).

pub mod api;
pub mod deliver;
pub mod schedule;
pub mod store;
pub mod texts;
pub mod webhooks;
pub mod worker;

use axum::Router;
use axum::routing::{get, post, put};
use ksuite_common::paths;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::WEBHOOKS, get(webhooks::list).post(webhooks::create))
        .route(
            "/api/webhooks/{id}",
            put(webhooks::update).delete(webhooks::delete),
        )
        .route("/api/webhooks/{id}/test", post(webhooks::test))
        .route("/api/reminders/{token}/snooze", post(api::snooze))
        .route("/api/reminders/{token}/dismiss", post(api::dismiss))
        .route(
            paths::PUSH_VAPID_KEY,
            get(crate::push::handlers::vapid_public_key),
        )
        .route(
            paths::PUSH_SUBSCRIPTIONS,
            get(crate::push::handlers::list)
                .post(crate::push::handlers::subscribe)
                .delete(crate::push::handlers::unsubscribe),
        )
        .route(paths::PUSH_TEST, post(crate::push::handlers::test))
}
