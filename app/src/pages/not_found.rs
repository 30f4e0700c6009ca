use leptos::prelude::*;

use crate::i18n::{Key, t};

/// An address no page answers, drawn in the signed-in shell (signed-out visitors are sent
/// to the login page first).
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="page" aria-labelledby="page-title" data-testid="not-found">
            <h1 id="page-title">"404"</h1>
            <p>{t(Key::PageNotFound)}</p>
            <a href="/">{t(Key::BackHome)}</a>
        </section>
    }
}
