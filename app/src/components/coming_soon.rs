//! The honest placeholder for an app whose issue has not landed yet.

use leptos::prelude::*;

use crate::components::icon::{Icon, IconSvg};
use crate::i18n::{Key, t};

#[component]
pub fn ComingSoon(title: Key, icon: Icon) -> impl IntoView {
    view! {
        <section class="page coming-soon" aria-labelledby="page-title">
            <h1 id="page-title">{t(title)}</h1>
            <div class="empty-state">
                <IconSvg icon=icon />
                <h2>{t(Key::ComingSoon)}</h2>
                <p>{t(Key::ComingSoonBody)}</p>
            </div>
        </section>
    }
}
