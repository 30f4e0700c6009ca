//! Mail: addresses, the message store (raw messages as files, an index in the database
//! with IMAP-style UIDs/MODSEQ and full-text search), inbound SMTP, sending (local
//! delivery and the relay queue), filters and the JSON API.

pub mod admin;
pub mod antivirus;
pub mod arrival;
pub mod autoconfig;
pub mod autoreply;
pub mod blobs;
pub mod bulk;
pub mod compose;
pub mod dkim;
pub mod dkim_admin;
pub mod fetch;
pub mod filters;
pub mod folders;
pub mod handlers;
pub mod html;
pub mod import;
pub mod index;
pub mod outbox;
pub mod rate;
pub mod routing;
pub mod scheduled;
pub mod send_handlers;
pub mod sender_auth;
pub mod sending;
pub mod settings_handlers;
pub mod signatures;
pub mod spam;
pub mod store;
pub mod submit;
pub mod uploads;
pub mod usage;

use axum::Router;
use axum::routing::{delete, get, post, put};
use ksuite_common::paths;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    use handlers as h;
    use send_handlers as w;
    use settings_handlers as s;
    Router::new()
        .route(
            "/api/admin/mail/addresses",
            get(admin::list).post(admin::create),
        )
        .route("/api/admin/mail/addresses/{id}", delete(admin::delete))
        .route("/api/admin/mail/addresses/{id}/users", put(admin::grant))
        .route(
            "/api/admin/mail/addresses/{id}/users/{user_id}",
            delete(admin::revoke),
        )
        .route(paths::MAIL_FETCHES, get(fetch::list).post(fetch::create))
        .route(paths::ADMIN_DKIM, get(dkim_admin::list))
        .route(paths::ADMIN_DKIM_NEXT, post(dkim_admin::prepare))
        .route(paths::ADMIN_DKIM_ACTIVATE, post(dkim_admin::activate))
        .route("/api/mail/send", post(w::send))
        .route("/api/mail/drafts", post(w::save_draft))
        .route("/api/mail/uploads", post(w::upload))
        .route("/api/mail/uploads/{id}", delete(w::discard_upload))
        .route("/api/mail/outbox/{id}/retry", post(w::retry))
        .route(
            "/api/mail/scheduled",
            get(w::scheduled_list).post(w::schedule),
        )
        .route(
            "/api/mail/scheduled/{id}",
            put(w::reschedule).delete(w::cancel_scheduled),
        )
        .route("/api/mail/addresses", get(s::addresses))
        .route(
            "/api/mail/addresses/{address}/signatures",
            post(s::add_signature),
        )
        .route(
            "/api/mail/addresses/{address}/signatures/{id}",
            put(s::update_signature).delete(s::delete_signature),
        )
        .route(
            "/api/mail/addresses/{address}/signature-defaults",
            put(s::set_signature_defaults),
        )
        .route(
            "/api/mail/addresses/{address}/auto-reply",
            get(s::auto_reply).put(s::set_auto_reply),
        )
        .route(
            "/api/mail/addresses/{address}/routing",
            get(s::address_routing),
        )
        .route("/api/mail/addresses/{address}/aliases", post(s::add_alias))
        .route(
            "/api/mail/addresses/{address}/aliases/{alias}",
            delete(s::remove_alias),
        )
        .route(
            "/api/mail/addresses/{address}/redirect",
            put(s::set_redirect),
        )
        .route(
            "/api/mail/filters",
            get(s::list_filters).post(s::create_filter),
        )
        .route("/api/mail/filters/order", put(s::reorder_filters))
        .route(
            "/api/mail/filters/{id}",
            put(s::update_filter).delete(s::delete_filter),
        )
        .route("/api/mail/folders", get(h::folders).post(folders::create))
        .route(
            "/api/mail/folders/{id}",
            axum::routing::patch(folders::rename).delete(folders::delete),
        )
        .route("/api/mail/folders/{id}/empty", post(folders::empty))
        .route("/api/mail/folders/{id}/import", post(import::import))
        .route("/api/mail/folders/{id}/messages", get(h::messages))
        .route("/api/mail/messages/bulk", post(bulk::bulk))
        .route(
            "/api/mail/messages/{id}",
            get(h::message).patch(h::update).delete(h::delete),
        )
        .route("/api/mail/messages/{id}/move", post(h::move_message))
        .route("/api/mail/messages/{id}/thread", get(h::thread))
        .route("/api/mail/messages/{id}/html", get(h::html))
        .route(
            "/api/mail/messages/{id}/attachments/{index}",
            get(h::attachment),
        )
        .route("/api/mail/messages/{id}/restore", post(h::restore))
        .route("/api/mail/deleted", get(h::deleted))
        .route("/api/mail/search", get(h::search))
        .route("/api/mail/messages/{id}/raw", get(h::raw))
        .route(
            "/.well-known/autoconfig/mail/config-v1.1.xml",
            get(autoconfig::config),
        )
        .route("/mail/config-v1.1.xml", get(autoconfig::config))
}
