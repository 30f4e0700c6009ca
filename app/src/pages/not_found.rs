use leptos::prelude::*;

use crate::i18n::{Key, t};

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <main class="auth-page">
            <div class="card">
                <h1>"404"</h1>
                <p>{t(Key::PageNotFound)}</p>
                <a href="/">{t(Key::BackHome)}</a>
            </div>
        </main>
    }
}
