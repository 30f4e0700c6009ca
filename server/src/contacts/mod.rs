//! Contacts: address books, contacts stored as vCards, groups, search, .vcf import and
//! export, sharing, the organization directory and autocomplete for the mail composer.

pub mod csv_format;
pub mod directory;
pub mod handlers;
pub mod store;
pub mod vcard;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

/// Largest .vcf file accepted for import.
pub const MAX_IMPORT_BYTES: usize = 32 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    use handlers as h;
    Router::new()
        .route(
            "/api/address-books",
            get(h::list_books).post(h::create_book),
        )
        .route(
            "/api/address-books/{id}",
            axum::routing::patch(h::rename_book).delete(h::delete_book),
        )
        .route(
            "/api/address-books/{id}/contacts",
            get(h::list_contacts).post(h::create_contact),
        )
        .route(
            "/api/address-books/{id}/contacts/{uid}",
            get(h::get_contact)
                .put(h::update_contact)
                .delete(h::delete_contact),
        )
        .route(
            "/api/address-books/{id}/contacts/{uid}/merge",
            post(h::merge),
        )
        .route(
            "/api/address-books/{id}/contacts/{uid}/photo",
            get(h::get_photo)
                .put(h::put_photo)
                .delete(h::delete_photo)
                // Room for the largest photo; the handler answers 413 past MAX_PHOTO_BYTES.
                .layer(axum::extract::DefaultBodyLimit::max(
                    ksuite_common::MAX_PHOTO_BYTES + 1024,
                )),
        )
        .route("/api/address-books/{id}/groups", get(h::list_groups))
        .route(
            "/api/address-books/{id}/shares",
            get(h::list_shares)
                .put(h::put_share)
                .delete(h::delete_share),
        )
        .route(
            "/api/address-books/{id}/import",
            post(h::import).layer(axum::extract::DefaultBodyLimit::max(MAX_IMPORT_BYTES)),
        )
        .route("/api/address-books/{id}/export", get(h::export))
        .route("/api/contacts/autocomplete", get(h::autocomplete))
}
