//! Mail: addresses, the message store (raw messages as files, an index in the database
//! with IMAP-style UIDs/MODSEQ and full-text search), inbound SMTP and the JSON API.

pub mod blobs;
pub mod handlers;
pub mod html;
pub mod index;
pub mod smtp;
pub mod store;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    use handlers as h;
    Router::new()
        .route("/api/mail/folders", get(h::folders))
        .route("/api/mail/folders/{id}/messages", get(h::messages))
        .route(
            "/api/mail/messages/{id}",
            get(h::message).patch(h::update).delete(h::delete),
        )
        .route("/api/mail/messages/{id}/move", post(h::move_message))
        .route("/api/mail/messages/{id}/html", get(h::html))
        .route(
            "/api/mail/messages/{id}/attachments/{index}",
            get(h::attachment),
        )
        .route("/api/mail/messages/{id}/restore", post(h::restore))
        .route("/api/mail/deleted", get(h::deleted))
        .route("/api/mail/search", get(h::search))
        .route("/api/mail/messages/{id}/raw", get(h::raw))
}
