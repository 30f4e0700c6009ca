//! Share an address book with other users of the server (read or read/write).

use leptos::prelude::*;

use crate::components::share_panel::SharePanel;
use crate::i18n::{Key, t};

/// The share panel is its own chunk: the contacts paint first, the panel (closed until asked
/// for) arrives meanwhile.
#[wasm_split_helpers::wasm_split(book_sharing, fallible)]
fn panel_chunk() -> Result<crate::lazy::Build<i64>, crate::lazy::ChunkMissing> {
    Ok(|book| {
        view! { <SharePanel base=format!("/api/address-books/{book}") input_id="book-share-email".to_string() /> }
            .into_any()
    })
}

#[component]
pub fn BookSharing(book: i64) -> impl IntoView {
    let panel = LocalResource::new(panel_chunk);
    view! {
        <details class="book-sharing">
            <summary>{t(Key::Share)}</summary>
            {crate::lazy::chunk_view(panel, book)}
        </details>
    }
}
