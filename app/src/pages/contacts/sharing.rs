//! Share an address book with other users of the server (read or read/write).

use leptos::prelude::*;

use crate::components::share_panel::SharePanel;
use crate::i18n::{Key, t};

#[component]
pub fn BookSharing(book: i64) -> impl IntoView {
    view! {
        <details class="book-sharing">
            <summary>{t(Key::Share)}</summary>
            <SharePanel base=format!("/api/address-books/{book}") input_id="book-share-email".to_string() />
        </details>
    }
}
